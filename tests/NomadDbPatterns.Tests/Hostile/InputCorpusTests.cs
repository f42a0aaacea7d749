using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace NomadDbPatterns.Tests.Hostile;

/// <summary>
/// Runs the input-side sections (<c>spec-*</c>) of the hostile-input corpus in <c>Hostile/Corpus</c> through the CLI
/// in process: exit code, the <c>file:line:col</c> prefix and spec path of an error line, substrings that must and
/// must not appear (secrets), no stack trace, and nothing written when the input is rejected.
/// (A stop-gap until the shared corpus runner covers every section; the case format is the shared one.)
/// </summary>
[TestFixture]
public sealed class InputCorpusTests
{
    private static string CorpusRoot => RepoPaths.Combine("tests", "NomadDbPatterns.Tests", "Hostile", "Corpus");

    public static IEnumerable<TestCaseData> Cases() =>
        Directory.Exists(CorpusRoot)
            ? Directory.EnumerateDirectories(CorpusRoot, "spec-*")
                .SelectMany(section => Directory.EnumerateDirectories(section))
                .Where(dir => File.Exists(Path.Combine(dir, "case.yaml")))
                .Order(StringComparer.Ordinal)
                .Select(dir => new TestCaseData(Path.GetRelativePath(CorpusRoot, dir).Replace('\\', '/')).SetName($"Corpus({Path.GetRelativePath(CorpusRoot, dir).Replace('\\', '/')})"))
            : [];

    [Test]
    public void The_input_sections_hold_at_least_70_cases() => Assert.That(Cases().Count(), Is.GreaterThanOrEqualTo(70));

    [TestCaseSource(nameof(Cases))]
    public void Case_behaves(string name)
    {
        var dir = Path.Combine(CorpusRoot, name);
        var spec = ReadCase(Path.Combine(dir, "case.yaml"));
        var output = Path.Combine(Directory.CreateTempSubdirectory("nomad-db-corpus-").FullName, "out");
        try
        {
            var args = spec.Args.Select(a => a.Replace("{out}", output, StringComparison.Ordinal))
                .Select(a => !a.StartsWith('-') && (File.Exists(Path.Combine(dir, a)) || Directory.Exists(Path.Combine(dir, a))) ? Path.Combine(dir, a) : a)
                .ToArray();
            var run = CliRun.Of(args);
            // The CLI names files as given; the case names them relative to its directory.
            var stderr = run.Error.Replace(dir + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);
            var all = run.Out + stderr;
            Assert.Multiple(() =>
            {
                Assert.That(run.ExitCode, Is.EqualTo(spec.Exit), stderr);
                Assert.That(all, Does.Not.Contain("internal error").And.Not.Contain("   at "), "no stack trace");
                if (spec.Error is not null || spec.Path is not null)
                {
                    var lines = stderr.Split('\n').Where(l => l.Contains(": error NDB", StringComparison.Ordinal)).ToList();
                    var match = lines.Where(l => spec.Error is null || l.StartsWith(spec.Error + ":", StringComparison.Ordinal))
                        .Where(l => spec.Path is null || l.Contains($"({spec.Path})", StringComparison.Ordinal));
                    Assert.That(match, Is.Not.Empty, $"an error line at {spec.Error} with path ({spec.Path}) in:\n{stderr}");
                }

                foreach (var text in spec.Contains)
                {
                    Assert.That(stderr.Contains(text, StringComparison.Ordinal), Is.True, $"stderr contains {text}:\n{stderr}");
                }

                foreach (var text in spec.NotContains)
                {
                    // Ordinal: a culture-aware search ignores control and format characters (ESC, U+202E) and finds them everywhere.
                    Assert.That(all.Contains(text, StringComparison.Ordinal), Is.False, $"must not appear in the output: {text}");
                }

                if (run.ExitCode != 0)
                {
                    Assert.That(Directory.Exists(output), Is.False, "nothing is written for rejected input");
                }
            });
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
        }
    }

    private sealed record CaseSpec(string[] Args, int Exit, string? Error, string? Path, string[] Contains, string[] NotContains);

    private static CaseSpec ReadCase(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        string? Scalar(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value : null;
        string[] List(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var node)
            ? [.. ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value!)]
            : [];
        return new CaseSpec(List("args"), int.Parse(Scalar("exit") ?? "0", System.Globalization.CultureInfo.InvariantCulture), Scalar("error"), Scalar("path"), List("contains"), List("notContains"));
    }
}

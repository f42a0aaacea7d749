using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace NomadDbPatterns.Tests.Hostile;

/// <summary>
/// The hostile-input corpus: every <c>Hostile/Corpus/SECTION/CASE/case.yaml</c> (format in Corpus/README.md) runs
/// the real nomad-db as a process, because a process is what is being promised: its exit code, and that no stack
/// trace, stack overflow (exit 134) or hang ever reaches the user; in process a stack overflow would end the test run
/// and a hang could not be stopped. A failing case (exit ≠ 0) runs twice, once with a fresh {out} (nothing may be
/// created) and once with a pre-populated {out} (it must stay byte-identical).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class CorpusTests
{
    /// <summary>The bound per run: a case that takes longer hangs.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static string CorpusRoot => Path.Combine(RepoPaths.TestProject, "Hostile", "Corpus");

    public static IEnumerable<TestCaseData> Cases() =>
        Directory.EnumerateFiles(CorpusRoot, "case.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(CorpusRoot, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Select(name => new TestCaseData(name).SetName($"Corpus({name})"));

    [Test]
    public void Corpus_has_at_least_the_cases_of_this_branch()
    {
        var sections = Cases().Select(c => ((string)c.Arguments[0]!).Split('/')[0]).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        foreach (var section in new[] { "files", "lock", "cli", "multi-file" })
        {
            Assert.That(sections.GetValueOrDefault(section), Is.GreaterThan(0), section);
        }

        Assert.That(sections.Values.Sum(), Is.GreaterThanOrEqualTo(30));
    }

    [TestCaseSource(nameof(Cases))]
    public void Case(string name)
    {
        var source = Path.Combine(CorpusRoot, name);
        var spec = CorpusCase.Load(Path.Combine(source, "case.yaml"));
        var root = Directory.CreateTempSubdirectory("nomad-db-corpus-");
        try
        {
            var fresh = Run(spec, source, Path.Combine(root.FullName, "fresh"), prepopulate: false);
            Check(spec, fresh, "fresh output directory");
            if (spec.Exit != 0)
            {
                var existing = Run(spec, source, Path.Combine(root.FullName, "existing"), prepopulate: true);
                Check(spec, existing, "existing output directory");
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private sealed record Outcome(int ExitCode, string StdOut, string StdErr, string WorkDir, string Out, bool OutChanged, string WorkChanges);

    private static Outcome Run(CorpusCase spec, string source, string sandbox, bool prepopulate)
    {
        var work = Path.Combine(sandbox, "case");
        var output = Path.Combine(sandbox, "out");
        CopyDirectory(source, work);
        foreach (var step in spec.Setup)
        {
            step(work);
        }

        if (prepopulate)
        {
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, "keep.nomad.hcl"), "job \"keep\" {}\n");
            File.WriteAllText(Path.Combine(output, "notes.txt"), "not generated\n");
        }

        var outBefore = Fingerprint(output);
        var workBefore = Fingerprint(work);
        var (exit, stdout, stderr) = Execute(spec.Args.Select(a => a.Replace("{out}", output, StringComparison.Ordinal)), work);
        var workAfter = Fingerprint(work);
        var changes = string.Join(", ", workAfter.Keys.Except(workBefore.Keys).Concat(workBefore.Keys.Except(workAfter.Keys)));
        return new Outcome(exit, stdout, stderr, work, output, Fingerprint(output).Count != outBefore.Count || !Fingerprint(output).All(kv => outBefore.GetValueOrDefault(kv.Key) == kv.Value), changes);
    }

    private static void Check(CorpusCase spec, Outcome outcome, string situation)
    {
        var all = outcome.StdOut + outcome.StdErr;
        var context = $"[{situation}] exit {outcome.ExitCode}\nstdout:\n{outcome.StdOut}\nstderr:\n{outcome.StdErr}";
        Assert.That(StackFrame().IsMatch(all), Is.False, "a stack trace reached the user\n" + context);
        Assert.That(all, Does.Not.Contain("internal error"), context);
        Assert.That(outcome.ExitCode, Is.EqualTo(spec.Exit), context);
        foreach (var needle in spec.Contains)
        {
            // Ordinal: a culture-aware search ignores format characters such as U+202E and would find them anywhere.
            Assert.That(outcome.StdErr.Contains(needle, StringComparison.Ordinal), Is.True, () => $"stderr does not contain \"{needle}\"\n{context}");
        }

        foreach (var needle in spec.NotContains)
        {
            Assert.That(all.Contains(needle, StringComparison.Ordinal), Is.False, () => $"output contains \"{needle}\"\n{context}");
        }

        if (spec.Exit == 1)
        {
            var lines = outcome.StdErr.Split('\n').Select(l => Normalize(l.TrimEnd('\r'), outcome.WorkDir)).ToList();
            Assert.That(lines.Any(l => l.Contains(": error NDB", StringComparison.Ordinal)), Is.True, "no `error NDBxxx` line\n" + context);
            if (spec.Error is { } prefix)
            {
                var matching = lines.Where(l => l.StartsWith(prefix + ":", StringComparison.Ordinal) && l.Contains(": error NDB", StringComparison.Ordinal)).ToList();
                Assert.That(matching, Is.Not.Empty, $"no error line starting with '{prefix}:'\n" + context);
                if (spec.Path is { } path)
                {
                    Assert.That(matching.Any(l => l.Contains($"({path})", StringComparison.Ordinal)), Is.True, $"no error line at '{prefix}' names the spec path '{path}'\n" + context);
                }
            }
        }
        else if (spec.Exit == 2)
        {
            Assert.That(outcome.StdErr, Does.Contain("error NDB090"), context);
        }

        if (spec.Exit != 0)
        {
            Assert.That(outcome.OutChanged, Is.False, "the output directory changed (or was created) although the run failed\n" + context);
            Assert.That(outcome.WorkChanges, Is.Empty, "the run created or removed files beside the specs\n" + context);
        }
    }

    /// <summary>A path as the case names it: relative to the case directory, '/'-separated, without a leading "./".</summary>
    private static string Normalize(string line, string workDir)
    {
        var text = line.Replace(workDir + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);
        return text.StartsWith("./", StringComparison.Ordinal) ? text[2..] : text;
    }

    private static (int Exit, string StdOut, string StdErr) Execute(IEnumerable<string> args, string workDir)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "nomad-db.exe" : "nomad-db");
        var startInfo = File.Exists(apphost) ? new ProcessStartInfo(apphost) : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "nomad-db.dll") } };
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        startInfo.WorkingDirectory = workDir;
        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["NOMAD_ADDR"] = "http://127.0.0.1:9"; // plan/run cases never reach a real cluster
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Bound))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"nomad-db {string.Join(' ', startInfo.ArgumentList)} did not finish within {Bound.TotalSeconds} s (a hang); stderr so far: {stderr.GetAwaiter().GetResult()}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Every entry below <paramref name="directory"/> with a hash of its bytes (links and special files by kind), or empty when it does not exist.</summary>
    private static Dictionary<string, string> Fingerprint(string directory)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return result;
        }

        result["."] = "dir";
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            var relative = Path.GetRelativePath(directory, entry.FullName);
            result[relative] = entry.LinkTarget is { } target ? "link:" + target
                : entry is DirectoryInfo ? "dir"
                // A FIFO set up by a case reports length 0 and must not be opened (it would block).
                : entry is FileInfo { Length: 0 } ? "empty"
                : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry.FullName)));
        }

        return result;
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative == "case.yaml")
            {
                continue;
            }

            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        }
    }

    [GeneratedRegex(@"^\s+at [^\s(]+\(", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}

/// <summary>One corpus case (<c>case.yaml</c>).</summary>
internal sealed record CorpusCase(
    IReadOnlyList<string> Args,
    int Exit,
    string? Error,
    string? Path,
    IReadOnlyList<string> Contains,
    IReadOnlyList<string> NotContains,
    IReadOnlyList<Action<string>> Setup)
{
    public static CorpusCase Load(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var known = new HashSet<string> { "args", "exit", "error", "path", "contains", "notContains", "setup", "description" };
        foreach (var key in root.Children.Keys.Cast<YamlScalarNode>())
        {
            if (!known.Contains(key.Value!))
            {
                throw new InvalidDataException($"{file}: unknown key '{key.Value}' (known: {string.Join(", ", known)})");
            }
        }

        string? Scalar(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value : null;
        IReadOnlyList<string> List(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var node)
            ? [.. ((YamlSequenceNode)node).Children.Cast<YamlScalarNode>().Select(s => s.Value ?? string.Empty)]
            : [];

        var setup = new List<Action<string>>();
        if (root.Children.TryGetValue(new YamlScalarNode("setup"), out var steps))
        {
            foreach (var step in ((YamlSequenceNode)steps).Children.Cast<YamlMappingNode>())
            {
                var (kind, value) = step.Children.Single();
                setup.Add(((YamlScalarNode)kind).Value switch
                {
                    "fifo" => dir => MakeFifo(System.IO.Path.Combine(dir, ((YamlScalarNode)value).Value!)),
                    "mkdir" => dir => Directory.CreateDirectory(System.IO.Path.Combine(dir, ((YamlScalarNode)value).Value!)),
                    "symlink" => dir =>
                    {
                        var link = (YamlMappingNode)value;
                        var name = ((YamlScalarNode)link.Children[new YamlScalarNode("name")]).Value!;
                        var target = ((YamlScalarNode)link.Children[new YamlScalarNode("target")]).Value!;
                        var path = System.IO.Path.Combine(dir, name);
                        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                        File.CreateSymbolicLink(path, target);
                    },
                    var other => throw new InvalidDataException($"{file}: unknown setup step '{other}' (fifo, symlink, mkdir)"),
                });
            }
        }

        return new CorpusCase(
            List("args"),
            int.Parse(Scalar("exit") ?? throw new InvalidDataException($"{file}: `exit` is required"), System.Globalization.CultureInfo.InvariantCulture),
            Scalar("error"),
            Scalar("path"),
            List("contains"),
            List("notContains"),
            setup);
    }

    private static void MakeFifo(string path)
    {
        var result = Infrastructure.Shell.Run("mkfifo", [path], null, null, TimeSpan.FromSeconds(10));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path}: {result.StdErr}");
        }
    }
}

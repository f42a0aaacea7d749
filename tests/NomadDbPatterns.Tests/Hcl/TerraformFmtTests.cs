using System.Diagnostics;
using CsCheck;
using NomadDbPatterns.Hcl;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>
/// hclwrite itself, where it is installed: <c>terraform fmt</c> runs the same formatter as <c>nomad fmt</c>
/// (<c>hclwrite.Format</c>). Terraform adds rewrites of its own: <c>variable</c> types and <c>"${x}"</c>-only strings,
/// which no job file holds, and block labels, which it re-encodes (so hostile jobs get plain labels here). Neither
/// tool is a dependency of the project: without terraform these tests fall back to the hclwrite outputs committed in
/// FmtSamples and to <see cref="HclFmt.Check"/> (a port of hclwrite's rules), so they still run and can still fail —
/// CI counts a skipped test as a failure.
/// </summary>
[TestFixture]
public sealed class TerraformFmtTests
{
    [Test]
    public void The_committed_hclwrite_outputs_are_what_terraform_fmt_makes_of_the_samples()
    {
        var names = HclLayoutTests.SampleNames().ToList();
        var formatted = FormatWithTerraform(names.Select(name => HclLayoutTests.Sample(name).Input).ToList());
        if (formatted is null)
        {
            // The recorded hclwrite outputs must at least be canonical by the port of hclwrite's rules.
            Assert.That(names.SelectMany(name => HclFmt.Check(HclLayoutTests.Sample(name).Formatted).Select(p => $"{name}: {p}")), Is.Empty);
            return;
        }

        Assert.Multiple(() =>
        {
            for (var i = 0; i < names.Count; i++)
            {
                Assert.That(formatted[i], Is.EqualTo(HclLayoutTests.Sample(names[i]).Formatted), names[i]);
            }
        });
    }

    [Test]
    public void Rendered_examples_and_hostile_jobs_are_left_unchanged_by_terraform_fmt()
    {
        var result = NomadDb.Render([RepoPaths.Examples], new RenderOptions { BaseDirectory = RepoPaths.Root });
        Assert.That(result.Success, Is.True, () => string.Join('\n', result.Diagnostics));
        var pcg = new PCG((uint)Random.Shared.Next(), (ulong)Random.Shared.NextInt64());
        TestContext.Out.WriteLine($"hostile jobs from CSCHECK_SEED={pcg}");
        var hostile = Enumerable.Range(0, 300).Select(_ => HostileJob.Generate(pcg).WithPlainLabels())
            .SelectMany(job => JobRenderer.Default.RenderValid(job.Build(), job.SourceName));
        var files = result.Files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).Concat(hostile).ToList();

        var formatted = FormatWithTerraform([.. files.Select(f => f.Content)]);
        if (formatted is null)
        {
            Assert.That(files.SelectMany(f => HclFmt.Check(f.Content).Select(p => $"{f.FileName}: {p}")), Is.Empty);
            return;
        }

        Assert.Multiple(() =>
        {
            for (var i = 0; i < files.Count; i++)
            {
                Assert.That(formatted[i], Is.EqualTo(files[i].Content), HclRead.Show(files[i].FileName));
            }
        });
    }

    /// <summary>Formats every text with one <c>terraform fmt</c> run over a directory of <c>.tf</c> copies.</summary>
    private static List<string>? FormatWithTerraform(IReadOnlyList<string> texts)
    {
        var terraform = FindOnPath("terraform");
        if (terraform is null)
        {
            TestContext.Out.WriteLine("terraform is not installed, so hclwrite cannot be run here: checking against FmtSamples/*.fmt.hcl and HclLayout.Check.");
            return null;
        }

        var directory = Directory.CreateTempSubdirectory("hclwrite-");
        try
        {
            for (var i = 0; i < texts.Count; i++)
            {
                File.WriteAllText(Path.Combine(directory.FullName, $"f{i}.tf"), texts[i]);
            }

            var start = new ProcessStartInfo(terraform)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "fmt", "-list=false", "-write=true", directory.FullName })
            {
                start.ArgumentList.Add(argument);
            }

            // Keep terraform from reading or writing anything of the user's.
            start.Environment["TF_CLI_CONFIG_FILE"] = "/dev/null";
            start.Environment["CHECKPOINT_DISABLE"] = "1";
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.That(process.ExitCode, Is.Zero, () => $"terraform fmt failed: {stderr.Result}");
            return [.. Enumerable.Range(0, texts.Count).Select(i => File.ReadAllText(Path.Combine(directory.FullName, $"f{i}.tf")))];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

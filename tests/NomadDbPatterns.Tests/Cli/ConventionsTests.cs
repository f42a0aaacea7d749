using NomadDbPatterns.Cli;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Cli;

/// <summary>What users of command-line tools expect: walks that skip what git and editors hide, typo suggestions, usage exit codes.</summary>
[TestFixture]
public sealed class ConventionsTests
{
    [Test]
    public void A_directory_walk_skips_dot_directories_dot_files_and_node_modules()
    {
        using var temp = new TempSpecs();
        temp.Write("app.yaml", TempSpecs.Service("app"));
        temp.Write(".github/workflows/ci.yml", "on: push\njobs: { build: { runs-on: ubuntu-latest } }\n");
        temp.Write("node_modules/pkg/config.yaml", "not: a spec\n");
        temp.Write(".app.yaml.swp.yaml", "garbage: [\n");

        var run = CliRun.Of("validate", temp.Specs);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(run.Out + run.Error, Does.Not.Contain(".github").And.Not.Contain("node_modules"));

        var named = CliRun.Of("validate", Path.Combine(temp.Specs, "node_modules", "pkg", "config.yaml"));
        Assert.That(named.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), "a file named on the command line is read even there");
    }

    [Test]
    public void A_mistyped_command_gets_system_commandlines_suggestion_and_exit_2()
    {
        var run = CliRun.Of("validat", "x.yaml");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(run.Error, Does.Contain("error NDB090: Unrecognized command or argument 'validat'"));
        Assert.That(run.Error, Does.Contain("'validat' was not matched. Did you mean one of the following?").And.Contain("validate"));
        Assert.That(run.Out, Is.Empty);
    }

    [Test]
    public void Output_dash_prints_the_one_job_to_stdout_and_writes_nothing()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("app.yaml", TempSpecs.Service("app"));
        var before = Directory.EnumerateFileSystemEntries(temp.Root.FullName, "*", SearchOption.AllDirectories).Order().ToList();

        var run = CliRun.Of("render", spec, "-o", "-");
        var directory = CliRun.Of("render", spec, "-o", temp.Out);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
            Assert.That(run.Out, Is.EqualTo(File.ReadAllText(Path.Combine(temp.Out, "app.nomad.hcl"))), "the same bytes as the file");
            Assert.That(directory.ExitCode, Is.EqualTo(ExitCodes.Ok));
            Assert.That(File.Exists("-") || Directory.Exists("-"), Is.False, "no file or directory named '-'");
        });
        Assert.That(before, Does.Not.Contain(Path.Combine(temp.Root.FullName, "-")));
    }

    [Test]
    public void Output_dash_with_several_jobs_is_a_usage_error()
    {
        using var temp = new TempSpecs();
        temp.Write("a.yaml", TempSpecs.Service("a"));
        temp.Write("b.yaml", TempSpecs.Service("b"));

        var run = CliRun.Of("render", temp.Specs, "-o", "-");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(run.Error, Does.Contain("-o - prints one job file, but the specs render 2 (a.nomad.hcl, b.nomad.hcl); give a directory"));
        Assert.That(run.Out, Is.Empty);
    }
}

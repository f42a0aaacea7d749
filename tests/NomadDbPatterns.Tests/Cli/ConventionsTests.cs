using NomadDbPatterns.Cli;
using System.Text.Json;
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

    // The format is read before the subcommands are built: a refused or missing value was an unhandled exception.
    [TestCase("--diagnostics", "xml", "Argument 'xml' not recognized")]
    [TestCase("--diagnostics", null, "Required argument missing for option: '--diagnostics'")]
    public void A_bad_diagnostics_format_is_a_usage_error(string option, string? value, string message)
    {
        var run = value is null ? CliRun.Of("validate", "x.yaml", option) : CliRun.Of("validate", "x.yaml", option, value);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(run.Error, Does.Contain("error NDB090: " + message));
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

    private static (TempSpecs Temp, string Spec) Invalid()
    {
        var temp = new TempSpecs();
        var spec = temp.Write("bad.yaml", TempSpecs.Service("bad").Replace("    to: 8080", "    to: 8080\n      imagee: x", StringComparison.Ordinal));
        return (temp, spec);
    }

    [Test]
    public void Json_diagnostics_are_one_document_on_stdout_with_file_line_column_and_path()
    {
        var (temp, spec) = Invalid();
        using var _ = temp;

        var run = CliRun.Of("validate", spec, "--diagnostics", "json");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        var diagnostic = JsonDocument.Parse(run.Out).RootElement.GetProperty("diagnostics")[0];
        Assert.Multiple(() =>
        {
            Assert.That(diagnostic.GetProperty("severity").GetString(), Is.EqualTo("error"));
            Assert.That(diagnostic.GetProperty("code").GetString(), Is.EqualTo("NDB003"));
            Assert.That(diagnostic.GetProperty("file").GetString(), Does.EndWith("bad.yaml"));
            Assert.That(diagnostic.GetProperty("line").GetInt32(), Is.EqualTo(7));
            Assert.That(diagnostic.GetProperty("column").GetInt32(), Is.GreaterThan(0));
            Assert.That(diagnostic.GetProperty("path").GetString(), Does.Contain("imagee"));
        });
    }

    [Test]
    public void Sarif_diagnostics_are_a_sarif_2_1_0_log()
    {
        var (temp, spec) = Invalid();
        using var _ = temp;

        var run = CliRun.Of("validate", spec, "--diagnostics", "sarif");

        var log = JsonDocument.Parse(run.Out).RootElement;
        var runElement = log.GetProperty("runs")[0];
        var result = runElement.GetProperty("results")[0];
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
            Assert.That(log.GetProperty("version").GetString(), Is.EqualTo("2.1.0"));
            Assert.That(runElement.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString(), Is.EqualTo("nomad-db"));
            Assert.That(runElement.GetProperty("tool").GetProperty("driver").GetProperty("rules")[0].GetProperty("id").GetString(), Is.EqualTo("NDB003"));
            Assert.That(result.GetProperty("ruleId").GetString(), Is.EqualTo("NDB003"));
            Assert.That(result.GetProperty("level").GetString(), Is.EqualTo("error"));
            var region = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
            Assert.That(region.GetProperty("startLine").GetInt32(), Is.EqualTo(7));
        });
    }

    [Test]
    public void GitHub_diagnostics_are_workflow_commands_with_escaped_properties()
    {
        var (temp, spec) = Invalid();
        using var _ = temp;

        var run = CliRun.Of("validate", spec, "--diagnostics", "github");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        var line = run.Out.Split('\n').Single(l => l.StartsWith("::error ", StringComparison.Ordinal));
        Assert.That(line, Does.Match(@"^::error file=[^,]*bad\.yaml,line=7,col=\d+,title=NDB003::unknown key 'imagee'"));
    }

    [Test]
    public void A_valid_spec_gives_an_empty_json_document_and_nothing_else_on_stdout()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("app.yaml", TempSpecs.Service("app"));

        var run = CliRun.Of("validate", spec, "--diagnostics", "json");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(JsonDocument.Parse(run.Out).RootElement.GetProperty("diagnostics").GetArrayLength(), Is.EqualTo(0));
    }

    private const string Fleet = """
        jobs:
          - &base
            name: a
            app:
              image: example/app:1.0
              ports: [{ name: http, to: 8080 }]
            postgres:
              password: { nomadVar: nomad/jobs/a }
          - <<: *base
            name: b
            postgres:
              password: { nomadVar: nomad/jobs/b }
        """;

    [Test]
    public void Merge_keys_join_the_anchored_mapping_and_explicit_keys_win()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("fleet.yaml", Fleet);

        var run = CliRun.Of("render", spec, "-o", temp.Out);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        var b = File.ReadAllText(Path.Combine(temp.Out, "b.nomad.hcl"));
        Assert.That(b, Does.Contain("example/app:1.0"), "merged from a");
        Assert.That(b, Does.Contain("nomad/jobs/b").And.Not.Contain("nomad/jobs/a\""), "b's own postgres wins over the merged one");
    }

    [TestCase("  - <<: 5\n    name: c\n", "a merge key (<<) takes a mapping or a list of mappings")]
    [TestCase("  - \"<<\": *base\n    name: c\n", "unknown key '<<'")]
    public void A_bad_or_quoted_merge_key_is_a_clear_error(string extra, string message)
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("fleet.yaml", Fleet + "\n" + extra);

        var run = CliRun.Of("validate", spec);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain(message));
    }
}

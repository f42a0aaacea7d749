using System.Text.Json;
using NomadDbPatterns.Cli;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Cli;

[TestFixture]
public sealed class RenderFormatTests
{
    [Test]
    public void Format_json_writes_the_api_job_of_every_job()
    {
        using var temp = new TempSpecs();
        temp.Write("a.yaml", TempSpecs.Service("alpha"));
        temp.Write("b.yaml", TempSpecs.Service("beta", "backup:\n  schedule: \"0 4 * * *\"\n  placement: periodic"));

        var run = CliRun.Of("render", temp.Specs, "-o", temp.Out, "--format", "json");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(
            Directory.GetFiles(temp.Out).Select(Path.GetFileName),
            Is.EquivalentTo(new[]
            {
                "alpha.nomad.json", "alpha.postgres-data.volume.json", "beta.nomad.json", "beta-backup.nomad.json", "beta.postgres-data.volume.json",
                "beta.backups.volume.json", "beta-backup.policy.hcl", "nomad-db-scripts.nv.json", "nomad-db.lock",
            }));
        using var alpha = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Out, "alpha.nomad.json")));
        var job = alpha.RootElement.GetProperty("Job");
        Assert.That(job.GetProperty("ID").GetString(), Is.EqualTo("alpha"));
        var tasks = job.GetProperty("TaskGroups")[0].GetProperty("Tasks").EnumerateArray().Select(t => t.GetProperty("Name").GetString());
        Assert.That(tasks, Is.EqualTo(new[] { "postgres", "wait-for-postgres", "app" }));
        using var backup = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Out, "beta-backup.nomad.json")));
        Assert.That(backup.RootElement.GetProperty("Job").GetProperty("Periodic").GetProperty("Specs")[0].GetString(), Is.EqualTo("0 4 * * *"));
    }

    [Test]
    public void Format_hcl_is_the_default()
    {
        using var temp = new TempSpecs();
        temp.Write("a.yaml", TempSpecs.Service("alpha"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out, "--format", "hcl").ExitCode, Is.EqualTo(ExitCodes.Ok));
        var explicitHcl = File.ReadAllText(Path.Combine(temp.Out, "alpha.nomad.hcl"));
        Directory.Delete(temp.Out, recursive: true);

        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(ExitCodes.Ok));

        Assert.That(Directory.GetFiles(temp.Out, "*.nomad.*").Select(Path.GetFileName), Is.EqualTo(new[] { "alpha.nomad.hcl" }));
        Assert.That(File.ReadAllText(Path.Combine(temp.Out, "alpha.nomad.hcl")), Is.EqualTo(explicitHcl));
    }

    [Test]
    public void An_unknown_format_is_a_usage_error_and_writes_nothing()
    {
        using var temp = new TempSpecs();
        temp.Write("a.yaml", TempSpecs.Service("alpha"));

        var run = CliRun.Of("render", temp.Specs, "-o", temp.Out, "--format", "yaml");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(run.Error, Does.Contain("yaml"));
        Assert.That(Directory.Exists(temp.Out), Is.False);
    }

    [Test]
    public void Json_render_of_an_invalid_spec_exits_1_and_writes_nothing()
    {
        using var temp = new TempSpecs();
        temp.Write("a.yaml", TempSpecs.Service("alpha").Replace("example/alpha:1.0", "example/alpha"));

        var run = CliRun.Of("render", temp.Specs, "-o", temp.Out, "--format", "json");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(Directory.Exists(temp.Out), Is.False);
    }
}

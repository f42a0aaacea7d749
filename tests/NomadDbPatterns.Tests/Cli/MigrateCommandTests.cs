using NomadDbPatterns.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Cli;

[TestFixture]
public sealed class MigrateCommandTests
{
    private static string Example => RepoPaths.Combine("examples", "legacy", "postgresql.yaml");

    [Test]
    public void Plan_lists_every_service_in_the_guides_priority_order()
    {
        var run = CliRun.Of("migrate", Example, "--plan");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        var order = run.Out.Split('\n').Where(l => l.Length > 0 && char.IsAsciiDigit(l[0])).Select(l => l.Split(' ')[1]).ToList();
        Assert.That(order, Is.EqualTo(new[] { "speedtest-tracker", "freshrss", "vaultwarden", "grafana", "authelia", "gitea", "nextcloud" }));
        Assert.That(run.Out, Does.Contain("   migrate  batch job freshrss-migrate: pg_dump -Fc of freshrss from service postgresql"));
    }

    [Test]
    public void Migrate_writes_the_jobs_the_shared_spec_without_the_database_and_the_runbook()
    {
        using var temp = new TempSpecs();

        var run = CliRun.Of("migrate", Example, "--service", "vaultwarden", "-o", temp.Out);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(Directory.GetFiles(temp.Out).Select(Path.GetFileName), Is.EquivalentTo(new[]
        {
            "vaultwarden.yaml", "vaultwarden.nomad.hcl", "vaultwarden-migrate.nomad.hcl",
            "postgresql.after-vaultwarden.yaml", "postgresql.after-vaultwarden.nomad.hcl", "RUNBOOK.md", "nomad-db-scripts.nv.hcl", "vaultwarden-migrate.nv.hcl",
            "vaultwarden.postgres-data.volume.hcl", "vaultwarden.backups.volume.hcl", "vaultwarden.vault-policy.hcl",
        }));
        Assert.That(run.Out, Does.Contain("RUNBOOK.md"));
        // What the command writes is what the library plans, pinned by the snapshots (MigrationTests); the header names
        // the spec relative to the current directory.
        Assert.That(File.ReadAllText(Path.Combine(temp.Out, "vaultwarden-migrate.nomad.hcl")).Split('\n').Skip(1),
            Is.EqualTo(File.ReadAllText(Path.Combine(RepoPaths.Snapshots, "migrate-vaultwarden.vaultwarden-migrate.nomad.verified.hcl")).Split('\n').Skip(1)));
        // The written dedicated spec renders to the written dedicated job.
        var render = CliRun.Of("render", Path.Combine(temp.Out, "vaultwarden.yaml"), "-o", Path.Combine(temp.Root.FullName, "rendered"));
        Assert.That(render.ExitCode, Is.EqualTo(ExitCodes.Ok), render.Error);
        Assert.That(File.ReadAllText(Path.Combine(temp.Root.FullName, "rendered", "vaultwarden.nomad.hcl")).Split('\n').Skip(1),
            Is.EqualTo(File.ReadAllText(Path.Combine(temp.Out, "vaultwarden.nomad.hcl")).Split('\n').Skip(1)), "the same job, apart from the header's spec path");
    }

    [Test]
    public void An_unknown_service_exits_1_and_writes_nothing()
    {
        using var temp = new TempSpecs();

        var run = CliRun.Of("migrate", Example, "--service", "bookstack", "-o", temp.Out);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain("error NDB090: no database of the shared instance \"postgresql\" names service 'bookstack'"));
        Assert.That(Directory.Exists(temp.Out), Is.False);
    }

    [Test]
    public void A_frozen_violation_in_the_shared_spec_exits_1_with_its_position()
    {
        using var temp = new TempSpecs();
        var text = File.ReadAllText(Example).Replace("baseline: [authelia, ", "baseline: [", StringComparison.Ordinal);
        var spec = temp.Write("postgresql.yaml", text);

        var run = CliRun.Of("migrate", spec, "--plan");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Match($@"{System.Text.RegularExpressions.Regex.Escape(spec)}:\d+:\d+: error NDB080: database 'authelia' is not in the recorded baseline.*\(databases\[0\]\.name\)"));
    }

    [TestCase]
    [TestCase("--plan", "--service", "gitea")]
    [TestCase("--service", "gitea")]
    [TestCase("--plan", "-o", "out")]
    public void Usage_errors_exit_2(params string[] options)
    {
        var run = CliRun.Of(["migrate", Example, .. options]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Error);
    }

    [Test]
    public void A_spec_without_a_shared_instance_is_a_usage_error()
    {
        var run = CliRun.Of("migrate", RepoPaths.Combine("examples", "myservice.yaml"), "--plan");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(run.Error, Does.Contain("holds no shared instance"));
    }
}

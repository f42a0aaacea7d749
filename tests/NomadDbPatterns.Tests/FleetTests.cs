using NomadDbPatterns.Cli;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>Fleet-wide rules and the upgrade guard: each conflict names both places and exits 1.</summary>
[TestFixture]
public sealed class FleetTests
{
    [Test]
    public void Duplicate_job_names_name_both_files()
    {
        using var temp = new TempSpecs();
        var first = temp.Write("one.yaml", TempSpecs.Service("app"));
        var second = temp.Write("two.yaml", TempSpecs.Service("app").Replace("nomad/jobs/app", "nomad/jobs/app"));
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"{second}:1:1: error {ErrorCodes.DuplicateJob}").And.Contain($"{first}:1:1"));
    }

    [Test]
    public void Duplicate_host_volume_is_rejected()
    {
        using var temp = new TempSpecs();
        var first = temp.Write("one.yaml", TempSpecs.Service("one"));
        var second = temp.Write("two.yaml", TempSpecs.Service("two").Replace("  password:", "  volume: one-postgres\n  password:"));
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"{second}:").And.Contain($"error {ErrorCodes.DuplicateVolume}").And.Contain("(postgres.volume)").And.Contain(first));
    }

    [Test]
    public void Shared_read_only_app_volume_is_allowed()
    {
        using var temp = new TempSpecs();
        const string shared = "  volumes:\n    - { name: media, source: media, destination: /media, readOnly: true, shared: true }\n";
        temp.Write("one.yaml", TempSpecs.Service("one").Replace("  service:", shared + "  service:"));
        temp.Write("two.yaml", TempSpecs.Service("two").Replace("  service:", shared + "  service:"));
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
    }

    [Test]
    public void Static_port_collision_on_host_networking()
    {
        using var temp = new TempSpecs();
        temp.Write("one.yaml", "network: host\n" + TempSpecs.Service("one"));
        var second = temp.Write("two.yaml", "network: host\n" + TempSpecs.Service("two").Replace("to: 8080", "to: 8081").Replace("  password:", "  port: 5432\n  password:"));
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"{second}:").And.Contain($"error {ErrorCodes.PortCollision}: static port 5432"));
    }

    [Test]
    public void Duplicate_service_name_in_a_namespace()
    {
        using var temp = new TempSpecs();
        temp.Write("one.yaml", TempSpecs.Service("one").Replace("    port: http\n", "    name: web\n    port: http\n"));
        temp.Write("two.yaml", TempSpecs.Service("two").Replace("    port: http\n", "    name: web\n    port: http\n"));
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.Error, Does.Contain($"error {ErrorCodes.DuplicateService}"));
    }

    [Test]
    public void Unsafe_major_change_on_an_existing_volume_is_rejected_with_the_safe_path()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("a.yaml", TempSpecs.Service("alpha").Replace("  password:", "  version: 16\n  password:"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllText(Path.Combine(temp.Out, VolumeLock.FileName)), Does.Contain("\"major\": 16"));

        File.WriteAllText(spec, File.ReadAllText(spec).Replace("version: 16", "version: 17"));
        var run = CliRun.Of("render", temp.Specs, "-o", temp.Out);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"{spec}:").And.Contain($"error {ErrorCodes.MajorUpgrade}").And.Contain("pg_upgrade").And.Contain("upgradeFrom: 16"));
        Assert.That(File.ReadAllText(Path.Combine(temp.Out, "alpha.nomad.hcl")), Does.Contain("postgres:16-alpine"), "the old job stays");

        File.WriteAllText(spec, File.ReadAllText(spec).Replace("version: 17", "version: 17\n  upgradeFrom: 16"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllText(Path.Combine(temp.Out, VolumeLock.FileName)), Does.Contain("\"major\": 17"));
    }

    [Test]
    public void Changed_database_name_on_an_existing_volume_is_rejected()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("a.yaml", TempSpecs.Service("alpha"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(0));
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("  password:", "  database: other\n  password:"));
        var run = CliRun.Of("render", temp.Specs, "-o", temp.Out);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"error {ErrorCodes.DatabaseIdentity}"));
    }

    [Test]
    public void The_homelab_fleet_validates_as_one_fleet() =>
        Assert.That(CliRun.Of("validate", Infrastructure.RepoPaths.Combine("examples")).ExitCode, Is.EqualTo(ExitCodes.Ok));
    [Test]
    public void A_large_fleet_loads_in_file_order_with_each_error_in_its_place()
    {
        // Enough files for the loader to read them in parallel: order and diagnostics must not depend on it.
        using var temp = new TempSpecs();
        var names = Enumerable.Range(0, 80).Select(i => $"svc{i:D3}").ToList();
        var files = names.Select(n => temp.Write($"{n}.yaml", n == "svc041" ? TempSpecs.Service(n).Replace("image:", "imagee:") : TempSpecs.Service(n))).ToList();
        var loaded = Spec.SpecLoader.LoadFiles(files);
        Assert.That(loaded.Jobs.Select(j => j.Job.Name), Is.EqualTo(names));
        Assert.That(loaded.Diagnostics.Select(d => (d.Code, d.Location?.File)), Is.EqualTo(new[] { (ErrorCodes.UnknownKey, files[41]) }));
    }
}

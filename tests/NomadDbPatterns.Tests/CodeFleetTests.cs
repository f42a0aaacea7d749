using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>Jobs built in code get the fleet's rules too: <c>NomadDb.Validate</c> over several jobs checks them across.</summary>
[TestFixture]
public sealed class CodeFleetTests
{
    private static ServiceJob Example()
    {
        var loaded = SpecLoader.LoadFiles([RepoPaths.Combine("examples", "myservice.yaml")]);
        return loaded.Jobs.Single().Job;
    }

    [Test]
    public void Two_code_built_jobs_on_one_host_volume_or_with_one_name_are_errors_without_file_positions()
    {
        var a = Example() with { Name = "a" };
        var b = a with { Name = "b", Postgres = a.Postgres! with { Volume = a.DataVolumeSource() } };

        var shared = NomadDb.Validate([a, b]).Where(d => d.Severity == Severity.Error).ToList();
        var sameName = NomadDb.Validate([a, a]).Where(d => d.Severity == Severity.Error).ToList();

        Assert.That(shared.Select(d => d.Code), Does.Contain(ErrorCodes.DuplicateVolume), string.Join("\n", shared));
        Assert.That(sameName.Select(d => d.Code), Does.Contain(ErrorCodes.DuplicateJob), string.Join("\n", sameName));
        Assert.That(shared.Concat(sameName).Where(d => d.Code is ErrorCodes.DuplicateVolume or ErrorCodes.DuplicateJob),
            Has.All.Matches<Diagnostic>(d => d is { Location: null, Related: null } && !d.Message.Contains(":1:1", StringComparison.Ordinal)));
        string[] fleetCodes = [ErrorCodes.DuplicateJob, ErrorCodes.DuplicateVolume, ErrorCodes.PortCollision, ErrorCodes.DuplicateService];
        Assert.That(NomadDb.Validate([a]).Where(d => fleetCodes.Contains(d.Code)), Is.Empty, "one job alone is a fleet of one");
        var apart = b with { Postgres = b.Postgres! with { Volume = null }, Backup = b.Backup! with { Volume = "b-backups" }, App = b.App with { Service = b.App.Service! with { Name = "b" } } };
        Assert.That(NomadDb.Validate([a, apart]).Where(d => fleetCodes.Contains(d.Code)), Is.Empty, "nothing shared");
    }
}

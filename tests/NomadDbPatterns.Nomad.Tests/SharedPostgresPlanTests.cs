using NomadDbPatterns.Cli;
using NUnit.Framework;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>`nomad-db plan` guards the legacy shared instance's server like a service's PostgreSQL sidecar.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SharedPostgresPlanTests
{
    private static string Example => Path.Combine(CommandHarness.Root, "examples", "legacy", "postgresql.yaml");

    [TestCase("plan-postgres-major-16-to-17.json")]
    [TestCase("plan-data-volume-source-changed.json")]
    [TestCase("plan-db-task-destructive.json")]
    public async Task A_risky_plan_of_the_shared_instance_exits_4(string fixture)
    {
        // The fixtures describe job "myservice"; the same diff, told about job "postgresql" (its group has the job's name).
        var plan = Fixtures.Read(fixture).Replace("myservice", "postgresql", StringComparison.Ordinal);
        await using var server = FakeNomadServer.Start(request =>
            request.Path == "/v1/job/postgresql/plan" ? new FakeResponse(200, plan) : FakeResponse.Error(404, "not found"));
        var (exit, stdout, stderr) = CommandHarness.Run(server, "plan", Example);

        Assert.That(exit, Is.EqualTo(ExitCodes.Risk), stdout + stderr);
        Assert.That(stdout, Does.Contain("== job \"postgresql\""));
    }
}

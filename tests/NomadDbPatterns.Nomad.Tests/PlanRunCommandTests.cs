using System.Text.Json.Nodes;
using NomadDbPatterns.Cli;
using NUnit.Framework;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>`nomad-db plan` and `nomad-db run` against the fake Nomad, on the shipped example job "myservice".</summary>
[TestFixture]
[NonParallelizable]
public sealed class PlanRunCommandTests
{
    private const string Token = CommandHarness.Token;

    private static string Example => CommandHarness.Example;

    private static (int Exit, string Out, string Error) Run(FakeNomadServer server, params string[] args) => CommandHarness.Run(server, args);

    private static FakeNomadServer Serve(string planFixture) => FakeNomadServer.Start(request =>
        request.Path.EndsWith("/plan", StringComparison.Ordinal) ? FakeResponse.Fixture(planFixture)
        : request.Path == "/v1/jobs" ? FakeResponse.Fixture("register-response.json")
        : request.Path == "/v1/var/nomad/jobs" && request.Method == "PUT" ? new FakeResponse(200, request.Body)
        : FakeResponse.Error(404, "not found"));

    [TestCase("plan-db-group-renamed.json")]
    [TestCase("plan-db-task-renamed.json")]
    [TestCase("plan-data-volume-source-changed.json")]
    [TestCase("plan-volume-mount-destination-changed.json")]
    [TestCase("plan-postgres-major-16-to-17.json")]
    [TestCase("plan-db-task-destructive.json")]
    public async Task Plan_flags_each_data_loss_case_and_exits_4(string fixture)
    {
        await using var server = Serve(fixture);
        var (exit, stdout, stderr) = Run(server, "plan", Example);
        Assert.That(exit, Is.EqualTo(ExitCodes.Risk), stdout + stderr);
        Assert.That(stdout, Does.Contain("== job \"myservice\""));
        Assert.That(stdout.ToLowerInvariant(), Does.Contain("risk"));
        Assert.That(stdout + stderr, Does.Not.Contain(Token));
        var plan = server.Requests.Single();
        Assert.That(plan.Path, Is.EqualTo("/v1/job/myservice/plan"));
        Assert.That(plan.Header("X-Nomad-Token"), Is.EqualTo(Token));
        var body = JsonNode.Parse(plan.Body)!;
        Assert.That(body["Diff"]!.GetValue<bool>(), Is.True);
        Assert.That(body["Job"]!["ID"]!.GetValue<string>(), Is.EqualTo("myservice"));
        Assert.That(body["Job"]!["TaskGroups"]![0]!["Tasks"]!.AsArray().Select(t => t!["Name"]!.GetValue<string>()), Does.Contain("postgres"));
    }

    [Test]
    public async Task Plan_of_an_app_image_bump_reports_nothing()
    {
        await using var server = Serve("plan-app-image-bump.json");
        var (exit, stdout, stderr) = Run(server, "plan", Example);
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
        Assert.That(stdout, Does.Contain("no data-loss risk"));
        Assert.That(stdout, Does.Contain("image"), "the diff itself is shown");
    }

    [Test]
    public async Task Run_refuses_flagged_risks_and_registers_nothing()
    {
        await using var server = Serve("plan-postgres-major-16-to-17.json");
        var (exit, _, stderr) = Run(server, "run", Example);
        Assert.That(exit, Is.EqualTo(ExitCodes.Risk));
        Assert.That(stderr, Does.Contain("refusing to run"));
        Assert.That(server.Requests.Select(r => r.Path), Has.None.EqualTo("/v1/jobs"));
    }

    [Test]
    public async Task Run_with_accept_risk_and_check_index_registers_with_the_plans_index()
    {
        await using var server = Serve("plan-postgres-major-16-to-17.json");
        var (exit, stdout, stderr) = Run(server, "run", Example, "--accept-risk", "--check-index");
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
        var register = server.Requests.Single(r => r.Path == "/v1/jobs");
        var body = JsonNode.Parse(register.Body)!;
        var planIndex = JsonNode.Parse(Fixtures.Read("plan-postgres-major-16-to-17.json"))!["JobModifyIndex"]!.GetValue<ulong>();
        Assert.That(body["EnforceIndex"]!.GetValue<bool>(), Is.True);
        Assert.That(body["JobModifyIndex"]!.GetValue<ulong>(), Is.EqualTo(planIndex));
        Assert.That(stdout, Does.Contain("registered \"myservice\""));
    }

    [Test]
    public async Task Run_publishes_the_scripts_variable_before_it_registers_the_job()
    {
        await using var server = Serve("plan-app-image-bump.json");
        var (exit, stdout, stderr) = Run(server, "run", Example);
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
        var paths = server.Requests.Select(r => $"{r.Method} {r.Path}{r.Query}").ToList();
        var put = paths.IndexOf("PUT /v1/var/nomad/jobs?namespace=default&cas=0");
        Assert.That(put, Is.GreaterThanOrEqualTo(0), string.Join('\n', paths));
        Assert.That(put, Is.LessThan(paths.IndexOf("POST /v1/jobs")), "the scripts are there before the job that waits for them");
        var items = JsonNode.Parse(server.Requests[put].Body)!["Items"]!.AsObject();
        Assert.That(items.Select(i => i.Key), Is.EquivalentTo(new[] { "backup_lib", "pg_backup", "sqlite_backup", "backup_age_check", "init_databases", "rotate_password", "heartbeat", "archive_wal", "offsite" }));
        Assert.That(stdout, Does.Contain("published the scripts"));
    }

    [Test]
    public async Task Nomad_errors_are_readable_and_exit_5()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Error(403, "Permission denied"));
        var (exit, _, stderr) = Run(server, "plan", Example);
        Assert.That(exit, Is.EqualTo(ExitCodes.NomadError));
        Assert.That(stderr, Does.Contain("Permission denied").And.Contain("403"));
        Assert.That(stderr, Does.Not.Contain(Token));
    }
}

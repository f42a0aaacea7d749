using System.Collections;
using System.Text.Json.Nodes;
using NomadDbPatterns.Cli;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// plan, run (--wait), validate --server and status against a fake Nomad that answers like Nomad v2.0.5 (placement
/// failures, warnings, evaluations, deployments that succeed, fail or hang, allocations with failed tasks).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DeployCommandTests
{
    private const string Token = CommandHarness.Token;

    private static string Example => CommandHarness.Example;

    private static async Task<(int Exit, string Out, string Error, IReadOnlyList<RecordedRequest> Requests)> RunAsync(FakeNomad nomad, params string[] args)
    {
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = CommandHarness.Run(server, args);
        Assert.That(stdout + stderr, Does.Not.Contain(Token), "the token never appears in any output");
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        return (exit, stdout, stderr, server.Requests);
    }

    /// <summary>The exit code, then every part in the text (all reported at once).</summary>
    private static void Expect(int exit, int expected, string text, params string[] parts) => Assert.Multiple(() =>
    {
        Assert.That(exit, Is.EqualTo(expected), text);
        foreach (var part in parts)
        {
            Assert.That(text, Does.Contain(part));
        }
    });

    // ---- plan ------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Plan_that_cannot_place_shows_why_and_nomads_warnings_and_exits_6()
    {
        var (exit, stdout, stderr, _) = await RunAsync(new FakeNomad { Plan = "plan-new-job-missing-host-volumes.json" }, "plan", Example);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.PlacementFailure), stdout + stderr);
            Assert.That(stdout, Does.Contain("Placement failures: Nomad cannot place every allocation of this job."));
            Assert.That(stdout, Does.Contain("  Task group \"myservice\" (failed to place 1 allocation):"));
            Assert.That(stdout, Does.Contain("* Constraint \"missing compatible host volumes\": 2 nodes excluded by filter"));
            Assert.That(stdout, Does.Contain("\"myservice-postgres\""));
            Assert.That(stdout.Split('\n').Count(l => l.StartsWith("warning: job \"myservice\": Memory oversubscription is not enabled", StringComparison.Ordinal)), Is.EqualTo(3));
            Assert.That(stderr, Does.Contain("Nomad cannot place 1 job(s): \"myservice\" (task group \"myservice\")"));
            Assert.That(stdout + stderr, Does.Not.Contain("no data-loss risk"), "a plan that cannot place is not a clean plan");
        });
    }

    [Test]
    public async Task Plan_with_missing_drivers_exits_6_and_points_at_the_driver()
    {
        var (exit, stdout, _, _) = await RunAsync(new FakeNomad { Plan = "plan-new-job-missing-drivers.json" }, "plan", Example);

        Assert.That((exit, stdout.Contains("docker driver", StringComparison.Ordinal)), Is.EqualTo((ExitCodes.PlacementFailure, true)), stdout);
    }

    [TestCase("plan-unchanged.json", ExitCodes.PlanNoChange)]
    [TestCase("plan-db-task-in-place.json", ExitCodes.PlanNoChange)]
    [TestCase("plan-app-image-bump.json", ExitCodes.PlanChanges)]
    [TestCase("plan-new-job.json", ExitCodes.PlanChanges)]
    [TestCase("plan-new-job-missing-host-volumes.json", ExitCodes.PlanError)]
    [TestCase("plan-postgres-major-16-to-17.json", ExitCodes.PlanError)]
    public async Task Plan_detailed_exitcode_answers_as_nomad_job_plan(string fixture, int expected)
    {
        var (exit, stdout, stderr, _) = await RunAsync(new FakeNomad { Plan = fixture }, "plan", Example, "--detailed-exitcode");

        Assert.That(exit, Is.EqualTo(expected), stdout + stderr);
    }

    [Test]
    public async Task Plan_without_detailed_exitcode_keeps_exit_0_for_a_clean_change()
    {
        var (exit, stdout, _, _) = await RunAsync(new FakeNomad(), "plan", Example);

        Assert.That((exit, stdout.Contains("every allocation can be placed, no data-loss risk", StringComparison.Ordinal)), Is.EqualTo((ExitCodes.Ok, true)), stdout);
    }

    // ---- run -------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Run_refuses_a_job_nomad_cannot_place_and_registers_nothing()
    {
        var (exit, _, stderr, requests) = await RunAsync(new FakeNomad { Plan = "plan-new-job-missing-host-volumes.json" }, "run", Example);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.PlacementFailure), stderr);
            Assert.That(stderr, Does.Contain("--allow-placement-failures").And.Contain("refusing to run: nothing was registered."));
            Assert.That(requests.Select(r => r.Path), Has.None.EqualTo("/v1/jobs"));
        });
    }

    [Test]
    public async Task Run_with_allow_placement_failures_registers_and_shows_the_registers_warnings()
    {
        var nomad = new FakeNomad { Plan = "plan-new-job-missing-host-volumes.json", Register = "register-new-job-warnings.json" };

        var (exit, stdout, stderr, requests) = await RunAsync(nomad, "run", Example, "--allow-placement-failures");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
            Assert.That(requests.Select(r => r.Path), Does.Contain("/v1/jobs"));
            Assert.That(stdout, Does.Contain("registered \"myservice\" (job modify index 452, evaluation b7e2c9d4)"));
            Assert.That(stdout, Does.Contain("warning: job \"myservice\": Memory oversubscription is not enabled; Task \"myservice.db-backup\""));
        });
    }

    [Test]
    public async Task A_second_run_with_check_index_on_an_unchanged_job_reports_its_real_job_modify_index()
    {
        // The reported bug: Nomad answered JobModifyIndex 14 (the job's ModifyIndex) while its JobModifyIndex stayed 11.
        var nomad = new FakeNomad { Plan = "plan-unchanged.json", Register = "register-unchanged.json" };

        var (exit, stdout, stderr, requests) = await RunAsync(nomad, "run", Example, "--check-index");

        var register = JsonNode.Parse(requests.Single(r => r.Path == "/v1/jobs").Body)!;
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
            Assert.That(register["JobModifyIndex"]!.GetValue<ulong>(), Is.EqualTo(11));
            Assert.That(stdout, Does.Contain("\"myservice\" is unchanged (job modify index 11); Nomad evaluates it again, evaluation c4d5e6f7"));
            Assert.That(stdout, Does.Not.Contain("14"));
        });
    }

    [Test]
    public async Task Run_wait_follows_evaluation_and_deployment_to_success()
    {
        var (exit, stdout, _, _) = await RunAsync(new FakeNomad(), "run", Example, "--wait", "--poll-interval", "20ms");

        Expect(exit, ExitCodes.Ok, stdout,
            "  myservice: evaluation 8f3c1a52 complete",
            "  myservice: deployment 5c1e2f3a running: myservice 0/1 healthy",
            "  myservice: allocation 1a2b3c4d on client-1: running, healthy; postgres running, wait-for-postgres done",
            "myservice: deployment 5c1e2f3a successful");
    }

    [Test]
    public async Task Run_wait_on_a_failed_deployment_exits_7_and_says_what_the_database_did()
    {
        var nomad = new FakeNomad
        {
            Deployments = ["deployment-running.json", "deployment-failed.json"],
            DeploymentAllocations = ["allocations-starting.json", "allocations-postgres-crashloop.json"],
        };

        var (exit, _, stderr, _) = await RunAsync(nomad, "run", Example, "--wait", "--poll-interval", "20ms");

        Expect(exit, ExitCodes.Unhealthy, stderr,
            "error: job \"myservice\": deployment 5c1e2f3a failed: Failed due to unhealthy allocations",
            "problem: database task postgres keeps restarting (3 times) (last exit code 1)",
            "event: Terminated: Exit Code: 1",
            "next: read its log: nomad alloc logs -stderr 1a2b3c4d postgres");
    }

    [Test]
    public async Task Run_wait_on_a_hanging_deployment_times_out_with_exit_8()
    {
        var nomad = new FakeNomad { Deployments = ["deployment-running.json"], DeploymentAllocations = ["allocations-starting.json"] };

        var (exit, _, stderr, _) = await RunAsync(nomad, "run", Example, "--wait", "--wait-timeout", "1s", "--poll-interval", "100ms");

        Expect(exit, ExitCodes.WaitTimeout, stderr,
            "is still running (myservice 0/1 healthy); Nomad goes on with it",
            "note: prestart task wait-for-postgres has not completed yet (running)",
            "next: follow it with `nomad-db status`");
    }

    [Test]
    public async Task Run_wait_when_the_evaluation_cannot_place_exits_6_with_the_reasons()
    {
        var nomad = new FakeNomad { Evaluations = ["evaluation-placement-failed.json"] };

        var (exit, _, stderr, _) = await RunAsync(nomad, "run", Example, "--wait", "--poll-interval", "20ms");

        Expect(exit, ExitCodes.PlacementFailure, stderr, "* Constraint \"missing compatible host volumes\": 2 nodes excluded by filter");
    }

    [TestCase("--wait-timeout", "soon")]
    [TestCase("--poll-interval", "0s")]
    [TestCase("--http-timeout", "fast")]
    public async Task Bad_durations_are_usage_errors(string option, string value)
    {
        var (exit, _, stderr, requests) = await RunAsync(new FakeNomad(), "run", Example, "--wait", option, value);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Usage), stderr);
            Assert.That(stderr, Does.Contain(option));
            Assert.That(requests, Is.Empty);
        });
    }

    // ---- connection settings ---------------------------------------------------------------------------------------

    [Test]
    public async Task Flags_override_the_nomad_variables_and_the_token_stays_out_of_the_trace()
    {
        await using var server = new FakeNomad().Start();
        const string flagToken = "flag-token-0f4e9d3c";

        var (exit, stdout, stderr) = CommandHarness.Run(new Uri("http://127.0.0.1:9"), new Hashtable { ["NOMAD_NAMESPACE"] = "ignored", ["NOMAD_REGION"] = "ignored" },
            "plan", Example, "--address", server.Address.ToString(), "--token", flagToken, "--namespace", "apps", "--region", "eu", "--verbose");

        var plan = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
            Assert.That(plan.Query, Is.EqualTo("?namespace=apps&region=eu"));
            Assert.That(plan.Header("X-Nomad-Token"), Is.EqualTo(flagToken));
            Assert.That(stderr, Does.Contain("nomad: POST /v1/job/myservice/plan?namespace=apps&region=eu -> 200"), "--verbose traces each request");
            Assert.That(stdout + stderr, Does.Not.Contain(flagToken).And.Not.Contain(Token));
        });
    }

    [TestCase("plan")]
    [TestCase("run")]
    [TestCase("status")]
    public void An_unreachable_nomad_is_one_clear_line_and_exit_5(string command)
    {
        var closed = new Uri($"http://127.0.0.1:{FakeNomadServer.FreePort()}");

        var (exit, stdout, stderr) = CommandHarness.Run(closed, null, command, Example);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.NomadError), stdout + stderr);
            Assert.That(lines, Has.Length.EqualTo(1), stderr);
            Assert.That(lines[0], Does.StartWith($"error: Cannot reach Nomad at {closed}"));
            Assert.That(stderr, Does.Not.Contain("   at ").And.Not.Contain(Token));
        });
    }

    [Test]
    public void An_unreachable_nomad_with_detailed_exitcode_is_255()
    {
        var closed = new Uri($"http://127.0.0.1:{FakeNomadServer.FreePort()}");

        var (exit, _, _) = CommandHarness.Run(closed, null, "plan", Example, "--detailed-exitcode");

        Assert.That(exit, Is.EqualTo(ExitCodes.PlanError));
    }

    [Test]
    public void An_unusable_nomad_setting_is_a_usage_error()
    {
        var (exit, _, stderr) = CommandHarness.Run(new Uri("http://127.0.0.1:9"), new Hashtable { ["NOMAD_SKIP_VERIFY"] = "maybe" }, "plan", Example);

        Assert.That((exit, stderr.Trim()), Is.EqualTo((ExitCodes.Usage, "error: NOMAD_SKIP_VERIFY must be true or false (as Go's strconv.ParseBool reads it), got 'maybe'.")));
    }

    // ---- validate --server -----------------------------------------------------------------------------------------

    [Test]
    public async Task Validate_server_prints_nomads_errors_and_warnings_and_exits_1()
    {
        var (exit, stdout, stderr, requests) = await RunAsync(new FakeNomad { Validate = "validate-invalid.json" }, "validate", Example, "--server");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.InvalidInput), stdout + stderr);
            Assert.That(requests.Single().Path, Is.EqualTo("/v1/validate/job"));
            Assert.That(JsonNode.Parse(requests.Single().Body)!["Job"]!["ID"]!.GetValue<string>(), Is.EqualTo("myservice"));
            Assert.That(stderr, Does.Contain("error: job \"myservice\": Nomad: Task group myservice validation failed: Task postgres validation failed: minimum MemoryMB value is 10; got 1"));
            Assert.That(stdout, Does.Contain("warning: job \"myservice\": Group \"myservice\" has warnings: Update max parallel count"));
            Assert.That(stderr, Does.Contain("Nomad refuses 1 of 1 job(s)"));
        });
    }

    [Test]
    public async Task Validate_server_of_a_valid_job_exits_0_and_validate_alone_asks_no_server()
    {
        var (exit, stdout, _, requests) = await RunAsync(new FakeNomad(), "validate", Example, "--server");
        var (localExit, _, _, localRequests) = await RunAsync(new FakeNomad(), "validate", Example);

        Assert.Multiple(() =>
        {
            Assert.That((exit, stdout.Contains("ok: Nomad accepts 1 job(s)", StringComparison.Ordinal)), Is.EqualTo((ExitCodes.Ok, true)), stdout);
            Assert.That(requests, Has.Count.EqualTo(1));
            Assert.That(localExit, Is.EqualTo(ExitCodes.Ok));
            Assert.That(localRequests, Is.Empty);
        });
    }

    // ---- status ----------------------------------------------------------------------------------------------------

    [Test]
    public async Task Status_of_a_healthy_job_exits_0_and_says_the_prestart_task_completed()
    {
        var (exit, stdout, _, _) = await RunAsync(new FakeNomad(), "status", Example);

        Expect(exit, ExitCodes.Ok, stdout,
            "== job \"myservice\": running, version 3",
            "deployment 5c1e2f3a (version 4) successful: myservice 1/1 healthy (Deployment completed successfully)",
            "postgres running, wait-for-postgres done, app running, db-backup running");
    }

    [Test]
    public async Task Status_of_a_crash_looping_database_exits_7_with_events_and_the_next_step()
    {
        var nomad = new FakeNomad { JobAllocations = "allocations-postgres-crashloop.json", LatestDeployment = "deployment-failed.json" };

        var (exit, stdout, stderr, _) = await RunAsync(nomad, "status", Example);

        Expect(exit, ExitCodes.Unhealthy, stdout + stderr,
            "problem: the latest deployment failed",
            "problem: database task postgres keeps restarting (3 times)",
            "event: Restarting: Task restarting in 16.872014339s",
            "note: prestart task wait-for-postgres has not completed yet (running)",
            "1 job(s) need attention: \"myservice\".");
    }

    [Test]
    public async Task Status_names_a_port_conflict_and_a_missing_variable()
    {
        var (portExit, port, _, _) = await RunAsync(new FakeNomad { JobAllocations = "allocations-postgres-port-in-use.json" }, "status", Example);
        var (varExit, variable, _, _) = await RunAsync(new FakeNomad { JobAllocations = "allocations-missing-variable.json", LatestDeployment = "deployment-running.json" }, "status", Example);

        Expect(portExit, ExitCodes.Unhealthy, port, "problem: task postgres failed: a port that is already in use", "next: another process on the node holds the port");
        Expect(varExit, ExitCodes.Unhealthy, variable, "problem: task postgres waits for its template: Missing: nomad.var.block(nomad/jobs/myservice@default.global)");
    }

    [Test]
    public async Task Status_looks_at_the_current_allocations_not_at_a_failed_one_a_reschedule_replaced()
    {
        var (exit, stdout, _, _) = await RunAsync(new FakeNomad { JobAllocations = "allocations-rescheduled.json" }, "status", Example);

        Expect(exit, ExitCodes.Ok, stdout, "allocation 9a8b7c6d on client-1: running, healthy");
        Assert.That(stdout, Does.Not.Contain("1a2b3c4d"));
    }

    [Test]
    public async Task Status_of_a_job_nomad_does_not_know_exits_7()
    {
        var (exit, stdout, _, _) = await RunAsync(new FakeNomad { Job = null }, "status", Example);

        Assert.That((exit, stdout.Contains("== job \"myservice\": not registered in Nomad", StringComparison.Ordinal)), Is.EqualTo((ExitCodes.Unhealthy, true)), stdout);
    }

    [TestCase("plan", "--detailed-exitcode", "6 Nomad cannot place")]
    [TestCase("run", "--wait-timeout", "8 timed out waiting")]
    [TestCase("validate", "--server", "1 invalid (ours or Nomad's errors)")]
    [TestCase("status", "--namespace", "7 something is wrong")]
    public void Help_names_the_connection_flags_the_variables_and_the_exit_codes(string command, string option, string exitCode)
    {
        var stdout = new StringWriter();
        var exit = CliApp.Run([command, "--help"], new CliConsole(stdout, new StringWriter()));

        Expect(exit, ExitCodes.Ok, stdout.ToString(), option, exitCode, "--address", "--token", "--ca-path", "--tls-server-name", "--http-timeout", "Examples:");
    }

    [Test]
    public void Explain_exit_codes_lists_every_code_and_the_detailed_ones()
    {
        var stdout = new StringWriter();
        var exit = CliApp.Run(["explain", "exit-codes"], new CliConsole(stdout, new StringWriter()));

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok));
            foreach (var code in new[] { "6 placement failure", "7 the evaluation or deployment failed", "8 run --wait gave up", "255 anything else" })
            {
                Assert.That(stdout.ToString(), Does.Contain(code));
            }
        });
    }
}

using System.Collections;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace NomadDbPatterns.Nomad.Tests;

public sealed class NomadClientTests
{
    private const string Secret = "0f4e9d3c-1b2a-4c5d-8e7f-a1b2c3d4e5f6";

    private static NomadClientOptions WithToken => new()
    {
        Token = new NomadToken(Secret),
        Namespace = "apps",
        Region = "eu-west",
    };

    private static JsonObject Job() => JsonNode.Parse(Fixtures.Read("parse-response.json"))!.AsObject();

    [Test]
    public async Task Validate_posts_the_job_wrapped_in_Job_with_token_namespace_and_region()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("validate-valid.json"));
        using var client = server.Client(WithToken);
        var job = Job();

        var result = await client.ValidateJobAsync(job);

        var request = server.SingleRequest;
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Path, Is.EqualTo("/v1/validate/job"));
            Assert.That(request.Query, Is.EqualTo("?namespace=apps&region=eu-west"));
            Assert.That(request.Header(NomadClient.TokenHeader), Is.EqualTo(Secret));
            Assert.That(request.Header("Content-Type"), Does.StartWith("application/json"));
            Assert.That(JsonNode.DeepEquals(JsonNode.Parse(request.Body), new JsonObject { ["Job"] = Job() }), Is.True, request.Body);
            Assert.That(result.IsValid, Is.True);
            Assert.That(result.DriverConfigValidated, Is.True);
            Assert.That(result.ValidationErrors, Is.Empty);
        });
    }

    [Test]
    public async Task Validate_reports_nomads_validation_errors_and_warnings()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("validate-invalid.json"));
        using var client = server.Client();

        var result = await client.ValidateJobAsync(Job());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.ValidationErrors, Has.Count.EqualTo(1));
            Assert.That(result.ValidationErrors[0], Does.Contain("minimum MemoryMB value is 10"));
            Assert.That(result.Error, Does.Contain("Task postgres validation failed"));
            Assert.That(result.Warnings, Does.Contain("Update max parallel count"));
        });
    }

    [Test]
    public async Task Without_a_token_no_token_header_is_sent_and_no_query_is_added()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("validate-valid.json"));
        using var client = server.Client();

        await client.ValidateJobAsync(Job());

        Assert.Multiple(() =>
        {
            Assert.That(server.SingleRequest.Header(NomadClient.TokenHeader), Is.Null);
            Assert.That(server.SingleRequest.Query, Is.Empty);
        });
    }

    [Test]
    public async Task Parse_posts_the_hcl_with_canonicalize_and_returns_the_api_job()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("parse-response.json"));
        using var client = server.Client(WithToken);
        const string hcl = "job \"myservice\" {\n  group \"myservice\" {}\n}\n";

        var job = await client.ParseJobAsync(hcl);

        var body = JsonNode.Parse(server.SingleRequest.Body)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(server.SingleRequest.Path, Is.EqualTo("/v1/jobs/parse"));
            Assert.That(body["JobHCL"]!.GetValue<string>(), Is.EqualTo(hcl));
            Assert.That(body["Canonicalize"]!.GetValue<bool>(), Is.True);
            Assert.That(body.ContainsKey("Variables"), Is.False);
            Assert.That(job["ID"]!.GetValue<string>(), Is.EqualTo("myservice"));
            Assert.That(job["TaskGroups"]![0]!["Volumes"]!["postgres-data"]!["Source"]!.GetValue<string>(), Is.EqualTo("myservice-postgres"));
        });
    }

    [Test]
    public async Task Parse_sends_variables_when_given()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("parse-response.json"));
        using var client = server.Client();

        await client.ParseJobAsync("job \"x\" {}", canonicalize: false, variables: "image = \"postgres:17\"\n");

        var body = JsonNode.Parse(server.SingleRequest.Body)!.AsObject();
        Assert.That((body["Canonicalize"]!.GetValue<bool>(), body["Variables"]!.GetValue<string>()), Is.EqualTo((false, "image = \"postgres:17\"\n")));
    }

    [Test]
    public async Task Plan_posts_job_and_diff_to_the_jobs_plan_path_and_reads_the_typed_answer()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("plan-app-image-bump.json"));
        using var client = server.Client(WithToken);

        var plan = await client.PlanJobAsync(Job());

        var request = server.SingleRequest;
        var body = JsonNode.Parse(request.Body)!.AsObject();
        var group = plan.Diff!.TaskGroups.Single();
        var app = group.Tasks.Single(t => t.Name == "app");
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Path, Is.EqualTo("/v1/job/myservice/plan"));
            Assert.That(request.Query, Is.EqualTo("?namespace=apps&region=eu-west"));
            Assert.That(request.Header(NomadClient.TokenHeader), Is.EqualTo(Secret));
            Assert.That(body["Diff"]!.GetValue<bool>(), Is.True);
            Assert.That(JsonNode.DeepEquals(body["Job"], Job()), Is.True);

            Assert.That(plan.JobModifyIndex, Is.EqualTo(412));
            Assert.That(plan.Diff.Type, Is.EqualTo(DiffType.Edited));
            Assert.That(plan.Diff.ID, Is.EqualTo("myservice"));
            Assert.That(plan.Diff.Fields, Is.Empty, "null in the JSON becomes an empty list");
            Assert.That(group.Updates[PlanAnnotationNames.UpdateDestructive], Is.EqualTo(1));
            Assert.That(app.Annotations, Is.EqualTo(new[] { PlanAnnotationNames.ForcesDestructiveUpdate }));
            Assert.That(app.Objects.Single().Fields.Single(f => f.Name == "image").New, Is.EqualTo("ghcr.io/example/myservice:1.5.0"));
            Assert.That(plan.Annotations!.DesiredTGUpdates["myservice"].DestructiveUpdate, Is.EqualTo(1));
            Assert.That(plan.FailedTGAllocs, Is.Empty);
            Assert.That(plan.Warnings, Is.Empty);
        });
    }

    [Test]
    public async Task Plan_reads_placement_failures_and_warnings_as_nomad_v2_sends_them()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("plan-new-job-missing-host-volumes.json"));
        using var client = server.Client();

        var plan = await client.PlanJobAsync(Job());

        var metric = plan.FailedTGAllocs["myservice"];
        Assert.Multiple(() =>
        {
            Assert.That(metric.NodesEvaluated, Is.EqualTo(2));
            Assert.That(metric.NodePool, Is.EqualTo("default"));
            Assert.That(metric.ConstraintFiltered, Is.EqualTo(new Dictionary<string, int> { ["missing compatible host volumes"] = 2 }));
            Assert.That(metric.DimensionExhausted, Is.Empty, "Go's null map reads as empty");
            Assert.That(NomadMessages.Items(plan.Warnings), Has.Count.EqualTo(3));
            Assert.That(plan.ChangesAllocations, Is.True, "a new job places an allocation (nomad job plan would exit 1)");
        });
    }

    [Test]
    public async Task Plan_escapes_the_job_id_in_the_path()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("plan-new-job.json"));
        using var client = server.Client();
        var job = Job();
        job["ID"] = "my service";

        await client.PlanJobAsync(job);

        Assert.That(server.SingleRequest.Path, Is.EqualTo("/v1/job/my%20service/plan"));
    }

    [Test]
    public async Task A_job_without_an_id_is_refused_before_any_request()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("plan-new-job.json"));
        using var client = server.Client();
        var job = Job();
        job.Remove("ID");

        await Assert.ThrowsAsync<ArgumentException>(() => client.PlanJobAsync(job));
        await Assert.ThrowsAsync<ArgumentException>(() => client.RegisterJobAsync(job));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task The_callers_job_object_is_left_as_it_was()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("register-response.json"));
        using var client = server.Client();
        var job = Job();
        var before = job.ToJsonString();

        await client.RegisterJobAsync(job);
        await client.RegisterJobAsync(job);

        Assert.That((job.Parent, job.ToJsonString()), Is.EqualTo(((JsonNode?)null, before)));
    }

    [Test]
    public async Task Register_without_check_and_set_sends_only_the_job()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("register-response.json"));
        using var client = server.Client(WithToken);

        var result = await client.RegisterJobAsync(Job());

        var body = JsonNode.Parse(server.SingleRequest.Body)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(server.SingleRequest.Path, Is.EqualTo("/v1/jobs"));
            Assert.That(server.SingleRequest.Method, Is.EqualTo("POST"));
            Assert.That(body.Select(p => p.Key), Is.EqualTo(new[] { "Job" }));
            Assert.That(result.EvalID, Is.EqualTo("8f3c1a52-6d0e-4b7a-9c1e-2f5d7a9b3c41"));
            Assert.That(result.EvalCreateIndex, Is.EqualTo(437));
            Assert.That(result.JobModifyIndex, Is.EqualTo(437));
        });
    }

    [Test]
    public async Task A_changed_register_answers_one_raft_index_and_an_unchanged_one_the_jobs_modify_index()
    {
        await using var changedServer = FakeNomadServer.Start(FakeResponse.Fixture("register-response.json"));
        await using var unchangedServer = FakeNomadServer.Start(FakeResponse.Fixture("register-unchanged.json"));
        using var changedClient = changedServer.Client();
        using var unchangedClient = unchangedServer.Client();

        var changed = await changedClient.RegisterJobAsync(Job());
        var unchanged = await unchangedClient.RegisterJobAsync(Job());

        Assert.Multiple(() =>
        {
            Assert.That((changed.JobModifyIndex, changed.EvalCreateIndex, changed.Index, changed.SpecChanged), Is.EqualTo((437UL, 437UL, 437UL, (bool?)true)));
            Assert.That((unchanged.JobModifyIndex, unchanged.EvalCreateIndex, unchanged.Index, unchanged.SpecChanged), Is.EqualTo((14UL, 20UL, 20UL, (bool?)false)));
            Assert.That(new JobRegisterResponse { JobModifyIndex = 9, Index = 9 }.SpecChanged, Is.Null, "no evaluation (a periodic job): the answer cannot tell");
        });
    }

    [Test]
    public async Task A_blocking_read_sends_index_and_wait_and_returns_the_index_nomad_answers_with()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("deployment-running.json") with { Index = 441 });
        using var client = server.Client(WithToken);

        var answer = await client.GetDeploymentAsync("5c1e2f3a-9b8d-4e7f-a6c5-0d1e2f3a4b5c", new BlockingQuery(439, TimeSpan.FromSeconds(90)));

        Assert.Multiple(() =>
        {
            Assert.That(server.SingleRequest.Path, Is.EqualTo("/v1/deployment/5c1e2f3a-9b8d-4e7f-a6c5-0d1e2f3a4b5c"));
            Assert.That(server.SingleRequest.Query, Is.EqualTo("?namespace=apps&region=eu-west&index=439&wait=90000ms"));
            Assert.That(answer.Index, Is.EqualTo(441));
            Assert.That(answer.Value.TaskGroups["myservice"].DesiredTotal, Is.EqualTo(1));
            Assert.That(answer.Value.TaskGroups["myservice"].RequireProgressBy, Is.Not.Null);
        });
    }

    [Test]
    public async Task A_blocking_wait_is_capped_at_nomads_five_minutes_and_may_take_longer_than_the_http_timeout()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("evaluation-complete.json") with { Delay = TimeSpan.FromMilliseconds(400) });
        using var client = server.Client(new NomadClientOptions { Timeout = TimeSpan.FromMilliseconds(200) });

        var blocked = await client.GetEvaluationAsync("8f3c1a52-6d0e-4b7a-9c1e-2f5d7a9b3c41", new BlockingQuery(437, TimeSpan.FromMinutes(30)));

        Assert.Multiple(() =>
        {
            Assert.That(server.SingleRequest.Query, Is.EqualTo("?index=437&wait=300000ms"));
            Assert.That(blocked.Value.Status, Is.EqualTo(EvaluationStatus.Complete), "the wait (plus Nomad's jitter) is added to the time limit");
            Assert.That(blocked.Value.DeploymentID, Is.EqualTo("5c1e2f3a-9b8d-4e7f-a6c5-0d1e2f3a4b5c"));
        });
    }

    [Test]
    public async Task Allocation_lists_and_the_latest_deployment_use_nomads_paths()
    {
        await using var server = FakeNomadServer.Start(request =>
            request.Path.EndsWith("/deployment", StringComparison.Ordinal) ? new FakeResponse(200, "null")
            : FakeResponse.Fixture("allocations-healthy.json"));
        using var client = server.Client();

        var byEvaluation = await client.GetEvaluationAllocationsAsync("e1");
        var byDeployment = await client.GetDeploymentAllocationsAsync("d1");
        var byJob = await client.GetJobAllocationsAsync("myservice");
        var latest = await client.GetLatestDeploymentAsync("myservice");

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Select(r => r.Path), Is.EqualTo(new[]
            {
                "/v1/evaluation/e1/allocations", "/v1/deployment/allocations/d1", "/v1/job/myservice/allocations", "/v1/job/myservice/deployment",
            }));
            Assert.That(byEvaluation.Concat(byDeployment).Concat(byJob).Select(a => a.TaskStates["postgres"].State), Has.All.EqualTo("running"));
            Assert.That(latest, Is.Null, "a job without deployments answers null");
        });
    }

    [Test]
    public async Task Http_basic_auth_is_sent_and_its_password_is_redacted_from_errors()
    {
        await using var server = FakeNomadServer.Start(request => FakeResponse.Error(401, "proxy says: bad credentials " + request.Header("Authorization") + " for ops:hunter2"));
        using var client = server.Client(new NomadClientOptions { HttpAuth = NomadHttpAuth.Parse("ops:hunter2") });

        var ex = await Assert.ThrowsAsync<NomadApiException>(() => client.GetJobAsync("myservice"));

        Assert.Multiple(() =>
        {
            Assert.That(server.SingleRequest.Header("Authorization"), Is.EqualTo("Basic " + Convert.ToBase64String("ops:hunter2"u8.ToArray())));
            Assert.That(ex!.Message, Does.Not.Contain("hunter2").And.Not.Contain(Convert.ToBase64String("ops:hunter2"u8.ToArray())));
        });
    }

    [TestCase(412UL)]
    [TestCase(0UL)]
    public async Task Register_with_check_and_set_sends_enforce_index_and_the_plans_modify_index(ulong index)
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("register-response.json"));
        using var client = server.Client();

        await client.RegisterJobAsync(Job(), new RegisterJobOptions { EnforceIndex = index });

        var body = JsonNode.Parse(server.SingleRequest.Body)!.AsObject();
        Assert.That((body["EnforceIndex"]!.GetValue<bool>(), body["JobModifyIndex"]!.GetValue<ulong>()), Is.EqualTo((true, index)));
    }

    [Test]
    public async Task A_check_and_set_conflict_is_recognisable()
    {
        // Nomad's register RPC error is not an HTTP-coded one, so it arrives as 500 with the text.
        const string message = "Enforcing job modify index 412: job exists with conflicting job modify index: 415";
        await using var server = FakeNomadServer.Start(FakeResponse.Error(500, message));
        using var client = server.Client();

        var ex = await Assert.ThrowsAsync<NomadApiException>(() => client.RegisterJobAsync(Job(), new RegisterJobOptions { EnforceIndex = 412 }));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.IsEnforceIndexConflict, Is.True);
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(ex.NomadMessage, Is.EqualTo(message));
        });
    }

    [Test]
    public async Task Get_reads_the_job_by_id()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("job-read.json"));
        using var client = server.Client(WithToken);

        var job = await client.GetJobAsync("myservice");

        Assert.Multiple(() =>
        {
            Assert.That(server.SingleRequest.Method, Is.EqualTo("GET"));
            Assert.That(server.SingleRequest.Path, Is.EqualTo("/v1/job/myservice"));
            Assert.That(server.SingleRequest.Query, Is.EqualTo("?namespace=apps&region=eu-west"));
            Assert.That(server.SingleRequest.Header(NomadClient.TokenHeader), Is.EqualTo(Secret));
            Assert.That(server.SingleRequest.Body, Is.Empty);
            Assert.That(job!["JobModifyIndex"]!.GetValue<ulong>(), Is.EqualTo(412));
        });
    }

    [Test]
    public async Task Get_of_a_missing_job_returns_null()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Error(404, "job not found"));
        using var client = server.Client();

        Assert.That(await client.GetJobAsync("nope"), Is.Null);
    }

    [Test]
    public async Task A_400_surfaces_status_and_nomads_text()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Error(400, "Job ID does not match"));
        using var client = server.Client(WithToken);

        var ex = await Assert.ThrowsAsync<NomadApiException>(() => client.PlanJobAsync(Job()));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(ex.NomadMessage, Is.EqualTo("Job ID does not match"));
            Assert.That(ex.Message, Does.Contain("400").And.Contain("Job ID does not match").And.Contain("/v1/job/myservice/plan"));
            Assert.That(ex.Message, Does.Not.Contain(Secret));
            Assert.That(ex.ToString(), Does.Not.Contain(Secret));
        });
    }

    [Test]
    public async Task A_server_text_that_echoes_the_token_is_redacted()
    {
        // A proxy or a misconfigured server may echo the request headers, raw or URL-encoded, into its error body.
        await using var server = FakeNomadServer.Start(FakeResponse.Error(403, $"ACL token {Secret} not found; header X-Nomad-Token: {Uri.EscapeDataString(Secret)}"));
        using var client = server.Client(WithToken);

        var ex = await Assert.ThrowsAsync<NomadApiException>(() => client.PlanJobAsync(Job()));

        Assert.That(ex!.NomadMessage, Does.Contain("ACL token [redacted] not found"));
        Assert.That(ex.NomadMessage + ex.Message + ex, Does.Not.Contain(Secret).And.Not.Contain(Uri.EscapeDataString(Secret)));
    }

    [Test]
    public async Task A_403_on_get_is_an_error_not_a_missing_job()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Error(403, "Permission denied"));
        using var client = server.Client(WithToken);

        var ex = await Assert.ThrowsAsync<NomadApiException>(() => client.GetJobAsync("myservice"));

        Assert.That((ex!.StatusCode, ex.NomadMessage), Is.EqualTo((HttpStatusCode.Forbidden, "Permission denied")));
    }

    [Test]
    public async Task A_redirect_is_not_followed_so_the_token_stays_with_nomad()
    {
        await using var elsewhere = FakeNomadServer.Start(FakeResponse.Fixture("job-read.json"));
        await using var server = FakeNomadServer.Start(new FakeResponse(307, "", "text/plain", Location: new Uri(elsewhere.Address, "v1/job/myservice").ToString()));
        using var client = server.Client(WithToken);

        var ex = await Assert.ThrowsAsync<NomadApiException>(() => client.GetJobAsync("myservice"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect));
            Assert.That(elsewhere.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task A_huge_error_body_is_cut()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Error(502, "<html>" + new string('x', 50_000) + "</html>"));
        using var client = server.Client();

        var ex = await Assert.ThrowsAsync<NomadApiException>(() => client.ValidateJobAsync(Job()));

        Assert.That(ex!.NomadMessage, Has.Length.LessThan(NomadApiException.MaxMessageLength + 10).And.StartWith("<html>"));
    }

    [Test]
    public async Task An_answer_that_is_not_json_gives_a_readable_error()
    {
        await using var server = FakeNomadServer.Start(new FakeResponse(200, "<html>login</html>", "text/html"));
        using var client = server.Client();

        var ex = await Assert.ThrowsAsync<NomadException>(() => client.ValidateJobAsync(Job()));

        Assert.That(ex!.Message, Does.Contain("/v1/validate/job").And.Contain("cannot read"));
    }

    [Test]
    public async Task A_slow_answer_times_out_with_a_nomad_timeout()
    {
        await using var server = FakeNomadServer.Start(new FakeResponse(200, Fixtures.Read("validate-valid.json"), Delay: TimeSpan.FromSeconds(10)));
        using var client = server.Client(new NomadClientOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<NomadTimeoutException>(() => client.ValidateJobAsync(Job()));

        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
            Assert.That(ex!.Message, Does.Contain("/v1/validate/job"));
        });
    }

    [Test]
    public async Task Cancellation_by_the_caller_is_a_cancellation_not_a_timeout()
    {
        await using var server = FakeNomadServer.Start(new FakeResponse(200, Fixtures.Read("validate-valid.json"), Delay: TimeSpan.FromSeconds(10)));
        using var client = server.Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        Assert.That(async () => await client.PlanJobAsync(Job(), cancellationToken: cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task An_unreachable_agent_gives_a_connection_error_naming_the_address()
    {
        var address = new Uri($"http://127.0.0.1:{FakeNomadServer.FreePort()}/");
        using var client = new NomadClient(new NomadClientOptions { Address = address, Token = new NomadToken(Secret) });

        var ex = await Assert.ThrowsAsync<NomadConnectionException>(() => client.GetJobAsync("myservice"));

        Assert.That(ex!.Message, Does.Contain(address.ToString()).And.Not.Contain(Secret));
    }

    [Test]
    public async Task Trace_lines_name_method_path_and_status_but_never_the_token()
    {
        var lines = new List<string>();
        await using var server = FakeNomadServer.Start(r => r.Path.EndsWith("/plan", StringComparison.Ordinal)
            ? FakeResponse.Error(400, "Job ID does not match")
            : FakeResponse.Fixture("register-response.json"));
        using var client = server.Client(WithToken with { Trace = lines.Add });

        await client.RegisterJobAsync(Job());
        await Assert.ThrowsAsync<NomadApiException>(() => client.PlanJobAsync(Job()));

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(2));
            Assert.That(lines[0], Does.StartWith("POST /v1/jobs?namespace=apps&region=eu-west -> 200"));
            Assert.That(lines[1], Does.StartWith("POST /v1/job/myservice/plan?namespace=apps&region=eu-west -> 400"));
            Assert.That(string.Join("\n", lines), Does.Not.Contain(Secret));
        });
    }

    [Test]
    public async Task From_environment_builds_a_working_client()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("job-read.json"));
        using var client = NomadClient.FromEnvironment(new Hashtable
        {
            ["NOMAD_ADDR"] = server.Address.ToString(),
            ["NOMAD_TOKEN"] = Secret,
            ["NOMAD_NAMESPACE"] = "apps",
        });

        await client.GetJobAsync("myservice");

        Assert.That((server.SingleRequest.Query, server.SingleRequest.Header(NomadClient.TokenHeader)), Is.EqualTo(("?namespace=apps", (string?)Secret)));
    }

    [Test]
    public async Task A_plan_from_the_server_feeds_the_risk_analyzer()
    {
        await using var server = FakeNomadServer.Start(FakeResponse.Fixture("plan-postgres-major-16-to-17.json"));
        using var client = server.Client();

        var plan = await client.PlanJobAsync(Job());
        var risks = PlanRiskAnalyzer.Analyze(plan, new DatabaseTopology("myservice", "postgres", ["postgres-data"]));

        Assert.That(risks.Select(r => r.Kind), Does.Contain(PlanRiskKind.PostgresMajorChanged));
    }
}

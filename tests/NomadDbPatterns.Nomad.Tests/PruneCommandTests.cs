using System.Text.Json.Nodes;
using NomadDbPatterns.Cli;
using NUnit.Framework;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// A fleet named in nomad-db.yaml (`fleet:`): `plan` names its jobs in Nomad whose spec is gone, `run --prune` stops
/// them (and nothing else) after registering the others, against the fake Nomad's job list (api.JobListStub with
/// Meta, every namespace) and its DELETE /v1/job/:id.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PruneCommandTests
{
    private string fleet = "";

    private static (int Exit, string Out, string Error) Run(FakeNomadServer server, params string[] args) => CommandHarness.Run(server, args);

    private static string Spec(string name) => $$"""
        name: {{name}}
        app:
          image: ghcr.io/example/{{name}}:1.0.0
          ports: [{ name: http, to: 8080 }]
          database:
            env: { DB_HOST: "{host}", DB_PASSWORD: "{password}" }
        postgres:
          version: 17
          password: { nomadVar: nomad/jobs/{{name}} }
        """;

    [SetUp]
    public void CreateFleet()
    {
        fleet = Directory.CreateTempSubdirectory("nomad-db-prune-").FullName;
        File.WriteAllText(Path.Combine(fleet, "nomad-db.yaml"), "fleet: home\ndefaults:\n  datacenters: [dc1]\n");
        File.WriteAllText(Path.Combine(fleet, "wiki.yaml"), Spec("wiki"));
        Directory.CreateDirectory(Path.Combine(fleet, "more"));
        File.WriteAllText(Path.Combine(fleet, "more", "photos.yaml"), Spec("photos"));
    }

    [TearDown]
    public void RemoveFleet() => Directory.Delete(fleet, recursive: true);

    /// <summary>Every kind of job a cluster holds beside the fleet's own: only "old" and "apps/old-too" lack a spec.</summary>
    private static FakeNomad Cluster()
    {
        var nomad = new FakeNomad();
        nomad.JobList.Add(Stub("wiki", "default", "home"));
        nomad.JobList.Add(Stub("photos", "default", "home"));
        nomad.JobList.Add(Stub("old", "default", "home"));
        nomad.JobList.Add(Stub("old-too", "apps", "home"));
        nomad.JobList.Add(Stub("old-backup/periodic-1764900000", "default", "home", parent: "old-backup", type: "batch", status: "dead"));
        nomad.JobList.Add(Stub("gone-long-ago", "default", "home", stop: true, status: "dead"));
        nomad.JobList.Add(Stub("neighbour", "default", "their-fleet"));
        nomad.JobList.Add(Stub("handmade", "default", null));
        return nomad;
    }

    // structs.JobListStub at v2.0.5, the fields a v2.0.5 agent writes (Meta only with ?meta=true, omitted when empty).
    private static JsonObject Stub(string id, string @namespace, string? fleetName, string parent = "", string type = "service", string status = "running", bool stop = false)
    {
        var stub = new JsonObject
        {
            ["ID"] = id, ["ParentID"] = parent, ["Name"] = id, ["Namespace"] = @namespace, ["Datacenters"] = new JsonArray("dc1"), ["NodePool"] = "default",
            ["Multiregion"] = null, ["Type"] = type, ["Priority"] = 50, ["Periodic"] = false, ["ParameterizedJob"] = false, ["Stop"] = stop,
            ["Status"] = status, ["StatusDescription"] = "", ["JobSummary"] = null, ["CreateIndex"] = 11, ["ModifyIndex"] = 14, ["JobModifyIndex"] = 12,
            ["SubmitTime"] = 1764900000000000000,
        };
        if (fleetName is not null)
        {
            stub["Meta"] = new JsonObject { ["nomad_db_fleet"] = fleetName };
        }

        return stub;
    }

    [Test]
    public async Task Plan_of_one_spec_names_the_fleets_jobs_without_a_spec_anywhere_under_its_directory()
    {
        var nomad = Cluster();
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = Run(server, "plan", Path.Combine(fleet, "wiki.yaml"));
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
        Assert.That(stdout, Does.Contain("== fleet \"home\": 2 job(s) in Nomad with no spec under"));
        Assert.That(stdout, Does.Contain("\"old\" (namespace default, service, running): `nomad-db run --prune` stops it"));
        Assert.That(stdout, Does.Contain("\"old-too\" (namespace apps, service, running)"));
        foreach (var kept in new[] { "\"photos\"", "\"wiki\" (", "periodic-", "gone-long-ago", "neighbour", "handmade" })
        {
            Assert.That(stdout, Does.Not.Contain(kept), "not an orphan: " + kept);
        }

        var list = server.Requests.Single(r => r.Path == "/v1/jobs" && r.Method == "GET");
        Assert.That(list.Query, Does.Contain("namespace=%2A").Or.Contain("namespace=*"));
        Assert.That(list.Query, Does.Contain("meta=true"));
        Assert.That(nomad.Stopped, Is.Empty, "plan stops nothing");
        Assert.That(stdout + stderr, Does.Not.Contain(CommandHarness.Token));
    }

    [Test]
    public async Task The_rendered_jobs_carry_the_fleet_in_their_meta()
    {
        var nomad = Cluster();
        await using var server = nomad.Start();
        Run(server, "plan", fleet);
        var planned = server.Requests.Where(r => r.Path.EndsWith("/plan", StringComparison.Ordinal)).Select(r => JsonNode.Parse(r.Body)!["Job"]!).ToList();
        Assert.That(planned, Has.Count.EqualTo(2));
        Assert.That(planned.Select(j => j["Meta"]?["nomad_db_fleet"]?.GetValue<string>()), Is.All.EqualTo("home"));
    }

    [Test]
    public async Task Run_with_prune_stops_exactly_the_orphans_after_registering_the_fleets_jobs()
    {
        var nomad = Cluster();
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = Run(server, "run", fleet, "--prune");
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
        Assert.That(nomad.Stopped, Is.EqualTo(new[] { ("apps", "old-too", (string?)"false"), ("default", "old", (string?)"false") }), "stopped (by namespace, then ID), never purged");
        var requests = server.Requests.Select(r => (r.Method, r.Path)).ToList();
        var lastRegister = requests.FindLastIndex(r => r == ("POST", "/v1/jobs"));
        var firstStop = requests.FindIndex(r => r.Method == "DELETE");
        Assert.That(lastRegister, Is.GreaterThanOrEqualTo(0));
        Assert.That(firstStop, Is.GreaterThan(lastRegister), "the fleet's jobs are registered before any is stopped");
        Assert.That(stdout, Does.Contain("stopped \"old\" in namespace default (fleet \"home\", no spec, evaluation 5d2a9c1e)"));
        Assert.That(stdout, Does.Contain("its host volumes and backups stay"));
    }

    [Test]
    public async Task Run_without_prune_stops_nothing_and_says_how()
    {
        var nomad = Cluster();
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = Run(server, "run", fleet);
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
        Assert.That(stdout, Does.Contain("\"old\" (namespace default, service, running): re-run with --prune to stop it"));
        Assert.That(nomad.Stopped, Is.Empty);
        Assert.That(server.Requests, Has.None.Matches<RecordedRequest>(r => r is { Method: "DELETE" }));
    }

    [Test]
    public async Task Prune_without_a_fleet_is_a_usage_error_before_anything_is_asked()
    {
        var nomad = Cluster();
        await using var server = nomad.Start();
        var (exit, _, stderr) = Run(server, "run", CommandHarness.Example, "--prune");
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(stderr, Does.Contain("name the fleet with `fleet: NAME` in nomad-db.yaml"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task Prune_refuses_to_run_when_the_jobs_cannot_be_listed()
    {
        var nomad = Cluster();
        nomad.JobsForbidden = true;
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = Run(server, "run", fleet, "--prune");
        Assert.That(exit, Is.EqualTo(ExitCodes.NomadError), stdout + stderr);
        Assert.That(stderr, Does.Contain("--prune: could not list the jobs in every namespace (403 Forbidden)"));
        Assert.That(stderr, Does.Contain("nothing was registered"));
        Assert.That(server.Requests, Has.None.Matches<RecordedRequest>(r => r is { Method: "DELETE" } or { Method: "POST", Path: "/v1/jobs" }));

        // plan shows the plans anyway and says why it could not look.
        var (planExit, planOut, _) = Run(server, "plan", fleet);
        Assert.That(planExit, Is.EqualTo(ExitCodes.Ok));
        Assert.That(planOut, Does.Contain("(jobs whose spec is gone not looked for: could not list the jobs in every namespace (403 Forbidden)"));
    }

    [Test]
    public async Task Prune_refuses_when_a_spec_of_the_fleet_cannot_be_read_even_one_not_named()
    {
        File.WriteAllText(Path.Combine(fleet, "more", "broken.yaml"), "name: broken\napp: { image: x:1, imagee: y }\n");
        var nomad = Cluster();
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = Run(server, "run", Path.Combine(fleet, "wiki.yaml"), "--prune");
        Assert.That(exit, Is.EqualTo(ExitCodes.InvalidInput), stdout + stderr);
        Assert.That(stderr, Does.Contain("error(s) in the specs under"));
        Assert.That(stderr, Does.Contain("nothing was registered"));
        Assert.That(nomad.Stopped, Is.Empty);
        Assert.That(server.Requests, Has.None.Matches<RecordedRequest>(r => r is { Method: "POST", Path: "/v1/jobs" }));
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>Placement failures and allocation findings, read from Nomad v2.0.5-shaped answers.</summary>
public sealed class DiagnosisTests
{
    private static JsonObject RenderedJob() => CommandHarness.MyServiceJob();

    private static IReadOnlyList<AllocationListStub> Allocations(string fixture) =>
        JsonSerializer.Deserialize<List<AllocationListStub>>(Fixtures.Read(fixture), NomadJson.Options)!;

    private static JobShape Shape() => CommandHarness.MyServiceShape();

    [Test]
    public void Placement_failures_read_as_nomad_job_plan_words_them_and_name_the_missing_host_volumes()
    {
        var metric = Fixtures.Plan("plan-new-job-missing-host-volumes.json").FailedTGAllocs["myservice"];

        var text = PlacementFailures.Format(new Dictionary<string, AllocationMetric> { ["myservice"] = metric }, RenderedJob());

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith("Task group \"myservice\" (failed to place 1 allocation):\n"));
            // command/monitor.go formatAllocMetrics: "* Constraint %q: %d nodes excluded by filter"
            Assert.That(text, Does.Contain("  * Constraint \"missing compatible host volumes\": 2 nodes excluded by filter\n"));
            Assert.That(text, Does.Contain("next: no eligible client has the host volume"));
            Assert.That(text, Does.Contain("\"myservice-postgres\""), "the data volume's source, read from the job");
            Assert.That(text, Does.Contain("70:70").And.Contain("999:999"));
        });
    }

    [Test]
    public void Missing_drivers_point_at_the_docker_driver()
    {
        var metric = Fixtures.Plan("plan-new-job-missing-drivers.json").FailedTGAllocs["myservice"];

        Assert.Multiple(() =>
        {
            Assert.That(PlacementFailures.Reasons(metric), Is.EqualTo(new[] { "Constraint \"missing drivers\": 2 nodes excluded by filter" }));
            Assert.That(PlacementFailures.NextSteps("myservice", metric), Has.One.Contains("docker driver"));
        });
    }

    [Test]
    public void Exhausted_resources_bridge_networks_and_empty_pools_get_their_own_advice()
    {
        var metric = new AllocationMetric
        {
            NodesEvaluated = 0,
            NodePool = "default",
            NodesAvailable = new Dictionary<string, int> { ["dc1"] = 0 },
            ConstraintFiltered = new Dictionary<string, int> { ["missing network"] = 1 },
            NodesExhausted = 1,
            DimensionExhausted = new Dictionary<string, int> { ["memory"] = 1, ["network: port collision"] = 1 },
        };

        var reasons = PlacementFailures.Reasons(metric);
        var steps = PlacementFailures.NextSteps("g", metric);

        Assert.Multiple(() =>
        {
            Assert.That(reasons, Does.Contain("No nodes were eligible for evaluation"));
            Assert.That(reasons, Does.Contain("No nodes are available in datacenter \"dc1\""));
            Assert.That(reasons, Does.Contain("Dimension \"memory\" exhausted on 1 nodes"));
            Assert.That(steps, Has.Some.Contains("no ready client"));
            Assert.That(steps, Has.Some.Contains("CNI"));
            Assert.That(steps, Has.Some.Contains("static port"));
            Assert.That(steps, Has.Some.Contains("free memory"));
        });
    }

    [Test]
    public void A_healthy_allocation_has_nothing_to_report_and_its_prestart_task_reads_done()
    {
        var allocation = Allocations("allocations-healthy.json").Single();

        Assert.Multiple(() =>
        {
            Assert.That(AllocationDiagnosis.Findings(allocation, Shape()), Is.Empty);
            Assert.That(AllocationDiagnosis.Summary(allocation, Shape()),
                Is.EqualTo("allocation 1a2b3c4d on client-1: running, healthy; postgres running, wait-for-postgres done, app running, db-backup running"));
        });
    }

    [Test]
    public void A_prestart_task_still_running_is_a_note_not_a_problem()
    {
        var findings = AllocationDiagnosis.Findings(Allocations("allocations-starting.json").Single(), Shape());

        Assert.That(findings.Select(f => (f.Severity, f.What)), Is.EqualTo(new[] { (FindingSeverity.Info, "prestart task wait-for-postgres has not completed yet (running)") }));
    }

    [Test]
    public void A_crash_looping_database_is_a_problem_with_its_recent_events()
    {
        var finding = AllocationDiagnosis.Findings(Allocations("allocations-postgres-crashloop.json").Single(), Shape()).First();

        Assert.Multiple(() =>
        {
            Assert.That(finding.Severity, Is.EqualTo(FindingSeverity.Error));
            Assert.That(finding.What, Is.EqualTo("database task postgres keeps restarting (3 times) (last exit code 1)"));
            Assert.That(finding.RecentEvents, Has.Count.EqualTo(AllocationDiagnosis.RecentEventCount));
            Assert.That(finding.RecentEvents[^1], Is.EqualTo("Restarting: Task restarting in 16.872014339s"));
            Assert.That(finding.NextStep, Is.EqualTo("read its log: nomad alloc logs -stderr 1a2b3c4d postgres"));
        });
    }

    [TestCase("allocations-postgres-port-in-use.json", "task postgres failed: a port that is already in use", "postgres.port")]
    [TestCase("allocations-missing-variable.json", "task postgres waits for its template: Missing: nomad.var.block(nomad/jobs/myservice@default.global)", "nomad var put")]
    public void A_known_cause_is_named_with_its_fix(string fixture, string what, string nextStep)
    {
        var postgres = AllocationDiagnosis.Findings(Allocations(fixture).Single(), Shape()).Single(f => f.Task == "postgres");

        Assert.That((postgres.Severity, postgres.What, postgres.NextStep.Contains(nextStep, StringComparison.Ordinal)), Is.EqualTo((FindingSeverity.Error, what, true)), postgres.NextStep);
    }

    [Test]
    public void Go_times_read_with_nine_fraction_digits_and_the_zero_time_as_never()
    {
        var state = Allocations("allocations-healthy.json").Single().TaskStates["wait-for-postgres"];

        Assert.Multiple(() =>
        {
            Assert.That(state.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 1, 15, 9, 12, 9, TimeSpan.Zero).AddTicks(5144306)));
            Assert.That(state.LastRestart, Is.Null);
        });
    }
}

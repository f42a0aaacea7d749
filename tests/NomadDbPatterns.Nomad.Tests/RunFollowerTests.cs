namespace NomadDbPatterns.Nomad.Tests;

/// <summary>Following an evaluation and its deployment against a fake Nomad that does not hold blocking queries.</summary>
public sealed class RunFollowerTests
{
    private const string EvalId = "8f3c1a52-6d0e-4b7a-9c1e-2f5d7a9b3c41";

    private static readonly FollowOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(20) };

    private static async Task<(FollowResult Result, List<string> Progress, IReadOnlyList<RecordedRequest> Requests)> FollowAsync(FakeNomad nomad, FollowOptions options)
    {
        await using var server = nomad.Start();
        using var client = server.Client();
        var progress = new List<string>();
        var result = await new RunFollower(client, options, progress.Add, CommandHarness.MyServiceShape()).FollowAsync(EvalId);
        return (result, progress, server.Requests);
    }

    [Test]
    public async Task A_successful_deployment_is_followed_to_its_end_with_one_line_per_change()
    {
        var (result, progress, requests) = await FollowAsync(new FakeNomad(), Fast);

        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(FollowOutcome.Healthy));
            Assert.That(result.Summary, Is.EqualTo("deployment 5c1e2f3a successful"));
            Assert.That(progress, Is.EqualTo(new[]
            {
                "evaluation 8f3c1a52 pending",
                "evaluation 8f3c1a52 complete",
                "deployment 5c1e2f3a running: myservice 0/1 healthy (Deployment is running)",
                "allocation 1a2b3c4d on client-1: pending; postgres running, wait-for-postgres running, app pending, db-backup pending",
                "deployment 5c1e2f3a successful: myservice 1/1 healthy (Deployment completed successfully)",
                "allocation 1a2b3c4d on client-1: running, healthy; postgres running, wait-for-postgres done, app running, db-backup running",
            }));
            // The second question about each object is a blocking query on the index the first answer carried.
            Assert.That(requests.Where(r => r.Path == $"/v1/evaluation/{EvalId}").Select(r => r.Query),
                Is.EqualTo(new[] { "?index=0&wait=50ms", "?index=437&wait=50ms" }));
            Assert.That(requests.Where(r => r.Path.StartsWith("/v1/deployment/5c1e", StringComparison.Ordinal)).Select(r => r.Query).Last(),
                Is.EqualTo("?index=441&wait=50ms"));
        });
    }

    [Test]
    public async Task A_failed_deployment_ends_as_failed_with_its_description_and_allocations()
    {
        var nomad = new FakeNomad
        {
            Deployments = ["deployment-running.json", "deployment-failed.json"],
            DeploymentAllocations = ["allocations-starting.json", "allocations-postgres-crashloop.json"],
        };

        var (result, _, _) = await FollowAsync(nomad, Fast);

        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(FollowOutcome.Failed));
            Assert.That(result.Summary, Is.EqualTo("deployment 5c1e2f3a failed: Failed due to unhealthy allocations"));
            Assert.That(result.Allocations.Single().TaskStates["postgres"].Restarts, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task A_deployment_that_hangs_times_out_and_the_questions_are_paced()
    {
        var nomad = new FakeNomad { Deployments = ["deployment-running.json"], DeploymentAllocations = ["allocations-starting.json"] };
        var options = Fast with { Timeout = TimeSpan.FromMilliseconds(600), PollInterval = TimeSpan.FromMilliseconds(100) };

        var (result, _, requests) = await FollowAsync(nomad, options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(FollowOutcome.TimedOut));
            Assert.That(result.Summary, Does.StartWith("timed out after 0.6s: deployment 5c1e2f3a is still running (myservice 0/1 healthy)"));
            // The fake answers at once; without pacing the follower would ask thousands of times in 600 ms.
            Assert.That(requests.Count(r => r.Path.StartsWith("/v1/deployment/5c1e", StringComparison.Ordinal)), Is.LessThanOrEqualTo(10));
        });
    }

    [Test]
    public async Task An_evaluation_that_cannot_place_stops_the_follow_unless_asked_to_go_on()
    {
        var nomad = new FakeNomad { Evaluations = ["evaluation-placement-failed.json"] };

        var (stopped, progress, _) = await FollowAsync(nomad, Fast);
        var (continued, _, _) = await FollowAsync(new FakeNomad { Evaluations = ["evaluation-placement-failed.json"] }, Fast with { ContinueAfterPlacementFailures = true });

        Assert.Multiple(() =>
        {
            Assert.That(stopped.Outcome, Is.EqualTo(FollowOutcome.PlacementFailed));
            Assert.That(stopped.Evaluation!.FailedTGAllocs["myservice"].ConstraintFiltered, Does.ContainKey("missing compatible host volumes"));
            Assert.That(progress, Does.Contain("evaluation b7e2c9d4 could not place every allocation; evaluation 3d9e7b1c waits for capacity to place the rest"));
            Assert.That(continued.Outcome, Is.EqualTo(FollowOutcome.Healthy));
        });
    }
}

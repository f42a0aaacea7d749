using System.Diagnostics;
using System.Globalization;

namespace NomadDbPatterns.Nomad;

/// <summary>How long and how often <see cref="RunFollower"/> asks Nomad.</summary>
public sealed record FollowOptions
{
    /// <summary>The default <see cref="PollInterval"/>.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The default <see cref="Timeout"/>: longer than the <c>progress_deadline</c> the generator renders (15m), so
    /// that Nomad fails a stuck deployment before the wait gives up.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(20);

    /// <summary>
    /// The longest a blocking query waits for a change, and the least time between two questions while nothing
    /// changes (a proxy that does not hold blocking queries is not hammered).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    /// <summary>How long to follow in all before giving up (Nomad goes on with the deployment).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// Go on to the deployment when the evaluation could not place everything (the blocked evaluation places the
    /// rest once capacity appears) instead of stopping with <see cref="FollowOutcome.PlacementFailed"/>.
    /// </summary>
    public bool ContinueAfterPlacementFailures { get; init; }
}

/// <summary>How following a registration ended.</summary>
public enum FollowOutcome
{
    /// <summary>The deployment became successful (or the evaluation completed and there was nothing to deploy).</summary>
    Healthy,

    /// <summary>The evaluation could not place every allocation.</summary>
    PlacementFailed,

    /// <summary>The evaluation failed, or the deployment failed or was cancelled.</summary>
    Failed,

    /// <summary>Nothing was decided within <see cref="FollowOptions.Timeout"/>.</summary>
    TimedOut,
}

/// <summary>The end of a follow: the outcome, the last evaluation and deployment seen, and the allocations.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Summary">One line saying so.</param>
/// <param name="Evaluation">The last evaluation followed.</param>
/// <param name="Deployment">The deployment followed, if any.</param>
/// <param name="Allocations">The deployment's (or evaluation's) allocations when it ended.</param>
public sealed record FollowResult(FollowOutcome Outcome, string Summary, Evaluation? Evaluation, Deployment? Deployment, IReadOnlyList<AllocationListStub> Allocations);

/// <summary>
/// Follows a job registration the way <c>nomad job run</c> does (<c>command/monitor.go</c> <c>monitor</c>): the
/// evaluation until the scheduler is done with it (then its next evaluation, if any), its placement failures, then
/// the deployment it created (<c>command/deployment_status.go</c> <c>defaultMonitor</c>: blocking queries on the
/// deployment until it is successful, failed or cancelled). Progress goes to a callback, one line per change.
/// </summary>
public sealed class RunFollower(NomadClient client, FollowOptions options, Action<string> progress, JobShape? shape = null)
{
    private readonly Dictionary<string, string> printed = new(StringComparer.Ordinal);

    /// <summary>Follows the evaluation <paramref name="evaluationId"/> and what it leads to.</summary>
    public async Task<FollowResult> FollowAsync(string evaluationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(evaluationId);
        var clock = Stopwatch.StartNew();
        var evaluation = await FollowEvaluationAsync(evaluationId, clock, cancellationToken).ConfigureAwait(false);
        if (!evaluation.IsTerminal)
        {
            return new FollowResult(FollowOutcome.TimedOut,
                $"timed out after {Text(options.Timeout)}: evaluation {Short(evaluation.ID)} is still {evaluation.Status}", evaluation, null, []);
        }

        if (evaluation.Status != EvaluationStatus.Complete)
        {
            var why = evaluation.StatusDescription.Length > 0 ? $" ({evaluation.StatusDescription})" : "";
            return new FollowResult(FollowOutcome.Failed, $"evaluation {Short(evaluation.ID)} {evaluation.Status}{why}", evaluation, null, []);
        }

        if (evaluation.FailedTGAllocs.Count > 0)
        {
            var blocked = evaluation.BlockedEval.Length > 0 ? $"; evaluation {Short(evaluation.BlockedEval)} waits for capacity to place the rest" : "";
            progress($"evaluation {Short(evaluation.ID)} could not place every allocation{blocked}");
            if (!options.ContinueAfterPlacementFailures)
            {
                var allocations = await client.GetEvaluationAllocationsAsync(evaluation.ID, cancellationToken).ConfigureAwait(false);
                return new FollowResult(FollowOutcome.PlacementFailed, $"evaluation {Short(evaluation.ID)} could not place every allocation", evaluation, null, allocations);
            }
        }

        if (evaluation.DeploymentID.Length == 0)
        {
            var allocations = await client.GetEvaluationAllocationsAsync(evaluation.ID, cancellationToken).ConfigureAwait(false);
            return new FollowResult(FollowOutcome.Healthy,
                $"evaluation {Short(evaluation.ID)} complete; no deployment to follow (nothing changed that needs one)", evaluation, null, allocations);
        }

        return await FollowDeploymentAsync(evaluation, clock, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Evaluation> FollowEvaluationAsync(string evaluationId, Stopwatch clock, CancellationToken cancellationToken)
    {
        var id = evaluationId;
        ulong index = 0;
        string? lastStatus = null;
        while (true)
        {
            var asked = clock.Elapsed;
            var answer = await client.GetEvaluationAsync(id, Blocking(index, clock), cancellationToken).ConfigureAwait(false);
            var evaluation = answer.Value;
            if (evaluation.Status != lastStatus)
            {
                var why = evaluation.StatusDescription.Length > 0 && evaluation.IsTerminal ? $" ({evaluation.StatusDescription})" : "";
                progress($"evaluation {Short(evaluation.ID)} {evaluation.Status}{why}");
                lastStatus = evaluation.Status;
            }

            if (evaluation.IsTerminal && evaluation.NextEval.Length > 0 && evaluation.FailedTGAllocs.Count == 0)
            {
                // A rolling update's next step (command/monitor.go: "Monitoring next evaluation").
                progress($"next evaluation {Short(evaluation.NextEval)}");
                (id, index, lastStatus) = (evaluation.NextEval, 0, null);
                continue;
            }

            if (evaluation.IsTerminal || clock.Elapsed >= options.Timeout)
            {
                return evaluation;
            }

            await PaceAsync(answer.Index, index, asked, clock, cancellationToken).ConfigureAwait(false);
            index = answer.Index;
        }
    }

    private async Task<FollowResult> FollowDeploymentAsync(Evaluation evaluation, Stopwatch clock, CancellationToken cancellationToken)
    {
        ulong index = 0;
        var allocations = (IReadOnlyList<AllocationListStub>)[];
        while (true)
        {
            var asked = clock.Elapsed;
            var answer = await client.GetDeploymentAsync(evaluation.DeploymentID, Blocking(index, clock), cancellationToken).ConfigureAwait(false);
            var deployment = answer.Value;
            Report("deployment", DeploymentLine(deployment));
            allocations = await client.GetDeploymentAllocationsAsync(deployment.ID, cancellationToken).ConfigureAwait(false);
            foreach (var allocation in allocations)
            {
                Report(allocation.ID, AllocationDiagnosis.Summary(allocation, shape));
            }

            switch (deployment.Status)
            {
                case DeploymentStatus.Successful:
                    return new FollowResult(FollowOutcome.Healthy, $"deployment {Short(deployment.ID)} successful", evaluation, deployment, allocations);
                case DeploymentStatus.Failed or DeploymentStatus.Cancelled:
                    var revert = deployment.TaskGroups.Values.Any(g => g.AutoRevert) && deployment.Status == DeploymentStatus.Failed
                        ? " (auto_revert: Nomad rolls back to the last stable version)"
                        : "";
                    return new FollowResult(FollowOutcome.Failed,
                        $"deployment {Short(deployment.ID)} {deployment.Status}: {deployment.StatusDescription}{revert}", evaluation, deployment, allocations);
            }

            if (clock.Elapsed >= options.Timeout)
            {
                return new FollowResult(FollowOutcome.TimedOut,
                    $"timed out after {Text(options.Timeout)}: deployment {Short(deployment.ID)} is still {deployment.Status} ({Progress(deployment)}); Nomad goes on with it",
                    evaluation, deployment, allocations);
            }

            await PaceAsync(answer.Index, index, asked, clock, cancellationToken).ConfigureAwait(false);
            index = answer.Index;
        }
    }

    /// <summary>The next blocking query: wait at most the poll interval, and never past the timeout.</summary>
    private BlockingQuery Blocking(ulong index, Stopwatch clock)
    {
        var left = options.Timeout - clock.Elapsed;
        var wait = left < options.PollInterval ? left : options.PollInterval;
        return new BlockingQuery(index, wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1));
    }

    /// <summary>
    /// When the answer did not move past the index asked about, Nomad already held it for the wait; a server that
    /// does not hold blocking queries answered at once, so wait out the rest of the interval before asking again.
    /// </summary>
    private async Task PaceAsync(ulong answered, ulong asked, TimeSpan askedAt, Stopwatch clock, CancellationToken cancellationToken)
    {
        if (asked == 0 || answered > asked)
        {
            return;
        }

        var rest = options.PollInterval - (clock.Elapsed - askedAt);
        var left = options.Timeout - clock.Elapsed;
        if (left < rest)
        {
            rest = left;
        }

        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Report(string key, string line)
    {
        if (!printed.TryGetValue(key, out var last) || last != line)
        {
            printed[key] = line;
            progress(line);
        }
    }

    private static string DeploymentLine(Deployment deployment) =>
        $"deployment {Short(deployment.ID)} {deployment.Status}: {Progress(deployment)}{(deployment.StatusDescription.Length > 0 ? $" ({deployment.StatusDescription})" : "")}";

    private static string Progress(Deployment deployment) =>
        deployment.TaskGroups.Count == 0
            ? "no task groups yet"
            : string.Join(", ", deployment.TaskGroups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
                $"{g.Key} {g.Value.HealthyAllocs}/{g.Value.DesiredTotal} healthy{(g.Value.UnhealthyAllocs > 0 ? $", {g.Value.UnhealthyAllocs} unhealthy" : "")}"));

    private static string Short(string id) => AllocationDiagnosis.Short(id);

    private static string Text(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 && span.Milliseconds == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###}s");
}

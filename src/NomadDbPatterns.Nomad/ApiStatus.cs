using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NomadDbPatterns.Nomad;

/// <summary>
/// Why the scheduler could not place an allocation of a task group (<c>api.AllocationMetric</c>; the server writes
/// <c>structs.AllocMetric</c>, <c>nomad/structs/alloc.go</c>). Go writes nil maps as <c>null</c>; they read as empty.
/// </summary>
public sealed record AllocationMetric
{
    /// <summary>Nodes the scheduler looked at.</summary>
    public int NodesEvaluated { get; init; }

    /// <summary>Nodes left out by a constraint (driver, host volume, network, user constraint).</summary>
    public int NodesFiltered { get; init; }

    /// <summary>Nodes in the job's node pool.</summary>
    public int NodesInPool { get; init; }

    /// <summary>The job's node pool.</summary>
    public string NodePool { get => field ?? ""; init; }

    /// <summary>Ready nodes per datacenter of the job (0: none available there).</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<int>))]
    public IReadOnlyDictionary<string, int> NodesAvailable { get => field ?? ReadOnlyDictionary<string, int>.Empty; init; }

    /// <summary>Nodes filtered, per node class.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<int>))]
    public IReadOnlyDictionary<string, int> ClassFiltered { get => field ?? ReadOnlyDictionary<string, int>.Empty; init; }

    /// <summary>
    /// Nodes filtered, per reason: <c>missing compatible host volumes</c>, <c>missing drivers</c>,
    /// <c>missing network</c>, or a constraint's text such as <c>${attr.kernel.name} = linux</c>
    /// (<c>scheduler/feasible/feasible.go</c>).
    /// </summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<int>))]
    public IReadOnlyDictionary<string, int> ConstraintFiltered { get => field ?? ReadOnlyDictionary<string, int>.Empty; init; }

    /// <summary>Nodes that passed the constraints but lacked a resource.</summary>
    public int NodesExhausted { get; init; }

    /// <summary>Exhausted nodes, per node class.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<int>))]
    public IReadOnlyDictionary<string, int> ClassExhausted { get => field ?? ReadOnlyDictionary<string, int>.Empty; init; }

    /// <summary>
    /// Exhausted nodes, per resource: <c>cpu</c>, <c>memory</c>, <c>disk</c>, <c>cores</c>,
    /// <c>network: port collision</c> (<c>nomad/structs/structs.go</c> <c>Superset</c>, <c>scheduler/feasible/rank.go</c>).
    /// </summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<int>))]
    public IReadOnlyDictionary<string, int> DimensionExhausted { get => field ?? ReadOnlyDictionary<string, int>.Empty; init; }

    /// <summary>Quota dimensions that were exhausted (Enterprise).</summary>
    [JsonConverter(typeof(NullAsEmptyList<string>))]
    public IReadOnlyList<string> QuotaExhausted { get => field ?? []; init; }

    /// <summary>How many further allocations of the group failed the same way (the failure count is this + 1).</summary>
    public int CoalescedFailures { get; init; }
}

/// <summary>Evaluation statuses (<c>api/evaluations.go</c>).</summary>
public static class EvaluationStatus
{
    /// <summary>Waiting for a scheduler.</summary>
    public const string Pending = "pending";

    /// <summary>Waiting for capacity (the blocked follow-up of an evaluation that could not place everything).</summary>
    public const string Blocked = "blocked";

    /// <summary>Processed.</summary>
    public const string Complete = "complete";

    /// <summary>The scheduler gave up on it.</summary>
    public const string Failed = "failed";

    /// <summary>Replaced by a newer evaluation (note Nomad's spelling).</summary>
    public const string Cancelled = "canceled";
}

/// <summary>An evaluation (<c>GET /v1/evaluation/:id</c>, <c>api.Evaluation</c>), the parts a run follows.</summary>
public sealed record Evaluation
{
    /// <summary>The evaluation ID.</summary>
    public string ID { get => field ?? ""; init; }

    /// <summary>The job it evaluates.</summary>
    public string JobID { get => field ?? ""; init; }

    /// <summary>What created it (<c>job-register</c>, <c>deployment-watcher</c>, …).</summary>
    public string TriggeredBy { get => field ?? ""; init; }

    /// <summary>One of <see cref="EvaluationStatus"/>.</summary>
    public string Status { get => field ?? ""; init; }

    /// <summary>Why it has its status.</summary>
    public string StatusDescription { get => field ?? ""; init; }

    /// <summary>The deployment the evaluation created or continued; empty when none.</summary>
    public string DeploymentID { get => field ?? ""; init; }

    /// <summary>The next evaluation to follow (a rolling update's next step); empty when none.</summary>
    public string NextEval { get => field ?? ""; init; }

    /// <summary>The blocked evaluation that waits for capacity for what could not be placed; empty when none.</summary>
    public string BlockedEval { get => field ?? ""; init; }

    /// <summary>Placement failures per task group name.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<AllocationMetric>))]
    public IReadOnlyDictionary<string, AllocationMetric> FailedTGAllocs { get => field ?? ReadOnlyDictionary<string, AllocationMetric>.Empty; init; }

    /// <summary>Allocations still to place per task group name.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<int>))]
    public IReadOnlyDictionary<string, int> QueuedAllocations { get => field ?? ReadOnlyDictionary<string, int>.Empty; init; }

    /// <summary>How long before <see cref="NextEval"/> runs (Go <c>time.Duration</c>, nanoseconds).</summary>
    [JsonConverter(typeof(GoDurationConverter))]
    public TimeSpan Wait { get; init; }

    /// <summary>Raft index of its creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of its last change.</summary>
    public ulong ModifyIndex { get; init; }

    /// <summary>True once the scheduler is done with it (complete, failed or cancelled).</summary>
    [JsonIgnore]
    public bool IsTerminal => Status is EvaluationStatus.Complete or EvaluationStatus.Failed or EvaluationStatus.Cancelled;
}

/// <summary>Deployment statuses (<c>nomad/structs/deployment.go</c>).</summary>
public static class DeploymentStatus
{
    /// <summary>In progress.</summary>
    public const string Running = "running";

    /// <summary>Paused by an operator.</summary>
    public const string Paused = "paused";

    /// <summary>Failed: unhealthy allocations or the progress deadline passed.</summary>
    public const string Failed = "failed";

    /// <summary>Every allocation became healthy.</summary>
    public const string Successful = "successful";

    /// <summary>Replaced by a newer job version or stopped.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Multi-region: done here, waiting for a peer region.</summary>
    public const string Blocked = "blocked";

    /// <summary>Created, not yet started.</summary>
    public const string Initializing = "initializing";

    /// <summary>Multi-region: waiting for a peer region.</summary>
    public const string Pending = "pending";

    /// <summary>Multi-region: unblocking the remaining regions.</summary>
    public const string Unblocking = "unblocking";
}

/// <summary>A deployment (<c>GET /v1/deployment/:id</c>, <c>structs.Deployment</c>).</summary>
public sealed record Deployment
{
    /// <summary>The deployment ID.</summary>
    public string ID { get => field ?? ""; init; }

    /// <summary>The job it deploys.</summary>
    public string JobID { get => field ?? ""; init; }

    /// <summary>The job version it deploys.</summary>
    public ulong JobVersion { get; init; }

    /// <summary>The job's <c>JobModifyIndex</c> (spec index) it deploys.</summary>
    public ulong JobSpecModifyIndex { get; init; }

    /// <summary>One of <see cref="DeploymentStatus"/>.</summary>
    public string Status { get => field ?? ""; init; }

    /// <summary>
    /// Why it has its status, e.g. <c>Deployment completed successfully</c>, <c>Failed due to unhealthy allocations</c>,
    /// <c>Failed due to progress deadline</c> (<c>nomad/structs/deployment.go</c>).
    /// </summary>
    public string StatusDescription { get => field ?? ""; init; }

    /// <summary>Progress per task group name.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<DeploymentState>))]
    public IReadOnlyDictionary<string, DeploymentState> TaskGroups { get => field ?? ReadOnlyDictionary<string, DeploymentState>.Empty; init; }

    /// <summary>Raft index of its creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of its last change.</summary>
    public ulong ModifyIndex { get; init; }

    /// <summary>True once Nomad has decided (successful, failed or cancelled).</summary>
    [JsonIgnore]
    public bool IsTerminal => Status is DeploymentStatus.Successful or DeploymentStatus.Failed or DeploymentStatus.Cancelled;
}

/// <summary>A task group's progress in a deployment (<c>structs.DeploymentState</c>).</summary>
public sealed record DeploymentState
{
    /// <summary>Whether a failed deployment rolls back to the last stable version.</summary>
    public bool AutoRevert { get; init; }

    /// <summary>Allocations the deployment wants healthy.</summary>
    public int DesiredTotal { get; init; }

    /// <summary>Allocations placed so far.</summary>
    public int PlacedAllocs { get; init; }

    /// <summary>Placed allocations that became healthy.</summary>
    public int HealthyAllocs { get; init; }

    /// <summary>Placed allocations that became unhealthy.</summary>
    public int UnhealthyAllocs { get; init; }

    /// <summary>When the deployment fails unless an allocation becomes healthy (zero time: no deadline yet).</summary>
    [JsonConverter(typeof(GoTimeConverter))]
    public DateTimeOffset? RequireProgressBy { get; init; }
}

/// <summary>Allocation client statuses (<c>api/allocations.go</c>).</summary>
public static class AllocationClientStatus
{
    /// <summary>Not yet running.</summary>
    public const string Pending = "pending";

    /// <summary>Running.</summary>
    public const string Running = "running";

    /// <summary>Every task finished successfully.</summary>
    public const string Complete = "complete";

    /// <summary>A task failed.</summary>
    public const string Failed = "failed";

    /// <summary>The node was lost.</summary>
    public const string Lost = "lost";

    /// <summary>The node stopped answering (disconnect block).</summary>
    public const string Unknown = "unknown";
}

/// <summary>
/// An allocation as listed by <c>GET /v1/evaluation/:id/allocations</c>, <c>/v1/deployment/allocations/:id</c> and
/// <c>/v1/job/:id/allocations</c> (<c>structs.AllocListStub</c>, task states included).
/// </summary>
public sealed record AllocationListStub
{
    /// <summary>The allocation ID.</summary>
    public string ID { get => field ?? ""; init; }

    /// <summary>Its name, <c>job.group[index]</c>.</summary>
    public string Name { get => field ?? ""; init; }

    /// <summary>The node it was placed on.</summary>
    public string NodeID { get => field ?? ""; init; }

    /// <summary>The node's name.</summary>
    public string NodeName { get => field ?? ""; init; }

    /// <summary>The job it belongs to.</summary>
    public string JobID { get => field ?? ""; init; }

    /// <summary>The job version it runs.</summary>
    public ulong JobVersion { get; init; }

    /// <summary>Its task group.</summary>
    public string TaskGroup { get => field ?? ""; init; }

    /// <summary>What the scheduler wants: <c>run</c>, <c>stop</c> or <c>evict</c>.</summary>
    public string DesiredStatus { get => field ?? ""; init; }

    /// <summary>Why the scheduler wants it.</summary>
    public string DesiredDescription { get => field ?? ""; init; }

    /// <summary>One of <see cref="AllocationClientStatus"/>.</summary>
    public string ClientStatus { get => field ?? ""; init; }

    /// <summary>The client's words for its status.</summary>
    public string ClientDescription { get => field ?? ""; init; }

    /// <summary>State per task name.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<TaskState>))]
    public IReadOnlyDictionary<string, TaskState> TaskStates { get => field ?? ReadOnlyDictionary<string, TaskState>.Empty; init; }

    /// <summary>Its health in the deployment; null before the deployment watcher decided.</summary>
    public AllocDeploymentStatus? DeploymentStatus { get; init; }

    /// <summary>The allocation that replaced it (a reschedule); empty while it is the current one.</summary>
    public string NextAllocation { get => field ?? ""; init; }

    /// <summary>Raft index of its creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of its last change.</summary>
    public ulong ModifyIndex { get; init; }

    /// <summary>Creation, Unix nanoseconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>Last change, Unix nanoseconds.</summary>
    public long ModifyTime { get; init; }
}

/// <summary>An allocation's health in its deployment (<c>structs.AllocDeploymentStatus</c>).</summary>
public sealed record AllocDeploymentStatus
{
    /// <summary>True healthy, false unhealthy, null not yet decided.</summary>
    public bool? Healthy { get; init; }

    /// <summary>Whether it is a canary.</summary>
    public bool Canary { get; init; }
}

/// <summary>Task states (<c>nomad/structs/structs.go</c>).</summary>
public static class TaskStateName
{
    /// <summary>Not yet started.</summary>
    public const string Pending = "pending";

    /// <summary>Running.</summary>
    public const string Running = "running";

    /// <summary>Finished (successfully unless <see cref="TaskState.Failed"/>).</summary>
    public const string Dead = "dead";
}

/// <summary>A task's state in an allocation (<c>structs.TaskState</c>).</summary>
public sealed record TaskState
{
    /// <summary>One of <see cref="TaskStateName"/>.</summary>
    public string State { get => field ?? ""; init; }

    /// <summary>The task failed (and will not be restarted in this allocation).</summary>
    public bool Failed { get; init; }

    /// <summary>How often the client restarted it in this allocation.</summary>
    public ulong Restarts { get; init; }

    /// <summary>When it last restarted (null: never).</summary>
    [JsonConverter(typeof(GoTimeConverter))]
    public DateTimeOffset? LastRestart { get; init; }

    /// <summary>When it last started (null: never).</summary>
    [JsonConverter(typeof(GoTimeConverter))]
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it finished (null: not finished).</summary>
    [JsonConverter(typeof(GoTimeConverter))]
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Its events, oldest first (the client keeps the last ten).</summary>
    [JsonConverter(typeof(NullAsEmptyList<TaskEvent>))]
    public IReadOnlyList<TaskEvent> Events { get => field ?? []; init; }
}

/// <summary>A task event (<c>structs.TaskEvent</c>), the fields a report needs.</summary>
public sealed record TaskEvent
{
    /// <summary>
    /// The kind: <c>Received</c>, <c>Task Setup</c>, <c>Driver</c>, <c>Started</c>, <c>Terminated</c>,
    /// <c>Restarting</c>, <c>Not Restarting</c>, <c>Driver Failure</c>, <c>Setup Failure</c>, <c>Killing</c>, …
    /// (<c>api/tasks.go</c>).
    /// </summary>
    public string Type { get => field ?? ""; init; }

    /// <summary>When it happened, Unix nanoseconds.</summary>
    public long Time { get; init; }

    /// <summary>The server's one-line description (<c>TaskEvent.PopulateEventDisplayMessage</c>).</summary>
    public string DisplayMessage { get => field ?? ""; init; }

    /// <summary>The raw message.</summary>
    public string Message { get => field ?? ""; init; }

    /// <summary>The event's details (exit_code, driver_error, restart_reason, …).</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<string>))]
    public IReadOnlyDictionary<string, string> Details { get => field ?? ReadOnlyDictionary<string, string>.Empty; init; }

    /// <summary>Whether this event failed the task.</summary>
    public bool FailsTask { get; init; }

    /// <summary>The exit code of a <c>Terminated</c> event.</summary>
    public int ExitCode { get; init; }

    /// <summary><see cref="DisplayMessage"/>, or the raw message for events written before display messages existed.</summary>
    [JsonIgnore]
    public string Text => DisplayMessage.Length > 0 ? DisplayMessage : Message;

    /// <summary><see cref="Time"/> as a point in time.</summary>
    [JsonIgnore]
    public DateTimeOffset At => DateTimeOffset.FromUnixTimeMilliseconds(Time / 1_000_000);
}

/// <summary>Go's <c>time.Duration</c> in JSON: an integer of nanoseconds.</summary>
internal sealed class GoDurationConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? TimeSpan.Zero : TimeSpan.FromTicks(reader.GetInt64() / 100);

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.Ticks * 100);
}

/// <summary>
/// Go's <c>time.Time</c> in JSON: RFC 3339 with up to nine fraction digits; the zero time
/// (<c>0001-01-01T00:00:00Z</c>) means "never" and reads as null.
/// </summary>
internal sealed class GoTimeConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var text = reader.GetString() ?? "";
        // .NET reads at most seven fraction digits; Go writes up to nine.
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = text[..(dot + 8)] + text[end..];
            }
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            throw new JsonException($"'{reader.GetString()}' is not a Go time.");
        }

        return value.Year <= 1 ? null : value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value?.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture) ?? "0001-01-01T00:00:00Z");
}

/// <summary>An answer of a read, with the index Nomad sent in <c>X-Nomad-Index</c> (0 when it sent none).</summary>
/// <param name="Value">The answer.</param>
/// <param name="Index">The Raft index the answer reflects: pass it to the next <see cref="BlockingQuery"/>.</param>
public sealed record NomadQueryResult<T>(T Value, ulong Index);

/// <summary>
/// A blocking query (<c>?index=&amp;wait=</c>, <c>command/agent/http.go</c> <c>parseWait</c>): Nomad holds the answer
/// until the object's index passes <paramref name="Index"/> or <paramref name="Wait"/> ends.
/// </summary>
/// <param name="Index">The index of the last answer seen (0: answer at once).</param>
/// <param name="Wait">The longest wait; Nomad caps it at <see cref="MaxWait"/>.</param>
public sealed record BlockingQuery(ulong Index, TimeSpan Wait)
{
    /// <summary>Nomad's cap on a blocking query's wait (<c>structs.MaxBlockingRPCQueryTime</c>).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);
}

using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NomadDbPatterns.Nomad;

/// <summary>Answer of <c>POST /v1/validate/job</c> (<c>api.JobValidateResponse</c>).</summary>
public sealed record JobValidateResponse
{
    /// <summary>Whether the leader also validated the task driver configuration (false when it could not be reached).</summary>
    public bool DriverConfigValidated { get; init; }

    /// <summary>One entry per validation error; empty when the job is valid.</summary>
    [JsonConverter(typeof(NullAsEmptyList<string>))]
    public IReadOnlyList<string> ValidationErrors { get => field ?? []; init; }

    /// <summary>All errors as one text, empty when valid.</summary>
    public string Error { get => field ?? ""; init; }

    /// <summary>Warnings (for example deprecations), empty when none.</summary>
    public string Warnings { get => field ?? ""; init; }

    /// <summary>True when Nomad reported no validation error.</summary>
    public bool IsValid => ValidationErrors.Count == 0 && string.IsNullOrEmpty(Error);
}

/// <summary>Answer of <c>POST /v1/job/:job_id/plan</c> (<c>api.JobPlanResponse</c>), the parts this project uses.</summary>
public sealed record JobPlanResponse
{
    /// <summary>The <c>JobModifyIndex</c> of the job as the server has it (0 for a new job): pass it to a
    /// check-and-set register so it only goes through if nobody changed the job since this plan.</summary>
    public ulong JobModifyIndex { get; init; }

    /// <summary>The diff between the server's job and the planned one; null when the plan was asked without a diff.</summary>
    public JobDiff? Diff { get; init; }

    /// <summary>What the scheduler would do per task group.</summary>
    public PlanAnnotations? Annotations { get; init; }

    /// <summary>
    /// Placement failures per task group name: the scheduler's dry run could not place these allocations
    /// (<c>nomad/job_endpoint.go</c> <c>Plan</c> copies the evaluation's <c>FailedTGAllocs</c>). Empty when every
    /// allocation was placed.
    /// </summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<AllocationMetric>))]
    public IReadOnlyDictionary<string, AllocationMetric> FailedTGAllocs { get => field ?? ReadOnlyDictionary<string, AllocationMetric>.Empty; init; }

    /// <summary>
    /// Warnings in Nomad's text form (<c>helper/warning.go</c>: <c>"2 warnings:\n\n* ...\n* ..."</c>), empty when none;
    /// <see cref="NomadMessages.Items"/> splits it.
    /// </summary>
    public string Warnings { get => field ?? ""; init; }

    /// <summary>
    /// Whether the plan creates, stops, migrates, replaces or adds canaries for any allocation: the rule
    /// <c>nomad job plan</c> uses for its exit code 1 (<c>command/job_plan.go</c> <c>getExitCode</c>: a diff other than
    /// <c>None</c> and, for some group, Stop + Place + Migrate + DestructiveUpdate + Canary &gt; 0).
    /// </summary>
    [JsonIgnore]
    public bool ChangesAllocations =>
        Diff is { Type: not DiffType.None } &&
        (Annotations?.DesiredTGUpdates.Values.Any(d => d.Stop + d.Place + d.Migrate + d.DestructiveUpdate + d.Canary > 0) ?? false);
}

/// <summary>Scheduler annotations of a plan (<c>api.PlanAnnotations</c>).</summary>
public sealed record PlanAnnotations
{
    /// <summary>Desired updates per task group name.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<DesiredUpdates>))]
    public IReadOnlyDictionary<string, DesiredUpdates> DesiredTGUpdates { get => field ?? ReadOnlyDictionary<string, DesiredUpdates>.Empty; init; }
}

/// <summary>How many allocations of a task group the scheduler would touch, by kind (<c>api.DesiredUpdates</c>).</summary>
public sealed record DesiredUpdates
{
    /// <summary>Allocations left as they are.</summary>
    public ulong Ignore { get; init; }

    /// <summary>New allocations placed.</summary>
    public ulong Place { get; init; }

    /// <summary>Allocations moved to other nodes.</summary>
    public ulong Migrate { get; init; }

    /// <summary>Allocations stopped.</summary>
    public ulong Stop { get; init; }

    /// <summary>Allocations updated in place.</summary>
    public ulong InPlaceUpdate { get; init; }

    /// <summary>Allocations destroyed and created anew.</summary>
    public ulong DestructiveUpdate { get; init; }

    /// <summary>Canary allocations.</summary>
    public ulong Canary { get; init; }

    /// <summary>Allocations of other jobs preempted.</summary>
    public ulong Preemptions { get; init; }
}

/// <summary>Nomad's answer to stopping a job (<c>api.JobDeregisterResponse</c>, api/jobs.go at v2.0.5).</summary>
public sealed record JobDeregisterResponse
{
    /// <summary>ID of the evaluation that stops the job's allocations; empty when none was created.</summary>
    public string EvalID { get => field ?? ""; init; }

    /// <summary>Raft index at which the evaluation was created.</summary>
    public ulong EvalCreateIndex { get; init; }

    /// <summary>The job's modify index after the stop.</summary>
    public ulong JobModifyIndex { get; init; }
}

/// <summary>
/// Answer of <c>POST /v1/jobs</c> (<c>api.JobRegisterResponse</c>; the agent writes <c>structs.JobRegisterResponse</c>,
/// whose embedded <c>QueryMeta</c> adds <c>Index</c>).
/// </summary>
/// <remarks>
/// What Nomad v2.0.5 puts in it (<c>nomad/job_endpoint.go</c> <c>Job.Register</c>): when the job spec changed, the
/// register is one Raft write and <see cref="JobModifyIndex"/>, <see cref="EvalCreateIndex"/> and <see cref="Index"/>
/// are all its index (the job's new <c>JobModifyIndex</c>). When the spec did not change nothing is written to the
/// job: <see cref="JobModifyIndex"/> is then the existing job's <c>ModifyIndex</c> (which status updates move), not
/// its <c>JobModifyIndex</c>, and <see cref="EvalCreateIndex"/> = <see cref="Index"/> is the index of the new
/// evaluation alone. <see cref="SpecChanged"/> tells the two apart.
/// </remarks>
public sealed record JobRegisterResponse
{
    /// <summary>ID of the evaluation created by the register; empty for jobs that create none (periodic, parameterized).</summary>
    public string EvalID { get => field ?? ""; init; }

    /// <summary>Raft index at which the evaluation was created (0 without an evaluation).</summary>
    public ulong EvalCreateIndex { get; init; }

    /// <summary>
    /// The job's new <c>JobModifyIndex</c> when the spec changed; the job's <c>ModifyIndex</c> when it did not (see the
    /// remarks).
    /// </summary>
    public ulong JobModifyIndex { get; init; }

    /// <summary>Warnings in Nomad's text form, empty when none; <see cref="NomadMessages.Items"/> splits it.</summary>
    public string Warnings { get => field ?? ""; init; }

    /// <summary>The Raft index of the write this answer reports (<c>QueryMeta.Index</c>).</summary>
    public ulong Index { get; init; }

    /// <summary>
    /// Whether the register changed the job: with an evaluation, exactly when <see cref="JobModifyIndex"/> equals
    /// <see cref="Index"/> (one write for job and evaluation); null when Nomad created no evaluation (periodic and
    /// parameterized jobs), where the answer cannot tell (ask the plan's diff instead).
    /// </summary>
    [JsonIgnore]
    public bool? SpecChanged => EvalID.Length == 0 ? null : JobModifyIndex == Index;
}

/// <summary>Options of a register call.</summary>
public sealed record RegisterJobOptions
{
    /// <summary>
    /// Check-and-set: register only if the server's <c>JobModifyIndex</c> still equals this value (take it from the
    /// plan); 0 registers only if the job does not exist yet. Null registers unconditionally.
    /// </summary>
    public ulong? EnforceIndex { get; init; }

    /// <summary>Keep the running task group counts instead of the counts in the job.</summary>
    public bool PreserveCounts { get; init; }
}

/// <summary>A Nomad Variable (<c>api.Variable</c>): its items and the index check-and-set writes compare with.</summary>
public sealed record NomadVariable
{
    /// <summary>Nomad refuses a variable whose item keys and values exceed this many bytes.</summary>
    public const int MaxSize = 65536;

    /// <summary>The namespace (null: the client's).</summary>
    public string? Namespace { get; init; }

    /// <summary>The path, e.g. <c>nomad/jobs</c>.</summary>
    public string Path { get => field ?? ""; init; }

    /// <summary>The items: key and value.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<string>))]
    public IReadOnlyDictionary<string, string> Items { get => field ?? ReadOnlyDictionary<string, string>.Empty; init; }

    /// <summary>The Raft index of the last write (0 for a variable not yet written).</summary>
    public ulong ModifyIndex { get; init; }
}

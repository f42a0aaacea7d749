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
    public IReadOnlyList<string> ValidationErrors { get; init; } = [];

    /// <summary>All errors as one text, empty when valid.</summary>
    public string Error { get; init; } = "";

    /// <summary>Warnings (for example deprecations), empty when none.</summary>
    public string Warnings { get; init; } = "";

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

    /// <summary>Placement failures per task group name, as Nomad's raw <c>AllocationMetric</c> JSON.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<JsonElement>))]
    public IReadOnlyDictionary<string, JsonElement> FailedTGAllocs { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Warnings (for example deprecations), empty when none.</summary>
    public string Warnings { get; init; } = "";
}

/// <summary>Scheduler annotations of a plan (<c>api.PlanAnnotations</c>).</summary>
public sealed record PlanAnnotations
{
    /// <summary>Desired updates per task group name.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<DesiredUpdates>))]
    public IReadOnlyDictionary<string, DesiredUpdates> DesiredTGUpdates { get; init; } = new Dictionary<string, DesiredUpdates>();
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

/// <summary>Answer of <c>POST /v1/jobs</c> (<c>api.JobRegisterResponse</c>).</summary>
public sealed record JobRegisterResponse
{
    /// <summary>ID of the evaluation created by the register; empty for jobs that create none (periodic, parameterized).</summary>
    public string EvalID { get; init; } = "";

    /// <summary>Raft index at which the evaluation was created.</summary>
    public ulong EvalCreateIndex { get; init; }

    /// <summary>The job's new modify index.</summary>
    public ulong JobModifyIndex { get; init; }

    /// <summary>Warnings (for example deprecations), empty when none.</summary>
    public string Warnings { get; init; } = "";
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
    public string Path { get; init; } = "";

    /// <summary>The items: key and value.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<string>))]
    public IReadOnlyDictionary<string, string> Items { get; init; } = new Dictionary<string, string>();

    /// <summary>The Raft index of the last write (0 for a variable not yet written).</summary>
    public ulong ModifyIndex { get; init; }
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace NomadDbPatterns.Nomad;

/// <summary>What a task does in its group, read from the job: its lifecycle hook and whether it is a sidecar.</summary>
/// <param name="Name">The task name.</param>
/// <param name="Hook">"prestart", "poststart", "poststop", or empty for a main task.</param>
/// <param name="Sidecar">Whether it keeps running beside the main tasks.</param>
public sealed record TaskRole(string Name, string Hook, bool Sidecar)
{
    /// <summary>
    /// A prestart task that must finish before the main tasks start (<c>wait-for-postgres</c>,
    /// <c>init-databases</c>): it is done when it is dead and did not fail.
    /// </summary>
    public bool MustComplete => Hook == "prestart" && !Sidecar;
}

/// <summary>The tasks of a job by group, with their roles and which task is the database.</summary>
public sealed record JobShape(string JobId, IReadOnlyDictionary<string, IReadOnlyList<TaskRole>> Groups, IReadOnlyCollection<string> DatabaseTasks)
{
    /// <summary>Reads the shape from Nomad's API job JSON (<c>TaskGroups[].Tasks[].Lifecycle{Hook, Sidecar}</c>).</summary>
    public static JobShape FromJob(JsonObject job, IEnumerable<DatabaseTopology>? databases = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var groups = new Dictionary<string, IReadOnlyList<TaskRole>>(StringComparer.Ordinal);
        foreach (var group in job["TaskGroups"]?.AsArray() ?? [])
        {
            var roles = new List<TaskRole>();
            foreach (var task in group?["Tasks"]?.AsArray() ?? [])
            {
                var lifecycle = task?["Lifecycle"] as JsonObject;
                roles.Add(new TaskRole(
                    task?["Name"]?.GetValue<string>() ?? "",
                    lifecycle?["Hook"]?.GetValue<string>() ?? "",
                    lifecycle?["Sidecar"]?.GetValue<bool>() ?? false));
            }

            groups[group?["Name"]?.GetValue<string>() ?? ""] = roles;
        }

        return new JobShape(job["ID"]?.GetValue<string>() ?? "", groups,
            (databases ?? []).Select(d => d.DatabaseTaskName).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The role of a task, or a main-task role when the job does not name it.</summary>
    public TaskRole RoleOf(string group, string task) =>
        Groups.TryGetValue(group, out var roles) && roles.FirstOrDefault(r => r.Name == task) is { } role ? role : new TaskRole(task, "", false);
}

/// <summary>How bad a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>Progress worth knowing (a prestart task still waiting).</summary>
    Info,

    /// <summary>Something is off but the allocation may recover (restarts).</summary>
    Warning,

    /// <summary>Something is wrong (a failed task, an unhealthy or failed allocation).</summary>
    Error,
}

/// <summary>One observation about an allocation or one of its tasks, with what to do next.</summary>
/// <param name="Severity">How bad it is.</param>
/// <param name="AllocationId">The allocation.</param>
/// <param name="Task">The task, or null for the allocation as a whole.</param>
/// <param name="What">What was seen, one line.</param>
/// <param name="RecentEvents">The task's latest events, oldest first (<c>Type: DisplayMessage</c>).</param>
/// <param name="NextStep">What to do about it.</param>
public sealed record Finding(FindingSeverity Severity, string AllocationId, string? Task, string What, IReadOnlyList<string> RecentEvents, string NextStep);

/// <summary>
/// Reads allocations as <c>nomad alloc status</c> would show them and answers the troubleshooting questions of
/// the seed guide: did the prestart tasks finish, did the database task fail or restart, and why (its events).
/// </summary>
public static class AllocationDiagnosis
{
    /// <summary>How many of a task's latest events a finding quotes.</summary>
    public const int RecentEventCount = 4;

    // Known causes, matched in the task's event texts. Sources: the seed guide's "Database Won't Start" (host volume
    // permissions, port conflicts), the PostgreSQL image's uid (docker-library/postgres Dockerfiles: 70 on Alpine,
    // 999 on Debian), consul-template's "Missing:" event (client/allocrunner/taskrunner/template/template.go).
    private static readonly (string[] Needles, string Cause, string NextStep)[] Causes =
    [
        (["permission denied", "operation not permitted"],
            "a permission problem",
            "the postgres user cannot write the data directory on the host volume: on the node, chown it to 70:70 (Alpine images) or 999:999 (Debian images); for a Vault secret, check the job's Vault policy"),
        (["address already in use", "port is already allocated", "bind for"],
            "a port that is already in use",
            "another process on the node holds the port (often a second PostgreSQL): with network: host give postgres.port a free port, or stop the other server"),
        (["database files are incompatible with server", "initialized by postgresql version"],
            "a data directory written by another PostgreSQL major",
            "the image's major does not match the data on the volume: go back to the old major, then upgrade with `nomad-db upgrade SPEC --job NAME --to MAJOR` (dump, restore into a new volume, verified); see `nomad-db explain NDB070`"),
        (["missing: nomad.var", "missing: vault", "missing: kv"],
            "a secret the task's template waits for",
            "the Nomad Variable or Vault secret the template reads does not exist (or the job may not read it): create it (`nomad var put` / `vault kv put`) and the task starts"),
        (["no space left on device"],
            "a full disk",
            "free space on the node's host volume (old backups, WAL) and the task restarts"),
        (["failed to pull", "pull access denied", "manifest unknown", "not found: manifest"],
            "an image that cannot be pulled",
            "check the image name and tag, and that the node can reach the registry"),
    ];

    /// <summary>One line per allocation: short ID, node, client status, each task's state.</summary>
    public static string Summary(AllocationListStub allocation, JobShape? shape = null)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        var tasks = allocation.TaskStates.OrderBy(t => TaskOrder(shape?.RoleOf(allocation.TaskGroup, t.Key))).ThenBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => $"{t.Key} {TaskWord(t.Value, shape?.RoleOf(allocation.TaskGroup, t.Key))}");
        var node = allocation.NodeName.Length > 0 ? $" on {allocation.NodeName}" : "";
        var health = allocation.DeploymentStatus?.Healthy switch { true => ", healthy", false => ", unhealthy", null => "" };
        var list = string.Join(", ", tasks);
        return $"allocation {Short(allocation.ID)}{node}: {allocation.ClientStatus}{health}{(list.Length > 0 ? "; " + list : "")}";
    }

    /// <summary>What is wrong or pending in an allocation, most severe first.</summary>
    public static IReadOnlyList<Finding> Findings(AllocationListStub allocation, JobShape? shape = null)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        var findings = new List<Finding>();
        var id = Short(allocation.ID);
        foreach (var (name, state) in allocation.TaskStates.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var role = shape?.RoleOf(allocation.TaskGroup, name) ?? new TaskRole(name, "", false);
            var events = state.Events.TakeLast(RecentEventCount).Select(e => $"{e.Type}: {e.Text}".TrimEnd(' ', ':')).ToList();
            var logs = $"read its log: nomad alloc logs -stderr {id} {name}";
            if (state.Failed)
            {
                var what = role.MustComplete ? $"prestart task {name} failed, so the main tasks never start" : $"task {name} failed";
                findings.Add(new Finding(FindingSeverity.Error, allocation.ID, name, what + Because(state), events, NextStep(state) ?? logs));
            }
            else if (state.Restarts > 0)
            {
                // Still going round: not running now, or the last thing that happened was an exit or a restart.
                var looping = state.State != TaskStateName.Running
                    || state.Events.LastOrDefault()?.Type is "Terminated" or "Restarting" or "Driver Failure" or "Not Restarting";
                var database = shape?.DatabaseTasks.Contains(name) == true ? "database " : "";
                var times = $"{state.Restarts} time{(state.Restarts == 1 ? "" : "s")}";
                findings.Add(new Finding(looping ? FindingSeverity.Error : FindingSeverity.Warning, allocation.ID, name,
                    looping ? $"{database}task {name} keeps restarting ({times}){Because(state)}" : $"{database}task {name} restarted {times}, running now{Because(state)}",
                    events, NextStep(state) ?? logs));
            }
            else if (state.State != TaskStateName.Dead && MissingTemplateData(state) is { } missing)
            {
                findings.Add(new Finding(FindingSeverity.Error, allocation.ID, name, $"task {name} waits for its template: {missing}", events,
                    NextStep(state) ?? "create what the template reads; the task starts once it exists"));
            }
            else if (role.MustComplete && state.State != TaskStateName.Dead && allocation.ClientStatus is AllocationClientStatus.Running or AllocationClientStatus.Pending)
            {
                findings.Add(new Finding(FindingSeverity.Info, allocation.ID, name, $"prestart task {name} has not completed yet ({state.State})", events, logs));
            }
        }

        if (allocation.ClientStatus is AllocationClientStatus.Failed or AllocationClientStatus.Lost && findings.All(f => f.Severity != FindingSeverity.Error))
        {
            findings.Add(new Finding(FindingSeverity.Error, allocation.ID, null,
                $"allocation {id} is {allocation.ClientStatus}{(allocation.ClientDescription.Length > 0 ? $" ({allocation.ClientDescription})" : "")}", [],
                $"nomad alloc status {id}"));
        }

        if (allocation.DeploymentStatus?.Healthy == false && findings.All(f => f.Severity != FindingSeverity.Error))
        {
            findings.Add(new Finding(FindingSeverity.Error, allocation.ID, null,
                $"allocation {id} is unhealthy in its deployment", [],
                $"its tasks ran but a health check failed or it was not healthy within healthy_deadline: nomad alloc status {id}"));
        }

        return findings.OrderByDescending(f => f.Severity).ToList();
    }

    /// <summary>The first eight characters of an ID, as the nomad CLI shows them.</summary>
    public static string Short(string id) => id.Length > 8 ? id[..8] : id;

    private static string Because(TaskState state) =>
        Cause(state) is { } cause ? $": {cause.Cause}" : LastExit(state) is { } exit ? $" (last exit code {exit.ToString(CultureInfo.InvariantCulture)})" : "";

    private static string? NextStep(TaskState state) => Cause(state)?.NextStep;

    private static (string Cause, string NextStep)? Cause(TaskState state)
    {
        var texts = state.Events.Select(e => (e.Text + " " + string.Join(' ', e.Details.Values)).ToLowerInvariant()).ToList();
        foreach (var (needles, cause, nextStep) in Causes)
        {
            if (texts.Any(t => needles.Any(n => t.Contains(n, StringComparison.Ordinal))))
            {
                return (cause, nextStep);
            }
        }

        return null;
    }

    // consul-template's "Missing: ..." event (client/allocrunner/taskrunner/template/template.go), while nothing newer came.
    private static string? MissingTemplateData(TaskState state) =>
        state.Events.LastOrDefault() is { Type: "Template" } last && last.Text.StartsWith("Missing:", StringComparison.Ordinal) ? last.Text : null;

    private static int? LastExit(TaskState state) =>
        state.Events.LastOrDefault(e => e.Type == "Terminated") is { } terminated ? terminated.ExitCode : null;

    private static int TaskOrder(TaskRole? role) => role?.Hook switch { "prestart" => 0, "" or null => 1, "poststart" => 2, _ => 3 };

    private static string TaskWord(TaskState state, TaskRole? role)
    {
        var restarts = state.Restarts > 0 ? $" ({state.Restarts} restart{(state.Restarts == 1 ? "" : "s")})" : "";
        return state switch
        {
            { Failed: true } => "failed" + restarts,
            { State: TaskStateName.Dead } when role?.MustComplete == true => "done",
            { State: TaskStateName.Dead } => "dead" + restarts,
            _ => state.State + restarts,
        };
    }
}

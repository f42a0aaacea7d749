using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>How the tasks of a group share the network.</summary>
public enum NetworkMode
{
    /// <summary>A network namespace per allocation: the app reaches its database on 127.0.0.1 and ports never clash across services.</summary>
    Bridge,
    /// <summary>The node's network: every port must be static and unique on the node.</summary>
    Host,
}

/// <summary>A Nomad job holding one service, its dedicated database (or SQLite storage) and its backup.</summary>
/// <param name="Name">The job ID, also the group name.</param>
/// <param name="App">The application task.</param>
public sealed record ServiceJob(string Name, AppTask App) : Job(Name)
{
    /// <summary>The dedicated PostgreSQL sidecar, or null.</summary>
    public PostgresSidecar? Postgres { get; init; }
    /// <summary>SQLite storage for services that need no networked database, or null.</summary>
    public SqliteStorage? Sqlite { get; init; }
    /// <summary>The backup of the database, or null.</summary>
    public BackupPolicy? Backup { get; init; }
    /// <summary>How the job's host volumes are provisioned (what <c>render</c> writes beside the job).</summary>
    public HostVolumeSettings HostVolumes { get; init; } = HostVolumeSettings.Default;
    /// <summary>The preset the job was built from, if any (informational).</summary>
    public string? Preset { get; init; }
    /// <summary>Tasks of the group besides the app and the generator's: sidecars and lifecycle tasks, in order.</summary>
    public ImmutableArray<ExtraTask> Tasks { get; init; } = [];
}

/// <summary>The group's update policy.</summary>
/// <param name="MaxParallel">Allocations updated at once.</param>
/// <param name="Canary">Canaries: 0 for a group that owns a database volume.</param>
/// <param name="AutoRevert">Revert to the last stable version when an update fails.</param>
/// <param name="MinHealthyTime">Minimum healthy time, e.g. <c>30s</c>.</param>
/// <param name="HealthyDeadline">Deadline to become healthy, e.g. <c>10m</c>.</param>
/// <param name="ProgressDeadline">Deadline for the deployment to make progress, e.g. <c>15m</c>. Nomad refuses a job
/// unless <c>min_healthy_time</c> &lt; <c>healthy_deadline</c> &lt; <c>progress_deadline</c>.</param>
public sealed record UpdatePolicy(int MaxParallel, int Canary, bool AutoRevert, Duration MinHealthyTime, Duration HealthyDeadline, Duration ProgressDeadline)
{
    /// <summary>
    /// One allocation at a time, no canaries (two copies must never share a data directory), revert on failure;
    /// 10 minutes to become healthy (a first start runs initdb and the app's migrations) and a progress deadline above
    /// it, as Nomad requires (its default of 10m would make the job invalid).
    /// </summary>
    public static UpdatePolicy Stateful { get; } = new(1, 0, true, "30s", "10m", "15m");
}

/// <summary>The group's restart policy.</summary>
/// <param name="Attempts">Restarts allowed within the interval.</param>
/// <param name="Interval">The interval, e.g. <c>30m</c>.</param>
/// <param name="Delay">Delay between restarts.</param>
/// <param name="Mode"><c>delay</c> or <c>fail</c>.</param>
public sealed record RestartPolicy(int Attempts, Duration Interval, Duration Delay, string Mode)
{
    /// <summary>Nomad's service defaults, kept explicit so that reviewers see them.</summary>
    public static RestartPolicy Default { get; } = new(2, "30m", "15s", "fail");
}

using NomadDbPatterns.Model;
namespace NomadDbPatterns.Rendering;

// The job document: every rendering decision already made (names, defaults, ports, scripts, what is set and what is
// not), every value raw (strings unescaped, numbers as numbers, durations as Nomad duration strings). The builders in
// Rendering/Jobs make it; HclViewMapper and JobJsonWriter only translate it into their syntax. A null or an empty
// list means "not set": neither mapper writes it.

/// <summary>A job.</summary>
internal sealed record JobDoc(
    IReadOnlyList<string> Header,
    string Id,
    string Type,
    IReadOnlyList<string> Datacenters,
    string? Namespace,
    string? Region,
    string? NodePool,
    int? Priority,
    IReadOnlyList<ConstraintDoc> Constraints,
    PeriodicDoc? Periodic,
    GroupDoc Group)
{
    /// <summary>The job's meta: its fleet (<see cref="JobFacts.FleetMetaKey"/>) when it belongs to one.</summary>
    public IReadOnlyList<MetaDoc> Meta { get; init; } = [];

    /// <summary>
    /// A job placed where the model's <paramref name="placement"/> says (datacenters, namespace, constraints…),
    /// marked with its fleet.
    /// </summary>
    public static JobDoc Placed(Model.Job placement, IReadOnlyList<string> header, string id, string type, PeriodicDoc? periodic, GroupDoc group) =>
        new(header, id, type, placement.Datacenters, placement.Namespace, placement.Region, placement.NodePool, placement.Priority,
            [.. placement.Constraints.Select(c => new ConstraintDoc(c.Attribute, c.Operator, c.Value))], periodic, group)
        {
            Meta = placement.Fleet is { } fleet ? [new MetaDoc(JobFacts.FleetMetaKey, fleet)] : [],
        };
}

internal sealed record MetaDoc(string Key, string Value);

internal sealed record ConstraintDoc(string? Attribute, string Operator, string? Value);

internal sealed record PeriodicDoc(IReadOnlyList<string> Crons, bool ProhibitOverlap, string TimeZone);

/// <summary>A group; <paramref name="ShutdownDelay"/> is set where the group registers services.</summary>
internal sealed record GroupDoc(
    string Name,
    int Count,
    string? ShutdownDelay,
    NetworkDoc Network,
    IReadOnlyList<VolumeDoc> Volumes,
    UpdateDoc? Update,
    RestartDoc Restart,
    IReadOnlyList<ServiceDoc> Services,
    IReadOnlyList<TaskDoc> Tasks);

internal sealed record NetworkDoc(string Mode, IReadOnlyList<PortDoc> Ports);

/// <summary>A port: <paramref name="Static"/> pins the host port, <paramref name="To"/> maps it into the task.</summary>
internal sealed record PortDoc(string Label, int? Static, int? To);

internal sealed record VolumeDoc(string Name, string Type, string Source, bool ReadOnly);

internal sealed record UpdateDoc(int MaxParallel, int Canary, bool AutoRevert, string MinHealthyTime, string HealthyDeadline, string ProgressDeadline);

internal sealed record RestartDoc(int Attempts, string Interval, string Delay, string Mode)
{
    /// <summary>The model's restart policy, durations as written.</summary>
    public static RestartDoc Of(Model.RestartPolicy restart) => new(restart.Attempts, restart.Interval.Text, restart.Delay.Text, restart.Mode);
}

internal sealed record ServiceDoc(string Name, string? Port, string Provider, IReadOnlyList<string> Tags, IReadOnlyList<CheckDoc> Checks);

/// <summary>A check; <paramref name="Task"/> names the task a group service's script check runs in.</summary>
internal sealed record CheckDoc(string Type, string? Path, string? Command, IReadOnlyList<string> Args, string Interval, string Timeout, string? Task = null);

/// <summary>
/// A task: every field named where it is set (a null or an empty list is "not set"); <see cref="Comment"/> explains it
/// to readers of the HCL (JSON has no comments).
/// </summary>
internal sealed record TaskDoc
{
    /// <summary>The only driver the generator uses; task.scriban spells it out (tests that edit templates anchor on that line).</summary>
    public const string DockerDriver = "docker";

    public required string Name { get; init; }
    public IReadOnlyList<string> Comment { get; init; } = [];
    public string Driver { get; init; } = DockerDriver;
    public string? User { get; init; }
    public KillDoc? Kill { get; init; }
    public LifecycleDoc? Lifecycle { get; init; }
    public required DockerConfigDoc Config { get; init; }
    public IReadOnlyList<MountDoc> Mounts { get; init; } = [];
    public IReadOnlyList<EnvDoc> Env { get; init; } = [];
    public IReadOnlyList<TemplateDoc> Templates { get; init; } = [];
    public VaultDoc? Vault { get; init; }
    public required ResourcesDoc Resources { get; init; }
    public IReadOnlyList<ServiceDoc> Services { get; init; } = [];
    public RestartDoc? Restart { get; init; }
    public string? ShutdownDelay { get; init; }
    /// <summary><c>leader = true</c>: when this task ends, Nomad stops the group's other tasks (a one-shot job's server).</summary>
    public bool Leader { get; init; }
}

internal sealed record LifecycleDoc(string Hook, bool Sidecar);

/// <summary>How Nomad stops a task: the signal, and how long it waits before killing it.</summary>
internal sealed record KillDoc(string Signal, string Timeout);

/// <summary>The docker driver's <c>config</c> block; <paramref name="NetworkMode"/> is set on host networking.</summary>
internal sealed record DockerConfigDoc(string Image, string? Command, IReadOnlyList<string> Args, IReadOnlyList<string> Ports, long? ShmSize, string? NetworkMode = null)
{
    /// <summary><c>privileged = true</c>, or false (not written).</summary>
    public bool Privileged { get; init; }
    /// <summary>The image's entrypoint replaced (an image whose entrypoint is its program, e.g. restic), or empty.</summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public IReadOnlyList<string> DnsServers { get; init; } = [];
    public IReadOnlyList<string> DnsSearchDomains { get; init; } = [];
    public IReadOnlyList<string> DnsOptions { get; init; } = [];
    /// <summary>The driver's <c>mount</c> blocks.</summary>
    public IReadOnlyList<DockerMountDoc> Mounts { get; init; } = [];
}

/// <summary>A docker <c>mount</c> block: <paramref name="TmpfsSize"/> (bytes) goes into <c>tmpfs_options.size</c>.</summary>
internal sealed record DockerMountDoc(string Type, string Target, string? Source, bool? ReadOnly, long? TmpfsSize);

internal sealed record MountDoc(string Volume, string Destination, bool? ReadOnly);

internal sealed record EnvDoc(string Name, string Value);

internal sealed record TemplateDoc(string Destination, string? Perms, bool? Env, string ChangeMode, string Data, ChangeScriptDoc? ChangeScript = null);

/// <summary>What Nomad runs in the task when a template with change mode <c>script</c> renders new content.</summary>
internal sealed record ChangeScriptDoc(string Command, IReadOnlyList<string> Args, string Timeout, bool FailOnError);

internal sealed record VaultDoc(string? Role, string ChangeMode, string? ChangeSignal);

internal sealed record ResourcesDoc(int Cpu, int Memory, int? MemoryMax)
{
    /// <summary>The model's resources.</summary>
    public static ResourcesDoc Of(Model.Resources resources) => new(resources.Cpu, resources.Memory, resources.MemoryMax);
}

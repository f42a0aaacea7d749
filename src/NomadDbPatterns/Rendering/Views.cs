namespace NomadDbPatterns.Rendering;

// View models: flat records whose string values are already HCL (quoted strings, heredocs, list literals, numbers).
// Templates only place them: every decision is made in JobDocBuilder, every escape in HclViewMapper.

/// <summary>A whole job file.</summary>
public sealed record JobView(
    IReadOnlyList<string> Header,
    string Name,
    string Datacenters,
    string Type,
    string? Namespace,
    string? Region,
    string? NodePool,
    string? Priority,
    IReadOnlyList<ConstraintView> Constraints,
    PeriodicView? Periodic,
    GroupView Group);

/// <summary>A periodic block.</summary>
public sealed record PeriodicView(string Crons, string ProhibitOverlap, string TimeZone);

/// <summary>A constraint.</summary>
public sealed record ConstraintView(string? Attribute, string Operator, string? Value);

/// <summary>The task group.</summary>
public sealed record GroupView(
    string Name,
    string Count,
    string NetworkMode,
    IReadOnlyList<PortView> Ports,
    IReadOnlyList<VolumeView> Volumes,
    UpdateView? Update,
    RestartView Restart,
    IReadOnlyList<ServiceView> Services,
    IReadOnlyList<TaskView> Tasks);

/// <summary>A port of the group network.</summary>
public sealed record PortView(string Label, string? Static, string? To);

/// <summary>A group volume.</summary>
public sealed record VolumeView(string Name, string Type, string Source, string ReadOnly);

/// <summary>Update block.</summary>
public sealed record UpdateView(string MaxParallel, string Canary, string AutoRevert, string MinHealthyTime, string HealthyDeadline);

/// <summary>Restart block.</summary>
public sealed record RestartView(string Attempts, string Interval, string Delay, string Mode);

/// <summary>A service registration.</summary>
public sealed record ServiceView(string Name, string? Port, string Provider, string? Tags, IReadOnlyList<CheckView> Checks);

/// <summary>A check.</summary>
public sealed record CheckView(string Type, string? Path, string? Command, string? Args, string Interval, string Timeout);

/// <summary>A task.</summary>
public sealed record TaskView(
    string Name,
    IReadOnlyList<string> Comment,
    LifecycleView? Lifecycle,
    string Image,
    string? Command,
    string? Args,
    string? Ports,
    string? ShmSize,
    string? User,
    IReadOnlyList<MountView> Mounts,
    IReadOnlyList<EnvView> Env,
    IReadOnlyList<TemplateView> Templates,
    VaultView? Vault,
    ResourcesView Resources,
    IReadOnlyList<ServiceView> Services,
    RestartView? Restart);

/// <summary>Lifecycle block.</summary>
public sealed record LifecycleView(string Hook, string Sidecar);

/// <summary>volume_mount block.</summary>
public sealed record MountView(string Volume, string Destination, string? ReadOnly);

/// <summary>An env entry.</summary>
public sealed record EnvView(string Key, string Value);

/// <summary>A template block.</summary>
public sealed record TemplateView(string Destination, string? Perms, string? Env, string ChangeMode, string Data);

/// <summary>vault block.</summary>
public sealed record VaultView(string? Role, string ChangeMode);

/// <summary>resources block.</summary>
public sealed record ResourcesView(string Cpu, string Memory, string? MemoryMax);

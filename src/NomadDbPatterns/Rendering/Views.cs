namespace NomadDbPatterns.Rendering;

// View models: flat records whose string values are already HCL (quoted strings, heredocs, list literals, numbers).
// Templates only place them: every decision is made in the doc builders (Rendering/Jobs), every escape in HclViewMapper.
// Scriban reads them through IView (TemplateSet's accessor): a switch per record instead of reflection, which cost ~4 ms
// of the Native AOT start-up. ViewMembersTests proves every switch equal to the records' properties under Scriban's names.

/// <summary>A view record's members under Scriban's names (snake_case), without reflection.</summary>
internal interface IView
{
    /// <summary>What <see cref="Member"/> returns for a name the record does not have.</summary>
    static readonly object Missing = new();

    /// <summary>The value of the member Scriban calls <paramref name="name"/>, or <see cref="Missing"/>.</summary>
    object? Member(string name);
}

/// <summary>A whole job file.</summary>
internal sealed record JobView(
    IReadOnlyList<string> Header,
    string Name,
    string Datacenters,
    string Type,
    string? Namespace,
    string? Region,
    string? NodePool,
    string? Priority,
    IReadOnlyList<ConstraintView> Constraints,
    IReadOnlyList<EnvView> Meta,
    PeriodicView? Periodic,
    GroupView Group) : IView
{
    public object? Member(string name) => name switch
    {
        "header" => Header, "name" => Name, "datacenters" => Datacenters, "type" => Type, "namespace" => Namespace,
        "region" => Region, "node_pool" => NodePool, "priority" => Priority, "constraints" => Constraints,
        "meta" => Meta, "periodic" => Periodic, "group" => Group, _ => IView.Missing,
    };
}

/// <summary>A periodic block.</summary>
internal sealed record PeriodicView(string Crons, string ProhibitOverlap, string TimeZone) : IView
{
    public object? Member(string name) => name switch
    {
        "crons" => Crons, "prohibit_overlap" => ProhibitOverlap, "time_zone" => TimeZone, _ => IView.Missing,
    };
}

/// <summary>A constraint.</summary>
internal sealed record ConstraintView(string? Attribute, string Operator, string? Value) : IView
{
    public object? Member(string name) => name switch { "attribute" => Attribute, "operator" => Operator, "value" => Value, _ => IView.Missing };
}

/// <summary>The task group.</summary>
internal sealed record GroupView(
    string Name,
    string Count,
    string? ShutdownDelay,
    string NetworkMode,
    IReadOnlyList<PortView> Ports,
    IReadOnlyList<VolumeView> Volumes,
    UpdateView? Update,
    RestartView Restart,
    IReadOnlyList<ServiceView> Services,
    IReadOnlyList<TaskView> Tasks) : IView
{
    public object? Member(string name) => name switch
    {
        "name" => Name, "count" => Count, "network_mode" => NetworkMode, "ports" => Ports, "volumes" => Volumes,
        "update" => Update, "restart" => Restart, "services" => Services, "tasks" => Tasks, "shutdown_delay" => ShutdownDelay,
        _ => IView.Missing,
    };
}

/// <summary>A port of the group network.</summary>
internal sealed record PortView(string Label, string? Static, string? To) : IView
{
    public object? Member(string name) => name switch { "label" => Label, "static" => Static, "to" => To, _ => IView.Missing };
}

/// <summary>A group volume.</summary>
internal sealed record VolumeView(string Name, string Type, string Source, string ReadOnly) : IView
{
    public object? Member(string name) => name switch
    {
        "name" => Name, "type" => Type, "source" => Source, "read_only" => ReadOnly, _ => IView.Missing,
    };
}

/// <summary>Update block.</summary>
internal sealed record UpdateView(string MaxParallel, string Canary, string AutoRevert, string MinHealthyTime, string HealthyDeadline, string ProgressDeadline) : IView
{
    public object? Member(string name) => name switch
    {
        "max_parallel" => MaxParallel, "canary" => Canary, "auto_revert" => AutoRevert, "min_healthy_time" => MinHealthyTime,
        "healthy_deadline" => HealthyDeadline, "progress_deadline" => ProgressDeadline, _ => IView.Missing,
    };
}

/// <summary>Restart block.</summary>
internal sealed record RestartView(string Attempts, string Interval, string Delay, string Mode) : IView
{
    public object? Member(string name) => name switch
    {
        "attempts" => Attempts, "interval" => Interval, "delay" => Delay, "mode" => Mode, _ => IView.Missing,
    };
}

/// <summary>A service registration.</summary>
internal sealed record ServiceView(string Name, string? Port, string Provider, string? Tags, IReadOnlyList<CheckView> Checks) : IView
{
    public object? Member(string name) => name switch
    {
        "name" => Name, "port" => Port, "provider" => Provider, "tags" => Tags, "checks" => Checks, _ => IView.Missing,
    };
}

/// <summary>A check.</summary>
internal sealed record CheckView(string Type, string? Path, string? Command, string? Args, string Interval, string Timeout, string? Task) : IView
{
    public object? Member(string name) => name switch
    {
        "type" => Type, "path" => Path, "command" => Command, "args" => Args, "interval" => Interval, "timeout" => Timeout, "task" => Task,
        _ => IView.Missing,
    };
}

/// <summary>A task.</summary>
internal sealed record TaskView(
    string Name,
    IReadOnlyList<string> Comment,
    LifecycleView? Lifecycle,
    string Image,
    string? Entrypoint,
    string? Command,
    string? Args,
    string? Ports,
    string? ShmSize,
    string? NetworkMode,
    string? Privileged,
    string? DnsServers,
    string? DnsSearchDomains,
    string? DnsOptions,
    IReadOnlyList<DockerMountView> DockerMounts,
    string? User,
    string? KillSignal,
    string? KillTimeout,
    string? ShutdownDelay,
    string? Leader,
    IReadOnlyList<MountView> Mounts,
    IReadOnlyList<EnvView> Env,
    IReadOnlyList<TemplateView> Templates,
    VaultView? Vault,
    ResourcesView Resources,
    IReadOnlyList<ServiceView> Services,
    RestartView? Restart) : IView
{
    public object? Member(string name) => name switch
    {
        "name" => Name, "comment" => Comment, "lifecycle" => Lifecycle, "image" => Image, "entrypoint" => Entrypoint, "command" => Command, "args" => Args,
        "ports" => Ports, "shm_size" => ShmSize, "user" => User, "mounts" => Mounts, "env" => Env, "templates" => Templates,
        "vault" => Vault, "resources" => Resources, "services" => Services, "restart" => Restart, "kill_signal" => KillSignal,
        "kill_timeout" => KillTimeout, "shutdown_delay" => ShutdownDelay, "leader" => Leader, "network_mode" => NetworkMode, "privileged" => Privileged,
        "dns_servers" => DnsServers, "dns_search_domains" => DnsSearchDomains, "dns_options" => DnsOptions, "docker_mounts" => DockerMounts,
        _ => IView.Missing,
    };
}

/// <summary>Lifecycle block.</summary>
internal sealed record LifecycleView(string Hook, string Sidecar) : IView
{
    public object? Member(string name) => name switch { "hook" => Hook, "sidecar" => Sidecar, _ => IView.Missing };
}

/// <summary>volume_mount block.</summary>
internal sealed record MountView(string Volume, string Destination, string? ReadOnly) : IView
{
    public object? Member(string name) => name switch
    {
        "volume" => Volume, "destination" => Destination, "read_only" => ReadOnly, _ => IView.Missing,
    };
}

/// <summary>A docker <c>mount</c> block.</summary>
internal sealed record DockerMountView(string Type, string Target, string? Source, string? ReadOnly, string? TmpfsSize) : IView
{
    public object? Member(string name) => name switch
    {
        "type" => Type, "target" => Target, "source" => Source, "read_only" => ReadOnly, "tmpfs_size" => TmpfsSize, _ => IView.Missing,
    };
}

/// <summary>An attribute of a map block (env, meta): its key and its value.</summary>
internal sealed record EnvView(string Key, string Value) : IView
{
    public object? Member(string name) => name switch { "key" => Key, "value" => Value, _ => IView.Missing };
}

/// <summary>A template block.</summary>
internal sealed record TemplateView(string Destination, string? Perms, string? Env, string ChangeMode, string Data, ChangeScriptView? ChangeScript = null) : IView
{
    public object? Member(string name) => name switch
    {
        "destination" => Destination, "perms" => Perms, "env" => Env, "change_mode" => ChangeMode, "data" => Data, "change_script" => ChangeScript,
        _ => IView.Missing,
    };
}

/// <summary>A template's change_script block.</summary>
internal sealed record ChangeScriptView(string Command, string Args, string Timeout, string FailOnError) : IView
{
    public object? Member(string name) => name switch
    {
        "command" => Command, "args" => Args, "timeout" => Timeout, "fail_on_error" => FailOnError, _ => IView.Missing,
    };
}

internal sealed record VaultView(string? Role, string ChangeMode, string? ChangeSignal) : IView
{
    public object? Member(string name) => name switch
    {
        "role" => Role, "change_mode" => ChangeMode, "change_signal" => ChangeSignal, _ => IView.Missing,
    };
}

/// <summary>resources block.</summary>
internal sealed record ResourcesView(string Cpu, string Memory, string? MemoryMax) : IView
{
    public object? Member(string name) => name switch { "cpu" => Cpu, "memory" => Memory, "memory_max" => MemoryMax, _ => IView.Missing };
}

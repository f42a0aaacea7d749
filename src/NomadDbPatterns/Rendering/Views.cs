namespace NomadDbPatterns.Rendering;

// View models: flat records whose string values are already HCL (quoted strings, heredocs, list literals, numbers).
// Templates only place them: every decision is made in JobDocBuilder, every escape in HclViewMapper.
// Each names its members for the compiled templates (IScriptMembers): finding getters by reflection cost ~4 ms of the
// Native AOT start-up. ViewMembersTests proves every switch equal to the records' properties under Scriban's names.

/// <summary>A view model that hands the compiled templates a getter per member name, without reflection.</summary>
internal interface IScriptMembers
{
    /// <summary>The getter of the member Scriban calls <paramref name="name"/> (snake_case), or null when there is none.</summary>
    Func<object, object?>? Getter(string name);
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
    PeriodicView? Periodic,
    GroupView Group) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "header" => static view => ((JobView)view).Header,
        "name" => static view => ((JobView)view).Name,
        "datacenters" => static view => ((JobView)view).Datacenters,
        "type" => static view => ((JobView)view).Type,
        "namespace" => static view => ((JobView)view).Namespace,
        "region" => static view => ((JobView)view).Region,
        "node_pool" => static view => ((JobView)view).NodePool,
        "priority" => static view => ((JobView)view).Priority,
        "constraints" => static view => ((JobView)view).Constraints,
        "periodic" => static view => ((JobView)view).Periodic,
        "group" => static view => ((JobView)view).Group,
        _ => null,
    };
}

/// <summary>A periodic block.</summary>
internal sealed record PeriodicView(string Crons, string ProhibitOverlap, string TimeZone) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "crons" => static view => ((PeriodicView)view).Crons,
        "prohibit_overlap" => static view => ((PeriodicView)view).ProhibitOverlap,
        "time_zone" => static view => ((PeriodicView)view).TimeZone,
        _ => null,
    };
}

/// <summary>A constraint.</summary>
internal sealed record ConstraintView(string? Attribute, string Operator, string? Value) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "attribute" => static view => ((ConstraintView)view).Attribute,
        "operator" => static view => ((ConstraintView)view).Operator,
        "value" => static view => ((ConstraintView)view).Value,
        _ => null,
    };
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
    IReadOnlyList<TaskView> Tasks) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "name" => static view => ((GroupView)view).Name,
        "count" => static view => ((GroupView)view).Count,
        "network_mode" => static view => ((GroupView)view).NetworkMode,
        "ports" => static view => ((GroupView)view).Ports,
        "volumes" => static view => ((GroupView)view).Volumes,
        "update" => static view => ((GroupView)view).Update,
        "restart" => static view => ((GroupView)view).Restart,
        "services" => static view => ((GroupView)view).Services,
        "tasks" => static view => ((GroupView)view).Tasks,
        "shutdown_delay" => static view => ((GroupView)view).ShutdownDelay,
        _ => null,
    };
}

/// <summary>A port of the group network.</summary>
internal sealed record PortView(string Label, string? Static, string? To) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "label" => static view => ((PortView)view).Label,
        "static" => static view => ((PortView)view).Static,
        "to" => static view => ((PortView)view).To,
        _ => null,
    };
}

/// <summary>A group volume.</summary>
internal sealed record VolumeView(string Name, string Type, string Source, string ReadOnly) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "name" => static view => ((VolumeView)view).Name,
        "type" => static view => ((VolumeView)view).Type,
        "source" => static view => ((VolumeView)view).Source,
        "read_only" => static view => ((VolumeView)view).ReadOnly,
        _ => null,
    };
}

/// <summary>Update block.</summary>
internal sealed record UpdateView(string MaxParallel, string Canary, string AutoRevert, string MinHealthyTime, string HealthyDeadline, string ProgressDeadline) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "max_parallel" => static view => ((UpdateView)view).MaxParallel,
        "canary" => static view => ((UpdateView)view).Canary,
        "auto_revert" => static view => ((UpdateView)view).AutoRevert,
        "min_healthy_time" => static view => ((UpdateView)view).MinHealthyTime,
        "healthy_deadline" => static view => ((UpdateView)view).HealthyDeadline,
        "progress_deadline" => static view => ((UpdateView)view).ProgressDeadline,
        _ => null,
    };
}

/// <summary>Restart block.</summary>
internal sealed record RestartView(string Attempts, string Interval, string Delay, string Mode) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "attempts" => static view => ((RestartView)view).Attempts,
        "interval" => static view => ((RestartView)view).Interval,
        "delay" => static view => ((RestartView)view).Delay,
        "mode" => static view => ((RestartView)view).Mode,
        _ => null,
    };
}

/// <summary>A service registration.</summary>
internal sealed record ServiceView(string Name, string? Port, string Provider, string? Tags, IReadOnlyList<CheckView> Checks) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "name" => static view => ((ServiceView)view).Name,
        "port" => static view => ((ServiceView)view).Port,
        "provider" => static view => ((ServiceView)view).Provider,
        "tags" => static view => ((ServiceView)view).Tags,
        "checks" => static view => ((ServiceView)view).Checks,
        _ => null,
    };
}

/// <summary>A check.</summary>
internal sealed record CheckView(string Type, string? Path, string? Command, string? Args, string Interval, string Timeout) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "type" => static view => ((CheckView)view).Type,
        "path" => static view => ((CheckView)view).Path,
        "command" => static view => ((CheckView)view).Command,
        "args" => static view => ((CheckView)view).Args,
        "interval" => static view => ((CheckView)view).Interval,
        "timeout" => static view => ((CheckView)view).Timeout,
        _ => null,
    };
}

/// <summary>A task.</summary>
internal sealed record TaskView(
    string Name,
    IReadOnlyList<string> Comment,
    LifecycleView? Lifecycle,
    string Image,
    string? Command,
    string? Args,
    string? Ports,
    string? ShmSize,
    string? NetworkMode,
    string? User,
    string? KillSignal,
    string? KillTimeout,
    string? ShutdownDelay,
    IReadOnlyList<MountView> Mounts,
    IReadOnlyList<EnvView> Env,
    IReadOnlyList<TemplateView> Templates,
    VaultView? Vault,
    ResourcesView Resources,
    IReadOnlyList<ServiceView> Services,
    RestartView? Restart) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "name" => static view => ((TaskView)view).Name,
        "comment" => static view => ((TaskView)view).Comment,
        "lifecycle" => static view => ((TaskView)view).Lifecycle,
        "image" => static view => ((TaskView)view).Image,
        "command" => static view => ((TaskView)view).Command,
        "args" => static view => ((TaskView)view).Args,
        "ports" => static view => ((TaskView)view).Ports,
        "shm_size" => static view => ((TaskView)view).ShmSize,
        "user" => static view => ((TaskView)view).User,
        "mounts" => static view => ((TaskView)view).Mounts,
        "env" => static view => ((TaskView)view).Env,
        "templates" => static view => ((TaskView)view).Templates,
        "vault" => static view => ((TaskView)view).Vault,
        "resources" => static view => ((TaskView)view).Resources,
        "services" => static view => ((TaskView)view).Services,
        "restart" => static view => ((TaskView)view).Restart,
        "kill_signal" => static view => ((TaskView)view).KillSignal,
        "kill_timeout" => static view => ((TaskView)view).KillTimeout,
        "shutdown_delay" => static view => ((TaskView)view).ShutdownDelay,
        "network_mode" => static view => ((TaskView)view).NetworkMode,
        _ => null,
    };
}

/// <summary>Lifecycle block.</summary>
internal sealed record LifecycleView(string Hook, string Sidecar) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "hook" => static view => ((LifecycleView)view).Hook,
        "sidecar" => static view => ((LifecycleView)view).Sidecar,
        _ => null,
    };
}

/// <summary>volume_mount block.</summary>
internal sealed record MountView(string Volume, string Destination, string? ReadOnly) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "volume" => static view => ((MountView)view).Volume,
        "destination" => static view => ((MountView)view).Destination,
        "read_only" => static view => ((MountView)view).ReadOnly,
        _ => null,
    };
}

/// <summary>An env entry.</summary>
internal sealed record EnvView(string Key, string Value) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "key" => static view => ((EnvView)view).Key,
        "value" => static view => ((EnvView)view).Value,
        _ => null,
    };
}

/// <summary>A template block.</summary>
internal sealed record TemplateView(string Destination, string? Perms, string? Env, string ChangeMode, string Data) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "destination" => static view => ((TemplateView)view).Destination,
        "perms" => static view => ((TemplateView)view).Perms,
        "env" => static view => ((TemplateView)view).Env,
        "change_mode" => static view => ((TemplateView)view).ChangeMode,
        "data" => static view => ((TemplateView)view).Data,
        _ => null,
    };
}

/// <summary>vault block.</summary>
internal sealed record VaultView(string? Role, string ChangeMode, string? ChangeSignal) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "role" => static view => ((VaultView)view).Role,
        "change_mode" => static view => ((VaultView)view).ChangeMode,
        "change_signal" => static view => ((VaultView)view).ChangeSignal,
        _ => null,
    };
}

/// <summary>resources block.</summary>
internal sealed record ResourcesView(string Cpu, string Memory, string? MemoryMax) : IScriptMembers
{
    Func<object, object?>? IScriptMembers.Getter(string name) => name switch
    {
        "cpu" => static view => ((ResourcesView)view).Cpu,
        "memory" => static view => ((ResourcesView)view).Memory,
        "memory_max" => static view => ((ResourcesView)view).MemoryMax,
        _ => null,
    };
}

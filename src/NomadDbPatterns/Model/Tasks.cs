using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>
/// A task of the service's group besides the app and the generator's own (PostgreSQL, its readiness wait, the
/// backup): a sidecar such as Redis, or a one-shot prestart/poststart/poststop task such as a cron runner.
/// </summary>
/// <param name="Name">Task name: unique in the group, not one of the generator's tasks.</param>
/// <param name="Image">Container image with a tag.</param>
public sealed record ExtraTask(string Name, string Image)
{
    /// <summary>Overrides the image's command.</summary>
    public string? Command { get; init; }
    /// <summary>Arguments.</summary>
    public ImmutableArray<string> Args { get; init; } = [];
    /// <summary>User to run as, e.g. <c>1000:1000</c>.</summary>
    public string? User { get; init; }
    /// <summary>Plain (non-secret) environment variables, in order.</summary>
    public ImmutableArray<EnvVar> Env { get; init; } = [];
    /// <summary>CPU and memory.</summary>
    public Resources Resources { get; init; } = Defaults.ExtraTaskResources;
    /// <summary>When the task runs beside the main task; null: a main task itself (runs as long as the app).</summary>
    public TaskLifecycle? Lifecycle { get; init; }
    /// <summary>A service the task registers (task-level), naming a port of the group (<c>app.ports</c>), or null.</summary>
    public ServiceRegistration? Service { get; init; }
    /// <summary>Host volumes the task mounts (group volumes named like the app's).</summary>
    public ImmutableArray<AppVolume> Volumes { get; init; } = [];
    /// <summary>Template files rendered into the task's directories.</summary>
    public ImmutableArray<TemplateFile> Templates { get; init; } = [];
    /// <summary>Docker options: mounts, privileged, DNS, /dev/shm size.</summary>
    public ContainerOptions Container { get; init; } = ContainerOptions.None;
    /// <summary>Secrets the task reads as environment variables or files, by reference, in order (as the app's).</summary>
    public ImmutableArray<TaskSecret> Secrets { get; init; } = [];
}

/// <summary>When a task runs relative to the group's main tasks (Nomad's <c>lifecycle</c> block).</summary>
/// <param name="Hook">prestart, poststart or poststop.</param>
/// <param name="Sidecar">Keep it running beside the main tasks (otherwise it runs once, to completion).</param>
public sealed record TaskLifecycle(LifecycleHook Hook, bool Sidecar = false);

/// <summary>Nomad's lifecycle hooks.</summary>
public enum LifecycleHook
{
    /// <summary>Before the main tasks start.</summary>
    Prestart,
    /// <summary>After the main tasks started.</summary>
    Poststart,
    /// <summary>After the main tasks stopped.</summary>
    Poststop,
}

/// <summary>
/// Docker options any task of the group may set (the app and the extra tasks; one record, so each concept is written
/// once): <c>mount</c> blocks, <c>privileged</c>, <c>dns_*</c> and <c>shm_size</c>.
/// </summary>
public sealed record ContainerOptions
{
    /// <summary>No options: what a task gets unless it says otherwise.</summary>
    public static ContainerOptions None { get; } = new();

    /// <summary>Docker <c>mount</c> blocks: task files bind-mounted elsewhere in the container, tmpfs.</summary>
    public ImmutableArray<DockerMount> Mounts { get; init; } = [];
    /// <summary>Run the container privileged: an explicit opt-in, warned about; the Docker plugin must set <c>allow_privileged = true</c>.</summary>
    public bool Privileged { get; init; }
    /// <summary>The container's resolver settings (host networking only), or null.</summary>
    public DnsSettings? Dns { get; init; }
    /// <summary>Size of /dev/shm, or null for Docker's default (64 MB).</summary>
    public ByteSize? ShmSize { get; init; }
}

/// <summary>Kinds of Docker mounts a spec may ask for.</summary>
public enum MountType
{
    /// <summary>A file or directory of the task's own directories (<c>local/</c>, <c>secrets/</c>) at another path.</summary>
    Bind,
    /// <summary>A memory-backed file system.</summary>
    Tmpfs,
}

/// <summary>A Docker <c>mount</c> block.</summary>
/// <param name="Type">bind or tmpfs.</param>
/// <param name="Target">Absolute path in the container.</param>
public sealed record DockerMount(MountType Type, string Target)
{
    /// <summary>bind: a path relative to the task directory (<c>local/nginx.conf</c>); tmpfs: none.</summary>
    public string? Source { get; init; }
    /// <summary>Mount read-only.</summary>
    public bool ReadOnly { get; init; }
    /// <summary>tmpfs only: its size, or null for no limit.</summary>
    public ByteSize? TmpfsSize { get; init; }
}

/// <summary>The container's resolver settings (Docker <c>dns_servers</c>, <c>dns_search_domains</c>, <c>dns_options</c>).</summary>
public sealed record DnsSettings
{
    /// <summary>Name server IP addresses.</summary>
    public ImmutableArray<string> Servers { get; init; } = [];
    /// <summary>Search domains.</summary>
    public ImmutableArray<string> Searches { get; init; } = [];
    /// <summary>resolv.conf options, e.g. <c>ndots:2</c>.</summary>
    public ImmutableArray<string> Options { get; init; } = [];
}

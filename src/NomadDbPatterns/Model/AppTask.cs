using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>The application task of a service job.</summary>
/// <param name="Image">Container image with a tag.</param>
public sealed record AppTask(string Image)
{
    /// <summary>Task name.</summary>
    public string Name { get; init; } = Defaults.AppTaskName;
    /// <summary>Overrides the image's command.</summary>
    public string? Command { get; init; }
    /// <summary>Arguments.</summary>
    public ImmutableArray<string> Args { get; init; } = [];
    /// <summary>User to run as, e.g. <c>1000:1000</c>.</summary>
    public string? User { get; init; }
    /// <summary>Ports the app listens on.</summary>
    public ImmutableArray<PortMapping> Ports { get; init; } = [];
    /// <summary>Plain (non-secret) environment variables, in order.</summary>
    public ImmutableArray<EnvVar> Env { get; init; } = [];
    /// <summary>How the app receives its database settings.</summary>
    public DatabaseWiring? Database { get; init; }
    /// <summary>CPU and memory.</summary>
    public Resources Resources { get; init; } = Defaults.AppResources;
    /// <summary>Service registration, or null.</summary>
    public ServiceRegistration? Service { get; init; }
    /// <summary>The app's own host volumes.</summary>
    public ImmutableArray<AppVolume> Volumes { get; init; } = [];
    /// <summary>Extra template files.</summary>
    public ImmutableArray<TemplateFile> Templates { get; init; } = [];
    /// <summary>Secrets the app reads as environment variables or files, by reference, in order.</summary>
    public ImmutableArray<TaskSecret> Secrets { get; init; } = [];
    /// <summary>Docker options: mounts, privileged, DNS, /dev/shm size.</summary>
    public ContainerOptions Container { get; init; } = ContainerOptions.None;
}

/// <summary>An environment variable.</summary>
/// <param name="Name">Variable name.</param>
/// <param name="Value">Value (placeholders allowed only in database wiring).</param>
public sealed record EnvVar(string Name, string Value);

/// <summary>A port of the group network.</summary>
/// <param name="Name">Port label.</param>
/// <param name="To">Port inside the container (bridge mode).</param>
/// <param name="Static">Static host port, or null for a dynamic one.</param>
public sealed record PortMapping(string Name, int To, int? Static = null);

/// <summary>CPU (MHz) and memory (MB) of a task.</summary>
/// <param name="Cpu">CPU in MHz.</param>
/// <param name="Memory">Reserved memory in MB.</param>
/// <param name="MemoryMax">Memory limit in MB (oversubscription), or null.</param>
public sealed record Resources(int Cpu, int Memory, int? MemoryMax);

/// <summary>Service discovery provider.</summary>
public enum ServiceProvider
{
    /// <summary>Nomad's built-in service discovery: checks may be http or tcp only.</summary>
    Nomad,
    /// <summary>Consul.</summary>
    Consul,
}

/// <summary>Health check type.</summary>
public enum CheckType
{
    /// <summary>HTTP GET on a path.</summary>
    Http,
    /// <summary>TCP connect.</summary>
    Tcp,
    /// <summary>A command run in a task (Consul only); for the database service, <c>pg_isready</c> in the PostgreSQL task.</summary>
    Script,
}

/// <summary>A service registration.</summary>
/// <param name="Name">Service name.</param>
/// <param name="Port">Port label.</param>
public sealed record ServiceRegistration(string Name, string Port)
{
    /// <summary>The provider.</summary>
    public ServiceProvider Provider { get; init; } = Defaults.ServiceProvider;
    /// <summary>Tags.</summary>
    public ImmutableArray<string> Tags { get; init; } = [];
    /// <summary>The health check, or null.</summary>
    public HealthCheck? Check { get; init; }
}

/// <summary>A health check.</summary>
/// <param name="Type">http or tcp (script: the database service only).</param>
/// <param name="Path">HTTP path (http only).</param>
/// <param name="Interval">Interval, e.g. <c>10s</c>.</param>
/// <param name="Timeout">Timeout, e.g. <c>2s</c>.</param>
public sealed record HealthCheck(CheckType Type, string? Path, Duration Interval, Duration Timeout)
{
    /// <summary>A check at the default interval and timeout (<see cref="Defaults.CheckInterval"/>, <see cref="Defaults.CheckTimeout"/>).</summary>
    /// <param name="type">http or tcp.</param>
    /// <param name="path">HTTP path (http only).</param>
    public HealthCheck(CheckType type, string? path)
        : this(type, path, Defaults.CheckInterval, Defaults.CheckTimeout)
    {
    }
}

/// <summary>A host volume the app mounts.</summary>
/// <param name="Name">Group volume name.</param>
/// <param name="Source">Host volume name on the client.</param>
/// <param name="Destination">Mount path in the container.</param>
/// <param name="ReadOnly">Mounted read-only.</param>
public sealed record AppVolume(string Name, string Source, string Destination, bool ReadOnly = false)
{
    /// <summary>The volume is deliberately shared read-only with other jobs (fleet validation allows it).</summary>
    public bool Shared { get; init; }
}

/// <summary>An extra template file.</summary>
/// <param name="Destination">Destination relative to the task dir (local/, secrets/, alloc/).</param>
/// <param name="Data">Template text (consul-template syntax passes through).</param>
public sealed record TemplateFile(string Destination, string Data)
{
    /// <summary>Read the file as environment variables.</summary>
    public bool Env { get; init; }
    /// <summary>noop, restart, signal or script.</summary>
    public string ChangeMode { get; init; } = Defaults.TemplateChangeMode;
    /// <summary>File permissions, e.g. <c>0644</c>.</summary>
    public string? Perms { get; init; }
}

/// <summary>How the app receives its database settings.</summary>
public sealed record DatabaseWiring
{
    /// <summary>Environment variables with placeholders ({host}, {port}, {address}, {database}, {user}, {password}, {passwordUrlEncoded}, {passwordFile}).</summary>
    public ImmutableArray<EnvVar> Env { get; init; } = [];
    /// <summary>Also render the password into <c>/secrets/db-password</c>.</summary>
    public bool PasswordFile { get; init; }
}

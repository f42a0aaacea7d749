using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>The dedicated PostgreSQL sidecar of a service.</summary>
/// <param name="Password">Where the password comes from; never a literal.</param>
public sealed record PostgresSidecar(SecretSource Password) : IPostgresImage
{
    /// <summary>PostgreSQL major version.</summary>
    public int Version { get; init; } = Defaults.PostgresVersion;
    /// <summary>Image variant appended to the tag (alpine, bookworm, trixie) or empty.</summary>
    public string Variant { get; init; } = Defaults.PostgresVariant;
    /// <summary>Explicit image; overrides version and variant (and the registry) for the image reference.</summary>
    public string? Image { get; init; }
    /// <summary>
    /// Registry (and path) the official image is pulled from instead of Docker Hub, e.g. <c>registry.example</c> or
    /// <c>registry.example:5000/library</c> (a mirror); not applied to an explicit <see cref="Image"/>.
    /// </summary>
    public string? Registry { get; init; }
    /// <summary>Database name; null means the job name.</summary>
    public string? Database { get; init; }
    /// <summary>Database user; null means the job name.</summary>
    public string? User { get; init; }
    /// <summary>Port PostgreSQL listens on.</summary>
    public int Port { get; init; } = Defaults.PostgresPort;
    /// <summary>CPU and memory.</summary>
    public Resources Resources { get; init; } = Defaults.PostgresResources;
    /// <summary>Size of /dev/shm, e.g. <c>256MB</c>, or null for Docker's default.</summary>
    public ByteSize? ShmSize { get; init; }
    /// <summary>Server settings passed as <c>-c key=value</c>, in order.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Settings { get; init; } = [];
    /// <summary>Host volume name for the data directory; null means <c>&lt;job&gt;-postgres</c>.</summary>
    public string? Volume { get; init; }
    /// <summary>A declared major upgrade of an existing volume: the major it was initialised with.</summary>
    public int? UpgradeFrom { get; init; }
    /// <summary>Extensions created in the database on every start (<c>CREATE EXTENSION IF NOT EXISTS</c>), in order.</summary>
    public ImmutableArray<string> Extensions { get; init; } = [];
    /// <summary>
    /// SQL run in the database on every start, after the extensions, in one transaction: each item a statement or the
    /// text of a SQL file. It must be idempotent.
    /// </summary>
    public ImmutableArray<string> InitSql { get; init; } = [];
    /// <summary>
    /// The database registered as a service of its own (for anything outside the group, and for a periodic backup),
    /// or null: not registered, unless a periodic backup needs it (then under <c>&lt;job&gt;-db</c>).
    /// </summary>
    public DatabaseService? Service { get; init; }

    /// <summary>The image reference to run.</summary>
    public string ImageReference => PostgresImages.Reference(this);
}

/// <summary>
/// The registration of a job's PostgreSQL as a service (group service on the port labelled <c>db</c>: the node's static
/// port on host networking, the mapped port on bridge).
/// </summary>
/// <param name="Name">Service name (RFC 1123: letters, digits and '-'), unique in the namespace.</param>
public sealed record DatabaseService(string Name)
{
    /// <summary>The provider: Nomad's service discovery or Consul.</summary>
    public ServiceProvider Provider { get; init; } = Defaults.ServiceProvider;
    /// <summary>Tags.</summary>
    public ImmutableArray<string> Tags { get; init; } = [];
    /// <summary>
    /// The health check: <see cref="CheckType.Tcp"/> (the default) or <see cref="CheckType.Script"/> (Consul only:
    /// <c>pg_isready</c> run in the PostgreSQL task).
    /// </summary>
    public HealthCheck Check { get; init; } = new(CheckType.Tcp, null);
}

/// <summary>The image a PostgreSQL task runs: the same rules hold for a sidecar and for the legacy shared server.</summary>
public interface IPostgresImage
{
    /// <summary>PostgreSQL major version.</summary>
    int Version { get; }

    /// <summary>Image variant appended to the tag.</summary>
    string Variant { get; }

    /// <summary>Explicit image, or null.</summary>
    string? Image { get; }

    /// <summary>Registry (and path) of the official image, or null for Docker Hub.</summary>
    string? Registry { get; }

    /// <summary>The image reference to run.</summary>
    string ImageReference { get; }
}

/// <summary>Where a secret comes from. Secrets are rendered as consul-template lookups, never as values.</summary>
public abstract record SecretSource
{
    /// <summary>The key inside the secret.</summary>
    public abstract string Key { get; }
}

/// <summary>A Vault KV v2 secret read with the task's workload identity.</summary>
/// <param name="Path">API path including <c>data/</c>, e.g. <c>secret/data/postgres/gitea</c>.</param>
/// <param name="Key">Field of the secret.</param>
public sealed record VaultSecret(string Path, string Key = Defaults.VaultSecretKey) : SecretSource
{
    /// <summary>Vault role for the workload identity, or null for the client's default.</summary>
    public string? Role { get; init; }
    /// <summary>
    /// What Nomad does to a task reading this secret when its Vault token changes: <see cref="VaultChangeMode.Noop"/>
    /// (the default: Nomad re-renders the task's templates with the new token, and each template's own change mode
    /// applies), restart, or a signal.
    /// </summary>
    public VaultChangeMode ChangeMode { get; init; } = Defaults.VaultChangeMode;
    /// <summary>The signal sent with <see cref="VaultChangeMode.Signal"/>, e.g. <c>SIGHUP</c>.</summary>
    public string? ChangeSignal { get; init; }
    /// <inheritdoc />
    public override string Key { get; } = Key;
}

/// <summary>What Nomad does to a task when its Vault token changes (the vault block's <c>change_mode</c>).</summary>
public enum VaultChangeMode
{
    /// <summary>Nothing: the task's templates are rendered again with the new token.</summary>
    Noop,
    /// <summary>Restart the task (Nomad's default, which would restart PostgreSQL on every new token).</summary>
    Restart,
    /// <summary>Send <see cref="VaultSecret.ChangeSignal"/> to the task.</summary>
    Signal,
}

/// <summary>A Nomad Variable.</summary>
/// <param name="Path">Variable path, e.g. <c>nomad/jobs/gitea</c>.</param>
/// <param name="Key">Item key.</param>
public sealed record NomadVariableSecret(string Path, string Key = Defaults.NomadVariableSecretKey) : SecretSource
{
    /// <inheritdoc />
    public override string Key { get; } = Key;
}

/// <summary>SQLite storage for a service that needs no networked database.</summary>
/// <param name="Volume">Host volume name holding the database file.</param>
/// <param name="Destination">Mount path in the app container.</param>
/// <param name="File">Database file name inside the volume.</param>
public sealed record SqliteStorage(string Volume, string Destination, string File);

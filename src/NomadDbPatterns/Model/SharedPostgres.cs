using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>
/// The legacy shared PostgreSQL instance: one server holding one database per service, an idempotent
/// <c>init-databases</c> task that keeps those databases and their roles in place, and a cluster backup. It is frozen:
/// a database outside <see cref="Baseline"/> is refused unless <see cref="AllowNewDatabases"/> is set.
/// </summary>
/// <param name="Name">The job ID (the seed calls it <c>postgresql</c>), also the group name.</param>
/// <param name="AdminPassword">The superuser's password; never a literal.</param>
public sealed record SharedPostgresJob(string Name, SecretSource AdminPassword) : Job(Name)
{
    /// <summary>The server: image, admin user, port, data volume, resources, settings.</summary>
    public SharedPostgresServer Postgres { get; init; } = new();
    /// <summary>The databases, each owned by its own role.</summary>
    public ImmutableArray<SharedDatabase> Databases { get; init; } = [];
    /// <summary>How applications find the server.</summary>
    public DiscoveryService Service { get; init; } = DiscoveryService.Default;
    /// <summary>The cluster backup (<c>pg_dumpall</c>), or null.</summary>
    public BackupPolicy? Backup { get; init; }
    /// <summary>The recorded frozen set: the databases the instance held when it was declared legacy.</summary>
    public ImmutableArray<string> Baseline { get; init; } = [];
    /// <summary>Deliberately allows databases outside <see cref="Baseline"/>.</summary>
    public bool AllowNewDatabases { get; init; }
}

/// <summary>The server of the shared instance.</summary>
public sealed record SharedPostgresServer : IPostgresImage
{
    /// <summary>PostgreSQL major version.</summary>
    public int Version { get; init; } = Defaults.PostgresVersion;
    /// <summary>Image variant appended to the tag (alpine, bookworm, trixie) or empty.</summary>
    public string Variant { get; init; } = Defaults.PostgresVariant;
    /// <summary>Explicit image; overrides version and variant (and the registry) for the image reference.</summary>
    public string? Image { get; init; }
    /// <summary>Registry (and path) the official image is pulled from instead of Docker Hub (a mirror); not applied to an explicit <see cref="Image"/>.</summary>
    public string? Registry { get; init; }
    /// <summary>The superuser the image creates (<c>POSTGRES_USER</c>) and every admin connection uses.</summary>
    public string AdminUser { get; init; } = Defaults.SharedAdminUser;
    /// <summary>The port, static on the node: applications reach the instance at its service address and this port.</summary>
    public int Port { get; init; } = Defaults.PostgresPort;
    /// <summary>CPU and memory.</summary>
    public Resources Resources { get; init; } = Defaults.SharedPostgresResources;
    /// <summary>Size of /dev/shm, e.g. <c>256MB</c>, or null for Docker's default.</summary>
    public ByteSize? ShmSize { get; init; }
    /// <summary>Server settings passed as <c>-c key=value</c>, in order.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Settings { get; init; } = [];
    /// <summary>Host volume name for the data directory; null means <c>&lt;job&gt;-data</c>.</summary>
    public string? Volume { get; init; }

    /// <summary>The image reference to run.</summary>
    public string ImageReference => PostgresImages.Reference(this);
}

/// <summary>One database of the shared instance.</summary>
/// <param name="Name">Database name.</param>
/// <param name="Owner">The role that owns it (the application's login role).</param>
/// <param name="Password">Where the role's password comes from; never a literal.</param>
public sealed record SharedDatabase(string Name, string Owner, SecretSource Password)
{
    /// <summary>The service using it: the job name of its dedicated job after migration (and its preset, unless <see cref="Preset"/> says otherwise).</summary>
    public string? Service { get; init; }
    /// <summary>The preset the dedicated job is built from, when it is not named like <see cref="Service"/>; null for the service's name.</summary>
    public string? Preset { get; init; }
    /// <summary>The Nomad job that uses the database today (stopped before the migration), when it is not named like <see cref="Service"/>.</summary>
    public string? Job { get; init; }

    /// <summary>The job that uses the database today: <see cref="Job"/>, else <see cref="Service"/>.</summary>
    public string? CurrentJob => Job ?? Service;
}

/// <summary>The service registration through which applications find the shared instance.</summary>
/// <param name="Name">Service name (the seed: <c>postgresql</c>, i.e. <c>postgresql.service.consul</c>).</param>
/// <param name="Provider">Consul or Nomad.</param>
public sealed record DiscoveryService(string Name, ServiceProvider Provider)
{
    /// <summary><c>postgresql</c> in Consul, as in the seed.</summary>
    public static DiscoveryService Default { get; } = new("postgresql", ServiceProvider.Consul);
}

/// <summary>Decisions about the shared instance that rendering, validation and migration agree on.</summary>
internal static class SharedPostgresFacts
{
    /// <summary>The manifest init-databases.sh reads, as the init task sees it.</summary>
    public const string ManifestPath = "/local/databases.tsv";

    /// <summary>The host volume of the data directory.</summary>
    public static string DataVolumeSource(this SharedPostgresJob job) => job.Postgres.Volume ?? $"{job.Name}-data";

    /// <summary>Where the init task finds the password of <paramref name="database"/>'s owner.</summary>
    public static string PasswordFilePath(this SharedDatabase database) => $"/secrets/db-{database.Name}.pw";

    /// <summary>The databases outside the recorded baseline (allowed only with <see cref="SharedPostgresJob.AllowNewDatabases"/>).</summary>
    public static IEnumerable<SharedDatabase> OutsideBaseline(this SharedPostgresJob job) =>
        job.Databases.Where(d => !job.Baseline.Contains(d.Name, StringComparer.Ordinal));
}

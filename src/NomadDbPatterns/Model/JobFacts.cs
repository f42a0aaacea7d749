using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>Decisions derived from a job that every renderer and validator must agree on.</summary>
internal static class JobFacts
{
    /// <summary>The first major whose image keeps its data under <c>/var/lib/postgresql/MAJOR/docker</c>.</summary>
    public const int FirstMajorWithVersionedDataDirectory = 18;

    /// <summary>
    /// How long Nomad lets PostgreSQL finish a fast shutdown before SIGKILL (see Rendering's RuntimeDefaults); a service
    /// job's progress deadline must not be shorter (Task.Validate in nomad/structs/structs.go).
    /// </summary>
    internal const string PostgresKillTimeout = "30s";

    /// <summary>
    /// The job meta key naming a job's fleet (<see cref="Job.Fleet"/>). Job meta is part of every task's meta
    /// (Job.CombinedTaskMeta, nomad/structs/structs.go at v2.0.5), so setting it replaces each allocation once.
    /// </summary>
    public const string FleetMetaKey = "nomad_db_fleet";

    /// <summary>Group volume name of the PostgreSQL data directory.</summary>
    public const string DataVolumeName = "postgres-data";

    /// <summary>Group volume name of a SQLite service's database directory.</summary>
    public const string SqliteVolumeName = "sqlite-data";

    /// <summary>Group volume name of the backup destination.</summary>
    public const string BackupVolumeName = "backups";

    /// <summary>The env file of a task's env secrets (<c>secrets:</c>, a template with <c>env = true</c>).</summary>
    public const string SecretsEnvFile = "secrets/secrets.env";

    /// <summary>The database name: explicit, or the job name with '-' turned into '_'.</summary>
    public static string DatabaseName(this ServiceJob job) => job.Postgres?.Database ?? ToIdentifier(job.Name);

    /// <summary>The database user: explicit, or the job name with '-' turned into '_'.</summary>
    public static string DatabaseUser(this ServiceJob job) => job.Postgres?.User ?? ToIdentifier(job.Name);

    /// <summary>The host volume of the data directory.</summary>
    public static string DataVolumeSource(this ServiceJob job) => job.Postgres?.Volume ?? $"{job.Name}-postgres";

    /// <summary>
    /// The WAL archive of continuous archiving on the backup volume, as every task mounting it sees it: one per data
    /// volume, so that a restored or upgraded cluster (a new volume) never meets another cluster's WAL file names.
    /// </summary>
    public static string WalArchive(this ServiceJob job) => $"{Defaults.WalArchiveDirectory}/{job.DataVolumeSource()}";

    /// <summary>The base backups of continuous archiving on the backup volume (one directory per data volume).</summary>
    public static string BaseBackups(this ServiceJob job) => $"/backups/base/{job.DataVolumeSource()}";

    /// <summary>Where the data volume is mounted: the image's layout changed in 18 (see the PostgreSQL image's PGDATA rules).</summary>
    public static string DataMountPath(int major) =>
        major >= FirstMajorWithVersionedDataDirectory ? "/var/lib/postgresql" : "/var/lib/postgresql/data";

    /// <summary>PGDATA to set, or null to keep the image default (18+: /var/lib/postgresql/MAJOR/docker inside the mount).</summary>
    public static string? PgData(int major) =>
        major >= FirstMajorWithVersionedDataDirectory ? null : "/var/lib/postgresql/data/pgdata";

    /// <summary>A PostgreSQL-friendly identifier from a job name.</summary>
    public static string ToIdentifier(string name) => name.Replace('-', '_');

    /// <summary>The database service's name when <c>postgres.service</c> names none, and the one a periodic backup registers.</summary>
    public static string DefaultDatabaseServiceName(string jobName) => $"{jobName}-db";

    /// <summary>
    /// The database's service registration: <c>postgres.service</c> when given (a periodic backup connects through it),
    /// else the default one a periodic backup needs (<c>&lt;job&gt;-db</c>, the app's provider, a tcp check), else null.
    /// </summary>
    public static DatabaseService? DatabaseService(this ServiceJob job) => job.Postgres switch
    {
        null => null,
        { Service: { } service } => service,
        _ when job.HasPeriodicBackup() => new DatabaseService(DefaultDatabaseServiceName(job.Name)) { Provider = job.GroupServiceProvider() },
        _ => null,
    };

    /// <summary>
    /// The provider of every service of the job's group: Nomad allows one per group ("Multiple service providers used",
    /// TaskGroup.validateServices in nomad/structs/structs.go): the app's, else the database service's, else Nomad.
    /// </summary>
    public static ServiceProvider GroupServiceProvider(this ServiceJob job) =>
        job.App.Service?.Provider ?? job.Postgres?.Service?.Provider ?? ServiceProvider.Nomad;

    /// <summary>True when the database is registered as a service, so it listens on the group's <c>db</c> port for others.</summary>
    public static bool RegistersDatabase(this ServiceJob job) => job.DatabaseService() is not null;

    /// <summary>The name of the registered database service (the one periodic backups connect through).</summary>
    public static string DatabaseServiceName(this ServiceJob job) => job.DatabaseService()?.Name ?? DefaultDatabaseServiceName(job.Name);

    /// <summary>The job ID of a spec's periodic backup job (<c>backup.placement: periodic</c>).</summary>
    public static string BackupJobName(string jobName) => $"{jobName}-backup";

    /// <summary>The task of the backup sidecar in the service job's group.</summary>
    public const string BackupSidecarTaskName = "db-backup";

    /// <summary>
    /// The names of the tasks the generator puts into a service job's group (PostgreSQL, its readiness wait, the backup
    /// sidecar): the app and extra tasks may not take them, whatever the job holds, so adding a database later never
    /// renames a user's task.
    /// </summary>
    public static ImmutableArray<string> GeneratedTaskNames { get; } = ["postgres", "wait-for-postgres", BackupSidecarTaskName];

    /// <summary>The task of the periodic backup job (group <c>backup</c>).</summary>
    public const string PeriodicBackupTaskName = "backup";

    /// <summary>
    /// The name under which a backup sidecar registers its Consul script check: per job, so that two jobs' backup checks
    /// never become instances of one service.
    /// </summary>
    internal static string BackupServiceName(string jobName) => $"{jobName}-db-backup";

    /// <summary>
    /// The services the generator registers for a job besides the app's: the database service (<c>postgres.service</c>,
    /// or the default one of a periodic backup), and the backup sidecar's Consul script check. Each with the spec key
    /// that causes it.
    /// </summary>
    internal static IEnumerable<(string Name, string SpecPath)> GeneratedServices(this ServiceJob job)
    {
        if (job.DatabaseService() is { } database)
        {
            yield return (database.Name, job.Postgres?.Service is null ? "backup.placement" : "postgres.service.name");
        }

        if (job.Backup is { Placement: BackupPlacement.Sidecar } && job.GroupServiceProvider() == ServiceProvider.Consul)
        {
            yield return (BackupServiceName(job.Name), "backup");
        }
    }

    /// <summary>True when a separate periodic backup job reaches the database through a registered service.</summary>
    public static bool HasPeriodicBackup(this ServiceJob job) => job.Backup?.Placement == BackupPlacement.Periodic;
}

using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>
/// Every default a spec or a C# job gets when it says nothing, pinned in one place (like Aspire's pinned image tags):
/// the model's initializers and the YAML mapper both read these, so a YAML spec and a built job never differ.
/// Run-time behaviour on Nomad (kill signals, shutdown delays) lives in Rendering's RuntimeDefaults.
/// </summary>
public static class Defaults
{
    /// <summary>The datacenters a job runs in.</summary>
    public static ImmutableArray<string> Datacenters { get; } = ["dc1"];

    /// <summary>The namespace of a job that names none (Nomad's own default).</summary>
    public const string Namespace = "default";

    /// <summary>The PostgreSQL major version.</summary>
    public const int PostgresVersion = 17;

    /// <summary>The image variant appended to <c>postgres:MAJOR</c>.</summary>
    public const string PostgresVariant = "alpine";

    /// <summary>The port PostgreSQL listens on (the image's default, and the only one on bridge networking).</summary>
    public const int PostgresPort = 5432;

    /// <summary>The app task's CPU (MHz) and memory (MB); no memory_max (it needs memory oversubscription).</summary>
    public static Resources AppResources { get; } = new(200, 256, null);

    /// <summary>The app task's name.</summary>
    public const string AppTaskName = "app";

    /// <summary>An extra task's CPU (MHz) and memory (MB): a small sidecar such as Redis or a cron runner.</summary>
    public static Resources ExtraTaskResources { get; } = new(100, 128, null);

    /// <summary>
    /// The PostgreSQL sidecar's CPU and memory. No memory_max: Nomad ignores it unless the cluster enables memory
    /// oversubscription (and warns on every job), so it is set only when a spec asks for it.
    /// </summary>
    public static Resources PostgresResources { get; } = new(200, 256, null);

    /// <summary>The shared instance's CPU and memory: one server for many databases.</summary>
    public static Resources SharedPostgresResources { get; } = new(500, 512, null);

    /// <summary>The operator of a constraint that names none.</summary>
    public const string ConstraintOperator = "=";

    /// <summary>How often a health check runs.</summary>
    public const string CheckInterval = "10s";

    /// <summary>How long a health check may take.</summary>
    public const string CheckTimeout = "2s";

    /// <summary>What Nomad does when an extra template file changes.</summary>
    public const string TemplateChangeMode = "restart";

    /// <summary>The key of a Vault secret that names none.</summary>
    public const string VaultSecretKey = "password";

    /// <summary>The item of a Nomad Variable secret that names none.</summary>
    public const string NomadVariableSecretKey = "db_password";

    /// <summary>The key of the heartbeat URL in its secret (Nomad Variable or Vault), when the spec names none.</summary>
    public const string HeartbeatSecretKey = "heartbeat_url";

    /// <summary>How far back a point-in-time restore can go when <c>backup.pitr</c> names no <c>walRetention</c>.</summary>
    public const string PitrWalRetention = "7d";

    /// <summary>Where the backup volume holds the WAL archive (continuous archiving), in every task that mounts it.</summary>
    public const string WalArchiveDirectory = "/backups/wal";

    /// <summary>PostgreSQL's archive_timeout with continuous archiving: at most this much committed work is only in an unarchived segment.</summary>
    public const string PitrArchiveTimeout = "5min";

    /// <summary>When offsite copies run, unless <c>backup.offsite.schedule</c> says otherwise.</summary>
    public const string OffsiteCron = "0 5 * * *";

    /// <summary>Offsite snapshots kept per day, week and month (restic forget).</summary>
    public const int OffsiteKeepDaily = 7, OffsiteKeepWeekly = 4, OffsiteKeepMonthly = 6;

    /// <summary>The key of the restic repository password in its secret, when the spec names none.</summary>
    public const string OffsitePasswordKey = "restic_password";

    /// <summary>The image of the offsite task: restic (Alpine: sh, busybox).</summary>
    public const string ResticImage = "restic/restic:0.17.3";

    /// <summary>The image of the heartbeat task: sh and curl.</summary>
    public const string HeartbeatImage = "curlimages/curl:8.11.1";

    /// <summary>When backups run: daily at 03:00.</summary>
    public const string BackupCron = "0 3 * * *";

    /// <summary>The time zone a backup schedule is read in.</summary>
    public const string BackupTimeZone = "UTC";

    /// <summary>How many backups are kept.</summary>
    public const int BackupKeepLast = 7;

    /// <summary>Where a SQLite service's volume is mounted in the app container.</summary>
    public const string SqliteDestination = "/data";

    /// <summary>The SQLite database file inside its volume.</summary>
    public const string SqliteFile = "data.db";

    /// <summary>The Nomad Variable path a job's workload identity reads implicitly (its secrets' default home).</summary>
    public static string JobVariablePath(string jobName) => $"nomad/jobs/{jobName}";

    /// <summary>The host volume of a SQLite service's database.</summary>
    public static string SqliteVolume(string jobName) => $"{jobName}-data";

    /// <summary>The host volume receiving a job's backups.</summary>
    public static string BackupVolume(string jobName) => $"{jobName}-backups";

    /// <summary>The directory on a node that holds static host volumes, one directory per volume.</summary>
    public const string HostVolumePath = "/opt/nomad/volumes";

    /// <summary>The superuser the shared instance's image creates.</summary>
    public const string SharedAdminUser = "postgres";

    // The defaults of the spec's word-valued keys (the words are Spec/SpecWords'): the model's initializers, the YAML
    // mapper and the JSON Schema's `default` read these.

    /// <summary>How a job's tasks share the network.</summary>
    internal const NetworkMode Network = NetworkMode.Bridge;

    /// <summary>The provider of a service that names none (the app's, a task's; the database service follows the app's).</summary>
    internal const ServiceProvider ServiceProvider = Model.ServiceProvider.Nomad;

    /// <summary>The type of an app or task service's check that names none.</summary>
    internal const CheckType ServiceCheckType = CheckType.Http;

    /// <summary>The type of the database service's check.</summary>
    internal const CheckType DatabaseCheckType = CheckType.Tcp;

    /// <summary>When a task with a <c>lifecycle</c> but no <c>hook</c> runs.</summary>
    internal const LifecycleHook LifecycleHook = Model.LifecycleHook.Prestart;

    /// <summary>The type of a Docker mount that names none.</summary>
    internal const MountType MountType = Model.MountType.Bind;

    /// <summary>What Nomad does to a task reading a Vault secret when its token changes.</summary>
    internal const VaultChangeMode VaultChangeMode = Model.VaultChangeMode.Noop;

    /// <summary>The format of a service's dumps.</summary>
    internal const BackupFormat BackupFormat = Model.BackupFormat.Custom;

    /// <summary>Whether each dump is restored into a scratch database and compared (<c>verify: none</c>).</summary>
    internal const bool BackupVerifyRestore = false;

    /// <summary>Where backups run: a sidecar beside the database.</summary>
    internal const BackupPlacement BackupPlacement = Model.BackupPlacement.Sidecar;
}

namespace NomadDbPatterns.Model;

/// <summary>Where the backup runs.</summary>
public enum BackupPlacement
{
    /// <summary>A poststart sidecar task in the service's group.</summary>
    Sidecar,
    /// <summary>A separate periodic batch job reaching the database through its registered service.</summary>
    Periodic,
}

/// <summary>Dump format.</summary>
public enum BackupFormat
{
    /// <summary><c>pg_dump -Fc</c>.</summary>
    Custom,
    /// <summary>Plain SQL, gzip-compressed.</summary>
    PlainGzip,
}

/// <summary>When backups run: a cron expression in a time zone, or a plain interval.</summary>
/// <param name="Cron">Five-field cron expression, or null.</param>
/// <param name="Interval">Interval such as <c>6h</c>, or null.</param>
/// <param name="TimeZone">IANA time zone the cron expression is read in.</param>
public sealed record BackupSchedule(CronSchedule? Cron, Duration? Interval, string TimeZone = Defaults.BackupTimeZone)
{
    /// <summary>Daily at 03:00 UTC.</summary>
    public static BackupSchedule Daily { get; } = new(Defaults.BackupCron, null);
}

/// <summary>How many backups to keep.</summary>
/// <param name="KeepLast">Keep the newest N, or null.</param>
/// <param name="MaxAge">Delete backups older than this (e.g. <c>30d</c>), or null.</param>
public sealed record BackupRetention(int? KeepLast, Duration? MaxAge)
{
    /// <summary>Keep the last 7.</summary>
    public static BackupRetention Default { get; } = new(Defaults.BackupKeepLast, null);
}

/// <summary>
/// A scheduled restore drill: the newest backup, checked against its checksum, restored into a scratch database and
/// compared with the row counts its manifest recorded when the dump was taken (never with the live data).
/// </summary>
/// <param name="Schedule">Five-field cron expression.</param>
/// <param name="TimeZone">IANA time zone of <paramref name="Schedule"/>, or null for the backup schedule's.</param>
public sealed record BackupDrill(CronSchedule Schedule, string? TimeZone = null);

/// <summary>
/// Continuous archiving for point-in-time restores: the server archives its WAL to the backup volume, the backup
/// sidecar takes a base backup on <paramref name="BaseBackup"/>, and base backups and WAL are kept so that any moment
/// of the last <paramref name="WalRetention"/> can be restored.
/// </summary>
/// <param name="BaseBackup">Five-field cron expression of the base backups (in the backup schedule's time zone).</param>
/// <param name="WalRetention">How far back a point-in-time restore can go, e.g. <c>7d</c>.</param>
public sealed record BackupPitr(CronSchedule BaseBackup, Duration WalRetention);

/// <summary>How many offsite snapshots restic keeps (<c>forget --keep-daily/--keep-weekly/--keep-monthly</c>).</summary>
public sealed record OffsiteKeep(int Daily, int Weekly, int Monthly)
{
    /// <summary>7 daily, 4 weekly, 6 monthly.</summary>
    public static OffsiteKeep Default { get; } = new(Defaults.OffsiteKeepDaily, Defaults.OffsiteKeepWeekly, Defaults.OffsiteKeepMonthly);
}

/// <summary>
/// Offsite, encrypted copies of the backup volume (dumps, manifests, base backups, WAL) with restic: a sidecar (or a
/// periodic backup job's poststop task) backs the volume up to <paramref name="Repository"/> on <see cref="Schedule"/>,
/// forgets and prunes by <see cref="Keep"/>, and checks the repository now and then.
/// </summary>
/// <param name="Repository">A restic repository: <c>s3:…</c>, <c>b2:…</c>, <c>sftp:…</c>, <c>rest:…</c>, <c>azure:…</c>, <c>gs:…</c>, <c>swift:…</c>, <c>rclone:…</c>.</param>
/// <param name="Password">The repository's password (restic encrypts everything with it).</param>
public sealed record OffsitePolicy(string Repository, SecretSource Password)
{
    /// <summary>When the copy runs (in the backup schedule's time zone).</summary>
    public CronSchedule Schedule { get; init; } = Defaults.OffsiteCron;
    /// <summary>Tiered retention.</summary>
    public OffsiteKeep Keep { get; init; } = OffsiteKeep.Default;
    /// <summary>The storage's credentials: environment variable → secret (e.g. AWS_ACCESS_KEY_ID, B2_ACCOUNT_KEY).</summary>
    public System.Collections.Immutable.ImmutableArray<TaskSecret> Credentials { get; init; } = [];

    /// <summary>Every secret the offsite copies read: the repository password, then the credentials.</summary>
    public IEnumerable<SecretSource> Secrets => [Password, .. Credentials.Select(c => c.Source)];
}

/// <summary>The backup of a service's database.</summary>
/// <param name="Volume">Host volume receiving the backups; must differ from the data volume.</param>
public sealed record BackupPolicy(string Volume)
{
    /// <summary>Schedule.</summary>
    public BackupSchedule Schedule { get; init; } = BackupSchedule.Daily;
    /// <summary>Retention.</summary>
    public BackupRetention Retention { get; init; } = BackupRetention.Default;
    /// <summary>Format.</summary>
    public BackupFormat Format { get; init; } = Defaults.BackupFormat;
    /// <summary>Restore the newest dump into a scratch database and compare row counts.</summary>
    public bool VerifyRestore { get; init; } = Defaults.BackupVerifyRestore;
    /// <summary>Placement.</summary>
    public BackupPlacement Placement { get; init; } = Defaults.BackupPlacement;
    /// <summary>Scheduled restore drills, or null.</summary>
    public BackupDrill? Drill { get; init; }
    /// <summary>
    /// The ping URL of a dead-man's switch (healthchecks.io and compatible), told about every backup result: a secret
    /// reference, or null for none.
    /// </summary>
    public SecretSource? Heartbeat { get; init; }
    /// <summary>Offsite, encrypted copies with restic, or null.</summary>
    public OffsitePolicy? Offsite { get; init; }
    /// <summary>Continuous archiving for point-in-time restores, or null.</summary>
    public BackupPitr? Pitr { get; init; }
    /// <summary>The time zone the drill's schedule is read in: its own, else the backup schedule's.</summary>
    public string DrillTimeZone => Drill?.TimeZone ?? Schedule.TimeZone;
}

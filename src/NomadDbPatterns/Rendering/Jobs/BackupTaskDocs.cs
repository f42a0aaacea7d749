using System.Globalization;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The backup tasks: a service's PostgreSQL backup (sidecar or periodic job) and its SQLite backup sidecar, and the
/// script contract (environment, scripts, health) the shared instance's cluster backup uses too.
/// </summary>
internal sealed class BackupTaskDocs(ServiceJob job)
{
    /// <summary>Where every backup task mounts its backup volume.</summary>
    public const string Directory = "/backups";

    /// <summary>An image with sh and the sqlite3 shell.</summary>
    public const string SqliteImage = "keinos/sqlite3:3.46.1";

    /// <summary>
    /// A backup sidecar that exits (stale backups) is restarted with a delay instead of counting against the group's
    /// restart policy: a failing backup must be visible, but it must not take the app down with it.
    /// </summary>
    public static readonly RestartDoc SidecarRestart = new(3, "1h", "5m", "delay");

    /// <summary>What a pg_dump (or pg_dumpall) with gzip needs.</summary>
    public static readonly ResourcesDoc DumpResources = new(100, 128, null);
    private static readonly ResourcesDoc SqliteResources = new(50, 64, null);

    private ServiceProvider Provider => job.GroupServiceProvider();

    /// <summary>pg_dump of the service's database: a poststart sidecar, or the task of the periodic backup job.</summary>
    public TaskDoc Postgres(BackupPolicy backup, bool periodic)
    {
        var pg = job.Postgres!;
        var env = Env(backup, periodic ? "once" : "loop");
        env.Insert(0, new EnvDoc("BACKUP_SCOPE", "database"));
        env.Add(new EnvDoc("BACKUP_VERIFY", backup.VerifyRestore ? "restore" : "none"));
        if (backup.Pitr is { BaseBackup.Normalized: { } baseCron } pitr && !periodic)
        {
            env.Add(new EnvDoc("BACKUP_BASE_CRON", baseCron));
            env.Add(new EnvDoc("BACKUP_WAL_DIR", job.WalArchive()));
            env.Add(new EnvDoc("BACKUP_BASE_DIR", job.BaseBackups()));
            var uid = PostgresImages.PostgresUid(pg).ToString(CultureInfo.InvariantCulture);
            env.Add(new EnvDoc("BACKUP_WAL_OWNER", $"{uid}:{uid}"));
            env.Add(new EnvDoc("BACKUP_PITR_WINDOW_SECONDS", (pitr.WalRetention.Seconds ?? 0).ToString(CultureInfo.InvariantCulture)));
        }

        if (backup.Drill is { Schedule.Normalized: { } drill })
        {
            env.Add(new EnvDoc("BACKUP_DRILL_CRON", drill));
            if (backup.DrillTimeZone != backup.Schedule.TimeZone)
            {
                env.Add(new EnvDoc("BACKUP_DRILL_TZ", backup.DrillTimeZone));
            }
        }

        string connection;
        if (periodic)
        {
            // The database service: postgres.service when given, else the default one registered for this backup.
            var database = job.DatabaseService()!;
            var lookup = database.Provider == ServiceProvider.Consul ? $"service {ConsulTemplate.GoString(database.Name)}" : $"nomadService {ConsulTemplate.GoString(database.Name)}";
            connection = $"{{{{ range {lookup} }}}}PGHOST={{{{ .Address }}}}\nPGPORT={{{{ .Port }}}}\n{{{{ end }}}}";
        }
        else
        {
            connection = $"PGHOST=\"127.0.0.1\"\nPGPORT=\"{pg.Port.ToString(CultureInfo.InvariantCulture)}\"\n";
        }

        var envFile = connection
            + $"PGUSER={ConsulTemplate.EnvQuote(job.DatabaseUser())}\n"
            + $"PGDATABASE={ConsulTemplate.EnvQuote(job.DatabaseName())}\n"
            + ConsulTemplate.EnvLine("PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], pg.Password) + "\n";
        var services = new List<ServiceDoc>();
        var comment = new List<string>();
        if (!periodic)
        {
            comment.Add($"Backups of \"{job.DatabaseName()}\" to host volume \"{backup.Volume}\": dump to a temporary file, verify, rename atomically, then apply retention.");
            if (backup.Drill is not null)
            {
                comment.Add("Restore drills on BACKUP_DRILL_CRON: the newest backup restored into a scratch database and compared with its manifest.");
            }
            services.AddRange(HealthService(job.Name, Provider, comment));
        }

        return new TaskDoc
        {
            Name = periodic ? "backup" : "db-backup",
            Comment = comment,
            Lifecycle = periodic ? null : new LifecycleDoc("poststart", true),
            Config = new DockerConfigDoc(pg.ImageReference, "/bin/sh", ["/local/pg-backup.sh"], [], null),
            Mounts = [DocParts.Mount(JobFacts.BackupVolumeName, Directory)],
            Env = env,
            Templates = [DocParts.Template("secrets/backup.env", envFile, "restart", env: true), .. ScriptTemplates("pg-backup.sh", ageCheck: !periodic && Provider == ServiceProvider.Consul)],
            Vault = DocParts.Vault(pg.Password),
            Resources = DumpResources,
            Services = services,
            Restart = periodic ? null : SidecarRestart,
        };
    }

    /// <summary>Online copies of a SQLite service's database file: a poststart sidecar.</summary>
    public TaskDoc Sqlite(BackupPolicy backup)
    {
        var sqlite = job.Sqlite!;
        var env = Env(backup, "loop");
        env.Insert(0, new EnvDoc("SQLITE_DB", $"/data/{sqlite.File}"));
        var comment = new List<string> { $"Online copies of {sqlite.File} with sqlite3 .backup to host volume \"{backup.Volume}\"." };
        return new TaskDoc
        {
            Name = "db-backup",
            Comment = comment,
            Lifecycle = new LifecycleDoc("poststart", true),
            Config = new DockerConfigDoc(SqliteImage, "/bin/sh", ["/local/sqlite-backup.sh"], [], null),
            // Not read-only: sqlite3 .backup of a WAL database must be able to open the -shm file for writing.
            Mounts = [DocParts.Mount(JobFacts.SqliteVolumeName, "/data"), DocParts.Mount(JobFacts.BackupVolumeName, Directory)],
            Env = env,
            Templates = [.. ScriptTemplates("sqlite-backup.sh", ageCheck: Provider == ServiceProvider.Consul)],
            Resources = SqliteResources,
            Services = [.. HealthService(job.Name, Provider, comment)],
            Restart = SidecarRestart,
        };
    }

    /// <summary>
    /// Pings the backup's dead-man's switch with every result (heartbeat.sh reads the backup volume's markers): a
    /// poststart sidecar beside a backup sidecar, a poststop task after a periodic backup job's run.
    /// </summary>
    public static TaskDoc Heartbeat(BackupPolicy backup, bool periodic)
    {
        var secret = backup.Heartbeat!;
        var env = new List<EnvDoc>
        {
            new("BACKUP_DIR", Directory),
            new("BACKUP_LIB", "/local/backup-lib.sh"),
            new("HEARTBEAT_MODE", periodic ? "once" : "loop"),
        };
        if (!periodic)
        {
            env.Add(new EnvDoc("HEARTBEAT_STATE", "/alloc/data/heartbeat.state"));
        }

        return new TaskDoc
        {
            Name = "heartbeat",
            Comment =
            [
                periodic
                    ? "After each run: tells the dead-man's switch (backup.heartbeat) whether this run left a good backup."
                    : "Tells the dead-man's switch (backup.heartbeat) about every backup result: URL after a good one, URL/fail after a failure.",
            ],
            Lifecycle = new LifecycleDoc(periodic ? "poststop" : "poststart", !periodic),
            Config = new DockerConfigDoc(Defaults.HeartbeatImage, null, ["/local/heartbeat.sh"], [], null) { Entrypoint = ["/bin/sh"] }, // not the image's entrypoint script: sh runs the script whatever it does
            Mounts = [new MountDoc(JobFacts.BackupVolumeName, Directory, true)],
            Env = env,
            Templates =
            [
                DocParts.Template("secrets/heartbeat.env", ConsulTemplate.EnvLine("HEARTBEAT_URL", [new EnvPart(EnvPartKind.Secret, string.Empty)], secret) + "\n", "restart", env: true),
                ScriptTemplate("backup-lib.sh", "0644"),
                ScriptTemplate("heartbeat.sh", "0755"),
            ],
            Vault = DocParts.Vault(secret),
            Resources = HeartbeatResources,
            Restart = periodic ? null : SidecarRestart,
        };
    }

    private static readonly ResourcesDoc HeartbeatResources = new(20, 32, null);

    /// <summary>What restic needs to back up, forget and prune a backup volume's worth of files.</summary>
    private static readonly ResourcesDoc OffsiteResources = new(100, 256, null);

    /// <summary>Where a restore job's fetch task puts the newest offsite copy (the allocation's shared data directory).</summary>
    public const string OffsiteFetchDirectory = "/alloc/data/offsite";

    /// <summary>
    /// Encrypted offsite copies of the backup volume with restic (offsite.sh): a poststart sidecar on the offsite
    /// schedule beside a backup sidecar, a poststop task after each run of a periodic backup job.
    /// </summary>
    public static TaskDoc Offsite(ServiceJob job, BackupPolicy backup, bool periodic)
    {
        var offsite = backup.Offsite!;
        var env = new List<EnvDoc>
        {
            new("RESTIC_REPOSITORY", offsite.Repository),
            new("BACKUP_DIR", Directory),
            new("BACKUP_LIB", "/local/backup-lib.sh"),
            new("OFFSITE_MODE", periodic ? "once" : "loop"),
            new("OFFSITE_HOST", job.Name),
            new("OFFSITE_KEEP_DAILY", offsite.Keep.Daily.ToString(CultureInfo.InvariantCulture)),
            new("OFFSITE_KEEP_WEEKLY", offsite.Keep.Weekly.ToString(CultureInfo.InvariantCulture)),
            new("OFFSITE_KEEP_MONTHLY", offsite.Keep.Monthly.ToString(CultureInfo.InvariantCulture)),
        };
        if (!periodic)
        {
            env.Add(new EnvDoc("OFFSITE_CRON", offsite.Schedule.Normalized ?? offsite.Schedule.Text));
            env.Add(new EnvDoc("TZ", backup.Schedule.TimeZone));
        }

        var secrets = OffsiteTaskSecrets(offsite);
        return new TaskDoc
        {
            Name = "offsite",
            Comment =
            [
                periodic
                    ? $"After each run: an encrypted copy of host volume \"{backup.Volume}\" to the restic repository, then forget and prune (keep {offsite.Keep.Daily} daily, {offsite.Keep.Weekly} weekly, {offsite.Keep.Monthly} monthly)."
                    : $"Encrypted copies of host volume \"{backup.Volume}\" to the restic repository on OFFSITE_CRON, then forget and prune (keep {offsite.Keep.Daily} daily, {offsite.Keep.Weekly} weekly, {offsite.Keep.Monthly} monthly).",
            ],
            Lifecycle = new LifecycleDoc(periodic ? "poststop" : "poststart", !periodic),
            Config = new DockerConfigDoc(Defaults.ResticImage, null, ["/local/offsite.sh"], [], null) { Entrypoint = ["/bin/sh"] }, // the image's entrypoint is restic
            Mounts = [DocParts.Mount(JobFacts.BackupVolumeName, Directory)],
            Env = [.. env, .. AppTaskDocs.SecretFileEnv(secrets)],
            Templates = [.. AppTaskDocs.SecretTemplates(secrets), ScriptTemplate("backup-lib.sh", "0644"), ScriptTemplate("offsite.sh", "0755")],
            Vault = RuntimeDefaults.Vault(secrets.Select(s => s.Source)),
            Resources = OffsiteResources,
            Restart = periodic ? null : SidecarRestart,
        };
    }

    /// <summary>What restic reads from the environment: the repository password and the storage's credentials.</summary>
    private static List<TaskSecret> OffsiteTaskSecrets(OffsitePolicy offsite) => [new TaskSecret("RESTIC_PASSWORD", offsite.Password), .. offsite.Credentials];

    /// <summary>A restore job's prestart task that fetches the newest offsite copy into <see cref="OffsiteFetchDirectory"/>.</summary>
    public static TaskDoc OffsiteFetch(ServiceJob job)
    {
        var offsite = job.Backup!.Offsite!;
        var secrets = OffsiteTaskSecrets(offsite);
        return new TaskDoc
        {
            Name = "fetch",
            Comment = ["Fetches the newest offsite copy of the backup volume (restic restore) into the allocation's data directory."],
            Lifecycle = new LifecycleDoc("prestart", false),
            Config = new DockerConfigDoc(Defaults.ResticImage, null, ["/local/offsite.sh"], [], null) { Entrypoint = ["/bin/sh"] }, // the image's entrypoint is restic
            Env =
            [
                new("RESTIC_REPOSITORY", offsite.Repository),
                new("BACKUP_LIB", "/local/backup-lib.sh"),
                new("OFFSITE_MODE", "fetch"),
                new("OFFSITE_HOST", job.Name),
                new("OFFSITE_FETCH_DIR", OffsiteFetchDirectory),
                .. AppTaskDocs.SecretFileEnv(secrets),
            ],
            Templates = [.. AppTaskDocs.SecretTemplates(secrets), ScriptTemplate("backup-lib.sh", "0644", "noop"), ScriptTemplate("offsite.sh", "0755", "noop")],
            Vault = RuntimeDefaults.Vault(secrets.Select(s => s.Source)),
            Resources = OffsiteResources,
        };
    }

    /// <summary>The backup scripts' environment: schedule, retention, staleness, in <paramref name="mode"/> (loop or once).</summary>
    public static List<EnvDoc> Env(BackupPolicy backup, string mode)
    {
        var env = new List<EnvDoc>
        {
            new("BACKUP_DIR", Directory),
            new("BACKUP_FORMAT", backup.Format == BackupFormat.PlainGzip ? "plain-gzip" : "custom"),
            new("BACKUP_MODE", mode),
        };
        if (backup.Schedule.Cron is { Normalized: { } cron })
        {
            env.Add(new EnvDoc("BACKUP_CRON", cron));
        }
        else if (backup.Schedule.Interval?.Seconds is { } interval)
        {
            env.Add(new EnvDoc("BACKUP_INTERVAL_SECONDS", interval.ToString(CultureInfo.InvariantCulture)));
        }

        if (backup.Retention.KeepLast is { } keep)
        {
            env.Add(new EnvDoc("BACKUP_KEEP_LAST", keep.ToString(CultureInfo.InvariantCulture)));
        }

        if (backup.Retention.MaxAge?.Seconds is { } maxAge)
        {
            env.Add(new EnvDoc("BACKUP_MAX_AGE_SECONDS", maxAge.ToString(CultureInfo.InvariantCulture)));
        }

        env.Add(new EnvDoc("BACKUP_STALE_AFTER_SECONDS", BackupStaleness.StaleAfterSeconds(backup.Schedule).ToString(CultureInfo.InvariantCulture)));
        env.Add(new EnvDoc("BACKUP_LIB", "/local/backup-lib.sh"));
        env.Add(new EnvDoc("TZ", backup.Schedule.TimeZone));
        return env;
    }

    /// <summary>
    /// Failure must be visible. Consul runs a script check against the age of the newest good dump; Nomad's own
    /// service checks can only be http or tcp, so there the sidecar itself exits non-zero when backups go stale,
    /// which Nomad records as a failed task with restarts.
    /// </summary>
    public static IEnumerable<ServiceDoc> HealthService(string jobName, ServiceProvider provider, List<string> comment)
    {
        if (provider != ServiceProvider.Consul)
        {
            comment.Add("Nomad service checks cannot run scripts: the sidecar exits non-zero when the newest good backup is older than BACKUP_STALE_AFTER_SECONDS.");
            yield break;
        }

        comment.Add("Consul runs backup-age-check.sh: the check fails when the newest good backup is older than BACKUP_STALE_AFTER_SECONDS.");
        yield return DocParts.Service(JobFacts.BackupServiceName(jobName), null, ServiceProvider.Consul, DocParts.ScriptCheck("/bin/sh", ["/local/backup-age-check.sh"], "5m", "30s"));
    }

    /// <summary>
    /// The scripts a backup task runs, rendered from the Nomad Variable <c>nomad/jobs</c> (shipped once per namespace,
    /// not copied into each job); the age check only where Consul runs it.
    /// </summary>
    public static IEnumerable<TemplateDoc> ScriptTemplates(string main, bool ageCheck)
    {
        yield return ScriptTemplate("backup-lib.sh", "0644");
        yield return ScriptTemplate(main, "0755");
        if (ageCheck)
        {
            yield return ScriptTemplate("backup-age-check.sh", "0755");
        }
    }

    /// <summary>A script read from the scripts variable.</summary>
    public static TemplateDoc ScriptTemplate(string name, string perms, string changeMode = "restart") =>
        DocParts.Template($"local/{name}", ScriptsVariable.TemplateData(name), changeMode, perms);
}

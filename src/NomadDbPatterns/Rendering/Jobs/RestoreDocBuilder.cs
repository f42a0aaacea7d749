using System.Globalization;
using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using static NomadDbPatterns.Rendering.DocParts;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The one-shot restore job <c>&lt;job&gt;-restore</c>: a batch job that starts the job's own PostgreSQL task on the
/// target data volume (a new one, or the job's own for an in-place restore) and runs restore-database.sh with the
/// backup volume mounted read-only. The database is never exposed on the network and the app never runs meanwhile.
/// A major upgrade's second job is the same restore into the new major's volume (<see cref="Recovery.Upgrade"/>): it
/// passes its own job name and header.
/// </summary>
internal sealed class RestoreDocBuilder(ServiceJob job, ServiceJob target, JobDoc targetDoc, RestoreOptions options, string sourceName, string? jobName = null, IReadOnlyList<string>? header = null)
{
    /// <summary>The task running restore-database.sh.</summary>
    public const string RestoreTaskName = "restore";

    /// <summary>The group of the restore job.</summary>
    public const string GroupName = "restore";

    private const string WaitSeconds = "300";

    /// <summary>The restore job's name.</summary>
    public static string JobName(ServiceJob job) => $"{job.Name}-restore";

    private string Name => jobName ?? JobName(job);

    public JobDoc Build()
    {
        var postgres = targetDoc.Group.Tasks.Single(t => t.Name == "postgres") with
        {
            Comment = target.Postgres!.Version != job.Postgres!.Version
                ?
                [
                    $"Job \"{job.Name}\"'s PostgreSQL task as it runs after the upgrade ({target.Postgres.ImageReference}) on the new host volume",
                    $"\"{target.DataVolumeSource()}\": the image's entrypoint creates the empty database, and the dump is restored into it.",
                ]
                :
                [
                    $"The job's own PostgreSQL task on host volume \"{target.DataVolumeSource()}\": it starts exactly as job \"{job.Name}\"",
                    options.Into == RestoreTarget.NewVolume
                        ? "would on a new volume (the image's entrypoint creates the empty database), and the backup is restored into it."
                        : "does on its own volume; the database is dropped, created again and restored.",
                ],
        };
        var backup = job.Backup!;
        var group = Group(
            GroupName,
            job.Network,
            [.. targetDoc.Group.Network.Ports.Where(p => postgres.Config.Ports.Contains(p.Label))],
            [targetDoc.Group.Volumes.Single(v => v.Name == JobFacts.DataVolumeName), HostVolume(JobFacts.BackupVolumeName, backup.Volume, readOnly: true)],
            null,
            OneShotRestart,
            [],
            [.. options.From == RestoreOptions.Offsite ? new[] { BackupTaskDocs.OffsiteFetch(job) } : [], postgres, RestoreTask()]);
        return OneShotJob(header ?? Header(), Name, job, group);
    }

    private List<string> Header() =>
    [
        GeneratedFrom(sourceName),
        $"One-shot restore of database \"{job.DatabaseName()}\" of job \"{job.Name}\" from {options.From switch { RestoreOptions.Latest => "its newest good backup", RestoreOptions.Offsite => "the newest offsite copy's newest good backup", _ => $"backup {options.From}" }}",
        $"on host volume \"{job.Backup!.Volume}\" into host volume \"{target.DataVolumeSource()}\" ({(options.Into == RestoreTarget.NewVolume ? "a new, empty volume" : "in place: the current data is replaced")}).",
        $"Follow RUNBOOK.md: job \"{job.Name}\" must be stopped{(options.Into == RestoreTarget.InPlace ? "" : " while this runs if it uses the same volume")}; never run both at once.",
    ];

    /// <summary>
    /// The point-in-time restore job (continuous archiving): <c>prepare</c> (prestart) unpacks the newest base backup
    /// before the target onto the new volume and configures the recovery; then the job's own PostgreSQL task (not
    /// archiving, the backup volume read-only for its restore_command) recovers and promotes, and <c>verify</c>, the
    /// leader, waits for the promotion and ends the job.
    /// </summary>
    public static JobDoc BuildPitr(ServiceJob job, ServiceJob target, JobDoc targetDoc, string until, string sourceName)
    {
        var pg = target.Postgres!;
        var backup = job.Backup!;
        var uid = PostgresImages.PostgresUid(pg).ToString(CultureInfo.InvariantCulture);
        var backupsReadOnly = new MountDoc(JobFacts.BackupVolumeName, BackupTaskDocs.Directory, true);
        var scripts = new[] { BackupTaskDocs.ScriptTemplate("backup-lib.sh", "0644", "noop"), Template("local/pitr-restore.sh", ScriptsVariable.OneJobTemplateData(JobName(job), ScriptsVariable.PitrRestoreKey), "noop", perms: "0755") };
        var prepare = new TaskDoc
        {
            Name = "prepare",
            Comment =
            [
                $"Unpacks the newest base backup that ended before {until} onto the new volume (which must be empty) and configures",
                "the recovery: restore_command from the WAL archive, the target time, promote. For latest, a gap in the archive fails here.",
            ],
            Lifecycle = new LifecycleDoc("prestart", false),
            Config = Config(pg.ImageReference, "/bin/sh", ["/local/pitr-restore.sh"]),
            Mounts = [Mount(JobFacts.DataVolumeName, JobFacts.DataMountPath(pg.Version)), backupsReadOnly],
            Env =
            [
                Env("PITR_STEP", "prepare"),
                Env("PGDATA", JobFacts.PgData(pg.Version) ?? $"{JobFacts.DataMountPath(pg.Version)}/{pg.Version}/docker"),
                Env("PGDATABASE", job.DatabaseName()),
                Env("BACKUP_DIR", BackupTaskDocs.Directory),
                Env("BACKUP_WAL_DIR", job.WalArchive()),
                Env("BACKUP_BASE_DIR", job.BaseBackups()),
                Env("BACKUP_LIB", "/local/backup-lib.sh"),
                Env("RESTORE_UNTIL", until),
                Env("PG_OWNER", $"{uid}:{uid}"),
            ],
            Templates = scripts,
            Resources = BackupTaskDocs.DumpResources,
        };
        var server = targetDoc.Group.Tasks.Single(t => t.Name == "postgres") with
        {
            Comment =
            [
                $"The job's own PostgreSQL task on the new host volume \"{target.DataVolumeSource()}\", started after prepare: it replays the",
                "archived WAL up to the target and promotes itself (its settings come from the job, without archiving).",
            ],
            Lifecycle = null,
            Mounts = [.. targetDoc.Group.Tasks.Single(t => t.Name == "postgres").Mounts, backupsReadOnly],
        };
        var envFile = ConsulTemplate.EnvLine("PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], pg.Password) + "\n";
        var verify = new TaskDoc
        {
            Name = RestoreTaskName,
            Comment = ["Waits until the server has recovered to the target and been promoted, then logs what the database holds; ends the job."],
            Leader = true,
            Config = Config(pg.ImageReference, "/bin/sh", ["/local/pitr-restore.sh"]),
            Env =
            [
                Env("PITR_STEP", "verify"),
                Env("PGHOST", "127.0.0.1"),
                Env("PGPORT", pg.Port.ToString(CultureInfo.InvariantCulture)),
                Env("PGUSER", target.DatabaseUser()),
                Env("PGDATABASE", target.DatabaseName()),
                Env("BACKUP_LIB", "/local/backup-lib.sh"),
                Env("RESTORE_UNTIL", until),
                Env("RESTORE_WAIT_SECONDS", "3600"),
            ],
            Templates = [Template("secrets/restore.env", envFile, "noop", env: true), .. scripts],
            Vault = Vault(pg.Password),
            Resources = BackupTaskDocs.DumpResources,
        };
        var group = Group(
            GroupName,
            job.Network,
            [.. targetDoc.Group.Network.Ports.Where(p => server.Config.Ports.Contains(p.Label))],
            [targetDoc.Group.Volumes.Single(v => v.Name == JobFacts.DataVolumeName), HostVolume(JobFacts.BackupVolumeName, backup.Volume, readOnly: true)],
            null,
            OneShotRestart,
            [],
            [prepare, server, verify]);
        List<string> header =
        [
            GeneratedFrom(sourceName),
            $"Point-in-time restore of database \"{job.DatabaseName()}\" of job \"{job.Name}\" to {(until == "latest" ? "the end of the WAL archive" : until)}: the newest base backup",
            $"before it and the archived WAL on host volume \"{backup.Volume}\", into the new host volume \"{target.DataVolumeSource()}\".",
            $"Follow RUNBOOK.md; job \"{job.Name}\"'s volume is not touched.",
        ];
        return OneShotJob(header, JobName(job), job, group);
    }

    /// <summary>
    /// The restore job of a SQLite service: one task with the sqlite3 image, the target data volume (the job's own, or
    /// a new one) and the backup volume read-only, running restore-sqlite.sh.
    /// </summary>
    public static JobDoc BuildSqlite(ServiceJob job, ServiceJob target, RestoreOptions options, string sourceName)
    {
        var sqlite = target.Sqlite!;
        var backup = job.Backup!;
        var newVolume = options.Into == RestoreTarget.NewVolume;
        var task = new TaskDoc
        {
            Name = RestoreTaskName,
            Comment =
            [
                "Checks the backup's sha256, copies it beside the database file, checks the copy (sha256, PRAGMA integrity_check)",
                newVolume ? "and renames it into place on the new volume." : "and renames it over the database file (its -wal and -shm removed first).",
            ],
            Config = Config(BackupTaskDocs.SqliteImage, "/bin/sh", ["/local/restore-sqlite.sh"]),
            Mounts = [Mount(JobFacts.SqliteVolumeName, "/data"), new MountDoc(JobFacts.BackupVolumeName, BackupTaskDocs.Directory, true)],
            Env =
            [
                Env("SQLITE_DB", $"/data/{sqlite.File}"),
                Env("BACKUP_DIR", BackupTaskDocs.Directory),
                Env("BACKUP_LIB", "/local/backup-lib.sh"),
                Env("RESTORE_FROM", options.From),
                Env("RESTORE_INTO", newVolume ? "new-volume" : "in-place"),
            ],
            Templates =
            [
                BackupTaskDocs.ScriptTemplate("backup-lib.sh", "0644", "noop"),
                Template("local/restore-sqlite.sh", ScriptsVariable.OneJobTemplateData(JobName(job), ScriptsVariable.RestoreSqliteKey), "noop", perms: "0755"),
            ],
            Resources = BackupTaskDocs.DumpResources,
        };
        var group = Group(
            GroupName,
            job.Network,
            [],
            [HostVolume(JobFacts.SqliteVolumeName, sqlite.Volume), HostVolume(JobFacts.BackupVolumeName, backup.Volume, readOnly: true)],
            null,
            OneShotRestart,
            [],
            [task]);
        List<string> header =
        [
            GeneratedFrom(sourceName),
            $"One-shot restore of SQLite database \"{sqlite.File}\" of job \"{job.Name}\" from {(options.From == RestoreOptions.Latest ? "its newest good backup" : $"backup {options.From}")}",
            $"on host volume \"{backup.Volume}\" into host volume \"{sqlite.Volume}\" ({(newVolume ? "a new, empty volume" : "in place: the current file is replaced")}).",
            $"Follow RUNBOOK.md: job \"{job.Name}\" must be stopped{(newVolume ? " while this runs if it uses the same volume" : "")}; never run both at once.",
        ];
        return OneShotJob(header, JobName(job), job, group);
    }

    private TaskDoc RestoreTask()
    {
        var pg = target.Postgres!;
        var envFile = ConsulTemplate.EnvLine("PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], pg.Password) + "\n";
        return new TaskDoc
        {
            Name = RestoreTaskName,
            Comment =
            [
                "Checks the backup's sha256, restores it in one transaction, and compares every table's exact row count with",
                "the backup's manifest (counted in the dump's snapshot): any difference fails the job.",
            ],
            Config = Config(pg.ImageReference, "/bin/sh", ["/local/restore-database.sh"]),
            Mounts = [new MountDoc(JobFacts.BackupVolumeName, BackupTaskDocs.Directory, true)],
            Env =
            [
                Env("PGHOST", "127.0.0.1"),
                Env("PGPORT", pg.Port.ToString(CultureInfo.InvariantCulture)),
                Env("PGUSER", target.DatabaseUser()),
                Env("PGDATABASE", target.DatabaseName()),
                Env("BACKUP_DIR", options.From == RestoreOptions.Offsite ? $"{BackupTaskDocs.OffsiteFetchDirectory}{BackupTaskDocs.Directory}" : BackupTaskDocs.Directory),
                Env("BACKUP_LIB", "/local/backup-lib.sh"),
                Env("RESTORE_FROM", options.From == RestoreOptions.Offsite ? RestoreOptions.Latest : options.From),
                Env("RESTORE_INTO", options.Into == RestoreTarget.NewVolume ? "new-volume" : "in-place"),
                Env("RESTORE_WAIT_SECONDS", WaitSeconds),
            ],
            Templates =
            [
                Template("secrets/restore.env", envFile, "noop", env: true),
                BackupTaskDocs.ScriptTemplate("backup-lib.sh", "0644", "noop"),
                Template("local/restore-database.sh", ScriptsVariable.OneJobTemplateData(Name, ScriptsVariable.RestoreKey), "noop", perms: "0755"),
            ],
            Vault = Vault(pg.Password),
            Resources = BackupTaskDocs.DumpResources,
        };
    }
}

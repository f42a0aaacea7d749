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
            new RestartPolicy(0, "30m", "15s", "fail"),
            [],
            [postgres, RestoreTask()]);
        return OneShotJob(header ?? Header(), Name, job, group);
    }

    private List<string> Header() =>
    [
        GeneratedFrom(sourceName),
        $"One-shot restore of database \"{job.DatabaseName()}\" of job \"{job.Name}\" from {(options.From == RestoreOptions.Latest ? "its newest good backup" : $"backup {options.From}")}",
        $"on host volume \"{job.Backup!.Volume}\" into host volume \"{target.DataVolumeSource()}\" ({(options.Into == RestoreTarget.NewVolume ? "a new, empty volume" : "in place: the current data is replaced")}).",
        $"Follow RUNBOOK.md: job \"{job.Name}\" must be stopped{(options.Into == RestoreTarget.InPlace ? "" : " while this runs if it uses the same volume")}; never run both at once.",
    ];

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
            new RestartPolicy(0, "30m", "15s", "fail"),
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
                Env("BACKUP_DIR", BackupTaskDocs.Directory),
                Env("BACKUP_LIB", "/local/backup-lib.sh"),
                Env("RESTORE_FROM", options.From),
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

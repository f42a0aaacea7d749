using System.Globalization;
using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using static NomadDbPatterns.Rendering.DocParts;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The major upgrade's first one-shot job <c>&lt;job&gt;-upgrade-dump</c>: the job's own PostgreSQL task (old major,
/// its own data volume) and pg-backup.sh run once in the new major's image, so that the dump is written by the newer
/// pg_dump, with the checksum and manifest of every backup. Nothing is deleted: no retention runs.
/// </summary>
internal sealed class UpgradeDumpDocBuilder(ServiceJob job, JobDoc jobDoc, string newImage, string sourceName)
{
    /// <summary>The task running pg-backup.sh.</summary>
    public const string DumpTaskName = "dump";

    /// <summary>The group of the dump job.</summary>
    public const string GroupName = "dump";

    private const string WaitSeconds = "300";

    public JobDoc Build()
    {
        var pg = job.Postgres!;
        var backup = job.Backup!;
        var postgres = jobDoc.Group.Tasks.Single(t => t.Name == "postgres") with
        {
            Comment =
            [
                $"The job's own PostgreSQL {pg.Version} task on its host volume \"{job.DataVolumeSource()}\": it starts exactly as job \"{job.Name}\" does.",
            ],
        };
        var group = Group(
            GroupName,
            job.Network,
            [.. jobDoc.Group.Network.Ports.Where(p => postgres.Config.Ports.Contains(p.Label))],
            [jobDoc.Group.Volumes.Single(v => v.Name == JobFacts.DataVolumeName), HostVolume(JobFacts.BackupVolumeName, backup.Volume)],
            null,
            OneShotRestart,
            [],
            [postgres, DumpTask()]);
        List<string> header =
        [
            GeneratedFrom(sourceName),
            $"Major upgrade of job \"{job.Name}\", step 1 of 2: database \"{job.DatabaseName()}\" on PostgreSQL {pg.Version} (host volume \"{job.DataVolumeSource()}\")",
            $"is dumped with the pg_dump of {newImage} into host volume \"{backup.Volume}\", with checksum and manifest.",
            $"Follow RUNBOOK.md: job \"{job.Name}\" must be stopped; never run both at once.",
        ];
        return OneShotJob(header, Upgrade.DumpJobName(job.Name), job, group);
    }

    private TaskDoc DumpTask()
    {
        var pg = job.Postgres!;
        var backup = job.Backup!;
        var envFile = ConsulTemplate.EnvLine("PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], pg.Password) + "\n";
        return new TaskDoc
        {
            Name = DumpTaskName,
            Comment =
            [
                "pg-backup.sh once, with the new major's client tools: dump to a temporary file, check it, count every table's",
                "rows in the dump's snapshot (the manifest the restore compares with), sha256, rename atomically.",
            ],
            Config = Config(newImage, "/bin/sh", ["/local/pg-backup.sh"]),
            Mounts = [Mount(JobFacts.BackupVolumeName, BackupTaskDocs.Directory)],
            Env =
            [
                Env("PGHOST", "127.0.0.1"),
                Env("PGPORT", pg.Port.ToString(CultureInfo.InvariantCulture)),
                Env("PGUSER", job.DatabaseUser()),
                Env("PGDATABASE", job.DatabaseName()),
                Env("BACKUP_SCOPE", "database"),
                Env("BACKUP_DIR", BackupTaskDocs.Directory),
                Env("BACKUP_FORMAT", backup.Format == BackupFormat.PlainGzip ? "plain-gzip" : "custom"),
                Env("BACKUP_MODE", "once"),
                Env("BACKUP_VERIFY", "none"),
                Env("BACKUP_WAIT_SECONDS", WaitSeconds),
                Env("BACKUP_LIB", "/local/backup-lib.sh"),
            ],
            Templates =
            [
                Template("secrets/dump.env", envFile, "noop", env: true),
                BackupTaskDocs.ScriptTemplate("backup-lib.sh", "0644", "noop"),
                BackupTaskDocs.ScriptTemplate("pg-backup.sh", "0755", "noop"),
            ],
            Vault = Vault(pg.Password),
            Resources = BackupTaskDocs.DumpResources,
        };
    }
}

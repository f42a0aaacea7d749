using System.Globalization;
using System.Text;
using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;
using static NomadDbPatterns.Rendering.LegacyViews;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Makes the rendering decisions for the legacy shared instance: the <c>postgresql</c> job with the server as its main
/// task, the <c>init-databases</c> poststart task and the cluster backup sidecar.
/// </summary>
internal sealed class SharedPostgresViewBuilder(SharedPostgresJob job, string sourceName, TemplateSet templates)
{
    /// <summary>PostgreSQL's port inside the allocation's network namespace; the node's port is mapped onto it.</summary>
    public const int ContainerPort = 5432;

    private const string AdminPasswordFile = "/secrets/admin-password";
    private const string DataVolume = JobFacts.DataVolumeName;
    private const string InitWaitSeconds = "300";

    private SharedPostgresServer Pg => job.Postgres;

    public JobView Build()
    {
        var tasks = new List<TaskView> { PostgresTask(), InitTask() };
        var volumes = new List<VolumeView> { HostVolume(DataVolume, job.DataVolumeSource()) };
        if (job.Backup is { } backup)
        {
            tasks.Add(BackupTask(backup));
            volumes.Add(HostVolume(JobFacts.BackupVolumeName, backup.Volume));
        }

        var group = Group(
            job.Name,
            "bridge",
            [StaticPort("db", Pg.Port, ContainerPort)],
            volumes,
            job.Update,
            job.Restart,
            [Service(job.Service.Name, "db", job.Service.Provider, TcpCheck())],
            tasks);
        return Job(Header(), job.Name, "service", job.Datacenters, job.Namespace, job.Region, job.NodePool, job.Priority, job.Constraints, group);
    }

    private List<string> Header()
    {
        var header = new List<string>
        {
            GeneratedFrom(sourceName),
            $"Legacy shared PostgreSQL, frozen: {job.Databases.Length} databases, recorded baseline of {job.Baseline.Length}. New services get a dedicated database;",
            "move services off this instance one at a time with `nomad-db migrate` (see its --plan).",
        };
        var outside = job.OutsideBaseline().Select(d => d.Name).ToList();
        if (outside.Count > 0)
        {
            header.Add($"allowNewDatabases is set: outside the baseline are {string.Join(", ", outside)}.");
        }

        return header;
    }

    private TaskView PostgresTask()
    {
        var args = new List<string>();
        foreach (var setting in Pg.Settings)
        {
            args.Add("-c");
            args.Add($"{setting.Key}={setting.Value}");
        }

        var env = new List<EnvView>();
        if (JobFacts.PgData(Pg.Version) is { } pgData)
        {
            env.Add(Env("PGDATA", pgData));
        }

        env.Add(Env("POSTGRES_USER", Pg.AdminUser));
        env.Add(Env("POSTGRES_PASSWORD_FILE", AdminPasswordFile));
        return Task(
            "postgres",
            [
                $"PostgreSQL {Pg.Version}, the main task, with its data on host volume \"{job.DataVolumeSource()}\".",
                $"Applications find it as service \"{job.Service.Name}\" on the node's port {Pg.Port.ToString(CultureInfo.InvariantCulture)}.",
            ],
            null,
            Pg.ImageReference,
            null,
            args,
            ["db"],
            Pg.ShmSize is { } shm ? PostgresSidecarValidator.ParseSize(shm) : null,
            [Mount(DataVolume, JobFacts.DataMountPath(Pg.Version))],
            env,
            [SecretFile(AdminPasswordFile.TrimStart('/'), job.AdminPassword, "noop")],
            Vault([job.AdminPassword]),
            Pg.Resources,
            []);
    }

    private TaskView InitTask()
    {
        var templatesList = new List<TemplateView>
        {
            Template("secrets/init.env", ConsulTemplate.EnvLine("PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], job.AdminPassword) + "\n", "noop", env: true),
            Template(SharedPostgresFacts.ManifestPath.TrimStart('/'), Manifest(job), "noop", "0644"),
            Script(templates, "init-databases.sh", "0755"),
        };
        templatesList.AddRange(job.Databases.Select(d => SecretFile(d.PasswordFilePath().TrimStart('/'), d.Password, "noop")));
        return Task(
            "init-databases",
            [
                "Makes every database in the manifest exist, owned by its role, with the role's current password,",
                "and changes nothing that is already right. Runs after every start of the server, then exits.",
            ],
            Lifecycle("poststart", sidecar: false),
            Pg.ImageReference,
            "/bin/sh",
            ["/local/init-databases.sh"],
            [],
            null,
            [],
            [
                Env("PGHOST", "127.0.0.1"),
                Env("PGPORT", ContainerPort.ToString(CultureInfo.InvariantCulture)),
                Env("PGUSER", Pg.AdminUser),
                Env("INIT_MANIFEST", SharedPostgresFacts.ManifestPath),
                Env("INIT_WAIT_SECONDS", InitWaitSeconds),
            ],
            templatesList,
            Vault([job.AdminPassword, .. job.Databases.Select(d => d.Password)]),
            new Resources(100, 64, 128),
            []);
    }

    /// <summary>init-databases.sh's manifest: <c>name TAB owner TAB password_file</c>, one line per database.</summary>
    internal static string Manifest(SharedPostgresJob job)
    {
        var builder = new StringBuilder();
        foreach (var database in job.Databases)
        {
            builder.Append(database.Name).Append('\t').Append(database.Owner).Append('\t').Append(database.PasswordFilePath()).Append('\n');
        }

        return builder.ToString();
    }

    private TaskView BackupTask(BackupPolicy backup)
    {
        var env = new List<EnvView>
        {
            Env("BACKUP_SCOPE", "cluster"),
            Env("BACKUP_DIR", BackupMount),
            Env("BACKUP_FORMAT", "plain-gzip"),
            Env("BACKUP_MODE", "loop"),
        };
        env.AddRange(BackupSchedule(backup));
        var envFile = $"PGHOST=\"127.0.0.1\"\nPGPORT=\"{ContainerPort.ToString(CultureInfo.InvariantCulture)}\"\n"
            + $"PGUSER={ConsulTemplate.EnvQuote(Pg.AdminUser)}\n"
            + "PGDATABASE=\"postgres\"\n"
            + ConsulTemplate.EnvLine("PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], job.AdminPassword) + "\n";
        var comment = new List<string>
        {
            $"Cluster backups (pg_dumpall: every database and the roles) to host volume \"{backup.Volume}\":",
            "dump to a temporary file, check it, rename it atomically, then apply retention.",
        };
        var services = new List<ServiceView>();
        if (job.Service.Provider == ServiceProvider.Consul)
        {
            comment.Add("Consul runs backup-age-check.sh: the check fails when the newest good backup is older than BACKUP_STALE_AFTER_SECONDS.");
            services.Add(Service("db-backup", null, ServiceProvider.Consul, ScriptCheck("/bin/sh", ["/local/backup-age-check.sh"], "5m", "30s")));
        }
        else
        {
            comment.Add("Nomad service checks cannot run scripts: the sidecar exits non-zero when the newest good backup is older than BACKUP_STALE_AFTER_SECONDS.");
        }

        return Task(
            "db-backup",
            comment,
            Lifecycle("poststart", sidecar: true),
            Pg.ImageReference,
            "/bin/sh",
            ["/local/pg-backup.sh"],
            [],
            null,
            [Mount(JobFacts.BackupVolumeName, BackupMount)],
            env,
            [
                Template("secrets/backup.env", envFile, "restart", env: true),
                Script(templates, "backup-lib.sh", "0644"),
                Script(templates, "pg-backup.sh", "0755"),
                Script(templates, "backup-age-check.sh", "0755"),
            ],
            Vault([job.AdminPassword]),
            new Resources(100, 128, 512),
            services);
    }
}

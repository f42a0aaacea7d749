using System.Globalization;
using System.Text;
using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;
using static NomadDbPatterns.Rendering.DocParts;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Makes the rendering decisions for the legacy shared instance: the <c>postgresql</c> job with the server as its main
/// task, the <c>init-databases</c> poststart task and the cluster backup sidecar.
/// </summary>
internal sealed class SharedPostgresDocBuilder(SharedPostgresJob job, string sourceName, TemplateSet templates)
{
    /// <summary>PostgreSQL's port inside the allocation's network namespace on bridge networking; the node's port is mapped onto it.</summary>
    public const int ContainerPort = Defaults.PostgresPort;

    private const string AdminPasswordFile = "/secrets/admin-password";
    private const string InitWaitSeconds = "300";

    /// <summary>The init task: psql and a handful of statements per database.</summary>
    private static readonly ResourcesDoc InitResources = new(100, 64, null);

    private SharedPostgresServer Pg => job.Postgres;

    private bool Host => job.Network == NetworkMode.Host;

    /// <summary>The port the server listens on: the node's port itself on host networking.</summary>
    private string ListenPort => (Host ? Pg.Port : ContainerPort).ToString(CultureInfo.InvariantCulture);

    public JobDoc Build()
    {
        var tasks = new List<TaskDoc> { PostgresTask(), InitTask() };
        var volumes = new List<VolumeDoc> { HostVolume(JobFacts.DataVolumeName, job.DataVolumeSource()) };
        if (job.Backup is { } backup)
        {
            tasks.Add(BackupTask(backup));
            volumes.Add(HostVolume(JobFacts.BackupVolumeName, backup.Volume));
        }

        var group = Group(
            job.Name,
            job.Network,
            [Host ? new PortDoc("db", Pg.Port, null) : new PortDoc("db", Pg.Port, ContainerPort)],
            volumes,
            job.Update,
            job.Restart,
            [Service(job.Service.Name, "db", job.Service.Provider, TcpCheck())],
            tasks);
        return Job(Header(), job.Name, "service", job, group);
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

        // The init task always reads its script from the variable.
        header.Add(templates.ScriptsVariable.HeaderLine);
        return header;
    }

    private TaskDoc PostgresTask()
    {
        var args = new List<string>();
        if (Host && Pg.Port != ContainerPort)
        {
            args.Add("-p");
            args.Add(ListenPort);
        }

        foreach (var setting in Pg.Settings)
        {
            args.Add("-c");
            args.Add($"{setting.Key}={setting.Value}");
        }

        var env = new List<EnvDoc>();
        if (JobFacts.PgData(Pg.Version) is { } pgData)
        {
            env.Add(Env("PGDATA", pgData));
        }

        env.Add(Env("POSTGRES_USER", Pg.AdminUser));
        env.Add(Env("POSTGRES_PASSWORD_FILE", AdminPasswordFile));
        return new TaskDoc
        {
            Name = "postgres",
            Comment =
            [
                $"PostgreSQL {Pg.Version}, the main task, with its data on host volume \"{job.DataVolumeSource()}\".",
                PostgresImages.OwnerComment(Pg),
                $"Applications find it as service \"{job.Service.Name}\" on the node's port {Pg.Port.ToString(CultureInfo.InvariantCulture)}.",
            ],
            Kill = RuntimeDefaults.PostgresKill,
            Config = Config(Pg.ImageReference, args: args, ports: ["db"], shmSize: Pg.ShmSize?.Bytes),
            Mounts = [Mount(JobFacts.DataVolumeName, JobFacts.DataMountPath(Pg.Version))],
            Env = env,
            Templates = [SecretFile(AdminPasswordFile.TrimStart('/'), job.AdminPassword, "noop")],
            Vault = RuntimeDefaults.Vault([job.AdminPassword]),
            Resources = ResourcesDoc.Of(Pg.Resources),
        };
    }

    private TaskDoc InitTask()
    {
        var templatesList = new List<TemplateDoc>
        {
            Template("secrets/init.env", ConsulTemplate.EnvLine("PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], job.AdminPassword) + "\n", "noop", env: true),
            Template(SharedPostgresFacts.ManifestPath.TrimStart('/'), Manifest(job), "noop", "0644"),
            BackupTaskDocs.ScriptTemplate("init-databases.sh", "0755"),
        };
        templatesList.AddRange(job.Databases.Select(d => SecretFile(d.PasswordFilePath().TrimStart('/'), d.Password, "noop")));
        return new TaskDoc
        {
            Name = "init-databases",
            Comment =
            [
                "Makes every database in the manifest exist, owned by its role, with the role's current password,",
                "and changes nothing that is already right. Runs after every start of the server, then exits.",
            ],
            Lifecycle = Lifecycle("poststart", sidecar: false),
            Config = Config(Pg.ImageReference, "/bin/sh", ["/local/init-databases.sh"]),
            Env =
            [
                Env("PGHOST", "127.0.0.1"),
                Env("PGPORT", ListenPort),
                Env("PGUSER", Pg.AdminUser),
                Env("INIT_MANIFEST", SharedPostgresFacts.ManifestPath),
                Env("INIT_WAIT_SECONDS", InitWaitSeconds),
            ],
            Templates = templatesList,
            Vault = RuntimeDefaults.Vault([job.AdminPassword, .. job.Databases.Select(d => d.Password)]),
            Resources = InitResources,
        };
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

    private TaskDoc BackupTask(BackupPolicy backup)
    {
        // The same script contract as a service's backup sidecar, with the scope widened to the whole cluster.
        var env = BackupTaskDocs.Env(backup, "loop");
        env.Insert(0, Env("BACKUP_SCOPE", "cluster"));
        var envFile = $"PGHOST=\"127.0.0.1\"\nPGPORT=\"{ListenPort}\"\n"
            + $"PGUSER={ConsulTemplate.EnvQuote(Pg.AdminUser)}\n"
            + "PGDATABASE=\"postgres\"\n"
            + ConsulTemplate.EnvLine("PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], job.AdminPassword) + "\n";
        var comment = new List<string>
        {
            $"Cluster backups (pg_dumpall: every database and the roles) to host volume \"{backup.Volume}\":",
            "dump to a temporary file, check it, rename it atomically, then apply retention.",
        };
        var services = BackupTaskDocs.HealthService(job.Name, job.Service.Provider, comment).ToList();
        return new TaskDoc
        {
            Name = "db-backup",
            Comment = comment,
            Lifecycle = Lifecycle("poststart", sidecar: true),
            Config = Config(Pg.ImageReference, "/bin/sh", ["/local/pg-backup.sh"]),
            Mounts = [Mount(JobFacts.BackupVolumeName, BackupTaskDocs.Directory)],
            Env = env,
            Templates =
            [
                Template("secrets/backup.env", envFile, "restart", env: true),
                .. BackupTaskDocs.ScriptTemplates("pg-backup.sh", ageCheck: job.Service.Provider == ServiceProvider.Consul),
            ],
            Vault = RuntimeDefaults.Vault([job.AdminPassword]),
            Resources = BackupTaskDocs.DumpResources,
            Services = services,
            Restart = BackupTaskDocs.SidecarRestart,
        };
    }
}

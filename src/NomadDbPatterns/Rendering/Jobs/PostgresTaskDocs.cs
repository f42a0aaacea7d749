using System.Globalization;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The dedicated PostgreSQL of a service job: the server (a prestart sidecar on its data volume) and the task that
/// holds the app back until it accepts connections, then applies the extensions and init SQL.
/// </summary>
internal sealed class PostgresTaskDocs(ServiceJob job)
{
    private PostgresSidecar Pg => job.Postgres!;

    /// <summary>The PostgreSQL server's task.</summary>
    public const string ServerTaskName = "postgres";

    /// <summary>Where every task of the job finds the database password.</summary>
    public const string PasswordFilePath = "/secrets/db-password";

    private const string WaitSeconds = "300";

    /// <summary>What the wait task needs to check readiness.</summary>
    private static readonly ResourcesDoc WaitResources = new(50, 32, null);

    public TaskDoc Server()
    {
        var pg = Pg;
        var args = new List<string>();
        if (pg.Port != Defaults.PostgresPort)
        {
            args.Add("-p");
            args.Add(pg.Port.ToString(CultureInfo.InvariantCulture));
        }

        if (job.Network == NetworkMode.Host && !job.RegistersDatabase() && pg.Settings.All(s => s.Key != "listen_addresses"))
        {
            // On the node's network the image's default listen_addresses='*' would expose the database to the LAN.
            args.Add("-c");
            args.Add("listen_addresses=127.0.0.1");
        }

        foreach (var setting in pg.Settings)
        {
            args.Add("-c");
            args.Add($"{setting.Key}={setting.Value}");
        }

        // Continuous archiving: every finished WAL segment to the backup volume (archive-wal.sh), at least every
        // archive_timeout when anything was written.
        var pitr = job.Backup is { Pitr: not null, Placement: BackupPlacement.Sidecar };
        if (pitr)
        {
            args.AddRange(["-c", "archive_mode=on", "-c", $"archive_command=/bin/sh /local/{ArchiveScript} %p %f {job.WalArchive()}", "-c", $"archive_timeout={Defaults.PitrArchiveTimeout}"]);
        }

        var env = new List<EnvDoc>();
        if (JobFacts.PgData(pg.Version) is { } pgData)
        {
            env.Add(new EnvDoc("PGDATA", pgData));
        }

        env.Add(new EnvDoc("POSTGRES_DB", job.DatabaseName()));
        env.Add(new EnvDoc("POSTGRES_USER", job.DatabaseUser()));
        env.Add(new EnvDoc("POSTGRES_PASSWORD_FILE", PasswordFilePath));
        if (pg.Port != Defaults.PostgresPort)
        {
            // rotate-password.sh runs in this task and connects over the local socket, whose name carries the port
            // (.s.PGSQL.PORT): libpq reads PGPORT (the server is started with -p, which wins for itself).
            env.Add(new EnvDoc("PGPORT", pg.Port.ToString(CultureInfo.InvariantCulture)));
        }
        return new TaskDoc
        {
            Name = ServerTaskName,
            Comment =
            [
                $"PostgreSQL {pg.Version}: a prestart sidecar, so it runs for the whole allocation; its data lives on host volume \"{job.DataVolumeSource()}\".",
                PostgresImages.OwnerComment(pg),
            ],
            Kill = RuntimeDefaults.PostgresKill,
            Lifecycle = new LifecycleDoc("prestart", true),
            Config = new DockerConfigDoc(
                pg.ImageReference,
                null,
                args,
                job.Network == NetworkMode.Host || job.RegistersDatabase() ? ["db"] : [],
                pg.ShmSize?.Bytes),
            Mounts = [DocParts.Mount(JobFacts.DataVolumeName, JobFacts.DataMountPath(pg.Version)), .. pitr ? new[] { DocParts.Mount(JobFacts.BackupVolumeName, BackupTaskDocs.Directory) } : []],
            Env = env,
            Templates = [RotatedPasswordFile(pg.Password), BackupTaskDocs.ScriptTemplate(RotateScript, "0755", "noop"), .. pitr ? new[] { BackupTaskDocs.ScriptTemplate(ArchiveScript, "0755", "noop") } : []],
            Vault = DocParts.Vault(pg.Password),
            Resources = ResourcesDoc.Of(pg.Resources),
        };
    }

    /// <summary>PostgreSQL's archive_command with continuous archiving (scripts variable item <c>archive_wal</c>).</summary>
    public const string ArchiveScript = "archive-wal.sh";

    /// <summary>The script that gives the role a changed password (scripts variable item <c>rotate_password</c>).</summary>
    public const string RotateScript = "rotate-password.sh";

    /// <summary>
    /// The server's password file. The image reads it only when it initialises an empty data directory; when the secret
    /// changes, Nomad runs rotate-password.sh in the task (change mode <c>script</c>), which sets the role's password
    /// over the local socket, while the app's own template restarts the app after its splay. PostgreSQL keeps running;
    /// a failed rotation is logged as a task event, not a restart (fail_on_error = false: a restart would not fix it).
    /// </summary>
    private static TemplateDoc RotatedPasswordFile(SecretSource secret) =>
        PasswordFile(secret, "script") with
        {
            ChangeScript = new ChangeScriptDoc("/bin/sh", [$"/local/{RotateScript}"], RotateTimeout, FailOnError: false),
        };

    /// <summary>How long Nomad lets the rotation run (Nomad's default is 5s).</summary>
    private const string RotateTimeout = "30s";

    public TaskDoc WaitUntilReady()
    {
        var pg = Pg;
        var script = $"i=0; until pg_isready -h 127.0.0.1 -p {pg.Port} -q; do i=$((i+1)); if [ \"$i\" -ge {WaitSeconds} ]; then echo \"wait-for-postgres: PostgreSQL not ready after {WaitSeconds}s\" >&2; exit 1; fi; sleep 1; done; echo \"wait-for-postgres: PostgreSQL accepts connections\"";
        List<string> comment = ["The app starts only after this task exits 0, i.e. once PostgreSQL accepts connections:", "Nomad starts main tasks when prestart sidecars are running, not when they are ready."];
        var init = InitSql.Needed(pg);
        if (init)
        {
            // The extensions and init SQL, on every start of the job, before the app: as the database's superuser.
            script += "; " + InitSql.Command(pg.Port, job.DatabaseUser(), job.DatabaseName(), PasswordFilePath);
            comment.Add($"Then it applies {InitSql.Destination} (postgres.extensions, postgres.initSql) in one transaction, on every start: it must be idempotent.");
        }

        return new TaskDoc
        {
            Name = "wait-for-postgres",
            Comment = comment,
            Lifecycle = new LifecycleDoc("prestart", false),
            Config = new DockerConfigDoc(pg.ImageReference, "sh", ["-c", script], [], null),
            Templates = init ? [DocParts.Template(InitSql.Destination, ConsulTemplate.Literal(InitSql.Script(pg)), "noop", "0644"), PasswordFile(pg.Password, "noop")] : [],
            Vault = init ? DocParts.Vault(pg.Password) : null,
            Resources = WaitResources,
        };
    }

    /// <summary>The password in <see cref="PasswordFilePath"/>.</summary>
    public static TemplateDoc PasswordFile(SecretSource secret, string changeMode) =>
        DocParts.SecretFile(PasswordFilePath.TrimStart('/'), secret, changeMode);
}

using System.Globalization;
using NomadDbPatterns.Model;
using static NomadDbPatterns.Rendering.DocParts;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The one-shot migration job <c>&lt;service&gt;-migrate</c>: a batch job that starts the dedicated job's own PostgreSQL
/// task on the dedicated data volume, waits for it, and runs migrate-database.sh from the shared instance (found
/// through its service) into it. The database is therefore never exposed on the network, and the app never meets an
/// empty database: the dedicated job is started only after this job completed and was checked.
/// </summary>
internal sealed class MigrationDocBuilder(
    SharedPostgresJob shared,
    SharedDatabase database,
    ServiceJob dedicated,
    JobDoc dedicatedDoc,
    string sourceName)
{
    /// <summary>The task running migrate-database.sh.</summary>
    public const string MigrateTaskName = "migrate";

    /// <summary>The group of the migration job.</summary>
    public const string GroupName = "migrate";

    /// <summary>Where the dump is written inside the task (removed by the script when it exits).</summary>
    public const string WorkDirectory = "/local/work";

    private const string WaitSeconds = "300";

    /// <summary>The migration job's name.</summary>
    public static string JobName(ServiceJob dedicated) => $"{dedicated.Name}-migrate";

    public JobDoc Build()
    {
        var postgres = DedicatedTask("postgres") with
        {
            Comment =
            [
                $"The dedicated job's own PostgreSQL task, unchanged, on its data volume \"{dedicated.DataVolumeSource()}\":",
                $"the migration initialises the volume exactly as job \"{dedicated.Name}\" would, then restores into it.",
            ],
        };
        var wait = DedicatedTask("wait-for-postgres") with
        {
            Comment = ["The migration starts only after this task exits 0, i.e. once PostgreSQL accepts connections."],
        };
        // The dedicated job's network, with the ports its PostgreSQL task binds (host networking, or a periodic backup's
        // database port): the migration must run PostgreSQL exactly as that job will.
        var group = Group(
            GroupName,
            dedicated.Network,
            [.. dedicatedDoc.Group.Network.Ports.Where(p => postgres.Config.Ports.Contains(p.Label))],
            [dedicatedDoc.Group.Volumes.Single(v => v.Name == JobFacts.DataVolumeName)],
            null,
            OneShotRestart,
            [],
            [postgres, wait, MigrateTask()]);
        return OneShotJob(Header(), JobName(dedicated), dedicated, group);
    }

    private TaskDoc DedicatedTask(string name) => dedicatedDoc.Group.Tasks.Single(t => t.Name == name);

    private List<string> Header()
    {
        var header = new List<string>
        {
            GeneratedFrom(sourceName),
            $"One-shot migration of database \"{database.Name}\" from the shared PostgreSQL job \"{shared.Name}\"",
            $"(service \"{shared.Service.Name}\") into host volume \"{dedicated.DataVolumeSource()}\" of job \"{dedicated.Name}\". Follow RUNBOOK.md:",
            $"stop the app first, and never run this job while job \"{dedicated.Name}\" runs (both would start PostgreSQL",
            "on that volume). A completed migration is recorded in the target (nomad_db_migration.completed), so running",
            "the job again changes nothing.",
        };
        var variables = VariablePaths(shared, dedicated);
        if (variables.Count > 0)
        {
            header.Add($"This job's workload identity reads nomad/jobs/{JobName(dedicated)} implicitly, not {string.Join(" or ", variables)}:");
            header.Add($"apply {JobName(dedicated)}.policy.hcl to it first (see RUNBOOK.md).");
        }

        return header;
    }

    /// <summary>Nomad Variable paths the migration job reads that its workload identity cannot read implicitly.</summary>
    internal static List<string> VariablePaths(SharedPostgresJob shared, ServiceJob dedicated) =>
        [.. new[] { shared.AdminPassword, dedicated.Postgres!.Password }
            .OfType<NomadVariableSecret>()
            .Select(v => v.Path)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <summary>pg_dump and pg_restore of one database, as much as the dedicated PostgreSQL task gets.</summary>
    private static readonly ResourcesDoc MigrateResources = new(200, 256, null);

    private TaskDoc MigrateTask()
    {
        var pg = dedicated.Postgres!;
        var lookup = shared.Service.Provider == ServiceProvider.Consul ? "service" : "nomadService";
        var envFile =
            $"{{{{ range {lookup} {ConsulTemplate.GoString(shared.Service.Name)} }}}}SOURCE_PGHOST={{{{ .Address }}}}\nSOURCE_PGPORT={{{{ .Port }}}}\n{{{{ end }}}}"
            + ConsulTemplate.EnvLine("SOURCE_PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], shared.AdminPassword) + "\n"
            + ConsulTemplate.EnvLine("TARGET_PGPASSWORD", [new EnvPart(EnvPartKind.Secret, string.Empty)], pg.Password) + "\n";
        return new TaskDoc
        {
            Name = MigrateTaskName,
            Comment =
            [
                $"pg_dump -Fc of \"{database.Name}\" from the shared instance, restore as \"{dedicated.DatabaseUser()}\", compare every table's row count,",
                "every sequence and the large objects, and record completion, all in one transaction: any difference rolls it back.",
            ],
            Config = Config(pg.ImageReference, "/bin/sh", ["/local/migrate-database.sh"]),
            Env =
            [
                Env("SOURCE_PGUSER", shared.Postgres.AdminUser),
                Env("SOURCE_DATABASE", database.Name),
                Env("TARGET_PGHOST", "127.0.0.1"),
                Env("TARGET_PGPORT", pg.Port.ToString(CultureInfo.InvariantCulture)),
                Env("TARGET_PGUSER", dedicated.DatabaseUser()),
                Env("TARGET_DATABASE", dedicated.DatabaseName()),
                Env("TARGET_OWNER", dedicated.DatabaseUser()),
                Env("MIGRATION_WORKDIR", WorkDirectory),
                Env("MIGRATION_WAIT_SECONDS", WaitSeconds),
            ],
            Templates =
            [
                Template("secrets/migrate.env", envFile, "noop", env: true),
                Template("local/migrate-database.sh", ScriptsVariable.OneJobTemplateData(JobName(dedicated), ScriptsVariable.MigrateKey), "noop", perms: "0755"),
            ],
            Vault = RuntimeDefaults.Vault([shared.AdminPassword, pg.Password]),
            Resources = MigrateResources,
        };
    }
}

using System.Security.Cryptography;
using NUnit.Framework;
using NomadDbPatterns.Tests.Infrastructure;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>
/// templates/scripts/migrate-database.sh from a "shared" cluster to a "dedicated" one, both real PostgreSQL. Every
/// test uses its own service name, so the tests share the two clusters without sharing databases.
/// </summary>
[TestFixture]
public sealed class MigrateDatabaseScriptTests
{
    private PostgresCluster _shared = null!;
    private PostgresCluster _dedicated = null!;
    private string _pgBin = null!;
    private string _workDir = null!;

    [OneTimeSetUp]
    public void StartClusters()
    {
        _shared = PostgresCluster.Start("shared");
        _dedicated = PostgresCluster.Start("dedicated");
        _pgBin = LegacyScripts.ClientBinDir(_dedicated);
    }

    [OneTimeTearDown]
    public void StopClusters()
    {
        _shared.Dispose();
        _dedicated.Dispose();
    }

    [SetUp]
    public void CreateWorkDir() => _workDir = Directory.CreateTempSubdirectory("nomaddb-migrate-").FullName;

    [TearDown]
    public void RemoveWorkDir() => Directory.Delete(_workDir, recursive: true);

    [Test]
    public void CopiesEveryTableSequenceAndLargeObjectAndWritesTheMarker([Values] ScriptShell shell)
    {
        var service = Service.Create($"speedtest_{shell.ToString().ToLowerInvariant()}");
        SeedSource(service);
        CreateTarget(service);

        var result = Migrate(service, shell);

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        var sourceCounts = RowCounts(_shared, service.Database);
        Assert.Multiple(() =>
        {
            for (var step = 1; step <= 6; step++)
            {
                Assert.That(result.StdOut, Does.Contain($"migrate-database: step {step}/6: "));
            }

            Assert.That(sourceCounts.Keys, Is.SupersetOf(new[] { "audit.events", "public.items", "public.\"odd-name\"" }));
            Assert.That(RowCounts(_dedicated, service.Database), Is.EqualTo(sourceCounts), "tables and exact row counts");
            Assert.That(SequenceValues(_dedicated, service.Database), Is.EqualTo(SequenceValues(_shared, service.Database)));
            Assert.That(TargetSql(service, "SELECT encode(lo_get(oid), 'escape') FROM pg_largeobject_metadata"),
                Is.EqualTo("attachment"));
            Assert.That(TargetSql(service, """
                SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner), ',') FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'audit')
                """), Is.EqualTo(service.Role), "restored objects belong to the target owner");
            Assert.That(TargetSql(service,
                "SELECT source_database || ' ' || (verified_counts ->> 'table audit.events') FROM nomad_db_migration.completed"),
                Is.EqualTo($"{service.Database} {sourceCounts["audit.events"]}"));
            // The sequences came along: the app's next insert does not collide with migrated rows.
            Assert.That(TargetSql(service, "INSERT INTO public.items (name) VALUES ('after migration') RETURNING id"),
                Is.EqualTo("251"));
            Assert.That(Directory.GetFiles(_workDir), Is.Empty, "the dump is removed");
            AssertNoSecret(result, service);
        });
    }

    [Test]
    public void SecondRunIsANoOp()
    {
        var service = Service.Create("freshrss_rerun");
        SeedSource(service);
        CreateTarget(service);
        var first = Migrate(service);
        Assert.That(first.ExitCode, Is.Zero, first.StdErr);
        // The app has started on the dedicated database and written to it.
        TargetSql(service, "INSERT INTO public.items (name) VALUES ('written by the app')");
        var countsBefore = RowCounts(_dedicated, service.Database);

        var second = Migrate(service);

        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.Zero, second.StdErr);
            Assert.That(second.StdOut, Does.Contain("already migrated").And.Contain("nothing to do"));
            Assert.That(second.StdOut, Does.Not.Contain("step 4/6"));
            Assert.That(RowCounts(_dedicated, service.Database), Is.EqualTo(countsBefore));
            Assert.That(TargetSql(service, "SELECT count(*) FROM nomad_db_migration.completed"), Is.EqualTo("1"));
            AssertNoSecret(second, service);
        });
    }

    [Test]
    public void TargetWithDataItDidNotPutThereIsRefusedAndLeftAlone()
    {
        var service = Service.Create("vaultwarden_foreign");
        SeedSource(service);
        CreateTarget(service);
        // The app was started against the empty dedicated database before the migration ran.
        TargetSql(service, "CREATE TABLE public.notes (id int); INSERT INTO public.notes VALUES (1), (2)");
        var relationsBefore = Relations(_dedicated, service.Database);

        var result = Migrate(service);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("already holds objects this migration did not create")
                .And.Contain("public.notes (table)"));
            Assert.That(Relations(_dedicated, service.Database), Is.EqualTo(relationsBefore));
            Assert.That(TargetSql(service, "SELECT count(*) FROM public.notes"), Is.EqualTo("2"));
            Assert.That(TargetSql(service, "SELECT count(*) FROM pg_namespace WHERE nspname = 'nomad_db_migration'"),
                Is.EqualTo("0"), "no marker");
            AssertNoSecret(result, service);
        });
    }

    [Test]
    public void RowsLostOnTheTargetFailVerificationAndRollEverythingBack()
    {
        var service = Service.Create("grafana_lossy");
        SeedSource(service);
        CreateTarget(service);
        // Something on the target silently drops rows on insert: an event trigger (an "audit" extension, say) that puts
        // a BEFORE INSERT trigger returning NULL on audit.events as soon as the restore creates it. COPY fires it.
        TargetSql(service, """
            CREATE FUNCTION public.swallow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            CREATE FUNCTION public.attach_swallow() RETURNS event_trigger LANGUAGE plpgsql AS $$
            DECLARE created record;
            BEGIN
              FOR created IN SELECT * FROM pg_event_trigger_ddl_commands()
                              WHERE command_tag = 'CREATE TABLE' AND object_identity = 'audit.events' LOOP
                EXECUTE format('CREATE TRIGGER swallow BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION public.swallow_row()',
                               created.object_identity);
              END LOOP;
            END $$;
            CREATE EVENT TRIGGER attach_swallow ON ddl_command_end EXECUTE FUNCTION public.attach_swallow();
            """);

        var result = Migrate(service);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("verification failed")
                .And.Contain($"table audit.events: source {RowCounts(_shared, service.Database)["audit.events"]}, target 0"));
            Assert.That(result.StdOut, Does.Not.Contain("step 6/6"));
            Assert.That(Relations(_dedicated, service.Database), Is.Empty, "the restore was rolled back");
            Assert.That(TargetSql(service, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('audit', 'nomad_db_migration')"),
                Is.EqualTo("0"), "no restored schema and no marker");
            AssertNoSecret(result, service);
        });

        // Nothing was kept, so once the cause is gone the same migration runs through.
        TargetSql(service, "DROP EVENT TRIGGER attach_swallow");
        var retry = Migrate(service);
        Assert.That(retry.ExitCode, Is.Zero, retry.StdErr);
        Assert.That(RowCounts(_dedicated, service.Database), Is.EqualTo(RowCounts(_shared, service.Database)));
    }

    [Test]
    public void WriteOnTheSourceDuringTheMigrationFailsVerification()
    {
        var service = Service.Create("authelia_busy");
        SeedSource(service);
        CreateTarget(service);
        // The app was not stopped: it writes one row right after pg_dump took its snapshot. A pg_dump wrapper first in
        // PATH does exactly that, so the timing is deterministic.
        var shimDir = Directory.CreateDirectory(Path.Combine(_workDir, "shim")).FullName;
        var shim = Path.Combine(shimDir, "pg_dump");
        File.WriteAllText(shim, $"""
            #!/bin/sh
            "{Path.Combine(_pgBin, "pg_dump")}" "$@" || exit
            "{Path.Combine(_pgBin, "psql")}" -X -q -d {service.Database} -c "INSERT INTO public.items (name) VALUES ('late write')"
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var result = Migrate(service, ScriptShell.Dash, shimDir);

        Assert.Multiple(() =>
        {
            Assert.That(_shared.Psql(service.Database, "SELECT count(*) FROM public.items WHERE name = 'late write'"),
                Is.EqualTo("1"), "the wrapper did write during the migration");
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("verification failed")
                .And.Contain("table public.items: source 251, target 250"));
            Assert.That(Relations(_dedicated, service.Database), Is.Empty, "the restore was rolled back");
            Assert.That(TargetSql(service, "SELECT count(*) FROM pg_namespace WHERE nspname = 'nomad_db_migration'"),
                Is.EqualTo("0"), "no marker");
            AssertNoSecret(result, service);
        });
    }

    [Test]
    public void TargetMigratedFromAnotherDatabaseIsRefused()
    {
        var first = Service.Create("gitea_first");
        SeedSource(first);
        CreateTarget(first);
        Assert.That(Migrate(first).ExitCode, Is.Zero);
        var other = first with { Database = "gitea_other" };
        _shared.Psql("postgres", $"CREATE DATABASE {other.Database} OWNER {other.Role}");

        var result = Migrate(other with { TargetDatabase = first.Database });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("was migrated from another database (gitea_first from"));
        });
    }

    [Test]
    public void InvalidNamesAreRejectedBeforeConnecting()
    {
        var service = Service.Create("nextcloud_names") with { Role = "owner; DROP DATABASE x" };

        var result = Migrate(service);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("TARGET_OWNER is not a valid role name"));
            Assert.That(result.StdOut, Is.Empty);
        });
    }

    /// <summary>
    /// The service's database on the shared cluster, owned by its non-superuser role as init-databases leaves it, with
    /// tables in two schemas, a name that needs quoting, an enum, identity and serial columns, a standalone sequence,
    /// an empty table, a view and a large object. The migration connects to the source as that role.
    /// </summary>
    private void SeedSource(Service service)
    {
        _shared.Psql("postgres", $"CREATE ROLE {service.Role} LOGIN PASSWORD '{service.SourcePassword}'");
        _shared.Psql("postgres", $"CREATE DATABASE {service.Database} OWNER {service.Role}");
        _shared.Psql(service.Database, $"""
            SET ROLE {service.Role};
            CREATE SCHEMA audit;
            CREATE TYPE public.mood AS ENUM ('ok', 'meh');
            CREATE TABLE public.items (id serial PRIMARY KEY, name text NOT NULL, mood public.mood);
            CREATE TABLE public."odd-name" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                                            item_id int REFERENCES public.items (id), note text);
            CREATE TABLE audit.events (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), payload jsonb);
            CREATE TABLE public.empty_table (id int);
            CREATE SEQUENCE public.invoice_numbers START 1000;
            SELECT setval('public.invoice_numbers', 1234);
            CREATE VIEW public.item_names AS SELECT name FROM public.items;
            INSERT INTO public.items (name, mood) SELECT 'item ' || g, 'ok' FROM generate_series(1, 250) g;
            INSERT INTO public."odd-name" (item_id, note) SELECT g, E'line\twith tab' FROM generate_series(1, 40) g;
            INSERT INTO audit.events (payload) SELECT jsonb_build_object('n', g) FROM generate_series(1, 1234) g;
            DELETE FROM audit.events WHERE id % 7 = 0;
            SELECT lo_from_bytea(0, 'attachment');
            """);
    }

    /// <summary>What the dedicated sidecar's entrypoint creates: POSTGRES_USER (a superuser) owning POSTGRES_DB.</summary>
    private void CreateTarget(Service service)
    {
        _dedicated.Psql("postgres", $"CREATE ROLE {service.Role} SUPERUSER LOGIN PASSWORD '{service.TargetPassword}'");
        _dedicated.Psql("postgres", $"CREATE DATABASE {service.TargetDatabase} OWNER {service.Role}");
    }

    private ShellResult Migrate(Service service, ScriptShell shell = ScriptShell.Dash, string? pathFirst = null)
    {
        var env = new Dictionary<string, string>
        {
            ["SOURCE_PGHOST"] = _shared.Host,
            ["SOURCE_PGPORT"] = _shared.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SOURCE_PGUSER"] = service.Role,
            ["SOURCE_PGPASSWORD"] = service.SourcePassword,
            ["SOURCE_DATABASE"] = service.Database,
            ["TARGET_PGHOST"] = _dedicated.Host,
            ["TARGET_PGPORT"] = _dedicated.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TARGET_PGUSER"] = service.Role,
            ["TARGET_PGPASSWORD"] = service.TargetPassword,
            ["TARGET_DATABASE"] = service.TargetDatabase,
            ["TARGET_OWNER"] = service.Role,
            ["MIGRATION_WORKDIR"] = _workDir,
            ["MIGRATION_WAIT_SECONDS"] = "10",
        };
        return LegacyScripts.Run(LegacyScripts.MigrateDatabase, shell, _pgBin, env, _workDir, pathFirst);
    }

    private string TargetSql(Service service, string sql) => _dedicated.Psql(service.TargetDatabase, sql);

    /// <summary>Exact row count of every user table, counted one by one here, independently of the script.</summary>
    private static Dictionary<string, long> RowCounts(PostgresCluster cluster, string database)
    {
        var tables = cluster.Psql(database, """
            SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'nomad_db_migration') ORDER BY 1
            """).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return tables.ToDictionary(
            table => table,
            table => long.Parse(cluster.Psql(database, $"SELECT count(*) FROM {table}"),
                System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string SequenceValues(PostgresCluster cluster, string database) =>
        cluster.Psql(database, """
            SELECT string_agg(format('%I.%I=%s', schemaname, sequencename, last_value), ' '
                     ORDER BY schemaname, sequencename)
              FROM pg_sequences WHERE schemaname <> 'nomad_db_migration'
            """);

    private static string[] Relations(PostgresCluster cluster, string database) =>
        cluster.Psql(database, """
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
             ORDER BY 1
            """).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void AssertNoSecret(ShellResult result, Service service)
    {
        Assert.That(result.StdOut + result.StdErr,
            Does.Not.Contain(service.SourcePassword).And.Not.Contain(service.TargetPassword), "a password leaked");
    }

    private sealed record Service(string Role, string Database, string TargetDatabase, string SourcePassword,
        string TargetPassword)
    {
        public static Service Create(string name) => new(name, name, name, Secret(), Secret());

        private static string Secret() => "pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using NomadDbPatterns.Legacy;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>
/// The rendered legacy jobs, not the scripts on disk: the init task and the migration task are taken out of the HCL as
/// HashiCorp's parser reads it (script, manifest, env block, templates) and run against real PostgreSQL clusters the
/// way the Nomad task would run them. Only what Nomad itself supplies is filled in: consul-template's lookups (secret
/// values, the service's address) and the allocation's directories. Variable names come from the HCL alone.
/// </summary>
[TestFixture]
public sealed class RenderedLegacyJobsTests
{
    private const string ExampleRelative = "examples/legacy/postgresql.yaml";

    private string _work = null!;

    [SetUp]
    public void CreateWorkDir() => _work = Directory.CreateTempSubdirectory("nomaddb-rendered-legacy-").FullName;

    [TearDown]
    public void RemoveWorkDir() => Directory.Delete(_work, recursive: true);

    private static SharedPostgresJob Example()
    {
        var loaded = SpecLoader.LoadFiles([RepoPaths.Combine("examples", "legacy", "postgresql.yaml")]);
        Assert.That(loaded.Diagnostics, Is.Empty);
        return loaded.SharedInstances.Single().Job;
    }

    /// <summary>One password per secret path of the example, with every quoting hazard a shell, SQL or an env file has.</summary>
    private static Dictionary<string, string> Passwords(SharedPostgresJob shared) =>
        shared.Databases.ToDictionary(
            d => ((VaultSecret)d.Password).Path,
            d => $"{d.Name} 'pw' \"{Convert.ToHexString(RandomNumberGenerator.GetBytes(6))}\" $HOME #x");

    [TestCase(ScriptShell.Busybox)]
    [TestCase(ScriptShell.Dash)]
    public void The_rendered_init_task_creates_every_database_and_a_second_run_changes_nothing(ScriptShell shell)
    {
        using var cluster = PostgresCluster.Start("shared");
        var shared = Example();
        var passwords = Passwords(shared);
        var init = InitTask(shared);

        var first = RunInit(init, cluster, passwords, shell);
        var catalogAfterFirst = Catalog(cluster);
        var second = RunInit(init, cluster, passwords, shell);

        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.Zero, first.StdErr);
            Assert.That(first.StdOut, Does.Contain("init-databases: speedtest: created database owned by speedtest"));
            Assert.That(first.StdOut.TrimEnd().Split('\n')[^1], Is.EqualTo($"init-databases: {shared.Databases.Length} databases ensured"));
            Assert.That(second.ExitCode, Is.Zero, second.StdErr);
            Assert.That(second.StdOut, Does.Not.Contain("created").And.Not.Contain("changed owner"));
            Assert.That(Catalog(cluster), Is.EqualTo(catalogAfterFirst), "databases, owners and roles are unchanged by the second run");
            Assert.That(catalogAfterFirst.Split('\n'), Has.Length.EqualTo(shared.Databases.Length));
            foreach (var output in new[] { first.StdOut, first.StdErr, second.StdOut, second.StdErr })
            {
                Assert.That(passwords.Values.Where(output.Contains), Is.Empty, "no password in the output");
            }
        });
        foreach (var database in shared.Databases)
        {
            // Each role logs in with the password of its own secret and can create tables in its database (PostgreSQL 15+ rule).
            var create = AsRole(cluster, database.Owner, passwords[((VaultSecret)database.Password).Path], database.Name, "CREATE TABLE t (id int); SELECT 1");
            Assert.That(create.ExitCode, Is.Zero, $"{database.Name}: {create.StdErr}");
        }
    }

    [Test]
    public void The_rendered_migration_job_copies_the_database_from_the_shared_cluster_once()
    {
        using var sharedCluster = PostgresCluster.Start("shared");
        using var dedicatedCluster = PostgresCluster.Start("dedicated");
        var shared = Example();
        var passwords = Passwords(shared);
        var init = RunInit(InitTask(shared), sharedCluster, passwords, ScriptShell.Busybox);
        Assert.That(init.ExitCode, Is.Zero, init.StdErr);
        var speedtestPassword = passwords["secret/data/postgres/speedtest"];
        var seed = AsRole(sharedCluster, "speedtest", speedtestPassword, "speedtest", """
            CREATE TABLE results (id serial PRIMARY KEY, download numeric, at timestamptz DEFAULT now());
            INSERT INTO results (download) SELECT g * 1.5 FROM generate_series(1, 300) g;
            CREATE SCHEMA settings;
            CREATE TABLE settings.kv (k text PRIMARY KEY, v text);
            INSERT INTO settings.kv VALUES ('schedule', '0 * * * *'), ('odd''value', '$${not a template}');
            """);
        Assert.That(seed.ExitCode, Is.Zero, seed.StdErr);

        var plan = Migration.Plan(shared, "speedtest-tracker", new MigrationOptions { SharedSpecName = ExampleRelative });
        Assert.That(plan.Diagnostics, Is.Empty);
        var group = Hcl.Block(Hcl.Block(Hcl2Json.ParseText(plan.Files.Single(f => f.FileName == "speedtest-tracker-migrate.nomad.hcl").Content), "job", "speedtest-tracker-migrate"), "group", "migrate");

        // The dedicated cluster starts as the postgres image starts on the empty volume, from the rendered task's env.
        var postgres = RenderedTask.From(Hcl.Block(group, "task", "postgres"), _work);
        var imageUser = postgres.Env["POSTGRES_USER"];
        var imageDatabase = postgres.Env["POSTGRES_DB"];
        var imagePassword = ConsulTemplateStub.Render(postgres.Templates[postgres.Env["POSTGRES_PASSWORD_FILE"].TrimStart('/')], passwords, _ => throw new AssertionException("no service lookup expected")).TrimEnd('\n');
        Assert.That(imagePassword, Is.EqualTo(speedtestPassword), "the dedicated database keeps the shared instance's password");
        dedicatedCluster.Psql("postgres", $"CREATE ROLE {imageUser} SUPERUSER LOGIN PASSWORD {SqlLiteral(imagePassword)}; CREATE DATABASE {imageDatabase} OWNER {imageUser};");

        var migrate = RenderedTask.From(Hcl.Block(group, "task", "migrate"), _work);
        var first = RunMigrate(migrate, sharedCluster, dedicatedCluster, passwords);
        var second = RunMigrate(migrate, sharedCluster, dedicatedCluster, passwords);

        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.Zero, first.StdErr);
            Assert.That(first.StdOut, Does.Contain("migrate-database: step 6/6: restored into"));
            Assert.That(Rows(dedicatedCluster, imageDatabase), Is.EqualTo(Rows(sharedCluster, "speedtest")).And.Not.Empty);
            Assert.That(dedicatedCluster.Psql(imageDatabase, "SELECT source_database FROM nomad_db_migration.completed"), Is.EqualTo("speedtest"));
            Assert.That(dedicatedCluster.Psql(imageDatabase, "SELECT v FROM settings.kv WHERE k = 'odd''value'"), Is.EqualTo("$${not a template}"));
            Assert.That(second.ExitCode, Is.Zero, second.StdErr);
            Assert.That(second.StdOut, Does.Contain("already migrated"));
            foreach (var output in new[] { first.StdOut, first.StdErr, second.StdOut, second.StdErr })
            {
                Assert.That(output, Does.Not.Contain(speedtestPassword).And.Not.Contain(sharedCluster.SuperPassword));
            }
        });
    }

    [Test]
    public void The_rendered_cluster_backup_dumps_every_database_and_role()
    {
        using var cluster = PostgresCluster.Start("shared");
        var shared = Example();
        var passwords = Passwords(shared);
        var group = SharedGroup(shared);
        var init = RunInit(Hcl.Block(group, "task", "init-databases"), cluster, passwords, ScriptShell.Busybox);
        Assert.That(init.ExitCode, Is.Zero, init.StdErr);

        var task = RenderedTask.From(Hcl.Block(group, "task", "db-backup"), _work);
        var secrets = new Dictionary<string, string> { ["secret/data/postgres/admin"] = cluster.SuperPassword };
        var env = new Dictionary<string, string>(task.Env);
        foreach (var (name, value) in task.EnvTemplates(secrets, _ => throw new AssertionException("the sidecar reaches the server in its allocation")))
        {
            env[name] = value;
        }

        Assert.That((env["BACKUP_SCOPE"], env["PGUSER"], env["PGHOST"], env["PGPORT"]), Is.EqualTo(("cluster", cluster.SuperUser, "127.0.0.1", "5432")));
        env["PGPORT"] = cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["BACKUP_DIR"] = Directory.CreateDirectory(Path.Combine(_work, env["BACKUP_DIR"].TrimStart('/'))).FullName;
        env["BACKUP_MODE"] = "once";
        env["BACKUP_LIB"] = task.Materialize(env["BACKUP_LIB"], secrets);
        var backup = task.Materialize(task.Args.Single(), secrets);
        var ageCheck = task.Materialize("/local/backup-age-check.sh", secrets);
        var pgBin = LegacyScripts.ClientBinDir(cluster);

        var run = LegacyScripts.Run(backup, ScriptShell.Busybox, pgBin, env, _work);
        var check = LegacyScripts.Run(ageCheck, ScriptShell.Busybox, pgBin, env, _work);

        Assert.That(run.ExitCode, Is.Zero, run.StdErr);
        Assert.That(run.StdOut, Does.Contain("backup ok name=cluster"));
        var dump = Directory.GetFiles(env["BACKUP_DIR"], "cluster-*.sql.gz").Single();
        var sql = Shell.Run("gzip", ["-dc", dump], null, _work, TimeSpan.FromMinutes(1)).StdOut;
        Assert.Multiple(() =>
        {
            foreach (var database in shared.Databases)
            {
                Assert.That(sql, Does.Contain($"CREATE ROLE {database.Owner};"), "pg_dumpall carries the roles");
                Assert.That(sql, Does.Contain($"CREATE DATABASE {database.Name} ").And.Contain($"ALTER DATABASE {database.Name} OWNER TO {database.Owner};"), "and every database");
            }

            Assert.That(check.ExitCode, Is.Zero, check.StdOut);
            Assert.That(run.StdOut + run.StdErr, Does.Not.Contain(cluster.SuperPassword));
        });
    }

    private static JsonElement SharedGroup(SharedPostgresJob shared)
    {
        var hcl = SharedPostgresRenderer.Default.Render(shared, ExampleRelative).Single().Content;
        return Hcl.Block(Hcl.Block(Hcl2Json.ParseText(hcl), "job", shared.Name), "group", shared.Name);
    }

    private static JsonElement InitTask(SharedPostgresJob shared) => Hcl.Block(SharedGroup(shared), "task", "init-databases");

    private ShellResult RunInit(JsonElement initTask, PostgresCluster cluster, IReadOnlyDictionary<string, string> passwords, ScriptShell shell)
    {
        var task = RenderedTask.From(initTask, _work);
        var env = new Dictionary<string, string>(task.Env);
        foreach (var (name, value) in task.EnvTemplates(passwords, _ => throw new AssertionException("the init task looks up no service")))
        {
            env[name] = value;
        }

        // The task reaches PostgreSQL inside the allocation's network namespace; here the cluster stands in for it.
        Assert.That((env["PGHOST"], env["PGPORT"]), Is.EqualTo(("127.0.0.1", "5432")));
        Assert.That((env["PGUSER"], env["PGPASSWORD"]), Is.EqualTo((cluster.SuperUser, "admin password")), "the admin role and its secret");
        env["PGPORT"] = cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["PGPASSWORD"] = cluster.SuperPassword;

        var manifestPath = task.Materialize(env["INIT_MANIFEST"], passwords);
        // Every password file the manifest names is a template of the task: write them where the manifest says.
        var manifest = File.ReadAllLines(manifestPath).Select(l => l.Split('\t')).ToList();
        Assert.That(manifest.Select(l => l.Length), Has.All.EqualTo(3), "name<TAB>owner<TAB>password_file");
        var relocated = manifest.Select(l => string.Join('\t', l[0], l[1], task.Materialize(l[2], passwords))).ToList();
        File.WriteAllLines(manifestPath, relocated);
        env["INIT_MANIFEST"] = manifestPath;

        var script = task.Materialize(task.Args.Single(), passwords);
        return LegacyScripts.Run(script, shell, LegacyScripts.ClientBinDir(cluster), env, _work);
    }

    private ShellResult RunMigrate(RenderedTask task, PostgresCluster shared, PostgresCluster dedicated, IReadOnlyDictionary<string, string> passwords)
    {
        var secrets = new Dictionary<string, string>(passwords) { ["secret/data/postgres/admin"] = shared.SuperPassword };
        var env = new Dictionary<string, string>(task.Env);
        foreach (var (name, value) in task.EnvTemplates(secrets, service => service == "postgresql" ? (shared.Host, shared.Port) : throw new AssertionException($"unexpected service {service}")))
        {
            env[name] = value;
        }

        Assert.That((env["TARGET_PGHOST"], env["TARGET_PGPORT"]), Is.EqualTo(("127.0.0.1", "5432")), "the dedicated PostgreSQL runs in the same allocation");
        env["TARGET_PGPORT"] = dedicated.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["MIGRATION_WORKDIR"] = Path.Combine(_work, env["MIGRATION_WORKDIR"].TrimStart('/'));
        var script = task.Materialize(task.Args.Single(), secrets);
        return LegacyScripts.Run(script, ScriptShell.Busybox, LegacyScripts.ClientBinDir(dedicated), env, _work);
    }

    private static string Catalog(PostgresCluster cluster) => cluster.Psql("postgres", """
        SELECT d.oid || ' ' || d.datname || ' ' || pg_get_userbyid(d.datdba) || ' ' || r.oid || ' ' || r.rolcanlogin || ' ' || r.rolsuper
          FROM pg_database d JOIN pg_roles r ON r.rolname = pg_get_userbyid(d.datdba)
         WHERE d.datname NOT IN ('postgres', 'template0', 'template1') ORDER BY d.datname
        """);

    private static string Rows(PostgresCluster cluster, string database) => cluster.Psql(database, """
        SELECT string_agg(format('%s %s', t, n), ', ' ORDER BY t) FROM (
          SELECT 'public.results' AS t, count(*) AS n FROM public.results
          UNION ALL SELECT 'settings.kv', count(*) FROM settings.kv
          UNION ALL SELECT 'results_id_seq', last_value FROM public.results_id_seq) counts
        """);

    private ShellResult AsRole(PostgresCluster cluster, string role, string password, string database, string sql)
    {
        var file = Path.Combine(_work, $"as-{role}-{Guid.NewGuid():N}.sql");
        File.WriteAllText(file, sql);
        return Shell.Run(Path.Combine(LegacyScripts.ClientBinDir(cluster), "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-f", file],
            cluster.PgEnv(database, role, password), _work, TimeSpan.FromMinutes(1));
    }

    private static string SqlLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>A task as the HCL parser read it: env block, template files by destination, the command's arguments.</summary>
internal sealed record RenderedTask(IReadOnlyDictionary<string, string> Env, IReadOnlyDictionary<string, string> Templates, IReadOnlyList<string> Args, IReadOnlyDictionary<string, bool> EnvFiles, string AllocDir)
{
    public static RenderedTask From(JsonElement task, string allocDir)
    {
        var env = task.TryGetProperty("env", out var envBlocks)
            ? envBlocks[0].EnumerateObject().ToDictionary(p => p.Name, p => Unescape(p.Value.GetString()!))
            : [];
        var templates = Hcl.All(task, "template").ToDictionary(t => Hcl.Attr(t, "destination")!, t => ScriptsVariableFile.ResolveAny(Unescape(Hcl.Attr(t, "data")!)));
        var envFiles = Hcl.All(task, "template").ToDictionary(t => Hcl.Attr(t, "destination")!, t => t.TryGetProperty("env", out var e) && e.GetBoolean());
        var config = Hcl.Single(task, "config");
        var args = config.TryGetProperty("args", out var a) ? a.EnumerateArray().Select(x => Unescape(x.GetString()!)).ToList() : [];
        return new RenderedTask(env, templates, args, envFiles, allocDir);
    }

    /// <summary>hcl2json returns strings in HCL template form: a literal <c>${</c> reads <c>$${</c>.</summary>
    private static string Unescape(string value) => value.Replace("$${", "${", StringComparison.Ordinal).Replace("%%{", "%{", StringComparison.Ordinal);

    /// <summary>Writes the template with destination <paramref name="containerPath"/> (as the task sees it, e.g. /local/x) into the alloc dir.</summary>
    public string Materialize(string containerPath, IReadOnlyDictionary<string, string> secrets)
    {
        var destination = containerPath.TrimStart('/');
        Assert.That(Templates, Does.ContainKey(destination), $"{containerPath} is rendered by a template of the task");
        var path = Path.Combine(AllocDir, destination);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, ConsulTemplateStub.Render(Templates[destination], secrets, _ => throw new AssertionException("no service lookup in files")));
        return path;
    }

    /// <summary>The variables of every <c>env = true</c> template, as Nomad reads them after consul-template rendered them.</summary>
    public IEnumerable<(string Name, string Value)> EnvTemplates(IReadOnlyDictionary<string, string> secrets, Func<string, (string Host, int Port)> services)
    {
        foreach (var (destination, isEnv) in EnvFiles)
        {
            if (!isEnv)
            {
                continue;
            }

            foreach (var line in ConsulTemplateStub.Render(Templates[destination], secrets, services).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = line.IndexOf('=', StringComparison.Ordinal);
                var raw = line[(equals + 1)..];
                yield return (line[..equals], raw.StartsWith('"') ? JsonSerializer.Deserialize<string>(raw)! : raw);
            }
        }
    }
}

/// <summary>
/// The few consul-template forms the legacy jobs use, evaluated as consul-template would; any other <c>{{</c> fails the
/// test, so a template the stub does not understand cannot pass unnoticed.
/// </summary>
internal static partial class ConsulTemplateStub
{
    public static string Render(string template, IReadOnlyDictionary<string, string> secrets, Func<string, (string Host, int Port)> services)
    {
        var text = SecretEnvLine().Replace(template, m => $"{m.Groups["name"].Value}={JsonSerializer.Serialize(Secret(secrets, m.Groups["path"].Value))}");
        text = SecretValue().Replace(text, m => Secret(secrets, m.Groups["path"].Value));
        text = ServiceRange().Replace(text, m =>
        {
            var (host, port) = services(m.Groups["service"].Value);
            return m.Groups["body"].Value.Replace("{{ .Address }}", host, StringComparison.Ordinal).Replace("{{ .Port }}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        });
        Assert.That(text, Does.Not.Contain("{{"), $"a consul-template form the stub does not know: {template}");
        return text;
    }

    private static string Secret(IReadOnlyDictionary<string, string> secrets, string path) =>
        secrets.TryGetValue(path, out var value) ? value : path == "secret/data/postgres/admin" ? "admin password" : throw new AssertionException($"unexpected secret {path}");

    [GeneratedRegex("""\{\{ with secret "(?<path>[^"]+)" \}\}(?<name>[A-Z_]+)=\{\{ print \.Data\.data\.password \| toJSON \}\}\{\{ end \}\}""")]
    private static partial Regex SecretEnvLine();

    [GeneratedRegex("""\{\{ with secret "(?<path>[^"]+)" \}\}\{\{ \.Data\.data\.password \}\}\{\{ end \}\}""")]
    private static partial Regex SecretValue();

    [GeneratedRegex("""\{\{ range service "(?<service>[^"]+)" \}\}(?<body>.*?)\{\{ end \}\}""", RegexOptions.Singleline)]
    private static partial Regex ServiceRange();
}

using System.Text.Json;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Backups;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.HclSyntax;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// <c>postgres.extensions</c>, <c>postgres.initSql</c> and <c>postgres.initSqlFile</c>: applied by the wait task on every
/// start, before the app, in one transaction. The rendered task is run against a real PostgreSQL, twice.
/// </summary>
[TestFixture]
public sealed class InitSqlTests
{
    private const string FunctionFile = """
        -- the app's helper, replaced on every start
        CREATE OR REPLACE FUNCTION note_count() RETURNS bigint AS $$
          SELECT count(*) FROM notes
        $$ LANGUAGE sql;
        SELECT 1 -- no terminator after this comment
        """;

    private static string Spec(int port, string postgres) => $$"""
        name: notes
        network: host
        app:
          image: example/notes:1.0
          ports: [{ name: http, to: 18080 }]
        postgres:
          password: { nomadVar: nomad/jobs/notes }
          port: {{port}}
          user: postgres
          database: appdb
        {{postgres}}
        """;

    private const string InitLines = """
          extensions: [pg_trgm, uuid-ossp, citext]
          initSql:
            - |
              CREATE TABLE IF NOT EXISTS notes (
                id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
                body citext NOT NULL UNIQUE
              )
            - "INSERT INTO notes (body) VALUES ('{{ not a template }}'), ('${NOMAD_ALLOC_ID} %{x}') ON CONFLICT (body) DO NOTHING"
          initSqlFile: sql/function.sql
        """;

    private sealed record WaitTask(string Script, string Sql, IReadOnlyList<string> Templates, bool Vault, string Hcl);

    private static WaitTask RenderWaitTask(TempSpecs temp, string spec)
    {
        var file = temp.Write("notes.yaml", spec);
        var loaded = SpecLoader.LoadFiles([file]);
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        Assert.That(NomadDb.Validate(loaded.Jobs), Is.Empty, string.Join('\n', NomadDb.Validate(loaded.Jobs)));
        var hcl = JobRenderer.Default.Render(loaded.Jobs.Single().Job, "notes.yaml").Single().Content;
        var task = Hcl.Block(Hcl.Block(Hcl.Block(Hcl2Json.ParseText(hcl), "job", "notes"), "group", "notes"), "task", "wait-for-postgres");
        var args = Hcl.Single(task, "config").GetProperty("args").EnumerateArray().Select(a => HclRead.Literal(a)!).ToList();
        var templates = Hcl.All(task, "template");
        var sql = templates.Where(t => Hcl.Attr(t, "destination") == InitSql.Destination).Select(t => HclRead.Literal(t.GetProperty("data"))!).SingleOrDefault() ?? string.Empty;
        return new WaitTask(args[1], sql, [.. templates.Select(t => Hcl.Attr(t, "destination")!)], task.TryGetProperty("vault", out _), hcl);
    }

    /// <summary>What consul-template makes of the template data: <c>{{ "{{" }}</c> prints <c>{{</c> (nothing else is an action here).</summary>
    private static string AsConsulTemplateRendersIt(string data)
    {
        var literal = data.Replace("{{ \"{{\" }}", "\u0001", StringComparison.Ordinal);
        Assert.That(literal, Does.Not.Contain("{{"), "no other action in the SQL template");
        return literal.Replace("\u0001", "{{", StringComparison.Ordinal);
    }

    private static ShellResult RunWaitTask(PostgresCluster cluster, WaitTask task, string directory)
    {
        var passwordFile = Path.Combine(directory, "db-password");
        File.WriteAllText(passwordFile, cluster.SuperPassword + "\n");
        var sqlFile = Path.Combine(directory, "init.sql");
        File.WriteAllText(sqlFile, AsConsulTemplateRendersIt(task.Sql));
        var script = task.Script.Replace("/secrets/db-password", passwordFile, StringComparison.Ordinal).Replace("/" + InitSql.Destination, sqlFile, StringComparison.Ordinal);
        var path = $"{cluster.BinDirectory}:{Environment.GetEnvironmentVariable("PATH")}";
        return Shell.Run("sh", ["-c", script], new Dictionary<string, string> { ["PATH"] = path }, directory, TimeSpan.FromMinutes(1));
    }

    [Test]
    public void The_wait_task_applies_extensions_and_init_sql_on_real_postgres_idempotently()
    {
        using var cluster = PostgresCluster.Start("initsql");
        cluster.Psql("postgres", "CREATE DATABASE appdb");
        using var temp = new TempSpecs();
        temp.Write("sql/function.sql", FunctionFile.Replace("\n", "\r\n", StringComparison.Ordinal));
        var task = RenderWaitTask(temp, Spec(cluster.Port, InitLines));

        Assert.That(task.Templates, Is.EquivalentTo(new[] { InitSql.Destination, "secrets/db-password" }));
        Assert.That(task.Sql, Does.StartWith("CREATE EXTENSION IF NOT EXISTS \"pg_trgm\";\nCREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\nCREATE EXTENSION IF NOT EXISTS \"citext\";\n"));
        Assert.That(task.Script, Does.Contain("psql -X -q -v ON_ERROR_STOP=1 --single-transaction").And.Contain("-U 'postgres' -d 'appdb'"));
        NomadSchema.NomadConformance.AssertAccepted(new Dictionary<string, string> { ["notes.nomad.hcl"] = task.Hcl });

        for (var start = 1; start <= 2; start++)
        {
            using var dirs = new TempDirectories();
            var run = RunWaitTask(cluster, task, dirs.NewDirectory("task"));
            Assert.That(run.ExitCode, Is.EqualTo(0), $"start {start}: {run.StdErr}{run.StdOut}");
            Assert.That(run.StdOut, Does.Contain("wait-for-postgres: init SQL applied"));
        }

        Assert.That(cluster.Psql("appdb", "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'"), Is.EqualTo("citext,pg_trgm,uuid-ossp"));
        Assert.That(cluster.Psql("appdb", "SELECT string_agg(body::text, '|' ORDER BY body) FROM notes"), Is.EqualTo("${NOMAD_ALLOC_ID} %{x}|{{ not a template }}"),
            "two starts, two rows; HCL and consul-template sequences reach PostgreSQL as written");
        Assert.That(cluster.Psql("appdb", "SELECT note_count()"), Is.EqualTo("2"), "the function from the file, with its $$ body");
    }

    [Test]
    public void A_failing_statement_stops_the_task_and_leaves_nothing_half_applied()
    {
        using var cluster = PostgresCluster.Start("initsql-fail");
        cluster.Psql("postgres", "CREATE DATABASE appdb");
        using var temp = new TempSpecs();
        var task = RenderWaitTask(temp, Spec(cluster.Port, "  extensions: [citext]\n  initSql: [\"CREATE TABLE first_table (id int)\", \"SELECT * FROM no_such_table\"]\n"));
        using var dirs = new TempDirectories();

        var run = RunWaitTask(cluster, task, dirs.NewDirectory("task"));

        Assert.That(run.ExitCode, Is.Not.EqualTo(0), "the app must not start");
        Assert.That(run.StdErr, Does.Contain("no_such_table"));
        Assert.That(cluster.Psql("appdb", "SELECT count(*) FROM pg_class WHERE relname = 'first_table'"), Is.EqualTo("0"));
        Assert.That(cluster.Psql("appdb", "SELECT count(*) FROM pg_extension WHERE extname = 'citext'"), Is.EqualTo("0"), "one transaction");
    }

    [Test]
    public void Without_init_sql_the_wait_task_reads_no_secret()
    {
        using var temp = new TempSpecs();
        var task = RenderWaitTask(temp, Spec(5433, string.Empty));

        Assert.That(task.Templates, Is.Empty);
        Assert.That(task.Vault, Is.False);
        Assert.That(task.Script, Does.Not.Contain("psql"));
    }

    [Test]
    public void With_a_vault_password_the_wait_task_gets_the_vault_block()
    {
        using var temp = new TempSpecs();
        var task = RenderWaitTask(temp, Spec(5433, "  extensions: [vector]\n").Replace("password: { nomadVar: nomad/jobs/notes }", "password: { vault: secret/data/postgres/notes }"));

        Assert.That(task.Vault, Is.True);
        Assert.That(task.Sql, Is.EqualTo("CREATE EXTENSION IF NOT EXISTS \"vector\";\n"));
    }

    [Test]
    public void Identifiers_are_quoted_as_postgres_reads_them()
    {
        Assert.That(InitSql.QuoteIdentifier("uuid-ossp"), Is.EqualTo("\"uuid-ossp\""));
        Assert.That(InitSql.QuoteIdentifier("a\"b"), Is.EqualTo("\"a\"\"b\""));
        using var cluster = PostgresCluster.Start("quote");
        Assert.That(cluster.Psql("postgres", $"SELECT 1 AS {InitSql.QuoteIdentifier("x\"; DROP TABLE y; --")}; SELECT quote_ident('x\"; DROP TABLE y; --')"),
            Is.EqualTo("1\n" + InitSql.QuoteIdentifier("x\"; DROP TABLE y; --")), "PostgreSQL's own quote_ident agrees");
    }

    private static IReadOnlyList<Diagnostic> Problems(TempSpecs temp, string postgres)
    {
        var loaded = SpecLoader.LoadFiles([temp.Write("notes.yaml", Spec(5433, postgres))]);
        return [.. loaded.Diagnostics, .. NomadDb.Validate(loaded.Jobs)];
    }

    [TestCase("  initSqlFile: ../outside.sql\n", ErrorCodes.InvalidValue, "not a path below the spec file's directory")]
    [TestCase("  initSqlFile: /etc/passwd\n", ErrorCodes.InvalidValue, "not a path below the spec file's directory")]
    [TestCase("  initSqlFile: sql/missing.sql\n", ErrorCodes.InvalidValue, "cannot read init SQL file")]
    [TestCase("  initSqlFile: link.sql\n", ErrorCodes.InvalidValue, "symbolic link")]
    [TestCase("  initSqlFile: sql\n", ErrorCodes.InvalidValue, "not a regular file")]
    [TestCase("  extensions: [\"vector; DROP\"]\n", ErrorCodes.InvalidValue, "is not an extension name")]
    [TestCase("  extensions: [vector, vector]\n", ErrorCodes.InvalidValue, "listed twice")]
    [TestCase("  initSql: [\"ALTER ROLE app PASSWORD 'hunter2'\"]\n", ErrorCodes.LiteralPassword, "password into the job file")]
    [TestCase("  initSql: [\"  \"]\n", ErrorCodes.InvalidValue, "empty SQL statement")]
    [TestCase("  initSql: [\"SELECT 1\\u0007\"]\n", ErrorCodes.UnsafeText, "U+0007")]
    public void Bad_init_sql_is_an_error_at_its_key(string postgres, string code, string message)
    {
        using var temp = new TempSpecs();
        Directory.CreateDirectory(Path.Combine(temp.Specs, "sql"));
        File.WriteAllText(Path.Combine(temp.Root.FullName, "outside.sql"), "SELECT 1;\n");
        File.CreateSymbolicLink(Path.Combine(temp.Specs, "link.sql"), "/etc/hostname");

        var problem = Problems(temp, postgres).Single();

        Assert.That(problem.Code, Is.EqualTo(code), problem.ToString());
        Assert.That(problem.Message, Does.Contain(message));
        Assert.That(problem.Path, Does.StartWith("postgres."));
        Assert.That(problem.Location!.File, Does.EndWith("notes.yaml"));
        Assert.That(problem.Location.Line, Is.GreaterThanOrEqualTo(11), "at the key in the user's file");
        Assert.That(problem.ToString(), Does.Not.Contain("hunter2"));
    }

    [Test]
    public void The_shared_instance_takes_no_init_sql()
    {
        var loaded = SpecLoader.LoadText("""
            name: postgresql
            kind: shared-postgres
            postgres: { version: 16, extensions: [citext] }
            adminPassword: { nomadVar: nomad/jobs/postgresql }
            databases: []
            """, "shared.yaml");

        Assert.That(loaded.Diagnostics.Select(d => d.ToString()), Has.Some.Contains("`postgres.extensions` does not apply to kind shared-postgres"));
    }
}

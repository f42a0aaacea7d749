using System.Security.Cryptography;
using NUnit.Framework;
using NomadDbPatterns.Tests.Infrastructure;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>templates/scripts/init-databases.sh against a real PostgreSQL ("shared").</summary>
[TestFixture]
public sealed class InitDatabasesScriptTests
{
    private PostgresCluster _shared = null!;
    private string _pgBin = null!;
    private string _workDir = null!;

    [OneTimeSetUp]
    public void StartCluster()
    {
        _shared = PostgresCluster.Start("shared");
        _pgBin = LegacyScripts.ClientBinDir(_shared);
    }

    [OneTimeTearDown]
    public void StopCluster() => _shared.Dispose();

    [SetUp]
    public void CreateWorkDir() => _workDir = Directory.CreateTempSubdirectory("nomaddb-init-").FullName;

    [TearDown]
    public void RemoveWorkDir() => Directory.Delete(_workDir, recursive: true);

    [Test]
    public void SecondRunSucceedsAndChangesNothing([Values] ScriptShell shell)
    {
        var suffix = shell.ToString().ToLowerInvariant();
        // A hyphen forces identifier quoting; the password carries every quoting hazard a shell or SQL has.
        var speedtest = $"speedtest-tracker-{suffix}";
        var freshrss = $"freshrss_{suffix}";
        var nastyPassword = "pa'ss \"w0rd\\ $HOME; -- `id` " + RandomSecret();
        var plainPassword = RandomSecret();
        var manifest = WriteManifest(
            Line(speedtest, speedtest, WriteSecret("speed test's", nastyPassword)),
            "# comment lines and blank lines are skipped",
            "",
            Line(freshrss, freshrss, WriteSecret("freshrss", plainPassword)));

        var first = RunInit(manifest, shell);
        var afterFirst = Snapshot(speedtest, freshrss);
        var second = RunInit(manifest, shell);
        var afterSecond = Snapshot(speedtest, freshrss);

        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.Zero, first.StdErr);
            Assert.That(first.StdOut, Does.Contain($"init-databases: {speedtest}: created role {speedtest}"));
            Assert.That(first.StdOut, Does.Contain($"init-databases: {freshrss}: created database owned by {freshrss}"));
            Assert.That(LastLine(first.StdOut), Is.EqualTo("init-databases: 2 databases ensured"));
            Assert.That(second.ExitCode, Is.Zero, second.StdErr);
            Assert.That(second.StdOut, Does.Not.Contain("created").And.Not.Contain("changed owner"));
            Assert.That(LastLine(second.StdOut), Is.EqualTo("init-databases: 2 databases ensured"));
            Assert.That(afterFirst, Has.Count.EqualTo(2));
            Assert.That(afterSecond, Is.EqualTo(afterFirst), "role and database OIDs, owners and attributes");
            AssertNoSecret([first, second], nastyPassword, plainPassword);
        });
        Assert.That(CanLogIn(speedtest, speedtest, nastyPassword), Is.True, "the quoted password is the one set");
    }

    [Test]
    public void CreatedRoleCanCreateTablesInItsOwnDatabase()
    {
        var password = RandomSecret();
        var result = RunInit(WriteManifest(Line("vaultwarden", "vaultwarden", WriteSecret("vw", password))));
        Assert.That(result.ExitCode, Is.Zero, result.StdErr);

        var create = AsRole("vaultwarden", "vaultwarden", password,
            "CREATE TABLE public.users (id serial PRIMARY KEY); INSERT INTO users DEFAULT VALUES; SELECT count(*) FROM users");

        // Control: the seed's recipe (database owned by the admin, GRANT ALL ON DATABASE) cannot create tables on 15+,
        // so a passing CREATE above is owed to the ownership the script sets, not to a lax server.
        _shared.Psql("postgres", "CREATE ROLE granted_only LOGIN PASSWORD 'granted-only-pw'");
        _shared.Psql("postgres", "CREATE DATABASE granted_only");
        _shared.Psql("postgres", "GRANT ALL PRIVILEGES ON DATABASE granted_only TO granted_only");
        var control = AsRole("granted_only", "granted_only", "granted-only-pw", "CREATE TABLE public.t (id int)");

        Assert.Multiple(() =>
        {
            Assert.That(create.ExitCode, Is.Zero, create.StdErr);
            Assert.That(create.StdOut.Trim(), Is.EqualTo("1"));
            Assert.That(control.ExitCode, Is.Not.Zero);
            Assert.That(control.StdErr, Does.Contain("permission denied for schema public"));
        });
    }

    [Test]
    public void ExistingDatabaseOwnedByTheAdminIsHandedToItsRole()
    {
        // The state the seed's old init script leaves: database owned by postgres, role with GRANT ALL only.
        _shared.Psql("postgres", "CREATE ROLE gitea LOGIN PASSWORD 'old-gitea-pw'");
        _shared.Psql("postgres", "CREATE DATABASE gitea");
        _shared.Psql("postgres", "GRANT ALL PRIVILEGES ON DATABASE gitea TO gitea");
        var databaseOid = _shared.Psql("postgres", "SELECT oid FROM pg_database WHERE datname = 'gitea'");
        var password = RandomSecret();

        var result = RunInit(WriteManifest(Line("gitea", "gitea", WriteSecret("gitea", password))));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.StdErr);
            Assert.That(result.StdOut, Does.Contain("init-databases: gitea: changed owner from postgres to gitea"));
            Assert.That(_shared.Psql("postgres",
                "SELECT oid || ' ' || pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'gitea'"),
                Is.EqualTo($"{databaseOid} gitea"), "same database, new owner");
            Assert.That(AsRole("gitea", "gitea", password, "CREATE TABLE repo (id int)").ExitCode, Is.Zero);
        });
    }

    [Test]
    public void ChangedPasswordFileTakesEffectOnTheNextRun()
    {
        var oldPassword = RandomSecret();
        var newPassword = RandomSecret();
        var secretFile = WriteSecret("grafana", oldPassword);
        var manifest = WriteManifest(Line("grafana", "grafana", secretFile));
        var first = RunInit(manifest);
        Assert.That(first.ExitCode, Is.Zero, first.StdErr);
        Assert.That(CanLogIn("grafana", "grafana", oldPassword), Is.True);

        // consul-template renders the new secret with a trailing newline, as from a heredoc template.
        File.WriteAllText(secretFile, newPassword + "\n");
        var second = RunInit(manifest);

        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.Zero, second.StdErr);
            Assert.That(CanLogIn("grafana", "grafana", newPassword), Is.True, "new password works");
            Assert.That(CanLogIn("grafana", "grafana", oldPassword), Is.False, "old password is rejected");
            AssertNoSecret([first, second], oldPassword, newPassword);
        });
    }

    [Test]
    public void PasswordStaysOutOfTheServerLogWhileStatementsAreLogged()
    {
        var logFile = ServerLogFile();
        _shared.Psql("postgres", "ALTER SYSTEM SET log_statement = 'all'; SELECT pg_reload_conf();");
        var password = RandomSecret();
        ShellResult result;
        try
        {
            result = RunInit(WriteManifest(Line("authelia", "authelia", WriteSecret("authelia", password))));
        }
        finally
        {
            _shared.Psql("postgres", "ALTER SYSTEM RESET log_statement; SELECT pg_reload_conf();");
        }

        var log = File.ReadAllText(logFile);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.StdErr);
            // Proof that logging was on for the script's sessions, so the absence below means something.
            Assert.That(log, Does.Contain("statement: CREATE ROLE \"authelia\" LOGIN"));
            Assert.That(log, Does.Contain("statement: CREATE DATABASE \"authelia\" OWNER \"authelia\""));
            Assert.That(log, Does.Not.Contain(password));
            AssertNoSecret([result], password);
        });
    }

    [Test]
    public void RefusesToManageASuperuserRole()
    {
        _shared.Psql("postgres", "CREATE ROLE boss SUPERUSER LOGIN PASSWORD 'boss-original-pw'");
        var password = RandomSecret();

        var result = RunInit(WriteManifest(Line("boss_db", "boss", WriteSecret("boss", password))));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("role boss is a superuser"));
            Assert.That(CanLogIn("postgres", "boss", "boss-original-pw"), Is.True, "password untouched");
            Assert.That(DatabaseExists("boss_db"), Is.False);
            AssertNoSecret([result], password);
        });
    }

    public static IEnumerable<TestCaseData> BadManifestLines()
    {
        TestCaseData Case(string name, Func<string, string> badLine, string message) =>
            new TestCaseData(badLine, message).SetArgDisplayNames(name);

        yield return Case("space in name", pw => Line("bad name", "owner", pw), "invalid database name");
        yield return Case("quote in name", pw => Line("bad'name", "owner", pw), "invalid database name");
        yield return Case("semicolon in owner", pw => Line("db", "x;DROP", pw), "invalid owner name");
        yield return Case("name starting with a digit", pw => Line("1db", "owner", pw), "invalid database name");
        yield return Case("name of 64 characters", pw => Line(new string('a', 64), "owner", pw), "invalid database name");
        yield return Case("non-ASCII name", pw => Line("dätabase", "owner", pw), "invalid database name");
        yield return Case("two fields", _ => "db\towner", "expected 3 tab-separated fields");
        yield return Case("four fields", pw => Line("db", "owner", pw) + "\textra", "expected 3 tab-separated fields");
        yield return Case("empty field", pw => $"db\t\t{pw}", "empty field");
        yield return Case("leading tab", pw => "\t" + Line("db", "owner", pw), "empty field");
        yield return Case("spaces instead of tabs", pw => $"db owner {pw}", "expected 3 tab-separated fields");
        yield return Case("name split by a newline", pw => $"d\nb\towner\t{pw}", "expected 3 tab-separated fields");
        yield return Case("carriage return", pw => Line("db", "owner", pw) + "\r", "carriage return");
        yield return Case("missing password file", _ => Line("db", "owner", "/nonexistent/pw"), "not a readable file");
        yield return Case("system database", pw => Line("template1", "owner", pw), "system database");
        yield return Case("reserved role name", pw => Line("db", "pg_owner", pw), "reserved");
        yield return Case("admin as owner", pw => Line("db", "postgres", pw), "admin role");
        yield return Case("database listed twice", pw => Line("first_ok", "other", pw), "listed twice");
    }

    [TestCaseSource(nameof(BadManifestLines))]
    public void BadManifestLineIsRejectedBeforeAnythingChanges(Func<string, string> badLine, string message)
    {
        var password = RandomSecret();
        var secret = WriteSecret("pw", password);
        var rolesBefore = _shared.Psql("postgres", "SELECT count(*) FROM pg_roles");
        var manifest = WriteManifest(Line("first_ok", "first_ok", secret), badLine(secret));

        var result = RunInit(manifest);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("init-databases: error: manifest line").And.Contain(message));
            Assert.That(DatabaseExists("first_ok"), Is.False, "the valid line before the bad one was not applied");
            Assert.That(_shared.Psql("postgres", "SELECT count(*) FROM pg_roles"), Is.EqualTo(rolesBefore));
            AssertNoSecret([result], password);
        });
    }

    [Test]
    public void EmptyPasswordFileIsRejected()
    {
        var result = RunInit(WriteManifest(Line("nextcloud", "nextcloud", WriteSecret("empty", "\n"))));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("password file for nextcloud is empty"));
            Assert.That(DatabaseExists("nextcloud"), Is.False);
        });
    }

    [Test]
    public void UnreachableServerFailsAfterTheWait()
    {
        var env = new Dictionary<string, string>(_shared.PgEnv("postgres"))
        {
            ["PGPORT"] = "1",
            ["INIT_MANIFEST"] = WriteManifest(Line("paperless", "paperless", WriteSecret("p", RandomSecret()))),
            ["INIT_WAIT_SECONDS"] = "2",
        };

        var result = LegacyScripts.Run(LegacyScripts.InitDatabases, ScriptShell.Dash, _pgBin, env, _workDir);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdErr, Does.Contain("did not accept connections within 2 s"));
        });
    }

    private ShellResult RunInit(string manifest, ScriptShell shell = ScriptShell.Dash)
    {
        var env = new Dictionary<string, string>(_shared.PgEnv("postgres")) { ["INIT_MANIFEST"] = manifest };
        env.Remove("PGDATABASE");
        return LegacyScripts.Run(LegacyScripts.InitDatabases, shell, _pgBin, env, _workDir);
    }

    private static string Line(string name, string owner, string passwordFile) => $"{name}\t{owner}\t{passwordFile}";

    private string WriteManifest(params string[] lines)
    {
        var path = Path.Combine(_workDir, "databases.tsv");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private string WriteSecret(string name, string password)
    {
        var path = Path.Combine(_workDir, $"{name}-password");
        File.WriteAllText(path, password);
        return path;
    }

    private static string RandomSecret() => "s3cr3t-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    private ShellResult AsRole(string database, string user, string password, string sql) =>
        Shell.Run(Path.Combine(_pgBin, "psql"), ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
            _shared.PgEnv(database, user, password), _workDir, TimeSpan.FromMinutes(1));

    private bool CanLogIn(string database, string user, string password)
    {
        var result = AsRole(database, user, password, "SELECT current_user");
        return result.ExitCode == 0 && result.StdOut.Trim() == user;
    }

    private bool DatabaseExists(string name) =>
        _shared.Psql("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == "1";

    /// <summary>Per database: its OID and owner, and its role's OID and attributes.</summary>
    private IReadOnlyList<string> Snapshot(params string[] names) =>
        _shared.Psql("postgres", $"""
            SELECT d.oid, d.datname, pg_get_userbyid(d.datdba), r.oid, r.rolname, r.rolcanlogin, r.rolsuper,
                   r.rolcreatedb, r.rolcreaterole, r.rolinherit, r.rolconnlimit, d.datacl
              FROM pg_database d JOIN pg_roles r ON r.rolname = d.datname
             WHERE d.datname IN ({string.Join(", ", names.Select(n => $"'{n}'"))})
             ORDER BY d.datname
            """).Split('\n');

    /// <summary>The file the postmaster writes its log to, found through its stderr descriptor.</summary>
    private string ServerLogFile()
    {
        var dataDirectory = _shared.Psql("postgres", "SHOW data_directory");
        var postmasterPid = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First().Trim();
        var target = new FileInfo($"/proc/{postmasterPid}/fd/2").LinkTarget;
        Assert.That(target, Is.Not.Null.And.StartsWith("/"), "postmaster stderr is a log file");
        return target!;
    }

    private static string LastLine(string output) => output.TrimEnd('\n').Split('\n')[^1];

    private static void AssertNoSecret(IEnumerable<ShellResult> results, params string[] secrets)
    {
        foreach (var result in results)
        {
            foreach (var secret in secrets)
            {
                Assert.That(result.StdOut + result.StdErr, Does.Not.Contain(secret), "a password leaked into output");
            }
        }
    }
}

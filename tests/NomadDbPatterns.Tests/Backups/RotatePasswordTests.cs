using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>rotate-password.sh against a real PostgreSQL: the role takes the secret's new password, and it shows nowhere.</summary>
[TestFixture]
public sealed class RotatePasswordTests
{
    private PostgresCluster _cluster = null!;
    private TempDirectories _dirs = null!;

    private static string Script => Path.Combine(BackupScripts.ScriptsDirectory, "rotate-password.sh");

    [OneTimeSetUp]
    public void StartCluster()
    {
        _cluster = PostgresCluster.Start("rotate");
        _dirs = new TempDirectories();
        // Every statement logged: the rotation must keep its own out of the log.
        _cluster.Psql("postgres", "ALTER SYSTEM SET log_statement = 'all'; SELECT pg_reload_conf();");
    }

    [OneTimeTearDown]
    public void StopCluster()
    {
        _cluster?.Dispose();
        _dirs?.Dispose();
    }

    private bool CanLogIn(string role, string password) =>
        Shell.Run(Path.Combine(_cluster.BinDirectory, "psql"), ["-X", "-w", "-At", "-c", "SELECT 1"], _cluster.PgEnv("postgres", role, password), Path.GetTempPath(), TimeSpan.FromSeconds(30)).ExitCode == 0;

    private Dictionary<string, string> Env(string role, string file) => new(_cluster.PgEnv("postgres"))
    {
        ["POSTGRES_USER"] = role,
        ["ROTATE_ROLE"] = role,
        ["POSTGRES_PASSWORD_FILE"] = file,
    };

    [TestCase(ScriptShell.Dash, "n3w'pa$$ \"word\\")]
    [TestCase(ScriptShell.Busybox, "plain-new-password")]
    public void The_role_takes_the_new_password_and_the_password_is_neither_logged_nor_printed(ScriptShell shell, string newPassword)
    {
        var role = $"app_{shell.ToString().ToLowerInvariant()}";
        _cluster.Psql("postgres", $"CREATE ROLE {role} LOGIN PASSWORD 'old-password';");
        var file = Path.Combine(_dirs.NewDirectory("secret"), "db-password");
        File.WriteAllText(file, newPassword + "\n");

        var result = BackupScripts.Run(Script, Env(role, file), shell);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
            Assert.That(result.StdErr, Does.Contain($"rotate-password: ok role={role}"));
            Assert.That(CanLogIn(role, newPassword), Is.True, "the new password works (the trailing newline is not part of it)");
            Assert.That(CanLogIn(role, "old-password"), Is.False, "the old one no longer does");
            Assert.That(result.StdOut + result.StdErr, Does.Not.Contain(newPassword));
            Assert.That(_cluster.ServerLog, Does.Not.Contain(newPassword), "log_statement = all, yet the statement is not logged");
            Assert.That(_cluster.ServerLog, Does.Contain("log_statement"), "the server does log statements");
        });
    }

    [Test]
    public void An_empty_or_missing_password_file_changes_nothing()
    {
        _cluster.Psql("postgres", "CREATE ROLE app_empty LOGIN PASSWORD 'kept-password';");
        var dir = _dirs.NewDirectory("empty");
        var empty = Path.Combine(dir, "empty");
        File.WriteAllText(empty, "");

        var emptyRun = BackupScripts.Run(Script, Env("app_empty", empty));
        var missingRun = BackupScripts.Run(Script, Env("app_empty", Path.Combine(dir, "missing")));

        Assert.Multiple(() =>
        {
            Assert.That(emptyRun.ExitCode, Is.EqualTo(2));
            Assert.That(emptyRun.StdErr, Does.Contain("is empty; the password of role app_empty is unchanged"));
            Assert.That(missingRun.ExitCode, Is.EqualTo(2));
            Assert.That(CanLogIn("app_empty", "kept-password"), Is.True);
        });
    }

    [Test]
    public void A_role_that_does_not_exist_fails_with_exit_1()
    {
        var file = Path.Combine(_dirs.NewDirectory("norole"), "pw");
        File.WriteAllText(file, "whatever");

        var result = BackupScripts.Run(Script, Env("no_such_role", file));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("FAILED role=no_such_role"));
    }
}

using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>sqlite-backup.sh with Debian's sqlite3: online copy, integrity check, atomic rename, retention, failures.</summary>
[TestFixture]
public sealed class SqliteBackupTests
{
    private TempDirectories _dirs = null!;

    [SetUp]
    public void CreateDirectories() => _dirs = new TempDirectories();

    [TearDown]
    public void DeleteDirectories() => _dirs.Dispose();

    private static string Sqlite(string database, string sql)
    {
        var result = Shell.Run("sqlite3", [database, sql], null, null, BackupScripts.Timeout);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        return result.StdOut;
    }

    private string NewDatabase(bool wal = true)
    {
        var file = Path.Combine(_dirs.NewDirectory("data"), "app.db");
        Sqlite(file, (wal ? "PRAGMA journal_mode=WAL;" : "") + """
            CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, avatar BLOB);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
            INSERT INTO users (name, avatar) SELECT 'user ' || i || ' ü', randomblob(64) FROM n;
            CREATE TABLE settings (k TEXT PRIMARY KEY, v TEXT);
            INSERT INTO settings VALUES ('theme', 'dark'), ('empty', NULL);
            CREATE INDEX users_name ON users (name);
            """);
        return file;
    }

    private static Dictionary<string, string> Env(string database, string backupDir, params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string> { ["SQLITE_DB"] = database, ["BACKUP_DIR"] = backupDir, ["BACKUP_MODE"] = "once", ["TZ"] = "UTC" };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        return env;
    }

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void A_backup_is_a_consistent_copy_with_the_same_content(ScriptShell shell)
    {
        var database = NewDatabase();
        var dir = _dirs.NewDirectory("sqlite");

        var result = BackupScripts.Run(BackupScripts.SqliteBackup, Env(database, dir), shell);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var file = BackupScripts.BackupFiles(dir).Single();
        Assert.That(file, Does.Match(@"^app-\d{8}T\d{6}Z\.sqlite$"));
        var copy = Path.Combine(dir, file);
        Assert.That(Sqlite(copy, "PRAGMA integrity_check;").Trim(), Is.EqualTo("ok"));
        Assert.That(Sqlite(copy, ".dump"), Is.EqualTo(Sqlite(database, ".dump")));
        BackupScripts.AssertChecksumsValid(dir);
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { file, file + ".sha256", ".last-success" }),
            "no -wal, -shm or partial files are left behind");
        Assert.That(result.StdOut, Does.Match($@"backup ok name=app file={file} size={new FileInfo(copy).Length} bytes duration=\d+s removed=0 integrity=ok tables=2"));
    }

    [Test]
    public void The_copy_waits_for_a_writer_and_contains_its_committed_transaction()
    {
        // The writer holds an exclusive lock with an uncommitted row; the copy must neither fail nor see half a write.
        var database = NewDatabase(wal: false);
        var dir = _dirs.NewDirectory("locked");
        var locked = Path.Combine(_dirs.NewDirectory("signal"), "locked");
        var writerScript = Path.Combine(Path.GetDirectoryName(locked)!, "writer.sh");
        File.WriteAllText(writerScript, $$"""
            {
              printf '%s\n' 'BEGIN EXCLUSIVE;' "INSERT INTO settings VALUES ('late', '1');" '.shell touch "{{locked}}"'
              sleep 2
              printf '%s\n' 'COMMIT;'
            } | sqlite3 "{{database}}"
            """);
        var writer = System.Diagnostics.Process.Start("sh", [writerScript]);
        try
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(locked) && waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                Thread.Sleep(20);
            }

            Assert.That(File.Exists(locked), Is.True, "the writer took its lock");

            var result = BackupScripts.Run(BackupScripts.SqliteBackup, Env(database, dir));

            Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
            var copy = Path.Combine(dir, BackupScripts.BackupFiles(dir).Single());
            Assert.That(Sqlite(copy, "SELECT v FROM settings WHERE k = 'late';").Trim(), Is.EqualTo("1"));
        }
        finally
        {
            writer.WaitForExit();
            writer.Dispose();
        }
    }

    [Test]
    public void Keep_last_leaves_the_newest_backups()
    {
        var database = NewDatabase();
        var dir = _dirs.NewDirectory("keep");
        var seed = _dirs.NewDirectory("seed");
        Assert.That(BackupScripts.Run(BackupScripts.SqliteBackup, Env(database, seed)).ExitCode, Is.EqualTo(0));
        var real = Path.Combine(seed, BackupScripts.BackupFiles(seed).Single());
        var planted = Enumerable.Range(1, 4).Select(i => BackupScripts.PlantCopy(dir, real, "app", DateTimeOffset.UtcNow.AddHours(-i))).ToList();

        var result = BackupScripts.Run(BackupScripts.SqliteBackup, Env(database, dir, ("BACKUP_KEEP_LAST", "2")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var remaining = BackupScripts.BackupFiles(dir);
        Assert.That(remaining, Has.Count.EqualTo(2));
        Assert.That(remaining, Does.Contain(planted[0]), "the newest planted copy is the second newest backup");
        Assert.That(result.StdOut, Does.Contain("removed=3"));
    }

    [Test]
    public void A_missing_database_fails_without_creating_an_empty_one()
    {
        var database = NewDatabase();
        var dir = _dirs.NewDirectory("missing");
        Assert.That(BackupScripts.Run(BackupScripts.SqliteBackup, Env(database, dir)).ExitCode, Is.EqualTo(0));
        var before = BackupScripts.Snapshot(dir);
        var missing = Path.Combine(Path.GetDirectoryName(database)!, "gone.db");

        var result = BackupScripts.Run(BackupScripts.SqliteBackup, Env(missing, dir, ("BACKUP_NAME", "app")));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("does not exist").And.Contain("backup FAILED name=app"));
        Assert.That(File.Exists(missing), Is.False);
        Assert.That(BackupScripts.Snapshot(dir, ".last-failure"), Is.EqualTo(before));
        Assert.That(File.Exists(Path.Combine(dir, ".last-failure")), Is.True);
    }

    [Test]
    public void A_file_that_is_not_a_database_fails()
    {
        var dir = _dirs.NewDirectory("garbage");
        var notADatabase = Path.Combine(_dirs.NewDirectory("data"), "app.db");
        File.WriteAllText(notADatabase, new string('x', 4096));

        var result = BackupScripts.Run(BackupScripts.SqliteBackup, Env(notADatabase, dir));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("backup FAILED name=app"));
        Assert.That(BackupScripts.BackupFiles(dir), Is.Empty);
        Assert.That(Directory.GetFiles(dir, "*partial*"), Is.Empty);
    }
}

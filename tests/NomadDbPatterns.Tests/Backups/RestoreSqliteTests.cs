using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// A SQLite service's restore: templates/scripts/restore-sqlite.sh with Debian's sqlite3 (dash and BusyBox) puts a
/// backup written by sqlite-backup.sh back as the database file, checked, and refuses every wrong file before the
/// database changes; the rendered restore job is pinned and accepted by Nomad's rules.
/// </summary>
[TestFixture]
public sealed class RestoreSqliteTests
{
    private static readonly string Script = Path.Combine(BackupScripts.ScriptsDirectory, "restore-sqlite.sh");
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

    /// <summary>A WAL-mode database with rows, and a directory holding one good backup of it.</summary>
    private (string Database, string Backups, string Dump) BackedUp()
    {
        var database = Path.Combine(_dirs.NewDirectory("data"), "app.db");
        Sqlite(database, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, avatar BLOB);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
            INSERT INTO users (name, avatar) SELECT 'user ' || i || ' ü', randomblob(32) FROM n;
            CREATE TABLE settings (k TEXT PRIMARY KEY, v TEXT);
            INSERT INTO settings VALUES ('theme', 'dark');
            """);
        var backups = _dirs.NewDirectory("backups");
        var backup = BackupScripts.Run(BackupScripts.SqliteBackup, new Dictionary<string, string> { ["SQLITE_DB"] = database, ["BACKUP_DIR"] = backups, ["BACKUP_MODE"] = "once", ["TZ"] = "UTC" });
        Assert.That(backup.ExitCode, Is.Zero, backup.StdErr);
        return (database, backups, Sqlite(database, ".dump"));
    }

    private static ShellResult Restore(string database, string backups, string into, ScriptShell shell = ScriptShell.Dash) =>
        BackupScripts.Run(Script, new Dictionary<string, string> { ["SQLITE_DB"] = database, ["BACKUP_DIR"] = backups, ["RESTORE_INTO"] = into }, shell);

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void In_place_the_backup_replaces_the_database_and_the_old_wal_is_never_applied(ScriptShell shell)
    {
        var (database, backups, dump) = BackedUp();
        Sqlite(database, "DELETE FROM users WHERE id > 10; UPDATE settings SET v = 'light';");
        // What a stopped app can leave: a WAL and shared-memory file belonging to the old database.
        File.WriteAllBytes(database + "-wal", [.. Enumerable.Repeat((byte)0x37, 4096)]);
        File.WriteAllBytes(database + "-shm", [.. Enumerable.Repeat((byte)0x11, 32768)]);

        var result = Restore(database, backups, "in-place", shell);

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        Assert.That(result.StdOut, Does.Match(@"restore ok file=app-\d{8}T\d{6}Z\.sqlite sha256=match integrity=ok tables=2 into=in-place"));
        Assert.That(File.Exists(database + "-wal") || File.Exists(database + "-shm"), Is.False, "the old -wal/-shm are gone");
        Assert.That(Sqlite(database, ".dump"), Is.EqualTo(dump));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(database)!).Select(Path.GetFileName), Is.EquivalentTo(new[] { "app.db" }), "no partial copy is left");
    }

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void On_a_new_volume_the_backup_becomes_the_database_and_an_existing_file_is_refused(ScriptShell shell)
    {
        var (_, backups, dump) = BackedUp();
        var fresh = Path.Combine(_dirs.NewDirectory("new-volume"), "app.db");

        var restored = Restore(fresh, backups, "new-volume", shell);
        var again = Restore(fresh, backups, "new-volume", shell);

        Assert.That(restored.ExitCode, Is.Zero, restored.StdErr);
        Assert.That(Sqlite(fresh, ".dump"), Is.EqualTo(dump));
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.StdErr, Does.Contain("already exists"));
    }

    [Test]
    public void A_changed_backup_or_one_that_is_no_database_fails_and_the_database_stays_as_it_was()
    {
        var (database, backups, _) = BackedUp();
        Sqlite(database, "DELETE FROM users WHERE id > 10;");
        var current = Sqlite(database, ".dump");
        var file = Path.Combine(backups, BackupScripts.BackupFiles(backups).Single());
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x5a;
        File.WriteAllBytes(file, bytes);

        var changed = Restore(database, backups, "in-place");

        Assert.That(changed.ExitCode, Is.EqualTo(1));
        Assert.That(changed.StdErr, Does.Contain("restore FAILED").And.Contain("checksum mismatch"));
        Assert.That(Sqlite(database, ".dump"), Is.EqualTo(current));

        // A file whose checksum was written for it, but which is not a SQLite database: the copy's check stops it.
        File.WriteAllText(file, new string('x', 8192));
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();
        File.WriteAllText(file + ".sha256", $"{hash}  {Path.GetFileName(file)}\n");

        var garbage = Restore(database, backups, "in-place");

        Assert.That(garbage.ExitCode, Is.EqualTo(1));
        Assert.That(garbage.StdErr, Does.Contain("restore FAILED"));
        Assert.That(Sqlite(database, ".dump"), Is.EqualTo(current));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(database)!).Select(Path.GetFileName), Does.Not.Contain(".app.db.restore-partial"));
    }

    [TestCase(RestoreTarget.NewVolume, "new-volume")]
    [TestCase(RestoreTarget.InPlace, "in-place")]
    public void The_rendered_sqlite_restore_job_matches_its_snapshot_nomad_accepts_it_and_it_restores(RestoreTarget into, string label)
    {
        var loaded = SpecLoader.LoadFiles([RepoPaths.Combine("examples", "sqlite-service.yaml")]);
        var plan = Recovery.Restore.Plan(loaded.Jobs.Single().Job, new RestoreOptions { Into = into, SourceName = "examples/sqlite-service.yaml" });
        Assert.That(plan.Diagnostics, Is.Empty);
        foreach (var file in plan.Files.Where(f => !f.FileName.StartsWith("nomad-db-scripts", StringComparison.Ordinal) && (into == RestoreTarget.NewVolume || !f.FileName.EndsWith(".nv.hcl", StringComparison.Ordinal))))
        {
            var extension = Path.GetExtension(file.FileName);
            Snapshot.Verify($"restore-sqlite-{label}.{file.FileName[..^extension.Length]}", file.Content, extension.TrimStart('.'));
        }

        var hcl = plan.Files.Single(f => f.FileName == "status-restore.nomad.hcl").Content;
        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["status-restore.nomad.hcl"] = hcl });
        var group = Hcl.Block(Hcl.Block(Hcl2Json.ParseText(hcl), "job", "status-restore"), "group", "restore");
        Assert.That(Hcl.Attr(Hcl.Block(group, "volume", JobFacts.SqliteVolumeName), "source"), Is.EqualTo(into == RestoreTarget.NewVolume ? "status-data-restored" : "status-data"));
        var env = Hcl.Single(Hcl.Block(group, "task", "restore"), "env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        // The rendered settings drive the script: the backup name comes from the file name, as the backup sidecar's does.
        var data = _dirs.NewDirectory("data");
        var database = Path.Combine(data, Path.GetFileName(env["SQLITE_DB"]));
        Sqlite(database, "PRAGMA journal_mode=WAL; CREATE TABLE monitors (id INTEGER PRIMARY KEY, url TEXT); INSERT INTO monitors (url) VALUES ('https://example.com');");
        var backups = _dirs.NewDirectory("backups");
        Assert.That(BackupScripts.Run(BackupScripts.SqliteBackup, new Dictionary<string, string> { ["SQLITE_DB"] = database, ["BACKUP_DIR"] = backups, ["BACKUP_MODE"] = "once", ["TZ"] = "UTC" }).ExitCode, Is.Zero);
        var expected = Sqlite(database, ".dump");
        var target = into == RestoreTarget.NewVolume ? Path.Combine(_dirs.NewDirectory("new"), Path.GetFileName(database)) : database;
        if (into == RestoreTarget.InPlace)
        {
            Sqlite(database, "DELETE FROM monitors;");
        }

        var run = new Dictionary<string, string>(env) { ["SQLITE_DB"] = target, ["BACKUP_DIR"] = backups, ["BACKUP_LIB"] = BackupScripts.Library };
        var result = BackupScripts.Run(Script, run);

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        Assert.That(Sqlite(target, ".dump"), Is.EqualTo(expected));
    }
}

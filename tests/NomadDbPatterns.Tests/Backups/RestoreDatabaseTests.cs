using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// templates/scripts/restore-database.sh against a real PostgreSQL: a backup taken by pg-backup.sh is restored into an
/// empty database (a new volume) or in place, its checksum and its manifest's row counts are checked, and every way
/// the file or the target can be wrong is refused before anything changes.
/// </summary>
[TestFixture]
public sealed class RestoreDatabaseTests
{
    private static readonly string Script = Path.Combine(BackupScripts.ScriptsDirectory, "restore-database.sh");

    private PostgresCluster _cluster = null!;
    private TempDirectories _dirs = null!;
    private int _databases;

    [OneTimeSetUp]
    public void StartCluster()
    {
        _cluster = PostgresCluster.Start("restore-database");
        _dirs = new TempDirectories();
    }

    [OneTimeTearDown]
    public void StopCluster()
    {
        _cluster?.Dispose();
        _dirs?.Dispose();
    }

    /// <summary>A seeded database and a directory holding one good backup of it (its name is the backup name).</summary>
    private (string Database, string Dir) BackedUp(string format = "custom")
    {
        var database = $"restore_src_{++_databases}";
        PgData.CreateSeeded(_cluster, database);
        var dir = _dirs.NewDirectory("backups");
        var backup = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_FORMAT", format)));
        Assert.That(backup.ExitCode, Is.Zero, backup.StdErr);
        return (database, dir);
    }

    /// <summary>An empty database, as the image's entrypoint creates POSTGRES_DB on a new volume.</summary>
    private string EmptyTarget()
    {
        var target = $"restore_dst_{++_databases}";
        _cluster.Psql("postgres", $"CREATE DATABASE {target}");
        return target;
    }

    private ShellResult Restore(string target, string dir, string backupName, ScriptShell shell = ScriptShell.Dash, params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string>(_cluster.PgEnv(target))
        {
            ["BACKUP_DIR"] = dir,
            ["BACKUP_NAME"] = backupName,
            ["RESTORE_WAIT_SECONDS"] = "10",
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        return BackupScripts.Run(Script, env, shell);
    }

    [TestCase("custom", ScriptShell.Dash)]
    [TestCase("plain-gzip", ScriptShell.Dash)]
    [TestCase("custom", ScriptShell.Busybox)]
    [TestCase("plain-gzip", ScriptShell.Busybox)]
    public void The_newest_backup_restores_onto_a_new_volume_and_matches_its_manifest(string format, ScriptShell shell)
    {
        var (source, dir) = BackedUp(format);
        var target = EmptyTarget();

        var result = Restore(target, dir, source, shell);

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        var file = BackupScripts.BackupFiles(dir).Single();
        Assert.That(result.StdOut, Does.Match($@"restore ok file={file} sha256=match tables=\d+ rows=\d+ into=new-volume database={target} duration=\d+s"));
        Assert.That(PgData.Fingerprint(_cluster, target), Is.EqualTo(PgData.Fingerprint(_cluster, source)), "tables, rows and sequences as backed up");
        BackupScripts.AssertNoSecret(result, _cluster.SuperPassword);
    }

    [Test]
    public void In_place_replaces_the_database_with_the_backup()
    {
        var (source, dir) = BackedUp();
        var expected = PgData.Fingerprint(_cluster, source);
        _cluster.Psql(source, "INSERT INTO shop.customers (name) VALUES ('written after the backup'); CREATE TABLE public.later (x int)");

        var result = Restore(source, dir, source, extra: ("RESTORE_INTO", "in-place"));

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        Assert.That(result.StdOut, Does.Contain("into=in-place"));
        Assert.That(PgData.Fingerprint(_cluster, source), Is.EqualTo(expected));
    }

    [Test]
    public void A_new_volume_restore_refuses_a_database_that_holds_tables_and_leaves_it_alone()
    {
        var (source, dir) = BackedUp();
        var target = EmptyTarget();
        _cluster.Psql(target, "CREATE TABLE keep_me (x int); INSERT INTO keep_me VALUES (7)");

        var result = Restore(target, dir, source);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("already holds 1 table(s)"));
        Assert.That(PgData.Count(_cluster, target, "keep_me"), Is.EqualTo(1));
    }

    [Test]
    public void A_changed_backup_file_is_refused_before_anything_is_restored()
    {
        var (source, dir) = BackedUp();
        var target = EmptyTarget();
        File.AppendAllText(Path.Combine(dir, BackupScripts.BackupFiles(dir).Single()), "x");

        var result = Restore(target, dir, source);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("checksum mismatch"));
        Assert.That(_cluster.Psql(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'shop'"), Is.EqualTo("0"));
    }

    [Test]
    public void Row_counts_that_differ_from_the_manifest_fail_the_restore()
    {
        var (source, dir) = BackedUp();
        var target = EmptyTarget();
        var manifest = Path.Combine(dir, BackupScripts.BackupFiles(dir).Single() + ".manifest");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("rows 300 shop.customers", "rows 301 shop.customers", StringComparison.Ordinal));

        var result = Restore(target, dir, source);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("row counts differ from the manifest").And.Contain("shop.customers|301"));
    }

    [Test]
    public void A_named_older_backup_is_restored_and_a_path_is_refused()
    {
        var (source, dir) = BackedUp();
        var first = BackupScripts.BackupFiles(dir).Single();
        var expected = PgData.Fingerprint(_cluster, source);
        Thread.Sleep(1100); // the next backup gets a later stamp
        _cluster.Psql(source, "INSERT INTO shop.customers (name) VALUES ('in the second backup only')");
        Assert.That(BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, source, dir)).ExitCode, Is.Zero);
        var target = EmptyTarget();

        var named = Restore(target, dir, source, extra: ("RESTORE_FROM", first));
        var path = Restore(EmptyTarget(), dir, source, extra: ("RESTORE_FROM", "../" + first));

        Assert.That(named.ExitCode, Is.Zero, named.StdErr);
        Assert.That(PgData.Fingerprint(_cluster, target), Is.EqualTo(expected));
        Assert.That(path.ExitCode, Is.EqualTo(2));
        Assert.That(path.StdErr, Does.Contain("RESTORE_FROM is a file name in BACKUP_DIR"));
    }

    [Test]
    public void A_backup_without_a_manifest_is_not_restored()
    {
        var (source, dir) = BackedUp();
        File.Delete(Path.Combine(dir, BackupScripts.BackupFiles(dir).Single() + ".manifest"));

        var result = Restore(EmptyTarget(), dir, source);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("no manifest"));
    }
}

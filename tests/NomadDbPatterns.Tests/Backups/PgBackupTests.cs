using System.Globalization;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>pg-backup.sh against a real PostgreSQL: dump, check, atomic rename, checksum, retention, failures.</summary>
[TestFixture]
public sealed class PgBackupTests
{
    private PostgresCluster _cluster = null!;
    private TempDirectories _dirs = null!;
    private int _databases;

    [OneTimeSetUp]
    public void StartCluster()
    {
        _cluster = PostgresCluster.Start("pg-backup");
        _dirs = new TempDirectories();
    }

    [OneTimeTearDown]
    public void StopCluster()
    {
        _cluster?.Dispose();
        _dirs?.Dispose();
    }

    private string NewSeededDatabase(string prefix = "shop")
    {
        var name = $"{prefix}_{++_databases}";
        PgData.CreateSeeded(_cluster, name);
        return name;
    }

    [TestCase("custom", ScriptShell.Dash)]
    [TestCase("plain-gzip", ScriptShell.Dash)]
    [TestCase("custom", ScriptShell.Busybox)]
    [TestCase("plain-gzip", ScriptShell.Busybox)]
    public void A_dump_restores_into_a_fresh_database_with_identical_rows(string format, ScriptShell shell)
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("roundtrip");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_FORMAT", format)), shell);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var extension = format == "custom" ? ".dump" : ".sql.gz";
        var files = BackupScripts.BackupFiles(dir);
        Assert.That(files, Has.Count.EqualTo(1));
        var file = files[0];
        Assert.That(file, Does.StartWith(database + "-").And.EndWith(extension));
        var stamp = BackupScripts.ParseStamp(file);
        Assert.That(stamp, Is.InRange(before, DateTimeOffset.UtcNow.AddSeconds(1)), "the stamp is the UTC start time");
        var path = Path.Combine(dir, file);
        var magic = format == "custom" ? "PGDMP"u8.ToArray() : [0x1f, 0x8b];
        Assert.That(File.ReadAllBytes(path).Take(magic.Length), Is.EqualTo(magic), "custom archive or gzip");
        BackupScripts.AssertChecksumsValid(dir);
        Assert.That(Directory.GetFiles(dir, "*.partial*"), Is.Empty);
        Assert.That(File.Exists(Path.Combine(dir, ".last-failure")), Is.False);
        Assert.That(File.ReadAllText(Path.Combine(dir, ".last-success")).Trim(), Is.EqualTo($"{stamp.ToUnixTimeSeconds()} {file}"));

        var size = new FileInfo(path).Length;
        var logLines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(logLines, Has.Length.EqualTo(1), "one log line per run");
        Assert.That(logLines[0], Does.Match($@"backup ok name={database} file={file} size={size} bytes duration=\d+s"));
        Assert.That(result.StdErr, Is.Empty);
        BackupScripts.AssertNoSecret(result, _cluster.SuperPassword);

        var restored = database + "_restored";
        PgData.Restore(_cluster, path, restored);
        var expected = PgData.Fingerprint(_cluster, database);
        Assert.That(expected.Keys, Does.Contain("shop.orders").And.Contain("public.\"Mixed Case\"").And.Contain("public.events_2025"));
        Assert.That(PgData.Fingerprint(_cluster, restored), Is.EqualTo(expected));
    }

    [TestCase("custom")]
    [TestCase("plain-gzip")]
    public void Every_dump_has_a_manifest_of_what_it_holds(string format)
    {
        var database = $"manifest_{format.Replace('-', '_')}";
        PgData.CreateSeeded(_cluster, database);
        var dir = _dirs.NewDirectory("manifest");

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_FORMAT", format)));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var file = BackupScripts.BackupFiles(dir).Single();
        var lines = File.ReadAllLines(Path.Combine(dir, file + ".manifest"));
        var fields = lines.Where(l => !l.StartsWith("rows ", StringComparison.Ordinal)).Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        var rows = lines.Where(l => l.StartsWith("rows ", StringComparison.Ordinal)).Select(l => l.Split(' ', 3)).ToDictionary(p => p[2], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("nomad-db-backup-manifest 1"));
            Assert.That(fields["file"], Is.EqualTo(file));
            Assert.That(fields["database"], Is.EqualTo(database));
            Assert.That(fields["format"], Is.EqualTo(format));
            Assert.That(fields["server_version_num"], Is.EqualTo(_cluster.Psql("postgres", "SHOW server_version_num").Trim()));
            Assert.That(long.Parse(fields["size"], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(new FileInfo(Path.Combine(dir, file)).Length));
            Assert.That(fields["sha256"], Is.EqualTo(File.ReadAllText(Path.Combine(dir, file + ".sha256")).Split(' ')[0]));
            Assert.That(int.Parse(fields["tables"], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(rows.Count));
            Assert.That(rows, Is.Not.Empty);
            foreach (var (table, count) in rows)
            {
                Assert.That(count, Is.EqualTo(PgData.Count(_cluster, database, table)), table);
            }

            Assert.That(Directory.GetFiles(dir, "*partial*"), Is.Empty);
        });
    }

    [Test]
    public void Cluster_scope_dumps_every_database_and_the_roles_with_pg_dumpall()
    {
        var first = NewSeededDatabase("cluster_a");
        var second = NewSeededDatabase("cluster_b");
        _cluster.Psql(second, "DELETE FROM shop.orders WHERE id % 3 = 0");
        _cluster.Psql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reporting') THEN CREATE ROLE reporting LOGIN; END IF; END $$");
        var dir = _dirs.NewDirectory("cluster");

        var result = BackupScripts.Run(BackupScripts.PgBackup,
            BackupScripts.PgEnv(_cluster, "postgres", dir, ("BACKUP_SCOPE", "cluster")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var file = BackupScripts.BackupFiles(dir).Single();
        Assert.That(file, Does.Match(@"^cluster-\d{8}T\d{6}Z\.sql\.gz$"));
        BackupScripts.AssertChecksumsValid(dir);

        // Restore into a second, empty cluster. The dump would also give its postgres role the first cluster's
        // password, which breaks the restore's own \connect to each database: that one line is left out.
        using var target = PostgresCluster.Start("pg-backup-restore");
        var env = new Dictionary<string, string>(target.PgEnv("postgres")) { ["PATH"] = $"{BackupScripts.PgBinDir}:{Environment.GetEnvironmentVariable("PATH")}" };
        var restore = Shell.Run("sh", ["-c", "gzip -dc \"$1\" | grep -v '^ALTER ROLE postgres WITH' | psql -X -q -d postgres >/dev/null", "sh", Path.Combine(dir, file)], env, null, BackupScripts.Timeout);
        Assert.That(restore.ExitCode, Is.EqualTo(0), restore.StdErr);
        Assert.That(PgData.Fingerprint(target, first), Is.EqualTo(PgData.Fingerprint(_cluster, first)));
        Assert.That(PgData.Fingerprint(target, second), Is.EqualTo(PgData.Fingerprint(_cluster, second)));
        Assert.That(target.Psql("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'reporting'"), Is.EqualTo("1"));
    }

    [TestCase(3)]
    [TestCase(1)]
    public void Keep_last_leaves_exactly_the_newest_n_backups(int keep)
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("keep");
        var real = RealDump(database);
        var now = DateTimeOffset.UtcNow;
        for (var i = 1; i <= keep + 2; i++)
        {
            BackupScripts.PlantCopy(dir, real, database, now.AddDays(-i));
        }

        var result = BackupScripts.Run(BackupScripts.PgBackup,
            BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_KEEP_LAST", keep.ToString(CultureInfo.InvariantCulture))));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var all = BackupScripts.BackupFiles(dir);
        Assert.That(all, Has.Count.EqualTo(keep));
        var newest = all[^1];
        Assert.That(File.ReadAllText(Path.Combine(dir, ".last-success")), Does.Contain(newest));
        Assert.That(BackupScripts.ParseStamp(newest), Is.GreaterThan(now.AddSeconds(-5)), "the new backup is kept");
        Assert.That(all.Take(keep - 1).Select(BackupScripts.ParseStamp),
            Is.EqualTo(Enumerable.Range(1, keep - 1).Reverse().Select(i => BackupScripts.ParseStamp(BackupScripts.Stamp(now.AddDays(-i))))),
            "the newest planted backups remain, the oldest are gone");
        Assert.That(Directory.GetFiles(dir, "*.sha256").Select(Path.GetFileName),
            Is.EquivalentTo(all.Select(f => f + ".sha256")), "checksums go with their backups");
        Assert.That(Directory.GetFiles(dir, "*.manifest").Select(Path.GetFileName),
            Is.EquivalentTo(all.Select(f => f + ".manifest")), "manifests go with their backups");
        Assert.That(result.StdOut, Does.Contain("removed=3"));
    }

    [Test]
    public void Max_age_deletes_older_backups_and_keeps_younger_ones()
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("maxage");
        var real = RealDump(database);
        var now = DateTimeOffset.UtcNow;
        var tenDays = BackupScripts.PlantCopy(dir, real, database, now.AddDays(-10));
        var threeDays = BackupScripts.PlantCopy(dir, real, database, now.AddDays(-3));
        var oneHour = BackupScripts.PlantCopy(dir, real, database, now.AddHours(-1));

        var result = BackupScripts.Run(BackupScripts.PgBackup,
            BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_MAX_AGE_SECONDS", (2 * 86400).ToString(CultureInfo.InvariantCulture))));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var remaining = BackupScripts.BackupFiles(dir);
        Assert.That(remaining, Does.Not.Contain(tenDays).And.Not.Contain(threeDays).And.Contain(oneHour));
        Assert.That(remaining, Has.Count.EqualTo(2));
    }

    [Test]
    public void Retention_never_deletes_the_backup_just_written_even_when_a_later_stamp_exists()
    {
        // A clock that went backwards leaves a backup stamped in the future; keep-last 1 must not delete the new one.
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("future");
        var real = RealDump(database);
        var future = BackupScripts.PlantCopy(dir, real, database, DateTimeOffset.UtcNow.AddDays(1));

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_KEEP_LAST", "1"), ("BACKUP_MAX_AGE_SECONDS", "1")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var written = File.ReadAllText(Path.Combine(dir, ".last-success")).Split(' ')[1].Trim();
        Assert.That(BackupScripts.BackupFiles(dir), Does.Contain(written).And.Contain(future));
    }

    [TestCase("custom", "none")]
    [TestCase("plain-gzip", "none")]
    [TestCase("custom", "restore")]
    public void A_wrong_password_fails_visibly_and_changes_no_backup(string format, string verify)
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("wrongpw");
        var ok = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_FORMAT", format)));
        Assert.That(ok.ExitCode, Is.EqualTo(0), ok.StdErr);
        BackupScripts.PlantCopy(dir, Path.Combine(dir, BackupScripts.BackupFiles(dir)[0]), database, DateTimeOffset.UtcNow.AddDays(-1));
        var before = BackupScripts.Snapshot(dir);
        const string wrongPassword = "not-the-password-4711";

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir,
            ("PGPASSWORD", wrongPassword), ("BACKUP_FORMAT", format), ("BACKUP_VERIFY", verify), ("BACKUP_KEEP_LAST", "1")));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("password authentication failed").And.Contain("backup FAILED name=" + database));
        Assert.That(result.StdOut, Does.Not.Contain("backup ok"));
        BackupScripts.AssertNoSecret(result, wrongPassword);
        Assert.That(BackupScripts.Snapshot(dir, ".last-failure"), Is.EqualTo(before), "every previous backup and marker is untouched");
        Assert.That(Directory.GetFiles(dir, "*partial*"), Is.Empty);
        var failure = File.ReadAllText(Path.Combine(dir, ".last-failure")).Trim().Split(' ', 2);
        Assert.That(long.Parse(failure[0], CultureInfo.InvariantCulture), Is.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Within(60));
        Assert.That(failure[1], Is.Not.Empty);
        Assert.That(PgData.DatabaseExists(_cluster, database + "_restore_verify"), Is.False);
    }

    [Test]
    public void A_stopped_server_fails_visibly_and_changes_no_backup()
    {
        var dir = _dirs.NewDirectory("stopped");
        var cluster = PostgresCluster.Start("pg-backup-stopped");
        Dictionary<string, string> env;
        try
        {
            PgData.CreateSeeded(cluster, "app");
            env = BackupScripts.PgEnv(cluster, "app", dir, ("BACKUP_KEEP_LAST", "1"));
            Assert.That(BackupScripts.Run(BackupScripts.PgBackup, env).ExitCode, Is.EqualTo(0));
        }
        finally
        {
            cluster.Stop();
        }

        var before = BackupScripts.Snapshot(dir);

        var result = BackupScripts.Run(BackupScripts.PgBackup, env);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("backup FAILED name=app").And.Contain("Connection refused"));
        Assert.That(BackupScripts.Snapshot(dir, ".last-failure"), Is.EqualTo(before));
        Assert.That(File.Exists(Path.Combine(dir, ".last-failure")), Is.True);
        Assert.That(Directory.GetFiles(dir, "*partial*"), Is.Empty);
    }

    [Test]
    public void A_dump_that_pg_restore_cannot_read_is_rejected()
    {
        // pg_dump "succeeds" but writes garbage (a full disk, a broken storage layer): the check must catch it.
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("garbage");
        var wrappers = BackupScripts.WrapperDirectory(_dirs, "pg_dump", """
            for arg in "$@"; do case $arg in --file=*) out=$(printf '%s' "$arg" | cut -d= -f2-) ;; esac; done
            printf 'PGDMP this is not an archive\n' > "$out"
            exit 0
            """);

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir), pathPrefix: wrappers);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("pg_restore --list rejected the dump"));
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { ".last-failure" }));
    }

    [Test]
    public void A_cut_off_plain_dump_is_rejected()
    {
        // A plain dump that stops early is still valid gzip; only pg_dump's closing trailer reveals it.
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("cutoff");
        var wrappers = BackupScripts.WrapperDirectory(_dirs, "pg_dump", """
            "$REAL" "$@" | head -n 40
            exit 0
            """);

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_FORMAT", "plain-gzip")), pathPrefix: wrappers);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("dump complete"));
        Assert.That(BackupScripts.BackupFiles(dir), Is.Empty);
        Assert.That(Directory.GetFiles(dir, "*partial*"), Is.Empty);
    }

    [Test]
    public void A_failed_run_removes_the_partial_file_left_by_a_killed_run_and_a_good_run_clears_the_failure_marker()
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("leftover");
        var leftover = Path.Combine(dir, $".{database}-20200101T000000Z.partial");
        File.WriteAllText(leftover, "half a dump");
        File.WriteAllText(Path.Combine(dir, ".last-failure"), "1 earlier failure\n");

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(File.Exists(leftover), Is.False);
        Assert.That(File.Exists(Path.Combine(dir, ".last-failure")), Is.False);
        Assert.That(BackupScripts.BackupFiles(dir), Has.Count.EqualTo(1));
    }

    [Test]
    public void The_file_name_prefix_is_derived_safely_from_any_database_name()
    {
        const string database = "my shop/db";
        PgData.CreateSeeded(_cluster, database);
        var dir = _dirs.NewDirectory("name");

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_VERIFY", "restore")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(BackupScripts.BackupFiles(dir).Single(), Does.Match(@"^my_shop_db-\d{8}T\d{6}Z\.dump$"));
        Assert.That(result.StdOut, Does.Contain("verify=match"));
    }

    [TestCase("BACKUP_KEEP_LAST=0", "BACKUP_KEEP_LAST")]
    [TestCase("BACKUP_KEEP_LAST=two", "BACKUP_KEEP_LAST")]
    [TestCase("BACKUP_MAX_AGE_SECONDS=-5", "BACKUP_MAX_AGE_SECONDS")]
    [TestCase("BACKUP_FORMAT=zip", "BACKUP_FORMAT")]
    [TestCase("BACKUP_SCOPE=server", "BACKUP_SCOPE")]
    [TestCase("BACKUP_VERIFY=maybe", "BACKUP_VERIFY")]
    [TestCase("BACKUP_SCOPE=cluster;BACKUP_VERIFY=restore", "BACKUP_VERIFY=restore")]
    [TestCase("BACKUP_SCOPE=cluster;BACKUP_FORMAT=custom", "plain-gzip")]
    [TestCase("BACKUP_VERIFY=restore;BACKUP_VERIFY_DATABASE=@db", "BACKUP_VERIFY_DATABASE")]
    [TestCase("BACKUP_MODE=daemon", "BACKUP_MODE")]
    [TestCase("BACKUP_DRILL_CRON=0 4 * * 8", "BACKUP_DRILL_CRON")]
    [TestCase("BACKUP_SCOPE=cluster;BACKUP_DRILL_CRON=0 4 * * 0", "restore drills are not available")]
    [TestCase("BACKUP_MODE=loop", "BACKUP_CRON or BACKUP_INTERVAL_SECONDS")]
    [TestCase("BACKUP_MODE=loop;BACKUP_CRON=61 * * * *", "BACKUP_CRON")]
    [TestCase("BACKUP_MODE=loop;BACKUP_CRON=* * *", "BACKUP_CRON")]
    [TestCase("BACKUP_MODE=loop;BACKUP_CRON=0 3 * * *;BACKUP_INTERVAL_SECONDS=60", "not both")]
    [TestCase("BACKUP_NAME=../escape", "BACKUP_NAME")]
    [TestCase("PGDATABASE=", "PGDATABASE")]
    public void Invalid_settings_are_configuration_errors(string settings, string mentioned)
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("config");
        var env = BackupScripts.PgEnv(_cluster, database, dir);
        foreach (var setting in settings.Split(';'))
        {
            var parts = setting.Split('=', 2);
            env[parts[0]] = parts[1].Replace("@db", database, StringComparison.Ordinal);
        }

        var result = BackupScripts.Run(BackupScripts.PgBackup, env);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.StdOut + result.StdErr);
        Assert.That(result.StdErr, Does.Contain("CONFIG ERROR").And.Contain(mentioned));
        Assert.That(BackupScripts.BackupFiles(dir), Is.Empty);
        Assert.That(File.ReadAllText(Path.Combine(dir, ".last-failure")), Does.Contain("config:"));
    }

    [Test]
    public void A_missing_backup_directory_is_a_configuration_error()
    {
        var database = NewSeededDatabase();
        var missing = Path.Combine(_dirs.NewDirectory("parent"), "not-mounted");

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, missing));

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.StdErr, Does.Contain("is not a directory"));
        Assert.That(Directory.Exists(missing), Is.False, "the script does not create a directory that should be a volume");
    }

    [Test]
    public void The_library_path_comes_from_BACKUP_LIB()
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("lib");
        var elsewhere = _dirs.NewDirectory("local");
        File.Copy(BackupScripts.Library, Path.Combine(elsewhere, "backup-lib.sh"));
        var script = Path.Combine(elsewhere, "pg-backup.sh");
        File.Copy(BackupScripts.PgBackup, script);

        var missingLib = BackupScripts.Run(script, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_LIB", "/nonexistent/backup-lib.sh")));
        var defaultLib = BackupScripts.Run(script, BackupScripts.PgEnv(_cluster, database, dir));

        Assert.That(missingLib.ExitCode, Is.EqualTo(2));
        Assert.That(missingLib.StdErr, Does.Contain("/nonexistent/backup-lib.sh"));
        Assert.That(defaultLib.ExitCode, Is.EqualTo(0), "without BACKUP_LIB the library next to the script is used: " + defaultLib.StdErr);
    }

    /// <summary>A real dump of <paramref name="database"/> made by the script in a directory of its own.</summary>
    private string RealDump(string database)
    {
        var dir = _dirs.NewDirectory("real");
        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        return Path.Combine(dir, BackupScripts.BackupFiles(dir).Single());
    }
}

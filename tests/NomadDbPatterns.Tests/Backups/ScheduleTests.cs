using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// BACKUP_MODE=loop (the sidecar): cron evaluated in TZ each minute, or an interval measured from the newest good
/// backup, and an exit when backups go stale. BACKUP_LOOP_ITERATIONS=1 ends the loop after its first tick, which is
/// evaluated at once. The schedule code is shared, so most cases use sqlite-backup.sh; one runs pg-backup.sh.
/// </summary>
[TestFixture]
public sealed class ScheduleTests
{
    private TempDirectories _dirs = null!;
    private string _database = null!;

    [SetUp]
    public void CreateDatabase()
    {
        _dirs = new TempDirectories();
        _database = Path.Combine(_dirs.NewDirectory("data"), "app.db");
        var result = Shell.Run("sqlite3", [_database, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"], null, null, BackupScripts.Timeout);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
    }

    [TearDown]
    public void DeleteDirectories() => _dirs.Dispose();

    private Dictionary<string, string> LoopEnv(string dir, params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["SQLITE_DB"] = _database, ["BACKUP_DIR"] = dir, ["BACKUP_MODE"] = "loop", ["BACKUP_LOOP_ITERATIONS"] = "1", ["TZ"] = "UTC",
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        return env;
    }

    /// <summary>A cron expression matching this minute and the next one in <paramref name="zone"/> (a tick may cross a minute).</summary>
    private static string CronForNow(string zone)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, tz);
        var next = now.AddMinutes(1);
        return $"{now.Minute},{next.Minute} {now.Hour},{next.Hour} * * *";
    }

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void A_cron_that_matches_this_minute_runs_a_backup(ScriptShell shell)
    {
        var dir = _dirs.NewDirectory("cron");

        var result = BackupScripts.Run(BackupScripts.SqliteBackup, LoopEnv(dir, ("BACKUP_CRON", "* * * * *")), shell);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Does.Contain("backup scheduler started name=app cron=\"* * * * *\" tz=UTC").And.Contain("backup ok"));
        Assert.That(BackupScripts.BackupFiles(dir), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_cron_for_another_minute_does_not_run()
    {
        var dir = _dirs.NewDirectory("cron-later");
        var later = (DateTime.UtcNow.Minute + 30) % 60;

        var result = BackupScripts.Run(BackupScripts.SqliteBackup, LoopEnv(dir, ("BACKUP_CRON", $"{later} * * * *")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Does.Not.Contain("backup ok"));
        Assert.That(BackupScripts.BackupFiles(dir), Is.Empty);
    }

    [Test]
    public void The_cron_is_evaluated_in_TZ()
    {
        // Kiritimati is UTC+14: its hours never overlap the UTC hours of the same instant.
        var cron = CronForNow("Pacific/Kiritimati");
        var inZone = _dirs.NewDirectory("tz");
        var inUtc = _dirs.NewDirectory("utc");

        var zoned = BackupScripts.Run(BackupScripts.SqliteBackup, LoopEnv(inZone, ("BACKUP_CRON", cron), ("TZ", "Pacific/Kiritimati")));
        var utc = BackupScripts.Run(BackupScripts.SqliteBackup, LoopEnv(inUtc, ("BACKUP_CRON", cron)));

        Assert.That(zoned.ExitCode, Is.EqualTo(0), zoned.StdErr);
        Assert.That(BackupScripts.BackupFiles(inZone), Has.Count.EqualTo(1), zoned.StdOut);
        Assert.That(utc.ExitCode, Is.EqualTo(0), utc.StdErr);
        Assert.That(BackupScripts.BackupFiles(inUtc), Is.Empty, utc.StdOut);
    }

    [Test]
    public void An_unknown_time_zone_is_reported()
    {
        var dir = _dirs.NewDirectory("badtz");

        var result = BackupScripts.Run(BackupScripts.SqliteBackup, LoopEnv(dir, ("BACKUP_CRON", "0 3 * * *"), ("TZ", "Mars/Olympus_Mons")));

        Assert.That(result.StdErr, Does.Contain("TZ=Mars/Olympus_Mons is not in /usr/share/zoneinfo"));
    }

    [TestCase(2 * 3600, true)]
    [TestCase(10 * 60, false)]
    public void The_interval_counts_from_the_newest_good_backup(int newestAgeSeconds, bool runs)
    {
        var dir = _dirs.NewDirectory("interval");
        var seed = _dirs.NewDirectory("seed");
        Assert.That(BackupScripts.Run(BackupScripts.SqliteBackup, new Dictionary<string, string> { ["SQLITE_DB"] = _database, ["BACKUP_DIR"] = seed }).ExitCode, Is.EqualTo(0));
        BackupScripts.PlantCopy(dir, Path.Combine(seed, BackupScripts.BackupFiles(seed).Single()), "app", DateTimeOffset.UtcNow.AddSeconds(-newestAgeSeconds));

        var result = BackupScripts.Run(BackupScripts.SqliteBackup, LoopEnv(dir, ("BACKUP_INTERVAL_SECONDS", "3600")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(BackupScripts.BackupFiles(dir), Has.Count.EqualTo(runs ? 2 : 1), result.StdOut);
    }

    [Test]
    public void After_a_failure_the_interval_schedule_waits_before_retrying()
    {
        var dir = _dirs.NewDirectory("retry");
        File.WriteAllText(Path.Combine(dir, ".last-failure"), $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30} pg_dump failed\n");

        var waiting = BackupScripts.Run(BackupScripts.SqliteBackup, LoopEnv(dir, ("BACKUP_INTERVAL_SECONDS", "3600")));
        var retrying = BackupScripts.Run(BackupScripts.SqliteBackup, LoopEnv(dir, ("BACKUP_INTERVAL_SECONDS", "3600"), ("BACKUP_RETRY_SECONDS", "20")));

        Assert.That(waiting.StdOut, Does.Not.Contain("backup ok"), "default retry delay: 300 s");
        Assert.That(retrying.StdOut, Does.Contain("backup ok"), retrying.StdErr);
        Assert.That(File.Exists(Path.Combine(dir, ".last-failure")), Is.False);
    }

    [Test]
    public void The_loop_exits_non_zero_when_no_good_backup_is_made_in_time()
    {
        // sqlite3 fails after 2 s, so the first tick ends with no backup and a loop older than the 1 s limit.
        var dir = _dirs.NewDirectory("stale");
        var wrappers = _dirs.NewDirectory("wrap");
        var sqlite = Path.Combine(wrappers, "sqlite3");
        File.WriteAllText(sqlite, "#!/bin/sh\nsleep 2\necho 'disk I/O error' >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(sqlite, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var stale = BackupScripts.Run(BackupScripts.SqliteBackup,
            LoopEnv(dir, ("BACKUP_INTERVAL_SECONDS", "3600"), ("BACKUP_STALE_AFTER_SECONDS", "1")), pathPrefix: wrappers);
        var healthy = BackupScripts.Run(BackupScripts.SqliteBackup,
            LoopEnv(_dirs.NewDirectory("healthy"), ("BACKUP_INTERVAL_SECONDS", "3600"), ("BACKUP_STALE_AFTER_SECONDS", "3600")));

        Assert.That(stale.ExitCode, Is.EqualTo(1));
        Assert.That(stale.StdErr, Does.Contain("backup FAILED").And.Contain("backup STALE name=app newest=none"));
        Assert.That(healthy.ExitCode, Is.EqualTo(0), healthy.StdErr);
        Assert.That(healthy.StdOut, Does.Contain("backup ok"));
    }

    [Test]
    public void The_postgres_sidecar_loop_runs_on_its_cron()
    {
        using var cluster = PostgresCluster.Start("schedule");
        PgData.CreateSeeded(cluster, "app");
        var dir = _dirs.NewDirectory("pg-loop");
        var env = BackupScripts.PgEnv(cluster, "app", dir, ("BACKUP_MODE", "loop"), ("BACKUP_CRON", CronForNow("Europe/Berlin")),
            ("TZ", "Europe/Berlin"), ("BACKUP_LOOP_ITERATIONS", "1"), ("BACKUP_STALE_AFTER_SECONDS", "86400"), ("BACKUP_VERIFY", "restore"));

        var result = BackupScripts.Run(BackupScripts.PgBackup, env);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Does.Contain("verify=match"));
        Assert.That(BackupScripts.BackupFiles(dir), Has.Count.EqualTo(1));
    }
}

using NomadDbPatterns.Nomad;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// Scheduled restore drills (<c>backup.drill</c> → BACKUP_DRILL_CRON) against a real PostgreSQL: a second schedule of
/// the sidecar's loop, or the second cron of a periodic backup job (the launch time in NOMAD_JOB_ID says which fired).
/// A drill compares the restored newest backup with its manifest only, so writes to the live database raise no
/// false alarm; a failure is visible as a failed backup's is (log line, .last-failure, exit status in once mode) and
/// <c>nomad-db status</c> reads it from the log (<see cref="BackupLog"/>).
/// </summary>
[TestFixture]
public sealed class DrillTests
{
    private const string Database = "app";
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private PostgresCluster _cluster = null!;
    private TempDirectories _dirs = null!;

    [OneTimeSetUp]
    public void StartCluster()
    {
        _cluster = PostgresCluster.Start("drill");
        PgData.CreateSeeded(_cluster, Database);
        _dirs = new TempDirectories();
    }

    [OneTimeTearDown]
    public void StopCluster()
    {
        _cluster?.Dispose();
        _dirs?.Dispose();
    }

    /// <summary>A backup directory holding one good backup of <see cref="Database"/>; returns its file name.</summary>
    private string WithOneBackup(string dir)
    {
        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, Database, dir));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        return BackupScripts.BackupFiles(dir).Single();
    }

    /// <summary>The sidecar's loop, one tick: the backup cron never fires unless given, the drill cron every minute.</summary>
    private Dictionary<string, string> LoopEnv(string dir, string backupCron = "0 3 31 2 *", params (string Name, string Value)[] extra) =>
        BackupScripts.PgEnv(_cluster, Database, dir, [("BACKUP_MODE", "loop"), ("BACKUP_CRON", backupCron), ("BACKUP_DRILL_CRON", "* * * * *"),
            ("BACKUP_LOOP_ITERATIONS", "1"), ("BACKUP_STALE_AFTER_SECONDS", "86400"), .. extra]);

    private static long ManifestRows(string dir, string file, string table) =>
        long.Parse(File.ReadLines(Path.Combine(dir, file + ".manifest")).Single(l => l.EndsWith(" " + table, StringComparison.Ordinal)).Split(' ')[1],
            System.Globalization.CultureInfo.InvariantCulture);

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void A_sidecar_drill_while_the_database_is_written_to_matches_its_manifest(ScriptShell shell)
    {
        // Both crons fire in the same minute: the backup runs first, then the drill restores that new backup. Rows are
        // written throughout (a background writer) and while the drill restores (a pg_restore wrapper writing to the
        // live database first): the drill compares with the manifest, so none of that is a mismatch.
        var dir = _dirs.NewDirectory("drill-writes");
        var wrappers = BackupScripts.WrapperDirectory(_dirs, "pg_restore", """
            case "$*" in *restore_verify*) psql -X -q -d app -c 'INSERT INTO shop.orders (customer_id, total) SELECT 1, 0 FROM generate_series(1, 25)' >/dev/null || exit 1 ;; esac
            exec "$REAL" "$@"
            """);
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                _cluster.Psql(Database, "INSERT INTO shop.orders (customer_id, total) VALUES (2, 1); DELETE FROM shop.orders WHERE id = (SELECT min(id) FROM shop.orders WHERE customer_id = 3);");
                written++;
                Thread.Sleep(50);
            }
        });

        ShellResult result;
        try
        {
            result = BackupScripts.Run(BackupScripts.PgBackup, LoopEnv(dir, backupCron: "* * * * *"), shell, pathPrefix: wrappers);
        }
        finally
        {
            stop.Cancel();
            writer.Wait();
        }

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var file = BackupScripts.BackupFiles(dir).Single();
        Assert.That(result.StdOut, Does.Contain($"drill ok name={Database} file={file}").And.Contain("verify=match"), result.StdErr);
        Assert.That(result.StdOut.IndexOf("backup ok", StringComparison.Ordinal), Is.LessThan(result.StdOut.IndexOf("drill ok", StringComparison.Ordinal)));
        Assert.That(result.StdErr, Does.Not.Contain("FAILED").And.Not.Contain("mismatch"));
        Assert.That(written, Is.GreaterThan(0), "the writer ran");
        Assert.That(PgData.Count(_cluster, Database, "shop.orders"), Is.GreaterThan(ManifestRows(dir, file, "shop.orders")), "the live table moved on");
        Assert.That(File.Exists(Path.Combine(dir, ".last-failure")), Is.False);
        Assert.That(PgData.DatabaseExists(_cluster, Database + "_restore_verify"), Is.False);
        var log = BackupLog.Parse(result.StdOut, result.StdErr);
        Assert.That(log.LastDrillFile, Is.EqualTo(file));
        Assert.That(log.LatestDrillFailed, Is.False);
        Assert.That(log.LastSuccessFile, Is.EqualTo(file), "a drill line is not a backup");
    }

    [TestCase("dump", "checksum mismatch")]
    [TestCase("manifest", "restore-verify: row counts differ in 1 of")]
    [TestCase("dump-and-checksum", "restore-verify: restoring into app_restore_verify failed")]
    public void A_drill_of_a_tampered_backup_fails_visibly_as_a_failed_backup_does(string tampered, string reason)
    {
        var dir = _dirs.NewDirectory("drill-tampered");
        var file = WithOneBackup(dir);
        var path = Path.Combine(dir, file);
        var original = File.ReadAllBytes(path);
        var originalChecksum = File.ReadAllText(path + ".sha256");
        var originalManifest = File.ReadAllText(path + ".manifest");
        switch (tampered)
        {
            case "dump":
                var changed = (byte[])original.Clone();
                changed[^1] ^= 0xff;
                File.WriteAllBytes(path, changed);
                break;
            case "manifest":
                var orders = ManifestRows(dir, file, "shop.orders");
                File.WriteAllText(path + ".manifest", File.ReadAllText(path + ".manifest").Replace($"rows {orders} shop.orders", $"rows {orders - 1} shop.orders", StringComparison.Ordinal));
                break;
            default:
                // A cut-off dump with a checksum to match: only the restore itself can tell.
                File.WriteAllBytes(path, original[..(original.Length / 2)]);
                var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();
                File.WriteAllText(path + ".sha256", $"{hash}  {file}\n");
                break;
        }

        // The sidecar: the loop logs and marks the failure and goes on, as after a failed backup.
        var loop = BackupScripts.Run(BackupScripts.PgBackup, LoopEnv(dir));
        // The periodic job, launched by its drill cron (Sunday 04:00 Berlin): the run's exit status is the result.
        var periodic = BackupScripts.Run(BackupScripts.PgBackup, PeriodicEnv(dir, LaunchAt(2026, 12, 6, 4, 0)));
        var ageCheck = BackupScripts.Run(BackupScripts.AgeCheck, new Dictionary<string, string>
        {
            ["BACKUP_DIR"] = dir, ["BACKUP_STALE_AFTER_SECONDS"] = "86400", ["BACKUP_LIB"] = BackupScripts.Library,
        });

        Assert.That(loop.ExitCode, Is.EqualTo(0), loop.StdErr);
        Assert.That(loop.StdErr, Does.Contain($"drill FAILED name={Database} file={file} reason=\"{reason}"));
        Assert.That(periodic.ExitCode, Is.EqualTo(1), periodic.StdOut + periodic.StdErr);
        Assert.That(periodic.StdErr, Does.Contain($"drill FAILED name={Database} file={file} reason=\"{reason}"));
        Assert.That(periodic.StdOut, Does.Not.Contain("backup ok"), "a drill launch takes no backup");
        var marker = File.ReadAllText(Path.Combine(dir, ".last-failure"));
        Assert.That(marker, Does.Match(@"^\d+ drill: ").And.Contain(reason));
        Assert.That(ageCheck.StdOut, Does.StartWith("OK: newest backup").And.Contain("last failure: ").And.Contain("drill: " + reason), "the age check shows the marker");
        var log = BackupLog.Parse(loop.StdOut, loop.StdErr);
        Assert.That(log.LatestDrillFailed, Is.True);
        Assert.That(log.LastDrillFailureReason, Does.StartWith(reason));
        Assert.That(log.LatestFailed, Is.False, "the backups themselves did not fail");
        Assert.That(BackupScripts.BackupFiles(dir), Is.EqualTo(new[] { file }), "a drill never deletes or adds a backup");
        Assert.That(PgData.DatabaseExists(_cluster, Database + "_restore_verify"), Is.False);

        // Put right, the next drill passes and clears its own marker; status then sees the newest drill pass.
        File.WriteAllBytes(path, original);
        File.WriteAllText(path + ".sha256", originalChecksum);
        File.WriteAllText(path + ".manifest", originalManifest);
        Thread.Sleep(1100);
        var again = BackupScripts.Run(BackupScripts.PgBackup, LoopEnv(dir));
        Assert.That(again.StdOut, Does.Contain("drill ok"), again.StdErr);
        Assert.That(BackupLog.Parse(loop.StdOut, loop.StdErr, again.StdOut, again.StdErr).LatestDrillFailed, Is.False);
        Assert.That(File.Exists(Path.Combine(dir, ".last-failure")), Is.False);
    }

    [Test]
    public void A_passing_drill_leaves_a_failed_backups_marker_alone()
    {
        var dir = _dirs.NewDirectory("drill-marker");
        WithOneBackup(dir);
        File.WriteAllText(Path.Combine(dir, ".last-failure"), "1764900000 pg_dump failed (exit 1)\n");

        var result = BackupScripts.Run(BackupScripts.PgBackup, LoopEnv(dir));

        Assert.That(result.StdOut, Does.Contain("drill ok"), result.StdErr);
        Assert.That(File.ReadAllText(Path.Combine(dir, ".last-failure")), Is.EqualTo("1764900000 pg_dump failed (exit 1)\n"));
    }

    private static long LaunchAt(int year, int month, int day, int hour, int minute) =>
        new DateTimeOffset(new DateTime(year, month, day, hour, minute, 0), Berlin.GetUtcOffset(new DateTime(year, month, day, hour, minute, 0))).ToUnixTimeSeconds();

    /// <summary>A run of the periodic job <c>app-backup</c> (backups at 03:00, drills Sundays at 04:00, Berlin) launched at <paramref name="launch"/>.</summary>
    private Dictionary<string, string> PeriodicEnv(string dir, long launch, string drillCron = "0 4 * * 0") =>
        BackupScripts.PgEnv(_cluster, Database, dir, ("BACKUP_MODE", "once"), ("BACKUP_CRON", "0 3 * * *"), ("BACKUP_DRILL_CRON", drillCron),
            ("TZ", "Europe/Berlin"), ("NOMAD_JOB_ID", $"app-backup/periodic-{launch}"));

    [TestCase(2026, 12, 6, 4, 0, "0 4 * * 0", false, true, TestName = "A periodic run launched by the drill cron drills only")]
    [TestCase(2026, 12, 5, 3, 0, "0 4 * * 0", true, false, TestName = "A periodic run launched by the backup cron backs up only")]
    [TestCase(2026, 12, 5, 12, 34, "0 4 * * 0", true, false, TestName = "A forced periodic run backs up")]
    [TestCase(2026, 12, 5, 3, 0, "0 3 * * 6", true, true, TestName = "A periodic run launched by both crons backs up, then drills the new backup")]
    public void A_periodic_run_does_what_its_launch_time_says(int year, int month, int day, int hour, int minute, string drillCron, bool backs, bool drills)
    {
        var dir = _dirs.NewDirectory("drill-periodic");
        WithOneBackup(dir);
        Thread.Sleep(1100);

        var result = BackupScripts.Run(BackupScripts.PgBackup, PeriodicEnv(dir, LaunchAt(year, month, day, hour, minute), drillCron));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut.Contains("backup ok", StringComparison.Ordinal), Is.EqualTo(backs), result.StdOut);
        Assert.That(result.StdOut.Contains("drill ok", StringComparison.Ordinal), Is.EqualTo(drills), result.StdOut);
        Assert.That(BackupScripts.BackupFiles(dir), Has.Count.EqualTo(backs ? 2 : 1));
        if (backs && drills)
        {
            Assert.That(result.StdOut, Does.Contain("drill ok name=app file=" + BackupScripts.BackupFiles(dir).Last()));
        }
    }

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void The_drill_cron_is_read_in_its_own_time_zone(ScriptShell shell)
    {
        // 2026-12-05 04:00 in Kiritimati (UTC+14) is 2026-12-04 14:00 UTC.
        var epoch = new DateTimeOffset(2026, 12, 4, 14, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var env = new Dictionary<string, string> { ["BACKUP_DRILL_CRON"] = "0 4 * * *", ["TZ"] = "UTC" };
        var inUtc = BackupScripts.RunLibrary($"drill_due {epoch} && echo due", env, shell);
        env["BACKUP_DRILL_TZ"] = "Pacific/Kiritimati";
        var inZone = BackupScripts.RunLibrary($"drill_due {epoch} && echo due", env, shell);

        Assert.That(inUtc.StdOut.Trim(), Is.Empty, inUtc.StdErr);
        Assert.That(inZone.StdOut.Trim(), Is.EqualTo("due"), inZone.StdErr);
    }

    [Test]
    public void SQLite_backups_refuse_a_drill()
    {
        var dir = _dirs.NewDirectory("drill-sqlite");
        var result = BackupScripts.Run(BackupScripts.SqliteBackup, new Dictionary<string, string>
        {
            ["SQLITE_DB"] = Path.Combine(dir, "x.db"), ["BACKUP_DIR"] = dir, ["BACKUP_DRILL_CRON"] = "0 4 * * 0",
        });

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.StdErr, Does.Contain("SQLite backups have no restore drill"));
    }
}

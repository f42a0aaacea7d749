using System.Text.Json.Nodes;
using NomadDbPatterns.Cli;
using NomadDbPatterns.Cli.Commands;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// <c>nomad-db status</c> answering "how old is the newest good backup?" from the backup task's log (the lines the
/// generated scripts print, templates/scripts/backup-lib.sh), read through Nomad's logs API.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BackupStatusTests
{
    // myservice backs up daily at 02:30 Europe/Berlin: the newest good backup may be 2 × 24h + 1h = 49h old.
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [SetUp]
    public void SetUp() => StatusCommand.Clock = new FixedClock(Now);

    [TearDown]
    public void TearDown() => StatusCommand.Clock = TimeProvider.System;

    private static async Task<(int Exit, string Out, IReadOnlyList<RecordedRequest> Requests)> StatusAsync(FakeNomad nomad, string spec)
    {
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = CommandHarness.Run(server, "status", spec);
        Assert.That(stderr, Does.Not.Contain("   at "));
        return (exit, stdout + stderr, server.Requests);
    }

    private static FakeNomad WithBackupLog(string stdout, string stderr = "")
    {
        var nomad = new FakeNomad();
        nomad.TaskLogs[("db-backup", "stdout")] = stdout;
        nomad.TaskLogs[("db-backup", "stderr")] = stderr;
        return nomad;
    }

    private const string Ok = "2026-12-05T01:30:04Z backup scheduler started name=myservice cron=\"30 2 * * *\" tz=Europe/Berlin\n"
        + "2026-12-04T01:30:09Z backup ok name=myservice file=myservice-20261204T013000Z.dump size=1048576 bytes duration=9s\n"
        + "2026-12-05T01:30:11Z backup ok name=myservice file=myservice-20261205T013000Z.dump size=1050000 bytes duration=11s\n";

    [Test]
    public async Task A_recent_good_backup_is_reported_with_its_age()
    {
        var (exit, output, requests) = await StatusAsync(WithBackupLog(Ok), CommandHarness.Example);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), output);
            Assert.That(output, Does.Contain("  backup: newest good backup 10h 29m ago, at 2026-12-05T01:30:11Z (myservice-20261205T013000Z.dump)"));
            var log = requests.First(r => r.Path.StartsWith("/v1/client/fs/logs/", StringComparison.Ordinal));
            Assert.That(log.Path, Is.EqualTo("/v1/client/fs/logs/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"));
            Assert.That(log.Query, Does.Contain("task=db-backup").And.Contain("type=stdout").And.Contain("origin=end").And.Contain("plain=true"));
        });
    }

    [Test]
    public async Task A_backup_older_than_the_schedule_allows_is_a_problem()
    {
        var old = "2026-12-01T01:30:11Z backup ok name=myservice file=myservice-20261201T013000Z.dump size=1 bytes duration=1s\n";
        var (exit, output, _) = await StatusAsync(WithBackupLog(old), CommandHarness.Example);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Unhealthy), output);
            Assert.That(output, Does.Contain("newest good backup 4d 10h ago"));
            Assert.That(output, Does.Contain("problem: the newest good backup is older than the 2d 1h its schedule allows"));
            Assert.That(output, Does.Contain("next: nomad alloc logs -stderr -task db-backup 1a2b3c4d"));
        });
    }

    [Test]
    public async Task A_failed_latest_run_is_a_problem_with_its_reason()
    {
        var failed = "2026-12-05T01:30:40Z backup FAILED name=myservice reason=\"pg_dump exited 1: connection refused\" duration=30s\n";
        var (exit, output, _) = await StatusAsync(WithBackupLog(Ok, failed), CommandHarness.Example);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Unhealthy), output);
            Assert.That(output, Does.Contain("problem: the latest backup run failed at 2026-12-05T01:30:40Z: pg_dump exited 1: connection refused"));
        });
    }

    [Test]
    public async Task A_failed_latest_restore_drill_is_a_problem_until_a_drill_passes()
    {
        // A good backup after the failed drill does not clear it: the drill has a timeline of its own.
        var drillFailed = "2026-12-04T03:00:21Z drill FAILED name=myservice file=myservice-20261204T013000Z.dump reason=\"restore-verify: row counts differ in 1 of 5 table(s)\" duration=20s\n";
        var (exit, output, _) = await StatusAsync(WithBackupLog(Ok, drillFailed), CommandHarness.Example);
        var drillOk = "2026-12-05T03:00:19Z drill ok name=myservice file=myservice-20261205T013000Z.dump duration=18s verify=match tables=5 rows=1940\n";
        var (passedExit, passedOutput, _) = await StatusAsync(WithBackupLog(Ok + drillOk, drillFailed), CommandHarness.Example);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Unhealthy), output);
            Assert.That(output, Does.Contain("problem: the latest restore drill failed at 2026-12-04T03:00:21Z: restore-verify: row counts differ in 1 of 5 table(s)"));
            Assert.That(output, Does.Not.Contain("the latest backup run failed"));
            Assert.That(passedExit, Is.EqualTo(ExitCodes.Ok), passedOutput);
            Assert.That(passedOutput, Does.Contain("drill: newest restore drill passed 8h 59m ago, at 2026-12-05T03:00:19Z (myservice-20261205T013000Z.dump)"));
        });
    }

    [Test]
    public async Task An_allocation_running_longer_than_the_schedule_allows_without_a_good_backup_is_a_problem()
    {
        // The fixture's allocation was created on 2026-01-15: months without a good backup.
        var (exit, output, _) = await StatusAsync(WithBackupLog("2026-12-05T01:30:04Z backup scheduler started name=myservice\n"), CommandHarness.Example);

        Assert.That(exit, Is.EqualTo(ExitCodes.Unhealthy), output);
        Assert.That(output, Does.Contain("problem: no good backup in the db-backup task's recent log, 2d 1h after it started"));
    }

    [Test]
    public async Task Without_read_logs_the_age_is_not_checked_and_status_says_so()
    {
        var nomad = WithBackupLog(Ok);
        nomad.LogsForbidden = true;
        var (exit, output, _) = await StatusAsync(nomad, CommandHarness.Example);

        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), output);
        Assert.That(output, Does.Contain("backup: cannot read the db-backup task's log (403 Forbidden; the token needs read-logs on the namespace): age not checked"));
    }

    [Test]
    public async Task A_periodic_backup_job_is_judged_by_its_newest_runs()
    {
        var nomad = new FakeNomad { Job = "job-read-periodic.json" };
        foreach (var (id, submitted) in new[] { ("grafana-backup/periodic-1764900600", 1764900600L), ("grafana-backup/periodic-1764814200", 1764814200L) })
        {
            nomad.JobList.Add(new JsonObject { ["ID"] = id, ["ParentID"] = "grafana-backup", ["Namespace"] = "default", ["Type"] = "batch", ["Status"] = "dead", ["SubmitTime"] = submitted * 1_000_000_000 });
        }

        nomad.JobList.Add(new JsonObject { ["ID"] = "grafana-backup-other", ["ParentID"] = "", ["Type"] = "batch", ["Status"] = "dead", ["SubmitTime"] = 1 });
        nomad.TaskLogs[("backup", "stdout")] = "2026-12-05T01:10:30Z backup ok name=grafana file=grafana-20261205T011000Z.sql.gz size=5 bytes duration=30s\n";
        nomad.TaskLogs[("backup", "stderr")] = "";
        var (exit, output, requests) = await StatusAsync(nomad, Path.Combine(CommandHarness.Root, "examples", "homelab", "grafana.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain("== job \"grafana-backup\""));
            Assert.That(output, Does.Contain("backup: newest good backup 10h 49m ago, at 2026-12-05T01:10:30Z (grafana-20261205T011000Z.sql.gz)"));
            Assert.That(requests.Any(r => r.Path == "/v1/job/grafana-backup%2Fperiodic-1764900600/allocations"), Is.True, "the newest run's allocations (the ID path-escaped, as api/jobs.go does)");
            Assert.That(requests.Any(r => r.Path.Contains("periodic-1764814200", StringComparison.Ordinal)), Is.False, "older runs are read only until a good backup is found");
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), output);
        });
    }

    [TestCase("2026-12-05T01:30:11Z backup ok name=a file=a-1.dump size=1 bytes duration=1s", "2026-12-05T01:30:11Z a-1.dump - -")]
    [TestCase("2026-12-05T01:30:11Z backup FAILED name=a reason=\"disk full\" duration=1s", "- - 2026-12-05T01:30:11Z disk full")]
    [TestCase("garbage\n2026-12-05 backup ok", "- - - -")]
    [TestCase("2026-12-05T01:30:11Z drill ok name=a file=a-1.dump duration=1s", "- - - -")]
    [TestCase("2026-12-05T01:30:11Z drill FAILED name=a file=a-1.dump reason=\"checksum mismatch\" duration=1s", "- - - -")]
    public void The_log_parser_reads_the_scripts_run_lines(string log, string expected)
    {
        var parsed = BackupLog.Parse(log);
        string Time(DateTimeOffset? t) => t is { } v ? v.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "-";
        Assert.That($"{Time(parsed.LastSuccess)} {parsed.LastSuccessFile ?? "-"} {Time(parsed.LastFailure)} {parsed.LastFailureReason ?? "-"}", Is.EqualTo(expected));
    }

    [TestCase("2026-12-05T01:10:30Z base backup ok name=a dir=base/a-20261205T011000Z start_wal=000000010000000000000007 duration=30s", "2026-12-05T01:10:30Z base/a-20261205T011000Z - - False")]
    [TestCase("2026-12-05T01:10:30Z base backup FAILED name=a reason=\"pg_basebackup failed: connection refused\"", "- - 2026-12-05T01:10:30Z base backup: pg_basebackup failed: connection refused True")]
    [TestCase("2026-12-05T01:15:00Z archive FAILED name=a segment=000000010000000000000008 failures=3 reason=\"the archiver's last attempt failed\"\n2026-12-05T01:20:00Z archive ok name=a segment=000000010000000000000009 recovered=yes", "- - 2026-12-05T01:15:00Z WAL archiving: the archiver's last attempt failed False")]
    [TestCase("2026-12-05T01:30:11Z backup ok name=a file=a-1.dump size=1 bytes duration=1s", "- - - - False")]
    public void The_log_parser_reads_continuous_archivings_lines_apart(string log, string expected)
    {
        var parsed = BackupLog.Parse(log);
        string Time(DateTimeOffset? t) => t is { } v ? v.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "-";
        Assert.That($"{Time(parsed.LastBaseBackup)} {parsed.LastBaseBackupDir ?? "-"} {Time(parsed.LastArchivingFailure)} {parsed.LastArchivingFailureReason ?? "-"} {parsed.LatestArchivingFailed}", Is.EqualTo(expected));
        Assert.That(parsed.LastSuccess is null || log.Contains(" backup ok name=a file=", StringComparison.Ordinal), Is.True, "a base backup is not a dump");
    }

    [Test]
    public async Task A_failing_archiver_is_a_problem_until_archiving_works_again()
    {
        var failing = "2026-12-05T02:00:00Z archive FAILED name=myservice segment=000000010000000000000008 failures=4 reason=\"the archiver's last attempt failed\" duration=0s\n";
        var (exit, output, _) = await StatusAsync(WithBackupLog(Ok, failing), CommandHarness.Example);
        var recovered = Ok + "2026-12-05T02:05:00Z archive ok name=myservice segment=000000010000000000000009 recovered=yes\n"
            + "2026-12-05T01:10:30Z base backup ok name=myservice dir=base/myservice-20261205T011000Z start_wal=000000010000000000000007 duration=30s\n";
        var (okExit, okOutput, _) = await StatusAsync(WithBackupLog(recovered, failing), CommandHarness.Example);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Unhealthy), output);
            Assert.That(output, Does.Contain("problem: continuous archiving failed at 2026-12-05T02:00:00Z: WAL archiving: the archiver's last attempt failed"));
            Assert.That(okExit, Is.EqualTo(ExitCodes.Ok), okOutput);
            Assert.That(okOutput, Does.Contain("archiving: newest base backup 10h 49m ago, at 2026-12-05T01:10:30Z (base/myservice-20261205T011000Z)"));
        });
    }

    [TestCase("2026-12-05T01:30:11Z drill ok name=a file=a-1.dump duration=1s verify=match", "2026-12-05T01:30:11Z a-1.dump - - False")]
    [TestCase("2026-12-05T01:30:11Z drill FAILED name=a file=a-1.dump reason=\"checksum mismatch\" duration=1s", "- - 2026-12-05T01:30:11Z checksum mismatch True")]
    [TestCase("2026-12-05T01:30:11Z drill FAILED name=a file= reason=\"no backup named a in /backups\" duration=0s", "- - 2026-12-05T01:30:11Z no backup named a in /backups True")]
    [TestCase("2026-12-05T01:30:11Z backup ok name=a file=a-1.dump size=1 bytes duration=1s", "- - - - False")]
    public void The_log_parser_reads_the_drill_lines_apart(string log, string expected)
    {
        var parsed = BackupLog.Parse(log);
        string Time(DateTimeOffset? t) => t is { } v ? v.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "-";
        Assert.That($"{Time(parsed.LastDrill)} {parsed.LastDrillFile ?? "-"} {Time(parsed.LastDrillFailure)} {parsed.LastDrillFailureReason ?? "-"} {parsed.LatestDrillFailed}", Is.EqualTo(expected));
    }
}

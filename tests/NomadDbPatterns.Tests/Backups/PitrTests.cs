using System.Globalization;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// Continuous archiving and point-in-time restore on a real PostgreSQL: archive-wal.sh as the server's
/// archive_command, base backups by pg-backup.sh, pitr-restore.sh preparing a new data directory that a server then
/// recovers to a moment between two batches of writes, to the end of the archive, or refuses to recover past a gap.
/// </summary>
[TestFixture]
public sealed class PitrTests
{
    private static readonly string ArchiveScript = Path.Combine(BackupScripts.ScriptsDirectory, "archive-wal.sh");
    private static readonly string RestoreScript = Path.Combine(BackupScripts.ScriptsDirectory, "pitr-restore.sh");
    private const string Database = "shop";

    private TempDirectories _dirs = null!;
    private PostgresCluster _source = null!;
    private string _backups = null!;
    private string _wal = null!;
    private string _between = null!;

    /// <summary>
    /// One archiving cluster for the fixture: 100 rows, a base backup, 100 rows (batch A), a moment, 100 rows (batch B),
    /// everything archived.
    /// </summary>
    [OneTimeSetUp]
    public void ArchiveTwoBatches()
    {
        _dirs = new TempDirectories();
        _backups = _dirs.NewDirectory("backups");
        _wal = Path.Combine(_backups, "wal");
        Directory.CreateDirectory(_wal);
        if (Environment.IsPrivilegedProcess)
        {
            Shell.Run("chown", ["-R", "postgres:postgres", _backups], null, null, BackupScripts.Timeout);
        }

        _source = PostgresCluster.StartWith("pitr-source", ("archive_mode", "on"), ("archive_command", $"/bin/sh {ArchiveScript} %p %f {_wal}"));
        _source.Psql("postgres", $"CREATE DATABASE {Database}");
        _source.Psql(Database, "CREATE TABLE orders (id integer PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp()); INSERT INTO orders (id) SELECT g FROM generate_series(1, 100) AS g;");

        var baseBackup = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_source, Database, _backups, ("BACKUP_MODE", "base")));
        Assert.That(baseBackup.ExitCode, Is.Zero, baseBackup.StdErr);
        Assert.That(baseBackup.StdOut, Does.Match("base backup ok name=shop dir=base/shop-[0-9]{8}T[0-9]{6}Z start_wal=[0-9A-F]{24}"));

        _source.Psql(Database, "INSERT INTO orders (id) SELECT g FROM generate_series(101, 200) AS g;");
        _source.Psql("postgres", "SELECT pg_switch_wal()"); // batch A in a segment of its own: a gap can be made after it
        Thread.Sleep(1200);
        // A whole second after batch A's commit and before batch B's: the restore target.
        var moment = DateTimeOffset.Parse(_source.Psql("postgres", "SELECT to_char(date_trunc('second', now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"), CultureInfo.InvariantCulture);
        _between = moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Thread.Sleep(1200);
        _source.Psql(Database, "INSERT INTO orders (id) SELECT g FROM generate_series(201, 300) AS g;");
        var last = _source.Psql("postgres", "SELECT pg_walfile_name(pg_current_wal_lsn())");
        _source.Psql("postgres", "SELECT pg_switch_wal()");
        for (var i = 0; i < 100 && !File.Exists(Path.Combine(_wal, last)); i++)
        {
            Thread.Sleep(100);
        }

        Assert.That(File.Exists(Path.Combine(_wal, last)), Is.True, $"segment {last} was archived");
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _source?.Dispose();
        _dirs?.Dispose();
    }

    private ShellResult Prepare(PostgresCluster target, string until, string? wal = null, ScriptShell shell = ScriptShell.Dash)
    {
        var env = new Dictionary<string, string>
        {
            ["PITR_STEP"] = "prepare",
            ["PGDATA"] = target.DataDirectory,
            ["BACKUP_DIR"] = _backups,
            ["BACKUP_WAL_DIR"] = wal ?? _wal,
            ["BACKUP_NAME"] = Database,
            ["RESTORE_UNTIL"] = until,
        };
        if (target.ServerOwner is { } owner)
        {
            env["PG_OWNER"] = owner;
        }

        return BackupScripts.Run(RestoreScript, env, shell);
    }

    private static ShellResult Verify(PostgresCluster target, string until) =>
        BackupScripts.Run(RestoreScript, new Dictionary<string, string>(target.PgEnv(Database)) { ["PITR_STEP"] = "verify", ["RESTORE_UNTIL"] = until, ["RESTORE_WAIT_SECONDS"] = "60" });

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void A_restore_to_a_moment_holds_exactly_the_rows_committed_before_it(ScriptShell shell)
    {
        using var target = PostgresCluster.Prepare("pitr-moment", _source.SuperPassword);

        var prepared = Prepare(target, _between, shell: shell);
        Assert.That(prepared.ExitCode, Is.Zero, prepared.StdErr);
        target.StartPrepared();
        var verified = Verify(target, _between);

        Assert.That(verified.ExitCode, Is.Zero, verified.StdErr + target.ServerLog);
        Assert.That(verified.StdOut, Does.Contain($"restore ok until={_between} database=shop tables=1 rows=200"));
        Assert.That(target.Psql(Database, "SELECT count(*), max(id) FROM orders"), Is.EqualTo("200|200"));
        Assert.That(target.Psql("postgres", "SELECT pg_is_in_recovery()"), Is.EqualTo("f"), "promoted");
    }

    [Test]
    public void A_restore_to_latest_loses_nothing_that_was_archived()
    {
        using var target = PostgresCluster.Prepare("pitr-latest", _source.SuperPassword);

        Assert.That(Prepare(target, "latest").ExitCode, Is.Zero);
        target.StartPrepared();
        var verified = Verify(target, "latest");

        Assert.That(verified.ExitCode, Is.Zero, verified.StdErr + target.ServerLog);
        Assert.That(target.Psql(Database, "SELECT count(*) FROM orders"), Is.EqualTo("300"));
    }

    [Test]
    public void A_missing_segment_fails_loudly_instead_of_ending_the_recovery_early()
    {
        // A copy of the archive without the segment after the base backup's first one.
        var wal = _dirs.NewDirectory("wal-gap");
        foreach (var file in Directory.GetFiles(_wal))
        {
            File.Copy(file, Path.Combine(wal, Path.GetFileName(file)));
        }

        var start = File.ReadAllLines(Directory.GetFiles(Path.Combine(_backups, "base"), "info", SearchOption.AllDirectories).Single())
            .Single(l => l.StartsWith("start_wal ", StringComparison.Ordinal))["start_wal ".Length..];
        var segments = Directory.GetFiles(wal).Select(Path.GetFileName).OfType<string>().Where(n => n.Length == 24 && string.CompareOrdinal(n, start) > 0).Order(StringComparer.Ordinal).ToList();
        Assert.That(segments, Has.Count.GreaterThanOrEqualTo(2), "a segment to remove with one after it");
        File.Delete(Path.Combine(wal, segments[0]));
        if (Environment.IsPrivilegedProcess)
        {
            Shell.Run("chown", ["-R", "postgres:postgres", wal], null, null, BackupScripts.Timeout);
        }

        using var latest = PostgresCluster.Prepare("pitr-gap-latest", _source.SuperPassword);
        var refused = Prepare(latest, "latest", wal);
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.StdErr, Does.Contain($"WAL segment {segments[0]} is missing from the archive"));
        Assert.That(Directory.Exists(latest.DataDirectory) && Directory.EnumerateFileSystemEntries(latest.DataDirectory).Any(), Is.False, "nothing unpacked");

        // To a moment after the gap: the script cannot tell which segments the moment needs; PostgreSQL can, and stops.
        using var moment = PostgresCluster.Prepare("pitr-gap-moment", _source.SuperPassword);
        Assert.That(Prepare(moment, DateTimeOffset.UtcNow.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), wal).ExitCode, Is.Zero);
        var start2 = Assert.Catch(moment.StartPrepared);
        Assert.That(start2!.Message + moment.ServerLog, Does.Contain("recovery ended before configured recovery target was reached"));
    }

    [Test]
    public void No_base_backup_before_the_target_and_a_non_empty_data_directory_are_refused()
    {
        using var target = PostgresCluster.Prepare("pitr-refused", _source.SuperPassword);

        var early = Prepare(target, "2001-01-01T00:00:00Z");
        Directory.CreateDirectory(target.DataDirectory);
        File.WriteAllText(Path.Combine(target.DataDirectory, "PG_VERSION"), "15\n");
        var notEmpty = Prepare(target, "latest");
        var badTime = Prepare(target, "yesterday");

        Assert.That(early.ExitCode, Is.EqualTo(1));
        Assert.That(early.StdErr, Does.Contain("no base backup named shop ended before 2001-01-01T00:00:00Z"));
        Assert.That(notEmpty.ExitCode, Is.EqualTo(1));
        Assert.That(notEmpty.StdErr, Does.Contain("is not empty"));
        Assert.That(File.ReadAllText(Path.Combine(target.DataDirectory, "PG_VERSION")), Is.EqualTo("15\n"), "left unchanged");
        Assert.That(badTime.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void A_base_backup_keeps_what_the_recovery_window_needs_and_removes_older_base_backups_and_wal()
    {
        var dir = _dirs.NewDirectory("window");
        var wal = Path.Combine(dir, "planted-wal");
        Directory.CreateDirectory(wal);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        void Base(string stamp, string startWal, long endEpoch)
        {
            var baseDir = Path.Combine(dir, "base", $"shop-{stamp}");
            Directory.CreateDirectory(baseDir);
            File.WriteAllText(Path.Combine(baseDir, "base.tar.gz"), "x");
            File.WriteAllText(Path.Combine(baseDir, "info"), $"start_wal {startWal}\nstart_epoch {endEpoch - 5}\nend_epoch {endEpoch}\n");
        }

        Base("20261120T010000Z", "000000010000000000000001", now - (10 * 86400));
        Base("20261127T010000Z", "000000010000000000000003", now - (3 * 86400));
        Base("20261130T010000Z", "000000010000000000000005", now - 3600);
        foreach (var segment in new[] { "000000010000000000000001", "000000010000000000000002", "000000010000000000000003", "000000010000000000000004" })
        {
            File.WriteAllText(Path.Combine(wal, segment), "wal");
        }

        // A real base backup of the source (its WAL goes to the source's archive), then retention over this directory.
        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_source, Database, dir, ("BACKUP_MODE", "base"), ("BACKUP_WAL_DIR", wal), ("BACKUP_PITR_WINDOW_SECONDS", (2 * 86400).ToString(CultureInfo.InvariantCulture))));

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        Assert.That(result.StdOut, Does.Contain("removed=base/shop-20261120T010000Z"));
        var kept = Directory.GetDirectories(Path.Combine(dir, "base")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.That(kept, Has.Count.EqualTo(3));
        Assert.That(kept[..2], Is.EqualTo(new[] { "shop-20261127T010000Z", "shop-20261130T010000Z" }), "inside the window, and the newest before it");
        Assert.That(Directory.GetFiles(wal).Select(Path.GetFileName).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "000000010000000000000003", "000000010000000000000004" }),
            "WAL before the oldest kept base backup's start is gone; from it on, kept");
    }

    [Test]
    public void A_failing_archive_command_is_reported_not_silent()
    {
        using var broken = PostgresCluster.StartWith("pitr-broken", ("archive_mode", "on"), ("archive_command", "/bin/false"));
        broken.Psql("postgres", $"CREATE DATABASE {Database}");
        broken.Psql(Database, "CREATE TABLE t (x int); INSERT INTO t VALUES (1);");
        broken.Psql("postgres", "SELECT pg_switch_wal()");
        for (var i = 0; i < 100 && broken.Psql("postgres", "SELECT failed_count FROM pg_stat_archiver") == "0"; i++)
        {
            Thread.Sleep(100);
        }

        var dir = _dirs.NewDirectory("broken");
        var loop = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(broken, Database, dir,
            ("BACKUP_MODE", "loop"), ("BACKUP_CRON", "0 0 31 2 *"), ("BACKUP_BASE_CRON", "0 0 31 2 *"), ("BACKUP_ARCHIVE_CHECK_MINUTES", "1"), ("BACKUP_LOOP_ITERATIONS", "1"), ("TZ", "UTC")));

        Assert.That(loop.ExitCode, Is.Zero, loop.StdErr);
        Assert.That(loop.StdErr, Does.Match("archive FAILED name=shop segment=[0-9A-F]{24} failures=[1-9]"));
        Assert.That(File.ReadAllText(Path.Combine(dir, ".last-failure")), Does.Contain("archive: WAL archiving is failing"));
    }

    /// <summary>The rendered jobs' own settings drive the scripts: the sidecar's base backups, the restore job's prepare and verify.</summary>
    [Test]
    public void The_rendered_sidecar_and_restore_job_settings_drive_the_scripts()
    {
        var loaded = NomadDbPatterns.Spec.SpecLoader.LoadFiles([RepoPaths.Combine("examples", "homelab", "paperless.yaml")]);
        var job = loaded.Jobs.Single().Job;
        var service = Hcl2Json.ParseText(NomadDbPatterns.Rendering.JobRenderer.Default.Render(job, "paperless.yaml").Single(f => f.FileName == "paperless.nomad.hcl").Content);
        var sidecar = Env(Hcl.Block(Hcl.Block(Hcl.Block(service, "job", "paperless"), "group", "paperless"), "task", "db-backup"));
        var restore = NomadDbPatterns.Recovery.Restore.Plan(job, new NomadDbPatterns.Recovery.RestoreOptions { Until = NomadDbPatterns.Recovery.PointInTime.Latest });
        var restoreGroup = Hcl.Block(Hcl.Block(Hcl2Json.ParseText(restore.Files.Single(f => f.FileName == "paperless-restore.nomad.hcl").Content), "job", "paperless-restore"), "group", "restore");
        var bases = _dirs.NewDirectory("rendered-base");
        var remap = new Dictionary<string, string> { ["BACKUP_DIR"] = _backups, ["BACKUP_WAL_DIR"] = _wal, ["BACKUP_BASE_DIR"] = bases, ["BACKUP_LIB"] = BackupScripts.Library };

        var baseRun = new Dictionary<string, string>(sidecar.Concat(BackupScripts.PgEnv(_source, Database, _backups)).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        foreach (var (key, value) in remap)
        {
            baseRun[key] = value;
        }

        baseRun["BACKUP_MODE"] = "base";
        if (!Environment.IsPrivilegedProcess)
        {
            baseRun.Remove("BACKUP_WAL_OWNER");
        }
        else
        {
            baseRun["BACKUP_WAL_OWNER"] = "postgres:postgres";
        }

        var taken = BackupScripts.Run(BackupScripts.PgBackup, baseRun);
        Assert.That(taken.ExitCode, Is.Zero, taken.StdErr);

        using var target = PostgresCluster.Prepare("pitr-rendered", _source.SuperPassword);
        var prepare = Env(Hcl.Block(restoreGroup, "task", "prepare"));
        foreach (var (key, value) in remap)
        {
            prepare[key] = value;
        }

        prepare["PGDATA"] = target.DataDirectory;
        prepare["PGDATABASE"] = Database;
        prepare.Remove("PG_OWNER");
        if (target.ServerOwner is { } owner)
        {
            prepare["PG_OWNER"] = owner;
        }

        var prepared = BackupScripts.Run(RestoreScript, prepare);
        Assert.That(prepared.ExitCode, Is.Zero, prepared.StdErr);
        target.StartPrepared();
        var verify = Env(Hcl.Block(restoreGroup, "task", "restore"));
        foreach (var (key, value) in target.PgEnv(Database))
        {
            verify[key] = value;
        }

        verify["BACKUP_LIB"] = BackupScripts.Library;
        var verified = BackupScripts.Run(RestoreScript, verify);

        Assert.That(verified.ExitCode, Is.Zero, verified.StdErr + target.ServerLog);
        Assert.That(verified.StdOut, Does.Contain("restore ok until=latest database=shop tables=1 rows=300"));
    }

    private static Dictionary<string, string> Env(System.Text.Json.JsonElement task) =>
        Hcl.Single(task, "env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    [TestCase("sh")]
    [TestCase("busybox")]
    public void The_archive_command_never_overwrites_a_different_file_and_accepts_the_same_one_again(string shell)
    {
        var dir = _dirs.NewDirectory("archive");
        var segment = Path.Combine(_dirs.NewDirectory("src"), "000000010000000000000042");
        File.WriteAllBytes(segment, [.. Enumerable.Range(0, 8192).Select(i => (byte)i)]);
        ShellResult Archive() => shell == "busybox"
            ? Shell.Run("busybox", ["sh", ArchiveScript, segment, "000000010000000000000042", dir], null, null, BackupScripts.Timeout)
            : Shell.Run("sh", [ArchiveScript, segment, "000000010000000000000042", dir], null, null, BackupScripts.Timeout);

        var first = Archive();
        var again = Archive();
        File.WriteAllBytes(segment, [.. Enumerable.Repeat((byte)7, 8192)]);
        var different = Archive();

        Assert.That((first.ExitCode, again.ExitCode, different.ExitCode), Is.EqualTo((0, 0, 1)));
        Assert.That(different.StdErr, Does.Contain("exists and differs"));
        Assert.That(File.ReadAllBytes(Path.Combine(dir, "000000010000000000000042"))[1], Is.EqualTo(1), "the archived copy is untouched");
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "000000010000000000000042" }), "no temporary file left");
    }
}

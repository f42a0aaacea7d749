using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// BACKUP_VERIFY=restore (every run restores its dump into a scratch database and compares exact per-table row counts,
/// counted in the dump's own snapshot) and BACKUP_MODE=verify (one restore drill of the newest backup against its
/// manifest), against a real PostgreSQL. The scheduled drills: <see cref="DrillTests"/>.
/// </summary>
[TestFixture]
public sealed class RestoreVerifyTests
{
    private const string UserTablesSql = """
        SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' ORDER BY 1
        """;

    private PostgresCluster _cluster = null!;
    private TempDirectories _dirs = null!;
    private int _databases;

    [OneTimeSetUp]
    public void StartCluster()
    {
        _cluster = PostgresCluster.Start("restore-verify");
        _dirs = new TempDirectories();
    }

    [OneTimeTearDown]
    public void StopCluster()
    {
        _cluster?.Dispose();
        _dirs?.Dispose();
    }

    private string NewSeededDatabase()
    {
        var name = $"verify_{++_databases}";
        PgData.CreateSeeded(_cluster, name);
        return name;
    }

    [TestCase("custom", ScriptShell.Dash)]
    [TestCase("plain-gzip", ScriptShell.Dash)]
    [TestCase("custom", ScriptShell.Busybox)]
    [TestCase("plain-gzip", ScriptShell.Busybox)]
    public void A_good_dump_reports_matching_row_counts_and_drops_the_scratch_database(string format, ScriptShell shell)
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("match");

        var result = BackupScripts.Run(BackupScripts.PgBackup,
            BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_FORMAT", format), ("BACKUP_VERIFY", "restore")), shell);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        var tables = _cluster.Psql(database, UserTablesSql).Split('\n');
        var rows = tables.Sum(t => PgData.Count(_cluster, database, t));
        Assert.That(result.StdOut, Does.Contain($"verify=match tables={tables.Length} rows={rows}"));
        Assert.That(rows, Is.GreaterThan(0));
        Assert.That(PgData.DatabaseExists(_cluster, database + "_restore_verify"), Is.False);
        Assert.That(BackupScripts.BackupFiles(dir), Has.Count.EqualTo(1));
        BackupScripts.AssertNoSecret(result, _cluster.SuperPassword);
    }

    [Test]
    public void A_scratch_database_left_by_a_crashed_run_is_replaced()
    {
        var database = NewSeededDatabase();
        var scratch = database + "_restore_verify";
        _cluster.Psql("postgres", $"CREATE DATABASE {scratch}");
        _cluster.Psql(scratch, "CREATE TABLE shop_leftover (x int); INSERT INTO shop_leftover VALUES (1)");
        var dir = _dirs.NewDirectory("leftover");

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_VERIFY", "restore")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Does.Contain("verify=match"));
        Assert.That(PgData.DatabaseExists(_cluster, scratch), Is.False);
    }

    [Test]
    public void Writes_while_the_dump_runs_do_not_cause_a_false_mismatch()
    {
        // The wrapper commits 25 rows after the snapshot was exported and before pg_dump starts: the dump and the
        // source counts both come from the snapshot, so they agree, while the live table has moved on.
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("concurrent");
        var ordersBefore = PgData.Count(_cluster, database, "shop.orders");
        var wrappers = BackupScripts.WrapperDirectory(_dirs, "pg_dump", """
            psql -X -q -c 'INSERT INTO shop.orders (customer_id, total) SELECT 1, 0 FROM generate_series(1, 25)' >/dev/null || exit 1
            exec "$REAL" "$@"
            """);

        var result = BackupScripts.Run(BackupScripts.PgBackup,
            BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_VERIFY", "restore")), pathPrefix: wrappers);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Does.Contain("verify=match"));
        Assert.That(PgData.Count(_cluster, database, "shop.orders"), Is.EqualTo(ordersBefore + 25), "the writes happened");
        PgData.Restore(_cluster, Path.Combine(dir, BackupScripts.BackupFiles(dir).Single()), database + "_check");
        Assert.That(PgData.Count(_cluster, database + "_check", "shop.orders"), Is.EqualTo(ordersBefore), "the dump is the snapshot");
    }

    [Test]
    public void A_dump_missing_a_tables_rows_fails_the_run_and_publishes_nothing()
    {
        // A pg_dump that leaves out one table's data (here: an extra --exclude-table-data, as a wrong flag in an
        // image or wrapper would) still restores cleanly; only the row counts show that the backup is incomplete.
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("incomplete");
        var good = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir));
        Assert.That(good.ExitCode, Is.EqualTo(0), good.StdErr);
        var before = BackupScripts.Snapshot(dir);
        var orders = PgData.Count(_cluster, database, "shop.orders");
        var wrappers = BackupScripts.WrapperDirectory(_dirs, "pg_dump", """exec "$REAL" --exclude-table-data=shop.orders "$@" """);

        var result = BackupScripts.Run(BackupScripts.PgBackup,
            BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_VERIFY", "restore"), ("BACKUP_KEEP_LAST", "1")), pathPrefix: wrappers);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain($"verify mismatch name={database} table=shop.orders source={orders} restored=0"));
        Assert.That(result.StdErr, Does.Contain("row counts differ in 1 of"));
        Assert.That(BackupScripts.Snapshot(dir, ".last-failure"), Is.EqualTo(before), "the unverified dump is not published, nothing is deleted");
        Assert.That(File.ReadAllText(Path.Combine(dir, ".last-failure")), Does.Contain("restore-verify"));
        Assert.That(Directory.GetFiles(dir, "*partial*"), Is.Empty);
        Assert.That(PgData.DatabaseExists(_cluster, database + "_restore_verify"), Is.False);
    }

    [Test]
    public void A_restore_drill_compares_with_the_manifest_so_writes_since_the_backup_raise_no_false_alarm()
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("drill-live");
        Assert.That(BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir)).ExitCode, Is.EqualTo(0));
        _cluster.Psql(database, "DELETE FROM shop.orders WHERE id % 10 = 0; CREATE TABLE shop.late (x int); INSERT INTO shop.late VALUES (1), (2);");
        var before = BackupScripts.Snapshot(dir);

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_MODE", "verify")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Does.Contain("drill ok name=" + database).And.Contain("verify=match"));
        Assert.That(BackupScripts.Snapshot(dir), Is.EqualTo(before), "a passing drill writes nothing");
        Assert.That(PgData.DatabaseExists(_cluster, database + "_restore_verify"), Is.False);
    }

    [Test]
    public void A_restore_drill_reports_each_table_whose_restored_rows_differ_from_the_manifest()
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("drill");
        Assert.That(BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir)).ExitCode, Is.EqualTo(0));
        var ordersAtBackup = PgData.Count(_cluster, database, "shop.orders");
        var manifest = Path.Combine(dir, BackupScripts.BackupFiles(dir).Single() + ".manifest");
        // A manifest that promises one more order than the dump holds, and a table the dump does not have.
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace($"rows {ordersAtBackup} shop.orders", $"rows {ordersAtBackup + 1} shop.orders", StringComparison.Ordinal)
            + "rows 2 shop.late\n");

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_MODE", "verify")));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain($"table=shop.orders source={ordersAtBackup + 1} restored={ordersAtBackup}"));
        Assert.That(result.StdErr, Does.Contain("table=shop.late source=2 restored=missing"));
        Assert.That(result.StdErr, Does.Contain("drill FAILED name=" + database).And.Contain("row counts differ in 2 of"));
        Assert.That(result.StdErr, Does.Not.Contain("table=shop.customers"), "matching tables are not reported");
    }

    [Test]
    public void A_backup_without_a_manifest_fails_the_drill_instead_of_being_compared_with_the_live_data()
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("drill-old");
        Assert.That(BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir)).ExitCode, Is.EqualTo(0));
        var file = BackupScripts.BackupFiles(dir).Single();
        File.Delete(Path.Combine(dir, file + ".manifest"));

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_MODE", "verify")));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain($"drill FAILED name={database} file={file} reason=\"no row counts in {file}.manifest to compare with\""));
        Assert.That(PgData.DatabaseExists(_cluster, database + "_restore_verify"), Is.False, "nothing was restored");
    }

    [TestCase("custom")]
    [TestCase("plain-gzip")]
    public void A_restore_drill_of_an_up_to_date_backup_matches(string format)
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("drill-ok");
        var planted = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_FORMAT", "custom")));
        Assert.That(planted.ExitCode, Is.EqualTo(0), planted.StdErr);
        Thread.Sleep(1100);
        Assert.That(BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_FORMAT", format))).ExitCode, Is.EqualTo(0));
        var newest = BackupScripts.BackupFiles(dir).OrderBy(BackupScripts.ParseStamp).Last();

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_MODE", "verify")));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Does.Contain($"drill ok name={database} file={newest}").And.Contain("verify=match"));
    }

    [Test]
    public void A_restore_drill_refuses_a_backup_whose_checksum_does_not_match()
    {
        var database = NewSeededDatabase();
        var dir = _dirs.NewDirectory("tampered");
        Assert.That(BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir)).ExitCode, Is.EqualTo(0));
        var file = Path.Combine(dir, BackupScripts.BackupFiles(dir).Single());
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(file, bytes);

        var result = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(_cluster, database, dir, ("BACKUP_MODE", "verify")));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("checksum mismatch"));
    }

    [Test]
    public void A_separate_role_can_own_the_scratch_database_when_the_backup_role_cannot_create_databases()
    {
        const string database = "owned_by_app";
        const string appPassword = "app-pass-0815";
        const string verifierPassword = "verifier-pass-0816";
        _cluster.Psql("postgres", $"""
            CREATE ROLE app LOGIN PASSWORD '{appPassword}';
            CREATE ROLE verifier LOGIN CREATEDB PASSWORD '{verifierPassword}';
            CREATE DATABASE {database} OWNER app;
            """);
        _cluster.Psql(database, "SET ROLE app;\n" + PgData.SeedSql);
        var dir = _dirs.NewDirectory("roles");
        var env = BackupScripts.PgEnv(_cluster, database, dir, ("PGUSER", "app"), ("PGPASSWORD", appPassword), ("BACKUP_VERIFY", "restore"));

        var withoutVerifier = BackupScripts.Run(BackupScripts.PgBackup, env);
        env["BACKUP_VERIFY_PGUSER"] = "verifier";
        env["BACKUP_VERIFY_PGPASSWORD"] = verifierPassword;
        var withVerifier = BackupScripts.Run(BackupScripts.PgBackup, env);

        Assert.That(withoutVerifier.ExitCode, Is.EqualTo(1));
        Assert.That(withoutVerifier.StdErr, Does.Contain("cannot create the scratch database"));
        Assert.That(withVerifier.ExitCode, Is.EqualTo(0), withVerifier.StdErr);
        Assert.That(withVerifier.StdOut, Does.Contain("verify=match"));
        BackupScripts.AssertNoSecret(withVerifier, verifierPassword);
        BackupScripts.AssertNoSecret(withVerifier, appPassword);
        Assert.That(BackupScripts.BackupFiles(dir), Has.Count.EqualTo(1));
        Assert.That(_cluster.Psql(database, "SELECT tableowner FROM pg_tables WHERE schemaname = 'shop' AND tablename = 'orders'"), Is.EqualTo("app"));
        Assert.That(PgData.DatabaseExists(_cluster, database + "_restore_verify"), Is.False);
    }
}

using System.Globalization;
using NomadDbPatterns.Cli;
using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// `nomad-db upgrade`: the two one-shot jobs of a PostgreSQL major upgrade (pinned, accepted by Nomad's rules, read
/// back through the HCL parser), the refusals, the spec switch, and the rendered jobs' own settings moving a database
/// between real majors.
/// </summary>
[TestFixture]
public sealed class UpgradeJobTests
{
    private static ServiceJob Example()
    {
        var loaded = SpecLoader.LoadFiles([RepoPaths.Combine("examples", "myservice.yaml")]);
        Assert.That(loaded.Success, Is.True, string.Join("\n", loaded.Diagnostics));
        return loaded.Jobs.Single().Job;
    }

    private static string File(UpgradePlan plan, string name) => plan.Files.Single(f => f.FileName == name).Content;

    private static Dictionary<string, string> TaskEnv(UpgradePlan plan, string job, string group, string task)
    {
        var root = Hcl2Json.ParseText(File(plan, $"{job}.nomad.hcl"));
        var block = Hcl.Block(Hcl.Block(Hcl.Block(root, "job", job), "group", group), "task", task);
        return Hcl.Single(block, "env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    [Test]
    public void The_upgrade_jobs_match_their_snapshots_and_nomad_accepts_them()
    {
        var plan = Upgrade.Plan(Example(), new UpgradeOptions(18) { SourceName = "examples/myservice.yaml" });

        Assert.That(plan.Diagnostics, Is.Empty);
        foreach (var file in plan.Files.Where(f => !f.FileName.StartsWith("nomad-db-scripts", StringComparison.Ordinal)))
        {
            var extension = Path.GetExtension(file.FileName);
            Snapshot.Verify($"upgrade.{file.FileName[..^extension.Length]}", file.Content, extension.TrimStart('.'));
        }

        NomadConformance.AssertAccepted(new Dictionary<string, string>
        {
            ["myservice-upgrade-dump.nomad.hcl"] = File(plan, "myservice-upgrade-dump.nomad.hcl"),
            ["myservice-upgrade.nomad.hcl"] = File(plan, "myservice-upgrade.nomad.hcl"),
        });
    }

    [Test]
    public void The_dump_runs_the_old_major_on_the_old_volume_and_the_new_major_restores_onto_a_new_volume_at_its_mount_path()
    {
        var plan = Upgrade.Plan(Example(), new UpgradeOptions(18));

        var dumpRoot = Hcl.Block(Hcl.Block(Hcl2Json.ParseText(File(plan, "myservice-upgrade-dump.nomad.hcl")), "job", "myservice-upgrade-dump"), "group", "dump");
        Assert.That(Hcl.Attr(Hcl.Block(dumpRoot, "volume", JobFacts.DataVolumeName), "source"), Is.EqualTo("myservice-postgres"));
        Assert.That(Hcl.Attr(Hcl.Single(Hcl.Block(dumpRoot, "task", "postgres"), "config"), "image"), Is.EqualTo("postgres:17-alpine"));
        Assert.That(Hcl.Attr(Hcl.Single(Hcl.Block(dumpRoot, "task", "dump"), "config"), "image"), Is.EqualTo("postgres:18-alpine"), "the newer pg_dump dumps");
        Assert.That(Hcl.Attr(Hcl.Single(Hcl.Block(dumpRoot, "task", "postgres"), "volume_mount"), "destination"), Is.EqualTo(JobFacts.DataMountPath(17)));
        var dumpEnv = TaskEnv(plan, "myservice-upgrade-dump", "dump", "dump");
        Assert.That(dumpEnv, Does.Not.ContainKey("BACKUP_KEEP_LAST").And.Not.ContainKey("BACKUP_MAX_AGE_SECONDS"), "an upgrade deletes no backup");
        Assert.That(dumpEnv["BACKUP_MODE"], Is.EqualTo("once"));

        var restoreRoot = Hcl.Block(Hcl.Block(Hcl2Json.ParseText(File(plan, "myservice-upgrade.nomad.hcl")), "job", "myservice-upgrade"), "group", "restore");
        Assert.That(Hcl.Attr(Hcl.Block(restoreRoot, "volume", JobFacts.DataVolumeName), "source"), Is.EqualTo("myservice-postgres-pg18"));
        Assert.That(Hcl.Attr(Hcl.Single(Hcl.Block(restoreRoot, "task", "postgres"), "config"), "image"), Is.EqualTo("postgres:18-alpine"));
        Assert.That(Hcl.Attr(Hcl.Single(Hcl.Block(restoreRoot, "task", "postgres"), "volume_mount"), "destination"), Is.EqualTo(JobFacts.DataMountPath(18)));
        Assert.That(JobFacts.DataMountPath(18), Is.Not.EqualTo(JobFacts.DataMountPath(17)), "18 moved the mount point");
        Assert.That(TaskEnv(plan, "myservice-upgrade", "restore", "restore")["RESTORE_INTO"], Is.EqualTo("new-volume"));
        Assert.That(File(plan, "myservice-upgrade.nv.hcl"), Does.Contain("path      = \"nomad/jobs/myservice-upgrade\""));
        Assert.That(File(plan, "myservice-upgrade.postgres-data.volume.hcl"), Does.Contain("\"myservice-postgres-pg18\""));
        // Both one-shot jobs read the service's password from nomad/jobs/myservice: not theirs to read without a policy.
        Assert.That(File(plan, "myservice-upgrade-dump.policy.hcl"), Does.Contain("path \"nomad/jobs/myservice\""));
        Assert.That(File(plan, "RUNBOOK.md"), Does.Contain("nomad acl policy apply -namespace default -job myservice-upgrade myservice-upgrade-variables myservice-upgrade.policy.hcl")
            .And.Contain("nomad-db upgrade myservice.yaml --job myservice --to 18 --switch"));
        Assert.That((plan.From, plan.To, plan.OldVolume, plan.NewVolume), Is.EqualTo((17, 18, "myservice-postgres", "myservice-postgres-pg18")));
    }

    [Test]
    public void A_volume_named_by_an_earlier_upgrade_gets_the_new_major_not_a_second_suffix()
    {
        var job = Example();
        var upgraded = job with { Postgres = job.Postgres! with { Version = 16, Volume = "data-pg16" } };

        Assert.That(Upgrade.Plan(upgraded, new UpgradeOptions(17)).NewVolume, Is.EqualTo("data-pg17"));
    }

    [Test]
    public void Downgrades_the_same_major_majors_without_an_image_sqlite_and_jobs_without_backups_are_refused()
    {
        var job = Example();
        var pg = job.Postgres!;
        var cases = new (string Name, UpgradePlan Plan, string Message)[]
        {
            ("downgrade", Upgrade.Plan(job, new UpgradeOptions(16)), "cannot be downgraded to 16"),
            ("same", Upgrade.Plan(job, new UpgradeOptions(17)), "already runs PostgreSQL 17"),
            ("no image", Upgrade.Plan(job, new UpgradeOptions(19)), "there is no PostgreSQL 19 image"),
            ("no backups", Upgrade.Plan(job with { Backup = null }, new UpgradeOptions(18)), "needs `backup:`"),
            ("custom image", Upgrade.Plan(job with { Postgres = pg with { Image = "postgis/postgis:17-3.5" } }, new UpgradeOptions(18)), "give the PostgreSQL 18 image of the same family with --image"),
            ("image of another major", Upgrade.Plan(job with { Postgres = pg with { Image = "postgis/postgis:17-3.5" } }, new UpgradeOptions(18) { Image = "postgis/postgis:17-3.5" }), "the image's tag says PostgreSQL 17"),
        };

        Assert.Multiple(() =>
        {
            foreach (var (name, plan, message) in cases)
            {
                Assert.That(plan.Success, Is.False, name);
                Assert.That(string.Join("\n", plan.Diagnostics.Select(d => d.Message)), Does.Contain(message), name);
                Assert.That(plan.Files, Is.Empty, name);
            }
        });
        var sqlite = SpecLoader.LoadFiles([RepoPaths.Combine("examples", "sqlite-service.yaml")]).Jobs.Single().Job;
        Assert.That(Upgrade.Plan(sqlite, new UpgradeOptions(18)).Diagnostics.Single().Message, Does.Contain("SQLite"));
        var family = Upgrade.Plan(job with { Postgres = pg with { Image = "postgis/postgis:17-3.5" } }, new UpgradeOptions(18) { Image = "postgis/postgis:18-3.6" });
        Assert.That((family.Success, family.NewImage), Is.EqualTo((true, "postgis/postgis:18-3.6")));
    }

    [Test]
    public void The_command_writes_the_plan_and_bad_input_exits_1_with_nothing_written()
    {
        using var temp = new TempSpecs();
        var spec = RepoPaths.Combine("examples", "myservice.yaml");

        var ok = CliRun.Of("upgrade", spec, "--job", "myservice", "--to", "18", "-o", temp.Out);
        var downgrade = CliRun.Of("upgrade", spec, "--job", "myservice", "--to", "16", "-o", Path.Combine(temp.Root.FullName, "down"));
        var unknown = CliRun.Of("upgrade", spec, "--job", "other", "--to", "18", "-o", Path.Combine(temp.Root.FullName, "other"));
        var tooNew = CliRun.Of("upgrade", spec, "--job", "myservice", "--to", "19", "-o", Path.Combine(temp.Root.FullName, "new"));
        var neither = CliRun.Of("upgrade", spec, "--job", "myservice", "--to", "18");

        Assert.That(ok.ExitCode, Is.EqualTo(ExitCodes.Ok), ok.Error);
        Assert.That(Directory.GetFiles(temp.Out).Select(Path.GetFileName), Does.Contain("myservice-upgrade-dump.nomad.hcl").And.Contain("myservice-upgrade.nomad.hcl").And.Contain("RUNBOOK.md"));
        Assert.That(downgrade.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), downgrade.Error);
        Assert.That(downgrade.Error, Does.Contain("NDB070").And.Contain("myservice.yaml:"));
        Assert.That(unknown.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), unknown.Error);
        Assert.That(unknown.Error, Does.Contain("no service job named 'other'"));
        Assert.That(tooNew.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), tooNew.Error);
        Assert.That(neither.ExitCode, Is.EqualTo(ExitCodes.Usage), neither.Error);
        foreach (var dir in new[] { "down", "other", "new" })
        {
            Assert.That(Directory.Exists(Path.Combine(temp.Root.FullName, dir)), Is.False, $"nothing is written ({dir})");
        }
    }

    [Test]
    public void The_upgrade_guard_points_at_the_upgrade_command()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("svc.yaml", Spec(version: 16));
        Assert.That(CliRun.Of("render", spec, "-o", temp.Out).ExitCode, Is.EqualTo(ExitCodes.Ok));
        System.IO.File.WriteAllText(spec, Spec(version: 17));

        var render = CliRun.Of("render", spec, "-o", temp.Out);

        Assert.That(render.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(render.Error, Does.Contain("NDB070").And.Contain("nomad-db upgrade SPEC --job svc --to 17"));
    }

    private static string Spec(int? version = null, string comment = "# the database") => $"""
        name: svc
        app:
          image: example/svc:1.0
          ports:
            - name: http
              to: 8080
        {comment}
        postgres:
          {(version is null ? "" : $"version: {version}   # pinned")}
          password:
            nomadVar: nomad/jobs/svc
        backup:
          schedule: "30 2 * * *"
        """;

    [TestCase(true)]
    [TestCase(false)]
    public void Switch_edits_only_the_version_and_volume_of_the_spec_and_render_records_the_new_volume(bool versionWritten)
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("svc.yaml", Spec(versionWritten ? 16 : null));
        var before = System.IO.File.ReadAllText(spec);
        var from = versionWritten ? 16 : Defaults.PostgresVersion;
        var to = from + 1;
        Assert.That(CliRun.Of("render", spec, "-o", temp.Out).ExitCode, Is.EqualTo(ExitCodes.Ok));

        var switched = CliRun.Of("upgrade", spec, "--job", "svc", "--to", to.ToString(CultureInfo.InvariantCulture), "--switch");

        Assert.That(switched.ExitCode, Is.EqualTo(ExitCodes.Ok), switched.Error);
        var after = System.IO.File.ReadAllText(spec);
        var changed = after.Split('\n').Except(before.Split('\n')).ToList();
        Assert.That(changed, Is.EquivalentTo(versionWritten
            ? new[] { $"  version: {to}   # pinned", "  volume: svc-postgres-pg" + to }
            : new[] { $"  version: {to}", "  volume: svc-postgres-pg" + to }));
        Assert.That(after, Does.Contain("# the database"));
        var job = SpecLoader.LoadFiles([spec]).Jobs.Single().Job;
        Assert.That((job.Postgres!.Version, job.DataVolumeSource()), Is.EqualTo((to, $"svc-postgres-pg{to}")));
        var render = CliRun.Of("render", spec, "-o", temp.Out);
        Assert.That(render.ExitCode, Is.EqualTo(ExitCodes.Ok), render.Error);
        var lockText = System.IO.File.ReadAllText(Path.Combine(temp.Out, "nomad-db.lock"));
        Assert.That(lockText, Does.Contain("\"svc-postgres\"").And.Contain($"\"svc-postgres-pg{to}\""), "the old volume's entry stays: the way back");
    }

    [Test]
    public void Switch_refuses_a_spec_whose_postgres_block_it_cannot_edit_and_leaves_it_unchanged()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("svc.yaml", Spec(16).Replace("postgres:\n  version: 16   # pinned\n  password:\n    nomadVar: nomad/jobs/svc", "postgres: { version: 16, password: { nomadVar: nomad/jobs/svc } }", StringComparison.Ordinal));
        var before = System.IO.File.ReadAllText(spec);
        Assert.That(before, Does.Contain("postgres: {"));

        var result = CliRun.Of("upgrade", spec, "--job", "svc", "--to", "17", "--switch");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(result.Error, Does.Contain("flow mapping").And.Contain("the file is unchanged"));
        Assert.That(System.IO.File.ReadAllText(spec), Is.EqualTo(before));
    }

    /// <summary>
    /// The rendered jobs' settings move a database between real majors: the dump job's pg-backup.sh (once, no retention)
    /// dumps PostgreSQL 15 (Debian's), the upgrade job's restore-database.sh restores it into a real 16, 17 or 18 server
    /// (tests/pg) on an empty cluster, and every table's rows and checksum and every sequence come back; the old
    /// server's data is as it was. Debian here has only PostgreSQL 15's client tools, so the dump is pg_dump 15 and the
    /// restore pg_restore 15 into the newer server; the rendered jobs use the new major's tools for both.
    /// </summary>
    [TestCase(16, ScriptShell.Dash)]
    [TestCase(17, ScriptShell.Busybox)]
    [TestCase(18, ScriptShell.Dash)]
    public void The_rendered_upgrade_jobs_move_every_row_to_a_real_newer_major(int to, ScriptShell shell)
    {
        var example = Example();
        var job = example with { Postgres = example.Postgres! with { Version = 15 } };
        var plan = Upgrade.Plan(job, new UpgradeOptions(to));
        Assert.That(plan.Success, Is.True, string.Join("\n", plan.Diagnostics));
        using var old = PostgresCluster.Start($"upgrade-from-15-to-{to}");
        using var target = PostgresCluster.StartMajor($"upgrade-to-{to}", to);
        using var dirs = new TempDirectories();
        var backups = dirs.NewDirectory("backups");
        var dumpEnv = TaskEnv(plan, "myservice-upgrade-dump", "dump", "dump");
        var database = dumpEnv["PGDATABASE"];
        PgData.CreateSeeded(old, database);
        var expected = PgData.Fingerprint(old, database);

        var dump = BackupScripts.Run(BackupScripts.PgBackup, Connected(dumpEnv, old, backups), shell);
        Assert.That(dump.ExitCode, Is.Zero, dump.StdErr);
        Assert.That(dump.StdOut, Does.Contain("backup ok"));
        target.Psql("postgres", $"CREATE DATABASE {database}"); // what the new image's entrypoint does on the new volume
        var restore = BackupScripts.Run(Path.Combine(BackupScripts.ScriptsDirectory, "restore-database.sh"), Connected(TaskEnv(plan, "myservice-upgrade", "restore", "restore"), target, backups), shell);

        Assert.That(restore.ExitCode, Is.Zero, restore.StdErr);
        Assert.That(restore.StdOut, Does.Contain("restore ok").And.Contain("sha256=match"));
        Assert.That(target.Psql("postgres", "SHOW server_version_num")[..2], Is.EqualTo(to.ToString(CultureInfo.InvariantCulture)));
        Assert.That(PgData.Fingerprint(target, database), Is.EqualTo(expected));
        Assert.That(PgData.Fingerprint(old, database), Is.EqualTo(expected), "the old server's data is untouched");
        BackupScripts.AssertNoSecret(restore, target.SuperPassword);
        BackupScripts.AssertNoSecret(dump, old.SuperPassword);
    }

    /// <summary>A dump that is not the one written fails the upgrade's restore before anything changes: the new cluster stays empty, the old one as it was.</summary>
    [Test]
    public void A_corrupted_dump_fails_the_upgrade_loudly_and_changes_nothing()
    {
        var example = Example();
        var plan = Upgrade.Plan(example with { Postgres = example.Postgres! with { Version = 15 } }, new UpgradeOptions(18));
        using var old = PostgresCluster.Start("upgrade-corrupt-old");
        using var target = PostgresCluster.StartMajor("upgrade-corrupt-new", 18);
        using var dirs = new TempDirectories();
        var backups = dirs.NewDirectory("backups");
        var dumpEnv = TaskEnv(plan, "myservice-upgrade-dump", "dump", "dump");
        var database = dumpEnv["PGDATABASE"];
        PgData.CreateSeeded(old, database);
        var expected = PgData.Fingerprint(old, database);
        Assert.That(BackupScripts.Run(BackupScripts.PgBackup, Connected(dumpEnv, old, backups)).ExitCode, Is.Zero);
        var dumpFile = Path.Combine(backups, BackupScripts.BackupFiles(backups).Single());
        var bytes = System.IO.File.ReadAllBytes(dumpFile);
        bytes[bytes.Length / 2] ^= 0x5a;
        System.IO.File.WriteAllBytes(dumpFile, bytes);
        target.Psql("postgres", $"CREATE DATABASE {database}");

        var restore = BackupScripts.Run(Path.Combine(BackupScripts.ScriptsDirectory, "restore-database.sh"), Connected(TaskEnv(plan, "myservice-upgrade", "restore", "restore"), target, backups));

        Assert.That(restore.ExitCode, Is.EqualTo(1));
        Assert.That(restore.StdErr, Does.Contain("restore FAILED").And.Contain("checksum mismatch"));
        Assert.That(PgData.Fingerprint(target, database), Is.Empty, "the new cluster's database stays empty");
        Assert.That(PgData.Fingerprint(old, database), Is.EqualTo(expected));
    }

    /// <summary>The task's environment as rendered, pointed at a test cluster (superuser) and backup directory.</summary>
    private static Dictionary<string, string> Connected(Dictionary<string, string> env, PostgresCluster cluster, string backups) =>
        new(env)
        {
            ["PGHOST"] = cluster.Host,
            ["PGPORT"] = cluster.Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = cluster.SuperUser,
            ["PGPASSWORD"] = cluster.SuperPassword,
            ["BACKUP_DIR"] = backups,
            ["BACKUP_LIB"] = BackupScripts.Library,
        };
}

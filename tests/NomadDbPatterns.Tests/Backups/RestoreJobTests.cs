using System.Globalization;
using NomadDbPatterns.Cli;
using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// `nomad-db restore`: the one-shot restore job (pinned, accepted by Nomad's rules, read back through the HCL parser),
/// its runbook, the refusals, and the rendered job's own settings driving restore-database.sh on real PostgreSQL.
/// </summary>
[TestFixture]
public sealed class RestoreJobTests
{
    private static ServiceJob Example(string name = "myservice.yaml")
    {
        var loaded = SpecLoader.LoadFiles([RepoPaths.Combine("examples", name)]);
        Assert.That(loaded.Success, Is.True, string.Join("\n", loaded.Diagnostics));
        return loaded.Jobs.Single().Job;
    }

    private static string File(RestorePlan plan, string name) => plan.Files.Single(f => f.FileName == name).Content;

    [TestCase(RestoreTarget.NewVolume, "new-volume")]
    [TestCase(RestoreTarget.InPlace, "in-place")]
    public void The_restore_job_matches_its_snapshot_and_nomad_accepts_it(RestoreTarget into, string label)
    {
        var plan = Restore.Plan(Example(), new RestoreOptions { Into = into, SourceName = "examples/myservice.yaml" });

        Assert.That(plan.Diagnostics, Is.Empty);
        // The scripts (shared, and the restore script in its own variable) do not depend on the target: pinned once.
        foreach (var file in plan.Files.Where(f => !f.FileName.StartsWith("nomad-db-scripts", StringComparison.Ordinal) && (into == RestoreTarget.NewVolume || !f.FileName.EndsWith(".nv.hcl", StringComparison.Ordinal))))
        {
            var extension = Path.GetExtension(file.FileName);
            Snapshot.Verify($"restore-{label}.{file.FileName[..^extension.Length]}", file.Content, extension.TrimStart('.'));
        }

        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["myservice-restore.nomad.hcl"] = File(plan, "myservice-restore.nomad.hcl") });
    }

    [Test]
    public void A_restore_job_is_no_job_of_the_fleet_so_that_a_finished_one_is_never_pruned()
    {
        var job = Example() with { Fleet = "home" };
        Assert.That(JobRenderer.Default.Render(job, "myservice.yaml").Single().Content, Does.Contain("nomad_db_fleet = \"home\""));
        Assert.That(File(Restore.Plan(job), "myservice-restore.nomad.hcl"), Does.Not.Contain("meta"));
    }

    [Test]
    public void A_new_volume_restore_runs_the_jobs_postgres_on_a_new_volume_and_reads_the_backups_read_only()
    {
        var job = Example();
        var plan = Restore.Plan(job);

        var root = Hcl2Json.ParseText(File(plan, "myservice-restore.nomad.hcl"));
        var group = Hcl.Block(Hcl.Block(root, "job", "myservice-restore"), "group", "restore");
        Assert.That(Hcl.Attr(Hcl.Block(root, "job", "myservice-restore"), "type"), Is.EqualTo("batch"));
        Assert.That(Hcl.Labels(group, "task"), Is.EqualTo(new[] { "postgres", "restore" }));
        Assert.That(Hcl.Attr(Hcl.Block(group, "volume", JobFacts.DataVolumeName), "source"), Is.EqualTo("myservice-postgres-restored"));
        var backups = Hcl.Block(group, "volume", JobFacts.BackupVolumeName);
        Assert.That((Hcl.Attr(backups, "source"), backups.GetProperty("read_only").GetBoolean()), Is.EqualTo(("myservice-backups", true)));
        var env = Hcl.Single(Hcl.Block(group, "task", "restore"), "env");
        Assert.That(env.GetProperty("RESTORE_INTO").GetString(), Is.EqualTo("new-volume"));
        Assert.That(env.GetProperty("PGDATABASE").GetString(), Is.EqualTo(job.DatabaseName()));
        Assert.That(plan.TargetVolume, Is.EqualTo("myservice-postgres-restored"));
        Assert.That(File(plan, "myservice-restore.postgres-data.volume.hcl"), Does.Contain("name      = \"myservice-postgres-restored\""));
        Assert.That(File(plan, "RUNBOOK.md"), Does.Contain("`postgres.volume: myservice-postgres-restored`").And.Contain("nomad var put @myservice-restore.nv.hcl"));
        Assert.That(File(plan, "myservice-restore.nv.hcl"), Does.Contain("path      = \"nomad/jobs/myservice-restore\"").And.Contain("restore_database"));
    }

    [Test]
    public void Jobs_without_backups_and_bad_backup_names_are_refused()
    {
        var sqlite = Restore.Plan(Example("sqlite-service.yaml") with { Backup = null });
        var myservice = Example();
        var noBackup = Restore.Plan(myservice with { Backup = null });
        var badName = Restore.Plan(myservice, new RestoreOptions { From = "../etc/passwd" });

        Assert.That(sqlite.Diagnostics.Single().Message, Does.Contain("no backups"));
        Assert.That(noBackup.Diagnostics.Single().Message, Does.Contain("no backups"));
        Assert.That(badName.Diagnostics.Single().Message, Does.Contain("is neither `latest` nor a backup file name"));
        Assert.That(new[] { sqlite, noBackup, badName }.SelectMany(p => p.Files), Is.Empty);
    }

    [Test]
    public void The_command_writes_the_plan_and_warns_before_an_in_place_restore()
    {
        using var temp = new TempSpecs();
        var spec = RepoPaths.Combine("examples", "myservice.yaml");

        var newVolume = CliRun.Of("restore", spec, "--job", "myservice", "-o", temp.Out);
        var inPlace = CliRun.Of("restore", spec, "--job", "myservice", "--into", "in-place", "-o", Path.Combine(temp.Root.FullName, "in-place"));
        var unknown = CliRun.Of("restore", spec, "--job", "other", "-o", Path.Combine(temp.Root.FullName, "x"));

        Assert.That(newVolume.ExitCode, Is.EqualTo(ExitCodes.Ok), newVolume.Error);
        Assert.That(Directory.GetFiles(temp.Out).Select(Path.GetFileName), Does.Contain("myservice-restore.nomad.hcl").And.Contain("RUNBOOK.md"));
        Assert.That(newVolume.Error, Does.Not.Contain("warning"));
        Assert.That(inPlace.ExitCode, Is.EqualTo(ExitCodes.Ok), inPlace.Error);
        Assert.That(inPlace.Error, Does.Contain("warning: an in-place restore replaces database \"myservice\""));
        Assert.That(unknown.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), unknown.Error);
        Assert.That(unknown.Error, Does.Contain("no service job named 'other'"));
        Assert.That(Directory.Exists(Path.Combine(temp.Root.FullName, "x")), Is.False, "nothing is written for an unknown job");
    }

    /// <summary>
    /// A backup taken by pg-backup.sh is restored by restore-database.sh with the rendered restore job's own settings
    /// (database, user, backup name, mode): the database comes back as it was backed up.
    /// </summary>
    [TestCase(RestoreTarget.NewVolume)]
    [TestCase(RestoreTarget.InPlace)]
    public void The_rendered_restore_job_restores_on_real_postgresql(RestoreTarget into)
    {
        var job = Example();
        var plan = Restore.Plan(job, new RestoreOptions { Into = into });
        var root = Hcl2Json.ParseText(File(plan, "myservice-restore.nomad.hcl"));
        var task = Hcl.Block(Hcl.Block(Hcl.Block(root, "job", "myservice-restore"), "group", "restore"), "task", "restore");
        var env = Hcl.Single(task, "env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        using var cluster = PostgresCluster.Start($"restore-job-{into}");
        using var dirs = new TempDirectories();
        var backups = dirs.NewDirectory("backups");
        var database = env["PGDATABASE"];
        PgData.CreateSeeded(cluster, database);
        var backup = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(cluster, database, backups));
        Assert.That(backup.ExitCode, Is.Zero, backup.StdErr);
        var expected = PgData.Fingerprint(cluster, database);
        if (into == RestoreTarget.NewVolume)
        {
            // A new volume: the entrypoint has created the database, empty.
            cluster.Psql("postgres", $"DROP DATABASE {database}");
            cluster.Psql("postgres", $"CREATE DATABASE {database}");
        }
        else
        {
            cluster.Psql(database, "DELETE FROM shop.orders WHERE id > 100");
        }

        var run = new Dictionary<string, string>(env)
        {
            ["PGHOST"] = cluster.Host,
            ["PGPORT"] = cluster.Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = cluster.SuperUser,
            ["PGPASSWORD"] = cluster.SuperPassword,
            ["BACKUP_DIR"] = backups,
            ["BACKUP_LIB"] = BackupScripts.Library,
        };
        var result = BackupScripts.Run(Path.Combine(BackupScripts.ScriptsDirectory, "restore-database.sh"), run);

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        Assert.That(PgData.Fingerprint(cluster, database), Is.EqualTo(expected));
        BackupScripts.AssertNoSecret(result, cluster.SuperPassword);
    }
}

using NomadDbPatterns.Cli;
using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// `backup.pitr` in the rendered jobs (the server's archive_command, the sidecar's base backups) and
/// `nomad-db restore --until`: the point-in-time restore job, pinned, accepted by Nomad's rules, and its refusals.
/// </summary>
[TestFixture]
public sealed class PitrJobTests
{
    private static ServiceJob Paperless()
    {
        var loaded = SpecLoader.LoadFiles([RepoPaths.Combine("examples", "homelab", "paperless.yaml")]);
        Assert.That(loaded.Success, Is.True, string.Join("\n", loaded.Diagnostics));
        return loaded.Jobs.Single().Job;
    }

    private static string File(RestorePlan plan, string name) => plan.Files.Single(f => f.FileName == name).Content;

    [Test]
    public void The_server_archives_to_its_volumes_own_archive_and_the_sidecar_takes_the_base_backups()
    {
        var job = Paperless();
        var hcl = JobRenderer.Default.Render(job, "paperless.yaml").Single(f => f.FileName == "paperless.nomad.hcl").Content;
        var group = Hcl.Block(Hcl.Block(Hcl2Json.ParseText(hcl), "job", "paperless"), "group", "paperless");

        var postgres = Hcl.Block(group, "task", "postgres");
        var args = Hcl.Single(postgres, "config").GetProperty("args").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.That(args, Does.Contain("archive_mode=on").And.Contain("archive_command=/bin/sh /local/archive-wal.sh %p %f /backups/wal/paperless-postgres").And.Contain("archive_timeout=5min"));
        Assert.That(Hcl.All(postgres, "volume_mount").Select(m => Hcl.Attr(m, "destination")), Does.Contain("/backups"));
        var env = Hcl.Single(Hcl.Block(group, "task", "db-backup"), "env");
        Assert.That(env.GetProperty("BACKUP_BASE_CRON").GetString(), Is.EqualTo("10 1 * * *"));
        Assert.That(env.GetProperty("BACKUP_WAL_DIR").GetString(), Is.EqualTo("/backups/wal/paperless-postgres"));
        Assert.That(env.GetProperty("BACKUP_BASE_DIR").GetString(), Is.EqualTo("/backups/base/paperless-postgres"));
        Assert.That(env.GetProperty("BACKUP_WAL_OWNER").GetString(), Is.EqualTo($"{PostgresImages.PostgresUid(job.Postgres!)}:{PostgresImages.PostgresUid(job.Postgres!)}"));
        Assert.That(env.GetProperty("BACKUP_PITR_WINDOW_SECONDS").GetString(), Is.EqualTo("604800"));
        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["paperless.nomad.hcl"] = hcl });
    }

    [Test]
    public void The_point_in_time_restore_job_matches_its_snapshot_and_nomad_accepts_it()
    {
        var plan = Restore.Plan(Paperless(), new RestoreOptions { Until = PointInTime.Parse("2026-12-04T14:05:00+01:00"), SourceName = "examples/homelab/paperless.yaml" });

        Assert.That(plan.Diagnostics, Is.Empty);
        foreach (var file in plan.Files.Where(f => !f.FileName.StartsWith("nomad-db-scripts", StringComparison.Ordinal)))
        {
            var extension = Path.GetExtension(file.FileName);
            Snapshot.Verify($"restore-pitr.{file.FileName[..^extension.Length]}", file.Content, extension.TrimStart('.'));
        }

        var hcl = File(plan, "paperless-restore.nomad.hcl");
        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["paperless-restore.nomad.hcl"] = hcl });
        var group = Hcl.Block(Hcl.Block(Hcl2Json.ParseText(hcl), "job", "paperless-restore"), "group", "restore");
        Assert.That(Hcl.Labels(group, "task"), Is.EquivalentTo(new[] { "prepare", "postgres", "restore" }));
        var prepare = Hcl.Block(group, "task", "prepare");
        Assert.That((Hcl.Attr(Hcl.Single(prepare, "lifecycle"), "hook"), Hcl.Single(prepare, "lifecycle").GetProperty("sidecar").GetBoolean()), Is.EqualTo(("prestart", false)));
        Assert.That(Hcl.Block(group, "task", "postgres").TryGetProperty("lifecycle", out _), Is.False, "the server starts after prepare");
        Assert.That(Hcl.Block(group, "task", "restore").GetProperty("leader").GetBoolean(), Is.True, "verify ends the job");
        Assert.That(Hcl.Single(prepare, "env").GetProperty("RESTORE_UNTIL").GetString(), Is.EqualTo("2026-12-04T13:05:00Z"), "UTC, as recovery_target_time gets it");
        Assert.That(Hcl.Attr(Hcl.Block(group, "volume", JobFacts.DataVolumeName), "source"), Is.EqualTo("paperless-postgres-restored"));
        var serverArgs = Hcl.Single(Hcl.Block(group, "task", "postgres"), "config").TryGetProperty("args", out var args) ? args.ToString() : "";
        Assert.That(serverArgs, Does.Not.Contain("archive_mode"), "the restored server does not archive into the old archive");
        Assert.That(File(plan, "RUNBOOK.md"), Does.Contain("postgres.volume: paperless-postgres-restored"));
    }

    [Test]
    public void Until_is_refused_without_archiving_in_place_from_a_dump_and_for_sqlite()
    {
        var job = Paperless();
        var latest = PointInTime.Latest;
        var cases = new (string Name, RestorePlan Plan, string Message)[]
        {
            ("no pitr", Restore.Plan(job with { Backup = job.Backup! with { Pitr = null } }, new RestoreOptions { Until = latest }), "needs continuous archiving"),
            ("in place", Restore.Plan(job, new RestoreOptions { Until = latest, Into = RestoreTarget.InPlace }), "onto a new volume"),
            ("from a dump", Restore.Plan(job, new RestoreOptions { Until = latest, From = "paperless-20261204T030000Z.dump" }), "neither --into in-place nor --from"),
        };
        Assert.Multiple(() =>
        {
            foreach (var (name, plan, message) in cases)
            {
                Assert.That(plan.Diagnostics.Single().Message, Does.Contain(message), name);
                Assert.That(plan.Files, Is.Empty, name);
            }
        });
        var sqlite = SpecLoader.LoadFiles([RepoPaths.Combine("examples", "sqlite-service.yaml")]).Jobs.Single().Job;
        Assert.That(Restore.Plan(sqlite, new RestoreOptions { Until = latest }).Diagnostics.Single().Message, Does.Contain("SQLite"));
        Assert.That(PointInTime.Parse("2026-12-04 13:05"), Is.Null, "no offset: ambiguous");
        Assert.That(PointInTime.Parse("2026-12-04T13:05:00.700Z")!.ToString(), Is.EqualTo("2026-12-04T13:05:00Z"));
    }

    [Test]
    public void The_command_takes_until_and_a_bad_moment_exits_1_with_nothing_written()
    {
        using var temp = new TempSpecs();
        var spec = RepoPaths.Combine("examples", "homelab", "paperless.yaml");

        var ok = CliRun.Of("restore", spec, "--job", "paperless", "--until", "latest", "-o", temp.Out);
        var bad = CliRun.Of("restore", spec, "--job", "paperless", "--until", "yesterday", "-o", Path.Combine(temp.Root.FullName, "bad"));

        Assert.That(ok.ExitCode, Is.EqualTo(ExitCodes.Ok), ok.Error);
        Assert.That(System.IO.File.ReadAllText(Path.Combine(temp.Out, "paperless-restore.nomad.hcl")), Does.Contain("RESTORE_UNTIL        = \"latest\""));
        Assert.That(bad.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(bad.Error, Does.Contain("--until 'yesterday'"));
        Assert.That(Directory.Exists(Path.Combine(temp.Root.FullName, "bad")), Is.False);
    }

    [TestCase("backup:\n  pitr: { baseBackup: \"61 1 * * *\" }\n", "backup.pitr.baseBackup", ErrorCodes.Schedule)]
    [TestCase("backup:\n  pitr: { walRetention: 7d }\n", "backup.pitr.baseBackup", ErrorCodes.Schedule)]
    [TestCase("backup:\n  pitr: { baseBackup: \"0 1 * * *\", walRetention: 5 minutes }\n", "backup.pitr.walRetention", ErrorCodes.Retention)]
    [TestCase("backup:\n  placement: periodic\n  pitr: { baseBackup: \"0 1 * * *\" }\n", "backup.placement", ErrorCodes.PeriodicBackup)]
    public void Bad_pitr_settings_are_errors_at_their_keys(string backup, string path, string code)
    {
        var yaml = """
            name: svc
            app:
              image: example/svc:1.0
              ports:
                - name: http
                  to: 8080
            postgres:
              password:
                nomadVar: nomad/jobs/svc
            """ + "\n" + backup;
        var loaded = SpecLoader.LoadText(yaml, "specs/svc.yaml");
        var errors = loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error).ToList();

        Assert.That(errors.Select(e => (e.Path, e.Code)), Does.Contain((path, code)), string.Join("\n", errors));
        Assert.That(errors.First(e => e.Path == path).Location, Is.Not.Null);
    }
}

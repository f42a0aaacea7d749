using System.Text.Json;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// <c>backup.drill</c>: the sidecar's BACKUP_DRILL_CRON (and BACKUP_DRILL_TZ when its zone is not the backup's), or the
/// periodic backup job's second cron. Every rendered job is read by the HCL parser and checked against Nomad's rules.
/// </summary>
[TestFixture]
public sealed class DrillRenderingTests
{
    private static string Spec(string backup) => $"""
        name: notes
        app:
          image: example/notes:1.0
        postgres:
          password: {"{"} nomadVar: nomad/jobs/notes {"}"}
        backup:
          schedule: "30 2 * * *"
          timeZone: Europe/Berlin
        {backup}
        """;

    private static IReadOnlyList<RenderedFile> Render(string yaml)
    {
        var loaded = SpecLoader.LoadText(yaml, "specs/notes.yaml");
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        var errors = NomadDb.Validate(loaded.Jobs).Where(d => d.Severity == Severity.Error).ToList();
        Assert.That(errors, Is.Empty, string.Join('\n', errors));
        return Accepted(JobRenderer.Default.Render(loaded.Jobs.Single().Job, "notes.yaml"));
    }

    private static IReadOnlyList<RenderedFile> Accepted(IReadOnlyList<RenderedFile> files)
    {
        NomadConformance.AssertAccepted(files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).ToDictionary(f => f.FileName, f => f.Content));
        return files;
    }

    private static JsonElement Job(IReadOnlyList<RenderedFile> files, string job) =>
        Hcl.Block(Hcl2Json.ParseText(files.Single(f => f.FileName == $"{job}.nomad.hcl").Content), "job", job);

    private static JsonElement Env(IReadOnlyList<RenderedFile> files, string job, string group, string task) =>
        Hcl.Single(Hcl.Block(Hcl.Block(Job(files, job), "group", group), "task", task), "env");

    private static string? Variable(JsonElement env, string name) => env.TryGetProperty(name, out var value) ? value.GetString() : null;

    [Test]
    public void A_sidecar_drill_is_a_second_cron_of_the_loop_in_the_backups_time_zone()
    {
        var env = Env(Render(Spec("  drill: { schedule: \"@weekly\" }")), "notes", "notes", "db-backup");

        Assert.That(Variable(env, "BACKUP_DRILL_CRON"), Is.EqualTo("0 0 * * 0"), "macros are written out, as BACKUP_CRON");
        Assert.That(Variable(env, "BACKUP_DRILL_TZ"), Is.Null, "the backup's TZ");
        Assert.That(Variable(env, "TZ"), Is.EqualTo("Europe/Berlin"));
    }

    [Test]
    public void A_sidecar_drill_in_another_time_zone_names_it()
    {
        var env = Env(Render(Spec("  drill: { schedule: \"0 4 * * 0\", timeZone: UTC }")), "notes", "notes", "db-backup");

        Assert.That((Variable(env, "BACKUP_DRILL_CRON"), Variable(env, "BACKUP_DRILL_TZ")), Is.EqualTo(("0 4 * * 0", "UTC")));
    }

    [Test]
    public void A_periodic_backup_drills_on_its_second_cron_with_the_backups_time_zone()
    {
        var files = Render(Spec("  placement: periodic\n  drill: { schedule: \"0 4 * * 0\" }"));
        var periodic = Hcl.Single(Job(files, "notes-backup"), "periodic");

        Assert.That(periodic.GetProperty("crons").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "30 2 * * *", "0 4 * * 0" }));
        Assert.That(Hcl.Attr(periodic, "time_zone"), Is.EqualTo("Europe/Berlin"));
        Assert.That(Variable(Env(files, "notes-backup", "backup", "backup"), "BACKUP_DRILL_CRON"), Is.EqualTo("0 4 * * 0"));
        Assert.That(files.Single(f => f.FileName == "notes.nomad.hcl").Content, Does.Not.Contain("BACKUP_DRILL"));
    }

    [Test]
    public void A_drill_on_the_backups_own_cron_adds_no_second_cron()
    {
        var files = Render(Spec("  placement: periodic\n  drill: { schedule: \"30 2 * * *\" }"));

        Assert.That(Hcl.Single(Job(files, "notes-backup"), "periodic").GetProperty("crons").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public void The_builder_renders_the_same_drill_as_the_spec()
    {
        var job = NomadDbPatterns.Builder.NomadJob.Create("notes")
            .WithApp("example/notes:1.0")
            .WithPostgres(p => p.WithPasswordFromNomadVariable("nomad/jobs/notes"))
            .WithBackup(b => b.WithSchedule("30 2 * * *", "Europe/Berlin").WithDrill("0 4 * * 0", "UTC"))
            .Build();
        var env = Env(Accepted(JobRenderer.Default.Render(job, "notes.yaml")), "notes", "notes", "db-backup");

        Assert.That(job.Backup!.Drill, Is.EqualTo(new BackupDrill("0 4 * * 0", "UTC")));
        Assert.That((Variable(env, "BACKUP_DRILL_CRON"), Variable(env, "BACKUP_DRILL_TZ")), Is.EqualTo(("0 4 * * 0", "UTC")));
    }

    [Test]
    public void The_builder_refuses_a_drill_that_never_fires()
    {
        Assert.That(() => NomadDbPatterns.Builder.NomadJob.Create("notes")
                .WithApp("example/notes:1.0")
                .WithPostgres(p => p.WithPasswordFromNomadVariable("nomad/jobs/notes"))
                .WithBackup(b => b.WithDrill("0 4 30 2 *"))
                .Build(),
            Throws.InstanceOf<NomadDbPatterns.Builder.JobValidationException>().With.Message.Contains("never fires"));
    }
}

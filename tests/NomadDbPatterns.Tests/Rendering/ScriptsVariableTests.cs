using System.Text.Json;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Backups;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// The scripts ship once per namespace, as the Nomad Variable <c>nomad/jobs</c> (<c>nomad-db-scripts.nv.hcl</c>), and
/// jobs read them: a script change shows up once in a review diff, plus one checksum line per job that reads it.
/// </summary>
[TestFixture]
public sealed class ScriptsVariableTests
{
    private static readonly string[] ScriptFiles = ["backup-lib.sh", "pg-backup.sh", "sqlite-backup.sh", "backup-age-check.sh", "init-databases.sh"];

    [Test]
    public void The_variable_file_holds_every_script_verbatim_and_fits_in_a_nomad_variable()
    {
        var variable = ScriptsVariableFile.Embedded;
        Assert.That((variable.Namespace, variable.Path), Is.EqualTo(("default", "nomad/jobs")));
        Assert.That(variable.Items.Keys, Is.EqualTo(new[] { "backup_lib", "pg_backup", "sqlite_backup", "backup_age_check", "init_databases", "rotate_password", "heartbeat", "archive_wal", "offsite" }));
        foreach (var file in ScriptFiles)
        {
            Assert.That(variable.Items[file.Replace(".sh", string.Empty, StringComparison.Ordinal).Replace('-', '_')],
                Is.EqualTo(ShellComments.Strip(File.ReadAllText(RepoPaths.Combine("templates", "scripts", file)))), file);
        }

        // Nomad counts the bytes of every key and value (structs.VariableItems.Size) against 64 KiB.
        var size = variable.Items.Sum(i => System.Text.Encoding.UTF8.GetByteCount(i.Key) + System.Text.Encoding.UTF8.GetByteCount(i.Value));
        TestContext.Out.WriteLine($"nomad/jobs holds {size} of 65536 bytes");
        Assert.That(size, Is.LessThan(60 * 1024), "headroom below Nomad's 64 KiB for script fixes");
    }

    [Test]
    public void The_json_variable_is_the_same_variable()
    {
        var json = JsonDocument.Parse(JobRenderer.Default.RenderScripts("apps", JobFormat.Json).Content).RootElement;
        Assert.That((json.GetProperty("Namespace").GetString(), json.GetProperty("Path").GetString()), Is.EqualTo(("apps", "nomad/jobs")));
        var items = json.GetProperty("Items").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.That(items, Is.EquivalentTo(ScriptsVariableFile.Embedded.Items));
        Assert.That(JobRenderer.Default.RenderScripts("apps").FileName, Is.EqualTo("nomad-db-scripts.apps.nv.hcl"));
        Assert.That(ScriptsVariableFile.Parse(JobRenderer.Default.RenderScripts("apps").Content).Namespace, Is.EqualTo("apps"));
    }

    [Test]
    public void A_render_writes_one_variable_file_per_namespace_whose_jobs_read_scripts()
    {
        using var dirs = new TempDirectories();
        var specs = dirs.NewDirectory("specs");
        File.WriteAllText(Path.Combine(specs, "a.yaml"), """
            jobs:
              - name: with-backup
                namespace: apps
                app: { image: "nginx:1.27" }
                postgres: { version: 17, password: { nomadVar: nomad/jobs/with-backup } }
                backup: { schedule: "0 3 * * *" }
              - name: without-backup
                app: { image: "nginx:1.27" }
                postgres: { version: 17, password: { nomadVar: nomad/jobs/without-backup } }
              - name: no-database
                namespace: other
                app: { image: "nginx:1.27" }
            """);
        var result = NomadDb.Render([specs]);
        Assert.That(result.Success, Is.True, string.Join('\n', result.Diagnostics));
        // A PostgreSQL task reads rotate-password.sh even without backups; a job without a database reads nothing.
        Assert.That(result.Files.Select(f => f.FileName).Where(n => !n.EndsWith(".volume.hcl", StringComparison.Ordinal)),
            Is.EquivalentTo(new[] { "with-backup.nomad.hcl", "without-backup.nomad.hcl", "no-database.nomad.hcl", "nomad-db-scripts.apps.nv.hcl", "nomad-db-scripts.nv.hcl" }));
        Assert.That(result.Files.Single(f => f.FileName == "without-backup.nomad.hcl").Content, Does.Contain("nomadVar \\\"nomad/jobs\\\"").And.Contain(".rotate_password"));
        Assert.That(result.Files.Single(f => f.FileName == "no-database.nomad.hcl").Content, Does.Not.Contain("nomadVar \\\"nomad/jobs\\\"").And.Not.Contain("Reads its scripts"));
    }

    [Test]
    public void A_script_change_shows_up_once_plus_one_checksum_line_per_job()
    {
        using var dirs = new TempDirectories();
        var overrides = dirs.NewDirectory("templates");
        Directory.CreateDirectory(Path.Combine(overrides, "scripts"));
        File.WriteAllText(Path.Combine(overrides, "scripts", "backup-lib.sh"),
            File.ReadAllText(RepoPaths.Combine("templates", "scripts", "backup-lib.sh")) + "true # a one-line fix\n");

        var before = NomadDb.Render([RepoPaths.Examples], new RenderOptions { BaseDirectory = RepoPaths.Root });
        var after = NomadDb.Render([RepoPaths.Examples], new RenderOptions { BaseDirectory = RepoPaths.Root, Templates = TemplateSet.WithOverrides(overrides) });
        Assert.That(after.Files.Select(f => f.FileName), Is.EqualTo(before.Files.Select(f => f.FileName)));

        var readers = 0;
        foreach (var (old, @new) in before.Files.Zip(after.Files))
        {
            var removed = old.Content.Split('\n').Except(@new.Content.Split('\n')).ToList();
            var added = @new.Content.Split('\n').Except(old.Content.Split('\n')).ToList();
            if (old.FileName == "nomad-db-scripts.nv.hcl")
            {
                Assert.That(added, Has.Count.EqualTo(2).And.Contains("true # a one-line fix"), "the fix, once, and the checksum comment");
                Assert.That(added.Single(l => l != "true # a one-line fix"), Does.StartWith("# sha256 "));
            }
            else if (old.Content.Contains("nomadVar \\\"nomad/jobs\\\"", StringComparison.Ordinal))
            {
                readers++;
                Assert.That((removed.Count, added.Count), Is.EqualTo((1, 1)), $"{old.FileName}: one checksum line");
                Assert.That(added[0], Does.StartWith("# Reads its scripts from Nomad Variable nomad/jobs"), old.FileName);
            }
            else
            {
                Assert.That(@new.Content, Is.EqualTo(old.Content), $"{old.FileName} reads no script");
            }
        }

        Assert.That(readers, Is.GreaterThanOrEqualTo(10));
    }

    [Test]
    public void Every_example_job_file_is_short_enough_to_read_whole()
    {
        var result = NomadDb.Render([RepoPaths.Examples], new RenderOptions { BaseDirectory = RepoPaths.Root });
        foreach (var file in result.Files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)))
        {
            var lines = file.Content.Count(c => c == '\n');
            Assert.That(lines, Is.AtMost(file.FileName == "myservice.nomad.hcl" ? 300 : 400), file.FileName);
        }
    }

    [TestCase("apps", "nomad-db-scripts.apps.nv.hcl")]
    [TestCase("../../etc", "nomad-db-scripts.ns-")]
    [TestCase("a/b", "nomad-db-scripts.ns-")]
    public void A_namespace_never_becomes_a_path(string @namespace, string prefix)
    {
        var file = JobRenderer.Default.RenderScripts(@namespace);
        Assert.That(file.FileName, Does.StartWith(prefix).And.EndWith(".nv.hcl").And.Not.Contain("/").And.Not.Contain(".."));
        Assert.That(ScriptsVariableFile.Parse(file.Content).Namespace, Is.EqualTo(@namespace));
    }

    [TestCase("EOSCRIPT\n", "would end its heredoc")]
    [TestCase("  EOSCRIPT  \n", "would end its heredoc")]
    [TestCase("echo no newline", "end with a newline")]
    public void A_script_the_variable_file_cannot_carry_is_refused(string script, string message)
    {
        using var dirs = new TempDirectories();
        var overrides = dirs.NewDirectory("templates");
        Directory.CreateDirectory(Path.Combine(overrides, "scripts"));
        File.WriteAllText(Path.Combine(overrides, "scripts", "pg-backup.sh"), script);
        var renderer = new JobRenderer(TemplateSet.WithOverrides(overrides));
        Assert.That(() => renderer.RenderScripts(), Throws.InstanceOf<TemplateException>().With.Message.Contains(message));
    }

    [Test]
    public void Scripts_beyond_64_KiB_are_refused()
    {
        using var dirs = new TempDirectories();
        var overrides = dirs.NewDirectory("templates");
        Directory.CreateDirectory(Path.Combine(overrides, "scripts"));
        File.WriteAllText(Path.Combine(overrides, "scripts", "pg-backup.sh"), "#!/bin/sh\n" + string.Concat(Enumerable.Repeat("echo padding padding padding padding\n", 2000)));
        Assert.That(() => new JobRenderer(TemplateSet.WithOverrides(overrides)).RenderScripts(),
            Throws.InstanceOf<TemplateException>().With.Message.Contains("at most 65536"));
    }
}

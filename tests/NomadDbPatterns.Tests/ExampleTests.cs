using System.Text.Json;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>Every example renders, is pinned by a snapshot, and reads back through HashiCorp's HCL parser as the model says.</summary>
[TestFixture]
public sealed class ExampleTests
{
    private static IEnumerable<string> ExampleFiles() =>
        SpecLoader.ExpandInputs([RepoPaths.Examples]).Select(f => Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'));

    private static (SpecLoadResult Loaded, IReadOnlyList<(LoadedJob Job, RenderedFile File)> Files) RenderExample(string relative)
    {
        var loaded = SpecLoader.LoadFiles([Path.Combine(RepoPaths.Root, relative)]);
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        Assert.That(NomadDb.Validate(loaded.Jobs), Is.Empty);
        var files = new List<(LoadedJob, RenderedFile)>();
        foreach (var job in loaded.Jobs)
        {
            foreach (var file in JobRenderer.Default.Render(job.Job, relative))
            {
                files.Add((job, file));
            }
        }

        return (loaded, files);
    }

    private static IEnumerable<TestCaseData> RenderedExampleFiles() =>
        ExampleFiles().SelectMany(relative => RenderExample(relative).Files.Select(f => new TestCaseData(relative, f.File.FileName).SetArgDisplayNames(f.File.FileName)));

    [TestCaseSource(nameof(RenderedExampleFiles))]
    public void Example_matches_its_snapshot(string relative, string fileName)
    {
        var file = RenderExample(relative).Files.Single(f => f.File.FileName == fileName).File;
        Snapshot.Verify(fileName[..^".hcl".Length], file.Content);
    }

    [Test]
    public void Every_example_parses_with_the_real_hcl_parser_and_reads_back_as_the_model()
    {
        var rendered = ExampleFiles().SelectMany(f => RenderExample(f).Files).ToList();
        Assert.That(rendered, Is.Not.Empty);
        var directory = Directory.CreateTempSubdirectory("examples-");
        try
        {
            var paths = rendered.Select(r =>
            {
                var path = Path.Combine(directory.FullName, r.File.FileName);
                File.WriteAllText(path, r.File.Content);
                return Path.GetFullPath(path);
            }).ToList();
            var parsed = Hcl2Json.ParseFiles(paths);
            for (var i = 0; i < rendered.Count; i++)
            {
                var (loaded, file) = rendered[i];
                if (file.FileName.EndsWith("-backup.nomad.hcl", StringComparison.Ordinal))
                {
                    AssertPeriodicBackupReadsBack(loaded.Job, parsed[paths[i]]);
                }
                else
                {
                    AssertServiceJobReadsBack(loaded.Job, parsed[paths[i]]);
                }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    internal static void AssertServiceJobReadsBack(ServiceJob job, JsonElement root)
    {
        var jobBody = Hcl.Block(root, "job", job.Name);
        var group = Hcl.Block(jobBody, "group", job.Name);
        var tasks = Hcl.Labels(group, "task");
        var expectedTasks = new List<string>();
        if (job.Postgres is not null)
        {
            expectedTasks.AddRange(["postgres", "wait-for-postgres"]);
        }

        expectedTasks.Add(job.App.Name);
        if (job.Backup is { Placement: BackupPlacement.Sidecar })
        {
            expectedTasks.Add("db-backup");
        }

        Assert.That(tasks, Is.EquivalentTo(expectedTasks));
        Assert.That(Hcl.Attr(Hcl.Single(group, "network"), "mode"), Is.EqualTo(job.Network == NetworkMode.Host ? "host" : "bridge"));

        var app = Hcl.Block(group, "task", job.App.Name);
        Assert.That(Hcl.Attr(Hcl.Single(app, "config"), "image"), Is.EqualTo(job.App.Image));
        var envKeys = app.TryGetProperty("env", out var env) ? env[0].EnumerateObject().Select(p => p.Name).ToList() : [];
        Assert.That(envKeys, Is.EquivalentTo(job.App.Env.Select(e => e.Name).ToList()));
        foreach (var variable in job.App.Env)
        {
            Assert.That(env[0].GetProperty(variable.Name).GetString(), Is.EqualTo(variable.Value));
        }

        var volumes = Hcl.Labels(group, "volume").ToDictionary(v => v, v => Hcl.Attr(Hcl.Block(group, "volume", v), "source"));
        if (job.Postgres is { } pg)
        {
            Assert.That(volumes[JobFacts.DataVolumeName], Is.EqualTo(job.DataVolumeSource()));
            var postgres = Hcl.Block(group, "task", "postgres");
            Assert.That(Hcl.Attr(Hcl.Single(postgres, "config"), "image"), Is.EqualTo(pg.ImageReference));
            var mount = Hcl.Single(postgres, "volume_mount");
            Assert.That(Hcl.Attr(mount, "volume"), Is.EqualTo(JobFacts.DataVolumeName));
            Assert.That(Hcl.Attr(mount, "destination"), Is.EqualTo(JobFacts.DataMountPath(pg.Version)));
            var lifecycle = Hcl.Single(postgres, "lifecycle");
            Assert.That(Hcl.Attr(lifecycle, "hook"), Is.EqualTo("prestart"));
            Assert.That(lifecycle.GetProperty("sidecar").GetBoolean(), Is.True);
            var pgEnv = Hcl.Single(postgres, "env");
            Assert.That(pgEnv.GetProperty("POSTGRES_DB").GetString(), Is.EqualTo(job.DatabaseName()));
            Assert.That(pgEnv.GetProperty("POSTGRES_USER").GetString(), Is.EqualTo(job.DatabaseUser()));
            Assert.That(pgEnv.TryGetProperty("POSTGRES_PASSWORD", out _), Is.False, "no plaintext password variable");
            var wait = Hcl.Single(Hcl.Block(group, "task", "wait-for-postgres"), "lifecycle");
            Assert.That(wait.GetProperty("sidecar").GetBoolean(), Is.False, "the readiness gate must exit before the app starts");
        }

        if (job.Sqlite is { } sqlite)
        {
            Assert.That(volumes["sqlite-data"], Is.EqualTo(sqlite.Volume));
        }

        foreach (var volume in job.App.Volumes)
        {
            Assert.That(volumes[volume.Name], Is.EqualTo(volume.Source));
        }

        if (job.Backup is { Placement: BackupPlacement.Sidecar } backup)
        {
            Assert.That(volumes[JobFacts.BackupVolumeName], Is.EqualTo(backup.Volume));
            var lifecycle = Hcl.Single(Hcl.Block(group, "task", "db-backup"), "lifecycle");
            Assert.That(Hcl.Attr(lifecycle, "hook"), Is.EqualTo("poststart"));
        }
    }

    private static void AssertPeriodicBackupReadsBack(ServiceJob job, JsonElement root)
    {
        var jobBody = Hcl.Block(root, "job", $"{job.Name}-backup");
        Assert.That(Hcl.Attr(jobBody, "type"), Is.EqualTo("batch"));
        var periodic = Hcl.Single(jobBody, "periodic");
        Assert.That(periodic.GetProperty("prohibit_overlap").GetBoolean(), Is.True);
        Assert.That(Hcl.Attr(periodic, "time_zone"), Is.EqualTo(job.Backup!.Schedule.TimeZone));
        var group = Hcl.Block(jobBody, "group", "backup");
        Assert.That(Hcl.Attr(Hcl.Block(group, "volume", JobFacts.BackupVolumeName), "source"), Is.EqualTo(job.Backup.Volume));
    }
}

/// <summary>Navigation over hcl2json's output: blocks are arrays of bodies, labelled blocks are nested objects.</summary>
internal static class Hcl
{
    public static JsonElement Block(JsonElement body, string type, string label)
    {
        Assert.That(body.TryGetProperty(type, out var blocks), Is.True, $"no {type} block");
        Assert.That(blocks.TryGetProperty(label, out var labelled), Is.True, $"no {type} \"{label}\"");
        Assert.That(labelled.GetArrayLength(), Is.EqualTo(1), $"{type} \"{label}\" appears more than once");
        return labelled[0];
    }

    public static JsonElement Single(JsonElement body, string type)
    {
        Assert.That(body.TryGetProperty(type, out var blocks), Is.True, $"no {type} block");
        Assert.That(blocks.GetArrayLength(), Is.EqualTo(1), $"{type} appears more than once");
        return blocks[0];
    }

    public static IReadOnlyList<JsonElement> All(JsonElement body, string type) =>
        body.TryGetProperty(type, out var blocks) ? [.. blocks.EnumerateArray()] : [];

    public static List<string> Labels(JsonElement body, string type) =>
        body.TryGetProperty(type, out var blocks) ? [.. blocks.EnumerateObject().Select(p => p.Name)] : [];

    public static string? Attr(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString() : null;
}

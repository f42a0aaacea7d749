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

    /// <summary>Renders one example file; each file comes with its model (a <see cref="ServiceJob"/> or a <see cref="SharedPostgresJob"/>).</summary>
    private static (SpecLoadResult Loaded, IReadOnlyList<(object Model, RenderedFile File)> Files) RenderExample(string relative)
    {
        var loaded = SpecLoader.LoadFiles([Path.Combine(RepoPaths.Root, relative)]);
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        Assert.That(NomadDb.Validate(loaded.Jobs), Is.Empty);
        Assert.That(NomadDb.ValidateShared(loaded.SharedInstances), Is.Empty);
        var files = new List<(object, RenderedFile)>();
        foreach (var job in loaded.Jobs)
        {
            var source = ExampleNames.Source(relative, job);
            foreach (var file in JobRenderer.Default.Render(job.Job, source).Concat(JobRenderer.Default.RenderVolumesAndPolicies(job.Job, source)))
            {
                files.Add((job.Job, file));
            }
        }

        foreach (var instance in loaded.SharedInstances)
        {
            files.AddRange(SharedPostgresRenderer.Default.Render(instance.Job, ExampleNames.Source(relative, instance)).Select(file => ((object)instance.Job, file)));
        }

        return (loaded, files);
    }

    private static IEnumerable<TestCaseData> RenderedExampleFiles() =>
        ExampleFiles().SelectMany(relative => RenderExample(relative).Files.Select(f => new TestCaseData(relative, f.File.FileName).SetArgDisplayNames(f.File.FileName)));

    [TestCaseSource(nameof(RenderedExampleFiles))]
    public void Example_matches_its_snapshot(string relative, string fileName)
    {
        var file = RenderExample(relative).Files.Single(f => f.File.FileName == fileName).File;
        Snapshot.Verify(ExampleNames.Snapshot(relative, fileName)[..^".hcl".Length], file.Content);
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
            Assert.That(rendered.Select(r => r.Model), Has.Some.InstanceOf<SharedPostgresJob>(), "the legacy shared instance is an example too");
            for (var i = 0; i < rendered.Count; i++)
            {
                var (model, file) = rendered[i];
                if (model is SharedPostgresJob shared)
                {
                    AssertSharedPostgresReadsBack(shared, parsed[paths[i]]);
                }
                else if (!file.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal))
                {
                    continue; // volume and policy files beside the job: HostVolumeFilesTests reads them back
                }
                else if (file.FileName.EndsWith("-backup.nomad.hcl", StringComparison.Ordinal))
                {
                    AssertPeriodicBackupReadsBack((ServiceJob)model, parsed[paths[i]]);
                }
                else
                {
                    AssertServiceJobReadsBack((ServiceJob)model, parsed[paths[i]]);
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
        expectedTasks.AddRange(job.Tasks.Select(t => t.Name));
        if (job.Backup is { Placement: BackupPlacement.Sidecar } sidecar)
        {
            expectedTasks.Add("db-backup");
            if (sidecar.Offsite is not null)
            {
                expectedTasks.Add("offsite");
            }

            if (sidecar.Heartbeat is not null)
            {
                expectedTasks.Add("heartbeat");
            }
        }

        Assert.That(tasks, Is.EquivalentTo(expectedTasks));
        Assert.That(Hcl.Attr(Hcl.Single(group, "network"), "mode"), Is.EqualTo(job.Network == NetworkMode.Host ? "host" : "bridge"));

        foreach (var extra in job.Tasks)
        {
            var task = Hcl.Block(group, "task", extra.Name);
            var config = Hcl.Single(task, "config");
            Assert.That(Hcl.Attr(config, "image"), Is.EqualTo(extra.Image));
            Assert.That(task.TryGetProperty("lifecycle", out var lifecycle) ? Hcl.Attr(lifecycle[0], "hook") : null,
                Is.EqualTo(extra.Lifecycle?.Hook.ToString().ToLowerInvariant()));
            var mountTargets = config.TryGetProperty("mount", out var mounts) ? mounts.EnumerateArray().Select(m => Hcl.Attr(m, "target")).ToList() : [];
            Assert.That(mountTargets, Is.EqualTo(extra.Container.Mounts.Select(m => m.Target).ToList()));
        }

        var app = Hcl.Block(group, "task", job.App.Name);
        Assert.That(Hcl.Attr(Hcl.Single(app, "config"), "image"), Is.EqualTo(job.App.Image));
        var envKeys = app.TryGetProperty("env", out var env) ? env[0].EnumerateObject().Select(p => p.Name).ToList() : [];
        // Plain variables, then each file secret's variable holding its file's path (app.secrets).
        Assert.That(envKeys, Is.EquivalentTo(job.App.Env.Select(e => e.Name).Concat(job.App.Secrets.Where(s => s.File is not null).Select(s => s.Name)).ToList()));
        foreach (var variable in job.App.Env)
        {
            Assert.That(env[0].GetProperty(variable.Name).GetString(), Is.EqualTo(variable.Value));
        }

        var appTemplates = Hcl.All(app, "template").Select(t => Hcl.Attr(t, "destination")).ToList();
        foreach (var secret in job.App.Secrets)
        {
            Assert.That(appTemplates, Does.Contain(secret.File ?? JobFacts.SecretsEnvFile), $"app.secrets.{secret.Name} is rendered");
            if (secret.File is { } file)
            {
                Assert.That(env[0].GetProperty(secret.Name).GetString(), Is.EqualTo("/" + file));
            }
        }

        var services = Hcl.All(group, "service").ToDictionary(s => Hcl.Attr(s, "name")!, s => s);
        if (job.DatabaseService() is { } database)
        {
            Assert.That(services.ContainsKey(database.Name), Is.True, $"the database service {database.Name} is registered");
            Assert.That(Hcl.Attr(services[database.Name], "port"), Is.EqualTo("db"));
            Assert.That(Hcl.Attr(services[database.Name], "provider"), Is.EqualTo(database.Provider == ServiceProvider.Consul ? "consul" : "nomad"));
        }

        var volumes = Hcl.Labels(group, "volume").ToDictionary(v => v, v => Hcl.Attr(Hcl.Block(group, "volume", v), "source"));
        if (job.Postgres is { } pg)
        {
            Assert.That(volumes[JobFacts.DataVolumeName], Is.EqualTo(job.DataVolumeSource()));
            var postgres = Hcl.Block(group, "task", "postgres");
            Assert.That(Hcl.Attr(Hcl.Single(postgres, "config"), "image"), Is.EqualTo(pg.ImageReference));
            var mounts = Hcl.All(postgres, "volume_mount").ToDictionary(m => Hcl.Attr(m, "volume")!, m => Hcl.Attr(m, "destination"));
            Assert.That(mounts[JobFacts.DataVolumeName], Is.EqualTo(JobFacts.DataMountPath(pg.Version)));
            // With continuous archiving the server writes its WAL archive onto the backup volume too.
            Assert.That(mounts.Keys, Is.EquivalentTo(job.Backup?.Pitr is null ? new[] { JobFacts.DataVolumeName } : new[] { JobFacts.DataVolumeName, JobFacts.BackupVolumeName }));
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

    /// <summary>The shared instance: the server as main task on its volume, registered for discovery, init task with the manifest, cluster backup.</summary>
    internal static void AssertSharedPostgresReadsBack(SharedPostgresJob job, JsonElement root)
    {
        var jobBody = Hcl.Block(root, "job", job.Name);
        Assert.That(Hcl.Attr(jobBody, "type"), Is.EqualTo("service"));
        var group = Hcl.Block(jobBody, "group", job.Name);
        var expectedTasks = new List<string> { "postgres", "init-databases" };
        if (job.Backup is not null)
        {
            expectedTasks.Add("db-backup");
        }

        Assert.That(Hcl.Labels(group, "task"), Is.EquivalentTo(expectedTasks));
        var network = Hcl.Single(group, "network");
        var port = Hcl.Block(network, "port", "db");
        Assert.That(port.GetProperty("static").GetInt32(), Is.EqualTo(job.Postgres.Port), "applications reach the instance on a fixed port");
        var service = Hcl.Single(group, "service");
        Assert.That(Hcl.Attr(service, "name"), Is.EqualTo(job.Service.Name));
        Assert.That(Hcl.Attr(service, "port"), Is.EqualTo("db"));
        Assert.That(Hcl.Attr(service, "provider"), Is.EqualTo(job.Service.Provider == ServiceProvider.Consul ? "consul" : "nomad"));
        Assert.That(Hcl.Attr(Hcl.Block(group, "volume", JobFacts.DataVolumeName), "source"), Is.EqualTo(job.DataVolumeSource()));

        var postgres = Hcl.Block(group, "task", "postgres");
        Assert.That(postgres.TryGetProperty("lifecycle", out _), Is.False, "the server is the main task, not a sidecar");
        Assert.That(Hcl.Attr(Hcl.Single(postgres, "config"), "image"), Is.EqualTo(job.Postgres.ImageReference));
        var mount = Hcl.Single(postgres, "volume_mount");
        Assert.That(Hcl.Attr(mount, "destination"), Is.EqualTo(JobFacts.DataMountPath(job.Postgres.Version)));
        var pgEnv = Hcl.Single(postgres, "env");
        Assert.That(pgEnv.GetProperty("POSTGRES_USER").GetString(), Is.EqualTo(job.Postgres.AdminUser));
        Assert.That(pgEnv.TryGetProperty("POSTGRES_PASSWORD", out _), Is.False, "no plaintext password variable");

        var init = Hcl.Block(group, "task", "init-databases");
        var lifecycle = Hcl.Single(init, "lifecycle");
        Assert.That(Hcl.Attr(lifecycle, "hook"), Is.EqualTo("poststart"));
        Assert.That(lifecycle.GetProperty("sidecar").GetBoolean(), Is.False);
        var templates = Hcl.All(init, "template").ToDictionary(t => Hcl.Attr(t, "destination")!, t => Hcl.Attr(t, "data")!);
        var manifest = Hcl.Single(init, "env").GetProperty("INIT_MANIFEST").GetString()!;
        var manifestLines = templates[manifest.TrimStart('/')].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.That(manifestLines.Select(l => (l[0], l[1])), Is.EqualTo(job.Databases.Select(d => (d.Name, d.Owner))));
        foreach (var line in manifestLines)
        {
            // Every password file the manifest names is rendered by a template of the same task.
            Assert.That(templates, Does.ContainKey(line[2].TrimStart('/')));
        }

        if (job.Backup is { } backup)
        {
            Assert.That(Hcl.Attr(Hcl.Block(group, "volume", JobFacts.BackupVolumeName), "source"), Is.EqualTo(backup.Volume));
            var backupTask = Hcl.Block(group, "task", "db-backup");
            Assert.That(Hcl.Single(backupTask, "env").GetProperty("BACKUP_SCOPE").GetString(), Is.EqualTo("cluster"));
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
        Assert.That(Hcl.Labels(group, "task"), Is.EquivalentTo(new[] { "backup" }.Concat(job.Backup.Offsite is null ? [] : ["offsite"]).Concat(job.Backup.Heartbeat is null ? [] : ["heartbeat"])));
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

using System.Collections.Immutable;
using System.Text.Json;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Json;

/// <summary>
/// The JSON job (Nomad's HTTP API form) of every example is pinned by a snapshot and says the same as the HCL file of
/// the same job, as HashiCorp's HCL parser reads it.
/// </summary>
[TestFixture]
public sealed class JsonJobTests
{
    private static IEnumerable<string> ExampleFiles() =>
        SpecLoader.ExpandInputs([RepoPaths.Examples]).Select(f => Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'));

    private static List<RenderedFile> RenderExample(string relative, JobFormat format)
    {
        var loaded = SpecLoader.LoadFiles([Path.Combine(RepoPaths.Root, relative)]);
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        Assert.That(NomadDb.Validate(loaded.Jobs), Is.Empty);
        Assert.That(NomadDb.ValidateShared(loaded.SharedInstances), Is.Empty);
        return [.. loaded.Jobs.SelectMany(job => JobRenderer.Default.Render(job.Job, ExampleNames.Source(relative, job), format)),
            .. loaded.SharedInstances.SelectMany(instance => SharedPostgresRenderer.Default.Render(instance.Job, ExampleNames.Source(relative, instance), format))];
    }

    private static IEnumerable<TestCaseData> JsonExampleFiles() =>
        ExampleFiles().SelectMany(relative => RenderExample(relative, JobFormat.Json)
            .Select(file => new TestCaseData(relative, file.FileName).SetArgDisplayNames(file.FileName)));

    [TestCaseSource(nameof(JsonExampleFiles))]
    public void Json_example_matches_its_snapshot(string relative, string fileName)
    {
        var file = RenderExample(relative, JobFormat.Json).Single(f => f.FileName == fileName);
        Assert.That(fileName, Does.EndWith(".nomad.json"));
        Snapshot.Verify(ExampleNames.Snapshot(relative, fileName)[..^".json".Length], file.Content, "json");
    }

    [Test]
    public void Json_is_two_space_indented_lf_with_one_final_newline_and_parses()
    {
        foreach (var file in ExampleFiles().SelectMany(relative => RenderExample(relative, JobFormat.Json)))
        {
            Assert.That(file.Content, Does.Not.Contain("\r"), file.FileName);
            Assert.That(file.Content, Does.EndWith("}\n").And.Not.EndWith("\n\n"), file.FileName);
            Assert.That(file.Content, Does.StartWith("{\n  \"Job\": {\n    \"ID\": "), file.FileName);
            using var document = JsonDocument.Parse(file.Content);
            Assert.That(document.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "Job" }), file.FileName);
        }
    }

    [Test]
    public void Hcl_and_json_of_every_example_say_the_same()
    {
        var pairs = ExampleFiles()
            .SelectMany(relative => RenderExample(relative, JobFormat.Hcl).Zip(RenderExample(relative, JobFormat.Json)))
            .ToList();
        Assert.That(pairs, Is.Not.Empty);
        var hcl = Hcl2Json.ParseTexts(pairs.ToDictionary(p => p.First.FileName, p => p.First.Content));
        Assert.Multiple(() =>
        {
            foreach (var (hclFile, jsonFile) in pairs)
            {
                Assert.That(jsonFile.FileName, Is.EqualTo(Path.ChangeExtension(hclFile.FileName, ".json")));
                using var json = JsonDocument.Parse(jsonFile.Content);
                var fromHcl = JobFacts.FromHcl(hcl[hclFile.FileName]);
                var fromJson = JobFacts.FromApiJson(json.RootElement);
                Assert.That(fromJson, Is.EqualTo(fromHcl), $"{jsonFile.FileName} says something else than {hclFile.FileName}:\n"
                    + string.Join('\n', fromJson.Except(fromHcl).Select(f => "only in JSON: " + f).Concat(fromHcl.Except(fromJson).Select(f => "only in HCL:  " + f))));
                Assert.That(fromHcl, Has.Some.StartWith("task ").And.Some.StartWith("config ").And.Some.StartWith("volume "), hclFile.FileName);
            }
        });
    }

    [Test]
    public void The_cross_check_notices_a_difference()
    {
        var (hclFile, jsonFile) = RenderExample("examples/myservice.yaml", JobFormat.Hcl).Zip(RenderExample("examples/myservice.yaml", JobFormat.Json)).First();
        var fromHcl = JobFacts.FromHcl(Hcl2Json.ParseText(hclFile.Content));
        foreach (var (from, to) in new[] { ("\"/var/lib/postgresql/data\"", "\"/var/lib/postgresql\""), ("\"PGDATA\"", "\"PGDATA2\""), ("\"poststart\"", "\"prestart\""), ("\"secrets/db.env\"", "\"secrets/db2.env\"") })
        {
            Assert.That(jsonFile.Content, Does.Contain(from));
            using var changed = JsonDocument.Parse(jsonFile.Content.Replace(from, to, StringComparison.Ordinal));
            Assert.That(JobFacts.FromApiJson(changed.RootElement), Is.Not.EqualTo(fromHcl), $"{from} -> {to} went unnoticed");
        }
    }

    [Test]
    public void A_periodic_backup_job_carries_its_cron_in_periodic_specs()
    {
        var job = new ServiceJob("ledger", new AppTask("example/ledger:2.1") { Database = new DatabaseWiring { Env = [new EnvVar("DB_HOST", "{host}")] } })
        {
            Postgres = new PostgresSidecar(new NomadVariableSecret("nomad/jobs/ledger")),
            Backup = new BackupPolicy("ledger-backups")
            {
                Placement = BackupPlacement.Periodic,
                Schedule = new BackupSchedule("15 3 * * 1-5", null, "Europe/Vienna"),
            },
        };
        Assert.That(NomadDb.Validate([job]), Is.Empty);

        var files = JobRenderer.Default.Render(job, "ledger.yaml", JobFormat.Json);

        Assert.That(files.Select(f => f.FileName), Is.EqualTo(new[] { "ledger.nomad.json", "ledger-backup.nomad.json" }));
        using var backup = JsonDocument.Parse(files[1].Content);
        var apiJob = backup.RootElement.GetProperty("Job");
        Assert.That(apiJob.GetProperty("ID").GetString(), Is.EqualTo("ledger-backup"));
        Assert.That(apiJob.GetProperty("Type").GetString(), Is.EqualTo("batch"));
        var periodic = apiJob.GetProperty("Periodic");
        Assert.That(periodic.GetProperty("Specs").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "15 3 * * 1-5" }));
        Assert.That(periodic.GetProperty("SpecType").GetString(), Is.EqualTo("cron"));
        Assert.That(periodic.GetProperty("ProhibitOverlap").GetBoolean(), Is.True);
        Assert.That(periodic.GetProperty("TimeZone").GetString(), Is.EqualTo("Europe/Vienna"));
        using var service = JsonDocument.Parse(files[0].Content);
        Assert.That(service.RootElement.GetProperty("Job").TryGetProperty("Periodic", out _), Is.False, "the service job itself is not periodic");
    }

    [Test]
    public void Durations_are_nanoseconds_and_static_ports_are_reserved()
    {
        var job = new ServiceJob("gauge", new AppTask("example/gauge:3.0")
        {
            Ports = [new PortMapping("http", 8080, Static: 18080), new PortMapping("metrics", 9100)],
            Service = new ServiceRegistration("gauge", "http") { Check = new HealthCheck(CheckType.Http, "/ready", "1m30s", "1500ms") },
        })
        {
            Update = UpdatePolicy.Stateful with { MinHealthyTime = "45s", HealthyDeadline = "1h", ProgressDeadline = "2h" },
            Sqlite = new SqliteStorage("gauge-data", "/data", "gauge.db"),
        };
        Assert.That(NomadDb.Validate([job]), Is.Empty);

        using var document = JsonDocument.Parse(JobRenderer.Default.Render(job, "gauge.yaml", JobFormat.Json).Single().Content);

        var group = document.RootElement.GetProperty("Job").GetProperty("TaskGroups")[0];
        var update = group.GetProperty("Update");
        Assert.That(update.GetProperty("MinHealthyTime").GetInt64(), Is.EqualTo(45_000_000_000L));
        Assert.That(update.GetProperty("HealthyDeadline").GetInt64(), Is.EqualTo(3_600_000_000_000L));
        var check = group.GetProperty("Services")[0].GetProperty("Checks")[0];
        Assert.That(check.GetProperty("Interval").GetInt64(), Is.EqualTo(90_000_000_000L));
        Assert.That(check.GetProperty("Timeout").GetInt64(), Is.EqualTo(1_500_000_000L));
        var network = group.GetProperty("Networks")[0];
        Assert.That(network.GetProperty("ReservedPorts").EnumerateArray().Select(Compact), Is.EqualTo(new[] { """{"Label":"http","Value":18080,"To":8080}""" }));
        Assert.That(network.GetProperty("DynamicPorts").EnumerateArray().Select(Compact), Is.EqualTo(new[] { """{"Label":"metrics","To":9100}""" }));
    }

    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    [Test]
    public void Values_that_hcl_escapes_reach_the_json_raw()
    {
        const string hostile = "${NOMAD_TASK_DIR} %{ if } \"quoted\" back\\slash {{ .Data }}\ttab ünï <&>";
        var job = new ServiceJob("raw", new AppTask("example/raw:1.0")
        {
            Env = [new EnvVar("ODD", hostile)],
            Templates = [new TemplateFile("local/raw.txt", hostile + "\n")],
        })
        {
            Sqlite = new SqliteStorage("raw-data", "/data", "raw.db"),
        };
        Assert.That(NomadDb.Validate([job]), Is.Empty);
        var hcl = JobRenderer.Default.Render(job, "raw.yaml").Single().Content;
        Assert.That(hcl, Does.Contain("$${NOMAD_TASK_DIR} %%{ if }"), "the HCL escapes template sequences");

        using var document = JsonDocument.Parse(JobRenderer.Default.Render(job, "raw.yaml", JobFormat.Json).Single().Content);

        var task = document.RootElement.GetProperty("Job").GetProperty("TaskGroups")[0].GetProperty("Tasks")[0];
        Assert.That(task.GetProperty("Env").GetProperty("ODD").GetString(), Is.EqualTo(hostile));
        Assert.That(task.GetProperty("Templates")[0].GetProperty("EmbeddedTmpl").GetString(), Is.EqualTo(hostile + "\n"));
    }

    [Test]
    public void Extra_tasks_and_docker_options_say_the_same_in_hcl_and_json()
    {
        var job = new ServiceJob("multi", new AppTask("example/multi:1.0")
        {
            Ports = [new PortMapping("http", 8080), new PortMapping("cache", 6379)],
            Service = new ServiceRegistration("multi", "http") { Check = new HealthCheck(CheckType.Http, "/health") },
            Templates = [new TemplateFile("local/app.conf", "listen 8080\n")],
            Container = new ContainerOptions
            {
                Mounts = [new DockerMount(MountType.Bind, "/etc/app.conf") { Source = "local/app.conf", ReadOnly = true }, new DockerMount(MountType.Tmpfs, "/run/app") { TmpfsSize = "64MB" }],
                Privileged = true,
                Dns = new DnsSettings { Servers = ["192.168.1.1"], Searches = ["home.arpa"], Options = ["ndots:2"] },
                ShmSize = "128MB",
            },
        })
        {
            Network = NetworkMode.Host,
            Sqlite = new SqliteStorage("multi-data", "/data", "multi.db"),
            Tasks =
            [
                new ExtraTask("cache", "redis:7-alpine")
                {
                    Lifecycle = new TaskLifecycle(LifecycleHook.Prestart, Sidecar: true),
                    Service = new ServiceRegistration("multi-cache", "cache") { Check = new HealthCheck(CheckType.Tcp, null) },
                    Container = new ContainerOptions { Mounts = [new DockerMount(MountType.Tmpfs, "/data")] },
                },
                new ExtraTask("once", "busybox:1.37") { Command = "/bin/true", Lifecycle = new TaskLifecycle(LifecycleHook.Poststop), Env = [new EnvVar("A", "b")] },
            ],
        };
        Assert.That(NomadDb.Validate([job]).Select(d => d.Code), Is.EqualTo(new[] { Validation.ErrorCodes.Privileged }));
        var hcl = JobRenderer.Default.Render(job, "multi.yaml").Single().Content;
        using var json = JsonDocument.Parse(JobRenderer.Default.Render(job, "multi.yaml", JobFormat.Json).Single().Content);
        var fromHcl = JobFacts.FromHcl(Hcl2Json.ParseText(hcl));
        var fromJson = JobFacts.FromApiJson(json.RootElement);
        Assert.That(fromJson, Is.EqualTo(fromHcl), string.Join('\n', fromJson.Except(fromHcl).Select(f => "only in JSON: " + f).Concat(fromHcl.Except(fromJson).Select(f => "only in HCL:  " + f))));
        Assert.That(fromHcl, Has.Some.StartWith("docker-mount multi/app type=\"tmpfs\"").And.Some.Contain("tmpfs_size=67108864")
            .And.Some.StartWith("docker multi/app privileged=true").And.Some.StartWith("lifecycle multi/once hook=\"poststop\""));
    }

    /// <summary>
    /// What a job says, as sorted lines, read from hcl2json's output of the HCL or from the API JSON. Both readers
    /// are written from Nomad's documented shapes, independently of the generator.
    /// </summary>
    private static class JobFacts
    {
        public static ImmutableArray<string> FromHcl(JsonElement root)
        {
            var facts = new List<string>();
            var (id, job) = Single(root.GetProperty("job"));
            facts.Add($"job {id} type={HclText(job, "type")} namespace={HclText(job, "namespace")} region={HclText(job, "region")} node_pool={HclText(job, "node_pool")} priority={Raw(job, "priority")}");
            facts.Add($"datacenters {HclList(job, "datacenters")}");
            foreach (var constraint in Blocks(job, "constraint"))
            {
                facts.Add($"constraint {HclText(constraint, "attribute")} {HclText(constraint, "operator")} {HclText(constraint, "value")}");
            }

            foreach (var meta in Blocks(job, "meta"))
            {
                facts.AddRange(meta.EnumerateObject().Select(entry => $"meta {entry.Name}={Unescape(entry.Value.GetString()!)}"));
            }

            foreach (var periodic in Blocks(job, "periodic"))
            {
                facts.Add($"periodic {HclList(periodic, "crons")} prohibit_overlap={Raw(periodic, "prohibit_overlap")} time_zone={HclText(periodic, "time_zone")}");
            }

            foreach (var (groupName, group) in Labelled(job, "group"))
            {
                facts.Add($"group {groupName} count={Raw(group, "count")} shutdown_delay={Nanoseconds(HclText(group, "shutdown_delay"))}");
                foreach (var network in Blocks(group, "network"))
                {
                    facts.Add($"network {groupName} mode={HclText(network, "mode")}");
                    foreach (var (label, port) in Labelled(network, "port"))
                    {
                        facts.Add($"port {groupName}/{label} static={Raw(port, "static")} to={Raw(port, "to")}");
                    }
                }

                foreach (var (volumeName, volume) in Labelled(group, "volume"))
                {
                    facts.Add($"volume {groupName}/{volumeName} type={HclText(volume, "type")} source={HclText(volume, "source")} read_only={Raw(volume, "read_only")}");
                }

                foreach (var restart in Blocks(group, "restart"))
                {
                    facts.Add($"restart {groupName} attempts={Raw(restart, "attempts")} interval={Nanoseconds(HclText(restart, "interval"))} delay={Nanoseconds(HclText(restart, "delay"))} mode={HclText(restart, "mode")}");
                }

                foreach (var update in Blocks(group, "update"))
                {
                    facts.Add($"update {groupName} max_parallel={Raw(update, "max_parallel")} canary={Raw(update, "canary")} auto_revert={Raw(update, "auto_revert")} min_healthy_time={Nanoseconds(HclText(update, "min_healthy_time"))} healthy_deadline={Nanoseconds(HclText(update, "healthy_deadline"))} progress_deadline={Nanoseconds(HclText(update, "progress_deadline"))}");
                }

                ServicesFromHcl(facts, groupName, group);
                foreach (var (taskName, task) in Labelled(group, "task"))
                {
                    var where = $"{groupName}/{taskName}";
                    facts.Add($"task {where} driver={HclText(task, "driver")} user={HclText(task, "user")} kill_signal={HclText(task, "kill_signal")} kill_timeout={Nanoseconds(HclText(task, "kill_timeout"))} shutdown_delay={Nanoseconds(HclText(task, "shutdown_delay"))} leader={Raw(task, "leader")}");
                    foreach (var lifecycle in Blocks(task, "lifecycle"))
                    {
                        facts.Add($"lifecycle {where} hook={HclText(lifecycle, "hook")} sidecar={Raw(lifecycle, "sidecar")}");
                    }

                    foreach (var config in Blocks(task, "config"))
                    {
                        facts.Add($"config {where} image={HclText(config, "image")} entrypoint={HclList(config, "entrypoint")} command={HclText(config, "command")} args={HclList(config, "args")} ports={HclList(config, "ports")} shm_size={Raw(config, "shm_size")} network_mode={HclText(config, "network_mode")}");
                        facts.Add($"docker {where} privileged={Raw(config, "privileged")} dns_servers={HclList(config, "dns_servers")} dns_search_domains={HclList(config, "dns_search_domains")} dns_options={HclList(config, "dns_options")}");
                        foreach (var mount in Blocks(config, "mount"))
                        {
                            facts.Add($"docker-mount {where} type={HclText(mount, "type")} source={HclText(mount, "source")} target={HclText(mount, "target")} readonly={Raw(mount, "readonly")} tmpfs_size={string.Join(",", Blocks(mount, "tmpfs_options").Select(o => Raw(o, "size")))}");
                        }
                    }

                    foreach (var mount in Blocks(task, "volume_mount"))
                    {
                        facts.Add($"mount {where} {HclText(mount, "volume")} -> {HclText(mount, "destination")} read_only={Raw(mount, "read_only")}");
                    }

                    foreach (var env in Blocks(task, "env"))
                    {
                        facts.AddRange(env.EnumerateObject().Select(variable => $"env {where} {variable.Name}={Unescape(variable.Value.GetString()!)}"));
                    }

                    foreach (var template in Blocks(task, "template"))
                    {
                        facts.Add($"template {where} {HclText(template, "destination")} perms={HclText(template, "perms")} env={Raw(template, "env")} change_mode={HclText(template, "change_mode")}\n{HclText(template, "data")}");
                    }

                    foreach (var vault in Blocks(task, "vault"))
                    {
                        facts.Add($"vault {where} role={HclText(vault, "role")} change_mode={HclText(vault, "change_mode")} change_signal={HclText(vault, "change_signal")}");
                    }

                    foreach (var resources in Blocks(task, "resources"))
                    {
                        facts.Add($"resources {where} cpu={Raw(resources, "cpu")} memory={Raw(resources, "memory")} memory_max={Raw(resources, "memory_max")}");
                    }

                    ServicesFromHcl(facts, where, task);
                }
            }

            return [.. facts.Order(StringComparer.Ordinal)];
        }

        private static void ServicesFromHcl(List<string> facts, string where, JsonElement body)
        {
            foreach (var service in Blocks(body, "service"))
            {
                var name = HclText(service, "name");
                facts.Add($"service {where} {name} port={HclText(service, "port")} provider={HclText(service, "provider")} tags={HclList(service, "tags")}");
                foreach (var check in Blocks(service, "check"))
                {
                    facts.Add($"check {where}/{name} type={HclText(check, "type")} path={HclText(check, "path")} task={HclText(check, "task")} command={HclText(check, "command")} args={HclList(check, "args")} interval={Nanoseconds(HclText(check, "interval"))} timeout={Nanoseconds(HclText(check, "timeout"))}");
                }
            }
        }

        public static ImmutableArray<string> FromApiJson(JsonElement root)
        {
            var facts = new List<string>();
            var job = root.GetProperty("Job");
            var id = job.GetProperty("ID").GetString()!;
            Assert.That(job.GetProperty("Name").GetString(), Is.EqualTo(job.GetProperty("ID").GetString()), "Nomad's HCL parser names a job after its ID");
            facts.Add($"job {id} type={Text(job, "Type")} namespace={Text(job, "Namespace")} region={Text(job, "Region")} node_pool={Text(job, "NodePool")} priority={Raw(job, "Priority")}");
            facts.Add($"datacenters {List(job, "Datacenters")}");
            foreach (var constraint in Items(job, "Constraints"))
            {
                facts.Add($"constraint {Text(constraint, "LTarget")} {Text(constraint, "Operand")} {Text(constraint, "RTarget")}");
            }

            if (job.TryGetProperty("Meta", out var meta))
            {
                facts.AddRange(meta.EnumerateObject().Select(entry => $"meta {entry.Name}={entry.Value.GetString()}"));
            }

            if (job.TryGetProperty("Periodic", out var periodic))
            {
                Assert.That(periodic.GetProperty("SpecType").GetString(), Is.EqualTo("cron"));
                facts.Add($"periodic {List(periodic, "Specs")} prohibit_overlap={Raw(periodic, "ProhibitOverlap")} time_zone={Text(periodic, "TimeZone")}");
            }

            foreach (var group in Items(job, "TaskGroups"))
            {
                var groupName = group.GetProperty("Name").GetString()!;
                facts.Add($"group {groupName} count={Raw(group, "Count")} shutdown_delay={Raw(group, "ShutdownDelay")}");
                foreach (var network in Items(group, "Networks"))
                {
                    facts.Add($"network {groupName} mode={Text(network, "Mode")}");
                    foreach (var port in Items(network, "ReservedPorts").Concat(Items(network, "DynamicPorts")))
                    {
                        facts.Add($"port {groupName}/{port.GetProperty("Label").GetString()} static={Raw(port, "Value")} to={Raw(port, "To")}");
                    }
                }

                if (group.TryGetProperty("Volumes", out var volumes))
                {
                    foreach (var volume in volumes.EnumerateObject())
                    {
                        Assert.That(volume.Value.GetProperty("Name").GetString(), Is.EqualTo(volume.Name));
                        facts.Add($"volume {groupName}/{volume.Name} type={Text(volume.Value, "Type")} source={Text(volume.Value, "Source")} read_only={Raw(volume.Value, "ReadOnly")}");
                    }
                }

                if (group.TryGetProperty("RestartPolicy", out var restart))
                {
                    facts.Add($"restart {groupName} attempts={Raw(restart, "Attempts")} interval={Raw(restart, "Interval")} delay={Raw(restart, "Delay")} mode={Text(restart, "Mode")}");
                }

                if (group.TryGetProperty("Update", out var update))
                {
                    facts.Add($"update {groupName} max_parallel={Raw(update, "MaxParallel")} canary={Raw(update, "Canary")} auto_revert={Raw(update, "AutoRevert")} min_healthy_time={Raw(update, "MinHealthyTime")} healthy_deadline={Raw(update, "HealthyDeadline")} progress_deadline={Raw(update, "ProgressDeadline")}");
                }

                ServicesFromJson(facts, groupName, group);
                foreach (var task in Items(group, "Tasks"))
                {
                    var where = $"{groupName}/{task.GetProperty("Name").GetString()}";
                    facts.Add($"task {where} driver={Text(task, "Driver")} user={Text(task, "User")} kill_signal={Text(task, "KillSignal")} kill_timeout={Raw(task, "KillTimeout")} shutdown_delay={Raw(task, "ShutdownDelay")} leader={Raw(task, "Leader")}");
                    if (task.TryGetProperty("Lifecycle", out var lifecycle))
                    {
                        facts.Add($"lifecycle {where} hook={Text(lifecycle, "Hook")} sidecar={Raw(lifecycle, "Sidecar")}");
                    }

                    if (task.TryGetProperty("Config", out var config))
                    {
                        facts.Add($"config {where} image={Text(config, "image")} entrypoint={List(config, "entrypoint")} command={Text(config, "command")} args={List(config, "args")} ports={List(config, "ports")} shm_size={Raw(config, "shm_size")} network_mode={Text(config, "network_mode")}");
                        facts.Add($"docker {where} privileged={Raw(config, "privileged")} dns_servers={List(config, "dns_servers")} dns_search_domains={List(config, "dns_search_domains")} dns_options={List(config, "dns_options")}");
                        foreach (var mount in Items(config, "mount"))
                        {
                            facts.Add($"docker-mount {where} type={Text(mount, "type")} source={Text(mount, "source")} target={Text(mount, "target")} readonly={Raw(mount, "readonly")} tmpfs_size={string.Join(",", Items(mount, "tmpfs_options").Select(o => Raw(o, "size")))}");
                        }
                    }

                    foreach (var mount in Items(task, "VolumeMounts"))
                    {
                        facts.Add($"mount {where} {Text(mount, "Volume")} -> {Text(mount, "Destination")} read_only={Raw(mount, "ReadOnly")}");
                    }

                    if (task.TryGetProperty("Env", out var env))
                    {
                        facts.AddRange(env.EnumerateObject().Select(variable => $"env {where} {variable.Name}={variable.Value.GetString()}"));
                    }

                    foreach (var template in Items(task, "Templates"))
                    {
                        facts.Add($"template {where} {Text(template, "DestPath")} perms={Text(template, "Perms")} env={Raw(template, "Envvars")} change_mode={Text(template, "ChangeMode")}\n{Text(template, "EmbeddedTmpl")}");
                    }

                    if (task.TryGetProperty("Vault", out var vault))
                    {
                        facts.Add($"vault {where} role={Text(vault, "Role")} change_mode={Text(vault, "ChangeMode")} change_signal={Text(vault, "ChangeSignal")}");
                    }

                    if (task.TryGetProperty("Resources", out var resources))
                    {
                        facts.Add($"resources {where} cpu={Raw(resources, "CPU")} memory={Raw(resources, "MemoryMB")} memory_max={Raw(resources, "MemoryMaxMB")}");
                    }

                    ServicesFromJson(facts, where, task);
                }
            }

            return [.. facts.Order(StringComparer.Ordinal)];
        }

        private static void ServicesFromJson(List<string> facts, string where, JsonElement body)
        {
            foreach (var service in Items(body, "Services"))
            {
                var name = Text(service, "Name");
                facts.Add($"service {where} {name} port={Text(service, "PortLabel")} provider={Text(service, "Provider")} tags={List(service, "Tags")}");
                foreach (var check in Items(service, "Checks"))
                {
                    facts.Add($"check {where}/{name} type={Text(check, "Type")} path={Text(check, "Path")} task={Text(check, "TaskName")} command={Text(check, "Command")} args={List(check, "Args")} interval={Raw(check, "Interval")} timeout={Raw(check, "Timeout")}");
                }
            }
        }

        // hcl2json: a block is an array of bodies; a labelled block an object of label -> array of bodies.
        private static IEnumerable<JsonElement> Blocks(JsonElement body, string type) =>
            body.TryGetProperty(type, out var blocks) ? blocks.EnumerateArray() : [];

        private static IEnumerable<(string Label, JsonElement Body)> Labelled(JsonElement body, string type) =>
            body.TryGetProperty(type, out var blocks)
                ? blocks.EnumerateObject().SelectMany(label => label.Value.EnumerateArray().Select(b => (label.Name, b)))
                : [];

        private static (string Label, JsonElement Body) Single(JsonElement labelled)
        {
            var only = labelled.EnumerateObject().Single();
            return (only.Name, only.Value.EnumerateArray().Single());
        }

        private static IEnumerable<JsonElement> Items(JsonElement body, string name) =>
            body.TryGetProperty(name, out var items) ? items.EnumerateArray() : [];

        private static string Text(JsonElement body, string name) =>
            body.TryGetProperty(name, out var value) ? $"\"{value.GetString()}\"" : "-";

        private static string HclText(JsonElement body, string name) =>
            body.TryGetProperty(name, out var value) ? $"\"{Unescape(value.GetString()!)}\"" : "-";

        private static string Raw(JsonElement body, string name) =>
            body.TryGetProperty(name, out var value) ? value.GetRawText() : "-";

        private static string List(JsonElement body, string name) =>
            body.TryGetProperty(name, out var value) ? "[" + string.Join(", ", value.EnumerateArray().Select(v => $"\"{v.GetString()}\"")) + "]" : "-";

        private static string HclList(JsonElement body, string name) =>
            body.TryGetProperty(name, out var value) ? "[" + string.Join(", ", value.EnumerateArray().Select(v => $"\"{Unescape(v.GetString()!)}\"")) + "]" : "-";

        /// <summary>hcl2json writes a literal <c>${</c> as <c>$${</c> and <c>%{</c> as <c>%%{</c>; the API JSON never does.</summary>
        private static string Unescape(string text) => text.Replace("$${", "${", StringComparison.Ordinal).Replace("%%{", "%{", StringComparison.Ordinal);

        /// <summary>Nanoseconds of the simple durations the generator writes (<c>30s</c>, <c>10m</c>, <c>1h30m</c>, <c>500ms</c>).</summary>
        private static string Nanoseconds(string quoted)
        {
            if (quoted == "-")
            {
                return "-";
            }

            var total = 0L;
            foreach (System.Text.RegularExpressions.Match part in System.Text.RegularExpressions.Regex.Matches(quoted.Trim('"'), @"(\d+)(ms|h|m|s)"))
            {
                total += long.Parse(part.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * part.Groups[2].Value switch
                {
                    "ms" => 1_000_000L,
                    "s" => 1_000_000_000L,
                    "m" => 60_000_000_000L,
                    _ => 3_600_000_000_000L,
                };
            }

            return total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

using NomadDbPatterns.Cli;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Tasks;

/// <summary>
/// Groups of several tasks (issue 17, item 1): extra tasks beside the app, and the Docker options any task may set
/// (mounts, privileged, DNS, shm size). Each bad key is reported with its code, file:line:col and spec path; what
/// renders is read back by HashiCorp's HCL parser and checked against Nomad's rules.
/// </summary>
[TestFixture]
public sealed class ExtraTaskTests
{
    private const string File = "specs/svc.yaml";

    /// <summary>Host networking (DNS needs it), a Redis sidecar with a task service, a one-shot task sharing the app's volume.</summary>
    private const string Valid = """
        name: svc
        network: host
        app:
          image: example/app:1.0
          ports:
            - name: http
              to: 8080
            - name: redis
              to: 6379
          service:
            port: http
            check: { type: http, path: /health }
          volumes:
            - name: data
              source: svc-data
              destination: /data
          mounts:
            - type: tmpfs
              target: /run/app
              tmpfsSize: 64MB
            - type: bind
              source: local/app.conf
              target: /etc/app/app.conf
              readOnly: true
          templates:
            - destination: local/app.conf
              data: "listen 8080\n"
          shmSize: 128MB
          dns:
            servers: [192.168.1.1, "fd00::53"]
            searches: [home.arpa]
            options: ["ndots:2"]
        tasks:
          - name: redis
            image: redis:7-alpine
            lifecycle: { hook: prestart, sidecar: true }
            service:
              port: redis
              check: { type: tcp }
          - name: warm-cache
            image: example/app:1.0
            command: /bin/sh
            args: ["-c", "exec /app/warm-cache"]
            env:
              CACHE_DIR: /data/cache
            lifecycle: { hook: poststart }
            volumes:
              - name: data
                source: svc-data
                destination: /data
            resources: { cpu: 50, memory: 64 }
        postgres:
          port: 5433
          password:
            nomadVar: nomad/jobs/svc
        """;

    private static List<Diagnostic> Diagnostics(string yaml)
    {
        var loaded = SpecLoader.LoadText(yaml, File);
        return [.. loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs))];
    }

    private static Diagnostic SingleError(string yaml)
    {
        var errors = Diagnostics(yaml).Where(d => d.Severity == Severity.Error).ToList();
        Assert.That(errors, Has.Count.EqualTo(1), string.Join('\n', errors));
        return errors[0];
    }

    /// <summary>The 1-based line and column where <paramref name="needle"/> starts in <paramref name="yaml"/>.</summary>
    private static SourceLocation At(string yaml, string needle, int occurrence = 0)
    {
        var index = -1;
        for (var i = 0; i <= occurrence; i++)
        {
            index = yaml.IndexOf(needle, index + 1, StringComparison.Ordinal);
            Assert.That(index, Is.GreaterThanOrEqualTo(0), needle);
        }

        var line = yaml[..index].Count(c => c == '\n') + 1;
        var column = index - (yaml.LastIndexOf('\n', index) + 1) + 1;
        return new SourceLocation(File, line, column);
    }

    private static void AssertError(string yaml, string code, string path, string needle, string message, int occurrence = 0)
    {
        var error = SingleError(yaml);
        Assert.Multiple(() =>
        {
            Assert.That(error.Code, Is.EqualTo(code), error.ToString());
            Assert.That(error.Path, Is.EqualTo(path), error.ToString());
            Assert.That(error.Location, Is.EqualTo(At(yaml, needle, occurrence)), error.ToString());
            Assert.That(error.Message, Does.Contain(message), error.ToString());
        });
    }

    private static ServiceJob Load(string yaml)
    {
        var loaded = SpecLoader.LoadText(yaml, File);
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        return loaded.Jobs.Single().Job;
    }

    [Test]
    public void The_valid_spec_has_no_diagnostics() => Assert.That(Diagnostics(Valid), Is.Empty, string.Join('\n', Diagnostics(Valid)));

    [Test]
    public void Extra_tasks_map_onto_the_model()
    {
        var job = Load(Valid);
        Assert.Multiple(() =>
        {
            Assert.That(job.Tasks.Select(t => t.Name), Is.EqualTo(new[] { "redis", "warm-cache" }));
            Assert.That(job.Tasks[0].Lifecycle, Is.EqualTo(new TaskLifecycle(LifecycleHook.Prestart, true)));
            Assert.That(job.Tasks[0].Resources, Is.EqualTo(Defaults.ExtraTaskResources));
            Assert.That(job.Tasks[0].Service!.Name, Is.EqualTo("svc-redis"), "a task service is named JOB-TASK by default");
            Assert.That(job.Tasks[1].Lifecycle, Is.EqualTo(new TaskLifecycle(LifecycleHook.Poststart)));
            Assert.That(job.App.Container.Mounts[0], Is.EqualTo(new DockerMount(MountType.Tmpfs, "/run/app") { TmpfsSize = "64MB" }));
            Assert.That(job.App.Container.Mounts[0].TmpfsSize!.Bytes, Is.EqualTo(64L << 20));
            Assert.That(job.App.Container.Mounts[1], Is.EqualTo(new DockerMount(MountType.Bind, "/etc/app/app.conf") { Source = "local/app.conf", ReadOnly = true }));
            Assert.That(job.App.Container.ShmSize!.Bytes, Is.EqualTo(128L << 20));
            Assert.That(job.App.Container.Dns!.Servers, Is.EqualTo(new[] { "192.168.1.1", "fd00::53" }));
            Assert.That(job.Tasks[1].Container, Is.SameAs(ContainerOptions.None));
        });
    }

    [Test]
    public void The_group_renders_every_task_and_nomad_accepts_it()
    {
        var job = Load(Valid);
        var hcl = JobRenderer.Default.Render(job, File).Single(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).Content;
        Assert.Multiple(() =>
        {
            Assert.That(hcl, Does.Contain("task \"redis\" {").And.Contain("task \"warm-cache\" {"));
            Assert.That(hcl, Does.Contain("size = 67108864"));
            Assert.That(hcl, Does.Match("dns_servers +=" + System.Text.RegularExpressions.Regex.Escape(" [\"192.168.1.1\", \"fd00::53\"]")));
            Assert.That(hcl, Does.Contain("shm_size"));
            Assert.That(hcl, Does.Not.Contain("privileged"));
        });
        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["svc.nomad.hcl"] = hcl });
        var parsed = Hcl2Json.ParseText(hcl);
        var group = parsed.GetProperty("job").GetProperty("svc")[0].GetProperty("group").GetProperty("svc")[0];
        var order = new[] { "postgres", "wait-for-postgres", "app", "redis", "warm-cache" }.Select(t => hcl.IndexOf($"task \"{t}\" {{", StringComparison.Ordinal)).ToList();
        Assert.That(order, Is.Ordered.And.All.GreaterThan(0), "the generator's tasks, the app, then the extra tasks in spec order");
        var redis = group.GetProperty("task").GetProperty("redis")[0];
        Assert.That(redis.GetProperty("service")[0].GetProperty("name").GetString(), Is.EqualTo("svc-redis"));
        Assert.That(redis.GetProperty("shutdown_delay").GetString(), Is.EqualTo(RuntimeDefaults.ShutdownDelay), "a task with a service gets its shutdown delay");
        Assert.That(redis.GetProperty("config")[0].GetProperty("network_mode").GetString(), Is.EqualTo("host"));
    }

    [Test]
    public void A_bind_mounted_template_renders_as_a_mount_block_beside_the_template()
    {
        var job = Load(Valid);
        var hcl = JobRenderer.Default.Render(job, File).Single(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).Content;
        var app = Hcl2Json.ParseText(hcl).GetProperty("job").GetProperty("svc")[0].GetProperty("group").GetProperty("svc")[0].GetProperty("task").GetProperty("app")[0];
        var mounts = app.GetProperty("config")[0].GetProperty("mount").EnumerateArray().ToList();
        Assert.That(mounts, Has.Count.EqualTo(2));
        Assert.That(mounts[1].GetProperty("source").GetString(), Is.EqualTo("local/app.conf"));
        Assert.That(mounts[1].GetProperty("readonly").GetBoolean(), Is.True);
        Assert.That(app.GetProperty("template").EnumerateArray().Select(t => t.GetProperty("destination").GetString()), Does.Contain("local/app.conf"));
    }

    [Test]
    public void Privileged_is_a_warning_with_its_location_and_nomad_needs_the_plugin_setting()
    {
        var yaml = Valid.Replace("    lifecycle: { hook: prestart, sidecar: true }\n", "    lifecycle: { hook: prestart, sidecar: true }\n    privileged: true\n");
        var diagnostics = Diagnostics(yaml);
        Assert.That(diagnostics, Has.Count.EqualTo(1), string.Join('\n', diagnostics));
        var warning = diagnostics[0];
        Assert.Multiple(() =>
        {
            Assert.That(warning.Severity, Is.EqualTo(Severity.Warning));
            Assert.That(warning.Code, Is.EqualTo(ErrorCodes.Privileged));
            Assert.That(warning.Path, Is.EqualTo("tasks[0].privileged"));
            Assert.That(warning.Location, Is.EqualTo(At(yaml, "privileged: true")));
            Assert.That(warning.Message, Does.Contain("allow_privileged = true"));
            Assert.That(ErrorCodes.Explanations[ErrorCodes.Privileged].Help, Does.Contain("allow_privileged = true"));
        });

        var hcl = JobRenderer.Default.Render(Load(yaml), File).Single(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).Content;
        var report = NomadConformance.Check(new Dictionary<string, string> { ["svc.nomad.hcl"] = hcl });
        Assert.That(report.SchemaViolations, Is.Empty);
        Assert.That(report.Warnings, Is.Empty);
        Assert.That(report.Errors, Has.Count.EqualTo(1).And.Some.Contain("[docker-privileged]").And.Some.Contain("task.redis.config.privileged"));
    }

    [Test]
    public void Privileged_is_never_an_error_of_the_builder()
    {
        var job = NomadDbPatterns.Builder.NomadJob.Create("svc")
            .WithApp("example/app:1.0", app => app.WithPort("http", 8080).AsPrivileged().WithBindMount("local/app.conf", "/etc/app.conf").WithShmSize("256MB"))
            .WithTask("redis", "redis:7-alpine", task => task.AsLifecycle(LifecycleHook.Prestart, sidecar: true).WithTmpfs("/data", "32MB"))
            .Build();
        Assert.That(job.App.Container.Privileged, Is.True);
        Assert.That(NomadDb.Validate([job]).Single().Severity, Is.EqualTo(Severity.Warning));
    }

    [Test]
    public void A_task_service_name_is_unique_across_the_fleet()
    {
        using var temp = new TempSpecs();
        const string task = "tasks:\n  - name: cache\n    image: redis:7-alpine\n    service: { name: shared-cache, port: http }\n";
        temp.Write("one.yaml", TempSpecs.Service("one", task));
        var second = temp.Write("two.yaml", TempSpecs.Service("two", task));
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"{second}:").And.Contain($"error {ErrorCodes.DuplicateService}: service name").And.Contain("service \"shared-cache\" of task \"cache\" of job \"two\"").And.Contain("(tasks[0].service.name)"));
    }

    [Test]
    public void A_task_host_volume_is_claimed_across_the_fleet()
    {
        using var temp = new TempSpecs();
        const string task = "tasks:\n  - name: worker\n    image: example/worker:1.0\n    volumes: [{ name: spool, source: spool, destination: /spool }]\n";
        temp.Write("one.yaml", TempSpecs.Service("one", task));
        var second = temp.Write("two.yaml", TempSpecs.Service("two", task));
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"{second}:").And.Contain($"error {ErrorCodes.DuplicateVolume}").And.Contain("(tasks[0].volumes[0].source)"));
    }

    [Test]
    public void Privileged_validates_with_a_warning_and_exit_code_zero()
    {
        using var temp = new TempSpecs();
        var file = temp.Write("one.yaml", TempSpecs.Service("one", "tasks:\n  - name: agent\n    image: example/agent:1.0\n    privileged: true\n"));
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(run.Error + run.Out, Does.Contain($"{file}:16:5: warning {ErrorCodes.Privileged}"));
    }

    [Test]
    public void An_extra_tasks_template_lookups_are_secrets_the_job_reads_and_get_a_policy()
    {
        var job = new ServiceJob("svc", new AppTask("example/app:1.0"))
        {
            Sqlite = new SqliteStorage("svc-data", "/data", "svc.db"),
            Tasks = [new ExtraTask("mailer", "example/mailer:1.0") { Templates = [new TemplateFile("secrets/smtp.env", "{{ with nomadVar \"nomad/jobs/mail\" }}SMTP_PASS={{ .smtp_password }}{{ end }}\n") { Env = true }] }],
        };
        Assert.That(NomadDb.Validate([job]), Is.Empty);
        var secret = NomadDbPatterns.Secrets.JobSecrets.Of(job).Single();
        Assert.That((secret.Path, secret.Key, secret.Purpose), Is.EqualTo(("nomad/jobs/mail", "smtp_password", "read by the mailer task's template secrets/smtp.env")));
        var files = JobRenderer.Default.RenderVolumesAndPolicies(job, File).Select(f => f.FileName).ToList();
        Assert.That(files, Has.Some.Contains("policy"), "nomad/jobs/mail is outside the job's implicit variables: a policy file comes beside the job");
    }

    [Test]
    public void Task_values_that_hcl_escapes_reach_nomad_as_written()
    {
        const string hostile = "${NOMAD_TASK_DIR} %{ if } \"quoted\" back\\slash ünï";
        var job = new ServiceJob("svc", new AppTask("example/app:1.0"))
        {
            Sqlite = new SqliteStorage("svc-data", "/data", "svc.db"),
            Tasks = [new ExtraTask("odd", "example/odd:1.0") { Command = "/bin/sh", Args = ["-c", hostile], Env = [new EnvVar("ODD", hostile)] }],
        };
        Assert.That(NomadDb.Validate([job]), Is.Empty);
        var hcl = JobRenderer.Default.Render(job, File).Single().Content;
        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["svc.nomad.hcl"] = hcl });
        var task = Hcl2Json.ParseText(hcl).GetProperty("job").GetProperty("svc")[0].GetProperty("group").GetProperty("svc")[0].GetProperty("task").GetProperty("odd")[0];
        // hcl2json keeps HCL's escapes of template sequences ($${, %%{); undone, the text is what the spec said.
        static string Unescape(string text) => text.Replace("$${", "${", StringComparison.Ordinal).Replace("%%{", "%{", StringComparison.Ordinal);
        Assert.That(Unescape(task.GetProperty("env")[0].GetProperty("ODD").GetString()!), Is.EqualTo(hostile));
        Assert.That(Unescape(task.GetProperty("config")[0].GetProperty("args")[1].GetString()!), Is.EqualTo(hostile));
    }

    // ---------------------------------------------------------------- bad input

    [Test]
    public void A_task_name_used_twice_is_an_error() =>
        AssertError(Valid.Replace("name: warm-cache", "name: redis"), ErrorCodes.InvalidName, "tasks[1].name", "name: redis", "used twice", occurrence: 2);

    [Test]
    public void A_task_named_like_the_app_is_an_error() =>
        AssertError(Valid.Replace("name: warm-cache", "name: app"), ErrorCodes.InvalidName, "tasks[1].name", "name: app", "used twice");

    [Test]
    public void A_task_named_like_a_generated_task_is_an_error() =>
        AssertError(Valid.Replace("name: warm-cache", "name: wait-for-postgres"), ErrorCodes.InvalidName, "tasks[1].name", "name: wait-for-postgres", "taken by a generated task");

    [Test]
    public void An_unknown_lifecycle_hook_is_an_error() =>
        AssertError(Valid.Replace("hook: poststart", "hook: prestop"), ErrorCodes.InvalidValue, "tasks[1].lifecycle.hook", "hook: prestop", "prestart, poststart, poststop");

    [Test]
    public void A_task_image_without_a_tag_is_an_error() =>
        AssertError(Valid.Replace("image: redis:7-alpine", "image: redis"), ErrorCodes.ImageTag, "tasks[0].image", "image: redis\n", "explicit tag");

    [Test]
    public void A_task_without_an_image_is_an_error() =>
        AssertError(Valid.Replace("    image: redis:7-alpine\n", string.Empty), ErrorCodes.Required, "tasks[0].image", "name: redis", "an image is required", occurrence: 1);

    [Test]
    public void An_unknown_task_key_is_reported_with_a_suggestion()
    {
        var yaml = Valid.Replace("    lifecycle: { hook: prestart", "    lifecyle: { hook: prestart");
        var error = SingleError(yaml);
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.UnknownKey));
        Assert.That(error.Path, Is.EqualTo("tasks[0].lifecyle"));
        Assert.That(error.Location, Is.EqualTo(At(yaml, "lifecyle")));
        Assert.That(error.Message, Does.Contain("did you mean 'lifecycle'"));
    }

    [Test]
    public void A_bind_mount_of_a_host_path_is_an_error() =>
        AssertError(Valid.Replace("source: local/app.conf", "source: /etc/nginx/nginx.conf"), ErrorCodes.Mount, "app.mounts[1].source", "source: /etc/nginx/nginx.conf", "volumes.enabled");

    [Test]
    public void A_bind_mount_leaving_the_task_directory_is_an_error() =>
        AssertError(Valid.Replace("source: local/app.conf", "source: local/../../x"), ErrorCodes.Mount, "app.mounts[1].source", "source: local/../../x", "under local/ or secrets/");

    [Test]
    public void A_bind_mount_without_a_source_is_an_error() =>
        AssertError(Valid.Replace("      source: local/app.conf\n", string.Empty), ErrorCodes.Required, "app.mounts[1].source", "type: bind", "needs a source");

    [Test]
    public void A_tmpfs_with_a_source_is_an_error() =>
        AssertError(Valid.Replace("      target: /run/app\n", "      target: /run/app\n      source: local/x\n"), ErrorCodes.Mount, "app.mounts[0].source", "source: local/x", "no source");

    [Test]
    public void A_tmpfs_size_on_a_bind_mount_is_an_error() =>
        AssertError(Valid.Replace("      readOnly: true\n  templates", "      readOnly: true\n      tmpfsSize: 1MB\n  templates"), ErrorCodes.Mount, "app.mounts[1].tmpfsSize", "tmpfsSize: 1MB", "tmpfs mounts only");

    [Test]
    public void A_bad_tmpfs_size_is_an_error() =>
        AssertError(Valid.Replace("tmpfsSize: 64MB", "tmpfsSize: lots"), ErrorCodes.InvalidValue, "app.mounts[0].tmpfsSize", "tmpfsSize: lots", "tmpfsSize is a size");

    [Test]
    public void A_relative_mount_target_is_an_error() =>
        AssertError(Valid.Replace("target: /run/app", "target: run/app"), ErrorCodes.Mount, "app.mounts[0].target", "target: run/app", "absolute path");

    [Test]
    public void Two_mounts_at_one_target_are_an_error() =>
        AssertError(Valid.Replace("target: /etc/app/app.conf", "target: /run/app"), ErrorCodes.Mount, "app.mounts[1].target", "target: /run/app", "duplicate mount point", occurrence: 1);

    [Test]
    public void A_mount_over_a_volume_is_an_error() =>
        AssertError(Valid.Replace("target: /run/app", "target: /data"), ErrorCodes.Mount, "app.mounts[0].target", "target: /data", "already mounted");

    [Test]
    public void A_docker_volume_mount_is_not_offered() =>
        AssertError(Valid.Replace("- type: bind", "- type: volume"), ErrorCodes.InvalidValue, "app.mounts[1].type", "type: volume", "bind, tmpfs");

    [Test]
    public void Dns_on_bridge_networking_is_an_error() =>
        AssertError(Valid.Replace("network: host\n", string.Empty).Replace("  port: 5433\n", string.Empty), ErrorCodes.InvalidValue, "app.dns", "dns:", "network: host");

    [Test]
    public void A_dns_server_that_is_no_address_is_an_error() =>
        AssertError(Valid.Replace("servers: [192.168.1.1,", "servers: [dns.home.arpa,"), ErrorCodes.InvalidValue, "app.dns.servers[0]", "dns.home.arpa", "not an IP address");

    [Test]
    public void A_dns_option_with_a_space_is_an_error() =>
        AssertError(Valid.Replace("options: [\"ndots:2\"]", "options: [\"ndots: 2\"]"), ErrorCodes.InvalidValue, "app.dns.options[0]", "\"ndots: 2\"", "one word");

    [Test]
    public void A_bad_shm_size_is_an_error() =>
        AssertError(Valid.Replace("    resources: { cpu: 50", "    shmSize: huge\n    resources: { cpu: 50"), ErrorCodes.InvalidValue, "tasks[1].shmSize", "shmSize: huge", "shmSize is a size");

    [Test]
    public void A_task_service_on_a_port_the_group_lacks_is_an_error() =>
        AssertError(Valid.Replace("      port: redis", "      port: cache"), ErrorCodes.Service, "tasks[0].service.port", "port: cache", "app.ports does not define");

    [Test]
    public void A_task_service_with_another_provider_is_an_error() =>
        AssertError(Valid.Replace("      port: redis\n", "      port: redis\n      provider: consul\n"), ErrorCodes.Service, "tasks[0].service.provider", "provider: consul", "mix providers");

    [Test]
    public void A_task_service_named_like_the_apps_is_an_error() =>
        AssertError(Valid.Replace("      port: redis\n", "      name: svc\n      port: redis\n"), ErrorCodes.Service, "tasks[0].service.name", "name: svc\n      port: redis", "registered by another task");

    [Test]
    public void A_shared_volume_mounted_from_another_source_is_an_error() =>
        AssertError(Valid.Replace("source: svc-data\n        destination: /data", "source: other-data\n        destination: /data"), ErrorCodes.Volume, "tasks[1].volumes[0].name", "name: data\n        source: other-data", "same source");

    [Test]
    public void A_task_mounting_the_database_volume_is_an_error() =>
        AssertError(Valid.Replace("      - name: data\n        source: svc-data", "      - name: pg\n        source: svc-postgres"), ErrorCodes.Volume, "tasks[1].volumes[0].source", "source: svc-postgres", "PostgreSQL data volume");

    [Test]
    public void A_bad_task_env_name_is_an_error() =>
        AssertError(Valid.Replace("CACHE_DIR:", "CACHE-DIR:"), ErrorCodes.InvalidName, "tasks[1].env.CACHE-DIR", "CACHE-DIR", "not an environment variable name");

    [Test]
    public void A_literal_credential_in_a_task_env_is_an_error_and_not_echoed()
    {
        var yaml = Valid.Replace("      CACHE_DIR: /data/cache\n", "      CACHE_DIR: /data/cache\n      REDIS_PASSWORD: hunter2-hunter2\n");
        AssertError(yaml, ErrorCodes.LiteralPassword, "tasks[1].env.REDIS_PASSWORD", "REDIS_PASSWORD", "REDIS_PASSWORD");
        Assert.That(SingleError(yaml).ToString(), Does.Not.Contain("hunter2"));
    }

    [Test]
    public void Task_memory_below_the_floor_is_an_error() =>
        AssertError(Valid.Replace("memory: 64 }", "memory: 8 }"), ErrorCodes.Resources, "tasks[1].resources.memory", "memory: 8 }", "below the minimum");
}

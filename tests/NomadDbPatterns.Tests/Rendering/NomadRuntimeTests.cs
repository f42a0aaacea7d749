using System.Text.Json;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// How the rendered jobs behave on a Nomad cluster where its parser cannot tell: deployment deadlines in Nomad's
/// order, Docker tasks on the node's network under host networking, a graceful PostgreSQL stop, shutdown delays,
/// no memory_max by default, unique service names and the Vault change mode. Each is read back through the HCL parser.
/// </summary>
[TestFixture]
public sealed class NomadRuntimeTests
{
    private const string Service = """
        name: svc
        network: host
        app:
          image: example/app:1.0
          ports: [{ name: http, to: 8080 }]
          database: { env: { DB_HOST: "{host}", DB_PORT: "{port}" } }
          service: { port: http, provider: consul, check: { type: http, path: /health } }
        postgres:
          port: 5433
          password: { vault: secret/data/postgres/svc }
        backup: { schedule: "0 3 * * *" }
        """;

    private const string Shared = """
        name: postgresql
        kind: shared-postgres
        network: host
        postgres: { version: 16, port: 5434 }
        adminPassword: { vault: secret/data/postgres/admin }
        service: { name: postgresql, provider: consul }
        databases:
          - { name: app, owner: app, password: { vault: secret/data/postgres/app } }
        baseline: [app]
        backup: { schedule: "0 0 * * *" }
        """;

    [Test]
    public void Host_networking_puts_every_docker_task_of_a_service_job_on_the_node_network()
    {
        var group = Group(RenderOne(Service, "svc.nomad.hcl"), "svc", "svc");

        Assert.Multiple(() =>
        {
            Assert.That(group.GetProperty("network")[0].GetProperty("mode").GetString(), Is.EqualTo("host"));
            Assert.That(TaskNames(group), Is.EquivalentTo(new[] { "postgres", "wait-for-postgres", "app", "db-backup" }));
            foreach (var (name, task) in Tasks(group))
            {
                Assert.That(NetworkMode(task), Is.EqualTo("host"), name);
            }
        });
    }

    [Test]
    public void Bridge_networking_leaves_the_docker_network_mode_to_the_group_namespace()
    {
        var group = Group(RenderOne(Service.Replace("network: host\n", string.Empty, StringComparison.Ordinal).Replace("  port: 5433\n", string.Empty, StringComparison.Ordinal), "svc.nomad.hcl"), "svc", "svc");

        Assert.Multiple(() =>
        {
            Assert.That(group.GetProperty("network")[0].GetProperty("mode").GetString(), Is.EqualTo("bridge"));
            foreach (var (name, task) in Tasks(group))
            {
                Assert.That(NetworkMode(task), Is.Null, name);
            }
        });
    }

    [Test]
    public void The_periodic_backup_job_runs_its_task_on_the_node_network()
    {
        var spec = Service.Replace("backup: { schedule: \"0 3 * * *\" }", "backup: { schedule: \"0 3 * * *\", placement: periodic }", StringComparison.Ordinal);
        var group = Group(RenderOne(spec, "svc-backup.nomad.hcl"), "svc-backup", "backup");

        Assert.That(Tasks(group).Select(t => NetworkMode(t.Task)), Is.EqualTo(new[] { "host" }));
    }

    [Test]
    public void The_shared_instance_can_use_host_networking()
    {
        var group = Group(RenderOne(Shared, "postgresql.nomad.hcl"), "postgresql", "postgresql");
        var tasks = Tasks(group).ToDictionary(t => t.Name, t => t.Task);
        var port = group.GetProperty("network")[0].GetProperty("port").GetProperty("db")[0];

        Assert.Multiple(() =>
        {
            Assert.That(group.GetProperty("network")[0].GetProperty("mode").GetString(), Is.EqualTo("host"));
            Assert.That(port.GetProperty("static").GetInt32(), Is.EqualTo(5434));
            Assert.That(port.TryGetProperty("to", out _), Is.False, "a host port has no mapping");
            Assert.That(tasks.Values.Select(NetworkMode), Is.All.EqualTo("host"));
            Assert.That(Strings(tasks["postgres"].GetProperty("config")[0].GetProperty("args")), Does.Contain("-p").And.Contain("5434"));
            Assert.That(tasks["init-databases"].GetProperty("env")[0].GetProperty("PGPORT").GetString(), Is.EqualTo("5434"));
        });
    }

    [Test]
    public void The_shared_instance_on_bridge_networking_maps_the_node_port_onto_5432()
    {
        var group = Group(RenderOne(Shared.Replace("network: host\n", string.Empty, StringComparison.Ordinal), "postgresql.nomad.hcl"), "postgresql", "postgresql");
        var port = group.GetProperty("network")[0].GetProperty("port").GetProperty("db")[0];
        var tasks = Tasks(group).ToDictionary(t => t.Name, t => t.Task);

        Assert.Multiple(() =>
        {
            Assert.That(port.GetProperty("static").GetInt32(), Is.EqualTo(5434));
            Assert.That(port.GetProperty("to").GetInt32(), Is.EqualTo(5432));
            Assert.That(tasks["init-databases"].GetProperty("env")[0].GetProperty("PGPORT").GetString(), Is.EqualTo("5432"));
            Assert.That(tasks.Values.Select(NetworkMode), Is.All.Null);
        });
    }

    [Test]
    public void PostgreSQL_tasks_stop_with_a_fast_shutdown_and_time_to_finish_it()
    {
        var service = Tasks(Group(RenderOne(Service, "svc.nomad.hcl"), "svc", "svc")).ToDictionary(t => t.Name, t => t.Task);
        var shared = Tasks(Group(RenderOne(Shared, "postgresql.nomad.hcl"), "postgresql", "postgresql")).ToDictionary(t => t.Name, t => t.Task);

        Assert.Multiple(() =>
        {
            foreach (var task in new[] { service["postgres"], shared["postgres"] })
            {
                Assert.That(task.GetProperty("kill_signal").GetString(), Is.EqualTo("SIGINT"));
                Assert.That(task.GetProperty("kill_timeout").GetString(), Is.EqualTo("30s"));
            }

            Assert.That(service["app"].TryGetProperty("kill_signal", out _), Is.False, "the app keeps its image's own stop signal");
        });
    }

    [Test]
    public void Groups_with_services_get_a_shutdown_delay_and_the_update_deadlines_are_in_nomads_order()
    {
        var group = Group(RenderOne(Service, "svc.nomad.hcl"), "svc", "svc");
        var update = group.GetProperty("update")[0];

        Assert.Multiple(() =>
        {
            Assert.That(group.GetProperty("shutdown_delay").GetString(), Is.EqualTo("5s"));
            Assert.That(update.GetProperty("min_healthy_time").GetString(), Is.EqualTo("30s"));
            Assert.That(update.GetProperty("healthy_deadline").GetString(), Is.EqualTo("10m"));
            Assert.That(update.GetProperty("progress_deadline").GetString(), Is.EqualTo("15m"));
        });
    }

    [Test]
    public void A_group_without_services_gets_no_shutdown_delay()
    {
        var spec = Service.Replace("  service: { port: http, provider: consul, check: { type: http, path: /health } }\n", string.Empty, StringComparison.Ordinal);
        Assert.That(spec, Is.Not.EqualTo(Service));
        var group = Group(RenderOne(spec, "svc.nomad.hcl"), "svc", "svc");

        Assert.That(group.TryGetProperty("shutdown_delay", out _), Is.False);
    }

    [Test]
    public void Spec_deadlines_are_rendered_as_given()
    {
        var spec = Service + "\nupdate: { minHealthyTime: 1m, healthyDeadline: 20m, progressDeadline: 30m }\n";
        var update = Group(RenderOne(spec, "svc.nomad.hcl"), "svc", "svc").GetProperty("update")[0];

        Assert.Multiple(() =>
        {
            Assert.That(update.GetProperty("min_healthy_time").GetString(), Is.EqualTo("1m"));
            Assert.That(update.GetProperty("healthy_deadline").GetString(), Is.EqualTo("20m"));
            Assert.That(update.GetProperty("progress_deadline").GetString(), Is.EqualTo("30m"));
        });
    }

    [Test]
    public void No_memory_max_unless_the_spec_sets_one()
    {
        var tasks = Tasks(Group(RenderOne(Service, "svc.nomad.hcl"), "svc", "svc")).ToDictionary(t => t.Name, t => t.Task);
        // A spec's own memoryMax is rendered; Nomad warns about it where oversubscription is off (README).
        var withMax = Tasks(Group(RenderOne(Service.Replace("  port: 5433\n", "  port: 5433\n  resources: { cpu: 200, memory: 256, memoryMax: 512 }\n", StringComparison.Ordinal), "svc.nomad.hcl", checkNomadRules: false), "svc", "svc"))
            .ToDictionary(t => t.Name, t => t.Task);

        Assert.Multiple(() =>
        {
            foreach (var (name, task) in tasks)
            {
                Assert.That(task.GetProperty("resources")[0].TryGetProperty("memory_max", out _), Is.False, name);
            }

            Assert.That(withMax["postgres"].GetProperty("resources")[0].GetProperty("memory_max").GetInt32(), Is.EqualTo(512));
        });
    }

    [Test]
    public void The_backup_check_service_is_named_after_its_job_and_its_task_waits_before_stopping()
    {
        var backup = Tasks(Group(RenderOne(Service, "svc.nomad.hcl"), "svc", "svc")).Single(t => t.Name == "db-backup").Task;

        Assert.Multiple(() =>
        {
            Assert.That(backup.GetProperty("service")[0].GetProperty("name").GetString(), Is.EqualTo("svc-db-backup"));
            Assert.That(backup.GetProperty("shutdown_delay").GetString(), Is.EqualTo("5s"));
        });
    }

    [Test]
    public void The_vault_change_mode_defaults_to_noop_and_can_be_set()
    {
        var defaults = Tasks(Group(RenderOne(Service, "svc.nomad.hcl"), "svc", "svc")).ToDictionary(t => t.Name, t => t.Task);
        var signal = Tasks(Group(RenderOne(Service.Replace("{ vault: secret/data/postgres/svc }", "{ vault: secret/data/postgres/svc, changeMode: signal, changeSignal: SIGHUP }", StringComparison.Ordinal), "svc.nomad.hcl"), "svc", "svc"))
            .ToDictionary(t => t.Name, t => t.Task);

        Assert.Multiple(() =>
        {
            foreach (var name in new[] { "postgres", "app", "db-backup" })
            {
                Assert.That(defaults[name].GetProperty("vault")[0].GetProperty("change_mode").GetString(), Is.EqualTo("noop"), name);
                Assert.That(signal[name].GetProperty("vault")[0].GetProperty("change_mode").GetString(), Is.EqualTo("signal"), name);
                Assert.That(signal[name].GetProperty("vault")[0].GetProperty("change_signal").GetString(), Is.EqualTo("SIGHUP"), name);
            }
        });
    }

    [TestCase("update: { healthyDeadline: 15m }", "update.healthyDeadline", "progressDeadline (15m) must be longer than healthyDeadline (15m)")]
    [TestCase("update: { progressDeadline: 10m }", "update.progressDeadline", "progressDeadline (10m) must be longer than healthyDeadline (10m)")]
    [TestCase("update: { minHealthyTime: 10m }", "update.minHealthyTime", "healthyDeadline (10m) must be longer than minHealthyTime (10m)")]
    [TestCase("update: { healthyDeadline: 20s }", "update.healthyDeadline", "healthyDeadline (20s) must be longer than minHealthyTime (30s)")]
    [TestCase("update: { minHealthyTime: 5s, healthyDeadline: 10s, progressDeadline: 20s }", "update.progressDeadline", "progressDeadline (20s) must be at least 30s")]
    public void Deadlines_out_of_nomads_order_are_an_error_at_the_value_the_spec_changed(string update, string path, string message)
    {
        var loaded = SpecLoader.LoadText($"# a comment\n{update}\n" + Service, "specs/svc.yaml");
        var errors = loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error).ToList();

        Assert.That(errors, Has.Count.EqualTo(1), string.Join('\n', errors));
        Assert.Multiple(() =>
        {
            Assert.That(errors[0].Code, Is.EqualTo(ErrorCodes.UpdateDeadlines));
            Assert.That(errors[0].Path, Is.EqualTo(path));
            // Line 2 (after the comment), at the key the spec wrote.
            Assert.That(errors[0].Location, Is.EqualTo(new SourceLocation("specs/svc.yaml", 2, update.IndexOf(path.Split('.')[1], StringComparison.Ordinal) + 1)));
            Assert.That(errors[0].Message, Does.Contain(message));
        });
    }

    [TestCase("changeMode: signal", "password.changeSignal", "needs `changeSignal`")]
    [TestCase("changeMode: signal, changeSignal: hup", "password.changeSignal", "signal name")]
    [TestCase("changeSignal: SIGHUP", "password.changeSignal", "only with changeMode signal")]
    [TestCase("changeMode: sometimes", "password.changeMode", "sometimes")]
    public void Vault_change_mode_mistakes_are_errors(string extra, string path, string message)
    {
        var spec = Service.Replace("{ vault: secret/data/postgres/svc }", $"{{ vault: secret/data/postgres/svc, {extra} }}", StringComparison.Ordinal);
        var loaded = SpecLoader.LoadText(spec, "specs/svc.yaml");
        var errors = loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error).ToList();

        Assert.That(errors, Has.Count.EqualTo(1), string.Join('\n', errors));
        Assert.That(errors[0].Path, Is.EqualTo("postgres." + path));
        Assert.That(errors[0].Message, Does.Contain(message));
    }

    [TestCase("namespace: \"team a\"", "namespace")]
    [TestCase("namespace: team_a", "namespace")]
    [TestCase("nodePool: \"pool.a\"", "nodePool")]
    public void Namespace_and_node_pool_names_are_ones_nomad_accepts(string line, string path)
    {
        var loaded = SpecLoader.LoadText(line + "\n" + Service, "specs/svc.yaml");
        var errors = loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error).ToList();

        Assert.That(errors.Select(e => (e.Code, e.Path)), Is.EqualTo(new[] { (ErrorCodes.InvalidName, path) }), string.Join('\n', errors));
    }

    [Test]
    public void A_namespace_and_node_pool_nomad_accepts_render()
    {
        var group = Group(RenderOne("namespace: team-a\nnodePool: pool_a\n" + Service, "svc.nomad.hcl"), "svc", "svc");

        Assert.That(group.GetProperty("network")[0].GetProperty("mode").GetString(), Is.EqualTo("host"));
    }

    [Test]
    public void Change_mode_applies_to_vault_secrets_only()
    {
        var spec = Service.Replace("{ vault: secret/data/postgres/svc }", "{ nomadVar: nomad/jobs/svc, changeMode: restart }", StringComparison.Ordinal);
        var loaded = SpecLoader.LoadText(spec, "specs/svc.yaml");

        Assert.That(loaded.Diagnostics.Select(d => (d.Code, d.Path)), Does.Contain((ErrorCodes.SecretReference, "postgres.password.changeMode")));
    }

    [Test]
    public void The_app_service_cannot_take_a_name_the_job_registers_for_its_backup()
    {
        var spec = Service.Replace("service: { port: http,", "service: { name: svc-db-backup, port: http,", StringComparison.Ordinal);
        var loaded = SpecLoader.LoadText(spec, "specs/svc.yaml");
        var errors = NomadDb.Validate(loaded.Jobs).Where(d => d.Severity == Severity.Error).ToList();

        Assert.That(errors.Select(e => (e.Code, e.Path)), Does.Contain((ErrorCodes.Service, "app.service.name")), string.Join('\n', errors));
    }

    [Test]
    public void Two_jobs_backup_checks_never_share_a_consul_service()
    {
        var other = Service.Replace("name: svc", "name: other", StringComparison.Ordinal).Replace("postgres/svc", "postgres/other", StringComparison.Ordinal)
            .Replace("to: 8080", "to: 8081", StringComparison.Ordinal).Replace("port: 5433", "port: 5434", StringComparison.Ordinal);
        var result = RenderAll(("svc.yaml", Service), ("other.yaml", other));
        var names = result.Select(f => Tasks(Group(Parse(f.Content), f.FileName.Split('.')[0], f.FileName.Split('.')[0])).Single(t => t.Name == "db-backup").Task
            .GetProperty("service")[0].GetProperty("name").GetString()).ToList();

        Assert.That(names, Is.EquivalentTo(new[] { "svc-db-backup", "other-db-backup" }));
    }

    private static string RenderOne(string yaml, string fileName, bool checkNomadRules = true) =>
        RenderAll(checkNomadRules, ("spec.yaml", yaml)).Single(f => f.FileName == fileName).Content;

    private static List<RenderedFile> RenderAll(params (string Name, string Yaml)[] specs) => RenderAll(true, specs);

    /// <summary>Renders the specs as one fleet; every job must pass Nomad's server rules without a warning.</summary>
    private static List<RenderedFile> RenderAll(bool checkNomadRules, params (string Name, string Yaml)[] specs)
    {
        var directory = Directory.CreateTempSubdirectory("nomad-db-runtime-");
        try
        {
            foreach (var (name, yaml) in specs)
            {
                File.WriteAllText(Path.Combine(directory.FullName, name), yaml);
            }

            var result = NomadDb.Render([directory.FullName]);
            Assert.That(result.Success, Is.True, () => string.Join('\n', result.Diagnostics));
            var files = result.Files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).ToList();
            if (checkNomadRules)
            {
                NomadConformance.AssertAccepted(files.ToDictionary(f => f.FileName, f => f.Content));
            }

            return files;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static JsonElement Parse(string hcl) => Hcl2Json.ParseText(hcl);

    private static JsonElement Group(string hcl, string job, string group) => Group(Parse(hcl), job, group);

    private static JsonElement Group(JsonElement parsed, string job, string group) =>
        parsed.GetProperty("job").GetProperty(job)[0].GetProperty("group").GetProperty(group)[0];

    private static IEnumerable<(string Name, JsonElement Task)> Tasks(JsonElement group) =>
        group.GetProperty("task").EnumerateObject().Select(p => (p.Name, p.Value[0]));

    private static List<string> TaskNames(JsonElement group) => [.. Tasks(group).Select(t => t.Name)];

    private static string? NetworkMode(JsonElement task) =>
        task.GetProperty("config")[0].TryGetProperty("network_mode", out var mode) ? mode.GetString() : null;

    private static List<string?> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString())];
}

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
/// <c>postgres.service</c>: the database registered as a service of its own (name, provider, tags, check), the one
/// source of the database's registration; a periodic backup connects through it. Every rendered job is read by the
/// HCL parser and checked against Nomad's server rules.
/// </summary>
[TestFixture]
public sealed class DatabaseServiceTests
{
    private static string Spec(string network, string postgres, string app = "", string backup = "") => $"""
        name: notes
        network: {network}
        app:
          image: example/notes:1.0
          ports: [{"{"} name: http, to: 18080 {"}"}]
        {app}
        postgres:
          password: {"{"} nomadVar: nomad/jobs/notes {"}"}
        {postgres}
        {backup}
        """;

    private static IReadOnlyList<RenderedFile> Render(string yaml)
    {
        var loaded = SpecLoader.LoadText(yaml, "specs/notes.yaml");
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        var errors = NomadDb.Validate(loaded.Jobs).Where(d => d.Severity == Severity.Error).ToList();
        Assert.That(errors, Is.Empty, string.Join('\n', errors));
        var files = JobRenderer.Default.Render(loaded.Jobs.Single().Job, "notes.yaml");
        NomadConformance.AssertAccepted(files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).ToDictionary(f => f.FileName, f => f.Content));
        return files;
    }

    private static JsonElement Group(IReadOnlyList<RenderedFile> files, string job = "notes", string group = "notes") =>
        Hcl.Block(Hcl.Block(Hcl2Json.ParseText(files.Single(f => f.FileName == $"{job}.nomad.hcl").Content), "job", job), "group", group);

    private static JsonElement Service(JsonElement group, string name) =>
        Hcl.All(group, "service").Single(s => Hcl.Attr(s, "name") == name);

    private static List<string> Strings(JsonElement body, string name) =>
        [.. body.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];

    private static List<Diagnostic> Errors(string yaml)
    {
        var loaded = SpecLoader.LoadText(yaml, "specs/notes.yaml");
        return [.. loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error)];
    }

    private static Diagnostic Single(string yaml)
    {
        var errors = Errors(yaml);
        Assert.That(errors, Has.Count.EqualTo(1), string.Join('\n', errors));
        return errors[0];
    }

    [Test]
    public void Without_the_key_the_database_is_not_registered()
    {
        var group = Group(Render(Spec("bridge", "")));
        Assert.That(Hcl.All(group, "service"), Is.Empty);
        Assert.That(Hcl.Single(group, "network").TryGetProperty("port", out var ports) && ports.TryGetProperty("db", out _), Is.False, "no db port without a registration");
    }

    [Test]
    public void On_host_networking_the_service_is_the_static_port_with_consul_tags_and_a_script_check()
    {
        var files = Render(Spec("host", """
              port: 5433
              service:
                name: notes-postgres
                provider: consul
                tags: [postgres, "traefik.enable=false"]
                check: { type: script, interval: 30s, timeout: 5s }
            """));
        var group = Group(files);
        var service = Service(group, "notes-postgres");
        Assert.That(Hcl.Attr(service, "port"), Is.EqualTo("db"));
        Assert.That(Hcl.Attr(service, "provider"), Is.EqualTo("consul"));
        Assert.That(Strings(service, "tags"), Is.EqualTo(new[] { "postgres", "traefik.enable=false" }));
        var check = Hcl.Single(service, "check");
        Assert.That(Hcl.Attr(check, "type"), Is.EqualTo("script"));
        Assert.That(Hcl.Attr(check, "task"), Is.EqualTo("postgres"), "a group service's script check names its task");
        Assert.That(Hcl.Attr(check, "command"), Is.EqualTo("pg_isready"));
        Assert.That(Strings(check, "args"), Is.EqualTo(new[] { "-q", "-p", "5433", "-U", "notes", "-d", "notes" }));
        Assert.That(Hcl.Attr(check, "interval"), Is.EqualTo("30s"));
        Assert.That(Hcl.Attr(check, "timeout"), Is.EqualTo("5s"));
        var db = Hcl.Block(Hcl.Single(group, "network"), "port", "db");
        Assert.That(Hcl.Attr(db, "static"), Is.EqualTo("5433"));
        Assert.That(db.TryGetProperty("to", out _), Is.False);
        var postgres = Hcl.Block(group, "task", "postgres");
        var args = Strings(Hcl.Single(postgres, "config"), "args");
        Assert.That(args, Does.Not.Contain("listen_addresses=127.0.0.1"), "a registered database is reached from outside the group");
        Assert.That(Strings(Hcl.Single(postgres, "config"), "ports"), Is.EqualTo(new[] { "db" }));
    }

    [Test]
    public void On_bridge_networking_the_service_is_the_mapped_port_with_a_default_tcp_check()
    {
        var group = Group(Render(Spec("bridge", """
              service: {}
            """)));
        var service = Service(group, "notes-db");
        Assert.That(Hcl.Attr(service, "provider"), Is.EqualTo("nomad"));
        Assert.That(service.TryGetProperty("tags", out _), Is.False);
        var check = Hcl.Single(service, "check");
        Assert.That(Hcl.Attr(check, "type"), Is.EqualTo("tcp"));
        Assert.That(Hcl.Attr(check, "interval"), Is.EqualTo(Defaults.CheckInterval));
        Assert.That(Hcl.Attr(check, "timeout"), Is.EqualTo(Defaults.CheckTimeout));
        Assert.That(check.TryGetProperty("task", out _), Is.False);
        var db = Hcl.Block(Hcl.Single(group, "network"), "port", "db");
        Assert.That(Hcl.Attr(db, "to"), Is.EqualTo("5432"));
        Assert.That(db.TryGetProperty("static", out _), Is.False);
        Assert.That(Strings(Hcl.Single(Hcl.Block(group, "task", "postgres"), "config"), "ports"), Is.EqualTo(new[] { "db" }));
    }

    [Test]
    public void The_provider_defaults_to_the_app_services_and_the_backup_sidecar_follows_the_group()
    {
        var group = Group(Render(Spec("bridge", "  service: { name: notes-pg }", app: """
              service: { provider: consul, check: { type: http, path: /health } }
            """, backup: "backup: {}")));
        Assert.That(Hcl.Attr(Service(group, "notes-pg"), "provider"), Is.EqualTo("consul"));
        var sidecar = Hcl.Block(group, "task", "db-backup");
        Assert.That(Hcl.Attr(Hcl.Single(sidecar, "service"), "provider"), Is.EqualTo("consul"));
    }

    [Test]
    public void A_periodic_backup_connects_through_the_given_service_and_no_second_one_is_registered()
    {
        var files = Render(Spec("bridge", """
              service: { name: notes-pg, provider: consul, tags: [primary] }
            """, backup: "backup: { placement: periodic }"));
        var group = Group(files);
        Assert.That(Hcl.All(group, "service").Select(s => Hcl.Attr(s, "name")), Is.EqualTo(new[] { "notes-pg" }));
        var backup = Hcl.Block(Group(files, "notes-backup", "backup"), "task", "backup");
        var env = Hcl.All(backup, "template").Single(t => Hcl.Attr(t, "destination") == "secrets/backup.env");
        Assert.That(Hcl.Attr(env, "data"), Does.Contain("range service \\\"notes-pg\\\"").Or.Contain("range service \"notes-pg\""));
        Assert.That(files.Single(f => f.FileName == "notes-backup.nomad.hcl").Content, Does.Contain("through the service \"notes-pg\""));
    }

    [Test]
    public void A_periodic_backup_without_the_key_keeps_the_default_registration()
    {
        var files = Render(Spec("bridge", string.Empty, backup: "backup: { placement: periodic }"));
        var service = Service(Group(files), "notes-db");
        Assert.That(Hcl.Attr(service, "provider"), Is.EqualTo("nomad"));
        Assert.That(Hcl.Attr(Hcl.Single(service, "check"), "type"), Is.EqualTo("tcp"));
    }

    [Test]
    public void The_builder_registers_the_service()
    {
        var job = NomadDbPatterns.Builder.NomadJob.Create("notes")
            .WithApp("example/notes:1.0", a => a.WithPort("http", 18080))
            .WithPostgres(p => p.WithService(tags: ["db"]))
            .Build();
        var service = job.Postgres!.Service!;
        Assert.That((service.Name, service.Provider, service.Check.Type), Is.EqualTo(("notes-db", ServiceProvider.Nomad, CheckType.Tcp)));
        Assert.That(service.Tags, Is.EqualTo(new[] { "db" }));
        Assert.That(job.DatabaseService(), Is.SameAs(service));
    }

    [Test]
    public void A_script_check_with_provider_nomad_is_refused_as_Nomad_would()
    {
        var error = Single(Spec("bridge", """
              service:
                check: { type: script }
            """));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.Service));
        Assert.That(error.Path, Is.EqualTo("postgres.service.check.type"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation("specs/notes.yaml", 10, 14)));
        Assert.That(error.Message, Does.Contain("needs provider consul"));
    }

    [Test]
    public void An_http_check_type_is_refused_at_its_key()
    {
        var error = Single(Spec("bridge", """
              service:
                check:
                  type: http
            """));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.InvalidValue));
        Assert.That(error.Path, Is.EqualTo("postgres.service.check.type"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation("specs/notes.yaml", 11, 7)));
        Assert.That(error.Message, Does.Contain("tcp, script"));
    }

    [TestCase("name: notes_db", "postgres.service.name", ErrorCodes.InvalidName, "RFC 1123", 10)]
    [TestCase("name: -notes", "postgres.service.name", ErrorCodes.InvalidName, "RFC 1123", 10)]
    [TestCase("check: { interval: 500ms }", "postgres.service.check.interval", ErrorCodes.InvalidValue, "at least 1s", 10)]
    [TestCase("check: { timeout: soon }", "postgres.service.check.timeout", ErrorCodes.InvalidValue, "at least 1s", 10)]
    [TestCase("check: { path: /health }", "postgres.service.check.path", ErrorCodes.UnknownKey, "unknown key", 10)]
    [TestCase("provider: etcd", "postgres.service.provider", ErrorCodes.InvalidValue, "nomad, consul", 10)]
    [TestCase("tags: [\"\"]", "postgres.service.tags[0]", ErrorCodes.InvalidValue, "empty", 10)]
    [TestCase("port: db", "postgres.service.port", ErrorCodes.UnknownKey, "unknown key", 10)]
    public void Bad_service_keys_are_reported_at_their_position(string line, string path, string code, string message, int lineNumber)
    {
        var error = Single(Spec("bridge", $"  service:\n    {line}"));
        Assert.That(error.Code, Is.EqualTo(code));
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error.Location!.File, Is.EqualTo("specs/notes.yaml"));
        Assert.That(error.Location.Line, Is.EqualTo(lineNumber));
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void A_credential_in_a_tag_is_refused_without_echoing_it()
    {
        var error = Single(Spec("bridge", "  service:\n    tags: [\"password=hunter2-secret\"]"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.LiteralPassword));
        Assert.That(error.Path, Is.EqualTo("postgres.service.tags[0]"));
        Assert.That(error.ToString(), Does.Not.Contain("hunter2"));
    }

    [Test]
    public void The_provider_must_match_the_app_services()
    {
        var error = Single(Spec("bridge", "  service: { provider: consul }", app: "  service: { provider: nomad, check: { type: tcp } }"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.Service));
        Assert.That(error.Path, Is.EqualTo("postgres.service.provider"));
        Assert.That(error.Location!.Line, Is.EqualTo(9));
        Assert.That(error.Message, Does.Contain("one provider"));
    }

    [Test]
    public void The_name_must_differ_from_the_apps_and_the_backup_checks()
    {
        var app = Single(Spec("bridge", "  service: { name: notes }", app: "  service: { name: notes }"));
        Assert.That((app.Code, app.Path), Is.EqualTo((ErrorCodes.Service, "app.service.name")));
        var backup = Single(Spec("bridge", "  service: { name: notes-db-backup, provider: consul }", backup: "backup: {}"));
        Assert.That((backup.Code, backup.Path), Is.EqualTo((ErrorCodes.Service, "postgres.service.name")));
        Assert.That(backup.Location!.Line, Is.EqualTo(9));
    }

    [Test]
    public void The_shared_instance_refuses_the_key()
    {
        var loaded = SpecLoader.LoadText("""
            name: postgresql
            kind: shared-postgres
            adminPassword: { nomadVar: nomad/jobs/postgresql }
            postgres:
              service: { name: pg }
            databases: []
            """, "specs/shared.yaml");
        var error = loaded.Diagnostics.Single(d => d.Severity == Severity.Error);
        Assert.That(error.Path, Is.EqualTo("postgres.service"));
        Assert.That(error.Location!.Line, Is.EqualTo(5));
        Assert.That(error.Message, Does.Contain("`service:`"));
    }

    [Test]
    public void Service_names_are_unique_across_the_fleet_per_namespace()
    {
        static LoadedJob Load(string yaml, string file) => SpecLoader.LoadText(yaml, file).Jobs.Single();
        var first = Load(Spec("bridge", "  service: { name: shared-db }"), "specs/a.yaml");
        var second = Load(Spec("bridge", "  service: { name: shared-db }").Replace("name: notes", "name: other").Replace("nomad/jobs/notes", "nomad/jobs/other"), "specs/b.yaml");
        var clash = FleetValidator.Validate([first, second]).Single(d => d.Code == ErrorCodes.DuplicateService);
        Assert.That(clash.Path, Is.EqualTo("postgres.service.name"));
        Assert.That(clash.Location, Is.EqualTo(new SourceLocation("specs/b.yaml", 9, 14)));
        Assert.That(clash.Message, Does.Contain("shared-db"));

        var elsewhere = Load(Spec("bridge", "  service: { name: shared-db }").Replace("name: notes", "name: other\nnamespace: lab").Replace("nomad/jobs/notes", "nomad/jobs/other"), "specs/c.yaml");
        Assert.That(FleetValidator.Validate([first, elsewhere]).Where(d => d.Code == ErrorCodes.DuplicateService), Is.Empty);

        // An explicit name may not take the default one another job's periodic backup registers.
        var periodic = Load(Spec("bridge", string.Empty, backup: "backup: { placement: periodic }").Replace("name: notes", "name: other").Replace("nomad/jobs/notes", "nomad/jobs/other"), "specs/d.yaml");
        var taken = Load(Spec("bridge", "  service: { name: other-db }"), "specs/e.yaml");
        Assert.That(FleetValidator.Validate([periodic, taken]).Single(d => d.Code == ErrorCodes.DuplicateService).Path, Is.EqualTo("postgres.service.name"));
    }

    [Test]
    public void A_model_built_in_CSharp_is_held_to_the_same_rules()
    {
        // A script check with Nomad's provider (ServiceCheck.validateNomad: http and tcp only).
        var script = Assert.Throws<NomadDbPatterns.Builder.JobValidationException>(() => NomadDbPatterns.Builder.NomadJob.Create("notes")
            .WithApp("example/notes:1.0", a => a.WithPort("http", 18080))
            .WithPostgres(p => p.WithService(scriptCheck: true))
            .Build())!;
        Assert.That(script.Diagnostics.Select(d => (d.Code, d.Path)), Does.Contain((ErrorCodes.Service, "postgres.service.check.type")));

        var job = NomadDbPatterns.Builder.NomadJob.Create("notes")
            .WithApp("example/notes:1.0", a => a.WithPort("http", 18080).WithTcpService("notes", "http"))
            .WithPostgres(p => p.WithService(provider: ServiceProvider.Nomad))
            .Build();

        // The app's check cannot be a script; the database's cannot be http.
        var appScript = job with { App = job.App with { Service = job.App.Service! with { Check = new HealthCheck(CheckType.Script, null) } } };
        Assert.That(NomadDb.Validate([appScript]).Select(d => (d.Code, d.Path)), Does.Contain((ErrorCodes.Service, "app.service.check.type")));
        var dbHttp = job with { Postgres = job.Postgres! with { Service = job.Postgres.Service! with { Check = new HealthCheck(CheckType.Http, "/") } } };
        Assert.That(NomadDb.Validate([dbHttp]).Select(d => (d.Code, d.Path)), Is.SupersetOf(new[] { (ErrorCodes.Service, "postgres.service.check.type"), (ErrorCodes.Service, "postgres.service.check.path") }));
    }
}

using System.Text.Json;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Secrets;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.HclSyntax;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// <c>app.secrets</c>: variable → secret reference, rendered into <c>secrets/secrets.env</c> (<c>env = true</c>) or a
/// file under <c>secrets/</c>; never a value. Every rendered job is read by the HCL parser and Nomad's server rules.
/// </summary>
[TestFixture]
public sealed class AppSecretsTests
{
    private static string Spec(string secrets, string app = "", string password = "{ nomadVar: nomad/jobs/notes }") => $"""
        name: notes
        app:
          image: example/notes:1.0
          ports: [{"{"} name: http, to: 18080 {"}"}]
          database:
            env: {"{"} DB_PASSWORD: "{"{"}password{"}"}" {"}"}
        {app}
          secrets:
        {secrets}
        postgres:
          password: {password}
        """;

    private const string Both = """
            APP_KEY: { nomadVar: nomad/jobs/notes, key: app_key }
            SMTP_PASSWORD_FILE: { vault: secret/data/notes/smtp, key: password, file: secrets/smtp-password }
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

    private static JsonElement App(IReadOnlyList<RenderedFile> files) =>
        Hcl.Block(Hcl.Block(Hcl.Block(Hcl2Json.ParseText(files.Single(f => f.FileName == "notes.nomad.hcl").Content), "job", "notes"), "group", "notes"), "task", "app");

    private static string Data(JsonElement task, string destination) =>
        HclRead.Literal(Hcl.All(task, "template").Single(t => Hcl.Attr(t, "destination") == destination).GetProperty("data"))!;

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
    public void Env_secrets_go_into_an_env_file_and_file_secrets_into_their_files()
    {
        var files = Render(Spec(Both));
        var app = App(files);
        var env = Hcl.All(app, "template").Single(t => Hcl.Attr(t, "destination") == JobFacts.SecretsEnvFile);
        Assert.That(env.GetProperty("env").GetBoolean(), Is.True);
        Assert.That(Hcl.Attr(env, "change_mode"), Is.EqualTo("restart"));
        Assert.That(Data(app, JobFacts.SecretsEnvFile), Is.EqualTo("{{ with nomadVar \"nomad/jobs/notes\" }}APP_KEY={{ print .app_key | toJSON }}{{ end }}\n"));
        Assert.That(Data(app, "secrets/smtp-password"), Is.EqualTo("{{ with secret \"secret/data/notes/smtp\" }}{{ .Data.data.password }}{{ end }}\n"));
        Assert.That(Hcl.Single(app, "env").GetProperty("SMTP_PASSWORD_FILE").ToString(), Does.Contain("/secrets/smtp-password"));
        Assert.That(Hcl.Attr(Hcl.Single(app, "vault"), "change_mode"), Is.EqualTo("noop"), "a Vault secret gives the app its vault block");
        var job = SpecLoader.LoadText(Spec(Both), "specs/notes.yaml").Jobs.Single().Job;
        var policy = JobRenderer.Default.RenderVolumesAndPolicies(job, "notes.yaml").Single(f => f.FileName == PolicyFiles.VaultPolicyFileName("notes"));
        Assert.That(policy.Content, Does.Contain("path \"secret/data/notes/smtp\""));
    }

    [Test]
    public void The_secrets_are_listed_by_path_and_key()
    {
        var job = SpecLoader.LoadText(Spec(Both), "specs/notes.yaml").Jobs.Single().Job;
        var secrets = JobSecrets.Of(job);
        Assert.That(secrets.Select(s => (s.Store, s.Path, s.Key)), Is.EqualTo(new (SecretStore, string, string?)[]
        {
            (SecretStore.NomadVariable, "nomad/jobs/notes", "db_password"),
            (SecretStore.NomadVariable, "nomad/jobs/notes", "app_key"),
            (SecretStore.Vault, "secret/data/notes/smtp", "password"),
        }));
        Assert.That(secrets[2].Purpose, Does.Contain("SMTP_PASSWORD_FILE").And.Contain("secrets/smtp-password"));
    }

    [Test]
    public void The_builder_adds_secrets()
    {
        var job = NomadDbPatterns.Builder.NomadJob.Create("notes")
            .WithApp("example/notes:1.0", a => a.WithPort("http", 18080).WithSecret("APP_KEY", new NomadVariableSecret("nomad/jobs/notes", "app_key")))
            .Build();
        Assert.That(job.App.Secrets.Single().Name, Is.EqualTo("APP_KEY"));
    }

    [Test]
    public void A_literal_secret_is_refused_without_echoing_it()
    {
        var error = Single(Spec("    APP_KEY: base64:c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw=="));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.LiteralPassword));
        Assert.That(error.Path, Is.EqualTo("app.secrets.APP_KEY"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation("specs/notes.yaml", 9, 5)));
        Assert.That(error.ToString(), Does.Not.Contain("c2VjcmV0"));
    }

    [Test]
    public void A_credential_in_the_key_is_refused_without_echoing_it()
    {
        var error = Single(Spec("    APP_KEY: { nomadVar: nomad/jobs/notes, key: ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 }"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.LiteralPassword));
        Assert.That(error.Path, Is.EqualTo("app.secrets.APP_KEY.key"));
        Assert.That(error.ToString(), Does.Not.Contain("aBcDeFg"));
    }

    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/notes }", "app.secrets.APP_KEY", ErrorCodes.Required, "`key`")]
    [TestCase("    APP_KEY: { key: app_key }", "app.secrets.APP_KEY", ErrorCodes.SecretReference, "`nomadVar` or `vault`")]
    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/notes, vault: secret/data/x, key: k }", "app.secrets.APP_KEY", ErrorCodes.SecretReference, "not both")]
    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/other, key: app_key }", "app.secrets.APP_KEY.nomadVar", ErrorCodes.SecretReference, "nomad/jobs/notes")]
    [TestCase("    APP_KEY: { vault: secret/notes, key: app_key }", "app.secrets.APP_KEY.vault", ErrorCodes.SecretReference, "KV v2")]
    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/notes, key: \"app key\" }", "app.secrets.APP_KEY.key", ErrorCodes.SecretReference, "letters, digits")]
    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/notes, key: k, role: r }", "app.secrets.APP_KEY.role", ErrorCodes.SecretReference, "Vault secrets only")]
    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/notes, key: k, file: local/key }", "app.secrets.APP_KEY.file", ErrorCodes.InvalidValue, "under secrets/")]
    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/notes, key: k, file: secrets/../x }", "app.secrets.APP_KEY.file", ErrorCodes.InvalidValue, "under secrets/")]
    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/notes, key: k, file: secrets/db.env }", "app.secrets.APP_KEY.file", ErrorCodes.InvalidValue, "already renders")]
    [TestCase("    APP_KEY: { nomadVar: nomad/jobs/notes, key: k, fiel: secrets/x }", "app.secrets.APP_KEY.fiel", ErrorCodes.UnknownKey, "did you mean 'file'")]
    [TestCase("    1APP: { nomadVar: nomad/jobs/notes, key: k }", "app.secrets.1APP", ErrorCodes.InvalidName, "environment variable name")]
    [TestCase("    DB_PASSWORD: { nomadVar: nomad/jobs/notes, key: k }", "app.secrets.DB_PASSWORD", ErrorCodes.InvalidValue, "both as a secret")]
    public void Bad_secrets_are_reported_at_their_position(string secrets, string path, string code, string message)
    {
        var error = Single(Spec(secrets));
        Assert.That(error.Code, Is.EqualTo(code));
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error.Location!.File, Is.EqualTo("specs/notes.yaml"));
        Assert.That(error.Location.Line, Is.EqualTo(9));
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void A_template_may_not_take_the_env_files_destination()
    {
        var error = Single(Spec("    APP_KEY: { nomadVar: nomad/jobs/notes, key: k }", app: "  templates: [{ destination: secrets/secrets.env, data: \"X=1\" }]"));
        Assert.That((error.Code, error.Path), Is.EqualTo((ErrorCodes.InvalidValue, "app.secrets")));
    }

    [Test]
    public void The_vault_secrets_of_the_app_share_one_role_and_change_mode()
    {
        var role = Single(Spec(
            "    SMTP: { vault: secret/data/notes/smtp, key: password, role: mail }",
            password: "{ vault: secret/data/postgres/notes, role: db }"));
        Assert.That((role.Code, role.Path), Is.EqualTo((ErrorCodes.SecretReference, "app.secrets.SMTP.role")));
        var mode = Single(Spec(
            "    A: { vault: secret/data/notes/a, key: k }\n    B: { vault: secret/data/notes/b, key: k, changeMode: restart }"));
        Assert.That((mode.Code, mode.Path), Is.EqualTo((ErrorCodes.SecretReference, "app.secrets.B.changeMode")));
        Assert.That(mode.Location!.Line, Is.EqualTo(10));
    }

    [Test]
    public void A_presets_secret_is_moved_to_Vault_by_overriding_its_entry()
    {
        var files = Render("""
            name: notes
            preset: speedtest-tracker
            app:
              secrets:
                FILE__APP_KEY: { nomadVar: ~, vault: secret/data/apps/notes }
            postgres:
              password: { nomadVar: nomad/jobs/notes }
            """);
        var app = App(files);
        Assert.That(Data(app, "secrets/speedtest-tracker-app-key"), Is.EqualTo("{{ with secret \"secret/data/apps/notes\" }}{{ .Data.data.app_key }}{{ end }}\n"));
        Assert.That(Hcl.Single(app, "env").GetProperty("FILE__APP_KEY").ToString(), Does.Contain("/secrets/speedtest-tracker-app-key"));
        Assert.That(app.TryGetProperty("vault", out _), Is.True);
    }
}

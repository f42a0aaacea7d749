using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Tasks;

/// <summary>`secrets:` on an extra task: rendered into the task like the app's, checked by the same rules, listed by `secrets check`.</summary>
[TestFixture]
public sealed class TaskSecretsTests
{
    private const string File = "specs/svc.yaml";

    private static string Spec(string secrets) => $$"""
        name: svc
        app:
          image: example/app:1.0
          ports: [{ name: http, to: 8080 }]
        tasks:
          - name: worker
            image: example/worker:1.0
            env: { QUEUE: jobs }
            secrets:
        {{secrets}}
        postgres:
          password: { nomadVar: nomad/jobs/svc }
        """;

    private const string Good = """
              API_TOKEN: { nomadVar: nomad/jobs/svc, key: worker_token }
              SMTP_PASSWORD_FILE: { vault: secret/data/apps/svc, key: smtp, file: secrets/smtp-password }
        """;

    private static (SpecLoadResult Loaded, List<Diagnostic> Errors) Load(string secrets)
    {
        var loaded = SpecLoader.LoadText(Spec(secrets), File);
        return (loaded, [.. loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error)]);
    }

    [Test]
    public void A_tasks_secrets_render_into_that_task_and_nomad_accepts_the_job()
    {
        var (loaded, errors) = Load(Good);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        var hcl = NomadDbPatterns.Rendering.JobRenderer.Default.Render(loaded.Jobs.Single().Job, File).Single().Content;

        var root = Hcl2Json.ParseText(hcl);
        var worker = Hcl.Block(Hcl.Block(Hcl.Block(root, "job", "svc"), "group", "svc"), "task", "worker");
        var templates = Hcl.All(worker, "template").ToDictionary(t => Hcl.Attr(t, "destination")!, t => Hcl.Attr(t, "data")!);
        Assert.That(templates["secrets/secrets.env"], Does.Contain("{{ with nomadVar \"nomad/jobs/svc\" }}API_TOKEN={{ print .worker_token | toJSON }}{{ end }}"));
        Assert.That(templates["secrets/smtp-password"], Does.Contain("{{ with secret \"secret/data/apps/svc\" }}{{ .Data.data.smtp }}{{ end }}"));
        Assert.That(Hcl.Single(worker, "env").GetProperty("SMTP_PASSWORD_FILE").GetString(), Is.EqualTo("/secrets/smtp-password"));
        Assert.That(worker.TryGetProperty("vault", out _), Is.True, "a Vault secret gives the task its vault block");
        var app = Hcl.Block(Hcl.Block(Hcl.Block(root, "job", "svc"), "group", "svc"), "task", "app");
        Assert.That(Hcl.All(app, "template").Select(t => Hcl.Attr(t, "destination")), Has.None.EqualTo("secrets/secrets.env"), "only the task that reads them");
        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["svc.nomad.hcl"] = hcl });
        Assert.That(NomadDbPatterns.Secrets.JobSecrets.Of(loaded.Jobs.Single().Job).Select(s => s.Purpose), Has.Some.Contains("the worker task's API_TOKEN (tasks[worker].secrets)"));
    }

    [TestCase("      API_TOKEN: hunter2-literal\n", ErrorCodes.LiteralPassword, "tasks[0].secrets.API_TOKEN", 10)]
    [TestCase("      QUEUE: { nomadVar: nomad/jobs/svc, key: queue }\n", ErrorCodes.InvalidValue, "tasks[0].secrets.QUEUE", 10)]
    [TestCase("      API_TOKEN: { nomadVar: nomad/jobs/other, key: token }\n", ErrorCodes.SecretReference, "tasks[0].secrets.API_TOKEN.nomadVar", 10)]
    [TestCase("      API_TOKEN: { nomadVar: nomad/jobs/svc, key: token, file: local/token }\n", ErrorCodes.InvalidValue, "tasks[0].secrets.API_TOKEN.file", 10)]
    public void A_bad_task_secret_is_reported_where_it_is_written(string secrets, string code, string path, int line)
    {
        var (_, errors) = Load(secrets);

        var error = errors.First(e => e.Code == code);
        Assert.That((error.Path, error.Location?.File, error.Location?.Line), Is.EqualTo((path, File, line)), string.Join("\n", errors));
        Assert.That(string.Join("\n", errors), Does.Not.Contain("hunter2"));
    }
}

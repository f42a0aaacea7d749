using System.Text.Json;
using System.Text.RegularExpressions;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>
/// A spec overrides a preset key by key: <c>~</c> removes a key (it is not rendered at all, not rendered empty), a
/// check can change its type, path and interval, and mistakes still point at the user's file, line and column.
/// </summary>
[TestFixture]
public sealed class PresetOverrideTests
{
    private static string Spec(string preset, string overrides) =>
        $"name: {preset}\npreset: {preset}\n{overrides}" + (overrides.Contains("postgres:", StringComparison.Ordinal) ? string.Empty : $"postgres:\n  password: {{ nomadVar: nomad/jobs/{preset} }}\n");

    private static (Model.ServiceJob Job, string Hcl) Render(string yaml)
    {
        var loaded = SpecLoader.LoadText(yaml, "spec.yaml");
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        Assert.That(NomadDb.Validate(loaded.Jobs), Is.Empty, string.Join('\n', NomadDb.Validate(loaded.Jobs)));
        var job = loaded.Jobs.Single().Job;
        return (job, JobRenderer.Default.Render(job, "spec.yaml").Single().Content);
    }

    private static JsonElement AppTask(JsonElement parsed, Model.ServiceJob job) =>
        Hcl.Block(Hcl.Block(Hcl.Block(parsed, "job", job.Name), "group", job.Name), "task", job.App.Name);

    private static JsonElement Group(JsonElement parsed, Model.ServiceJob job) =>
        Hcl.Block(Hcl.Block(parsed, "job", job.Name), "group", job.Name);

    private static string DbEnvFile(JsonElement app) =>
        Hcl.Attr(Hcl.All(app, "template").Single(t => Hcl.Attr(t, "destination") == "secrets/db.env"), "data")!;

    [Test]
    public void A_null_removes_preset_variables_settings_and_blocks_instead_of_rendering_them_empty()
    {
        var cases = new Dictionary<string, string>
        {
            ["env"] = Spec("freshrss", "app:\n  env:\n    CRON_MIN: ~\n"),
            ["db-env"] = Spec("gitea", "app:\n  database:\n    env:\n      GITEA__database__SSL_MODE: null\n"),
            ["setting"] = Spec("nextcloud", "postgres:\n  shmSize:\n  password: { nomadVar: nomad/jobs/nextcloud }\n"),
            ["service"] = Spec("vaultwarden", "app:\n  service: ~\n"),
        };
        var rendered = cases.ToDictionary(c => c.Key, c => Render(c.Value));
        var parsed = Hcl2Json.ParseTexts(rendered.ToDictionary(r => r.Key, r => r.Value.Hcl));

        var freshrss = AppTask(parsed["env"], rendered["env"].Job);
        Assert.That(freshrss.TryGetProperty("env", out _), Is.False, "CRON_MIN was the preset's only plain variable: no env block at all");
        Assert.That(rendered["env"].Hcl, Does.Not.Contain("CRON_MIN"));

        var gitea = DbEnvFile(AppTask(parsed["db-env"], rendered["db-env"].Job));
        Assert.That(gitea, Does.Not.Contain("SSL_MODE"));
        Assert.That(gitea, Does.Contain("GITEA__database__HOST="), "the other variables stay");

        Assert.That(rendered["setting"].Hcl, Does.Not.Contain("shm_size"));
        Assert.That(rendered["setting"].Job.Postgres!.Resources.Memory, Is.EqualTo(512), "the preset's other postgres keys stay");

        Assert.That(Hcl.All(Group(parsed["service"], rendered["service"].Job), "service"), Is.Empty);

        NomadSchema.NomadConformance.AssertAccepted(rendered.ToDictionary(r => $"{r.Key}.nomad.hcl", r => r.Value.Hcl));
    }

    [TestCase("vaultwarden", "check: { type: tcp }", "tcp", null, "10s", TestName = "http to tcp drops the preset's path and keeps its interval")]
    [TestCase("vaultwarden", "check: { type: tcp, path: ~, interval: 30s }", "tcp", null, "30s", TestName = "An explicit null path and a new interval")]
    [TestCase("nextcloud", "check: { type: http, path: /status.php }", "http", "/status.php", "30s", TestName = "tcp to http with a path keeps the preset's interval")]
    [TestCase("gitea", "check: { path: /api/v1/version }", "http", "/api/v1/version", "10s", TestName = "Only the path")]
    public void A_preset_check_can_be_overridden(string preset, string check, string type, string? path, string interval)
    {
        var (job, hcl) = Render(Spec(preset, $"app:\n  service:\n    {check}\n"));
        var parsed = Hcl2Json.ParseText(hcl);

        var service = Hcl.All(Group(parsed, job), "service").Single();
        var rendered = Hcl.Single(service, "check");
        Assert.That(Hcl.Attr(rendered, "type"), Is.EqualTo(type));
        Assert.That(Hcl.Attr(rendered, "path"), Is.EqualTo(path));
        Assert.That(Hcl.Attr(rendered, "interval"), Is.EqualTo(interval));
        NomadSchema.NomadConformance.AssertAccepted(new Dictionary<string, string> { [$"{preset}.nomad.hcl"] = hcl });
    }

    [Test]
    public void An_unknown_key_over_a_preset_is_still_an_error_in_the_users_file()
    {
        var loaded = SpecLoader.LoadText("name: vw\npreset: vaultwarden\napp:\n  service:\n    check: { typ: tcp }\npostgres:\n  password: { nomadVar: nomad/jobs/vw }\n", "spec.yaml");

        var error = loaded.Diagnostics.Single();
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.UnknownKey));
        Assert.That(error.ToString(), Does.StartWith("spec.yaml:5:14: error NDB003: unknown key 'typ' (did you mean 'type'?)").And.Contain("(app.service.check.typ)"));
    }

    [Test]
    public void A_null_for_a_variable_the_preset_does_not_set_is_an_error_that_says_so()
    {
        var loaded = SpecLoader.LoadText("name: rss\npreset: freshrss\napp:\n  env:\n    CRON_MINUTES: ~\npostgres:\n  password: { nomadVar: nomad/jobs/rss }\n", "spec.yaml");

        var error = loaded.Diagnostics.Single();
        Assert.That(error.ToString(), Does.StartWith("spec.yaml:5:19: error NDB004:").And.Contain("only removes a key that the preset sets").And.Contain("(app.env.CRON_MINUTES)"));
    }

    [Test]
    public void A_null_removes_a_whole_list_of_the_preset()
    {
        var (job, hcl) = Render(Spec("speedtest-tracker", "app:\n  volumes: ~\n  secrets: ~\n"));

        Assert.That(job.App.Volumes, Is.Empty);
        Assert.That(job.App.Secrets, Is.Empty, "a null removes a whole mapping too");
        Assert.That(hcl, Does.Not.Contain("app_key").And.Not.Contain("FILE__APP_KEY").And.Not.Contain("volume \"config\""));
    }

    /// <summary>
    /// The secrets a preset declares are exactly the keys its rendered job reads from Nomad variables (besides the
    /// database password), so that <c>explain preset</c> and <c>init</c> never miss one.
    /// </summary>
    [TestCaseSource(typeof(PresetCatalog), nameof(PresetCatalog.Names))]
    public void A_preset_declares_every_secret_its_job_reads(string preset)
    {
        var info = PresetCatalog.Describe(preset)!;
        Assert.That(info.Name, Is.EqualTo(preset));
        Assert.That(info.Database, Is.AnyOf("postgres", "sqlite"));
        var yaml = $"name: {preset}\npreset: {preset}\n" + (info.UsesPostgres ? $"postgres:\n  password: {{ nomadVar: nomad/jobs/{preset} }}\n" : string.Empty);
        var (_, hcl) = Render(yaml);

        // Every template of every task that reads the job's own variable, and the fields it reads there.
        var parsed = Hcl2Json.ParseText(hcl);
        var variable = $"nomadVar \"nomad/jobs/{preset}\"";
        var data = Hcl.Block(Hcl.Block(parsed, "job", preset), "group", preset).GetProperty("task").EnumerateObject()
            .SelectMany(task => Hcl.All(task.Value[0], "template"))
            .Select(template => Hcl.Attr(template, "data")!)
            .Where(text => text.Contains(variable, StringComparison.Ordinal))
            .ToList();
        Assert.That(data, Has.None.Contains("index ."), "keys read with index would escape this check");
        var read = data.SelectMany(text => Regex.Matches(text, @"(?<=[\s(])\.([A-Za-z_]\w*)").Select(m => m.Groups[1].Value)).ToHashSet();
        Assert.That(read, Is.EquivalentTo(info.AllSecrets.Select(s => s.Key)), string.Join('\n', data));
        Assert.That(info.AllSecrets.Select(s => s.Key), Is.Unique);
        Assert.That(info.AllSecrets.All(s => s.Description.Length > 0 && s.Generate.Length > 0), Is.True);
    }
}

using System.Text.RegularExpressions;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>Every preset renders a working job (snapshot-pinned, parsed by the real HCL parser) and cites its sources.</summary>
[TestFixture]
public sealed class PresetTests
{
    private static IEnumerable<string> Presets() => PresetCatalog.Names;

    private static LoadedJob Load(string preset)
    {
        var usesPostgres = PresetCatalog.Text(preset)!.Contains("database: postgres", StringComparison.Ordinal);
        var yaml = $"name: {preset}\npreset: {preset}\n" + (usesPostgres ? $"postgres:\n  password:\n    nomadVar: nomad/jobs/{preset}\n" : string.Empty);
        var loaded = SpecLoader.LoadText(yaml, $"preset-{preset}.yaml");
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
        Assert.That(NomadDb.Validate(loaded.Jobs), Is.Empty);
        return loaded.Jobs.Single();
    }

    [Test]
    public void There_are_presets_for_every_service_the_guide_names() =>
        Assert.That(PresetCatalog.Names, Is.SupersetOf(new[] { "authelia", "freshrss", "gitea", "grafana", "speedtest-tracker", "vaultwarden", "nextcloud", "uptime-kuma" }));

    [TestCaseSource(nameof(Presets))]
    public void Preset_renders_and_matches_its_snapshot(string preset)
    {
        var job = Load(preset);
        var file = JobRenderer.Default.Render(job.Job, $"preset-{preset}.yaml").Single();
        Snapshot.Verify($"preset-{preset}.nomad", file.Content);
        var parsed = Hcl2Json.ParseText(file.Content);
        ExampleTests.AssertServiceJobReadsBack(job.Job, parsed);
        Assert.That(NomadSchema.JobspecSchema.Load().Validate(parsed).Select(v => v.ToString()), Is.Empty, "every block and attribute is one Nomad accepts");
    }

    /// <summary>Every preset's job is one Nomad v2.0.5 accepts without an error or a warning (NOMAD-RULES.md); all
    /// presets are parsed in one hcl2json run.</summary>
    [Test]
    public void Every_preset_passes_nomad_server_rules_without_warnings()
    {
        var jobs = Presets().ToDictionary(
            preset => $"preset-{preset}.nomad.hcl",
            preset => JobRenderer.Default.Render(Load(preset).Job, $"preset-{preset}.yaml").Single().Content);

        NomadSchema.NomadConformance.AssertAccepted(jobs);
    }

    [TestCaseSource(nameof(Presets))]
    public void Preset_database_settings_reach_the_app_env_file(string preset)
    {
        var job = Load(preset).Job;
        if (job.App.Database is not { } wiring)
        {
            Assert.That(job.Sqlite, Is.Not.Null, "a preset without database wiring must be a SQLite service");
            return;
        }

        var parsed = Hcl2Json.ParseText(JobRenderer.Default.Render(job, "p.yaml").Single().Content);
        var app = Hcl.Block(Hcl.Block(Hcl.Block(parsed, "job", preset), "group", preset), "task", job.App.Name);
        var envFile = Hcl.All(app, "template").Single(t => Hcl.Attr(t, "destination") == "secrets/db.env");
        var data = Hcl.Attr(envFile, "data")!;
        var names = data.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => Regex.Match(line, @"^(?:\{\{[^}]*\}\})?([A-Za-z_][A-Za-z0-9_]*)=").Groups[1].Value)
            .ToList();
        Assert.That(names, Is.EqualTo(wiring.Env.Select(e => e.Name).ToList()));
        Assert.That(data, Does.Not.Contain("{password}").And.Not.Contain("{host}"), "placeholders are resolved");
    }

    [TestCaseSource(nameof(Presets))]
    public void Preset_cites_sources_for_its_database_settings(string preset)
    {
        var lines = PresetCatalog.Text(preset)!.Split('\n');
        var start = Array.FindIndex(lines, l => l == "  database:");
        if (start < 0)
        {
            Assert.That(PresetCatalog.Text(preset), Does.Contain("database: sqlite"));
            return;
        }

        var section = lines.Skip(start + 1).TakeWhile(l => l.Length == 0 || l.StartsWith("    ", StringComparison.Ordinal)).ToList();
        var comments = section.Where(l => l.Contains('#', StringComparison.Ordinal)).ToList();
        Assert.That(comments.Any(c => c.Contains("http", StringComparison.Ordinal) || Regex.IsMatch(c, @"[\w.-]+/[\w.-]+[@:]")), Is.True,
            $"the database settings of preset {preset} need a source reference (repo@ref:path or URL) in a comment");
    }
}

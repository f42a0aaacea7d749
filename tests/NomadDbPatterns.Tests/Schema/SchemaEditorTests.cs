using System.Text.RegularExpressions;
using NomadDbPatterns.Cli;
using NomadDbPatterns.Cli.Commands;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Schema;

/// <summary>
/// What an editor shows with the schemas: a real yaml-language-server (one per fixture) finds nothing wrong in the
/// examples, the presets and what <c>nomad-db init</c> writes, offers the words nomad-db takes where a key takes words,
/// and names a misspelt key as such.
/// </summary>
[TestFixture]
public sealed partial class SchemaEditorTests
{
    private YamlLanguageServer _server = null!;

    [OneTimeSetUp]
    public void StartTheEditor() => _server = YamlLanguageServer.Start();

    [OneTimeTearDown]
    public void StopTheEditor() => _server.Dispose();

    private static IEnumerable<string> Examples() =>
        SpecLoader.ExpandInputs([RepoPaths.Examples]).Select(f => Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'));

    /// <summary>The schema kind of an example, as nomad-db reads it: the defaults file by name, the shared instance by its kind.</summary>
    private static string KindOf(string file)
    {
        if (FleetDefaults.IsDefaultsFile(file))
        {
            return "defaults";
        }

        var loaded = SpecLoader.LoadText(File.ReadAllText(file), file);
        return loaded.SharedInstances.Count > 0 ? "shared-postgres" : "service";
    }

    private static string SchemaUri(string kind) => YamlLanguageServer.UriOf(RepoPaths.Combine("examples", SpecSchema.Kind(kind).FileName));

    private static IEnumerable<string> Kinds() => SpecSchema.Kinds.Select(k => k.Name);

    [TestCaseSource(nameof(Kinds))]
    public void Schema_compiles_in_strict_draft_2020_12(string kind)
    {
        Assert.That(_server.SchemaProblem(RepoPaths.Combine("examples", SpecSchema.Kind(kind).FileName)), Is.Null);
    }

    [Test]
    public void A_draft_04_schema_or_an_invalid_pattern_is_a_problem()
    {
        using var temp = new TempSpecs();
        var draft04 = temp.Write("draft-04.json", """{ "$schema": "http://json-schema.org/draft-04/schema#", "type": "object" }""");
        var pattern = temp.Write("pattern.json", """{ "$schema": "https://json-schema.org/draft/2020-12/schema", "pattern": "^[a-z" }""");
        Assert.That(_server.SchemaProblem(draft04), Is.Not.Null);
        Assert.That(_server.SchemaProblem(pattern), Does.Contain("Invalid regular expression"));
    }

    [Test]
    public void Every_example_has_no_diagnostics_under_its_own_modeline_and_under_its_kinds_schema()
    {
        var examples = Examples().ToList();
        Assert.That(examples, Has.Count.GreaterThan(10));
        var documents = examples.SelectMany(relative =>
        {
            var path = RepoPaths.Combine(relative);
            var text = File.ReadAllText(path);
            Assert.That(text.Split('\n')[0], Does.Match(@"^# yaml-language-server: \$schema=(\.\./)*nomad-db\.schema\.json$"), relative);
            var kindSchema = $"# yaml-language-server: $schema={SchemaUri(KindOf(path))}" + text[text.IndexOf('\n', StringComparison.Ordinal)..];
            return new[] { (YamlLanguageServer.UriOf(path), text), ($"file:///nomad-db-schema-kind/{relative}", kindSchema) };
        }).ToList();

        var diagnostics = _server.Diagnostics(documents);

        Assert.Multiple(() =>
        {
            for (var i = 0; i < documents.Count; i++)
            {
                Assert.That(diagnostics[i], Is.Empty, documents[i].Item1);
            }
        });
    }

    [Test]
    public void Every_preset_writes_only_keys_and_values_of_the_service_schema()
    {
        // A preset is a partial job: its `preset:` mapping is metadata, `{job}` becomes the job's name, and the keys a
        // spec gives (name, postgres.password) are missing from it; everything it does write must be valid.
        var documents = PresetCatalog.Names.Select(name =>
        {
            var text = PresetMetadata().Replace(PresetCatalog.Text(name)!, string.Empty).Replace("{job}", name, StringComparison.Ordinal);
            return ($"file:///nomad-db-schema-presets/{name}.yaml", $"# yaml-language-server: $schema={SchemaUri("service")}\n{text}");
        }).ToList();

        var diagnostics = _server.Diagnostics(documents);

        Assert.That(documents, Has.Count.EqualTo(PresetCatalog.Names.Count).And.Count.GreaterThan(5));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < documents.Count; i++)
            {
                Assert.That(diagnostics[i].Where(d => !d.Message.StartsWith("Missing property", StringComparison.Ordinal)), Is.Empty, documents[i].Item1);
                Assert.That(diagnostics[i].Select(d => d.Message), Is.SubsetOf(new[] { "Missing property \"name\".", "Missing property \"password\"." }), documents[i].Item1);
            }
        });
    }

    [GeneratedRegex(@"^preset:\n(?:(?:[ #].*)?\n)*", RegexOptions.Multiline)]
    private static partial Regex PresetMetadata();

    [TestCase(null)]
    [TestCase("vaultwarden")]
    [TestCase("uptime-kuma")]
    public void What_init_writes_has_no_diagnostics_with_the_schema_it_writes_beside_it(string? preset)
    {
        using var temp = new TempSpecs();
        var spec = Path.Combine(temp.Specs, "starter.yaml");
        var args = preset is null ? new[] { "init", "--name", "starter", "-o", spec } : new[] { "init", "--preset", preset, "--name", "starter", "-o", spec };
        Assert.That(CliRun.Of(args).ExitCode, Is.EqualTo(ExitCodes.Ok));
        Assert.That(File.Exists(Path.Combine(temp.Specs, "nomad-db.schema.json")), Is.True);

        var diagnostics = _server.Diagnostics(YamlLanguageServer.UriOf(spec), File.ReadAllText(spec));
        Assert.That(diagnostics, Is.Empty);

        // The canary: the same modeline finds a mistake, so "no diagnostics" above means the schema was read.
        var broken = _server.Diagnostics(YamlLanguageServer.UriOf(Path.Combine(temp.Specs, "broken.yaml")), File.ReadAllText(spec).Replace("name: starter", "name: starter\nnetwrok: host", StringComparison.Ordinal));
        Assert.That(broken.Select(d => d.Message), Has.Some.Contains("Property netwrok is not allowed"));
    }

    private const string Service = """
        name: wiki
        app:
          image: ghcr.io/example/wiki:1.0
        postgres:
          password: { nomadVar: nomad/jobs/wiki }

        """;

    private static string Combined(string text) => $"# yaml-language-server: $schema={SchemaUri(SpecSchema.All)}\n{text}";

    /// <summary>What the editor offers at the end of the line holding <paramref name="marker"/> (0-based, after the modeline).</summary>
    private IReadOnlyList<string> CompletionAfter(string text, string marker)
    {
        var document = Combined(text);
        var lines = document.Split('\n');
        var line = Array.FindIndex(lines, l => l.EndsWith(marker, StringComparison.Ordinal));
        Assert.That(line, Is.GreaterThanOrEqualTo(0), marker);
        return _server.Completion($"file:///nomad-db-schema-completion/{Guid.NewGuid():N}.yaml", document, line, lines[line].Length);
    }

    [Test]
    public void Completion_offers_the_network_modes()
    {
        Assert.That(CompletionAfter(Service + "network: \n", "network: "), Is.SupersetOf(SpecWords.Network.Words));
        Assert.That(CompletionAfter("name: pg\nkind: shared-postgres\nnetwork: \n", "network: "), Is.SupersetOf(SpecWords.Network.Words), "the shared instance's");
        Assert.That(CompletionAfter("defaults:\n  network: \n", "network: "), Is.SupersetOf(SpecWords.Network.Words), "the fleet defaults'");
    }

    [Test]
    public void Completion_offers_the_backup_formats()
    {
        Assert.That(CompletionAfter(Service + "backup:\n  format: \n", "format: "), Is.SupersetOf(new[] { "custom", "plain-gzip" }));
        Assert.That(CompletionAfter("defaults:\n  backup:\n    format: \n", "format: "), Is.SupersetOf(new[] { "custom", "plain-gzip" }));
    }

    [Test]
    public void Completion_offers_the_presets()
    {
        Assert.That(CompletionAfter("name: wiki\npreset: \n", "preset: "), Is.SupersetOf(PresetCatalog.Names));
    }

    [Test]
    public void Completion_offers_the_keys_of_a_section()
    {
        Assert.That(CompletionAfter(Service + "backup:\n  \n", "  "), Is.SupersetOf(new[] { "schedule", "retention", "format", "placement", "offsite", "pitr" }));
    }

    [Test]
    public void A_misspelt_key_alone_in_its_mapping_is_reported_as_a_key_not_as_null()
    {
        var diagnostics = _server.Diagnostics("file:///nomad-db-schema-messages/typo.yaml", Combined(Service + "update:\n  maxParalel: 2\n"));
        Assert.That(diagnostics.Select(d => d.Message), Is.EqualTo(new[] { "Property maxParalel is not allowed." }));
    }

    [Test]
    public void Keys_removed_with_null_and_merge_keys_are_accepted_as_nomad_db_accepts_them()
    {
        var text = """
            jobs:
              - &rss
                name: rss-a
                preset: freshrss
                network: ~
                app: { env: { CRON_MIN: ~ } }
                postgres: { password: { nomadVar: nomad/jobs/rss-a } }
              - <<: *rss
                name: rss-b
                postgres: { password: { nomadVar: nomad/jobs/rss-b } }

            """;
        using var temp = new TempSpecs();
        var spec = temp.Write("rss.yaml", text);
        Assert.That(NomadDb.Render([spec]).Diagnostics.Where(d => d.Severity == Validation.Severity.Error), Is.Empty, "nomad-db accepts it");
        Assert.That(_server.Diagnostics("file:///nomad-db-schema-messages/merge.yaml", Combined(text)), Is.Empty, "so does the schema");
    }
}

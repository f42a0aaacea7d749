using System.Text.Json.Nodes;
using NomadDbPatterns.Cli.Commands;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Schema;

/// <summary>The committed schemas are the generated ones, and what they say comes from where nomad-db's rules live.</summary>
[TestFixture]
public sealed class SchemaFileTests
{
    private static IEnumerable<string> Kinds() => SpecSchema.Kinds.Select(k => k.Name);

    [TestCaseSource(nameof(Kinds))]
    public void Committed_schema_is_the_generated_schema(string kind)
    {
        var file = SpecSchema.Kind(kind).FileName;
        var path = RepoPaths.Combine("examples", file);
        var generated = SpecSchemaGenerator.Generate(kind);
        if (Environment.GetEnvironmentVariable("ACCEPT_SNAPSHOTS") == "1" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            File.WriteAllText(path, generated);
        }

        Assert.That(File.Exists(path) ? File.ReadAllText(path) : null, Is.EqualTo(generated),
            $"examples/{file} is stale: run this test with ACCEPT_SNAPSHOTS=1 to regenerate it, then rebuild nomad-db (which embeds it)");
    }

    [TestCaseSource(nameof(Kinds))]
    public void Schema_is_draft_2020_12_and_every_reference_resolves(string kind)
    {
        var schema = JsonNode.Parse(SpecSchemaGenerator.Generate(kind))!.AsObject();
        Assert.That(schema["$schema"]!.GetValue<string>(), Is.EqualTo("https://json-schema.org/draft/2020-12/schema"));
        Assert.That(schema.ContainsKey("definitions"), Is.False, "draft 2020-12 keeps definitions under $defs");
        var defs = schema["$defs"]!.AsObject();
        foreach (var reference in Descendants(schema).OfType<JsonObject>().Where(o => o.ContainsKey("$ref")).Select(o => o["$ref"]!.GetValue<string>()))
        {
            Assert.That(reference, Does.StartWith("#/$defs/"));
            Assert.That(defs.ContainsKey(reference["#/$defs/".Length..]), Is.True, reference);
        }
    }

    [Test]
    public void Every_key_of_every_spec_type_is_in_the_combined_schema_and_unknown_keys_are_refused()
    {
        var defs = JsonNode.Parse(SpecSchemaGenerator.Generate(SpecSchema.All))!["$defs"]!.AsObject();
        var specTypes = typeof(JobSpec).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(JobSpec).Namespace && t.Name.EndsWith("Spec", StringComparison.Ordinal) && t.IsClass && !t.IsNested && !t.IsAbstract && t != typeof(SpecFileSpec))
            .ToList();
        Assert.That(specTypes, Has.Count.GreaterThan(20), "the spec types are found (internal ones included)");
        foreach (var type in specTypes)
        {
            Assert.That(defs.ContainsKey(type.Name), Is.True, $"{type.Name} missing from the schema");
            var properties = defs[type.Name]!["properties"]!.AsObject();
            Assert.That(properties.Select(p => p.Key), Is.EquivalentTo(SpecReader.PropertiesOf(type).Keys), type.Name);
            Assert.That(defs[type.Name]!["additionalProperties"]!.GetValue<bool>(), Is.False, $"{type.Name} must reject unknown keys");
            foreach (var (key, property) in properties)
            {
                Assert.That(property!["description"], Is.Not.Null, $"{type.Name}.{key} has no description (XML doc summary)");
            }
        }
    }

    [Test]
    public void Enums_patterns_and_defaults_are_the_mappers_and_validators_own()
    {
        var defs = JsonNode.Parse(SpecSchemaGenerator.Generate(SpecSchema.All))!["$defs"]!;
        JsonNode Key(string type, string key) => defs[type]!["properties"]![key]!;
        string[] Enum(string type, string key) => [.. Key(type, key)["enum"]!.AsArray().Where(v => v is not null).Select(v => v!.GetValue<string>())];

        Assert.That(Enum(nameof(JobSpec), "network"), Is.EqualTo(SpecWords.Network.Words));
        Assert.That(Enum(nameof(JobSpec), "preset"), Is.EqualTo(PresetCatalog.Names));
        Assert.That(Enum(nameof(BackupSpec), "format"), Is.EqualTo(new[] { "custom", "plain-gzip" }));
        Assert.That(Enum(nameof(ConstraintSpec), "operator"), Does.Contain("distinct_hosts").And.Contain("semver"));
        Assert.That(Key(nameof(JobSpec), "name")["pattern"]!.GetValue<string>(), Is.EqualTo(Rules.NamePattern));
        Assert.That(Key(nameof(UpdateSpec), "minHealthyTime")["pattern"]!.GetValue<string>(), Is.EqualTo(Duration.NomadPattern));
        Assert.That(Key(nameof(JobSpec), "network")["default"]!.GetValue<string>(), Is.EqualTo("bridge"));
        Assert.That(Key(nameof(UpdateSpec), "progressDeadline")["default"]!.GetValue<string>(), Is.EqualTo(UpdatePolicy.Stateful.ProgressDeadline.Text));
        Assert.That(Key(nameof(PostgresSpec), "version")["default"]!.GetValue<int>(), Is.EqualTo(Defaults.PostgresVersion));
        Assert.That(Key(nameof(PostgresSpec), "version")["maximum"]!.GetValue<int>(), Is.EqualTo(PostgresSidecarValidator.MaximumVersion));
        Assert.That(Key(nameof(BackupSpec), "format")["default"]!.GetValue<string>(), Is.EqualTo("custom"));
        Assert.That(Key(nameof(BackupSpec), "verify")["default"]!.GetValue<string>(), Is.EqualTo("none"));
        Assert.That(defs["SharedPostgresServerSpec"]!["properties"]!.AsObject().Select(p => p.Key), Has.None.AnyOf(SpecMapper.NotForSharedInstance.Select(k => k.Key).ToArray()));
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }
}

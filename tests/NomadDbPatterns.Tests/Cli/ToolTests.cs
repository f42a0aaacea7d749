using System.Text.Json.Nodes;
using NJsonSchema;
using NomadDbPatterns.Cli;
using NomadDbPatterns.Cli.Commands;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;
using PublicApiGenerator;
using YamlDotNet.RepresentationModel;

namespace NomadDbPatterns.Tests.Cli;

/// <summary>check, init, schema, explain, version and the public API baseline.</summary>
[TestFixture]
public sealed class ToolTests
{
    private static TempSpecs Rendered(out string spec)
    {
        var temp = new TempSpecs();
        spec = temp.Write("a.yaml", TempSpecs.Service("alpha", "backup: { schedule: \"0 4 * * *\" }"));
        temp.Write("b.yaml", TempSpecs.Service("beta"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(0));
        return temp;
    }

    [Test]
    public void Check_passes_on_fresh_output()
    {
        using var temp = Rendered(out _);
        var run = CliRun.Of("check", temp.Specs, "--against", temp.Out);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Out + run.Error);
    }

    [Test]
    public void Check_detects_a_one_character_change_with_a_readable_diff()
    {
        using var temp = Rendered(out _);
        var file = Path.Combine(temp.Out, "alpha.nomad.hcl");
        File.WriteAllText(file, File.ReadAllText(file).Replace("cpu    = 200", "cpu    = 201"));
        var run = CliRun.Of("check", temp.Specs, "--against", temp.Out);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Stale));
        Assert.That(run.Out, Does.Contain("changed: ").And.Contain("alpha.nomad.hcl"));
        Assert.That(run.Out, Does.Contain("--- a/alpha.nomad.hcl").And.Contain("+++ b/alpha.nomad.hcl").And.Contain("@@ "));
        Assert.That(run.Out, Does.Contain("-        cpu    = 201").And.Contain("+        cpu    = 200"));
        Assert.That(run.Out, Does.Not.Contain("\u001b["), "no colour when not a terminal");
    }

    [Test]
    public void Check_reads_a_committed_file_as_text_so_a_byte_order_mark_is_not_a_change()
    {
        using var temp = Rendered(out _);
        var file = Path.Combine(temp.Out, "alpha.nomad.hcl");
        File.WriteAllText(file, File.ReadAllText(file), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var run = CliRun.Of("check", temp.Specs, "--against", temp.Out);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Out + run.Error);
    }

    [Test]
    public void Check_reports_missing_and_extra_files()
    {
        using var temp = Rendered(out _);
        File.Delete(Path.Combine(temp.Out, "beta.nomad.hcl"));
        File.WriteAllText(Path.Combine(temp.Out, "gamma.nomad.hcl"), "job \"gamma\" {}\n");
        File.WriteAllText(Path.Combine(temp.Out, "README.md"), "not ours\n");
        var run = CliRun.Of("check", temp.Specs, "--against", temp.Out);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Stale));
        Assert.That(run.Out, Does.Contain("missing: ").And.Contain("beta.nomad.hcl"));
        Assert.That(run.Out, Does.Contain("extra:   ").And.Contain("gamma.nomad.hcl"));
        Assert.That(run.Out, Does.Not.Contain("README.md"));
    }

    [Test]
    public void Check_with_an_invalid_spec_exits_1()
    {
        using var temp = Rendered(out var spec);
        File.AppendAllText(spec, "bogus: 1\n");
        Assert.That(CliRun.Of("check", temp.Specs, "--against", temp.Out).ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
    }

    [Test]
    public void Library_check_matches_the_cli()
    {
        using var temp = Rendered(out _);
        Assert.That(NomadDb.Check([temp.Specs], temp.Out).UpToDate, Is.True);
        File.Delete(Path.Combine(temp.Out, VolumeLock.FileName));
        var result = NomadDb.Check([temp.Specs], temp.Out);
        Assert.That(result.Stale.Select(s => (s.FileName, s.Kind)), Is.EqualTo(new[] { (VolumeLock.FileName, StaleKind.Missing) }));
    }

    [TestCase(null)]
    [TestCase("vaultwarden")]
    [TestCase("uptime-kuma")]
    public void Init_writes_a_starter_spec_that_renders_and_refuses_to_overwrite(string? preset)
    {
        using var temp = new TempSpecs();
        var file = Path.Combine(temp.Specs, "starter.yaml");
        var args = preset is null ? new[] { "init", "--name", "starter", "-o", file } : new[] { "init", "--preset", preset, "--name", "starter", "-o", file };
        Assert.That(CliRun.Of(args).ExitCode, Is.EqualTo(ExitCodes.Ok));
        var render = CliRun.Of("render", file, "-o", temp.Out);
        Assert.That(render.ExitCode, Is.EqualTo(ExitCodes.Ok), render.Error);
        var before = File.ReadAllText(file);
        var again = CliRun.Of(args);
        Assert.That(again.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(again.Error, Does.Contain("already exists"));
        Assert.That(File.ReadAllText(file), Is.EqualTo(before));
    }

    [Test]
    public void Committed_schema_is_the_generated_schema()
    {
        var path = RepoPaths.Combine("examples", "nomad-db.schema.json");
        var generated = SpecSchemaGenerator.Generate();
        if (Environment.GetEnvironmentVariable("ACCEPT_SNAPSHOTS") == "1" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            File.WriteAllText(path, generated);
        }

        Assert.That(File.ReadAllText(path), Is.EqualTo(generated),
            "examples/nomad-db.schema.json is stale: run this test with ACCEPT_SNAPSHOTS=1 to regenerate it, then rebuild nomad-db (which embeds it)");
    }

    [Test]
    public void Schema_command_prints_the_committed_schema()
    {
        var run = CliRun.Of("schema");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(run.Out, Is.EqualTo(File.ReadAllText(RepoPaths.Combine("examples", "nomad-db.schema.json"))));
    }

    [Test]
    public void Every_spec_property_is_in_the_schema()
    {
        var schema = JsonNode.Parse(SpecSchemaGenerator.Generate())!;
        var definitions = schema["definitions"]!.AsObject();
        foreach (var type in typeof(JobSpec).Assembly.GetTypes().Where(t => t.Namespace == typeof(JobSpec).Namespace && t.Name.EndsWith("Spec", StringComparison.Ordinal) && t.IsClass && t.IsPublic && t != typeof(SpecFileSpec)))
        {
            Assert.That(definitions.ContainsKey(type.Name), Is.True, $"{type.Name} missing from the schema");
            var properties = definitions[type.Name]!["properties"]!.AsObject();
            foreach (var (yamlName, _) in SpecReader.PropertiesOf(type))
            {
                Assert.That(properties.ContainsKey(yamlName), Is.True, $"{type.Name}.{yamlName} missing from the schema");
            }

            Assert.That(definitions[type.Name]!["additionalProperties"]!.GetValue<bool>(), Is.False, $"{type.Name} must reject unknown keys");
        }
    }

    [Test]
    public void Schema_accepts_a_jobs_list()
    {
        var schema = JsonNode.Parse(SpecSchemaGenerator.Generate())!;
        Assert.That(schema["oneOf"]![1]!["properties"]!["jobs"]!["items"]!["anyOf"]!.AsArray().Select(r => r!["$ref"]!.GetValue<string>()),
            Is.EqualTo(new[] { "#/definitions/JobSpec", "#/definitions/SharedPostgresSpec" }));
    }

    private static IEnumerable<string> Examples() =>
        SpecLoader.ExpandInputs([RepoPaths.Examples]).Select(f => Path.GetRelativePath(RepoPaths.Root, f));

    [TestCaseSource(nameof(Examples))]
    public async Task Every_example_validates_against_the_schema(string relative)
    {
        var schema = await JsonSchema.FromJsonAsync(SpecSchemaGenerator.Generate());
        var json = YamlToJson(File.ReadAllText(RepoPaths.Combine(relative)));
        var errors = schema.Validate(json);
        Assert.That(errors.Select(e => e.ToString()), Is.Empty);
        Assert.That(File.ReadLines(RepoPaths.Combine(relative)).First(), Does.StartWith("# yaml-language-server: $schema=").And.EndWith("nomad-db.schema.json"));
    }

    [Test]
    public async Task Schema_rejects_an_unknown_key()
    {
        var schema = await JsonSchema.FromJsonAsync(SpecSchemaGenerator.Generate());
        Assert.That(schema.Validate(YamlToJson(TempSpecs.Service("x").Replace("  image:", "  imagee: y\n  image:"))), Is.Not.Empty);
    }

    private static string YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode)!.ToJsonString();

        static JsonNode? Convert(YamlDotNet.RepresentationModel.YamlNode node) => node switch
        {
            YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
            YamlSequenceNode s => new JsonArray([.. s.Children.Select(Convert)]),
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when p.Value is "true" or "false" => JsonValue.Create(p.Value == "true"),
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when long.TryParse(p.Value, out var n) => JsonValue.Create(n),
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when p.Value is "" or "~" or "null" => null,
            YamlScalarNode p => JsonValue.Create(p.Value),
            _ => throw new NotSupportedException(),
        };
    }

    [Test]
    public void Explain_prints_help_for_a_code_and_lists_all()
    {
        var run = CliRun.Of("explain", "NDB020");
        Assert.That(run.ExitCode, Is.EqualTo(0));
        Assert.That(run.Out, Does.Contain("Literal password").And.Contain("nomadVar"));
        Assert.That(CliRun.Of("explain").Out, Does.Contain("NDB070"));
        Assert.That(CliRun.Of("explain", "NDB999").ExitCode, Is.EqualTo(ExitCodes.Usage));
    }

    [Test]
    public void Every_error_code_has_an_explanation()
    {
        var codes = typeof(ErrorCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.That(codes, Is.SubsetOf(ErrorCodes.Explanations.Keys));
    }

    [Test]
    public void Version_and_help_work()
    {
        var version = CliRun.Of("--version");
        Assert.That(version.ExitCode, Is.EqualTo(0));
        Assert.That(version.Out, Does.Contain(NomadDbPatterns.Rendering.GeneratorInfo.Version));
        foreach (var command in new[] { "render", "validate", "check", "init", "schema", "explain" })
        {
            var help = CliRun.Of(command, "--help");
            Assert.That(help.ExitCode, Is.EqualTo(0), command);
            Assert.That(help.Out, Does.Contain("Examples:"), command);
        }
    }

    [Test]
    public void Public_api_matches_the_baseline() =>
        Snapshot.Verify("PublicApi", typeof(NomadDb).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).Replace("\r\n", "\n"), "txt");

    /// <summary>The Nomad client package has a baseline of its own: a change to its API is a deliberate, reviewed act.</summary>
    [Test]
    public void Nomad_client_public_api_matches_its_baseline() =>
        Snapshot.Verify("PublicApi.Nomad", typeof(NomadDbPatterns.Nomad.NomadClient).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).Replace("\r\n", "\n"), "txt");
}

using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Generation;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Tests.Cli;

/// <summary>
/// Generates the spec format's JSON Schema from the spec types (descriptions from their XML docs), so it never drifts:
/// the committed examples/nomad-db.schema.json must equal it (ToolTests), and `nomad-db schema` prints that file, which
/// is embedded in the CLI. Generated here rather than in the CLI: NJsonSchema's reflection over XML docs and its use of
/// <c>dynamic</c> cannot run in the Native AOT build of nomad-db, and the libraries would add to its start-up.
/// </summary>
public static class SpecSchemaGenerator
{
    /// <summary>The schema as indented JSON with a final newline.</summary>
    public static string Generate()
    {
        var settings = new SystemTextJsonSchemaGeneratorSettings
        {
            SerializerOptions = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase },
            AlwaysAllowAdditionalObjectProperties = false,
            DefaultReferenceTypeNullHandling = ReferenceTypeNullHandling.NotNull,
            FlattenInheritanceHierarchy = true,
            SchemaType = SchemaType.JsonSchema,
        };
        var generator = new JsonSchemaGenerator(settings);
        var file = JsonSchema.FromType<SpecFileSpec>(settings);
        var root = new JsonSchema
        {
            Title = "nomad-db spec",
            Description = "A nomad-db spec file: one job, or several under `jobs:`; or the fleet defaults file nomad-db.yaml (`defaults:`).",
        };

        // One resolver for both kinds of job: the types they share (postgres, backup, ...) are defined once, in root.
        var resolver = new JsonSchemaResolver(root, settings);
        var job = generator.Generate(typeof(JobSpec), resolver);
        var shared = generator.Generate(typeof(SharedPostgresSpec), resolver);

        var jobDefinition = new JsonSchema();
        foreach (var (name, property) in job.Properties)
        {
            jobDefinition.Properties[name] = property;
        }

        jobDefinition.Type = JsonObjectType.Object;
        jobDefinition.AllowAdditionalProperties = false;
        jobDefinition.Description = job.Description;
        root.Definitions["JobSpec"] = jobDefinition;

        // A job is a service (no kind, or kind: service) or the legacy shared instance (kind: shared-postgres); the
        // kind tells them apart, so that a file matches exactly one of them.
        var sharedDefinition = new JsonSchema { Type = JsonObjectType.Object, AllowAdditionalProperties = false, Description = shared.Description };
        foreach (var (name, property) in shared.Properties)
        {
            sharedDefinition.Properties[name] = property;
        }

        jobDefinition.Properties["kind"].Enumeration.Add("service");
        sharedDefinition.Properties["kind"].Enumeration.Add("shared-postgres");
        sharedDefinition.RequiredProperties.Add("kind");
        root.Definitions["SharedPostgresSpec"] = sharedDefinition;

        var jobsList = new JsonSchema { Type = JsonObjectType.Object, AllowAdditionalProperties = false };
        var item = new JsonSchema();
        item.AnyOf.Add(new JsonSchema { Reference = jobDefinition });
        item.AnyOf.Add(new JsonSchema { Reference = sharedDefinition });
        jobsList.Properties["jobs"] = new JsonSchemaProperty
        {
            Type = JsonObjectType.Array,
            Item = item,
            Description = file.Properties["jobs"].Description,
        };
        jobsList.RequiredProperties.Add("jobs");
        root.OneOf.Add(new JsonSchema { Reference = jobDefinition });
        root.OneOf.Add(jobsList);
        root.OneOf.Add(new JsonSchema { Reference = sharedDefinition });

        // The fleet defaults file (nomad-db.yaml): `fleet:` and `defaults:` are no keys of a job (which needs `name:`),
        // so a file matches one branch only.
        var defaults = generator.Generate(typeof(FleetDefaultsFileSpec), resolver);
        var defaultsFile = new JsonSchema { Type = JsonObjectType.Object, AllowAdditionalProperties = false, MinProperties = 1, Description = "The fleet defaults file, nomad-db.yaml." };
        defaultsFile.Properties["fleet"] = defaults.Properties["fleet"];
        defaultsFile.Properties["fleet"].Pattern = "^[a-z0-9][a-z0-9_-]{0,62}$";
        defaultsFile.Properties["defaults"] = defaults.Properties["defaults"];
        root.Definitions["FleetDefaultsFile"] = defaultsFile;
        root.OneOf.Add(new JsonSchema { Reference = defaultsFile });
        return root.ToJson().Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }
}

using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Generation;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>Generates the spec format's JSON Schema from the spec types (descriptions from their XML docs), so it never drifts.</summary>
public static class SpecSchema
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
        var job = generator.Generate(typeof(JobSpec));
        var file = JsonSchema.FromType<SpecFileSpec>(settings);
        var root = new JsonSchema
        {
            Title = "nomad-db spec",
            Description = "A nomad-db spec file: one job, or several under `jobs:`.",
        };
        foreach (var (name, definition) in job.Definitions)
        {
            root.Definitions[name] = definition;
        }

        var jobDefinition = new JsonSchema();
        foreach (var (name, property) in job.Properties)
        {
            jobDefinition.Properties[name] = property;
        }

        jobDefinition.Type = JsonObjectType.Object;
        jobDefinition.AllowAdditionalProperties = false;
        jobDefinition.Description = job.Description;
        root.Definitions["JobSpec"] = jobDefinition;
        var jobsList = new JsonSchema { Type = JsonObjectType.Object, AllowAdditionalProperties = false };
        jobsList.Properties["jobs"] = new JsonSchemaProperty
        {
            Type = JsonObjectType.Array,
            Item = new JsonSchema { Reference = jobDefinition },
            Description = file.Properties["jobs"].Description,
        };
        jobsList.RequiredProperties.Add("jobs");
        root.OneOf.Add(new JsonSchema { Reference = jobDefinition });
        root.OneOf.Add(jobsList);
        return root.ToJson().Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NomadDbPatterns.Cli.Commands;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Tests.Schema;

/// <summary>
/// Generates the spec format's JSON Schemas (draft 2020-12), one per kind of file (<see cref="SpecSchema.Kinds"/>), from
/// the spec types (<see cref="SpecTypeSchemas"/>), so they never drift: the committed examples/nomad-db*.schema.json
/// must equal them (SchemaFileTests), and `nomad-db schema` prints those files, which are embedded in the CLI.
/// Generated here rather than in the CLI: reflection over the XML docs does not belong in the Native AOT build of
/// nomad-db, nor in its start-up.
/// </summary>
/// <remarks>
/// Each file stands alone (its definitions under <c>$defs</c>), so one file beside a spec is all an editor needs. The
/// kinds of document are told apart with <c>if</c>/<c>then</c>/<c>else</c> on their keys, not <c>oneOf</c>: a file
/// then matches one branch, and an editor reports that branch's problems ("Property netwrok is not allowed") instead
/// of a summary of every branch's.
/// </remarks>
public static partial class SpecSchemaGenerator
{
    /// <summary>The dialect of every schema.</summary>
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The schema of <paramref name="kind"/> (a <see cref="SpecSchemaKind.Name"/>) as indented JSON with a final newline.</summary>
    public static string Generate(string kind)
    {
        var types = new SpecTypeSchemas();
        foreach (var type in new[] { typeof(JobSpec), typeof(SharedPostgresSpec), typeof(FleetDefaultsFileSpec) })
        {
            types.Ref(type);
        }

        Refine(types.Definitions);
        static JsonObject Job() => SpecTypeSchemas.RefTo(nameof(JobSpec));
        static JsonObject Shared() => SpecTypeSchemas.RefTo(nameof(SharedPostgresSpec));

        var described = SpecSchema.Kind(kind);
        var root = new JsonObject
        {
            ["$schema"] = Dialect,
            ["$comment"] = "Generated from the spec types by the tests (SpecSchemaGenerator); regenerate it, never edit it.",
            ["title"] = $"nomad-db {(kind == SpecSchema.All ? "spec" : kind)}",
            ["description"] = $"The JSON Schema of {described.Describes}.",
        };
        var jobs = XmlDocs.Of(typeof(SpecFileSpec).GetProperty(nameof(SpecFileSpec.Jobs))!)!;
        switch (kind)
        {
            case SpecSchema.All:
                types.Definitions["AnyJob"] = new JsonObject
                {
                    ["description"] = "A job of either kind: the legacy shared instance with `kind: shared-postgres`, else a service.",
                    ["if"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["required"] = new JsonArray("kind"),
                        ["properties"] = new JsonObject { ["kind"] = new JsonObject { ["const"] = SpecMapper.SharedPostgresKind } },
                    },
                    ["then"] = Shared(),
                    ["else"] = Job(),
                };
                types.Definitions["JobsFile"] = JobsFile(jobs, SpecTypeSchemas.RefTo("AnyJob"));
                root["if"] = new JsonObject
                {
                    ["type"] = "object",
                    ["anyOf"] = new JsonArray(new JsonObject { ["required"] = new JsonArray("defaults") }, new JsonObject { ["required"] = new JsonArray("fleet") }),
                };
                root["then"] = SpecTypeSchemas.RefTo(nameof(FleetDefaultsFileSpec));
                root["else"] = OneOrList(SpecTypeSchemas.RefTo("AnyJob"));
                break;
            case "service":
                types.Definitions["JobsFile"] = JobsFile(jobs, Job());
                Set(root, OneOrList(Job()));
                break;
            case "shared-postgres":
                types.Definitions["JobsFile"] = JobsFile(jobs, Shared());
                Set(root, OneOrList(Shared()));
                break;
            case "defaults":
                Set(root, SpecTypeSchemas.RefTo(nameof(FleetDefaultsFileSpec)));
                break;
            default:
                throw new ArgumentException($"no schema kind '{kind}'", nameof(kind));
        }

        root["$defs"] = Reachable(root, types.Definitions);
        return root.ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    /// <summary>
    /// What the walk over the types cannot say on its own: the kind tells the two kinds of job apart; the shared
    /// instance's server has no sidecar keys; a service names its app's image unless a preset gives it; the defaults
    /// file is not empty.
    /// </summary>
    private static void Refine(Dictionary<string, JsonObject> definitions)
    {
        // kind: a service says `service` or nothing; the shared instance must say `shared-postgres`.
        definitions[nameof(JobSpec)]["properties"]!["kind"]!["enum"] = new JsonArray(SpecMapper.ServiceKind, null);
        var sharedKind = definitions[nameof(SharedPostgresSpec)]["properties"]!["kind"]!.AsObject();
        sharedKind.Remove("enum");
        sharedKind["const"] = SpecMapper.SharedPostgresKind;

        // The shared server: a sidecar's postgres keys without those SpecMapper.MapShared refuses.
        var server = definitions[nameof(PostgresSpec)].DeepClone().AsObject();
        var refused = SpecMapper.NotForSharedInstance.Select(k => k.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in refused)
        {
            server["properties"]!.AsObject().Remove(key);
        }

        var required = server["required"]!.AsArray().Select(r => r!.GetValue<string>()).Where(r => !refused.Contains(r)).ToList();
        server.Remove("required");
        if (required.Count > 0)
        {
            server["required"] = new JsonArray([.. required.Select(r => (JsonNode?)r)]);
        }

        server["description"] = "The shared instance's server: a dedicated sidecar's keys without its database, password, service, upgrade and init SQL.";
        definitions["SharedPostgresServerSpec"] = server;
        var postgres = definitions[nameof(SharedPostgresSpec)]["properties"]!["postgres"]!["anyOf"]![0]!.AsObject();
        postgres["$ref"] = "#/$defs/SharedPostgresServerSpec";

        // Without a preset the spec names the app and its image (SpecMapper: no app is an app without an image).
        definitions[nameof(JobSpec)]["if"] = new JsonObject
        {
            ["required"] = new JsonArray("preset"),
            ["properties"] = new JsonObject { ["preset"] = new JsonObject { ["type"] = "string" } },
        };
        definitions[nameof(JobSpec)]["else"] = new JsonObject
        {
            ["required"] = new JsonArray("app"),
            ["properties"] = new JsonObject { ["app"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("image") } },
        };

        // FleetDefaults.Parse: an empty defaults file is an error.
        definitions[nameof(FleetDefaultsFileSpec)]["minProperties"] = 1;
    }

    /// <summary>One job (the root mapping) or <c>jobs:</c>, as <see cref="SpecLoader"/> tells them apart.</summary>
    private static JsonObject OneOrList(JsonObject job) => new()
    {
        ["if"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("jobs") },
        ["then"] = SpecTypeSchemas.RefTo("JobsFile"),
        ["else"] = job,
    };

    private static JsonObject JobsFile(string description, JsonObject item) => new()
    {
        ["type"] = "object",
        ["description"] = "Several jobs in one file; nothing else beside `jobs:`.",
        ["additionalProperties"] = false,
        ["required"] = new JsonArray("jobs"),
        ["properties"] = new JsonObject { ["jobs"] = new JsonObject { ["description"] = description, ["type"] = "array", ["items"] = item } },
    };

    private static void Set(JsonObject root, JsonObject schema)
    {
        foreach (var (name, value) in schema.ToList())
        {
            schema.Remove(name);
            root[name] = value;
        }
    }

    /// <summary>The definitions <paramref name="root"/> refers to, directly or through others, in a stable order.</summary>
    private static JsonObject Reachable(JsonObject root, Dictionary<string, JsonObject> definitions)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(References(root));
        while (queue.TryDequeue(out var name))
        {
            if (seen.Add(name))
            {
                foreach (var next in References(definitions[name]))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return new JsonObject(definitions.Where(d => seen.Contains(d.Key)).OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value.DeepClone())));
    }

    private static IEnumerable<string> References(JsonNode node) =>
        DefinitionRef().Matches(node.ToJsonString()).Select(m => m.Groups[1].Value);

    [GeneratedRegex("\"\\$ref\":\"#/\\$defs/([A-Za-z]+)\"")]
    private static partial Regex DefinitionRef();
}

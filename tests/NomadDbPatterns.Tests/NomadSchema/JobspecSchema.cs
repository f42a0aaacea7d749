using System.Text.Json;
using NomadDbPatterns.Tests.Infrastructure;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>One thing in a jobspec that Nomad's parser (or the task driver) would not accept.</summary>
/// <param name="Path">Where: block types, labels and attribute names joined by dots, e.g.
/// <c>job.myservice.group.myservice.task.app.config.imagee</c>; <c>[i]</c> marks the i-th of repeated blocks.</param>
/// <param name="Message">What is wrong, e.g. <c>unknown attribute</c>.</param>
public sealed record JobspecViolation(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>How a block type appears inside its parent block.</summary>
/// <param name="Type">The block type, e.g. <c>task</c>.</param>
/// <param name="Schema">The definition that checks the block's body.</param>
/// <param name="Labels">The label names the block takes; empty for an unlabelled block.</param>
/// <param name="Repeatable">Whether more than one such block may appear.</param>
/// <param name="AttributeSyntax">Whether <c>type = { ... }</c> is accepted as well as the block form.</param>
/// <param name="SchemaByDriver">For task config: the definition for each value of the task's <c>driver</c>.</param>
public sealed record BlockReference(
    string Type,
    string Schema,
    IReadOnlyList<string> Labels,
    bool Repeatable,
    bool AttributeSyntax,
    IReadOnlyDictionary<string, string>? SchemaByDriver);

/// <summary>What a block's body may hold.</summary>
/// <param name="Name">The definition's name in the schema file.</param>
/// <param name="Source">Where in Nomad's source the definition was read (repo@tag:path).</param>
/// <param name="Attributes">The attributes accepted, with their value types.</param>
/// <param name="Blocks">The child blocks accepted.</param>
/// <param name="Required">Attributes that must be present.</param>
/// <param name="AnyAttributes">When set, any attribute name is accepted with this value type (meta, env, ...).</param>
/// <param name="AnyBody">When set, the body is not checked at all (free-form maps such as scaling policy).</param>
/// <param name="BlocksAsAttributes">Inside task driver config, where Nomad turns blocks into list-of-object attributes
/// and object attributes into one-item lists, so both spellings are accepted.</param>
public sealed record BlockDefinition(
    string Name,
    string Source,
    IReadOnlyDictionary<string, HclValueType> Attributes,
    IReadOnlyDictionary<string, BlockReference> Blocks,
    IReadOnlySet<string> Required,
    HclValueType? AnyAttributes,
    bool AnyBody,
    bool BlocksAsAttributes);

/// <summary>
/// The Nomad jobspec schema (<c>nomad-jobspec-schema.json</c>): which blocks and attributes Nomad v1.10's jobspec2
/// parser accepts at each level, and their value types. <see cref="Validate"/> walks the JSON that @cdktf/hcl2json
/// produces for a job file and reports every unknown block or attribute and every value of the wrong type.
/// </summary>
public sealed class JobspecSchema
{
    private JobspecSchema(string root, IReadOnlyDictionary<string, BlockDefinition> definitions)
    {
        Root = root;
        Definitions = definitions;
    }

    /// <summary>The path of the schema file committed in this repository.</summary>
    public static string DefaultPath => RepoPaths.Combine("tests", "NomadDbPatterns.Tests", "NomadSchema", "nomad-jobspec-schema.json");

    /// <summary>The definition that checks the top level of a job file.</summary>
    public string Root { get; }

    /// <summary>Every definition, by name.</summary>
    public IReadOnlyDictionary<string, BlockDefinition> Definitions { get; }

    /// <summary>Loads the committed schema file.</summary>
    public static JobspecSchema Load() => Load(DefaultPath);

    /// <summary>Loads a schema file.</summary>
    public static JobspecSchema Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Reads a schema from its JSON text and checks that every reference in it resolves.</summary>
    /// <exception cref="InvalidDataException">The schema is inconsistent; the message lists every problem.</exception>
    public static JobspecSchema Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement.GetProperty("root").GetString()!;
        var definitions = document.RootElement.GetProperty("definitions").EnumerateObject()
            .ToDictionary(property => property.Name, property => ReadDefinition(property.Name, property.Value));
        var schema = new JobspecSchema(root, definitions);
        var problems = schema.FindProblems();
        if (problems.Count > 0)
        {
            throw new InvalidDataException("The jobspec schema is inconsistent:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }

        return schema;
    }

    /// <summary>Checks the hcl2json output of a whole job file; an empty list means it conforms.</summary>
    public IReadOnlyList<JobspecViolation> Validate(JsonElement hcl2json)
    {
        var violations = new List<JobspecViolation>();
        CheckBody(hcl2json, Definitions[Root], path: "", violations);
        return violations;
    }

    private void CheckBody(JsonElement body, BlockDefinition definition, string path, List<JobspecViolation> violations)
    {
        if (definition.AnyBody)
        {
            return;
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new(path, $"expected a block body, found {HclValueType.Describe(body)}"));
            return;
        }

        foreach (var property in body.EnumerateObject())
        {
            var childPath = Join(path, property.Name);
            if (definition.Blocks.TryGetValue(property.Name, out var block))
            {
                CheckBlocks(block, property.Value, definition, body, childPath, violations);
            }
            else if ((definition.Attributes.GetValueOrDefault(property.Name) ?? definition.AnyAttributes) is { } type)
            {
                CheckAttribute(type, property.Value, definition.BlocksAsAttributes, childPath, violations);
            }
            else
            {
                violations.Add(new(childPath, LooksLikeBlocks(property.Value) ? "unknown block" : "unknown attribute"));
            }
        }

        foreach (var required in definition.Required.Where(name => !body.TryGetProperty(name, out _)))
        {
            violations.Add(new(Join(path, required), "missing required attribute"));
        }
    }

    private static void CheckAttribute(HclValueType type, JsonElement value, bool blocksAsAttributes, string path, List<JobspecViolation> violations)
    {
        if (!type.Accepts(value, objectsAreOneItemLists: blocksAsAttributes))
        {
            violations.Add(new(path, $"wrong type: expected {type}, found {HclValueType.Describe(value)}"));
        }
    }

    private void CheckBlocks(
        BlockReference block,
        JsonElement value,
        BlockDefinition parent,
        JsonElement parentBody,
        string path,
        List<JobspecViolation> violations)
    {
        var definition = ResolveDefinition(block, parentBody, path, violations);
        if (definition is null)
        {
            return;
        }

        // An object where an unlabelled block is expected is an attribute, `type = { ... }`.
        if (block.Labels.Count == 0 && value.ValueKind == JsonValueKind.Object)
        {
            if (block.AttributeSyntax || parent.BlocksAsAttributes)
            {
                CheckBody(value, definition, path, violations);
            }
            else if (LooksLikeBlocks(value))
            {
                violations.Add(new(path, $"'{block.Type}' block takes no labels"));
            }
            else
            {
                violations.Add(new(path, $"'{block.Type}' must be written as a block, not as an attribute"));
            }

            return;
        }

        var bodies = new List<(JsonElement Body, string Path)>();
        CollectLabelledBodies(block, value, depth: 0, path, bodies, violations);
        if (bodies.Count > 1 && !block.Repeatable)
        {
            violations.Add(new(path, $"duplicate block: only one '{block.Type}' block is allowed here"));
        }

        foreach (var (body, bodyPath) in bodies)
        {
            CheckBody(body, definition, bodyPath, violations);
        }
    }

    private BlockDefinition? ResolveDefinition(BlockReference block, JsonElement parentBody, string path, List<JobspecViolation> violations)
    {
        if (block.SchemaByDriver is null)
        {
            return Definitions[block.Schema];
        }

        if (!parentBody.TryGetProperty("driver", out var driver) || driver.ValueKind != JsonValueKind.String)
        {
            violations.Add(new(path, "cannot check the driver config: the task has no driver"));
            return null;
        }

        if (!block.SchemaByDriver.TryGetValue(driver.GetString()!, out var schema))
        {
            violations.Add(new(path, $"no config schema for driver '{driver.GetString()}' (known: {string.Join(", ", block.SchemaByDriver.Keys)})"));
            return null;
        }

        return Definitions[schema];
    }

    // hcl2json nests one object level per label and ends in a list of bodies: {"task": {"app": [ {...}, ... ]}}.
    private static void CollectLabelledBodies(
        BlockReference block,
        JsonElement value,
        int depth,
        string path,
        List<(JsonElement, string)> bodies,
        List<JobspecViolation> violations)
    {
        if (depth < block.Labels.Count)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                var missing = string.Join(", ", block.Labels.Skip(depth));
                violations.Add(new(path, $"'{block.Type}' block needs label(s): {missing}"));
                return;
            }

            foreach (var label in value.EnumerateObject())
            {
                CollectLabelledBodies(block, label.Value, depth + 1, Join(path, label.Name), bodies, violations);
            }

            return;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0
            || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Object))
        {
            violations.Add(new(path, $"expected a '{block.Type}' block, found {HclValueType.Describe(value)}"));
            return;
        }

        var items = value.EnumerateArray().ToList();
        if (items.Count > 1 && block.Labels.Count > 0)
        {
            violations.Add(new(path, $"duplicate label: {items.Count} '{block.Type}' blocks have the same label(s)"));
        }

        for (var i = 0; i < items.Count; i++)
        {
            bodies.Add((items[i], items.Count > 1 ? $"{path}[{i}]" : path));
        }
    }

    // Only used to word messages: blocks come out of hcl2json as lists of objects,
    // possibly under one object level per label.
    private static bool LooksLikeBlocks(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.GetArrayLength() > 0 && value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.Object),
        JsonValueKind.Object => value.EnumerateObject().Any() && value.EnumerateObject().All(property => LooksLikeBlocks(property.Value)),
        _ => false,
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private List<string> FindProblems()
    {
        var problems = new List<string>();
        if (!Definitions.ContainsKey(Root))
        {
            problems.Add($"root definition '{Root}' does not exist");
        }

        foreach (var definition in Definitions.Values)
        {
            if (string.IsNullOrWhiteSpace(definition.Source))
            {
                problems.Add($"{definition.Name}: no source");
            }

            foreach (var required in definition.Required.Where(name => !definition.Attributes.ContainsKey(name)))
            {
                problems.Add($"{definition.Name}: required attribute '{required}' is not among its attributes");
            }

            foreach (var name in definition.Attributes.Keys.Intersect(definition.Blocks.Keys))
            {
                problems.Add($"{definition.Name}: '{name}' is both an attribute and a block");
            }

            foreach (var block in definition.Blocks.Values)
            {
                var targets = block.SchemaByDriver?.Values ?? [block.Schema];
                problems.AddRange(targets
                    .Where(target => !Definitions.ContainsKey(target))
                    .Select(target => $"{definition.Name}.{block.Type}: definition '{target}' does not exist"));
            }
        }

        return problems;
    }

    private static BlockDefinition ReadDefinition(string name, JsonElement element)
    {
        var attributes = element.TryGetProperty("attributes", out var attributesElement)
            ? attributesElement.EnumerateObject().ToDictionary(p => p.Name, p => HclValueType.Parse(p.Value.GetString()!))
            : [];
        var blocks = element.TryGetProperty("blocks", out var blocksElement)
            ? blocksElement.EnumerateObject().ToDictionary(p => p.Name, p => ReadBlockReference(p.Name, p.Value))
            : [];
        var required = element.TryGetProperty("required", out var requiredElement)
            ? requiredElement.EnumerateArray().Select(item => item.GetString()!).ToHashSet()
            : [];
        return new BlockDefinition(
            name,
            element.TryGetProperty("source", out var source) ? source.GetString()! : "",
            attributes,
            blocks,
            required,
            element.TryGetProperty("anyAttributes", out var anyAttributes) ? HclValueType.Parse(anyAttributes.GetString()!) : null,
            element.TryGetProperty("anyBody", out var anyBody) && anyBody.GetBoolean(),
            element.TryGetProperty("blocksAsAttributes", out var blocksAsAttributes) && blocksAsAttributes.GetBoolean());
    }

    private static BlockReference ReadBlockReference(string type, JsonElement element) => new(
        type,
        element.TryGetProperty("schema", out var schema) ? schema.GetString()! : type,
        element.TryGetProperty("labels", out var labels) ? labels.EnumerateArray().Select(label => label.GetString()!).ToList() : [],
        element.TryGetProperty("repeatable", out var repeatable) && repeatable.GetBoolean(),
        element.TryGetProperty("attributeSyntax", out var attributeSyntax) && attributeSyntax.GetBoolean(),
        element.TryGetProperty("schemaByDriver", out var byDriver)
            ? byDriver.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : null);
}

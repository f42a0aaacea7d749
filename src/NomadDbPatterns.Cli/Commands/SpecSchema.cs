namespace NomadDbPatterns.Cli.Commands;

/// <summary>A kind of nomad-db YAML file, with the name of its JSON Schema file.</summary>
/// <param name="Name">What <c>nomad-db schema --kind</c> takes.</param>
/// <param name="FileName">The schema's file name (in examples/, embedded in nomad-db, written by <c>init</c>).</param>
/// <param name="Describes">What the schema describes, for help text.</param>
public sealed record SpecSchemaKind(string Name, string FileName, string Describes);

/// <summary>
/// The JSON Schemas (draft 2020-12) of the spec format, one per kind of file: examples/nomad-db*.schema.json, embedded
/// at build time. The tests generate them from the spec types (descriptions from their XML docs; enums, patterns,
/// bounds and defaults from the constants the mapper and validators use) and fail when a committed file differs, so
/// they never drift; generating them here instead would need reflection over XML docs at run time, which does not
/// suit the Native AOT build and slows every command's start-up.
/// </summary>
public static class SpecSchema
{
    /// <summary>The combined schema's kind: any nomad-db YAML file, told apart by its keys.</summary>
    public const string All = "all";

    /// <summary>Every kind; the first, <see cref="All"/>, is what a spec's modeline names.</summary>
    public static IReadOnlyList<SpecSchemaKind> Kinds { get; } =
    [
        new(All, "nomad-db.schema.json", "any nomad-db YAML file: a spec of jobs of either kind, or the fleet defaults (`defaults:`)"),
        new("service", "nomad-db.service.schema.json", "a spec of service jobs: one job, or several under `jobs:`"),
        new("shared-postgres", "nomad-db.shared-postgres.schema.json", "a spec of the legacy shared PostgreSQL instance (`kind: shared-postgres`)"),
        new("defaults", "nomad-db.defaults.schema.json", "the fleet defaults file, nomad-db.yaml"),
    ];

    /// <summary>The kind named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">There is no such kind.</exception>
    public static SpecSchemaKind Kind(string name) =>
        Kinds.FirstOrDefault(k => k.Name == name) ?? throw new ArgumentException($"no schema kind '{name}'", nameof(name));

    /// <summary>The schema of <paramref name="kind"/> as indented JSON with a final newline.</summary>
    public static string Json(string kind = All)
    {
        var resource = Kind(kind).FileName;
        using var stream = typeof(SpecSchema).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"nomad-db was built without its embedded {resource}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

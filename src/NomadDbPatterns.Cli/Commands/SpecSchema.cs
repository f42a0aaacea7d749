namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// The JSON Schema of the spec format: examples/nomad-db.schema.json, embedded at build time. The tests generate it from
/// the spec types (descriptions from their XML docs) and fail when the committed file differs, so it never drifts;
/// generating it here instead would need NJsonSchema at run time, which does not work in the Native AOT build and slows
/// every command's start-up.
/// </summary>
public static class SpecSchema
{
    /// <summary>The schema as indented JSON with a final newline.</summary>
    public static string Json()
    {
        using var stream = typeof(SpecSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"nomad-db was built without its embedded {ResourceName}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private const string ResourceName = "nomad-db.schema.json";
}

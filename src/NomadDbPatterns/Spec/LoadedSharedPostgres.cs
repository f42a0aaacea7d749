using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

/// <summary>A job read from a spec file: where its spec paths were written.</summary>
internal interface ISpecSite
{
    /// <summary>The spec file.</summary>
    string File { get; }

    /// <summary>The fleet defaults file laid under the job (<see cref="FleetDefaults"/>), or null.</summary>
    string? DefaultsFile { get; }

    /// <summary>The full spec path of <paramref name="path"/> (relative to the job).</summary>
    string PathOf(string path);

    /// <summary>The location of a path relative to the job.</summary>
    SourceLocation Locate(string path);
}

/// <summary>A legacy shared PostgreSQL instance (<c>kind: shared-postgres</c>) read from a spec file.</summary>
/// <param name="Job">The model.</param>
/// <param name="File">The spec file.</param>
/// <param name="BasePath">Path prefix of this job in the file (<c>jobs[2]</c>, or empty for a single-job file).</param>
/// <param name="Map">Positions of every spec path in the file.</param>
internal sealed record LoadedSharedPostgres(SharedPostgresJob Job, string File, string BasePath, SourceMap Map) : ISpecSite
{
    /// <summary>Spec paths that already had a reading error: validation does not report them a second time.</summary>
    public IReadOnlyList<string> ReadErrorPaths { get; init; } = [];

    /// <inheritdoc />
    public string? DefaultsFile { get; init; }

    /// <inheritdoc />
    public string PathOf(string path) => BasePath.Length == 0 ? path : path.Length == 0 ? BasePath : $"{BasePath}.{path}";

    /// <inheritdoc />
    public SourceLocation Locate(string path) => Map.Locate(PathOf(path));
}

/// <summary>Reads <c>kind: shared-postgres</c> jobs.</summary>
internal static class SharedPostgresLoader
{
    /// <summary>True when <paramref name="node"/> is a job mapping with <c>kind: shared-postgres</c>.</summary>
    public static bool IsSharedPostgres(YamlNode node) =>
        node is YamlMapping mapping && mapping.Get("kind") is YamlScalar { Value: SpecMapper.SharedPostgresKind };

    public static SharedPostgresJob? Load(YamlNode node, string path, SourceMap map, List<Diagnostic> diagnostics)
    {
        map.Add(path, node.Location);
        var spec = new SpecReader(map, diagnostics).Read<SharedPostgresSpec>(node, path);
        return spec is null ? null : new SpecMapper(path, diagnostics, map).MapShared(spec);
    }
}

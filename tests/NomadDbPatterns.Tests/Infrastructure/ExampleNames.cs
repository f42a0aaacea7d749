using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>How example renders are named in tests.</summary>
internal static class ExampleNames
{
    /// <summary>
    /// The snapshot name of a file rendered from an example: its file name, prefixed with the fleet's directory when
    /// the example belongs to a fleet with its own defaults file (a fleet may hold a job of the same name as another example).
    /// </summary>
    public static string Snapshot(string relative, string fileName)
    {
        var directory = Path.GetDirectoryName(Path.Combine(RepoPaths.Root, relative))!;
        return File.Exists(Path.Combine(directory, FleetDefaults.FileName)) ? $"{Path.GetFileName(directory)}.{fileName}" : fileName;
    }

    /// <summary>The source a header names, as `render` from the repository root names it: the spec and its fleet defaults.</summary>
    public static string Source(string relative, ISpecSite site) =>
        site.DefaultsFile is { } defaults ? $"{relative} and {Path.GetRelativePath(RepoPaths.Root, Path.GetFullPath(defaults)).Replace('\\', '/')}" : relative;
}

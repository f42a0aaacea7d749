namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>Finds files of this repository from a running test, wherever the test assembly was built to.</summary>
public static class RepoPaths
{
    private const string SolutionFileName = "NomadDbPatterns.sln";

    private static readonly Lazy<string> LazyRoot = new(() => FindRoot(AppContext.BaseDirectory));

    /// <summary>The directory holding NomadDbPatterns.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The example specs.</summary>
    public static string Examples => Combine("examples");

    /// <summary>The main test project's directory.</summary>
    public static string TestProject => Combine("tests", "NomadDbPatterns.Tests");

    /// <summary>Committed snapshots.</summary>
    public static string Snapshots => Combine("tests", "NomadDbPatterns.Tests", "Snapshots");

    /// <summary>A path below the repository root, from '/'-separated parts.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No {SolutionFileName} found in {start} or any directory above it; tests must run from a build inside the repository.");
    }
}

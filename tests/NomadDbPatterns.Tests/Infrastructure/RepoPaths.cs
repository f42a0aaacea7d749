namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>Locations inside the repository, found by walking up from the test assembly to NomadDbPatterns.sln.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    public static string TestProject => Path.Combine(Root, "tests", "NomadDbPatterns.Tests");

    public static string Snapshots => Path.Combine(TestProject, "Snapshots");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NomadDbPatterns.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("NomadDbPatterns.sln not found above the test assembly.");
    }
}

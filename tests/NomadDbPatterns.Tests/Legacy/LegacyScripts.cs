using NUnit.Framework;
using NomadDbPatterns.Tests.Infrastructure;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>The shells the scripts must run under: Debian's dash, and BusyBox (the Alpine PostgreSQL images).</summary>
public enum ScriptShell
{
    Dash,
    Busybox,
}

/// <summary>Finds the legacy scripts in the repository and runs them the way a Nomad task would.</summary>
internal static class LegacyScripts
{
    private static readonly Lazy<string> BusyboxTools = new(CreateBusyboxToolDir);

    public static string InitDatabases => ScriptPath("init-databases.sh");

    public static string MigrateDatabase => ScriptPath("migrate-database.sh");

    /// <summary>A script as shipped (comment lines removed), where the tests run it.</summary>
    public static string ScriptPath(string name) => Path.Combine(Backups.BackupScripts.ScriptsDirectory, name);

    /// <summary>The directory of the server's own client tools (psql, pg_dump, pg_restore, pg_isready).</summary>
    public static string ClientBinDir(PostgresCluster cluster) =>
        cluster.Psql("postgres", "SELECT setting FROM pg_config WHERE name = 'BINDIR'");

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="env"/>. PATH holds the PostgreSQL client tools first; under
    /// BusyBox it holds nothing else but BusyBox applets, so every other tool the script calls is BusyBox's.
    /// </summary>
    public static ShellResult Run(
        string script, ScriptShell shell, string pgBinDir, IReadOnlyDictionary<string, string> env, string workDir,
        string? extraPathFirst = null)
    {
        var fullEnv = new Dictionary<string, string>(env);
        var rest = shell == ScriptShell.Busybox
            ? BusyboxTools.Value
            : Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        fullEnv["PATH"] = string.Join(':', new[] { extraPathFirst, pgBinDir, rest }.Where(p => p is not null));
        var (file, args) = shell == ScriptShell.Busybox
            ? ("busybox", new[] { "sh", script })
            : ("dash", new[] { script });
        return Shell.Run(file, args, fullEnv, workDir, TimeSpan.FromMinutes(3));
    }

    private static string CreateBusyboxToolDir()
    {
        var list = Shell.Run("busybox", ["--list"], null, null, TimeSpan.FromSeconds(30));
        Assert.That(list.ExitCode, Is.Zero, "busybox --list failed: " + list.StdErr);
        var busybox = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, "busybox"))
            .First(File.Exists);
        var dir = Directory.CreateTempSubdirectory("nomaddb-busybox-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        foreach (var applet in list.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            File.CreateSymbolicLink(Path.Combine(dir, applet), busybox);
        }

        return dir;
    }
}

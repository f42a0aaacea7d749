using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>The shell interpreter a script runs under: dash (debian images) or busybox ash (alpine images).</summary>
public enum ScriptShell
{
    /// <summary>The system <c>sh</c> with the system's tools on PATH.</summary>
    Dash,

    /// <summary><c>busybox sh</c> with only busybox applets (plus the PostgreSQL and sqlite3 clients) on PATH.</summary>
    Busybox,
}

/// <summary>
/// Runs the scripts the way a Nomad task does (<c>sh script</c> with env only), as they ship: the scripts of
/// templates/scripts with their comment lines removed (<see cref="ShellComments"/>), written once per test run.
/// </summary>
internal static partial class BackupScripts
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static readonly Lazy<string> Shipped = new(WriteShippedScripts);

    /// <summary>The commented originals.</summary>
    public static string SourceDirectory => Path.Combine(RepoPaths.Root, "templates", "scripts");

    /// <summary>The scripts as shipped in the Nomad Variables (what the tests run and lint).</summary>
    public static string ScriptsDirectory => Shipped.Value;

    public static string PgBackup => Path.Combine(ScriptsDirectory, "pg-backup.sh");

    public static string SqliteBackup => Path.Combine(ScriptsDirectory, "sqlite-backup.sh");

    public static string AgeCheck => Path.Combine(ScriptsDirectory, "backup-age-check.sh");

    public static string Library => Path.Combine(ScriptsDirectory, "backup-lib.sh");

    public static IReadOnlyList<string> AllScripts => [Library, PgBackup, SqliteBackup, AgeCheck];

    /// <summary>The client tools of the newest installed PostgreSQL, the same version as the test clusters.</summary>
    public static string PgBinDir { get; } = FindPgBinDir();

    private static readonly Lazy<string> BusyboxBin = new(CreateBusyboxBin);

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="env"/> added to the inherited environment;
    /// <paramref name="pathPrefix"/> (e.g. a directory of tool wrappers) comes first on PATH.
    /// </summary>
    public static ShellResult Run(string script, IReadOnlyDictionary<string, string> env, ScriptShell shell = ScriptShell.Dash, string? pathPrefix = null)
    {
        var full = new Dictionary<string, string>(env);
        if (shell == ScriptShell.Busybox)
        {
            // Nothing from /usr/bin: every tool the script uses must be a busybox applet, as in the alpine image.
            full["PATH"] = JoinPath(pathPrefix, BusyboxBin.Value, PgBinDir);
            return Shell.Run("busybox", ["sh", script], full, ScriptsDirectory, Timeout);
        }

        full["PATH"] = JoinPath(pathPrefix, PgBinDir, Environment.GetEnvironmentVariable("PATH"));
        return Shell.Run("sh", [script], full, ScriptsDirectory, Timeout);
    }

    private static string WriteShippedScripts()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"nomaddb-shipped-scripts-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        foreach (var source in Directory.GetFiles(SourceDirectory, "*.sh"))
        {
            var target = Path.Combine(dir, Path.GetFileName(source));
            File.WriteAllText(target, ShellComments.Strip(File.ReadAllText(source).ReplaceLineEndings("\n")));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(source));
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return dir;
    }

    private static string JoinPath(params string?[] parts) => string.Join(':', parts.Where(p => !string.IsNullOrEmpty(p)));

    /// <summary>Environment for pg-backup.sh against <paramref name="cluster"/>'s <paramref name="database"/>.</summary>
    public static Dictionary<string, string> PgEnv(PostgresCluster cluster, string database, string backupDir, params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string>(cluster.PgEnv(database))
        {
            ["BACKUP_DIR"] = backupDir,
            ["BACKUP_MODE"] = "once",
            ["TZ"] = "UTC",
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        return env;
    }

    /// <summary>Runs a few lines of sh with backup-lib.sh sourced (for its functions).</summary>
    public static ShellResult RunLibrary(string body, IReadOnlyDictionary<string, string>? env = null, ScriptShell shell = ScriptShell.Dash)
    {
        var file = Path.Combine(Path.GetTempPath(), $"backup-lib-test-{Guid.NewGuid():N}.sh");
        File.WriteAllText(file, $". \"{Library}\"\n{body}\n");
        try
        {
            return Run(file, env ?? new Dictionary<string, string>(), shell);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A new empty directory (deleted by <see cref="TempDirectories.Dispose"/>).</summary>
    public static string NewDirectory(this TempDirectories owner, string label)
    {
        var path = Directory.CreateTempSubdirectory($"nomaddb-backup-{label}-").FullName;
        owner.Add(path);
        return path;
    }

    /// <summary>Backup file names (not checksums, not hidden files) in <paramref name="dir"/>, sorted.</summary>
    public static List<string> BackupFiles(string dir) =>
        [.. Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>()
            .Where(n => BackupName().IsMatch(n)).Order(StringComparer.Ordinal)];

    /// <summary>Every file in <paramref name="dir"/> with its SHA-256, to prove a failed run changed nothing.</summary>
    public static SortedDictionary<string, string> Snapshot(string dir, params string[] except)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(dir))
        {
            var name = Path.GetFileName(file);
            if (!except.Contains(name))
            {
                result[name] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
            }
        }

        return result;
    }

    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseStamp(string fileName)
    {
        var match = StampPattern().Match(fileName);
        Assert.That(match.Success, Is.True, $"no stamp in {fileName}");
        return DateTimeOffset.ParseExact(match.Value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    /// <summary>Copies a real backup under an older stamp, with a matching checksum file, like an earlier run would.</summary>
    public static string PlantCopy(string dir, string sourceFile, string name, DateTimeOffset stamp)
    {
        var extension = sourceFile.EndsWith(".sql.gz", StringComparison.Ordinal) ? ".sql.gz" : Path.GetExtension(sourceFile);
        var fileName = $"{name}-{Stamp(stamp)}{extension}";
        File.Copy(sourceFile, Path.Combine(dir, fileName));
        var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(sourceFile))).ToLowerInvariant();
        File.WriteAllText(Path.Combine(dir, fileName + ".sha256"), $"{hash}  {fileName}\n");
        File.WriteAllText(Path.Combine(dir, fileName + ".manifest"), $"nomad-db-backup-manifest 1\nfile {fileName}\n");
        return fileName;
    }

    /// <summary>Asserts <c>sha256sum -c</c> accepts every checksum file in <paramref name="dir"/>.</summary>
    public static void AssertChecksumsValid(string dir)
    {
        var checksums = Directory.GetFiles(dir, "*.sha256").Select(Path.GetFileName).OfType<string>().ToList();
        Assert.That(checksums, Is.Not.Empty, "no checksum files");
        var result = Shell.Run("sha256sum", ["-c", .. checksums], null, dir, Timeout);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdOut + result.StdErr);
    }

    /// <summary>A directory of pg_dump/pg_restore wrappers put before the real tools on PATH.</summary>
    public static string WrapperDirectory(TempDirectories owner, string tool, string body)
    {
        var dir = owner.NewDirectory("wrap");
        var file = Path.Combine(dir, tool);
        File.WriteAllText(file, $"#!/bin/sh\nREAL=\"{Path.Combine(PgBinDir, tool)}\"\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return dir;
    }

    public static void AssertNoSecret(ShellResult result, string secret)
    {
        Assert.That(result.StdOut, Does.Not.Contain(secret), "a password leaked to stdout");
        Assert.That(result.StdErr, Does.Not.Contain(secret), "a password leaked to stderr");
    }

    private static string FindPgBinDir()
    {
        const string root = "/usr/lib/postgresql";
        var newest = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Where(d => int.TryParse(Path.GetFileName(d), out _) && File.Exists(Path.Combine(d, "bin", "pg_dump")))
                .OrderByDescending(d => int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture))
                .FirstOrDefault()
            : null;
        return newest is null
            ? throw new InvalidOperationException("No PostgreSQL client tools under /usr/lib/postgresql/*/bin: install Debian's postgresql package.")
            : Path.Combine(newest, "bin");
    }

    /// <summary>A directory with one symlink per busybox applet, plus sqlite3 (not a busybox applet).</summary>
    private static string CreateBusyboxBin()
    {
        var busybox = Shell.Run("sh", ["-c", "command -v busybox"], null, null, Timeout).StdOut.Trim();
        if (busybox.Length == 0)
        {
            throw new InvalidOperationException("busybox is not installed (Debian package busybox); the alpine-compatibility tests need it.");
        }

        // One shared directory of links, created idempotently (test runs may overlap), instead of one per run.
        var dir = Path.Combine(Path.GetTempPath(), "nomaddb-busybox-applets");
        Directory.CreateDirectory(dir);
        var applets = Shell.Run(busybox, ["--list"], null, null, Timeout).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var applet in applets)
        {
            Link(Path.Combine(dir, applet), busybox);
        }

        var sqlite = Shell.Run("sh", ["-c", "command -v sqlite3"], null, null, Timeout).StdOut.Trim();
        if (sqlite.Length > 0)
        {
            Link(Path.Combine(dir, "sqlite3"), sqlite);
        }

        return dir;
    }

    private static void Link(string link, string target)
    {
        if (File.Exists(link))
        {
            return;
        }

        try
        {
            File.CreateSymbolicLink(link, target);
        }
        catch (IOException) when (File.Exists(link))
        {
            // Another test run created it first.
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]+-\d{8}T\d{6}Z\.(dump|sql\.gz|sqlite)$")]
    private static partial Regex BackupName();

    [GeneratedRegex(@"\d{8}T\d{6}Z")]
    private static partial Regex StampPattern();
}

/// <summary>Temporary directories of one test fixture, deleted together.</summary>
internal sealed class TempDirectories : IDisposable
{
    private readonly List<string> _paths = [];

    public void Add(string path) => _paths.Add(path);

    public void Dispose()
    {
        foreach (var path in _paths.Where(Directory.Exists))
        {
            Directory.Delete(path, recursive: true);
        }

        _paths.Clear();
    }
}

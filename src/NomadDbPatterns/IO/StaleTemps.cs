using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace NomadDbPatterns.IO;

/// <summary>
/// Names of the temp files and staging directories nomad-db writes, and the removal of those a killed run left. A
/// temp name is <c>.NAME.nomad-db-PID-RANDOM.tmp</c>; earlier versions wrote <c>.NAME.PID.tmp</c> beside job files.
/// A leftover is removed when its process is gone, or when it is over an hour old (a process id can be reused); the
/// caller holds the <see cref="OutputLock"/>, so no running render of that directory owns it.
/// </summary>
internal static partial class StaleTemps
{
    /// <summary>How old a leftover whose process id is alive again must be before it is removed anyway.</summary>
    internal static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    /// <summary>A fresh temp name for <paramref name="baseName"/>.</summary>
    public static string Name(string baseName) =>
        $".{baseName}.nomad-db-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Hex.Lower(RandomNumberGenerator.GetBytes(4))}.tmp";

    /// <summary>True when <paramref name="name"/> is a nomad-db temp name; its process id in <paramref name="pid"/>.</summary>
    public static bool IsTempName(string name, out int pid)
    {
        var match = TempPattern().Match(name);
        if (!match.Success)
        {
            match = LegacyPattern().Match(name);
        }

        pid = match.Success && int.TryParse(match.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
        return match.Success;
    }

    /// <summary>Removes stale temp files in <paramref name="directory"/> and stale staging directories beside it.</summary>
    public static void Clean(string directory)
    {
        if (Directory.Exists(directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory, ".*.tmp"))
            {
                RemoveIfStale(file, isDirectory: false, requiredPrefix: null);
            }
        }

        if (Path.GetDirectoryName(directory) is { } parent && Directory.Exists(parent))
        {
            var prefix = "." + Path.GetFileName(directory) + ".nomad-db-";
            foreach (var entry in Directory.EnumerateDirectories(parent, ".*.tmp"))
            {
                RemoveIfStale(entry, isDirectory: true, requiredPrefix: prefix);
            }
        }
    }

    /// <summary>Removes stale temp files of <paramref name="file"/> (written beside it) left by killed runs.</summary>
    public static void CleanBeside(string file)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } directory && Directory.Exists(directory))
        {
            var prefix = "." + Path.GetFileName(file) + ".nomad-db-";
            foreach (var entry in Directory.EnumerateFiles(directory, ".*.tmp"))
            {
                RemoveIfStale(entry, isDirectory: false, requiredPrefix: prefix);
            }
        }
    }

    private static void RemoveIfStale(string path, bool isDirectory, string? requiredPrefix)
    {
        var name = Path.GetFileName(path);
        if ((requiredPrefix is not null && !name.StartsWith(requiredPrefix, StringComparison.Ordinal)) || !IsTempName(name, out var pid))
        {
            return;
        }

        try
        {
            var age = DateTime.UtcNow - (isDirectory ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path));
            if (IsAlive(pid) && age < MaxAge)
            {
                return;
            }

            if (isDirectory)
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Not ours to remove after all (permissions), or removed meanwhile.
        }
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\..+\.nomad-db-(?<pid>[0-9]{1,10})-[0-9a-f]{8}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempPattern();

    // Earlier versions: `.alpha.nomad.hcl.1234.tmp`, `.nomad-db.lock.1234.tmp`.
    [GeneratedRegex(@"^\..+\.(nomad\.hcl|nomad\.json|nomad-db\.lock)\.(?<pid>[0-9]{1,10})\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyPattern();
}

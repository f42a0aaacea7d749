using System.Diagnostics;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>What a finished process left behind.</summary>
public sealed record ShellResult(int ExitCode, string StdOut, string StdErr);

/// <summary>Runs external programs for tests: no shell in between, stdin closed, output captured.</summary>
public static class Shell
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/> passed as separate arguments. <paramref name="env"/>
    /// entries are added to (or replace) the inherited environment. The process tree is killed and a
    /// <see cref="TimeoutException"/> thrown when it outlives <paramref name="timeout"/>.
    /// </summary>
    public static ShellResult Run(
        string file,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env,
        string? workDir,
        TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        if (workDir is not null)
        {
            startInfo.WorkingDirectory = workDir;
        }

        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start {file}");
        // Nothing is fed to stdin: close it so a program that reads it sees end of input instead of hanging.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException(
                $"{file} {string.Join(' ', startInfo.ArgumentList)} did not finish within {timeout}; "
                + $"stderr so far: {stderr.GetAwaiter().GetResult()}");
        }

        // The parameterless wait also waits for the redirected streams to reach end of file.
        process.WaitForExit();
        return new ShellResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

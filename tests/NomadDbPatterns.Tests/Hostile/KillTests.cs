using System.Diagnostics;
using System.Security.Cryptography;
using NomadDbPatterns.Tests.Cli;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Hostile;

/// <summary>
/// SIGKILL the real nomad-db while it renders a 300-job fleet over the previous one, at seeded random instants (from
/// start-up through the commit), and after every kill require the output directory to hold exactly the old set or
/// exactly the new set; after the last kill a completed render must leave no temp file or staging directory.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class KillTests
{
    private const int Jobs = 300;
    private const int Kills = 10;

    [Test]
    public void A_killed_render_leaves_the_old_set_or_the_new_set_never_a_mix()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("the one-step exchange is Linux only; elsewhere files are moved one by one");
        }

        var seed = Environment.GetEnvironmentVariable("NOMAD_DB_KILL_SEED") is { } fixedSeed ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        TestContext.Out.WriteLine($"kill test seed: {seed} (rerun with NOMAD_DB_KILL_SEED={seed})");
        var random = new Random(seed);

        using var temp = new TempSpecs();
        var specs = new[] { Path.Combine(temp.Root.FullName, "specs-a"), Path.Combine(temp.Root.FullName, "specs-b") };
        for (var i = 0; i < Jobs; i++)
        {
            var name = $"svc{i:D3}";
            foreach (var (directory, tag) in new[] { (specs[0], "1.0"), (specs[1], "2.0") })
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, name + ".yaml"), TempSpecs.Service(name).Replace($"example/{name}:1.0", $"example/{name}:{tag}"));
            }
        }

        // The two complete sets, each rendered once undisturbed.
        var sets = new Dictionary<string, string>[2];
        var durations = new TimeSpan[2];
        for (var s = 0; s < 2; s++)
        {
            var reference = Path.Combine(temp.Root.FullName, $"reference-{s}");
            var started = Stopwatch.GetTimestamp();
            Assert.That(Render(specs[s], reference, out var error), Is.EqualTo(0), error);
            durations[s] = Stopwatch.GetElapsedTime(started);
            sets[s] = Fingerprint(reference);
        }

        Assert.That(sets[0].Count, Is.EqualTo((2 * Jobs) + 2), "a job and its data volume's specification per spec, the scripts variable and the lock");
        Assert.That(sets[0].Keys, Is.EquivalentTo(sets[1].Keys));
        var output = temp.Out;
        Assert.That(Render(specs[0], output, out var first), Is.EqualTo(0), first);
        var current = 0;
        var typical = Math.Max(durations[0].TotalMilliseconds, durations[1].TotalMilliseconds);
        var outcomes = new List<string>();
        var kills = 0;
        for (var attempt = 0; kills < Kills && attempt < Kills * 3; attempt++)
        {
            var next = 1 - current;
            using var process = Start(specs[next], output);
            var started = Stopwatch.GetTimestamp();
            string when;
            if (attempt % 2 == 0)
            {
                // Anywhere: start-up, reading, rendering, committing.
                var delay = random.NextDouble() * typical;
                when = $"at {delay:F0} ms";
                process.WaitForExit(TimeSpan.FromMilliseconds(delay));
            }
            else
            {
                // In the commit: once every file of the new set is staged beside the output, a few ms more.
                var delay = random.Next(0, 25);
                when = $"{delay} ms after staging";
                WaitUntilStaged(temp.Root.FullName, process);
                process.WaitForExit(TimeSpan.FromMilliseconds(delay));
            }

            var finished = process.HasExited;
            if (!finished)
            {
                process.Kill(); // SIGKILL on Unix
                kills++;
            }
            else
            {
                typical = Math.Min(typical, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            process.WaitForExit();
            var now = Fingerprint(output);
            var holds = Matches(now, sets[current]) ? current : Matches(now, sets[next]) ? next : -1;
            Assert.That(holds, Is.Not.EqualTo(-1),
                $"after a kill {when} (seed {seed}) the output directory holds a mix or a temp file: {Describe(now, sets[current], sets[next])}");
            outcomes.Add($"{when}: {(finished ? "finished" : "killed")}, {(holds == next ? "new set" : "old set")}");
            current = holds;
        }

        Assert.That(kills, Is.GreaterThanOrEqualTo(Kills / 2), "too few renders were killed:\n" + string.Join("\n", outcomes));
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, outcomes));
        var target = 1 - current;
        Assert.That(Render(specs[target], output, out var last), Is.EqualTo(0), last);
        Assert.That(Matches(Fingerprint(output), sets[target]), Is.True, "a completed render writes the whole new set");
        Assert.That(Directory.GetFileSystemEntries(temp.Root.FullName, ".*"), Is.Empty, "no staging directory left beside the output");
    }

    /// <summary>Waits until the render has staged the whole new set in its sibling directory (or has exited).</summary>
    private static void WaitUntilStaged(string parent, Process process)
    {
        while (!process.HasExited)
        {
            foreach (var staging in Directory.GetDirectories(parent, ".out.nomad-db-*"))
            {
                try
                {
                    if (Directory.GetFileSystemEntries(staging).Length >= Jobs)
                    {
                        return;
                    }
                }
                catch (DirectoryNotFoundException)
                {
                    // Exchanged or removed meanwhile.
                }
            }

            Thread.Sleep(1);
        }
    }

    private static bool Matches(Dictionary<string, string> actual, Dictionary<string, string> expected) =>
        actual.Count == expected.Count && actual.All(kv => expected.TryGetValue(kv.Key, out var hash) && hash == kv.Value);

    private static string Describe(Dictionary<string, string> now, Dictionary<string, string> old, Dictionary<string, string> @new)
    {
        var extra = now.Keys.Where(k => !old.ContainsKey(k)).Take(5);
        var fromOld = now.Count(kv => old.GetValueOrDefault(kv.Key) == kv.Value);
        var fromNew = now.Count(kv => @new.GetValueOrDefault(kv.Key) == kv.Value);
        return $"{now.Count} entries, {fromOld} as in the old set, {fromNew} as in the new set, extra: {string.Join(", ", extra)}";
    }

    private static Dictionary<string, string> Fingerprint(string directory) =>
        Directory.GetFileSystemEntries(directory).ToDictionary(p => Path.GetFileName(p)!, p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))), StringComparer.Ordinal);

    private static Process Start(string specs, string output)
    {
        var startInfo = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "nomad-db"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "render", specs, "-o", output, "--quiet" },
        };
        var process = Process.Start(startInfo)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int Render(string specs, string output, out string error)
    {
        using var process = Start(specs, output);
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            error = "render did not finish within 2 minutes";
            return -1;
        }

        process.WaitForExit();
        error = $"render {specs} exited {process.ExitCode}";
        return process.ExitCode;
    }
}

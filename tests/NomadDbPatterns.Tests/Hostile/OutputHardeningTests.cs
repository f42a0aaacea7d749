using NomadDbPatterns.Cli;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Hostile;

/// <summary>The lock, whole-set output, temp files and check's line endings under hostile conditions.</summary>
[TestFixture]
public sealed class OutputHardeningTests
{
    [Test]
    public void Render_with_an_external_lock_reads_and_writes_that_file_so_the_guard_holds()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("a.yaml", TempSpecs.Service("alpha", "  version: 16\n"));
        var lockFile = Path.Combine(temp.Root.FullName, "locks", "fleet.lock");
        var first = CliRun.Of("render", temp.Specs, "-o", temp.Out, "--lock", lockFile);
        Assert.That(first.ExitCode, Is.EqualTo(ExitCodes.Ok), first.Error);
        Assert.That(File.ReadAllText(lockFile), Does.Contain("\"major\": 16"));
        Assert.That(File.Exists(Path.Combine(temp.Out, VolumeLock.FileName)), Is.False, "the lock goes where it was read from");

        File.WriteAllText(spec, TempSpecs.Service("alpha", "  version: 17\n"));
        var second = CliRun.Of("render", temp.Specs, "-o", temp.Out, "--lock", lockFile);
        Assert.That(second.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(second.Error, Does.Contain("error NDB070"));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(lockFile)!).Select(Path.GetFileName), Is.EqualTo(new[] { "fleet.lock" }));
    }

    [Test]
    public void Concurrent_renders_into_one_directory_lose_no_lock_entry_and_no_job()
    {
        using var temp = new TempSpecs();
        var names = Enumerable.Range(0, 6).Select(i => $"job{i}").ToList();
        var specs = names.Select(n => temp.Write($"{n}/{n}.yaml", TempSpecs.Service(n))).ToList();
        var results = new WriteResult[names.Count];
        Parallel.For(0, names.Count, new ParallelOptions { MaxDegreeOfParallelism = names.Count }, i =>
            results[i] = NomadDb.RenderToDirectory([specs[i]], temp.Out, new RenderOptions { LockPath = Path.Combine(temp.Out, VolumeLock.FileName) }));

        Assert.That(results.Select(r => r.Success), Is.All.True);
        var locked = VolumeLock.Load(Path.Combine(temp.Out, VolumeLock.FileName));
        Assert.That(locked.Volumes.Keys, Is.EquivalentTo(names.Select(n => $"{n}-postgres")));
        Assert.That(Directory.GetFiles(temp.Out).Select(Path.GetFileName), Is.EquivalentTo(names.SelectMany(n => new[] { $"{n}.nomad.hcl", $"{n}.postgres-data.volume.hcl" }).Append(VolumeLock.FileName).Append("nomad-db-scripts.nv.hcl")));
        Assert.That(Directory.GetFileSystemEntries(temp.Root.FullName, ".*"), Is.Empty, "no staging directory left beside the output");
    }

    [Test]
    public void A_corrupt_lock_is_an_error_naming_the_file_and_line_for_library_callers_too()
    {
        using var temp = new TempSpecs();
        var path = Path.Combine(temp.Root.FullName, VolumeLock.FileName);
        File.WriteAllText(path, "{\n  \"version\": 1,\n  \"volumes\": {\n<<<<<<< HEAD\n");
        var ex = Assert.Throws<InvalidDataException>(() => VolumeLock.Load(path));
        Assert.That(ex!.Message, Does.StartWith($"{path}:4:1: error NDB092").And.Contain("merge conflict"));
    }

    [Test]
    public void Leftovers_of_killed_runs_are_removed_by_the_next_render()
    {
        using var temp = new TempSpecs();
        temp.Write("a.yaml", TempSpecs.Service("alpha"));
        Directory.CreateDirectory(temp.Out);
        const int gone = 4_194_000; // above any pid this machine hands out
        var legacy = Path.Combine(temp.Out, $".alpha.nomad.hcl.{gone}.tmp");
        var current = Path.Combine(temp.Out, $".alpha.nomad.hcl.nomad-db-{gone}-0badf00d.tmp");
        var staging = Path.Combine(temp.Root.FullName, $".out.nomad-db-{gone}-deadbeef.tmp");
        var foreign = Path.Combine(temp.Out, ".editor-swap.tmp");
        File.WriteAllText(legacy, "partial");
        File.WriteAllText(current, "partial");
        File.WriteAllText(foreign, "not ours");
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, "alpha.nomad.hcl"), "old set");

        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(ExitCodes.Ok));

        Assert.That(File.Exists(legacy) || File.Exists(current) || Directory.Exists(staging), Is.False);
        Assert.That(File.Exists(foreign), Is.True, "a file that is not ours stays");
    }

    [Test]
    public void The_whole_set_is_exchanged_keeping_unchanged_files_and_foreign_entries()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("the one-step exchange is Linux only");
        }

        using var temp = new TempSpecs();
        var alpha = temp.Write("a.yaml", TempSpecs.Service("alpha"));
        temp.Write("b.yaml", TempSpecs.Service("beta"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(ExitCodes.Ok));
        var beta = Path.Combine(temp.Out, "beta.nomad.hcl");
        var written = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(beta, written);
        File.WriteAllText(Path.Combine(temp.Out, "README.md"), "ours, not nomad-db's\n");
        Directory.CreateDirectory(Path.Combine(temp.Out, "notes"));
        File.WriteAllText(Path.Combine(temp.Out, "notes", "n.txt"), "n\n");
        File.CreateSymbolicLink(Path.Combine(temp.Out, "latest"), "beta.nomad.hcl");

        File.WriteAllText(alpha, TempSpecs.Service("alpha").Replace("example/alpha:1.0", "example/alpha:2.0"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(ExitCodes.Ok));

        Assert.That(File.ReadAllText(Path.Combine(temp.Out, "alpha.nomad.hcl")), Does.Contain("example/alpha:2.0"));
        Assert.That(File.GetLastWriteTimeUtc(beta), Is.EqualTo(written), "an unchanged file keeps its mtime");
        Assert.That(File.ReadAllText(Path.Combine(temp.Out, "README.md")), Is.EqualTo("ours, not nomad-db's\n"));
        Assert.That(File.ReadAllText(Path.Combine(temp.Out, "notes", "n.txt")), Is.EqualTo("n\n"));
        Assert.That(new FileInfo(Path.Combine(temp.Out, "latest")).LinkTarget, Is.EqualTo("beta.nomad.hcl"));
        Assert.That(Directory.GetFileSystemEntries(temp.Root.FullName, ".*"), Is.Empty, "the old set is removed");
    }

    [Test]
    public void A_write_that_fails_leaves_no_temp_file_and_the_old_set_untouched()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("uses ulimit -f");
        }

        using var temp = new TempSpecs();
        var spec = temp.Write("a.yaml", TempSpecs.Service("alpha"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(ExitCodes.Ok));
        var before = Snapshot(temp.Out);
        File.WriteAllText(spec, TempSpecs.Service("alpha").Replace("example/alpha:1.0", "example/alpha:2.0"));

        // A file size limit of 2 KiB makes the write of the job file fail with EFBIG, as a full disk fails with ENOSPC.
        var cli = Path.Combine(AppContext.BaseDirectory, "nomad-db");
        var run = Shell.Run("bash", ["-c", "ulimit -f 2; trap '' XFSZ; exec \"$0\" render \"$1\" -o \"$2\"", cli, temp.Specs, temp.Out], new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" }, null, TimeSpan.FromSeconds(30));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), run.StdOut + run.StdErr);
        Assert.That(run.StdErr, Does.StartWith("error: ").And.Not.Contain("   at "));
        Assert.That(Snapshot(temp.Out), Is.EqualTo(before));
        Assert.That(Directory.GetFileSystemEntries(temp.Root.FullName, ".*"), Is.Empty, "no staging directory left");
    }

    [Test]
    public void Check_treats_CRLF_line_endings_as_equal()
    {
        using var temp = new TempSpecs();
        temp.Write("a.yaml", TempSpecs.Service("alpha"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(ExitCodes.Ok));
        var file = Path.Combine(temp.Out, "alpha.nomad.hcl");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\n", "\r\n"));

        var run = CliRun.Of("check", temp.Specs, "--against", temp.Out);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Out + run.Error);

        // A stray carriage return inside a line is a difference, and the diff says what it is.
        File.WriteAllText(file, File.ReadAllText(file).Replace("\r\n", "\n").Replace("job \"alpha\"", "job \"alpha\"\r"));
        var stray = CliRun.Of("check", temp.Specs, "--against", temp.Out);
        Assert.That(stray.ExitCode, Is.EqualTo(ExitCodes.Stale));
        Assert.That(stray.Out, Does.Contain("@@"));
    }

    [Test]
    public void A_symbolic_link_loop_is_reported_once()
    {
        using var temp = new TempSpecs();
        temp.Write("a.yaml", TempSpecs.Service("alpha"));
        File.CreateSymbolicLink(Path.Combine(temp.Specs, "self"), ".");
        File.CreateSymbolicLink(Path.Combine(temp.Specs, "loop.yaml"), "loop.yaml");
        var run = CliRun.Of("validate", temp.Specs);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error.Split('\n').Count(l => l.Contains("error NDB091", StringComparison.Ordinal)), Is.EqualTo(2), run.Error);
        Assert.That(run.Error, Does.Contain("2 error(s)"));
    }

    [Test]
    public void A_spec_file_over_the_size_limit_is_refused_without_reading_it_all()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("big.yaml", "# x\n");
        using (var stream = File.OpenWrite(spec))
        {
            stream.SetLength(64L * 1024 * 1024); // sparse: 64 MiB that cost no disk
        }

        var run = CliRun.Of("render", spec, "-o", temp.Out);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"{spec}:1:1: error NDB007: spec file is larger than 1 MiB"));
        Assert.That(Directory.Exists(temp.Out), Is.False);
    }

    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(File.ReadAllBytes(f)));
}

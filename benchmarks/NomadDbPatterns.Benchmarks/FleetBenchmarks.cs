using BenchmarkDotNet.Attributes;

namespace NomadDbPatterns.Benchmarks;

/// <summary>
/// A generated fleet of spec files loaded, validated (each job, the fleet) and rendered: in memory with
/// <see cref="NomadDb.Render"/> (every file a string), and into a directory with <see cref="NomadDb.RenderToDirectory"/>,
/// as <c>nomad-db render</c> does (files streamed to temp files, moved into place at the end).
/// </summary>
[MemoryDiagnoser]
public class FleetBenchmarks
{
    private string _directory = string.Empty;
    private string _output = string.Empty;

    [Params(10, 100, 1_000, 10_000)]
    public int Specs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"nomad-db-fleet-{Specs}-{Environment.ProcessId}");
        Fleet.Write(_directory, Specs);
        var result = Run();
        if (!result.Success || result.Files.Count < Specs)
        {
            throw new InvalidOperationException($"The generated fleet does not render: {string.Join("; ", result.Diagnostics.Take(5))}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Directory.Delete(_directory, recursive: true);
        for (var i = 0; i < _iteration; i++)
        {
            if (Directory.Exists($"{_directory}-out-{i}"))
            {
                Directory.Delete($"{_directory}-out-{i}", recursive: true);
            }
        }
    }

    [Benchmark(Description = "Load + validate + render in memory")]
    public RenderResult Run() => NomadDb.Render([_directory], new RenderOptions { BaseDirectory = _directory });

    private int _iteration;

    /// <summary>
    /// Each iteration writes into a new, empty directory (every file written, none unchanged); all are deleted at the
    /// end, not between iterations: ext4 allocates inodes slowly right after thousands were deleted, which would time
    /// the previous iteration's cleanup instead of the render.
    /// </summary>
    [IterationSetup(Target = nameof(RunToDirectory))]
    public void NewOutput() => _output = $"{_directory}-out-{_iteration++}";
    [Benchmark(Description = "Load + validate + render + write files (nomad-db render)")]
    public WriteResult RunToDirectory() => NomadDb.RenderToDirectory([_directory], _output, new RenderOptions { BaseDirectory = _directory });
}

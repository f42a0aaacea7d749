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
        _output = _directory + "-out";
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
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Benchmark(Description = "Load + validate + render in memory")]
    public RenderResult Run() => NomadDb.Render([_directory], new RenderOptions { BaseDirectory = _directory });

    /// <summary>Each iteration starts from an empty output directory: every file is written (none is unchanged).</summary>
    [IterationSetup(Target = nameof(RunToDirectory))]
    public void EmptyOutput()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Benchmark(Description = "Load + validate + render + write files (nomad-db render)")]
    public WriteResult RunToDirectory() => NomadDb.RenderToDirectory([_directory], _output, new RenderOptions { BaseDirectory = _directory });
}

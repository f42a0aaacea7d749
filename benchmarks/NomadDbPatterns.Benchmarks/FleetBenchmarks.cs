using BenchmarkDotNet.Attributes;

namespace NomadDbPatterns.Benchmarks;

/// <summary>
/// A generated fleet of spec files loaded, validated (each job, the fleet) and rendered in memory with
/// <see cref="NomadDb.Render"/>, as <c>nomad-db render</c> does before writing.
/// </summary>
[MemoryDiagnoser]
public class FleetBenchmarks
{
    private string _directory = string.Empty;

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
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Description = "Load + validate + render")]
    public RenderResult Run() => NomadDb.Render([_directory], new RenderOptions { BaseDirectory = _directory });
}

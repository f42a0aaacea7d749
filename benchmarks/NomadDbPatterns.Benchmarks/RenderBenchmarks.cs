using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NomadDbPatterns.Rendering;

namespace NomadDbPatterns.Benchmarks;

/// <summary>
/// One typical job rendered by the real pipeline (Scriban + layout pass) against the hand-written floor, two ways:
/// each file returned as a string (a ~110 KB large-object-heap allocation per render, for both), and each file
/// written into a reused buffer (as the Go anchor's loop does with its bytes.Buffer). The render stage alone: the
/// models are validated once in setup, as NomadDb's pipeline validates each job once (the public Render validates on
/// every call).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RenderBenchmarks
{
    private readonly char[] _buffer = new char[256 * 1024];
    private (Model.ServiceJob Job, string Source)[] _models = [];
    private FloorEmitter _floor = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _models = TypicalJob.Models();
        _floor = new FloorEmitter(TemplateSet.Embedded);
        EnsureFloorMatchesPipeline(_models, _floor);
    }

    /// <summary>The floor is only a floor when it writes exactly what the pipeline writes.</summary>
    public static void EnsureFloorMatchesPipeline((Model.ServiceJob Job, string Source)[] models, FloorEmitter floor, JobRenderer? renderer = null)
    {
        foreach (var (job, source) in models)
        {
            var files = (renderer ?? JobRenderer.Default).Render(job, source);
            var expected = files.Count == 1 ? files[0].Content : throw new InvalidOperationException($"The typical job renders {files.Count} files, expected 1.");
            var actual = floor.Render(job, source);
            if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                var at = Enumerable.Range(0, Math.Min(actual.Length, expected.Length)).FirstOrDefault(i => actual[i] != expected[i], Math.Min(actual.Length, expected.Length));
                var line = expected.AsSpan(0, Math.Min(at, expected.Length)).Count('\n') + 1;
                throw new InvalidOperationException(
                    $"The floor emitter's output differs from the pipeline's for {job.Name} at character {at} (line {line}):\n"
                    + $"pipeline: {Excerpt(expected, at)}\nfloor:    {Excerpt(actual, at)}");
            }
        }
    }

    private static string Excerpt(string text, int at) =>
        text.Substring(Math.Max(0, at - 40), Math.Min(text.Length, at + 40) - Math.Max(0, at - 40)).Replace("\n", "\\n");

    private (Model.ServiceJob Job, string Source) NextModel()
    {
        var model = _models[_next];
        _next = _next + 1 == _models.Length ? 0 : _next + 1;
        return model;
    }

    [Benchmark(Baseline = true, Description = "Floor: hand-written StringBuilder")]
    [BenchmarkCategory("string per file")]
    public int Floor()
    {
        var (job, source) = NextModel();
        return _floor.Render(job, source).Length;
    }

    [Benchmark(Description = "Pipeline: JobRenderer.Render (Scriban + layout)")]
    [BenchmarkCategory("string per file")]
    public int Pipeline()
    {
        var (job, source) = NextModel();
        return JobRenderer.Default.RenderValid(job, source)[0].Content.Length;
    }

    [Benchmark(Baseline = true, Description = "Floor: hand-written, into a reused buffer")]
    [BenchmarkCategory("reused buffer")]
    public int FloorIntoBuffer()
    {
        var (job, source) = NextModel();
        var emitted = _floor.Write(job, source);
        emitted.CopyTo(0, _buffer, emitted.Length);
        return emitted.Length;
    }

    [Benchmark(Description = "Pipeline: JobRenderer.RenderTo, into a reused buffer")]
    [BenchmarkCategory("reused buffer")]
    public int PipelineIntoBuffer()
    {
        var (job, source) = NextModel();
        var length = 0;
        JobRenderer.Default.RenderValidTo(job, source, JobFormat.Hcl, (_, content) =>
        {
            content.CopyTo(_buffer);
            length = content.Length;
        });
        return length;
    }
}

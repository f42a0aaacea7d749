using System.Diagnostics;
using System.Globalization;
using NomadDbPatterns.Rendering;

namespace NomadDbPatterns.Benchmarks;

/// <summary>
/// Times renders the way the Go anchor (benchmarks/anchor) does: 100 prepared models, N renders in a plain loop on one
/// thread, wall time around the loop, renders/s printed. A warm-up of the same loop first lets the JIT reach its
/// steady state (Go compiles ahead of time; the first-render cost is measured by the CLI start-up comparison).
/// <c>print [I]</c> prints model I (default 0) and <c>print-all DIR</c> writes every model to DIR/I.hcl, so that
/// run.sh can check that the anchor writes the same bytes before it times anything.
/// </summary>
public static class AnchorCompare
{
    /// <summary>
    /// Runs the loop in 250 ms windows until two windows in a row agree within 3% (at least 1 s, at most 20 s): tiered
    /// compilation reaches its optimized code later when the process is pinned to one busy core.
    /// </summary>
    public static void WarmUp(Func<int, int> render)
    {
        var total = Stopwatch.StartNew();
        var previous = 0.0;
        var i = 0;
        while (total.Elapsed < TimeSpan.FromSeconds(20))
        {
            var window = Stopwatch.StartNew();
            var count = 0;
            while (window.ElapsedMilliseconds < 250)
            {
                render(i++);
                count++;
            }

            var rate = count / window.Elapsed.TotalSeconds;
            if (total.Elapsed >= TimeSpan.FromSeconds(1) && Math.Abs(rate - previous) <= 0.03 * rate)
            {
                return;
            }

            previous = rate;
        }
    }

    public static int Run(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var which = args.Length > 1 ? args[1] : "pipeline";
        var models = TypicalJob.Models();
        var templates = TemplateSet.Embedded;
        var renderer = new JobRenderer(templates);
        if (which == "print")
        {
            var index = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
            Console.Write(renderer.Render(models[index].Job, models[index].Source)[0].Content);
            return 0;
        }

        if (which == "print-all")
        {
            var directory = args.Length > 2 ? args[2] : throw new ArgumentException("print-all needs a directory");
            Directory.CreateDirectory(directory);
            for (var i = 0; i < models.Length; i++)
            {
                var files = renderer.Render(models[i].Job, models[i].Source);
                if (files.Count != 1)
                {
                    throw new InvalidOperationException($"The typical job renders {files.Count} files; the anchor writes one.");
                }

                File.WriteAllText(Path.Combine(directory, $"{i}.hcl"), files[0].Content);
            }

            return 0;
        }

        var floor = new FloorEmitter(templates);
        RenderBenchmarks.EnsureFloorMatchesPipeline(models, floor, renderer);

        // The anchor executes into one bytes.Buffer it resets per render; RenderTo's sink copies into one reused array.
        var buffer = new char[256 * 1024];
        var written = 0;
        void Copy(string fileName, ReadOnlySpan<char> content)
        {
            content.CopyTo(buffer);
            written = content.Length;
        }

        Func<int, int> render = which switch
        {
            "pipeline" => i =>
            {
                renderer.RenderValidTo(models[i % models.Length].Job, models[i % models.Length].Source, JobFormat.Hcl, Copy);
                return written;
            },
            "pipeline-strings" => i => renderer.RenderValid(models[i % models.Length].Job, models[i % models.Length].Source)[0].Content.Length,
            "floor" => i =>
            {
                var emitted = floor.Write(models[i % models.Length].Job, models[i % models.Length].Source);
                emitted.CopyTo(0, buffer, emitted.Length);
                return emitted.Length;
            },
            "floor-strings" => i => floor.Render(models[i % models.Length].Job, models[i % models.Length].Source).Length,
            _ => throw new ArgumentException($"unknown mode '{which}' (pipeline | pipeline-strings | floor | floor-strings | print [I] | print-all DIR)"),
        };

        WarmUp(render);

        long total = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            total += render(i);
        }

        stopwatch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dotnet {which}: {n} renders in {stopwatch.Elapsed.TotalMilliseconds:F0}ms: {n / seconds:F0} renders/s, {seconds * 1e6 / n:F1} us/render, {total / n} bytes/render ({allocated / n} bytes allocated/render, {cpu.TotalMicroseconds / n:F1} us CPU/render, process CPU {cpu.TotalSeconds / seconds:P0} of wall time)"));
        return 0;
    }
}

using System.Diagnostics;
using System.Globalization;
using NomadDbPatterns.Hcl;
using NomadDbPatterns.Rendering;

namespace NomadDbPatterns.Benchmarks;

/// <summary>
/// `breakdown`: a quick split of one render's time over its public stages, to find hot spots without a profiler.
/// Each stage runs in a plain loop after a warm-up; the numbers are approximate and only meant to be compared.
/// </summary>
public static class Breakdown
{
    public static int Run()
    {
        var models = TypicalJob.Models();
        var (job, source) = models[0];
        var templates = TemplateSet.Embedded;
        var renderer = new JobRenderer(templates);
        var rendered = renderer.Render(job, source)[0].Content;
        var length = 0;
        int RenderTo(int i)
        {
            renderer.RenderValidTo(models[i % 100].Job, models[i % 100].Source, JobFormat.Hcl, (_, content) => length = content.Length);
            return length;
        }

        // Tiered compilation of the whole pipeline takes a few seconds on a busy 2-core machine: without this, the
        // first line measured the tier-up.
        AnchorCompare.WarmUp(RenderTo);
        Measure("whole render (JobRenderer.RenderTo)", 3000, RenderTo);
        Measure("whole render (JobRenderer.Render: strings)", 3000, i => renderer.RenderValid(models[i % 100].Job, models[i % 100].Source).Count);
        var doc = new ServiceJobDocBuilder(job, source, templates).BuildServiceJob();
        var view = HclViewMapper.Map(doc);
        var raw = templates.Render("job.nomad.hcl.scriban", "job", view);
        Measure("  ServiceJobDocBuilder.BuildServiceJob", 3000, i => new ServiceJobDocBuilder(models[i % 100].Job, models[i % 100].Source, templates).BuildServiceJob().Group.Tasks.Count);
        Measure("  HclViewMapper.Map", 3000, _ => HclViewMapper.Map(doc).Group.Tasks.Count);
        Measure("  TemplateSet.Render (Scriban)", 3000, _ => templates.Render("job.nomad.hcl.scriban", "job", view).Length);
        Measure("  HclLayout.Format (of the template output, into its reused buffer)", 3000, _ =>
        {
            var length = 0;
            HclLayout.Format(raw.AsMemory(), 0, (text, _) => length = text.Length);
            return length;
        });
        Measure("copy of the output into a new string", 3000, _ => rendered.AsSpan().ToString().Length);
        Measure("BackupStaleness.StaleAfterSeconds", 3000, _ => (int)BackupStaleness.StaleAfterSeconds(job.Backup!.Schedule));
        Measure("new Scriban TemplateContext()", 3000, _ => new Scriban.TemplateContext().LoopLimit);
        Measure("TemplateSet.ReadText(scripts/pg-backup.sh)", 3000, _ => TemplateSet.Embedded.ReadText("scripts/pg-backup.sh").Length);
        Measure("HclString.Quote x60", 3000, i => { var n = 0; for (var k = 0; k < 60; k++) { n += HclString.Quote("myservice-postgres").Length; } return n; });
        var yaml = TypicalJob.Yaml("svc1");
        Measure("YamlDotNet parser events (typical)", 3000, _ =>
        {
            var parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
            var events = 0;
            while (parser.MoveNext())
            {
                events++;
            }

            return events;
        });
        Measure("YamlDotNet scanner tokens (typical)", 3000, _ =>
        {
            var scanner = new YamlDotNet.Core.Scanner(new StringReader(yaml));
            var tokens = 0;
            while (scanner.MoveNext())
            {
                tokens++;
            }

            return tokens;
        });
        Measure("SpecLoader.LoadText (typical)", 3000, i => Spec.SpecLoader.LoadText(TypicalJob.Yaml("svc1"), "x.yaml").Jobs.Count);
        var loaded = Spec.SpecLoader.LoadText(TypicalJob.Yaml("svc1"), "x.yaml").Jobs;
        Measure("NomadDb.Validate (typical)", 3000, i => NomadDb.Validate(loaded).Count);
        return 0;
    }

    public static int Allocations(string specs)
    {
        long Now() => GC.GetTotalAllocatedBytes(precise: true);
        var start = Now();
        var files = Spec.SpecLoader.ExpandInputs([specs]);
        var loaded = Spec.SpecLoader.LoadFiles(files);
        var afterLoad = Now();
        var diagnostics = NomadDb.Validate(loaded.Jobs).Count + Validation.FleetValidator.Validate(loaded.Jobs, loaded.SharedInstances).Count;
        var afterValidate = Now();
        var length = 0L;
        foreach (var job in loaded.Jobs)
        {
            JobRenderer.Default.RenderValidTo(job.Job, job.File, JobFormat.Hcl, (_, content) => length += content.Length);
        }

        var afterRender = Now();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load {(afterLoad - start) / 1024} KB, validate {(afterValidate - afterLoad) / 1024} KB, render {(afterRender - afterValidate) / 1024} KB ({loaded.Jobs.Count} jobs, {length / 1024} KB of HCL, {diagnostics} diagnostics)"));
        return 0;
    }

    public static int LayoutLoop(double seconds)
    {
        var (job, source) = TypicalJob.Models()[0];
        var templates = TemplateSet.Embedded;
        var raw = templates.Render("job.nomad.hcl.scriban", "job", HclViewMapper.Map(new ServiceJobDocBuilder(job, source, templates).BuildServiceJob()));
        if (Environment.GetEnvironmentVariable("DUMP_RAW") is { } dump)
        {
            File.WriteAllText(dump, raw);
        }

        var stopwatch = Stopwatch.StartNew();
        var count = 0;
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            HclLayout.Format(raw.AsMemory(), 0, static (_, _) => { });
            count++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"layout: {stopwatch.Elapsed.TotalMicroseconds / count:F2} us per pass over {raw.Length} chars"));
        return 0;
    }

    /// <summary>`fleet N`: one timed load + validate + render of a generated fleet of N specs, split by stage.</summary>
    public static int Fleet(int count)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"nomad-db-fleet-{count}-{Environment.ProcessId}");
        Benchmarks.Fleet.Write(directory, count);
        try
        {
            // A small fleet first, so the timed run does not include JIT and first-use costs.
            var warmup = Path.Combine(directory, "team00");
            NomadDb.Render([warmup], new RenderOptions { BaseDirectory = warmup });
            var total = Stopwatch.StartNew();
            var stage = Stopwatch.StartNew();
            var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
            var files = Spec.SpecLoader.ExpandInputs([directory]);
            var loaded = Spec.SpecLoader.LoadFiles(files);
            var load = stage.Elapsed;
            Console.WriteLine($"load: gen0 {GC.CollectionCount(0) - gcBefore.Item1}, gen1 {GC.CollectionCount(1) - gcBefore.Item2}, gen2 {GC.CollectionCount(2) - gcBefore.Item3}, allocated {(GC.GetTotalAllocatedBytes() - gcBefore.Item4) / 1e6:F0} MB, pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms total so far");
            stage.Restart();
            var diagnostics = NomadDb.Validate(loaded.Jobs).Count;
            var validate = stage.Elapsed;
            stage.Restart();
            diagnostics += Validation.FleetValidator.Validate(loaded.Jobs).Count;
            var fleet = stage.Elapsed;
            stage.Restart();
            var bytes = 0L;
            foreach (var job in loaded.Jobs)
            {
                JobRenderer.Default.RenderValidTo(job.Job, NomadDb.DisplayPath(job.File, directory), JobFormat.Hcl, (_, content) => bytes += content.Length);
            }

            var render = stage.Elapsed;
            total.Stop();
            var whole = Stopwatch.StartNew();
            var result = NomadDb.Render([directory], new RenderOptions { BaseDirectory = directory });
            whole.Stop();
            var output = directory + "-out";
            var written = Stopwatch.StartNew();
            var writeResult = NomadDb.RenderToDirectory([directory], output, new RenderOptions { BaseDirectory = directory });
            written.Stop();
            Directory.Delete(output, recursive: true);
            if (diagnostics > 0 || !result.Success || !writeResult.Success)
            {
                throw new InvalidOperationException("the generated fleet is not valid");
            }

            string Ms(TimeSpan t) => (t.TotalMilliseconds).ToString("F0", CultureInfo.InvariantCulture);
            string PerJob(TimeSpan t) => (t.TotalMicroseconds / count).ToString("F0", CultureInfo.InvariantCulture);
            Console.WriteLine($"fleet {count}: load {Ms(load)}ms ({PerJob(load)}us/job), validate {Ms(validate)}ms ({PerJob(validate)}us/job), fleet rules {Ms(fleet)}ms, render {Ms(render)}ms ({PerJob(render)}us/job, {bytes / count} bytes/job); stages {Ms(total.Elapsed)}ms; NomadDb.Render {Ms(whole.Elapsed)}ms ({PerJob(whole.Elapsed)}us/job); NomadDb.RenderToDirectory {Ms(written.Elapsed)}ms ({PerJob(written.Elapsed)}us/job)");
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Measure(string what, int n, Func<int, int> action)
    {
        // Long enough for tiered compilation to reach its optimized code.
        var warmup = Stopwatch.StartNew();
        for (var i = 0; i < 200 || warmup.ElapsedMilliseconds < 700; i++)
        {
            action(i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            action(i);
        }

        stopwatch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-45} {stopwatch.Elapsed.TotalMicroseconds / n,9:F2} us {allocated / n,9} B"));
    }
}

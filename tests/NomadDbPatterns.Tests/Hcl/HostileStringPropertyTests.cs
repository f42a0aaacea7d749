using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using NomadDbPatterns.Hcl;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>
/// The escaping, proven at random: jobs whose every free-text field holds a hostile string (<see cref="HostileStrings"/>)
/// are rendered through the real pipeline (<see cref="JobRenderer"/>: view model, Scriban templates, layout pass),
/// parsed by HashiCorp's HCL parser in one batch, and every field must read back as its input. Every rendered file
/// must also be a fixed point of the layout and of <c>nomad fmt</c>.
/// </summary>
/// <remarks>
/// Cases come from a CsCheck <see cref="PCG"/>; its seed is printed on every run and in every failure. Replay one with
/// <c>CSCHECK_SEED=&lt;seed&gt; dotnet test --filter HostileStringPropertyTests</c>; <c>CSCHECK_ITER</c> sets the number
/// of jobs (default 2,000). A failing field is shrunk to a small input before it is reported, in batches too.
/// </remarks>
[TestFixture]
public sealed class HostileStringPropertyTests
{
    private const int DefaultJobs = 2000;

    /// <summary>Rendered files per parser input: the parser is called once per text, so many files share one text.</summary>
    private const int FilesPerText = 25;

    /// <summary>The generator, its printed seed (CSCHECK_SEED replays it) and the job count (CSCHECK_ITER).</summary>
    private static (PCG Pcg, string Seed, int Count) SeedAndBudget()
    {
        var seed = Environment.GetEnvironmentVariable("CSCHECK_SEED");
        var pcg = string.IsNullOrWhiteSpace(seed) ? new PCG((uint)Random.Shared.Next(), (ulong)Random.Shared.NextInt64()) : PCG.Parse(seed.Trim());
        var count = int.TryParse(Environment.GetEnvironmentVariable("CSCHECK_ITER"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultJobs;
        TestContext.Out.WriteLine($"CSCHECK_SEED={pcg} CSCHECK_ITER={count}");
        return (pcg, pcg.ToString(), count);
    }

    [Test]
    public void Every_hostile_string_in_every_free_text_field_reads_back_unchanged()
    {
        var (pcg, seed, count) = SeedAndBudget();
        var clock = Stopwatch.StartNew();

        var jobs = Enumerable.Range(0, count).Select(_ => HostileJob.Generate(pcg)).ToList();
        var results = Run(jobs);
        var failures = results.SelectMany((result, i) => result.Failures.Select(failure => (Job: i, Failure: failure))).ToList();
        var fields = results.Sum(r => r.Fields);
        TestContext.Out.WriteLine($"{count} jobs, {fields} fields read back, {failures.Count} failures in {clock.Elapsed.TotalSeconds:F1}s");

        Assert.Multiple(() =>
        {
            Assert.That(fields, Is.GreaterThan(count * 10), "the read-back must cover many fields per job");
            AssertHeredocsAreExercised(jobs);
            if (failures.Count > 0)
            {
                var (job, failure) = failures[0];
                var shrunk = Minimize(jobs[job]);
                Assert.Fail(new StringBuilder()
                    .AppendLine($"{failures.Count} failures over {count} jobs; replay with CSCHECK_SEED={seed} CSCHECK_ITER={count}")
                    .AppendLine($"first: job {job}, {failure}")
                    .AppendLine($"shrunk: {shrunk}")
                    .AppendLine("others:")
                    .AppendJoin(Environment.NewLine, failures.Skip(1).Take(15).Select(f => $"  job {f.Job}: {f.Failure}"))
                    .ToString());
            }
        });
    }

    /// <summary>
    /// The meaningful version for Nomad: valid twins (<see cref="HostileJob.GenerateValidTwin"/>, hostile strings only in
    /// the fields Nomad takes as text, see <see cref="ValidTwin"/>) must pass Nomad v2.0.5's server rules without an
    /// error or a warning (<see cref="NomadConformance"/>), and every value, hostile or not, must still read back
    /// unchanged. Same seed handling and budget as the fully hostile test.
    /// </summary>
    [Test]
    public void Every_valid_twin_passes_nomads_server_rules_and_reads_back_unchanged()
    {
        var (pcg, seed, count) = SeedAndBudget();
        var clock = Stopwatch.StartNew();

        var jobs = Enumerable.Range(0, count).Select(_ => HostileJob.GenerateValidTwin(pcg)).ToList();
        var results = Run(jobs);
        var failures = results.SelectMany((result, i) => result.Failures.Select(failure => (Job: i, Failure: failure))).ToList();
        var refusals = results.SelectMany((result, i) => Refusals(result).Select(refusal => (Job: i, Refusal: refusal))).ToList();
        var fields = results.Sum(r => r.Fields);
        var hostile = jobs.Sum(job => job.Hostile.Count);
        TestContext.Out.WriteLine($"{count} twins, {fields} fields read back ({hostile} hostile), {failures.Count} read-back failures, "
            + $"{refusals.Count} findings of Nomad's rules in {clock.Elapsed.TotalSeconds:F1}s");

        Assert.Multiple(() =>
        {
            Assert.That(fields, Is.GreaterThan(count * 10), "the read-back must cover many fields per job");
            Assert.That(hostile, Is.GreaterThan(count * 5), "a twin must hold many hostile strings");
            AssertHeredocsAreExercised(jobs);
            if (failures.Count > 0)
            {
                var (job, failure) = failures[0];
                Assert.Fail(new StringBuilder()
                    .AppendLine($"{failures.Count} read-back failures over {count} twins; replay with CSCHECK_SEED={seed} CSCHECK_ITER={count}")
                    .AppendLine($"first: job {job}, {failure}")
                    .AppendLine($"shrunk: {Minimize(jobs[job])}")
                    .AppendLine("others:")
                    .AppendJoin(Environment.NewLine, failures.Skip(1).Take(15).Select(f => $"  job {f.Job}: {f.Failure}"))
                    .ToString());
            }

            if (refusals.Count > 0)
            {
                var (job, refusal) = refusals[0];
                TestContext.Out.WriteLine($"Nomad's rules refuse twins; replay with CSCHECK_SEED={seed} CSCHECK_ITER={count}");
                Assert.Fail(new StringBuilder()
                    .AppendLine($"{refusals.Count} findings of Nomad v2.0.5's rules over {count} twins; replay with CSCHECK_SEED={seed} CSCHECK_ITER={count}")
                    .AppendLine($"first: job {job}, {refusal}")
                    .AppendLine($"shrunk: {Minimize(jobs[job], candidates => [.. Run(candidates).Select(result => result.Failures.Concat(Refusals(result)).FirstOrDefault())])}")
                    .AppendLine("others:")
                    .AppendJoin(Environment.NewLine, refusals.Skip(1).Take(15).Select(r => $"  job {r.Job}: {r.Refusal}"))
                    .ToString());
                NomadConformance.AssertAccepted(results[job].Files);
            }
        });
    }

    /// <summary>What Nomad would refuse or warn about in one job's parsed files (nothing for a job that did not parse:
    /// its read-back failure says why).</summary>
    private static IReadOnlyList<string> Refusals(JobResult result)
    {
        if (result.Files.Count == 0)
        {
            return [];
        }

        var report = NomadConformance.Check(result.Files);
        return [.. report.Refusals, .. report.Warnings];
    }

    [Test]
    public void Valid_twins_follow_the_printed_seed_and_keep_hostile_strings_in_free_text_fields_only()
    {
        var pcg = new PCG(7, 42);
        var seed = pcg.ToString();
        var first = Enumerable.Range(0, 20).Select(_ => HostileJob.GenerateValidTwin(pcg)).ToList();
        var replayed = PCG.Parse(seed);
        var second = Enumerable.Range(0, 20).Select(_ => HostileJob.GenerateValidTwin(replayed)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(second.Select(j => j.Values), Is.EqualTo(first.Select(j => j.Values)));
            Assert.That(first.SelectMany(job => job.Hostile), Has.None.Match(@"^(job\.name|app\.name|app\.image|app\.port\[|app\.service\.name|update\.|restart\.|.*\.operator$|.*change_mode$|.*perms$|.*\.volume$|.*volume\[\d+\]\.(name|source)$|backup\.time_zone$|job\.(namespace|region|node_pool|datacenters))"));
            Assert.That(first.SelectMany(job => job.Hostile), Has.Some.StartsWith("app.env[").And.Some.StartsWith("app.template["));
        });
    }

    [Test]
    public void The_printed_seed_replays_the_same_jobs()
    {
        var pcg = new PCG(7, 42);
        var seed = pcg.ToString();
        var first = Enumerable.Range(0, 20).Select(_ => HostileJob.Generate(pcg)).ToList();
        var replayed = PCG.Parse(seed);
        var second = Enumerable.Range(0, 20).Select(_ => HostileJob.Generate(replayed)).ToList();

        Assert.That(second.Select(j => j.Values), Is.EqualTo(first.Select(j => j.Values)));
    }

    /// <summary>Most template data must actually take the heredoc path, or the test would prove little about it.</summary>
    private static void AssertHeredocsAreExercised(List<HostileJob> jobs)
    {
        var data = jobs.SelectMany(j => j.Values.Where(v => v.Key.EndsWith("].data", StringComparison.Ordinal)).Select(v => v.Value)).ToList();
        var heredocs = data.Count(d => HclString.HeredocOrNull(d) is not null);
        TestContext.Out.WriteLine($"template data: {heredocs} of {data.Count} as heredocs");
        Assert.That(heredocs, Is.GreaterThan(data.Count / 10), "share of template data written as heredocs");
    }

    private sealed record JobResult(int Fields, List<string> Failures, IReadOnlyDictionary<string, JsonElement> Files);

    /// <summary>Renders every job, parses all files in one parser run, and reads every field back.</summary>
    private static List<JobResult> Run(IReadOnlyList<HostileJob> jobs)
    {
        var rendered = new List<IReadOnlyList<RenderedFile>?>(jobs.Count);
        var renderErrors = new Dictionary<int, string>();
        for (var i = 0; i < jobs.Count; i++)
        {
            try
            {
                rendered.Add(JobRenderer.Default.RenderValid(jobs[i].Build(), jobs[i].SourceName));
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
            {
                rendered.Add(null);
                renderErrors[i] = $"rendering threw {e.GetType().Name}: {e.Message}";
            }
        }
        var parsed = ParseAll(rendered);
        var results = new List<JobResult>(jobs.Count);
        for (var i = 0; i < jobs.Count; i++)
        {
            if (renderErrors.TryGetValue(i, out var error))
            {
                results.Add(new JobResult(0, [error], new Dictionary<string, JsonElement>()));
                continue;
            }

            var failures = new List<string>();
            var files = new Dictionary<string, JsonElement>();
            foreach (var file in rendered[i]!)
            {
                if (parsed[(i, file.FileName)] is { Json: { } json })
                {
                    files[file.FileName] = json;
                }
                else
                {
                    failures.Add($"{HclRead.Show(file.FileName)} does not parse: {Truncate(parsed[(i, file.FileName)].Error)}");
                }

                foreach (var problem in HclFmt.Check(file.Content).Take(3))
                {
                    failures.Add($"{HclRead.Show(file.FileName)} is not a nomad fmt fixed point: {Truncate(problem.ToString())}");
                }

                if (HclLayoutText.Format(file.Content) != file.Content)
                {
                    failures.Add($"{HclRead.Show(file.FileName)} is not a fixed point of HclLayout.Format");
                }
            }

            var observations = failures.Count == 0 ? jobs[i].ReadBack(files).ToList() : [];
            failures.AddRange(observations.Where(o => !o.Passed).Select(o =>
                $"{o.Field}: input {HclRead.Show(jobs[i].Values.GetValueOrDefault(o.Field.Split(' ')[0]))}, expected {HclRead.Show(o.Expected)}, read back {HclRead.Show(o.Actual)}"));
            results.Add(new JobResult(observations.Count, failures, files));
        }

        return results;
    }

    /// <summary>
    /// Parses every file in one node process. Files are packed many to a text, each wrapped in a block of its own
    /// (HCL nests a body in a block unchanged, heredocs included); a text that does not parse is split up again so
    /// that the failure lands on the right file.
    /// </summary>
    private static Dictionary<(int Job, string File), Hcl2JsonResult> ParseAll(IReadOnlyList<IReadOnlyList<RenderedFile>?> rendered)
    {
        var files = rendered.SelectMany((list, job) => (list ?? []).Select(file => (Job: job, File: file))).ToList();
        var texts = new Dictionary<string, string>();
        for (var start = 0; start < files.Count; start += FilesPerText)
        {
            var text = new StringBuilder();
            for (var k = start; k < Math.Min(files.Count, start + FilesPerText); k++)
            {
                text.Append("file_").Append(k).Append(" {\n").Append(files[k].File.Content).Append("}\n");
            }

            texts[$"chunk_{start}"] = text.ToString();
        }
        var chunks = Hcl2Json.TryParseTexts(texts);
        var result = new Dictionary<(int, string), Hcl2JsonResult>();
        var retry = new Dictionary<string, string>();
        for (var k = 0; k < files.Count; k++)
        {
            var chunk = chunks[$"chunk_{k - k % FilesPerText}"];
            if (chunk.Json is { } json && json.TryGetProperty($"file_{k}", out var wrapped))
            {
                result[(files[k].Job, files[k].File.FileName)] = new Hcl2JsonResult(wrapped[0], null);
            }
            else
            {
                retry[$"file_{k}"] = files[k].File.Content;
            }
        }

        foreach (var (name, single) in retry.Count > 0 ? Hcl2Json.TryParseTexts(retry) : new Dictionary<string, Hcl2JsonResult>())
        {
            var k = int.Parse(name["file_".Length..], CultureInfo.InvariantCulture);
            result[(files[k].Job, files[k].File.FileName)] = single;
        }

        return result;
    }

    /// <summary>
    /// Finds a small input that still fails: first the one field that fails on its own (every other field set to a
    /// plain value), then that field's input made smaller while the job still fails, removing runs of text elements
    /// (halves, quarters, … single ones). Every step renders and parses all its candidates in one batch.
    /// </summary>
    private static string Minimize(HostileJob job) => Minimize(job, candidates => [.. Run(candidates).Select(result => result.Failures.FirstOrDefault())]);

    /// <summary>As <see cref="Minimize(HostileJob)"/>, for any check: <paramref name="firstFailure"/> gives each job's
    /// first failure, or null. Only the job's hostile fields are made plain (a twin's structural fields stay valid).</summary>
    private static string Minimize(HostileJob job, Func<IReadOnlyList<HostileJob>, List<string?>> firstFailure)
    {
        var keys = (job.Hostile.Count > 0 ? job.Hostile : job.Values.Keys).ToList();
        var plain = job with
        {
            Values = job.Values.ToImmutableSortedDictionary(pair => pair.Key, pair => keys.Contains(pair.Key) ? $"p{keys.IndexOf(pair.Key)}" : pair.Value, StringComparer.Ordinal),
        };
        var alone = firstFailure([plain, .. keys.Select(key => plain.With(key, job.Values[key]))]);
        if (alone[0] is { } plainFailure)
        {
            return $"fails even with plain values in every hostile field: {plainFailure}";
        }

        var index = alone.FindIndex(1, failure => failure is not null) - 1;
        if (index < 0)
        {
            return "no field fails on its own: the failure needs several hostile fields together";
        }

        var field = keys[index];
        var elements = TextElements(job.Values[field]);
        for (var round = 0; round < 40 && elements.Count > 0; round++)
        {
            var candidates = new List<List<string>>();
            for (var size = Math.Max(1, elements.Count / 2); ; size /= 2)
            {
                for (var start = 0; start < elements.Count; start += size)
                {
                    candidates.Add([.. elements.Take(start), .. elements.Skip(start + size)]);
                }

                if (size == 1)
                {
                    break;
                }
            }

            var results = firstFailure([.. candidates.Select(c => plain.With(field, string.Concat(c)))]);
            var smaller = candidates.Zip(results).FirstOrDefault(pair => pair.Second is not null).First;
            if (smaller is null)
            {
                break;
            }

            elements = smaller;
        }

        var shrunk = string.Concat(elements);
        return $"{field} = {HclRead.Show(shrunk)} fails on its own: {firstFailure([plain.With(field, shrunk)])[0]}";
    }

    private static string Truncate(string? text) => text is null || text.Length <= 300 ? text ?? string.Empty : text[..300] + "…";

    private static List<string> TextElements(string value)
    {
        var elements = new List<string>();
        var enumerator = StringInfo.GetTextElementEnumerator(value);
        while (enumerator.MoveNext())
        {
            elements.Add(enumerator.GetTextElement());
        }

        return elements;
    }
}

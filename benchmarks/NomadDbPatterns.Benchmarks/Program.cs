using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using NomadDbPatterns.Benchmarks;

// `anchor-compare N`: the Go anchor's loop, for a like-for-like renders/s figure; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "anchor-compare")
{
    return AnchorCompare.Run(args[1..]);
}

if (args.Length > 1 && args[0] == "fleet")
{
    return Breakdown.Fleet(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
}

// `fleet-specs DIR N`: writes a generated fleet of N spec files into DIR (for timing the CLI on it, see run.sh).
if (args.Length > 2 && args[0] == "fleet-specs")
{
    Fleet.Write(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

// `layout-loop SECONDS`: only the layout pass over the typical job's template output, in a loop (to profile it).
if (args.Length > 1 && args[0] == "layout-loop")
{
    return Breakdown.LayoutLoop(double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
}

// `allocations DIR`: managed bytes allocated by one cold `render DIR` in this process, split by stage (start-up cost:
// under AOT every fresh allocation is zeroed and page-faulted in).
if (args.Length > 1 && args[0] == "allocations")
{
    return Breakdown.Allocations(args[1]);
}

if (args.Length > 0 && args[0] == "breakdown")
{
    return Breakdown.Run();
}

// Unless the command line picks a job (e.g. `--job dry` for the CI smoke run), a fixed, modest number of iterations:
// a 10,000-spec fleet takes seconds per operation, and the machine is shared.
var config = args.Any(a => a is "--job" or "-j")
    ? DefaultConfig.Instance
    : DefaultConfig.Instance.AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).AsDefault());
var summaries = BenchmarkSwitcher.FromAssembly(typeof(RenderBenchmarks).Assembly).Run(args, config).ToList();
// A failed benchmark (e.g. the floor no longer equal to the pipeline's output) must fail the CI smoke run.
var failed = summaries.Count == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;

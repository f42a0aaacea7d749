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

if (args.Length > 0 && args[0] == "breakdown")
{
    return Breakdown.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(RenderBenchmarks).Assembly).Run(args);
return 0;

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NomadDbPatterns.Nomad;

/// <summary>
/// Explains why Nomad could not place allocations: the metric's reasons in the words <c>nomad job plan</c> and
/// <c>nomad job run</c> use (<c>command/monitor.go</c> <c>formatAllocMetrics</c>), and for the reasons a job of this
/// project meets, what to do about them.
/// </summary>
public static class PlacementFailures
{
    /// <summary>The scheduler's reason for nodes without a job's host volume (scheduler/feasible/feasible.go FilterConstraintHostVolumes).</summary>
    public const string MissingHostVolumes = "missing compatible host volumes";

    /// <summary>The reasons, one line each, as <c>formatAllocMetrics</c> words them (sorted, for stable output).</summary>
    public static IReadOnlyList<string> Reasons(AllocationMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var lines = new List<string>();
        if (metric.NodesEvaluated == 0)
        {
            lines.Add("No nodes were eligible for evaluation");
        }

        foreach (var (dc, available) in Sorted(metric.NodesAvailable))
        {
            if (available == 0)
            {
                lines.Add($"No nodes are available in datacenter \"{dc}\"");
            }
        }

        lines.AddRange(Sorted(metric.ClassFiltered).Select(c => $"Class \"{c.Key}\": {Nodes(c.Value)} excluded by filter"));
        lines.AddRange(Sorted(metric.ConstraintFiltered).Select(c => $"Constraint \"{c.Key}\": {Nodes(c.Value)} excluded by filter"));
        if (metric.NodesExhausted > 0)
        {
            lines.Add($"Resources exhausted on {Nodes(metric.NodesExhausted)}");
        }

        lines.AddRange(Sorted(metric.ClassExhausted).Select(c => $"Class \"{c.Key}\" exhausted on {Nodes(c.Value)}"));
        lines.AddRange(Sorted(metric.DimensionExhausted).Select(d => $"Dimension \"{d.Key}\" exhausted on {Nodes(d.Value)}"));
        lines.AddRange(metric.QuotaExhausted.Select(q => $"Quota limit hit \"{q}\""));
        return lines;
    }

    /// <summary>
    /// What to do, one line per recognised reason. <paramref name="job"/> (the API job JSON) lets the host volume
    /// advice name the volumes the group asks for.
    /// </summary>
    public static IReadOnlyList<string> NextSteps(string group, AllocationMetric metric, JsonObject? job = null)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var steps = new List<string>();
        var filtered = metric.ConstraintFiltered.Keys.ToList();
        if (metric.NodesEvaluated == 0 || metric.NodesAvailable.Count > 0 && metric.NodesAvailable.Values.All(v => v == 0))
        {
            steps.Add($"no ready client in the job's datacenters and node pool \"{metric.NodePool}\": check `nomad node status` and the job's datacenters");
        }

        // Reason texts: scheduler/feasible/feasible.go (FilterConstraintHostVolumes, FilterConstraintDrivers,
        // "missing network"), scheduler/feasible/rank.go ("network: port collision"), structs.go Superset (cpu, memory).
        if (filtered.Contains(MissingHostVolumes))
        {
            var sources = HostVolumeSources(job, group);
            var named = sources.Count switch
            {
                0 => "s the group mounts",
                1 => $" \"{sources[0]}\"",
                _ => "s " + string.Join(" and ", sources.Select(s => $"\"{s}\"")),
            };
            steps.Add($"no eligible client has the host volume{named}: declare {(sources.Count == 1 ? "it" : "them")} on a client (a host_volume block in the client configuration, or `nomad volume create` for a dynamic host volume), owned by the PostgreSQL image's user (70:70 Alpine, 999:999 Debian)");
        }

        if (filtered.Contains("missing drivers"))
        {
            steps.Add("no eligible client has a healthy docker driver: check the clients' drivers (`nomad node status -verbose <node>`) and that Docker runs there");
        }

        if (filtered.Contains("missing network"))
        {
            steps.Add("no eligible client offers the group's network mode: bridge networking needs the CNI reference plugins in the client's cni_path (default /opt/cni/bin); install them or use network: host (`nomad-db explain network`)");
        }

        if (metric.DimensionExhausted.ContainsKey("network: port collision"))
        {
            steps.Add("a static port the group asks for is taken on every eligible client: choose another port (with network: host every port is static)");
        }

        var resources = metric.DimensionExhausted.Keys.Where(k => k is "cpu" or "memory" or "disk" or "cores").Order(StringComparer.Ordinal).ToList();
        if (resources.Count > 0)
        {
            steps.Add($"not enough free {string.Join(" and ", resources)} on any eligible client: lower the tasks' resources or add capacity");
        }

        return steps;
    }

    /// <summary>
    /// All placement failures of a plan or evaluation: per task group, the number of allocations that could not
    /// be placed, the reasons and the next steps. Empty text when there are none; otherwise it ends with a newline.
    /// </summary>
    public static string Format(IReadOnlyDictionary<string, AllocationMetric> failures, JsonObject? job = null, string indent = "")
    {
        ArgumentNullException.ThrowIfNull(failures);
        var text = new StringBuilder();
        foreach (var (group, metric) in failures.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var count = metric.CoalescedFailures + 1;
            text.Append(CultureInfo.InvariantCulture, $"{indent}Task group \"{group}\" (failed to place {count} allocation{(count == 1 ? "" : "s")}):\n");
            foreach (var reason in Reasons(metric))
            {
                text.Append(CultureInfo.InvariantCulture, $"{indent}  * {reason}\n");
            }

            foreach (var step in NextSteps(group, metric, job))
            {
                text.Append(CultureInfo.InvariantCulture, $"{indent}  next: {step}\n");
            }
        }

        return text.ToString();
    }

    private static List<string> HostVolumeSources(JsonObject? job, string group)
    {
        var volumes = job?["TaskGroups"]?.AsArray().FirstOrDefault(g => g?["Name"]?.GetValue<string>() == group)?["Volumes"] as JsonObject;
        return volumes is null
            ? []
            : volumes.Select(v => v.Value)
                .Where(v => v?["Type"]?.GetValue<string>() == "host")
                .Select(v => v?["Source"]?.GetValue<string>() ?? "")
                .Where(s => s.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
    }

    private static IEnumerable<KeyValuePair<string, int>> Sorted(IReadOnlyDictionary<string, int> map) => map.OrderBy(e => e.Key, StringComparer.Ordinal);

    // Nomad writes "nodes" whatever the count ("1 nodes excluded by filter").
    private static string Nodes(int count) => count.ToString(CultureInfo.InvariantCulture) + " nodes";
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NomadDbPatterns.Nomad;

/// <summary>A node the job may use that lacks some of its host volumes.</summary>
/// <param name="Node">The node.</param>
/// <param name="Missing">The volume names (the job's <c>source</c>s) the node does not offer.</param>
public sealed record NodeVolumeGap(NodeListStub Node, IReadOnlyList<string> Missing);

/// <summary>Which of a job's host volumes each node it may use lacks.</summary>
/// <param name="Required">The host volume names the job's groups mount (their <c>source</c>).</param>
/// <param name="Candidates">The ready, eligible nodes in the job's datacenters and node pool.</param>
/// <param name="Gaps">The candidates lacking a volume (all of them when no node offers every volume).</param>
public sealed record HostVolumeReport(IReadOnlyList<string> Required, IReadOnlyList<NodeListStub> Candidates, IReadOnlyList<NodeVolumeGap> Gaps)
{
    /// <summary>True when some candidate node offers every volume.</summary>
    public bool SomeNodeHasAll => Candidates.Count > Gaps.Count;
}

/// <summary>
/// Asks Nomad which nodes lack a job's host volumes: the nodes the scheduler would consider (status ready, eligible,
/// in one of the job's datacenters — <c>*</c> globs as Nomad allows — and its node pool; <c>all</c> is every pool)
/// and, per node, the names in <c>api.Node.HostVolumes</c> (static <c>host_volume</c> blocks and ready dynamic
/// volumes). The scheduler's check is the same by name (scheduler/feasible/feasible.go HostVolumeChecker); a dynamic
/// volume of another namespace also fails it, which this report does not see.
/// </summary>
public static class HostVolumeCheck
{
    /// <summary>The host volume sources of every group of <paramref name="job"/> (API JSON), sorted.</summary>
    public static IReadOnlyList<string> RequiredSources(JsonObject job) =>
        [.. (job["TaskGroups"] as JsonArray ?? [])
            .SelectMany(g => (g?["Volumes"] as JsonObject)?.Select(v => v.Value) ?? [])
            .Where(v => v?["Type"]?.GetValue<string>() == "host" && v["Source"] is not null)
            .Select(v => v!["Source"]!.GetValue<string>())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <summary>True when the scheduler would consider <paramref name="node"/> for <paramref name="job"/> at all.</summary>
    public static bool MayRun(NodeListStub node, JsonObject job)
    {
        var pool = job["NodePool"]?.GetValue<string>() is { Length: > 0 } p ? p : "default";
        var datacenters = (job["Datacenters"] as JsonArray)?.Select(d => d!.GetValue<string>()).ToList() is { Count: > 0 } dcs ? dcs : ["*"];
        return node.Status == "ready" && node.SchedulingEligibility == "eligible"
            && (pool == "all" || node.NodePool == pool)
            && datacenters.Any(dc => Regex.IsMatch(node.Datacenter, "^" + string.Join(".*", dc.Split('*').Select(Regex.Escape)) + "$"));
    }

    /// <summary>The report for <paramref name="job"/>; at most <paramref name="maxNodes"/> nodes are read in detail.</summary>
    public static async Task<HostVolumeReport> CheckAsync(NomadClient client, JsonObject job, int maxNodes = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var required = RequiredSources(job);
        if (required.Count == 0)
        {
            return new HostVolumeReport(required, [], []);
        }

        var candidates = (await client.ListNodesAsync(cancellationToken).ConfigureAwait(false))
            .Where(n => MayRun(n, job))
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .Take(maxNodes)
            .ToList();
        var gaps = new List<NodeVolumeGap>();
        foreach (var node in candidates)
        {
            var detail = await client.GetNodeAsync(node.ID, cancellationToken).ConfigureAwait(false);
            var missing = required.Where(r => !detail.HostVolumes.ContainsKey(r)).ToList();
            if (missing.Count > 0)
            {
                gaps.Add(new NodeVolumeGap(node, missing));
            }
        }

        return new HostVolumeReport(required, candidates, gaps);
    }
}

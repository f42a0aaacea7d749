using System.Text.Json.Nodes;
using NomadDbPatterns.Nomad;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// <c>run --create-volumes</c>: creates the dynamic host volumes of each job that Nomad does not have yet, from the
/// <c>*.volume.json</c> requests the render wrote (api.HostVolumeCreateRequest). A job lands on a node holding all of
/// its volumes, while Nomad places each new volume on the first feasible node (nomad/host_volume_endpoint.go
/// placeHostVolume): the first volume a job lacks is placed by Nomad, or pinned to the node of the job's existing
/// ones, and the others follow it (<c>NodeID</c>).
/// </summary>
internal static class HostVolumeCreation
{
    /// <summary>Creates what is missing; false (after an error line) when a job's existing volumes sit on different nodes.</summary>
    public static async Task<bool> CreateMissingAsync(NomadClient client, CliConsole console, IReadOnlyList<NomadJobPayload> jobs, RenderResult result, CancellationToken cancellationToken)
    {
        var requests = result.Files
            .Where(f => f.FileName.EndsWith(".volume.json", StringComparison.Ordinal))
            .Select(f => (f.FileName, Request: JsonNode.Parse(f.Content)!.AsObject()))
            .ToList();
        var existingByNamespace = new Dictionary<string, IReadOnlyList<HostVolumeStub>>(StringComparer.Ordinal);
        var ok = true;
        foreach (var job in jobs)
        {
            var needed = HostVolumeCheck.RequiredSources(job.Job);
            var own = requests
                .Where(r => r.FileName.StartsWith(job.Id + ".", StringComparison.Ordinal) && needed.Contains(Name(r.Request)))
                .ToList();
            if (own.Count == 0)
            {
                continue;
            }

            var @namespace = Namespace(own[0].Request);
            if (!existingByNamespace.TryGetValue(@namespace, out var existing))
            {
                existing = await client.ListHostVolumesAsync(@namespace, cancellationToken);
                existingByNamespace[@namespace] = existing;
            }

            var present = existing.Where(v => own.Any(r => Name(r.Request) == v.Name)).ToList();
            var nodes = present.Select(v => v.NodeID).Distinct(StringComparer.Ordinal).ToList();
            if (nodes.Count > 1)
            {
                console.Error.WriteLine($"error: the host volumes of job \"{job.Id}\" sit on different nodes ("
                    + string.Join(", ", present.Select(v => $"{v.Name} on {AllocationDiagnosis.Short(v.NodeID)}")) + "): no node can run the job; keep them on one node");
                ok = false;
                continue;
            }

            var node = nodes.FirstOrDefault();
            foreach (var volume in present)
            {
                console.Info($"host volume \"{volume.Name}\" exists on node {AllocationDiagnosis.Short(volume.NodeID)} ({volume.State})");
            }

            foreach (var (fileName, request) in own.Where(r => present.All(v => v.Name != Name(r.Request))))
            {
                var created = await client.CreateHostVolumeAsync(request, node, cancellationToken);
                var volume = created.Volume ?? throw new NomadException($"Nomad answered the creation of host volume \"{Name(request)}\" without the volume.");
                node ??= volume.NodeID;
                console.Info($"created host volume \"{volume.Name}\" ({AllocationDiagnosis.Short(volume.ID)}) on node {AllocationDiagnosis.Short(volume.NodeID)} from {fileName}");
                NomadJobs.PrintWarnings(console, job.Id, created.Warnings);
            }
        }

        return ok;
    }

    private static string Name(JsonObject request) => request["Volume"]!["Name"]!.GetValue<string>();

    private static string Namespace(JsonObject request) => request["Volume"]!["Namespace"]?.GetValue<string>() ?? "default";
}

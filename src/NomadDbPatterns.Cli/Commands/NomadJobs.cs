using System.Collections;
using System.Text.Json.Nodes;
using NomadDbPatterns.Model;
using NomadDbPatterns.Nomad;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>A job ready to send to Nomad: its API JSON and where it keeps its database.</summary>
internal sealed record NomadJobPayload(string Id, JsonObject Job, IReadOnlyList<DatabaseTopology> Databases);

/// <summary>Renders specs to Nomad's API JSON for plan and run; shared by both commands.</summary>
internal static class NomadJobs
{
    /// <summary>Environment used to configure the Nomad client (tests replace it).</summary>
    public static Func<IDictionary> Environment { get; set; } = global::System.Environment.GetEnvironmentVariables;

    public static (IReadOnlyList<NomadJobPayload> Jobs, RenderResult Result) Load(IReadOnlyList<string> specs)
    {
        var result = NomadDb.Render(specs, new RenderOptions { Format = JobFormat.Json });
        if (!result.Success)
        {
            return ([], result);
        }

        var loaded = SpecLoader.LoadFiles(SpecLoader.ExpandInputs(specs));
        var models = loaded.Jobs.ToDictionary(j => j.Job.Name, j => j.Job, StringComparer.Ordinal);
        // The legacy shared instance holds every service's data: its server task is guarded like a sidecar.
        var shared = loaded.SharedInstances.ToDictionary(s => s.Job.Name, s => s.Job, StringComparer.Ordinal);
        var jobs = new List<NomadJobPayload>();
        foreach (var file in result.Files.Where(f => f.FileName.EndsWith(".nomad.json", StringComparison.Ordinal)))
        {
            var job = JsonNode.Parse(file.Content)!["Job"]!.AsObject();
            var id = job["ID"]!.GetValue<string>();
            var databases = models.TryGetValue(id, out var model) && model.Postgres is { } pg
                ? new[] { new DatabaseTopology(model.Name, "postgres", [JobFacts.DataVolumeName], pg.Version) }
                : shared.TryGetValue(id, out var instance)
                    ? new[] { new DatabaseTopology(instance.Name, "postgres", [JobFacts.DataVolumeName], instance.Postgres.Version) }
                    : [];
            jobs.Add(new NomadJobPayload(id, job, databases));
        }

        return (jobs, result);
    }

    public static NomadClient Client() => NomadClient.FromEnvironment(Environment());
}

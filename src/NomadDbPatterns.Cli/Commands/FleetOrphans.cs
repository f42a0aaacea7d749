using NomadDbPatterns.Model;
using NomadDbPatterns.Nomad;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>A job in Nomad that carries a fleet's meta while no spec of that fleet describes it any more.</summary>
internal sealed record OrphanJob(FleetRoot Fleet, string Namespace, string Id, string Type, string Status);

/// <summary>What <see cref="FleetOrphans.FindAsync"/> found: the orphans, or why they could not be told.</summary>
/// <param name="Problem">Why the orphans could not be told, or null.</param>
/// <param name="ProblemExitCode">The exit code a command that needs them (<c>run --prune</c>) ends with then.</param>
internal sealed record OrphanScan(IReadOnlyList<FleetRoot> Fleets, IReadOnlyList<OrphanJob> Orphans, string? Problem = null, int ProblemExitCode = ExitCodes.Ok)
{
    public static OrphanScan None { get; } = new([], []);
}

/// <summary>
/// The jobs of a fleet in Nomad whose spec is gone: a job whose meta <c>nomad_db_fleet</c> names a fleet, which is no
/// periodic run or dispatched child, is not stopped, and which no spec under the fleet's directory renders — whichever
/// specs the command was given, so that planning one spec never takes the fleet's other jobs for orphans. The jobs
/// are listed across every namespace with their meta in one call (<c>GET /v1/jobs?namespace=*&amp;meta=true</c>,
/// api.JobListStub.Meta).
/// </summary>
internal static class FleetOrphans
{
    public static async Task<OrphanScan> FindAsync(NomadClient client, IReadOnlyList<NomadJobPayload> jobs, CancellationToken cancellationToken)
    {
        var fleets = jobs.Select(j => j.Fleet).OfType<FleetRoot>().Distinct().OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (fleets.Count == 0)
        {
            return OrphanScan.None;
        }

        var known = new HashSet<(string Namespace, string Id)>();
        foreach (var fleet in fleets)
        {
            var loaded = SpecLoader.LoadFiles(SpecLoader.ExpandInputs([fleet.Directory]));
            var errors = loaded.Diagnostics.Count(d => d.Severity == Severity.Error);
            if (errors > 0)
            {
                return new OrphanScan(fleets, [], $"{errors} error(s) in the specs under {fleet.Directory} (fleet \"{fleet.Name}\"): without every spec of the fleet, no job can be told to have none", ExitCodes.InvalidInput);
            }

            foreach (var job in loaded.Jobs.Select(j => j.Job).Where(j => j.Fleet == fleet.Name))
            {
                known.Add((NamespaceOf(client, job), job.Name));
                if (job.HasPeriodicBackup())
                {
                    known.Add((NamespaceOf(client, job), JobFacts.BackupJobName(job.Name)));
                }
            }

            foreach (var job in loaded.SharedInstances.Select(s => s.Job).Where(j => j.Fleet == fleet.Name))
            {
                known.Add((NamespaceOf(client, job), job.Name));
            }
        }

        IReadOnlyList<JobListStub> listed;
        try
        {
            listed = await client.ListJobsAsync(@namespace: "*", meta: true, cancellationToken: cancellationToken);
        }
        catch (NomadApiException exception)
        {
            return new OrphanScan(fleets, [], $"could not list the jobs in every namespace ({(int)exception.StatusCode} {exception.StatusCode}); the token needs list-jobs and read-job in each namespace the fleet uses", ExitCodes.NomadError);
        }

        var byName = fleets.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var orphans = listed
            .Where(j => j.ParentID.Length == 0 && !j.Stop
                && j.Meta.TryGetValue(JobFacts.FleetMetaKey, out var fleet) && byName.ContainsKey(fleet)
                && !known.Contains((j.Namespace, j.ID)))
            .Select(j => new OrphanJob(byName[j.Meta[JobFacts.FleetMetaKey]], j.Namespace, j.ID, j.Type, j.Status))
            .OrderBy(o => o.Fleet.Name, StringComparer.Ordinal).ThenBy(o => o.Namespace, StringComparer.Ordinal).ThenBy(o => o.Id, StringComparer.Ordinal)
            .ToList();
        return new OrphanScan(fleets, orphans);
    }

    /// <summary>A job without a namespace is registered in the client's (NOMAD_NAMESPACE, --namespace), else in <c>default</c>.</summary>
    private static string NamespaceOf(NomadClient client, Job job) => job.Namespace ?? client.Options.Namespace ?? "default";

    /// <summary>Prints what was found: one block per fleet with orphans, or the reason they could not be told.</summary>
    public static void Print(CliConsole console, OrphanScan scan, string advice)
    {
        if (scan.Problem is { } problem)
        {
            console.Out.WriteLine($"(jobs whose spec is gone not looked for: {problem})");
            return;
        }

        foreach (var fleet in scan.Fleets)
        {
            var orphans = scan.Orphans.Where(o => o.Fleet == fleet).ToList();
            if (orphans.Count == 0)
            {
                console.Detail($"fleet \"{fleet.Name}\": every job of it in Nomad has its spec under {fleet.Directory}");
                continue;
            }

            console.Out.WriteLine($"== fleet \"{fleet.Name}\": {orphans.Count} job(s) in Nomad with no spec under {fleet.Directory}");
            foreach (var orphan in orphans)
            {
                console.Out.WriteLine($"  \"{orphan.Id}\" (namespace {orphan.Namespace}, {orphan.Type}, {orphan.Status}): {advice}");
            }
        }
    }
}

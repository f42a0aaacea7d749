using System.CommandLine;
using NomadDbPatterns.Nomad;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>A job, Nomad's plan of it, and the data-loss risks in that plan.</summary>
internal sealed record PlannedJob(NomadJobPayload Job, JobPlanResponse Plan, IReadOnlyList<PlanRisk> Risks)
{
    /// <summary>The scheduler's dry run could not place every allocation.</summary>
    public bool CannotPlace => Plan.FailedTGAllocs.Count > 0;
}

/// <summary>
/// <c>nomad-db plan SPECS...</c>: Nomad's plan per job — its diff, the allocations it could not place and why,
/// Nomad's warnings — with data-loss risks flagged before anyone runs it.
/// </summary>
internal sealed class PlanCommand(CliConsole console)
{
    private readonly NomadConnection connection = new();

    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var detailed = new Option<bool>("--detailed-exitcode")
        {
            Description = "Exit with nomad job plan's codes: 0 no allocation change, 1 allocations created, stopped or replaced, 255 anything else (errors, data-loss risks, placement failures)",
        };
        var command = new Command("plan",
            "Ask Nomad for a plan of every job: print its diff, the allocations Nomad could not place and why, Nomad's warnings, "
            + "and data-loss risks (removed DB group/task, changed data volume, PostgreSQL major change, destructive DB update). "
            + "For a fleet named in nomad-db.yaml (`fleet:`), also the fleet's jobs in Nomad that no spec under its directory describes any more (`run --prune` stops them). "
            + $"Reads {NomadConnection.VariablesHelp}; the flags below override them.\n\n"
            + "Exit codes: 0 every job can be placed and has no data-loss risk, 4 data-loss risk, 6 Nomad cannot place an allocation, "
            + "1 invalid spec, 2 usage, 5 Nomad unreachable or an API error. With --detailed-exitcode: nomad job plan's 0/1/255.\n\n"
            + "Examples:\n  nomad-db plan specs/\n  nomad-db plan specs/vaultwarden.yaml --address https://nomad:4646 --ca-cert ca.pem\n  nomad-db plan specs/ --detailed-exitcode; [ $? -eq 1 ] && echo 'allocations change'")
        {
            specs, detailed,
        };
        connection.AddTo(command);
        command.SetAction((parse, cancel) => ExecuteAsync(parse, parse.GetValue(specs)!, parse.GetValue(detailed), cancel));
        return command;
    }

    private async Task<int> ExecuteAsync(ParseResult parse, IReadOnlyList<string> specs, bool detailed, CancellationToken cancellationToken)
    {
        var changes = false;
        var code = await RunAsync();
        return !detailed ? code : code != ExitCodes.Ok ? ExitCodes.PlanError : changes ? ExitCodes.PlanChanges : ExitCodes.PlanNoChange;

        Task<int> RunAsync() => NomadJobs.WithNomadAsync(console, specs, () => connection.Client(parse, console), async (client, jobs, _) =>
        {
            var plans = await PlanAllAsync(client, jobs, console, cancellationToken);
            FleetOrphans.Print(console, await FleetOrphans.FindAsync(client, jobs, cancellationToken), "`nomad-db run --prune` stops it (its volumes and backups stay)");
            changes = plans.Any(p => p.Plan.ChangesAllocations);
            return Verdict(console, plans, "`nomad-db run` refuses them without --accept-risk", "`nomad-db run` refuses them without --allow-placement-failures")
                ?? Done(plans);
        });

        int Done(IReadOnlyList<PlannedJob> plans)
        {
            console.Info($"planned {plans.Count} job(s): every allocation can be placed, no data-loss risk{(changes ? "" : ", no allocation changes")}");
            return ExitCodes.Ok;
        }
    }

    /// <summary>
    /// The exit code the findings demand, after a summary line for each kind on stderr: data-loss risks (4) before
    /// placement failures (6); null when there are neither.
    /// </summary>
    internal static int? Verdict(CliConsole console, IReadOnlyList<PlannedJob> plans, string riskAdvice, string placementAdvice)
    {
        var risks = plans.Sum(p => p.Risks.Count);
        var unplaced = plans.Where(p => p.CannotPlace).ToList();
        if (risks > 0)
        {
            console.Error.WriteLine($"{risks} data-loss risk(s): review them; {riskAdvice}.");
        }

        if (unplaced.Count > 0)
        {
            var which = string.Join(", ", unplaced.Select(p => $"\"{p.Job.Id}\" (task group {string.Join(", ", p.Plan.FailedTGAllocs.Keys.Order(StringComparer.Ordinal).Select(g => $"\"{g}\""))})"));
            console.Error.WriteLine($"Nomad cannot place {unplaced.Count} job(s): {which}; {placementAdvice}.");
        }

        return risks > 0 ? ExitCodes.Risk : unplaced.Count > 0 ? ExitCodes.PlacementFailure : null;
    }

    /// <summary>Plans every job, printing each plan.</summary>
    internal static async Task<IReadOnlyList<PlannedJob>> PlanAllAsync(NomadClient client, IReadOnlyList<NomadJobPayload> jobs, CliConsole console, CancellationToken cancellationToken)
    {
        var plans = new List<PlannedJob>();
        foreach (var job in jobs)
        {
            plans.Add(await PlanOneAsync(client, job, console, cancellationToken));
        }

        return plans;
    }

    /// <summary>
    /// Which nodes the job may use lack which of its host volumes (Nomad's plan only counts the nodes it filtered). A
    /// token without node:read still gets the plan: the report is then skipped with one line.
    /// </summary>
    private static async Task PrintMissingVolumesAsync(NomadClient client, NomadJobPayload job, CliConsole console, CancellationToken cancellationToken)
    {
        HostVolumeReport report;
        try
        {
            report = await HostVolumeCheck.CheckAsync(client, job.Job, cancellationToken: cancellationToken);
        }
        catch (NomadApiException exception)
        {
            console.Out.WriteLine($"  (could not read the nodes to name the missing volumes: {(int)exception.StatusCode} {exception.StatusCode}; the token needs node:read)");
            return;
        }

        if (report.Candidates.Count == 0)
        {
            var datacenters = string.Join(", ", (job.Job["Datacenters"] as System.Text.Json.Nodes.JsonArray ?? []).Select(d => d!.GetValue<string>()));
            console.Out.WriteLine($"  no ready, eligible node in datacenter(s) {datacenters} and node pool {job.Job["NodePool"]?.GetValue<string>() ?? "default"}");
            return;
        }

        console.Out.WriteLine($"  Host volumes missing on the nodes the job may use ({report.Required.Count} needed: {string.Join(", ", report.Required)}):");
        foreach (var gap in report.Gaps)
        {
            console.Out.WriteLine($"    node {gap.Node.Name} ({AllocationDiagnosis.Short(gap.Node.ID)}, {gap.Node.Datacenter}, pool {gap.Node.NodePool}): missing {string.Join(", ", gap.Missing)}");
        }

        console.Out.WriteLine(report.SomeNodeHasAll
            ? "    (another node offers them all: the failure has another cause too)"
            : "    next: `nomad-db run --create-volumes` creates the dynamic ones together on one node; or `nomad volume create` the "
              + "*.volume.hcl files `nomad-db render` writes (static volumes: the *.client.hcl snippet on the node)");
    }

    /// <summary>Plans one job and prints its diff, placement failures, Nomad's warnings and the data-loss risks.</summary>
    private static async Task<PlannedJob> PlanOneAsync(NomadClient client, NomadJobPayload job, CliConsole console, CancellationToken cancellationToken)
    {
        var plan = await client.PlanJobAsync(job.Job, diff: true, cancellationToken);
        var risks = PlanRiskAnalyzer.Analyze(plan, job.Databases);
        console.Out.WriteLine($"== job \"{job.Id}\"");
        if (plan.Diff is { } diff)
        {
            console.Out.Write(PlanDiffFormatter.Format(diff, new PlanFormatOptions(console.Color, console.Verbose)));
        }

        if (plan.FailedTGAllocs.Count > 0)
        {
            // command/job_plan.go formatDryRun: "WARNING: Failed to place all allocations."
            console.Out.WriteLine("Placement failures: Nomad cannot place every allocation of this job.");
            console.Out.Write(PlacementFailures.Format(plan.FailedTGAllocs, job.Job, "  "));
            if (plan.FailedTGAllocs.Values.Any(m => m.ConstraintFiltered.ContainsKey(PlacementFailures.MissingHostVolumes)))
            {
                await PrintMissingVolumesAsync(client, job, console, cancellationToken);
            }
        }

        NomadJobs.PrintWarnings(console, job.Id, plan.Warnings);
        if (risks.Count > 0)
        {
            console.Out.Write(PlanDiffFormatter.FormatRisks(risks, console.Color));
        }

        console.Detail($"job modify index {plan.JobModifyIndex} (run --check-index registers only while Nomad's is still {plan.JobModifyIndex})");
        return new PlannedJob(job, plan, risks);
    }
}

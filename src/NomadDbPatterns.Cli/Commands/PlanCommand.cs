using System.CommandLine;
using NomadDbPatterns.Nomad;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db plan SPECS...</c>: Nomad's plan diff per job, with data-loss risks flagged before anyone runs it.</summary>
internal sealed class PlanCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var command = new Command("plan", "Ask Nomad for a plan of every job and flag data-loss risks (removed DB group/task, changed data volume, PostgreSQL major change, destructive DB update). Configured by NOMAD_ADDR, NOMAD_TOKEN, NOMAD_NAMESPACE, NOMAD_REGION, NOMAD_CACERT, NOMAD_SKIP_VERIFY. Exit 4 when risks are found.\n\nExamples:\n  nomad-db plan specs/\n  NOMAD_ADDR=https://nomad:4646 nomad-db plan specs/vaultwarden.yaml")
        {
            specs,
        };
        command.SetAction((parse, cancel) => ExecuteAsync(parse.GetValue(specs)!, cancel));
        return command;
    }

    public async Task<int> ExecuteAsync(IReadOnlyList<string> specs, CancellationToken cancellationToken)
    {
        var (jobs, result) = NomadJobs.Load(specs);
        Shared.Print(console, result.Diagnostics);
        if (!result.Success)
        {
            return Shared.Summarize(console, result.Diagnostics);
        }

        try
        {
            using var client = NomadJobs.Client();
            var (_, risky) = await PlanAllAsync(client, jobs, console, cancellationToken);
            if (risky > 0)
            {
                console.Error.WriteLine($"{risky} data-loss risk(s): review them; `nomad-db run` refuses them without --accept-risk.");
                return ExitCodes.Risk;
            }

            console.Info($"planned {jobs.Count} job(s): no data-loss risk");
            return ExitCodes.Ok;
        }
        catch (NomadException exception)
        {
            console.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.NomadError;
        }
    }

    /// <summary>Plans every job (printing diffs and risks); returns the plans and the number of risks.</summary>
    internal static async Task<(IReadOnlyList<(NomadJobPayload Job, JobPlanResponse Plan)> Plans, int Risks)> PlanAllAsync(
        NomadClient client, IReadOnlyList<NomadJobPayload> jobs, CliConsole console, CancellationToken cancellationToken)
    {
        var plans = new List<(NomadJobPayload Job, JobPlanResponse Plan)>();
        var risky = 0;
        foreach (var job in jobs)
        {
            var (plan, risks) = await PlanOneAsync(client, job, console, cancellationToken);
            risky += risks.Count;
            plans.Add((job, plan));
        }

        return (plans, risky);
    }

    /// <summary>Plans one job, prints its diff and risks, and returns both.</summary>
    internal static async Task<(JobPlanResponse Plan, IReadOnlyList<PlanRisk> Risks)> PlanOneAsync(NomadClient client, NomadJobPayload job, CliConsole console, CancellationToken cancellationToken)
    {
        var plan = await client.PlanJobAsync(job.Job, diff: true, cancellationToken);
        var risks = PlanRiskAnalyzer.Analyze(plan, job.Databases);
        console.Out.WriteLine($"== job \"{job.Id}\"");
        if (plan.Diff is { } diff)
        {
            console.Out.Write(PlanDiffFormatter.Format(diff, new PlanFormatOptions(console.Color, console.Verbose)));
        }

        if (risks.Count > 0)
        {
            console.Out.Write(PlanDiffFormatter.FormatRisks(risks, console.Color));
        }

        return (plan, risks);
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using NomadDbPatterns.Nomad;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>Prints an allocation's findings: what, the task's recent events, and the next step.</summary>
internal static class StatusReport
{
    public static int PrintFindings(TextWriter writer, IEnumerable<AllocationListStub> allocations, JobShape shape, string indent)
    {
        var errors = 0;
        foreach (var allocation in allocations)
        {
            foreach (var finding in AllocationDiagnosis.Findings(allocation, shape))
            {
                errors += finding.Severity == FindingSeverity.Error ? 1 : 0;
                var word = finding.Severity switch { FindingSeverity.Error => "problem", FindingSeverity.Warning => "warning", _ => "note" };
                writer.WriteLine($"{indent}{word}: {finding.What}");
                foreach (var line in finding.RecentEvents)
                {
                    writer.WriteLine($"{indent}  event: {line}");
                }

                writer.WriteLine($"{indent}  next: {finding.NextStep}");
            }
        }

        return errors;
    }
}

/// <summary>
/// <c>nomad-db status SPECS...</c>: asks Nomad about each job and answers the seed guide's troubleshooting
/// questions — is it registered and deployed, which allocations run, did the prestart tasks complete, did the
/// database task fail or restart and what its recent events say — with the next step to take.
/// </summary>
internal sealed class StatusCommand(CliConsole console)
{
    private readonly NomadConnection connection = new();

    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var command = new Command("status",
            "Ask Nomad about every job of the specs: its status and latest deployment, each allocation's tasks (did the prestart "
            + "tasks complete, did PostgreSQL fail or restart, its recent events), with the next step for each problem. "
            + $"Reads {NomadConnection.VariablesHelp}; the flags below override them.\n\n"
            + "Exit codes: 0 nothing wrong, 7 something is wrong with a job, 1 invalid spec, 2 usage, 5 Nomad unreachable or an API error.\n\n"
            + "Examples:\n  nomad-db status specs/\n  nomad-db status specs/vaultwarden.yaml --namespace apps")
        {
            specs,
        };
        connection.AddTo(command);
        command.SetAction((parse, cancel) => ExecuteAsync(parse, parse.GetValue(specs)!, cancel));
        return command;
    }

    private Task<int> ExecuteAsync(ParseResult parse, IReadOnlyList<string> specs, CancellationToken cancellationToken) =>
        NomadJobs.WithNomadAsync(console, specs, () => connection.Client(parse, console), async (client, jobs, _) =>
        {
            var unhealthy = new List<string>();
            foreach (var job in jobs)
            {
                if (!await ReportAsync(client, job, cancellationToken))
                {
                    unhealthy.Add(job.Id);
                }
            }

            if (unhealthy.Count > 0)
            {
                console.Error.WriteLine($"{unhealthy.Count} job(s) need attention: {string.Join(", ", unhealthy.Select(j => $"\"{j}\""))}.");
                return ExitCodes.Unhealthy;
            }

            console.Info($"{jobs.Count} job(s): nothing wrong found");
            return ExitCodes.Ok;
        });

    /// <summary>Prints one job's state; false when something is wrong.</summary>
    private async Task<bool> ReportAsync(NomadClient client, NomadJobPayload job, CancellationToken cancellationToken)
    {
        var output = console.Out;
        var current = await client.GetJobAsync(job.Id, cancellationToken);
        if (current is null)
        {
            output.WriteLine($"== job \"{job.Id}\": not registered in Nomad");
            output.WriteLine("  next: nomad-db run SPECS (after nomad-db plan)");
            return false;
        }

        var status = current["Status"]?.GetValue<string>() ?? "?";
        var version = current["Version"]?.GetValue<ulong>() ?? 0;
        var stopped = current["Stop"]?.GetValue<bool>() == true;
        output.WriteLine($"== job \"{job.Id}\": {status}{(stopped ? " (stopped)" : "")}, version {version}");
        if (stopped)
        {
            output.WriteLine("  problem: the job is stopped");
            output.WriteLine("  next: nomad-db run SPECS starts it again");
            return false;
        }

        if (current["Periodic"] is JsonObject { } periodic && periodic["Enabled"]?.GetValue<bool>() == true)
        {
            // A periodic job's runs are child jobs (ID "<job>/periodic-<time>"): nothing of its own to deploy.
            output.WriteLine("  periodic: Nomad launches a child job on each schedule (`nomad job status " + job.Id + "` lists them)");
            return true;
        }

        var healthy = true;
        var deployment = await client.GetLatestDeploymentAsync(job.Id, cancellationToken);
        if (deployment is not null)
        {
            var groups = string.Join(", ", deployment.TaskGroups.OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key} {g.Value.HealthyAllocs}/{g.Value.DesiredTotal} healthy"));
            output.WriteLine($"  deployment {AllocationDiagnosis.Short(deployment.ID)} (version {deployment.JobVersion}) {deployment.Status}: {groups}{(deployment.StatusDescription.Length > 0 ? $" ({deployment.StatusDescription})" : "")}");
            if (deployment.Status is DeploymentStatus.Failed)
            {
                output.WriteLine($"  problem: the latest deployment failed");
                output.WriteLine($"  next: see the allocations below; `nomad deployment status {deployment.ID}`");
                healthy = false;
            }
        }

        var shape = JobShape.FromJob(job.Job, job.Databases);
        var allocations = await client.GetJobAllocationsAsync(job.Id, cancellationToken);
        // The allocations meant to run now: not stopped, and not replaced by a reschedule (those are history).
        var wanted = allocations.Where(a => a.DesiredStatus == "run" && a.NextAllocation.Length == 0).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            output.WriteLine("  problem: no allocation is meant to run");
            var latest = allocations.OrderByDescending(a => a.ModifyIndex).FirstOrDefault();
            output.WriteLine(latest is null
                ? "  next: nomad-db plan SPECS shows whether Nomad can place the job"
                : $"  next: the latest allocation {AllocationDiagnosis.Short(latest.ID)} is {latest.ClientStatus} ({latest.DesiredDescription}): nomad alloc status {AllocationDiagnosis.Short(latest.ID)}");
            if (latest is not null)
            {
                StatusReport.PrintFindings(output, [latest], shape, "  ");
            }

            return false;
        }

        foreach (var allocation in wanted)
        {
            output.WriteLine($"  {AllocationDiagnosis.Summary(allocation, shape)}");
        }

        return StatusReport.PrintFindings(output, wanted, shape, "  ") == 0 && healthy;
    }
}

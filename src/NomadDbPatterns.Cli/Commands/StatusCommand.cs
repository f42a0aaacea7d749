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
            return await ReportPeriodicBackupAsync(client, job, cancellationToken);
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

        healthy &= StatusReport.PrintFindings(output, wanted, shape, "  ") == 0;
        if (job.Backup is { Periodic: false } watch && wanted.FirstOrDefault(a => a.TaskStates.ContainsKey(watch.Task)) is { } withBackup)
        {
            healthy &= await ReportBackupAsync(client, watch, withBackup, cancellationToken);
        }

        return healthy;
    }

    /// <summary>The clock backup ages are measured with (tests replace it).</summary>
    public static TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The newest runs of a periodic backup job, newest first, until one with a good backup (at most five).</summary>
    private async Task<bool> ReportPeriodicBackupAsync(NomadClient client, NomadJobPayload job, CancellationToken cancellationToken)
    {
        if (job.Backup is not { Periodic: true } watch)
        {
            return true;
        }

        var runs = (await client.ListJobsAsync(job.Id + "/periodic-", cancellationToken: cancellationToken))
            .Where(j => j.ParentID == job.Id)
            .OrderByDescending(j => j.SubmitTime)
            .Take(5)
            .ToList();
        if (runs.Count == 0)
        {
            console.Out.WriteLine("  backup: no run yet (Nomad launches the first on the schedule)");
            return true;
        }

        var logs = new List<string>();
        AllocationListStub? newest = null;
        foreach (var run in runs)
        {
            var allocation = (await client.GetJobAllocationsAsync(run.ID, cancellationToken)).OrderByDescending(a => a.ModifyIndex).FirstOrDefault();
            if (allocation is null)
            {
                continue;
            }

            newest ??= allocation;
            if (await ReadLogsAsync(client, watch, allocation, cancellationToken) is not { } text)
            {
                return true;
            }

            logs.AddRange(text);
            if (BackupLog.Parse([.. text]).LastSuccess is not null)
            {
                break;
            }
        }

        return newest is null || Judge(watch, newest, BackupLog.Parse([.. logs]), runs[0].SubmitTime);
    }

    private async Task<bool> ReportBackupAsync(NomadClient client, BackupWatch watch, AllocationListStub allocation, CancellationToken cancellationToken) =>
        await ReadLogsAsync(client, watch, allocation, cancellationToken) is not { } logs
        || Judge(watch, allocation, BackupLog.Parse([.. logs]), allocation.CreateTime);

    /// <summary>The backup task's stdout and stderr tails; null (after a note) when Nomad does not give them.</summary>
    private async Task<IReadOnlyList<string>?> ReadLogsAsync(NomadClient client, BackupWatch watch, AllocationListStub allocation, CancellationToken cancellationToken)
    {
        try
        {
            return [await client.ReadTaskLogTailAsync(allocation.ID, watch.Task, stderr: false, cancellationToken: cancellationToken),
                await client.ReadTaskLogTailAsync(allocation.ID, watch.Task, stderr: true, cancellationToken: cancellationToken)];
        }
        catch (NomadApiException exception)
        {
            console.Out.WriteLine($"  backup: cannot read the {watch.Task} task's log ({(int)exception.StatusCode} {exception.StatusCode}; the token needs read-logs on the namespace): age not checked");
            return null;
        }
    }

    /// <summary>Prints the backup's age and failures; false when the newest run failed or the newest good backup is too old.</summary>
    private bool Judge(BackupWatch watch, AllocationListStub allocation, BackupLog log, long sinceUnixNanoseconds)
    {
        var output = console.Out;
        var now = Clock.GetUtcNow();
        var logsCommand = $"nomad alloc logs -stderr -task {watch.Task} {AllocationDiagnosis.Short(allocation.ID)}";
        var ok = true;
        if (log.LastSuccess is { } success)
        {
            output.WriteLine($"  backup: newest good backup {Age(now - success)} ago, at {success:yyyy-MM-dd'T'HH:mm:ss'Z'} ({log.LastSuccessFile})");
            if (now - success > watch.StaleAfter)
            {
                output.WriteLine($"  problem: the newest good backup is older than the {Age(watch.StaleAfter)} its schedule allows");
                output.WriteLine($"  next: {logsCommand}");
                ok = false;
            }
        }
        else if (now - DateTimeOffset.FromUnixTimeMilliseconds(sinceUnixNanoseconds / 1_000_000) > watch.StaleAfter)
        {
            output.WriteLine($"  problem: no good backup in the {watch.Task} task's recent log, {Age(watch.StaleAfter)} after it started");
            output.WriteLine($"  next: {logsCommand}");
            ok = false;
        }
        else
        {
            output.WriteLine("  backup: no run finished yet (the first runs on the schedule)");
        }

        if (log.LatestFailed)
        {
            output.WriteLine($"  problem: the latest backup run failed at {log.LastFailure:yyyy-MM-dd'T'HH:mm:ss'Z'}: {log.LastFailureReason}");
            output.WriteLine($"  next: {logsCommand}");
            ok = false;
        }

        if (log.LatestDrillFailed)
        {
            output.WriteLine($"  problem: the latest restore drill failed at {log.LastDrillFailure:yyyy-MM-dd'T'HH:mm:ss'Z'}: {log.LastDrillFailureReason}");
            output.WriteLine($"  next: {logsCommand}");
            ok = false;
        }
        else if (log.LastDrill is { } drill)
        {
            output.WriteLine($"  drill: newest restore drill passed {Age(now - drill)} ago, at {drill:yyyy-MM-dd'T'HH:mm:ss'Z'} ({log.LastDrillFile})");
        }

        if (log.LatestArchivingFailed)
        {
            output.WriteLine($"  problem: continuous archiving failed at {log.LastArchivingFailure:yyyy-MM-dd'T'HH:mm:ss'Z'}: {log.LastArchivingFailureReason}");
            output.WriteLine($"  next: {logsCommand}");
            ok = false;
        }
        else if (log.LastBaseBackup is { } baseBackup)
        {
            output.WriteLine($"  archiving: newest base backup {Age(now - baseBackup)} ago, at {baseBackup:yyyy-MM-dd'T'HH:mm:ss'Z'} ({log.LastBaseBackupDir})");
        }

        return ok;
    }

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays}d {age.Hours}h" : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h {age.Minutes}m" : $"{Math.Max(0, (int)age.TotalMinutes)}m";
}

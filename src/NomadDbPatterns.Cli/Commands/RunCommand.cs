using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using NomadDbPatterns.Nomad;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// <c>nomad-db run SPECS...</c>: plan, refuse flagged risks and placement failures, publish the scripts, register,
/// and with <c>--wait</c> follow each evaluation and deployment to its verdict.
/// </summary>
internal sealed class RunCommand(CliConsole console)
{
    private readonly NomadConnection connection = new();

    private sealed record Settings(bool CheckIndex, bool AcceptRisk, bool AllowPlacementFailures, bool Wait, bool CreateVolumes, bool Prune, FollowOptions Follow);

    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var checkIndex = new Option<bool>("--check-index") { Description = "Register only if the job did not change since the plan (check-and-set on the plan's JobModifyIndex)" };
        var acceptRisk = new Option<bool>("--accept-risk") { Description = "Register even when the plan flags data-loss risks" };
        var allowPlacement = new Option<bool>("--allow-placement-failures")
        {
            Description = "Register even when Nomad cannot place every allocation (the job then waits for capacity, e.g. a host volume you are about to add)",
        };
        var createVolumes = new Option<bool>("--create-volumes")
        {
            Description = "Before planning, create the jobs' dynamic host volumes that do not exist yet (PUT /v1/volume/host/create), all of a job's volumes on one node",
        };
        var prune = new Option<bool>("--prune")
        {
            Description = "After registering, stop the fleet's jobs in Nomad that no spec under the fleet's directory describes any more "
                + "(the jobs whose meta names the fleet of nomad-db.yaml's `fleet:`; listed first, as plan lists them; stopped, not purged; volumes and backups stay)",
        };
        var wait = new Option<bool>("--wait") { Description = "Follow each job's evaluation and deployment until it is healthy, failed, or --wait-timeout passes" };
        var waitTimeout = new Option<string>("--wait-timeout")
        {
            Description = "How long --wait follows in all, a Go duration (default longer than the rendered 15m progress_deadline)",
            HelpName = "DURATION",
            DefaultValueFactory = _ => "20m",
        };
        var pollInterval = new Option<string>("--poll-interval")
        {
            Description = "Longest wait of each blocking query, and the least time between two questions while nothing changes",
            HelpName = "DURATION",
            DefaultValueFactory = _ => "2s",
        };
        var command = new Command("run",
            "Plan every job, refuse when data-loss risks are flagged (unless --accept-risk) or Nomad cannot place an allocation "
            + "(unless --allow-placement-failures), publish the scripts variable, then register the jobs with Nomad. "
            + "With --wait, follow each evaluation and deployment with progress lines until healthy, failed or timed out.\n\n"
            + "Exit codes: 0 registered (with --wait: deployments successful), 4 data-loss risk, 6 placement failure, "
            + "7 deployment or evaluation failed (--wait), 8 timed out waiting (--wait), 1 invalid spec, 2 usage, 5 Nomad unreachable or an API error.\n\n"
            + "Examples:\n  nomad-db run specs/ --create-volumes --check-index --wait\n  nomad-db run specs/ --prune\n  nomad-db run specs/postgres-upgrade.yaml --accept-risk\n  nomad-db run specs/ --wait --wait-timeout 30m --poll-interval 5s")
        {
            specs, checkIndex, acceptRisk, allowPlacement, createVolumes, prune, wait, waitTimeout, pollInterval,
        };
        connection.AddTo(command);
        command.SetAction((parse, cancel) =>
        {
            if (!TryDuration("--wait-timeout", parse.GetValue(waitTimeout)!, out var timeout) || !TryDuration("--poll-interval", parse.GetValue(pollInterval)!, out var interval))
            {
                return Task.FromResult(ExitCodes.Usage);
            }

            var allow = parse.GetValue(allowPlacement);
            var settings = new Settings(parse.GetValue(checkIndex), parse.GetValue(acceptRisk), allow, parse.GetValue(wait), parse.GetValue(createVolumes), parse.GetValue(prune),
                new FollowOptions { Timeout = timeout, PollInterval = interval, ContinueAfterPlacementFailures = allow });
            return ExecuteAsync(parse, parse.GetValue(specs)!, settings, cancel);
        });
        return command;
    }

    private bool TryDuration(string option, string text, out TimeSpan value)
    {
        if (Rules.TryParseDuration(text, out value) && value > TimeSpan.Zero)
        {
            return true;
        }

        console.Error.WriteLine($"error NDB090: {option} must be a positive Go duration such as 30s or 15m, got '{text}'");
        return false;
    }

    private Task<int> ExecuteAsync(ParseResult parse, IReadOnlyList<string> specs, Settings settings, CancellationToken cancellationToken) =>
        NomadJobs.WithNomadAsync(console, specs, () => connection.Client(parse, console), async (client, jobs, result) =>
        {
            if (settings.Prune && !jobs.Any(j => j.Fleet is not null))
            {
                console.Error.WriteLine($"error NDB090: --prune stops the jobs of a fleet whose spec is gone, and these specs belong to none: name the fleet with `fleet: NAME` in {FleetDefaults.FileName}");
                return ExitCodes.Usage;
            }

            if (settings.CreateVolumes && !await HostVolumeCreation.CreateMissingAsync(client, console, jobs, result, cancellationToken))
            {
                console.Error.WriteLine("refusing to run: nothing was registered.");
                return ExitCodes.PlacementFailure;
            }

            var plans = await PlanCommand.PlanAllAsync(client, jobs, console, cancellationToken);
            var orphans = await FleetOrphans.FindAsync(client, jobs, cancellationToken);
            FleetOrphans.Print(console, orphans, settings.Prune ? "stopped once the jobs are registered" : "re-run with --prune to stop it");
            var refused = PlanCommand.Verdict(console,
                plans.Where(p => (p.Risks.Count > 0 && !settings.AcceptRisk) || (p.CannotPlace && !settings.AllowPlacementFailures)).ToList(),
                "re-run with --accept-risk once the data is safe (backup verified, migration declared)",
                "fix the cause shown above, or re-run with --allow-placement-failures to register anyway (the job then waits for capacity)");
            if (refused is { } code)
            {
                console.Error.WriteLine("refusing to run: nothing was registered.");
                return code;
            }

            if (settings.Prune && orphans.Problem is { } problem)
            {
                console.Error.WriteLine($"error: --prune: {problem}.");
                console.Error.WriteLine("refusing to run: nothing was registered.");
                return orphans.ProblemExitCode;
            }

            await PublishScriptsAsync(client, result, cancellationToken);
            var registered = new List<(PlannedJob Planned, JobRegisterResponse Response)>();
            foreach (var planned in plans)
            {
                registered.Add((planned, await RegisterAsync(client, planned, settings.CheckIndex, cancellationToken)));
            }

            if (settings.Prune)
            {
                await StopAsync(client, orphans.Orphans, cancellationToken);
            }

            if (!settings.Wait)
            {
                console.Info("Nomad schedules the jobs now: follow them with --wait or `nomad-db status`.");
                return ExitCodes.Ok;
            }

            return await FollowAllAsync(client, registered, settings.Follow, cancellationToken);
        });

    /// <summary>The scripts first: a job's templates wait for nomad/jobs, so it must be there before the job is.</summary>
    private async Task PublishScriptsAsync(NomadClient client, RenderResult result, CancellationToken cancellationToken)
    {
        foreach (var file in result.Files.Where(f => f.FileName.EndsWith(".nv.json", StringComparison.Ordinal)))
        {
            var variable = JsonNode.Parse(file.Content)!.AsObject();
            var @namespace = variable["Namespace"]!.GetValue<string>();
            var path = variable["Path"]!.GetValue<string>();
            var items = variable["Items"]!.AsObject().ToDictionary(i => i.Key, i => i.Value!.GetValue<string>(), StringComparer.Ordinal);
            var written = await client.SetVariableItemsAsync(path, @namespace, items, cancellationToken);
            console.Info(written
                ? $"published the scripts to variable \"{path}\" in namespace \"{@namespace}\""
                : $"variable \"{path}\" in namespace \"{@namespace}\" already holds these scripts");
        }
    }

    /// <summary>Stops the fleet's jobs whose spec is gone, after the fleet's other jobs are registered.</summary>
    private async Task StopAsync(NomadClient client, IReadOnlyList<OrphanJob> orphans, CancellationToken cancellationToken)
    {
        foreach (var orphan in orphans)
        {
            var stopped = await client.StopJobAsync(orphan.Id, orphan.Namespace, cancellationToken);
            var evaluation = stopped.EvalID.Length > 0 ? $", evaluation {AllocationDiagnosis.Short(stopped.EvalID)}" : "";
            console.Info($"stopped \"{orphan.Id}\" in namespace {orphan.Namespace} (fleet \"{orphan.Fleet.Name}\", no spec{evaluation}); its host volumes and backups stay, `nomad job start` brings it back");
        }
    }

    private async Task<JobRegisterResponse> RegisterAsync(NomadClient client, PlannedJob planned, bool checkIndex, CancellationToken cancellationToken)
    {
        var (job, plan) = (planned.Job, planned.Plan);
        var options = checkIndex ? new RegisterJobOptions { EnforceIndex = plan.JobModifyIndex } : null;
        var registered = await client.RegisterJobAsync(job.Job, options, cancellationToken);
        NomadJobs.PrintWarnings(console, job.Id, registered.Warnings);
        var evaluation = registered.EvalID.Length > 0 ? $", evaluation {AllocationDiagnosis.Short(registered.EvalID)}" : "";

        // An unchanged job is not written again: Nomad then answers with the job's ModifyIndex in JobModifyIndex, not
        // its JobModifyIndex (nomad/job_endpoint.go Job.Register; see JobRegisterResponse). Its spec index is still
        // the plan's (and with --check-index Nomad has just confirmed it).
        var changed = registered.SpecChanged ?? plan.Diff?.Type != DiffType.None;
        console.Info(changed
            ? $"registered \"{job.Id}\" (job modify index {registered.JobModifyIndex}{evaluation})"
            : $"\"{job.Id}\" is unchanged (job modify index {plan.JobModifyIndex}); Nomad evaluates it again{evaluation}");
        return registered;
    }

    /// <summary>Follows every registered job in turn, within one overall time limit; returns the worst outcome's code.</summary>
    private async Task<int> FollowAllAsync(NomadClient client, IReadOnlyList<(PlannedJob Planned, JobRegisterResponse Response)> registered, FollowOptions follow, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var outcomes = new List<FollowOutcome>();
        foreach (var (planned, response) in registered)
        {
            var id = planned.Job.Id;
            if (response.EvalID.Length == 0)
            {
                console.Info($"{id}: nothing to follow (Nomad creates no evaluation for periodic and parameterized jobs)");
                continue;
            }

            var shape = JobShape.FromJob(planned.Job.Job, planned.Job.Databases);
            var left = follow.Timeout - clock.Elapsed;
            var follower = new RunFollower(client, follow with { Timeout = left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1) },
                line => console.Info($"  {id}: {line}"), shape);
            var result = await follower.FollowAsync(response.EvalID, cancellationToken);
            outcomes.Add(result.Outcome);
            Report(id, result, planned.Job.Job, shape);
        }

        return outcomes.Contains(FollowOutcome.Failed) ? ExitCodes.Unhealthy
            : outcomes.Contains(FollowOutcome.PlacementFailed) ? ExitCodes.PlacementFailure
            : outcomes.Contains(FollowOutcome.TimedOut) ? ExitCodes.WaitTimeout
            : ExitCodes.Ok;
    }

    private void Report(string id, FollowResult result, JsonObject job, JobShape shape)
    {
        if (result.Outcome == FollowOutcome.Healthy)
        {
            console.Info($"{id}: {result.Summary}");
            return;
        }

        console.Error.WriteLine($"error: job \"{id}\": {result.Summary}");
        if (result.Outcome == FollowOutcome.PlacementFailed && result.Evaluation is { } evaluation)
        {
            console.Error.Write(PlacementFailures.Format(evaluation.FailedTGAllocs, job, "  "));
        }

        StatusReport.PrintFindings(console.Error, result.Allocations, shape, "  ");
        if (result.Outcome == FollowOutcome.TimedOut)
        {
            console.Error.WriteLine($"  next: follow it with `nomad-db status` or `nomad deployment status {result.Deployment?.ID ?? ""}`".TrimEnd());
        }
    }
}

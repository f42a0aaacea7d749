using System.CommandLine;
using System.Text.Json.Nodes;
using NomadDbPatterns.Nomad;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db run SPECS... [--check-index] [--accept-risk]</c>: plan, refuse flagged risks, then register.</summary>
internal sealed class RunCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var checkIndex = new Option<bool>("--check-index") { Description = "Register only if the job did not change since the plan (check-and-set on JobModifyIndex)" };
        var acceptRisk = new Option<bool>("--accept-risk") { Description = "Register even when the plan flags data-loss risks" };
        var command = new Command("run", "Plan every job, refuse when data-loss risks are flagged (unless --accept-risk), then register the jobs with Nomad.\n\nExamples:\n  nomad-db run specs/ --check-index\n  nomad-db run specs/postgres-upgrade.yaml --accept-risk")
        {
            specs, checkIndex, acceptRisk,
        };
        command.SetAction((parse, cancel) => ExecuteAsync(parse.GetValue(specs)!, parse.GetValue(checkIndex), parse.GetValue(acceptRisk), cancel));
        return command;
    }

    public async Task<int> ExecuteAsync(IReadOnlyList<string> specs, bool checkIndex, bool acceptRisk, CancellationToken cancellationToken)
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
            var (plans, risky) = await PlanCommand.PlanAllAsync(client, jobs, console, cancellationToken);

            if (risky > 0 && !acceptRisk)
            {
                console.Error.WriteLine($"refusing to run: {risky} data-loss risk(s) flagged; nothing was registered. Re-run with --accept-risk once the data is safe (backup verified, migration declared).");
                return ExitCodes.Risk;
            }

            // The scripts first: a job's templates wait for nomad/jobs, so it must be there before the job is.
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

            foreach (var (job, plan) in plans)
            {
                var options = checkIndex ? new RegisterJobOptions { EnforceIndex = plan.JobModifyIndex } : null;
                var registered = await client.RegisterJobAsync(job.Job, options, cancellationToken);
                console.Info($"registered \"{job.Id}\" (job modify index {registered.JobModifyIndex}{(registered.EvalID.Length > 0 ? $", evaluation {registered.EvalID}" : string.Empty)})");
            }

            return ExitCodes.Ok;
        }
        catch (NomadApiException exception) when (exception.IsEnforceIndexConflict)
        {
            console.Error.WriteLine($"error: the job changed in Nomad since the plan (check-index): plan again. {exception.Message}");
            return ExitCodes.NomadError;
        }
        catch (NomadException exception)
        {
            console.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.NomadError;
        }
    }
}

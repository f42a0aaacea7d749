using System.CommandLine;
using NomadDbPatterns.Nomad;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// <c>nomad-db validate SPECS... [--server]</c>: validate specs (each job, then the fleet) without writing anything;
/// with <c>--server</c>, also ask the Nomad server to validate each rendered job.
/// </summary>
internal sealed class ValidateCommand(CliConsole console)
{
    private readonly NomadConnection connection = new();

    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var lockFile = Shared.LockOption("Volume lock to check the specs against (default: JOBS/nomad-db.lock with --against)");
        var against = new Option<string?>("--against") { Description = "Directory of the rendered jobs: its nomad-db.lock guards PostgreSQL majors, databases and users on existing volumes" };
        var server = new Option<bool>("--server")
        {
            Description = "Also send each rendered job to Nomad's /v1/validate/job and print Nomad's errors and warnings (the server's Job.Validate and admission checks)",
        };
        var command = new Command("validate",
            "Validate specs as one fleet; prints file:line:col: error CODE: message (path). With --server, Nomad validates the rendered jobs too "
            + $"(reads {NomadConnection.VariablesHelp}; the flags below override them).\n\n"
            + "Exit codes: 0 valid, 1 invalid (ours or Nomad's errors), 2 usage, 5 Nomad unreachable or an API error (--server).\n\n"
            + "Examples:\n  nomad-db validate examples\n  nomad-db validate specs/ --against jobs/\n  nomad-db validate specs/ --server --address https://nomad:4646")
        {
            specs, lockFile, against, server,
        };
        connection.AddTo(command);
        command.SetAction((parse, cancel) => ExecuteAsync(
            parse,
            parse.GetValue(specs)!,
            parse.GetValue(lockFile) ?? (parse.GetValue(against) is { } jobs ? Path.Combine(jobs, NomadDbPatterns.Validation.VolumeLock.FileName) : null),
            parse.GetValue(server),
            cancel));
        return command;
    }

    private async Task<int> ExecuteAsync(ParseResult parse, IReadOnlyList<string> specs, string? lockPath, bool server, CancellationToken cancellationToken)
    {
        if (lockPath is null)
        {
            console.Info("note: no volume lock given (--against JOBS or --lock FILE): the upgrade guard (PostgreSQL major, database and user of existing volumes) is not checked");
        }

        var result = NomadDb.ValidateSpecs(specs, new RenderOptions { LockPath = lockPath });
        Shared.Print(console, result.Diagnostics);
        if (!result.Success)
        {
            return Shared.Summarize(console, result.Diagnostics);
        }

        if (!server)
        {
            console.Info($"ok: {result.FileNames.Count} file(s) would be rendered");
            return ExitCodes.Ok;
        }

        var (jobs, _) = NomadJobs.Load(specs, lockPath);
        return await NomadJobs.GuardAsync(console, async () =>
        {
            using var client = connection.Client(parse, console);
            var refused = 0;
            foreach (var job in jobs)
            {
                // api/jobs.go Validate; command/agent/job_endpoint.go ValidateJobRequest answers JobValidateResponse.
                var answer = await client.ValidateJobAsync(job.Job, cancellationToken);
                var errors = answer.ValidationErrors.SelectMany(NomadMessages.Items).ToList();
                if (errors.Count == 0 && answer.Error.Length > 0)
                {
                    errors.AddRange(NomadMessages.Items(answer.Error));
                }

                foreach (var error in errors)
                {
                    console.Error.WriteLine($"error: job \"{job.Id}\": Nomad: {error}");
                }

                NomadJobs.PrintWarnings(console, job.Id, answer.Warnings);
                refused += errors.Count > 0 ? 1 : 0;
            }

            if (refused > 0)
            {
                console.Error.WriteLine($"Nomad refuses {refused} of {jobs.Count} job(s); nothing was written.");
                return ExitCodes.InvalidInput;
            }

            console.Info($"ok: Nomad accepts {jobs.Count} job(s)");
            return ExitCodes.Ok;
        });
    }
}

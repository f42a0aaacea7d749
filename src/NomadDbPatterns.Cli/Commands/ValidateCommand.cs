using System.CommandLine;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db validate SPECS...</c>: validate specs (each job, then the fleet) without writing anything.</summary>
internal sealed class ValidateCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var lockFile = Shared.LockOption("Volume lock to check the specs against (default: JOBS/nomad-db.lock with --against)");
        var against = new Option<string?>("--against") { Description = "Directory of the rendered jobs: its nomad-db.lock guards PostgreSQL majors, databases and users on existing volumes" };
        var command = new Command("validate", "Validate specs as one fleet; prints file:line:col: error CODE: message (path).\n\nExamples:\n  nomad-db validate examples\n  nomad-db validate specs/ --against jobs/")
        {
            specs, lockFile, against,
        };
        command.SetAction(parse => Execute(parse.GetValue(specs)!, parse.GetValue(lockFile) ?? (parse.GetValue(against) is { } jobs ? Path.Combine(jobs, NomadDbPatterns.Validation.VolumeLock.FileName) : null)));
        return command;
    }

    public int Execute(IReadOnlyList<string> specs, string? lockPath)
    {
        if (lockPath is null)
        {
            console.Info("note: no volume lock given (--against JOBS or --lock FILE): the upgrade guard (PostgreSQL major, database and user of existing volumes) is not checked");
        }

        var result = NomadDb.Render(specs, new RenderOptions { LockPath = lockPath });
        Shared.Print(console, result.Diagnostics);
        if (!result.Success)
        {
            return Shared.Summarize(console, result.Diagnostics);
        }

        console.Info($"ok: {result.Files.Count} file(s) would be rendered");
        return ExitCodes.Ok;
    }
}

using System.CommandLine;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db validate SPECS...</c>: validate specs (each job, then the fleet) without writing anything.</summary>
internal sealed class ValidateCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var lockFile = Shared.LockOption("Volume lock to check the specs against (nomad-db.lock beside the rendered jobs)");
        var command = new Command("validate", "Validate specs as one fleet; prints file:line:col: error CODE: message (path).\n\nExamples:\n  nomad-db validate examples\n  nomad-db validate specs/")
        {
            specs, lockFile,
        };
        command.SetAction(parse => Execute(parse.GetValue(specs)!, parse.GetValue(lockFile)));
        return command;
    }

    public int Execute(IReadOnlyList<string> specs, string? lockPath)
    {
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

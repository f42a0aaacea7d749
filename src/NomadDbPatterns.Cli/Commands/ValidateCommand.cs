using System.CommandLine;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db validate SPECS...</c>: validate specs (each job, then the fleet) without writing anything.</summary>
internal sealed class ValidateCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var command = new Command("validate", "Validate specs as one fleet; prints file:line:col: error CODE: message (path).\n\nExamples:\n  nomad-db validate examples\n  nomad-db validate specs/")
        {
            specs,
        };
        command.SetAction(parse => Execute(parse.GetValue(specs)!));
        return command;
    }

    public int Execute(IReadOnlyList<string> specs)
    {
        var result = NomadDb.Render(specs);
        Shared.Print(console, result.Diagnostics);
        if (!result.Success)
        {
            return Shared.Summarize(console, result.Diagnostics);
        }

        console.Info($"ok: {result.Files.Count} file(s) would be rendered");
        return ExitCodes.Ok;
    }
}

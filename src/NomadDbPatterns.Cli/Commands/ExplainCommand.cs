using System.CommandLine;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db explain [CODE]</c>: what an error code means and how to fix it.</summary>
internal sealed class ExplainCommand(CliConsole console)
{
    public Command Build()
    {
        var code = new Argument<string?>("code") { Description = "An error code such as NDB020 (omit to list all)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("explain", "Explain an error code.\n\nExamples:\n  nomad-db explain NDB020\n  nomad-db explain") { code };
        command.SetAction(parse => Execute(parse.GetValue(code)));
        return command;
    }

    public int Execute(string? code)
    {
        if (code is null)
        {
            foreach (var (key, (title, _)) in ErrorCodes.Explanations.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                console.Out.WriteLine($"{key}  {title}");
            }

            return ExitCodes.Ok;
        }

        if (!ErrorCodes.Explanations.TryGetValue(code.Trim().ToUpperInvariant(), out var explanation))
        {
            console.Error.WriteLine($"error NDB090: unknown error code '{code}'; `nomad-db explain` lists them");
            return ExitCodes.Usage;
        }

        console.Out.WriteLine($"{code.Trim().ToUpperInvariant()}: {explanation.Title}");
        console.Out.WriteLine();
        console.Out.WriteLine(explanation.Help);
        return ExitCodes.Ok;
    }
}

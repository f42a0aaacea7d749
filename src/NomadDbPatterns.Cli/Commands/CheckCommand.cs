using System.CommandLine;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db check SPECS... --against DIR</c>: exit 3 when committed job files are stale.</summary>
internal sealed class CheckCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var against = new Option<string>("--against") { Description = "Directory of committed job files", Required = true };
        var command = new Command("check", "Render in memory and compare with committed job files; exit 3 with a diff when they are stale.\n\nExamples:\n  nomad-db check specs --against jobs\n  nomad-db check examples --against out --quiet")
        {
            specs, against,
        };
        command.SetAction(parse => Execute(parse.GetValue(specs)!, parse.GetValue(against)!));
        return command;
    }

    public int Execute(IReadOnlyList<string> specs, string against)
    {
        var result = NomadDb.Check(specs, against);
        Shared.Print(console, result.Diagnostics);
        if (result.Diagnostics.Any(d => d.Severity == Validation.Severity.Error))
        {
            return Shared.Summarize(console, result.Diagnostics);
        }

        if (result.UpToDate)
        {
            console.Info($"up to date: {against}");
            return ExitCodes.Ok;
        }

        foreach (var file in result.Stale)
        {
            switch (file.Kind)
            {
                case StaleKind.Missing:
                    console.Out.WriteLine($"missing: {Path.Combine(against, file.FileName)} (rendered by the specs, not committed)");
                    break;
                case StaleKind.Extra:
                    console.Out.WriteLine($"extra:   {Path.Combine(against, file.FileName)} (committed, no spec renders it)");
                    break;
                default:
                    console.Out.WriteLine($"changed: {Path.Combine(against, file.FileName)}");
                    if (!console.Quiet)
                    {
                        WriteDiff(file.Diff);
                    }

                    break;
            }
        }

        var prune = result.Stale.Any(f => f.Kind == StaleKind.Extra) ? " --prune" : string.Empty;
        console.Error.WriteLine($"{result.Stale.Count} stale file(s) in {against}: run `nomad-db render {string.Join(' ', specs)} -o {against}{prune}` and commit the result.");
        return ExitCodes.Stale;
    }

    private void WriteDiff(string diff)
    {
        foreach (var line in diff.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var color = !console.Color ? null : line[0] switch
            {
                '+' when !line.StartsWith("+++", StringComparison.Ordinal) => "\u001b[32m",
                '-' when !line.StartsWith("---", StringComparison.Ordinal) => "\u001b[31m",
                '@' => "\u001b[36m",
                _ => null,
            };
            console.Out.WriteLine(color is null ? line : $"{color}{line}\u001b[0m");
        }
    }
}

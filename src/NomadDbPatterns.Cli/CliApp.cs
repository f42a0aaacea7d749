using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using NomadDbPatterns.Cli.Commands;
using NomadDbPatterns.Rendering;

namespace NomadDbPatterns.Cli;

/// <summary>The nomad-db command line: parses arguments, runs one command, returns an exit code.</summary>
public static class CliApp
{
    /// <summary>Runs nomad-db with <paramref name="args"/>, writing to <paramref name="console"/>.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        if (args is ["--version"])
        {
            // The built-in option reports the entry assembly, which is the test host when nomad-db runs in process.
            console.Out.WriteLine(GeneratorInfo.Version);
            return ExitCodes.Ok;
        }

        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print errors only", Recursive = true };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print every file written, and info such as which constraint keeps two jobs off the same node", Recursive = true };
        var diagnostics = new Option<string>("--diagnostics")
        {
            Description = "How diagnostics are printed: text (file:line:col: error CODE: message), json (one document on stdout), sarif (SARIF 2.1.0 on stdout) or github (workflow commands that annotate a pull request); json and sarif imply --quiet",
            DefaultValueFactory = _ => "text",
            Recursive = true,
        };
        diagnostics.AcceptOnlyFromAmong("text", "json", "sarif", "github");
        var root = new RootCommand($"nomad-db {GeneratorInfo.Version}: Nomad job files for services with a dedicated PostgreSQL sidecar, host volumes and verified backups.\n\n{ExitCodes.Table}")
        {
            quiet, verbose, diagnostics,
        };

        // Read before the subcommands exist (they take the console); a value the option refuses is reported with the
        // other parse errors below, meanwhile the text format stands (GetValue would throw on it).
        var preParse = root.Parse(args);
        var diagnosticsValue = preParse.GetResult(diagnostics) is { } given && given.Errors.Any() ? "text" : preParse.GetValue(diagnostics);
        var format = diagnosticsValue switch { "json" => DiagnosticFormat.Json, "sarif" => DiagnosticFormat.Sarif, "github" => DiagnosticFormat.GitHub, _ => DiagnosticFormat.Text };
        console = console with
        {
            // A JSON or SARIF document is the whole of stdout: informational lines would break it.
            Quiet = preParse.GetValue(quiet) || format is DiagnosticFormat.Json or DiagnosticFormat.Sarif,
            Verbose = preParse.GetValue(verbose),
            Diagnostics = format,
        };
        root.Subcommands.Add(new RenderCommand(console).Build());
        root.Subcommands.Add(new ValidateCommand(console).Build());
        root.Subcommands.Add(new CheckCommand(console).Build());
        root.Subcommands.Add(new InitCommand(console).Build());
        root.Subcommands.Add(new SchemaCommand(console).Build());
        root.Subcommands.Add(new ExplainCommand(console).Build());
        root.Subcommands.Add(new PlanCommand(console).Build());
        root.Subcommands.Add(new RunCommand(console).Build());
        root.Subcommands.Add(new StatusCommand(console).Build());
        root.Subcommands.Add(new SecretsCommand(console).Build());
        root.Subcommands.Add(new MigrateCommand(console).Build());
        root.Subcommands.Add(new RestoreCommand(console).Build());
        root.Subcommands.Add(new UpgradeCommand(console).Build());

        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false };
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"error NDB090: {error.Message}");
            }

            // System.CommandLine's typo suggestions for a mistyped command ("Did you mean …?"), on stderr with the
            // errors; its own error lines are dropped (printed above with the code).
            if (parse.Action is ParseErrorAction errorAction)
            {
                errorAction.ShowHelp = false;
                errorAction.ShowTypoCorrections = true;
                parse.Invoke(new InvocationConfiguration { Output = console.Error, Error = TextWriter.Null, EnableDefaultExceptionHandler = false });
            }

            console.Error.WriteLine("Run 'nomad-db --help' for usage.");
            return ExitCodes.Usage;
        }

        var unknown = UnknownOptions(parse).ToList();
        if (unknown.Count > 0)
        {
            foreach (var error in unknown)
            {
                console.Error.WriteLine($"error NDB090: {error}");
            }

            console.Error.WriteLine("Run 'nomad-db --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            // System.CommandLine's own handler would print an I/O error as an unhandled exception with a stack trace
            // and exit 1; the clauses below report it as an error line with the right exit code.
            return parse.Invoke(configuration);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or TemplateException or DirectoryNotFoundException)
        {
            console.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A bug, not bad input: the whole exception, for a report (staged output files were already removed).
            console.Error.WriteLine($"internal error (please report it): {exception}");
            return ExitCodes.InvalidInput;
        }
    }

    /// <summary>
    /// Arguments that look like options but are none: System.CommandLine takes an unknown <c>--frobnicate</c> for a
    /// SPECS path. A spec whose name starts with '-' is still reachable as <c>./-name.yaml</c> or after <c>--</c>.
    /// </summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parse)
    {
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                yield break;
            }

            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-' && !IsNumber(token.Value))
            {
                yield return $"unknown option '{token.Value}' for '{parse.CommandResult.Command.Name}'";
            }
        }

        static bool IsNumber(string value) => double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }
}

using System.CommandLine;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>Options and output helpers shared by the commands.</summary>
internal static class Shared
{
    public static Argument<string[]> SpecsArgument() => new("specs")
    {
        Description = "Spec files (.yaml/.yml) or directories (read recursively)",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Option<string?> TemplatesOption() => new("--templates")
    {
        Description = "Directory of template overrides (same file names as the embedded templates)",
    };

    public static Option<string?> LockOption(string description) => new("--lock")
    {
        Description = description,
    };

    /// <summary>
    /// Prints diagnostics as <c>file:line:col: error CODE: message (path)</c>: errors to stderr, warnings to stdout,
    /// info (why something is not an error, e.g. which constraint keeps two jobs apart) to stdout with --verbose only.
    /// </summary>
    /// <summary>A plan's diagnostics that carry only a spec path (relative to <paramref name="site"/>), located in its spec.</summary>
    public static List<Diagnostic> Located(IEnumerable<Diagnostic> diagnostics, ISpecSite site) =>
        [.. diagnostics.Select(d => d.Location is null && d.Path.Length > 0 ? d with { Path = site.PathOf(d.Path), Location = site.Locate(d.Path) } : d)];

    public static void Print(CliConsole console, IEnumerable<Diagnostic> diagnostics)
    {
        if (console.Diagnostics != DiagnosticFormat.Text)
        {
            // Machine-readable: everything on stdout, one document (JSON, SARIF) or one command per line (GitHub);
            // info only with --verbose, as in text.
            DiagnosticFormats.Write(console.Out, console.Diagnostics, [.. diagnostics.Where(d => d.Severity != Severity.Info || console.Verbose)]);
            return;
        }

        foreach (var diagnostic in diagnostics)
        {
            switch (diagnostic.Severity)
            {
                case Severity.Error:
                    console.Error.WriteLine(diagnostic.ToString());
                    break;
                case Severity.Info:
                    console.Detail(diagnostic.ToString());
                    break;
                default:
                    console.Out.WriteLine(diagnostic.ToString());
                    break;
            }
        }
    }

    public static int Summarize(CliConsole console, IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Count(d => d.Severity == Severity.Error);
        if (errors > 0)
        {
            console.Error.WriteLine($"{errors} error(s); nothing was written.");
            return ExitCodes.InvalidInput;
        }

        return ExitCodes.Ok;
    }
}

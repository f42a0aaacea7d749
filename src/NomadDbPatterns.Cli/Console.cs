namespace NomadDbPatterns.Cli;

/// <summary>Where a command writes, and how loudly.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record CliConsole(TextWriter Out, TextWriter Error)
{
    /// <summary>Suppress informational output.</summary>
    public bool Quiet { get; init; }
    /// <summary>Print extra detail.</summary>
    public bool Verbose { get; init; }
    /// <summary>How diagnostics are printed (<c>--diagnostics</c>).</summary>
    public DiagnosticFormat Diagnostics { get; init; } = DiagnosticFormat.Text;
    /// <summary>Colour allowed (a terminal and no NO_COLOR).</summary>
    public bool Color { get; init; }

    /// <summary>The process console, honouring NO_COLOR and redirection.</summary>
    public static CliConsole System() => new(global::System.Console.Out, global::System.Console.Error)
    {
        Color = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && !global::System.Console.IsOutputRedirected,
    };

    /// <summary>Informational line (suppressed by --quiet).</summary>
    public void Info(string line)
    {
        if (!Quiet)
        {
            Out.WriteLine(line);
        }
    }

    /// <summary>Detail line (only with --verbose).</summary>
    public void Detail(string line)
    {
        if (Verbose)
        {
            Out.WriteLine(line);
        }
    }
}

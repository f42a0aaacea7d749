using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>How serious a diagnostic is.</summary>
public enum Severity
{
    /// <summary>The input is rejected.</summary>
    Error,
    /// <summary>Worth a look; the input is accepted.</summary>
    Warning,
    /// <summary>Information about a decision (e.g. why two jobs do not clash); the CLI shows it with --verbose.</summary>
    Info,
}

/// <summary>A finding about a spec or model: code, message, the path into the spec, and where it was written.</summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">Stable error code, see <see cref="ErrorCodes"/>.</param>
/// <param name="Message">What is wrong, in words.</param>
/// <param name="Path">Path into the spec, e.g. <c>jobs[0].postgres.version</c>.</param>
/// <param name="Location">File, line and column, when the input came from a file.</param>
public sealed record Diagnostic(Severity Severity, string Code, string Message, string Path, SourceLocation? Location)
{
    // Messages and paths echo user text: escaped (one diagnostic is one line, whatever a spec holds) and bounded.
    private readonly string _message = Echo.Escape(Message ?? string.Empty, InputLimits.MaxMessageChars);
    private readonly string _path = Echo.Escape(Path ?? string.Empty, InputLimits.MaxMessageChars);

    /// <summary>What is wrong, in words (control characters escaped, at most <see cref="InputLimits.MaxMessageChars"/> characters).</summary>
    public string Message { get => _message; init => _message = Echo.Escape(value ?? string.Empty, InputLimits.MaxMessageChars); }

    /// <summary>Path into the spec, e.g. <c>jobs[0].postgres.version</c> (control characters escaped).</summary>
    public string Path { get => _path; init => _path = Echo.Escape(value ?? string.Empty, InputLimits.MaxMessageChars); }

    /// <summary>Another place involved (e.g. the first definition of a duplicate), or null.</summary>
    public SourceLocation? Related { get; init; }

    /// <summary>Creates an error.</summary>
    public static Diagnostic Error(string code, string message, string path, SourceLocation? location = null) =>
        new(Severity.Error, code, message, path, location);

    /// <summary>Creates a warning.</summary>
    public static Diagnostic Warning(string code, string message, string path, SourceLocation? location = null) =>
        new(Severity.Warning, code, message, path, location);

    /// <summary>Creates an informational diagnostic.</summary>
    public static Diagnostic Info(string code, string message, string path, SourceLocation? location = null) =>
        new(Severity.Info, code, message, path, location);

    /// <summary>Formats as <c>file:line:col: error CODE: message (path)</c>.</summary>
    public override string ToString()
    {
        var where = Location is null ? "<model>" : Echo.Escape(Location.ToString(), int.MaxValue);
        var severity = Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "info" };
        var path = string.IsNullOrEmpty(Path) ? string.Empty : $" ({Path})";
        var related = Related is null ? string.Empty : $" [see also {Echo.Escape(Related.ToString(), int.MaxValue)}]";
        var origin = Location?.Origin is { } from ? $" [from {Echo.Escape(from, InputLimits.MaxMessageChars)}]" : string.Empty;
        return $"{where}: {severity} {Code}: {Message}{path}{origin}{related}";
    }
}

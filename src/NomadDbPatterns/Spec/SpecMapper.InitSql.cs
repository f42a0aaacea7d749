using System.Collections.Immutable;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

/// <summary>The init SQL of the PostgreSQL sidecar: <c>postgres.initSql</c> statements, then <c>postgres.initSqlFile</c>.</summary>
internal sealed partial class SpecMapper
{
    /// <summary>The largest init SQL file: the SQL is written into the job file, which a reviewer reads whole.</summary>
    internal const int MaxInitSqlFileChars = 256 * 1024;

    private ImmutableArray<string> MapInitSql(PostgresSpec spec)
    {
        var sql = ImmutableArray.CreateBuilder<string>();
        sql.AddRange(spec.InitSql ?? []);
        if (spec.InitSqlFile is { } file && ReadInitSqlFile(file) is { } text)
        {
            sql.Add(text);
        }

        return sql.ToImmutable();
    }

    /// <summary>
    /// Reads <c>postgres.initSqlFile</c>: a relative path below the spec file's directory, no <c>..</c> and no symbolic
    /// link on the way (a spec cannot pull a file from elsewhere on the machine into a job file), a regular file of at
    /// most <see cref="MaxInitSqlFileChars"/> characters, text without control characters but line breaks and tabs
    /// (CRLF line ends are read as LF). Null, with an error at the key, when any of that fails.
    /// </summary>
    private string? ReadInitSqlFile(string file)
    {
        const string path = "postgres.initSqlFile";
        var segments = file.Replace('\\', '/').Split('/');
        if (file.Length == 0 || Path.IsPathRooted(file) || segments.Any(s => s is "" or "." or ".."))
        {
            Report(ErrorCodes.InvalidValue, $"'{Echo.Value(file)}' is not a path below the spec file's directory (relative, no '.', '..' or empty segments)", path);
            return null;
        }

        var current = Path.GetDirectoryName(Path.GetFullPath(map.File)) ?? ".";
        try
        {
            foreach (var segment in segments)
            {
                current = Path.Combine(current, segment);
                if (new FileInfo(current).LinkTarget is not null)
                {
                    Report(ErrorCodes.InvalidValue, $"'{Echo.Value(file)}' goes through a symbolic link ('{Echo.Value(segment)}'), which is not followed: the SQL file must lie below the spec file's directory", path);
                    return null;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Report(ErrorCodes.InvalidValue, $"cannot read init SQL file '{Echo.Value(file)}': {Echo.Value(exception.Message)}", path);
            return null;
        }

        var (text, error) = SpecInputs.Read(current);
        if (text is null)
        {
            Report(ErrorCodes.InvalidValue, $"cannot read init SQL file '{Echo.Value(file)}': {error!.Message}", path);
            return null;
        }

        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (text.Length > MaxInitSqlFileChars)
        {
            Report(ErrorCodes.InputLimit, $"init SQL file '{Echo.Value(file)}' holds {text.Length} characters; at most {MaxInitSqlFileChars} are written into a job file", path);
            return null;
        }

        if (InputText.UnsafeCharIn(text, multiline: true) is { } c)
        {
            Report(ErrorCodes.UnsafeText, $"init SQL file '{Echo.Value(file)}' holds {InputText.Describe(c)}; SQL may hold line breaks and tabs, but no other control characters", path);
            return null;
        }

        return text;
    }
}

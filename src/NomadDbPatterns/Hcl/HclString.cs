using System.Globalization;
using System.Text;

namespace NomadDbPatterns.Hcl;

/// <summary>
/// The one place where text becomes HCL: quoted strings and heredocs. Every value that reaches a template passes
/// through here, so no spec or model value can change the structure of the output.
/// </summary>
public static class HclString
{
    /// <summary>Heredoc delimiters tried in order; one that occurs as a line of the text is skipped.</summary>
    private static readonly string[] Delimiters = ["EOH", "EOT", "EOF", "END_OF_TEXT"];

    /// <summary>Renders <paramref name="value"/> as a quoted HCL string that reads back as exactly the same text.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        AppendQuotedBody(builder, value);
        builder.Append('"');
        return builder.ToString();
    }

    /// <summary>Appends the escaped body of a quoted string (without the quotes).</summary>
    public static void AppendQuotedBody(StringBuilder builder, string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '$' or '%' when i + 1 < value.Length && value[i + 1] == '{':
                    // HCL reads ${ and %{ as template sequences; doubling the lead character makes them literal.
                    builder.Append(c).Append(c);
                    break;
                default:
                    if (IsControl(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// Renders <paramref name="value"/> as an indented heredoc (<c>&lt;&lt;-EOH</c>) when that reads back as exactly
    /// the same text, else as a quoted string. Heredoc body lines are written without indentation: the layout pass
    /// indents them with the block, which a flush heredoc strips again.
    /// </summary>
    public static string Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return HeredocOrNull(value) ?? Quote(value);
    }

    /// <summary>The heredoc form of <paramref name="value"/>, or null when a heredoc cannot hold it unchanged.</summary>
    public static string? HeredocOrNull(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!CanBeFlushHeredoc(value))
        {
            return null;
        }

        var delimiter = ChooseDelimiter(value);
        if (delimiter is null)
        {
            return null;
        }

        var builder = new StringBuilder(value.Length + 16);
        builder.Append("<<-").Append(delimiter).Append('\n');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if ((c == '$' || c == '%') && i + 1 < value.Length && value[i + 1] == '{')
            {
                builder.Append(c);
            }

            builder.Append(c);
        }

        builder.Append(delimiter);
        return builder.ToString();
    }

    /// <summary>
    /// A flush heredoc strips the smallest indentation of its non-blank lines and cannot hold control characters,
    /// whitespace-only lines, or text without a final newline; only text that survives that round trip qualifies.
    /// </summary>
    private static bool CanBeFlushHeredoc(string value)
    {
        if (value.Length == 0 || value[^1] != '\n')
        {
            return false;
        }

        var hasUnindentedLine = false;
        var lineStart = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\n')
            {
                var line = value.AsSpan(lineStart, i - lineStart);
                if (line.Length > 0)
                {
                    if (line.IsWhiteSpace())
                    {
                        return false;
                    }

                    if (line[0] is ' ' or '\t')
                    {
                        if (line[0] == '\t')
                        {
                            return false;
                        }
                    }
                    else
                    {
                        hasUnindentedLine = true;
                    }
                }

                lineStart = i + 1;
                continue;
            }

            if ((IsControl(c) && c != '\t') || char.IsSurrogate(c) && !IsValidSurrogateAt(value, i) || c is '\u2028' or '\u2029' or '\u0085')
            {
                return false;
            }
        }

        return hasUnindentedLine;
    }

    private static bool IsValidSurrogateAt(string value, int index) =>
        char.IsHighSurrogate(value[index])
            ? index + 1 < value.Length && char.IsLowSurrogate(value[index + 1])
            : index > 0 && char.IsHighSurrogate(value[index - 1]);

    private static string? ChooseDelimiter(string value)
    {
        foreach (var delimiter in Delimiters)
        {
            if (!ContainsLine(value, delimiter))
            {
                return delimiter;
            }
        }

        return null;
    }

    private static bool ContainsLine(string value, string delimiter)
    {
        foreach (var line in value.AsSpan().EnumerateLines())
        {
            if (line.Trim().SequenceEqual(delimiter))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsControl(char c) => c < ' ' || c == '\u007f';
}

using System.Globalization;
using System.Text;

namespace NomadDbPatterns.Hcl;

/// <summary>
/// The one place where text becomes HCL: quoted strings and heredocs. Every value that reaches a template passes
/// through here, so no spec or model value can change the structure of the output.
/// </summary>
/// <remarks>
/// HCL reads every string value through cty, which normalizes it to Unicode NFC (the HCL spec defines string
/// equality that way), so text that is not in NFC reads back as its NFC form whatever the escaping; block labels
/// are not normalized. A lone UTF-16 surrogate cannot be written to a UTF-8 file at all: it becomes U+FFFD.
/// </remarks>
internal static class HclString
{
    /// <summary>Heredoc delimiters tried in order; one that occurs as a line of the text is skipped.</summary>
    private static readonly string[] Delimiters = ["EOH", "EOT", "EOF", "END_OF_TEXT"];

    private const char ReplacementCharacter = '\uFFFD';

    /// <summary>Characters a quoted string holds as they are, whatever surrounds them: printable ASCII but <c>\ " $ %</c>.</summary>
    private static readonly System.Buffers.SearchValues<char> Plain = System.Buffers.SearchValues.Create(
        " !#&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Renders <paramref name="value"/> as a quoted HCL string that reads back as exactly the same text.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.AsSpan().ContainsAnyExcept(Plain))
        {
            // Most values (names, images, paths, durations) need no escape: quoted as they are.
            return string.Concat("\"", value, "\"");
        }

        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        AppendQuotedBody(builder, value);
        builder.Append('"');
        return builder.ToString();
    }

    /// <summary>
    /// Appends the escape of a backslash, a double quote, a newline, a carriage return or a tab — the same in HCL, Go,
    /// YAML and env-file double-quoted strings — and says whether <paramref name="c"/> was one of them.
    /// </summary>
    internal static bool AppendCommonEscape(StringBuilder builder, char c)
    {
        var escape = c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => null };
        builder.Append(escape);
        return escape is not null;
    }

    /// <summary>Appends the escaped body of a quoted string (without the quotes).</summary>
    public static void AppendQuotedBody(StringBuilder builder, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(value);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (AppendCommonEscape(builder, c))
            {
                continue;
            }

            switch (c)
            {
                case '$' or '%' when i + 1 < value.Length && value[i + 1] == '{':
                    // HCL reads ${ and %{ as template sequences; doubling the lead character makes them literal.
                    builder.Append(c).Append(c);
                    break;
                default:
                    if (MustBeEscaped(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsSurrogate(c) && !IsValidSurrogateAt(value, i))
                    {
                        builder.Append(ReplacementCharacter);
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
                // The same template escapes as in quoted strings; backslash escapes do not exist in heredocs.
                builder.Append(c);
            }

            builder.Append(c);
        }

        builder.Append(delimiter);
        return builder.ToString();
    }

    /// <summary>
    /// A flush heredoc takes each line literally, then removes from every line that is not blank as many leading
    /// whitespace characters as the least indented such line has (hashicorp/hcl hclsyntax
    /// <c>flushHeredocTemplateParts</c>: whitespace as Go's <c>unicode.IsSpace</c>, counted in grapheme clusters;
    /// whitespace-only lines neither count nor lose anything). The layout pass indents every line that is not
    /// empty, so only text qualifies that ends with a newline, has a line with no leading whitespace, has no
    /// whitespace-only line, and has no character a heredoc cannot spell (controls other than tab, line separators,
    /// characters <see cref="Quote"/> escapes for reviewers, broken surrogates).
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

                    if (!char.IsWhiteSpace(line[0]))
                    {
                        if (HclColumns.ExtendsPrecedingSpace(line))
                        {
                            // Indented, this line's first character would fuse with the last indent space into one
                            // grapheme cluster, which HCL strips together with the indentation.
                            return false;
                        }

                        hasUnindentedLine = true;
                    }
                }

                lineStart = i + 1;
                continue;
            }

            if ((c != '\t' && MustBeEscaped(c)) || (char.IsSurrogate(c) && !IsValidSurrogateAt(value, i)))
            {
                return false;
            }
        }

        return hasUnindentedLine;
    }

    /// <summary>
    /// Characters written as <c>\uXXXX</c> in quoted strings (and never put in a heredoc): C0 and C1 controls and
    /// DEL, the Unicode line and paragraph separators, and the bidirectional controls that can make a reviewed line
    /// read differently from what it holds.
    /// </summary>
    private static bool MustBeEscaped(char c) =>
        c < ' ' || c is >= '\u007f' and <= '\u009f'
            || c is '\u2028' or '\u2029'
            || c is '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');

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

    /// <summary>HCL ends a heredoc at the first line that is its marker once surrounding whitespace is trimmed.</summary>
    private static bool ContainsLine(string value, string delimiter)
    {
        var rest = value.AsSpan();
        while (true)
        {
            var end = rest.IndexOf('\n');
            if ((end < 0 ? rest : rest[..end]).Trim().SequenceEqual(delimiter))
            {
                return true;
            }

            if (end < 0)
            {
                return false;
            }

            rest = rest[(end + 1)..];
        }
    }
}

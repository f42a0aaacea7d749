using System.Globalization;

namespace NomadDbPatterns.Hcl;

/// <summary>
/// How hclwrite measures text: in grapheme clusters, token by token (<c>Tokens.Columns</c>). A quoted string is
/// several tokens: its quotes, runs of literal text, and each <c>$</c> or <c>%</c> (or <c>$${</c>, <c>%%{</c>)
/// on its own, so a combining mark right after a quote or a <c>$</c> is a column of its own.
/// </summary>
internal static class HclColumns
{
    /// <summary>The columns hclwrite counts for <paramref name="source"/>, a piece of one line of HCL.</summary>
    public static int Width(ReadOnlySpan<char> source)
    {
        if (!source.ContainsAnyExceptInRange(' ', '~'))
        {
            // Printable ASCII: every character is a grapheme cluster of its own, in or out of quotes.
            return source.Length;
        }

        var total = 0;
        var i = 0;
        while (i < source.Length)
        {
            if (source[i] != '"')
            {
                var run = source[i..].IndexOf('"');
                var end = run < 0 ? source.Length : i + run;
                total += Graphemes(source[i..end]);
                i = end;
                continue;
            }

            total++; // the opening quote
            i++;
            while (i < source.Length && source[i] != '"')
            {
                var length = LiteralPieceLength(source, i);
                total += Graphemes(source.Slice(i, length));
                i += length;
            }

            if (i < source.Length)
            {
                total++; // the closing quote
                i++;
            }
        }

        return total;
    }

    /// <summary>Length of the scanner token that starts at <paramref name="start"/> inside a quoted string.</summary>
    private static int LiteralPieceLength(ReadOnlySpan<char> source, int start)
    {
        var c = source[start];
        if (c is '$' or '%')
        {
            return start + 2 < source.Length && source[start + 1] == c && source[start + 2] == '{' ? 3
                : start + 1 < source.Length && source[start + 1] == '{' ? 2
                : 1;
        }

        var i = start;
        while (i < source.Length && source[i] is not ('"' or '$' or '%'))
        {
            i += source[i] == '\\' && i + 1 < source.Length ? 2 : 1;
        }

        return i - start;
    }

    /// <summary>The number of grapheme clusters (extended, UAX #29) in <paramref name="text"/>.</summary>
    public static int Graphemes(ReadOnlySpan<char> text)
    {
        if (!text.ContainsAnyExceptInRange(' ', '~'))
        {
            return text.Length;
        }

        var count = 0;
        while (!text.IsEmpty)
        {
            text = text[StringInfo.GetNextTextElementLength(text)..];
            count++;
        }

        return count;
    }

    /// <summary>
    /// True when <paramref name="text"/> starts with a character that would join a space before it into one grapheme
    /// cluster (a combining mark, ZWJ, spacing mark): indented, it would be cut together with the indentation.
    /// </summary>
    public static bool ExtendsPrecedingSpace(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || char.IsAscii(text[0]))
        {
            // No ASCII character extends a grapheme cluster (UAX #29: Extend, ZWJ and SpacingMark are all non-ASCII).
            return false;
        }

        Span<char> probe = stackalloc char[3];
        probe[0] = ' ';
        var take = Math.Min(2, text.Length);
        text[..take].CopyTo(probe[1..]);
        return StringInfo.GetNextTextElementLength(probe[..(take + 1)]) > 1;
    }
}

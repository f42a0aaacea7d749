using System.Globalization;
using System.Text;

using NomadDbPatterns.Hcl;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>
/// What <c>nomad fmt</c> would change (test-side oracle of <see cref="HclLayout"/>), found by doing what it does: a port of hclwrite's <c>format</c>
/// (hashicorp/hcl v2 <c>hclwrite/format.go</c>: <c>linesForFormat</c>, <c>formatIndent</c>, <c>formatSpaces</c>,
/// <c>formatCells</c>) over a light tokenizer, kept apart from <see cref="HclLayout"/> on purpose so that each
/// checks the other.
/// </summary>
/// <remarks>
/// hclwrite only changes the spaces before tokens. Each line is split into cells: <c>lead</c>, then <c>assign</c>
/// from the first <c>=</c> when the brackets after it balance, then a trailing line comment. A heredoc belongs to
/// the line that opens it: its body and closing marker are left as they are, and that line ends after the marker.
/// Quoted strings are taken as one token (hclwrite never changes spaces inside a literal), so the spacing inside a
/// template interpolation is not checked.
/// </remarks>
internal static class HclFmt
{
    private enum T
    {
        Word,
        Str,
        OBrace,
        CBrace,
        OBrack,
        CBrack,
        OParen,
        CParen,
        Comma,
        Equal,
        Colon,
        DoubleColon,
        Dot,
        Ellipsis,
        Bang,
        Minus,
        Question,
        Arith,
        Compare,
        Logic,
        Arrow,
        LineComment,
        InlineComment,
        Heredoc,
        Other,
    }

    private readonly record struct Tok(T Type, int Start, int End)
    {
        public int BracketChange => Type switch
        {
            T.OBrace or T.OBrack or T.OParen => 1,
            T.CBrace or T.CBrack or T.CParen => -1,
            _ => 0,
        };
    }

    private sealed class FmtLine(int number, string text, List<Tok> tokens)
    {
        public int Number { get; } = number;
        public string Text { get; } = text;
        public List<Tok> Lead { get; set; } = tokens;
        public List<Tok>? Assign { get; set; }
        public Tok? Comment { get; set; }
        public int Indent { get; set; }
        public int[] LeadSpaces { get; set; } = [];
        public int[] AssignSpaces { get; set; } = [];
        public int CommentSpaces { get; set; }
        public bool IsBlank => Lead.Count == 0 && Comment is null;
    }

    /// <summary>Splits on LF only (HCL's newline; a CR before it is dropped), never on other Unicode line breaks.</summary>
    private static List<string> SplitLines(string text)
    {
        var lines = text.Split('\n').ToList();
        var last = lines[^1]; // not followed by LF: its CR, if any, stays
        lines.RemoveAt(lines.Count - 1);
        lines = [.. lines.Select(line => line.EndsWith('\r') ? line[..^1] : line)];
        if (last.Length > 0)
        {
            lines.Add(last);
        }

        return lines;
    }

    public static IReadOnlyList<LayoutProblem> Check(string hcl)
    {
        var problems = new List<LayoutProblem>();
        var lines = new List<FmtLine>();
        string? heredoc = null;
        var heredocLine = 0;
        var inBlockComment = false;
        var physical = SplitLines(hcl);
        for (var n = 0; n < physical.Count; n++)
        {
            var text = physical[n];
            if (heredoc is not null)
            {
                if (text.AsSpan().Trim().SequenceEqual(heredoc))
                {
                    heredoc = null;
                }

                continue;
            }

            if (inBlockComment)
            {
                inBlockComment = !text.Contains("*/", StringComparison.Ordinal);
                continue;
            }

            var tokens = Tokenize(text, out heredoc, out inBlockComment);
            heredocLine = n + 1;
            lines.Add(new FmtLine(n + 1, text, tokens));
        }

        if (heredoc is not null)
        {
            problems.Add(new LayoutProblem(heredocLine, $"heredoc '{heredoc}' is never closed", physical[heredocLine - 1], physical[heredocLine - 1]));
            return problems;
        }

        SplitCells(lines);
        FormatIndent(lines);
        FormatSpaces(lines);
        FormatCells(lines);
        foreach (var line in lines)
        {
            var expected = Render(line);
            if (expected != line.Text)
            {
                problems.Add(new LayoutProblem(line.Number, Explain(line, expected), line.Text, expected));
            }
        }

        return problems;
    }

    private static void SplitCells(List<FmtLine> lines)
    {
        foreach (var line in lines)
        {
            var lead = line.Lead;
            if (lead.Count > 1 && lead[^1].Type == T.LineComment)
            {
                line.Comment = lead[^1];
                lead = lead[..^1];
            }

            for (var i = 1; i < lead.Count; i++)
            {
                if (lead[i].Type != T.Equal)
                {
                    continue;
                }

                // Only a whole value takes part in alignment: a net opening bracket starts a multi-line expression.
                if (lead.Skip(i).Sum(t => t.BracketChange) == 0)
                {
                    line.Assign = lead[i..];
                    lead = lead[..i];
                }

                break;
            }

            line.Lead = lead;
        }
    }

    private static void FormatIndent(List<FmtLine> lines)
    {
        var indents = new List<int>();
        foreach (var line in lines)
        {
            if (line.IsBlank)
            {
                line.Indent = 0;
                continue;
            }

            var net = 0;
            foreach (var token in line.Lead)
            {
                net += token.BracketChange;
                if (token.Type == T.Heredoc)
                {
                    break;
                }
            }

            net += line.Assign?.Sum(t => t.BracketChange) ?? 0;
            if (net > 0)
            {
                line.Indent = 2 * indents.Count;
                indents.Add(net);
                continue;
            }

            var closed = -net;
            while (closed > 0 && indents.Count > 0)
            {
                if (closed >= indents[^1])
                {
                    closed -= indents[^1];
                    indents.RemoveAt(indents.Count - 1);
                }
                else
                {
                    indents[^1] -= closed;
                    closed = 0;
                }
            }

            line.Indent = 2 * indents.Count;
        }
    }

    private static void FormatSpaces(List<FmtLine> lines)
    {
        foreach (var line in lines)
        {
            line.LeadSpaces = CellSpaces(line.Text, line.Lead);
            if (line.Assign is { } assign)
            {
                line.AssignSpaces = CellSpaces(line.Text, assign);
                line.AssignSpaces[0] = 1;
            }
        }
    }

    /// <summary>The spaces before each token of a cell (the first is decided elsewhere).</summary>
    private static int[] CellSpaces(string text, List<Tok> cell)
    {
        var spaces = new int[cell.Count];
        for (var i = 0; i + 1 < cell.Count; i++)
        {
            T? before = i > 0 ? cell[i - 1].Type : null;
            spaces[i + 1] = SpaceAfter(text, cell[i], before, cell[i + 1]) ? 1 : 0;
        }

        return spaces;
    }

    /// <summary>hclwrite's <c>spaceAfterToken</c>, case by case in its order.</summary>
    private static bool SpaceAfter(string text, Tok subject, T? before, Tok after)
    {
        var s = subject.Type;
        var a = after.Type;
        if (s == T.Word && a == T.OParen)
        {
            return false; // a function name and its parenthesis
        }

        if ((s == T.Word && a == T.DoubleColon) || (s == T.DoubleColon && a == T.Word))
        {
            return false;
        }

        if (s == T.Dot || a == T.Dot)
        {
            return false;
        }

        if (a is T.Comma or T.Ellipsis)
        {
            return false;
        }

        if (s == T.Comma)
        {
            return true;
        }

        if (s == T.Heredoc)
        {
            return false; // nothing follows an opener on its line
        }

        if (text.AsSpan(subject.Start, subject.End - subject.Start).SequenceEqual("in") && before == T.Word)
        {
            return true; // the keyword of a for expression
        }

        if (a == T.OBrack && (s == T.Word || subject.BracketChange < 0))
        {
            return false;
        }

        if (s == T.Bang)
        {
            return false;
        }

        if (s == T.Minus)
        {
            // Negation, unless what comes before looks like the end of an expression.
            return before is not (null or T.OParen or T.OBrace or T.OBrack or T.Equal or T.Colon or T.Comma or T.Question
                or T.Arith or T.Minus or T.Compare or T.Logic or T.Bang);
        }

        if (s == T.OBrace || a == T.CBrace)
        {
            return !(s == T.OBrace && a == T.CBrace);
        }

        if (subject.BracketChange > 0)
        {
            return false;
        }

        if (after.BracketChange < 0)
        {
            return false;
        }

        return true;
    }

    private static void FormatCells(List<FmtLine> lines)
    {
        AlignChains(lines, line => line.Assign is not null, LeadColumns, (line, spaces) => line.AssignSpaces[0] = spaces);
        AlignChains(lines, line => line.Comment is not null, line => LeadColumns(line) + AssignColumns(line), (line, spaces) => line.CommentSpaces = spaces);
    }

    /// <summary>Consecutive lines that have the cell line it up one column after the widest text before it.</summary>
    private static void AlignChains(List<FmtLine> lines, Func<FmtLine, bool> hasCell, Func<FmtLine, int> columnsBefore, Action<FmtLine, int> setSpaces)
    {
        var start = -1;
        var max = 0;
        for (var i = 0; i <= lines.Count; i++)
        {
            if (i < lines.Count && hasCell(lines[i]))
            {
                start = start < 0 ? i : start;
                max = Math.Max(max, columnsBefore(lines[i]));
                continue;
            }

            if (start >= 0)
            {
                for (var j = start; j < i; j++)
                {
                    setSpaces(lines[j], max - columnsBefore(lines[j]) + 1);
                }
            }

            start = -1;
            max = 0;
        }
    }

    private static int LeadColumns(FmtLine line) => line.Indent + CellColumns(line.Text, line.Lead, line.LeadSpaces, skipFirst: true);

    private static int AssignColumns(FmtLine line) =>
        line.Assign is { } assign ? CellColumns(line.Text, assign, line.AssignSpaces, skipFirst: false) : 0;

    private static int CellColumns(string text, List<Tok> cell, int[] spaces, bool skipFirst)
    {
        var columns = 0;
        for (var i = 0; i < cell.Count; i++)
        {
            columns += (i == 0 && skipFirst ? 0 : spaces[i]) + HclColumns.Width(text.AsSpan(cell[i].Start, cell[i].End - cell[i].Start));
        }

        return columns;
    }

    private static string Render(FmtLine line)
    {
        if (line.IsBlank)
        {
            return string.Empty;
        }

        var builder = new StringBuilder(line.Text.Length + 8);
        builder.Append(' ', line.Indent);
        AppendCell(builder, line.Text, line.Lead, line.LeadSpaces, skipFirst: true);
        if (line.Assign is { } assign)
        {
            AppendCell(builder, line.Text, assign, line.AssignSpaces, skipFirst: false);
        }

        if (line.Comment is { } comment)
        {
            builder.Append(' ', line.Lead.Count > 0 || line.Assign is not null ? line.CommentSpaces : 0);
            builder.Append(line.Text.AsSpan(comment.Start, comment.End - comment.Start));
        }

        return builder.ToString();
    }

    private static void AppendCell(StringBuilder builder, string text, List<Tok> cell, int[] spaces, bool skipFirst)
    {
        for (var i = 0; i < cell.Count; i++)
        {
            builder.Append(' ', i == 0 && skipFirst ? 0 : spaces[i]);
            builder.Append(text.AsSpan(cell[i].Start, cell[i].End - cell[i].Start));
        }
    }

    private static string Explain(FmtLine line, string expected)
    {
        var actual = line.Text;
        if (line.IsBlank)
        {
            return "whitespace on a blank line";
        }

        var reasons = new List<string>();
        var actualIndent = line.Lead.Count > 0 ? line.Lead[0].Start : line.Comment?.Start ?? 0;
        if (actualIndent != line.Indent || actual.AsSpan(0, actualIndent).ContainsAnyExcept(' '))
        {
            reasons.Add($"indentation: expected {line.Indent} spaces, found {Describe(actual.AsSpan(0, actualIndent))}");
        }

        var last = line.Comment ?? (line.Assign is { Count: > 0 } assign ? assign[^1] : line.Lead[^1]);
        if (last.End < actual.Length)
        {
            reasons.Add("trailing whitespace");
        }

        var spacing = GapsDiffer(line.Lead, line.LeadSpaces, from: 1);
        if (line.Assign is { } cell)
        {
            if (cell[0].Start - line.Lead[^1].End != line.AssignSpaces[0])
            {
                var column = LeadColumns(line) + line.AssignSpaces[0] + 1;
                reasons.Add($"'=' not aligned with the attributes around it (expected in column {column})");
            }

            spacing |= GapsDiffer(cell, line.AssignSpaces, from: 1);
        }

        if (spacing)
        {
            reasons.Add("spacing between tokens");
        }

        if (line.Comment is { } comment && line.Lead.Count > 0)
        {
            var previous = line.Assign is { Count: > 0 } a ? a[^1] : line.Lead[^1];
            if (comment.Start - previous.End != line.CommentSpaces)
            {
                reasons.Add("trailing comment not aligned with the comments around it");
            }
        }

        return reasons.Count > 0 ? string.Join("; ", reasons) : $"differs from \"{expected}\"";
    }

    private static bool GapsDiffer(List<Tok> cell, int[] spaces, int from)
    {
        for (var i = from; i < cell.Count; i++)
        {
            if (cell[i].Start - cell[i - 1].End != spaces[i])
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(ReadOnlySpan<char> whitespace)
    {
        var tabs = whitespace.Count('\t');
        var spaces = whitespace.Count(' ');
        var other = whitespace.Length - tabs - spaces;
        var parts = new List<string>();
        if (spaces > 0 || whitespace.IsEmpty)
        {
            parts.Add($"{spaces} spaces");
        }

        if (tabs > 0)
        {
            parts.Add($"{tabs} tabs");
        }

        if (other > 0)
        {
            parts.Add($"{other} other whitespace characters");
        }

        return string.Join(" and ", parts);
    }

    /// <summary>Splits one line into tokens; a heredoc opener or an unclosed block comment ends it.</summary>
    private static List<Tok> Tokenize(string text, out string? heredoc, out bool opensBlockComment)
    {
        var tokens = new List<Tok>();
        heredoc = null;
        opensBlockComment = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t')
            {
                i++;
                continue;
            }

            var start = i;
            T type;
            if (c == '#' || (c == '/' && At(text, i + 1, '/')))
            {
                tokens.Add(new Tok(T.LineComment, start, text.Length));
                break;
            }

            if (c == '/' && At(text, i + 1, '*'))
            {
                var close = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    tokens.Add(new Tok(T.InlineComment, start, text.Length));
                    opensBlockComment = true;
                    break;
                }

                tokens.Add(new Tok(T.InlineComment, start, close + 2));
                i = close + 2;
                continue;
            }

            if (c == '"')
            {
                i = QuotedEnd(text, i + 1);
                type = T.Str;
            }
            else if (c == '<' && At(text, i + 1, '<') && (At(text, i + 2, '-') ? i + 3 : i + 2) is var markerStart
                && markerStart < text.Length && IsIdentifierStart(text[markerStart]))
            {
                i = markerStart;
                while (i < text.Length && IsIdentifierPart(text[i]))
                {
                    i++;
                }

                heredoc = text[markerStart..i];
                tokens.Add(new Tok(T.Heredoc, start, i));
                break;
            }
            else if (char.IsAsciiDigit(c))
            {
                i = NumberEnd(text, i);
                type = T.Word;
            }
            else if (IsIdentifierStart(c))
            {
                while (i < text.Length && IsIdentifierPart(text[i]))
                {
                    i++;
                }

                type = T.Word;
            }
            else
            {
                (type, var length) = Punctuation(text, i);
                i += length;
            }

            tokens.Add(new Tok(type, start, i));
        }

        return tokens;
    }

    private static (T Type, int Length) Punctuation(string text, int i)
    {
        var c = text[i];
        var next = i + 1 < text.Length ? text[i + 1] : '\0';
        return c switch
        {
            '{' => (T.OBrace, 1),
            '}' => (T.CBrace, 1),
            '[' => (T.OBrack, 1),
            ']' => (T.CBrack, 1),
            '(' => (T.OParen, 1),
            ')' => (T.CParen, 1),
            ',' => (T.Comma, 1),
            '?' => (T.Question, 1),
            '.' when next == '.' && At(text, i + 2, '.') => (T.Ellipsis, 3),
            '.' => (T.Dot, 1),
            ':' when next == ':' => (T.DoubleColon, 2),
            ':' => (T.Colon, 1),
            '=' when next == '=' => (T.Compare, 2),
            '=' when next == '>' => (T.Arrow, 2),
            '=' => (T.Equal, 1),
            '!' when next == '=' => (T.Compare, 2),
            '!' => (T.Bang, 1),
            '<' or '>' when next == '=' => (T.Compare, 2),
            '<' or '>' => (T.Compare, 1),
            '&' when next == '&' => (T.Logic, 2),
            '|' when next == '|' => (T.Logic, 2),
            '-' => (T.Minus, 1),
            '+' or '*' or '/' or '%' => (T.Arith, 1),
            _ => (T.Other, StringInfo.GetNextTextElementLength(text.AsSpan(i))),
        };
    }

    /// <summary>The index after the closing quote of a string whose body starts at <paramref name="i"/>.</summary>
    private static int QuotedEnd(string text, int i)
    {
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\')
            {
                i += 2;
            }
            else if (c == '"')
            {
                return i + 1;
            }
            else if (c is '$' or '%' && At(text, i + 1, c) && At(text, i + 2, '{'))
            {
                i += 3;
            }
            else if (c is '$' or '%' && At(text, i + 1, '{'))
            {
                i = SequenceEnd(text, i + 2);
            }
            else
            {
                i++;
            }
        }

        return text.Length;
    }

    /// <summary>The index after the <c>}</c> that closes a template sequence whose content starts at <paramref name="i"/>.</summary>
    private static int SequenceEnd(string text, int i)
    {
        var depth = 1;
        while (i < text.Length && depth > 0)
        {
            var c = text[i];
            if (c == '"')
            {
                i = QuotedEnd(text, i + 1);
                continue;
            }

            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            i++;
        }

        return i;
    }

    private static int NumberEnd(string text, int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (At(text, i, '.') && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < text.Length && text[j] is '+' or '-')
            {
                j++;
            }

            if (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                i = j;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }
        }

        return i;
    }

    private static bool At(string text, int i, char c) => i < text.Length && text[i] == c;

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) =>
        char.IsLetterOrDigit(c) || c is '_' or '-'
            || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;
}

/// <summary>A line that <c>nomad fmt</c> would change.</summary>
/// <param name="LineNumber">1-based line number.</param>
/// <param name="Reason">What is off, e.g. <c>'=' not aligned</c>.</param>
/// <param name="Actual">The line as it is.</param>
/// <param name="Expected">The line as <c>nomad fmt</c> would leave it.</param>
internal sealed record LayoutProblem(int LineNumber, string Reason, string Actual, string Expected)
{
    /// <inheritdoc />
    public override string ToString() => $"line {LineNumber}: {Reason}: \"{Actual}\" should be \"{Expected}\"";
}

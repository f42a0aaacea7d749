using System.Text;

namespace NomadDbPatterns.Hcl;

/// <summary>
/// The canonical layout of rendered HCL, written down once: what <c>nomad fmt</c> (hclwrite) would leave.
/// Templates only emit lines in order; this pass owns indentation (two spaces per nesting level), the alignment
/// of <c>=</c> across consecutive single-line attributes, and blank lines (one between blocks, none after an
/// opening or before a closing brace). Heredoc bodies are indented with their attribute and otherwise untouched.
/// </summary>
public static class HclLayout
{
    private enum Kind
    {
        Blank,
        Comment,
        Attribute,
        BlockOpen,
        Close,
        Other,
        HeredocBody,
        HeredocEnd,
    }

    private readonly record struct Line(Kind Kind, int Depth, string Text, int KeyLength, bool BreaksAlignment);

    /// <summary>Re-lays out <paramref name="hcl"/> canonically. The result always ends with exactly one newline.</summary>
    public static string Format(string hcl)
    {
        ArgumentNullException.ThrowIfNull(hcl);
        var lines = Classify(hcl);
        var spaced = NormalizeBlankLines(lines);
        return Write(spaced);
    }

    private static List<Line> Classify(string hcl)
    {
        var result = new List<Line>(hcl.Length / 24);
        var depth = 0;
        string? heredocDelimiter = null;
        var heredocFlush = false;
        var heredocDepth = 0;
        var heredocBody = new List<string>();
        foreach (var rawLine in hcl.AsSpan().EnumerateLines())
        {
            if (heredocDelimiter is not null)
            {
                if (rawLine.Trim().SequenceEqual(heredocDelimiter))
                {
                    AddHeredocBody(result, heredocBody, heredocFlush, heredocDepth);
                    result.Add(new Line(Kind.HeredocEnd, heredocDepth, heredocDelimiter, 0, false));
                    heredocDelimiter = null;
                    heredocBody.Clear();
                }
                else
                {
                    heredocBody.Add(rawLine.ToString());
                }

                continue;
            }

            var text = rawLine.Trim();
            if (text.IsEmpty)
            {
                result.Add(new Line(Kind.Blank, depth, string.Empty, 0, true));
                continue;
            }

            if (text[0] == '#' || text.StartsWith("//"))
            {
                result.Add(new Line(Kind.Comment, depth, text.ToString(), 0, true));
                continue;
            }

            var scan = Scan(text);
            var lineDepth = text[0] is '}' or ']' or ')' ? depth - 1 : depth;
            depth += scan.NetOpen;
            if (depth < 0)
            {
                throw new FormatException($"Unbalanced closing bracket in rendered HCL: '{text}'.");
            }

            Kind kind;
            if (text[0] is '}' or ']' or ')')
            {
                kind = scan.NetOpen < 0 || text.Length == 1 ? Kind.Close : Kind.Other;
            }
            else if (scan.AssignAt > 0)
            {
                kind = Kind.Attribute;
            }
            else if (text[^1] == '{')
            {
                kind = Kind.BlockOpen;
            }
            else
            {
                kind = Kind.Other;
            }

            var str = text.ToString();
            var keyLength = kind == Kind.Attribute ? text[..scan.AssignAt].TrimEnd().Length : 0;
            // A multi-line value opens brackets on this line: hclwrite aligns this line, but the lines inside it break the group.
            result.Add(new Line(kind, lineDepth, str, keyLength, kind != Kind.Attribute));
            if (scan.HeredocDelimiter is not null)
            {
                heredocDelimiter = scan.HeredocDelimiter;
                heredocFlush = scan.HeredocFlush;
                heredocDepth = lineDepth;
            }
        }

        if (heredocDelimiter is not null)
        {
            throw new FormatException($"Unterminated heredoc '{heredocDelimiter}' in rendered HCL.");
        }

        if (depth != 0)
        {
            throw new FormatException("Unbalanced brackets in rendered HCL.");
        }

        return result;
    }

    /// <summary>
    /// A flush heredoc's value is its body less the smallest indentation of its non-blank lines, so the body is
    /// re-indented one level below its attribute without changing the value (and formatting twice changes nothing).
    /// </summary>
    private static void AddHeredocBody(List<Line> result, List<string> body, bool flush, int depth)
    {
        if (!flush)
        {
            foreach (var text in body)
            {
                result.Add(new Line(Kind.HeredocBody, -1, text, 0, false));
            }

            return;
        }

        var strip = int.MaxValue;
        foreach (var text in body)
        {
            if (text.Length > 0)
            {
                strip = Math.Min(strip, text.Length - text.AsSpan().TrimStart(' ').Length);
            }
        }

        foreach (var text in body)
        {
            result.Add(new Line(Kind.HeredocBody, depth + 1, text.Length > 0 ? text[strip..] : text, 0, false));
        }
    }

    private readonly record struct ScanResult(int NetOpen, int AssignAt, string? HeredocDelimiter, bool HeredocFlush);

    /// <summary>Finds brackets, the first top-level <c>=</c> and a heredoc opener on one line, skipping quoted strings.</summary>
    private static ScanResult Scan(ReadOnlySpan<char> text)
    {
        var net = 0;
        var assignAt = -1;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[' or '(':
                    net++;
                    break;
                case '}' or ']' or ')':
                    net--;
                    break;
                case '=' when assignAt < 0 && net == 0 && (i + 1 >= text.Length || text[i + 1] != '=') && (i == 0 || text[i - 1] is not ('=' or '!' or '<' or '>')):
                    assignAt = i;
                    break;
                case '<' when i + 2 < text.Length && text[i + 1] == '<' && !inString:
                    var flush = text[i + 2] == '-';
                    var start = i + (flush ? 3 : 2);
                    var delimiter = text[start..].Trim().ToString();
                    return new ScanResult(net, assignAt, delimiter, flush);
            }
        }

        return new ScanResult(net, assignAt, null, false);
    }

    /// <summary>
    /// Blank lines are decided here, not taken from templates: one before a block (or the comments that introduce it)
    /// unless it opens its parent, one after a block unless its parent closes, one after the file's header comment.
    /// </summary>
    private static List<Line> NormalizeBlankLines(List<Line> lines)
    {
        var result = new List<Line>(lines.Count + 16);
        var headerEnds = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Kind == Kind.Blank)
            {
                continue;
            }

            if (line.Kind is Kind.HeredocBody or Kind.HeredocEnd || result.Count == 0 || line.Kind == Kind.Close)
            {
                result.Add(line);
                continue;
            }

            var previous = result[^1];
            bool wantsBlank;
            if (line.Kind == Kind.Comment)
            {
                wantsBlank = previous.Kind != Kind.Comment
                    && (previous.Kind == Kind.Close || (NextIsBlockAfterComments(lines, i) && !OpensBlock(previous)));
            }
            else if (previous.Kind == Kind.Comment)
            {
                // A comment introduces what follows it; only the file's header comment is set apart from the first block.
                headerEnds = !headerEnds && result.All(l => l.Kind == Kind.Comment);
                wantsBlank = headerEnds;
            }
            else if (line.Kind == Kind.BlockOpen)
            {
                wantsBlank = !OpensBlock(previous);
            }
            else
            {
                wantsBlank = previous.Kind == Kind.Close;
            }

            if (wantsBlank)
            {
                result.Add(new Line(Kind.Blank, line.Depth, string.Empty, 0, true));
            }

            result.Add(line);
        }

        return result;
    }

    private static bool OpensBlock(Line line) =>
        line.Kind is Kind.BlockOpen || (line.Kind is Kind.Attribute or Kind.Other && line.Text[^1] is '{' or '[' or '(');

    private static bool NextIsBlockAfterComments(List<Line> lines, int index)
    {
        for (var i = index; i < lines.Count; i++)
        {
            if (lines[i].Kind is Kind.Comment or Kind.Blank)
            {
                continue;
            }

            return lines[i].Kind == Kind.BlockOpen;
        }

        return false;
    }

    private static string Write(List<Line> lines)
    {
        var builder = new StringBuilder(lines.Count * 32);
        var i = 0;
        while (i < lines.Count)
        {
            var line = lines[i];
            if (line.Kind != Kind.Attribute)
            {
                WriteLine(builder, line);
                i++;
                continue;
            }

            // An alignment group: consecutive attribute lines at one depth; heredoc bodies belong to their attribute.
            var end = i;
            var width = 0;
            while (end < lines.Count)
            {
                var candidate = lines[end];
                if (candidate.Kind == Kind.Attribute && candidate.Depth == line.Depth)
                {
                    width = Math.Max(width, candidate.KeyLength);
                    end++;
                    if (candidate.Text[^1] is '[' or '{' or '(')
                    {
                        break;
                    }
                }
                else if (candidate.Kind is Kind.HeredocBody or Kind.HeredocEnd)
                {
                    end++;
                }
                else
                {
                    break;
                }
            }

            for (var j = i; j < end; j++)
            {
                var member = lines[j];
                if (member.Kind != Kind.Attribute)
                {
                    WriteLine(builder, member);
                    continue;
                }

                Indent(builder, member.Depth);
                var key = member.Text.AsSpan(0, member.KeyLength);
                var assign = member.Text.IndexOf('=', member.KeyLength);
                var value = member.Text.AsSpan(assign + 1).TrimStart();
                builder.Append(key).Append(' ', width - member.KeyLength + 1).Append("= ").Append(value).Append('\n');
            }

            i = end;
        }

        while (builder.Length > 1 && builder[^1] == '\n' && builder[^2] == '\n')
        {
            builder.Length--;
        }

        return builder.ToString();
    }

    private static void WriteLine(StringBuilder builder, Line line)
    {
        if (line.Kind == Kind.Blank)
        {
            builder.Append('\n');
            return;
        }

        if (line.Kind == Kind.HeredocBody)
        {
            if (line.Depth >= 0 && line.Text.Length > 0)
            {
                Indent(builder, line.Depth);
            }

            builder.Append(line.Text).Append('\n');
            return;
        }

        Indent(builder, line.Depth);
        builder.Append(line.Text).Append('\n');
    }

    private static void Indent(StringBuilder builder, int depth) => builder.Append(' ', depth * 2);
}

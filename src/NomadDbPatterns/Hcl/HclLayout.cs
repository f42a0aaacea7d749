using System.Runtime.InteropServices;
using System.Text;

namespace NomadDbPatterns.Hcl;

/// <summary>
/// The canonical layout of rendered HCL, written down once: what <c>nomad fmt</c> (hclwrite) would leave, plus a
/// fixed policy for blank lines. Templates only emit lines in order; this pass owns indentation (two spaces per open
/// bracket), the alignment of <c>=</c>, and blank lines (one between blocks, none after an opening or before a
/// closing brace). The tests check it against a port of hclwrite's own formatter (tests/…/Hcl/HclFmt.cs).
/// </summary>
/// <remarks>
/// The <c>=</c> signs of consecutive lines that assign a whole value (brackets balanced after the <c>=</c>) line up
/// one space after the widest name; a heredoc attribute is one such line, so its group goes on after the closing
/// marker. A blank line, a comment line, a block header, a closing bracket, the first line of a multi-line value and
/// the lines inside it end the group. Flush heredoc bodies (<c>&lt;&lt;-</c>) are indented one level below their
/// attribute, which HCL strips again; other heredoc bodies are left as they are. Line endings become LF.
/// </remarks>
internal static class HclLayout
{
    private enum Kind
    {
        Blank,
        Comment,
        /// <summary><c>name = value</c> with the value complete on the line: takes part in <c>=</c> alignment.</summary>
        Attribute,
        /// <summary><c>name = [</c>: the first line of a multi-line value.</summary>
        ValueOpen,
        BlockOpen,
        /// <summary>A line that closes a block.</summary>
        BlockClose,
        Other,
        HeredocBody,
        HeredocEnd,
    }

    /// <param name="Kind">What the line is.</param>
    /// <param name="Depth">Indentation level; -1 for heredoc lines written as they came.</param>
    /// <param name="Text">The line without indentation: a slice of the input, not a copy.</param>
    /// <param name="AssignAt">Index of the attribute's <c>=</c> in <paramref name="Text"/>, or -1.</param>
    /// <param name="Net">Brackets opened minus closed on the line.</param>
    private readonly record struct Line(Kind Kind, int Depth, ReadOnlyMemory<char> Text, int AssignAt = -1, int Net = 0)
    {
        public ReadOnlySpan<char> Name => Text.Span[..AssignAt].TrimEnd();

        public ReadOnlySpan<char> Value => Text.Span[(AssignAt + 1)..].TrimStart();
    }

    // Formatting runs once per rendered file: the working lists and the output buffer are kept per thread (taken for
    // the call, so a caller that formats again from inside `use` gets buffers of its own).
    [ThreadStatic]
    private static Buffers? t_buffers;

    private sealed class Buffers
    {
        public readonly List<Line> Classified = new(1024);
        public readonly List<Line> Spaced = new(1024);
        public readonly List<ReadOnlyMemory<char>> HeredocBody = new(64);
        public readonly List<(int Open, bool Block)> Indents = new(16);
        public readonly CharBuffer Output = new(32 * 1024);
    }

    /// <summary>
    /// Lays out <paramref name="hcl"/> canonically into the thread's reused buffer and hands the result to
    /// <paramref name="use"/>, valid only during the call. The result always ends with exactly one newline.
    /// </summary>
    /// <exception cref="FormatException">Brackets do not balance or a heredoc is not terminated.</exception>
    internal static void Format<TState>(ReadOnlyMemory<char> hcl, TState state, System.Buffers.ReadOnlySpanAction<char, TState> use)
    {
        var buffers = t_buffers ?? new Buffers();
        t_buffers = null; // a failed call never leaves half-used buffers behind
        Classify(hcl, buffers);
        NormalizeBlankLines(buffers.Classified, buffers.Spaced);
        Write(buffers.Spaced, buffers.Output.Clear());
        buffers.Classified.Clear(); // the lines are slices of hcl: not kept alive past the call
        buffers.Spaced.Clear();
        use(buffers.Output.Span, state);
        if (buffers.Output.Capacity <= 1024 * 1024 && buffers.Classified.Capacity <= 64 * 1024)
        {
            t_buffers = buffers;
        }
    }

    private static void Classify(ReadOnlyMemory<char> hcl, Buffers buffers)
    {
        var result = buffers.Classified;
        // hclwrite's indent stack: one entry per line that opened brackets, holding how many it opened and whether
        // they opened a block (whose closing line gets blank-line treatment) or a value.
        var indents = buffers.Indents;
        indents.Clear();
        var all = hcl.Span;
        var start = 0;
        while (start < all.Length)
        {
            var rawLine = hcl.Slice(start, LineLength(all, start, out var next));
            start = next;
            var text = Trim(rawLine);
            if (text.IsEmpty)
            {
                continue; // blank lines are the layout's to place (NormalizeBlankLines), never the template's
            }

            var span = text.Span;
            if (span[0] == '#' || span.StartsWith("//"))
            {
                result.Add(new Line(Kind.Comment, indents.Count, text));
                continue;
            }

            var scan = Scan(span);
            var depth = indents.Count;
            var kind = scan switch
            {
                { AssignAt: > 0, NetAfterAssign: 0 } => Kind.Attribute,
                { AssignAt: > 0, Net: > 0 } => Kind.ValueOpen,
                { Net: > 0 } when span[^1] == '{' => Kind.BlockOpen,
                _ => Kind.Other,
            };
            if (scan.Net > 0)
            {
                indents.Add((scan.Net, kind == Kind.BlockOpen));
            }
            else if (scan.Net < 0)
            {
                var closesBlock = Close(indents, -scan.Net);
                depth = indents.Count;
                if (kind == Kind.Other && span[0] is '}' or ']' or ')')
                {
                    kind = closesBlock ? Kind.BlockClose : Kind.Other;
                }
            }

            result.Add(new Line(kind, depth, text, scan.AssignAt, scan.Net));
            if (scan.HeredocDelimiter is not null)
            {
                start = AddHeredoc(hcl, start, scan.HeredocDelimiter, scan.HeredocFlush, depth, buffers);
            }
        }

        if (indents.Count != 0)
        {
            throw new FormatException("Unbalanced brackets in rendered HCL.");
        }
    }

    /// <summary>
    /// The length of the line at <paramref name="start"/> (lines end at LF only, HCL's newline, never at other Unicode
    /// line breaks; a CR before the LF is dropped), and where the next line starts.
    /// </summary>
    private static int LineLength(ReadOnlySpan<char> all, int start, out int next)
    {
        if (start < all.Length && all[start] == '\n')
        {
            // Nearly half the template output's lines are empty (what its control statements leave).
            next = start + 1;
            return 0;
        }

        var end = all[start..].IndexOf('\n');
        if (end < 0)
        {
            next = all.Length;
            return all.Length - start;
        }

        next = start + end + 1;
        return end > 0 && all[start + end - 1] == '\r' ? end - 1 : end;
    }

    /// <summary>
    /// Adds the body and end marker of the heredoc whose body starts at <paramref name="start"/>; returns where the
    /// line after its end marker starts. The end marker is the first line that is the delimiter, less surrounding
    /// white space.
    /// </summary>
    private static int AddHeredoc(ReadOnlyMemory<char> hcl, int start, string delimiter, bool flush, int depth, Buffers buffers)
    {
        var body = buffers.HeredocBody;
        body.Clear();
        var all = hcl.Span;
        while (start < all.Length)
        {
            var line = hcl.Slice(start, LineLength(all, start, out var next));
            start = next;
            if (line.Span.Trim().SequenceEqual(delimiter))
            {
                AddHeredocBody(buffers.Classified, body, flush, depth);
                buffers.Classified.Add(new Line(Kind.HeredocEnd, depth, delimiter.AsMemory()));
                return next;
            }

            body.Add(line);
        }

        throw new FormatException($"Unterminated heredoc '{delimiter}' in rendered HCL.");
    }

    /// <summary>The memory form of <see cref="MemoryExtensions.Trim(ReadOnlySpan{char})"/> (white space by <see cref="char.IsWhiteSpace(char)"/>).</summary>
    private static ReadOnlyMemory<char> Trim(ReadOnlyMemory<char> text)
    {
        var span = text.Span;
        var leading = span.Length - span.TrimStart().Length;
        return text.Slice(leading, span[leading..].TrimEnd().Length);
    }

    /// <summary>Pops <paramref name="closed"/> brackets off the indent stack as hclwrite does; true when the last one closed a block.</summary>
    private static bool Close(List<(int Open, bool Block)> indents, int closed)
    {
        var block = false;
        while (closed > 0)
        {
            if (indents.Count == 0)
            {
                throw new FormatException("Unbalanced closing bracket in rendered HCL.");
            }

            var (open, isBlock) = indents[^1];
            block = isBlock;
            if (closed >= open)
            {
                closed -= open;
                indents.RemoveAt(indents.Count - 1);
            }
            else
            {
                indents[^1] = (open - closed, isBlock);
                closed = 0;
            }
        }

        return block;
    }

    /// <summary>
    /// A flush heredoc's value is its body less the smallest leading whitespace of its lines that are not blank, so
    /// the body is re-indented one level below its attribute without changing the value (and formatting twice
    /// changes nothing). Whitespace-only lines keep their text: HCL never strips them. A body whose first
    /// non-whitespace character would fuse with the indentation into one grapheme cluster is left as it is.
    /// </summary>
    private static void AddHeredocBody(List<Line> result, List<ReadOnlyMemory<char>> body, bool flush, int depth)
    {
        var strip = int.MaxValue;
        foreach (var text in body)
        {
            if (!text.Span.IsWhiteSpace())
            {
                strip = Math.Min(strip, LeadingWhitespace(text.Span));
            }
        }

        foreach (var text in body)
        {
            if (!text.Span.IsWhiteSpace() && LeadingWhitespace(text.Span) == strip && HclColumns.ExtendsPrecedingSpace(text.Span[strip..]))
            {
                flush = false;
            }
        }

        foreach (var text in body)
        {
            var keep = !flush || text.Span.IsWhiteSpace();
            result.Add(new Line(Kind.HeredocBody, keep ? -1 : depth + 1, keep ? text : text[strip..]));
        }
    }

    private static int LeadingWhitespace(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    /// <param name="Net">Brackets opened minus closed up to a heredoc opener or the end of the line.</param>
    /// <param name="AssignAt">Index of the first <c>=</c> after the first token, or -1 (hclwrite's rule).</param>
    /// <param name="NetAfterAssign">Brackets opened minus closed from that <c>=</c> on.</param>
    /// <param name="HeredocDelimiter">The marker of a heredoc the line opens, or null.</param>
    /// <param name="HeredocFlush">The heredoc is a flush one (<c>&lt;&lt;-</c>).</param>
    private readonly record struct ScanResult(int Net, int AssignAt, int NetAfterAssign, string? HeredocDelimiter, bool HeredocFlush);

    /// <summary>
    /// Finds brackets, the first <c>=</c> and a heredoc opener on one line, skipping quoted strings (whose template
    /// sequences are always escaped in rendered output) and a trailing comment.
    /// </summary>
    private static ScanResult Scan(ReadOnlySpan<char> text)
    {
        var net = 0;
        var assignAt = -1;
        var netAtAssign = 0;
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
                case '#':
                    return Result();
                case '/' when i + 1 < text.Length && text[i + 1] is '/' or '*':
                    return Result();
                case '{' or '[' or '(':
                    net++;
                    break;
                case '}' or ']' or ')':
                    net--;
                    break;
                case '=' when assignAt < 0 && i > 0 && IsAssignment(text, i):
                    assignAt = i;
                    netAtAssign = net;
                    break;
                case '<' when i + 2 < text.Length && text[i + 1] == '<':
                    var flush = text[i + 2] == '-';
                    var delimiter = text[(i + (flush ? 3 : 2))..].Trim().ToString();
                    return new ScanResult(net, assignAt, net - netAtAssign, delimiter, flush);
            }
        }

        return Result();

        ScanResult Result() => new(net, assignAt, net - netAtAssign, null, false);
    }

    /// <summary>An <c>=</c> that is not part of <c>==</c>, <c>!=</c>, <c>&lt;=</c>, <c>&gt;=</c> or <c>=&gt;</c>.</summary>
    private static bool IsAssignment(ReadOnlySpan<char> text, int i) =>
        (i + 1 >= text.Length || text[i + 1] is not ('=' or '>')) && text[i - 1] is not ('=' or '!' or '<' or '>');

    /// <summary>
    /// Blank lines are decided here, not taken from templates: one before a block (or the comments that introduce it)
    /// unless it opens its parent, one after a block unless its parent closes, one after the file's header comment.
    /// </summary>
    private static void NormalizeBlankLines(List<Line> lines, List<Line> result)
    {
        var headerEnds = false;
        var source = CollectionsMarshal.AsSpan(lines);
        var previousKind = Kind.Blank;
        var previousOpens = false;
        for (var i = 0; i < source.Length; i++)
        {
            ref readonly var line = ref source[i];
            if (line.Kind is Kind.HeredocBody or Kind.HeredocEnd || result.Count == 0 || IsClosing(in line))
            {
                Add(in line);
                continue;
            }

            bool wantsBlank;
            if (line.Kind == Kind.Comment)
            {
                wantsBlank = previousKind != Kind.Comment
                    && (previousKind == Kind.BlockClose || (NextIsBlockAfterComments(source, i) && !previousOpens));
            }
            else if (previousKind == Kind.Comment)
            {
                // A comment introduces what follows it; only the file's header comment is set apart from the first block.
                headerEnds = !headerEnds && result.All(l => l.Kind == Kind.Comment);
                wantsBlank = headerEnds;
            }
            else if (line.Kind == Kind.BlockOpen)
            {
                wantsBlank = !previousOpens;
            }
            else
            {
                wantsBlank = previousKind == Kind.BlockClose;
            }

            if (wantsBlank)
            {
                result.Add(new Line(Kind.Blank, line.Depth, ReadOnlyMemory<char>.Empty));
            }

            Add(in line);
        }

        void Add(in Line line)
        {
            result.Add(line);
            previousKind = line.Kind;
            previousOpens = Opens(in line);
        }
    }

    private static bool IsClosing(in Line line) => line.Net < 0 && line.Text.Span[0] is '}' or ']' or ')';

    private static bool Opens(in Line line) => line.Kind is not (Kind.HeredocBody or Kind.HeredocEnd) && line.Net > 0;

    private static bool NextIsBlockAfterComments(ReadOnlySpan<Line> lines, int index)
    {
        for (var i = index; i < lines.Length; i++)
        {
            if (lines[i].Kind == Kind.Comment)
            {
                continue;
            }

            return lines[i].Kind == Kind.BlockOpen;
        }

        return false;
    }

    private static void Write(List<Line> list, CharBuffer builder)
    {
        var lines = CollectionsMarshal.AsSpan(list);
        var i = 0;
        while (i < lines.Length)
        {
            if (lines[i].Kind != Kind.Attribute)
            {
                WriteLine(builder, in lines[i]);
                i++;
                continue;
            }

            // An alignment group: consecutive whole-value attributes, a heredoc body belonging to its attribute.
            // hclwrite aligns by column, so names at different depths would line up too.
            var end = i;
            var column = 0;
            while (end < lines.Length && lines[end].Kind is Kind.Attribute or Kind.HeredocBody or Kind.HeredocEnd)
            {
                if (lines[end].Kind == Kind.Attribute)
                {
                    column = Math.Max(column, NameColumn(in lines[end]));
                }

                end++;
            }

            for (var j = i; j < end; j++)
            {
                ref readonly var member = ref lines[j];
                if (member.Kind != Kind.Attribute)
                {
                    WriteLine(builder, in member);
                    continue;
                }

                Indent(builder, member.Depth);
                var name = member.Name;
                builder.Append(name).Append(' ', column - (member.Depth * 2) - HclColumns.Width(name) + 1).Append("= ").Append(member.Value).Append('\n');
            }

            i = end;
        }

        while (builder.Length > 1 && builder[^1] == '\n' && builder[^2] == '\n')
        {
            builder.Shorten(1);
        }
    }

    private static int NameColumn(in Line line) => line.Depth * 2 + HclColumns.Width(line.Name);

    private static void WriteLine(CharBuffer builder, in Line line)
    {
        switch (line.Kind)
        {
            case Kind.Blank:
                builder.Append('\n');
                return;
            case Kind.HeredocBody:
                if (line.Depth >= 0 && line.Text.Length > 0)
                {
                    Indent(builder, line.Depth);
                }

                builder.Append(line.Text.Span).Append('\n');
                return;
            case Kind.ValueOpen:
                // Not part of any alignment group: hclwrite leaves one space before its '='.
                Indent(builder, line.Depth);
                builder.Append(line.Name).Append(" = ").Append(line.Value).Append('\n');
                return;
            default:
                Indent(builder, line.Depth);
                builder.Append(line.Text.Span).Append('\n');
                return;
        }
    }

    private static void Indent(CharBuffer builder, int depth) => builder.Append(' ', depth * 2);
}

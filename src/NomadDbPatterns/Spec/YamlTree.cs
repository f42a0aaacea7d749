using NomadDbPatterns.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NomadDbPatterns.Spec;

/// <summary>A position in a spec file (1-based line and column).</summary>
/// <param name="File">The file, as given by the caller.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary>
    /// Where the value really came from when it is not written in <see cref="File"/> itself, e.g.
    /// <c>preset 'vaultwarden', key app.service.port</c>: the location is then the user's line that chose it.
    /// </summary>
    public string? Origin { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>A YAML node with its position: the spec loader's view of a document.</summary>
internal abstract record YamlNode(SourceLocation Location);

/// <summary>A scalar; <see cref="Plain"/> tells an unquoted scalar (which may be null/bool/number) from a quoted one.</summary>
internal sealed record YamlScalar(SourceLocation Location, string Value, bool Plain) : YamlNode(Location)
{
    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record YamlSequence(SourceLocation Location, IReadOnlyList<YamlNode> Items) : YamlNode(Location);

internal sealed record YamlEntry(YamlScalar Key, YamlNode Value);

internal sealed record YamlMapping(SourceLocation Location, IReadOnlyList<YamlEntry> Entries) : YamlNode(Location)
{
    public YamlNode? Get(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Value == key)
            {
                return entry.Value;
            }
        }

        return null;
    }
}

/// <summary>Thrown for YAML that cannot be read at all (syntax, duplicate keys, non-scalar keys, input limits).</summary>
internal sealed class SpecSyntaxException(SourceLocation location, string code, string message, string path = "") : Exception(message)
{
    public SourceLocation Location { get; } = location;
    public string Code { get; } = code;
    /// <summary>The spec path being read where the problem was found (empty for the document itself).</summary>
    public string Path { get; } = path;
}

/// <summary>
/// Reads YAML into <see cref="YamlNode"/>s from the parser's events, rejecting duplicate keys. Bounded: depth, node
/// count (aliases counted as what they expand to) and size are checked as the events arrive (see
/// <see cref="InputLimits"/>), so the parser never runs deeper than the limit and time stays linear in the input.
/// </summary>
internal static class YamlTree
{
    public static YamlNode? Load(string text, string file)
    {
        if (text.Length > InputLimits.MaxSpecChars)
        {
            throw new SpecSyntaxException(new SourceLocation(file, 1, 1), ErrorCodes.InputLimit,
                $"the file is larger than {InputLimits.MaxSpecChars / 1024} KiB; a spec file holds a few jobs (split a fleet into several files)");
        }

        return new Reader(file).Load(text);
    }

    private static string TrimYamlMessage(string message)
    {
        // YamlDotNet prefixes "(Line: x, Col: y, Idx: z) - (Line: ...): "; the position is reported separately.
        var index = message.LastIndexOf("): ", StringComparison.Ordinal);
        return index >= 0 ? message[(index + 3)..] : message;
    }

    private static SourceLocation At(string file, Mark mark) =>
        new(file, (int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue));

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private sealed class Reader(string file)
    {
        private readonly Dictionary<string, (YamlNode Node, long Weight, int Height)> _anchors = new(StringComparer.Ordinal);
        private long _nodes;
        private string _path = string.Empty;
        private long _badOffset = -1;
        private char _badChar;
        private SourceLocation? _badLocation;
        private Mark _last = Mark.Empty;

        public YamlNode? Load(string text)
        {
            FindNonPrintable(text);
            var parser = new Parser(new StringReader(text));
            try
            {
                parser.Consume<StreamStart>();
                if (parser.Accept<StreamEnd>(out _))
                {
                    return null;
                }

                parser.Consume<DocumentStart>();
                YamlNode? root = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, string.Empty, 0, out _, out _);
                _path = string.Empty;
                parser.Consume<DocumentEnd>();
                if (!parser.Accept<StreamEnd>(out _))
                {
                    var location = At(file, parser.Current!.Start);
                    throw new SpecSyntaxException(location, ErrorCodes.YamlSyntax, "a spec file holds one YAML document; use `jobs:` for several jobs");
                }

                ThrowIfNonPrintable(long.MaxValue);
                return root;
            }
            catch (YamlException exception)
            {
                ThrowIfNonPrintable(exception.End.Index + 1);
                var location = At(file, exception.Start);
                throw new SpecSyntaxException(location, ErrorCodes.YamlSyntax, $"YAML syntax error: {Echo.Escape(TrimYamlMessage(exception.Message), 200)}", _path);
            }
            catch (Exception exception) when (exception is not SpecSyntaxException)
            {
                // YamlDotNet throws more than YamlException on some malformed input (e.g. InvalidOperationException
                // from its scanner): still a syntax error in the user's file, at the last position read.
                ThrowIfNonPrintable(long.MaxValue);
                throw new SpecSyntaxException(At(file, _last), ErrorCodes.YamlSyntax, "YAML syntax error: the YAML cannot be read after this point", _path);
            }
        }

        /// <summary>Finds the first character YAML does not allow in a stream (C0 controls but tab and line breaks, DEL, C1 but NEL, U+FFFE/U+FFFF, lone surrogates).</summary>
        private void FindNonPrintable(string text)
        {
            var line = 1;
            var column = 1;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                var paired = char.IsHighSurrogate(c) ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) : !char.IsLowSurrogate(c) || i > 0 && char.IsHighSurrogate(text[i - 1]);
                if (c < ' ' && c is not ('\t' or '\n' or '\r') || c is >= '\u007f' and <= '\u009f' && c != '\u0085' || c is '\ufffe' or '\uffff' || !paired)
                {
                    (_badOffset, _badChar, _badLocation) = (i, c, new SourceLocation(file, line, column));
                    return;
                }

                if (c == '\n')
                {
                    (line, column) = (line + 1, 1);
                }
                else
                {
                    column++;
                }
            }
        }

        /// <summary>Reports the first non-printable character once the parser has read up to <paramref name="offset"/>.</summary>
        private void ThrowIfNonPrintable(long offset)
        {
            if (_badOffset >= 0 && offset > _badOffset)
            {
                throw new SpecSyntaxException(_badLocation!, ErrorCodes.UnsafeText,
                    $"the file holds {InputText.Describe(_badChar)}, which YAML does not allow; spec files are text", _path);
            }
        }

        private T Read<T>(T parsingEvent) where T : ParsingEvent
        {
            _last = parsingEvent.Start;
            ThrowIfNonPrintable(parsingEvent.End.Index);
            return parsingEvent;
        }

        private void Count(long weight, Mark at, string path)
        {
            _nodes += weight;
            if (_nodes > InputLimits.MaxNodes)
            {
                throw new SpecSyntaxException(At(file, at), ErrorCodes.InputLimit,
                    $"the file has more than {InputLimits.MaxNodes} values (aliases count as what they repeat)", path);
            }
        }

        private void Deeper(int depth, Mark at, string path)
        {
            if (depth >= InputLimits.MaxDepth)
            {
                throw new SpecSyntaxException(At(file, at), ErrorCodes.InputLimit,
                    $"mappings and lists are nested more than {InputLimits.MaxDepth} levels deep", path);
            }
        }

        /// <summary>Reads one node at <paramref name="depth"/>; <paramref name="weight"/> is its expanded node count, <paramref name="height"/> its nesting.</summary>
        private YamlNode ReadNode(IParser parser, string path, int depth, out long weight, out int height)
        {
            _path = path;
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                Read(alias);
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    throw new SpecSyntaxException(At(file, alias.Start), ErrorCodes.YamlSyntax, $"unknown alias *{Echo.Value(alias.Value.Value)}", path);
                }

                Count(target.Weight, alias.Start, path);
                if (depth + target.Height > InputLimits.MaxDepth)
                {
                    Deeper(InputLimits.MaxDepth, alias.Start, path);
                }

                (weight, height) = (target.Weight, target.Height);
                return target.Node;
            }

            YamlNode node;
            string? anchor;
            weight = 1;
            height = 0;
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                Read(scalar);
                Count(1, scalar.Start, path);
                node = new YamlScalar(At(file, scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
                anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            }
            else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                Read(sequenceStart);
                Deeper(depth, sequenceStart.Start, path);
                Count(1, sequenceStart.Start, path);
                var items = new List<YamlNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(ReadNode(parser, $"{path}[{items.Count}]", depth + 1, out var itemWeight, out var itemHeight));
                    weight += itemWeight;
                    height = Math.Max(height, itemHeight + 1);
                    _path = path;
                }

                node = new YamlSequence(At(file, sequenceStart.Start), items);
                anchor = sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value;
            }
            else if (parser.TryConsume<MappingStart>(out var mappingStart))
            {
                Read(mappingStart);
                Deeper(depth, mappingStart.Start, path);
                Count(1, mappingStart.Start, path);
                var entries = new List<YamlEntry>();
                var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
                var merged = new List<YamlEntry>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyNode = ReadNode(parser, path, depth + 1, out var keyWeight, out _);
                    weight += keyWeight;
                    if (keyNode is not YamlScalar key)
                    {
                        throw new SpecSyntaxException(keyNode.Location, ErrorCodes.YamlSyntax, "mapping keys must be plain strings", path);
                    }

                    var keyPath = Join(path, key.Value);
                    if (key is { Plain: true, Value: "<<" })
                    {
                        // A YAML merge key (yaml.org/type/merge): the entries of a mapping, or of each mapping of a
                        // sequence (earlier ones win), join this mapping unless it sets the key itself.
                        var source = ReadNode(parser, keyPath, depth + 1, out var mergeWeight, out var mergeHeight);
                        weight += mergeWeight;
                        height = Math.Max(height, mergeHeight + 1);
                        var sources = source switch
                        {
                            YamlMapping single => [single],
                            YamlSequence list when list.Items.All(i => i is YamlMapping) => list.Items.Cast<YamlMapping>().ToList(),
                            _ => throw new SpecSyntaxException(source.Location, ErrorCodes.YamlSyntax,
                                "a merge key (<<) takes a mapping or a list of mappings, e.g. `<<: *defaults`", keyPath),
                        };
                        merged.AddRange(sources.SelectMany(m => m.Entries));
                        _path = path;
                        continue;
                    }

                    if (seen.TryGetValue(key.Value, out var first))
                    {
                        throw new SpecSyntaxException(key.Location, ErrorCodes.DuplicateKey,
                            $"duplicate key '{Echo.Value(key.Value)}' (first defined at line {first.Line}, column {first.Column})", keyPath);
                    }

                    seen.Add(key.Value, key.Location);
                    entries.Add(new YamlEntry(key, ReadNode(parser, keyPath, depth + 1, out var valueWeight, out var valueHeight)));
                    weight += valueWeight;
                    height = Math.Max(height, valueHeight + 1);
                    _path = path;
                }

                foreach (var entry in merged)
                {
                    if (seen.TryAdd(entry.Key.Value, entry.Key.Location))
                    {
                        entries.Add(entry);
                    }
                }

                node = new YamlMapping(At(file, mappingStart.Start), entries);
                anchor = mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value;
            }
            else
            {
                var current = parser.Current;
                throw new SpecSyntaxException(current is null ? new SourceLocation(file, 1, 1) : At(file, current.Start), ErrorCodes.YamlSyntax, "unexpected YAML content", path);
            }

            if (anchor is not null)
            {
                _anchors[anchor] = (node, weight, height);
            }

            return node;
        }
    }
}

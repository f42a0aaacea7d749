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

/// <summary>Thrown for YAML that cannot be read at all (syntax, duplicate keys, non-scalar keys).</summary>
internal sealed class SpecSyntaxException(SourceLocation location, string code, string message) : Exception(message)
{
    public SourceLocation Location { get; } = location;
    public string Code { get; } = code;
}

/// <summary>Reads YAML into <see cref="YamlNode"/>s from the parser's events, rejecting duplicate keys.</summary>
internal static class YamlTree
{
    public static YamlNode? Load(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            YamlNode? root = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, file, anchors);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                var location = At(file, parser.Current!.Start);
                throw new SpecSyntaxException(location, ErrorCodes.YamlSyntax, "a spec file holds one YAML document; use `jobs:` for several jobs");
            }

            return root;
        }
        catch (YamlException exception)
        {
            var location = At(file, exception.Start);
            throw new SpecSyntaxException(location, ErrorCodes.YamlSyntax, $"YAML syntax error: {TrimYamlMessage(exception.Message)}");
        }
    }

    private static string TrimYamlMessage(string message)
    {
        // YamlDotNet prefixes "(Line: x, Col: y, Idx: z) - (Line: ...): "; the position is reported separately.
        var index = message.LastIndexOf("): ", StringComparison.Ordinal);
        return index >= 0 ? message[(index + 3)..] : message;
    }

    private static SourceLocation At(string file, Mark mark) => new(file, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private static YamlNode ReadNode(IParser parser, string file, Dictionary<string, YamlNode> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new SpecSyntaxException(At(file, alias.Start), ErrorCodes.YamlSyntax, $"unknown alias *{alias.Value.Value}");
        }

        YamlNode node;
        string? anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            node = new YamlScalar(At(file, scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, file, anchors));
            }

            node = new YamlSequence(At(file, sequenceStart.Start), items);
            anchor = sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value;
        }
        else if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var entries = new List<YamlEntry>();
            var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, file, anchors);
                if (keyNode is not YamlScalar key)
                {
                    throw new SpecSyntaxException(keyNode.Location, ErrorCodes.YamlSyntax, "mapping keys must be plain strings");
                }

                if (seen.TryGetValue(key.Value, out var first))
                {
                    throw new SpecSyntaxException(key.Location, ErrorCodes.DuplicateKey, $"duplicate key '{key.Value}' (first defined at line {first.Line}, column {first.Column})");
                }

                seen.Add(key.Value, key.Location);
                entries.Add(new YamlEntry(key, ReadNode(parser, file, anchors)));
            }

            node = new YamlMapping(At(file, mappingStart.Start), entries);
            anchor = mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value;
        }
        else
        {
            var current = parser.Current;
            throw new SpecSyntaxException(current is null ? new SourceLocation(file, 1, 1) : At(file, current.Start), ErrorCodes.YamlSyntax, "unexpected YAML content");
        }

        if (anchor is not null)
        {
            anchors[anchor] = node;
        }

        return node;
    }
}

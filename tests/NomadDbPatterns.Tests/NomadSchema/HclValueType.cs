using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>The kinds of value the jobspec schema names.</summary>
public enum HclValueKind
{
    /// <summary>A string.</summary>
    String,

    /// <summary>A whole number (Go int fields).</summary>
    Integer,

    /// <summary>Any number (hclspec "number").</summary>
    Number,

    /// <summary>true or false.</summary>
    Bool,

    /// <summary>A Go duration string ("10s", "1h30m") or a whole number of nanoseconds.</summary>
    Duration,

    /// <summary>A list whose items all have the element type.</summary>
    List,

    /// <summary>A map whose values all have the element type.</summary>
    Map,

    /// <summary>Anything.</summary>
    Any,
}

/// <summary>A value type of the jobspec schema, such as <c>list(map(string))</c>, checked against hcl2json's JSON.</summary>
public sealed partial record HclValueType(HclValueKind Kind, HclValueType? Element = null)
{
    /// <summary>Reads a type written as in the schema file: string, integer, number, bool, duration, any, list(T), map(T).</summary>
    public static HclValueType Parse(string text)
    {
        var trimmed = text.Trim();
        foreach (var (prefix, kind) in new[] { ("list(", HclValueKind.List), ("map(", HclValueKind.Map) })
        {
            if (trimmed.StartsWith(prefix, StringComparison.Ordinal) && trimmed.EndsWith(')'))
            {
                return new HclValueType(kind, Parse(trimmed[prefix.Length..^1]));
            }
        }

        return trimmed switch
        {
            "string" => new HclValueType(HclValueKind.String),
            "integer" => new HclValueType(HclValueKind.Integer),
            "number" => new HclValueType(HclValueKind.Number),
            "bool" => new HclValueType(HclValueKind.Bool),
            "duration" => new HclValueType(HclValueKind.Duration),
            "any" => new HclValueType(HclValueKind.Any),
            _ => throw new FormatException($"Unknown value type '{text}'."),
        };
    }

    /// <summary>
    /// Whether <paramref name="value"/> has this type. <paramref name="objectsAreOneItemLists"/> is set inside task
    /// driver config, where Nomad turns an object attribute into a one-item list before the driver reads it.
    /// </summary>
    public bool Accepts(JsonElement value, bool objectsAreOneItemLists = false) => Kind switch
    {
        HclValueKind.Any => true,
        HclValueKind.String => value.ValueKind == JsonValueKind.String,
        HclValueKind.Number => value.ValueKind == JsonValueKind.Number,
        HclValueKind.Integer => IsWholeNumber(value),
        HclValueKind.Bool => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        HclValueKind.Duration => IsWholeNumber(value)
            || (value.ValueKind == JsonValueKind.String && GoDuration().IsMatch(value.GetString()!)),
        HclValueKind.List => value.ValueKind switch
        {
            JsonValueKind.Array => value.EnumerateArray().All(item => Element!.Accepts(item, objectsAreOneItemLists)),
            JsonValueKind.Object => objectsAreOneItemLists && Element!.Accepts(value, objectsAreOneItemLists),
            _ => false,
        },
        HclValueKind.Map => value.ValueKind == JsonValueKind.Object
            && value.EnumerateObject().All(property => Element!.Accepts(property.Value, objectsAreOneItemLists)),
        _ => throw new InvalidOperationException($"Unhandled kind {Kind}."),
    };

    /// <summary>The type as the schema file writes it.</summary>
    public override string ToString() => Kind switch
    {
        HclValueKind.List => $"list({Element})",
        HclValueKind.Map => $"map({Element})",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>A short description of a JSON value for messages, e.g. <c>string "1"</c> or <c>list</c>.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"string {Preview(value.GetRawText())}",
        JsonValueKind.Number => $"number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"bool {value.GetRawText()}",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "object",
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };

    private static string Preview(string rawJson) => rawJson.Length <= 40 ? rawJson : rawJson[..37] + "...";

    private static bool IsWholeNumber(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number
        && (value.TryGetInt64(out _)
            || (double.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && double.IsFinite(number) && Math.Floor(number) == number));

    // time.ParseDuration's grammar: an optional sign, then "0" alone or one or more decimal numbers each with a unit.
    [GeneratedRegex(@"^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$")]
    private static partial Regex GoDuration();
}

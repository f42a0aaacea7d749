using System.Globalization;
using System.Text;
using NomadDbPatterns.Hcl;

namespace NomadDbPatterns.Rendering;

/// <summary>Short helpers that turn values into HCL expressions for the view models.</summary>
internal static class HclValue
{
    public static string Str(string value) => HclString.Quote(value);

    public static string? StrOrNull(string? value) => value is null ? null : HclString.Quote(value);

    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    public static string List(IEnumerable<string> values)
    {
        var builder = new StringBuilder("[");
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            builder.Append('"');
            HclString.AppendQuotedBody(builder, value);
            builder.Append('"');
        }

        return builder.Append(']').ToString();
    }

    public static string? ListOrNull(IReadOnlyCollection<string> values) => values.Count == 0 ? null : List(values);

    /// <summary>A key of an <c>env</c> block: bare when it is an identifier, quoted otherwise.</summary>
    public static string Key(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && !name.AsSpan().ContainsAnyExcept(IdentifierCharacters)
            ? name
            : HclString.Quote(name);

    private static readonly System.Buffers.SearchValues<char> IdentifierCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
}

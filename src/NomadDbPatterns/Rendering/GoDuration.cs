using System.Globalization;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Go's <c>time.ParseDuration</c>, which Nomad's HCL parser applies to duration strings; the API's JSON carries the
/// result as a <c>time.Duration</c>, i.e. int64 nanoseconds.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, decimal Nanoseconds)[] Units =
    [
        ("ns", 1m), ("us", 1_000m), ("\u00b5s", 1_000m), ("\u03bcs", 1_000m), ("ms", 1_000_000m),
        ("s", 1_000_000_000m), ("m", 60_000_000_000m), ("h", 3_600_000_000_000m),
    ];

    /// <summary>The nanoseconds of a Go duration such as <c>30s</c>, <c>1h30m</c> or <c>1.5h</c>.</summary>
    /// <exception cref="FormatException">The text is not a Go duration.</exception>
    public static long Nanoseconds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.AsSpan();
        var negative = false;
        if (!rest.IsEmpty && rest[0] is '-' or '+')
        {
            negative = rest[0] == '-';
            rest = rest[1..];
        }

        if (rest.SequenceEqual("0"))
        {
            return 0;
        }

        if (rest.IsEmpty)
        {
            throw Invalid(text);
        }

        var total = 0m;
        while (!rest.IsEmpty)
        {
            var length = 0;
            while (length < rest.Length && (char.IsAsciiDigit(rest[length]) || rest[length] == '.'))
            {
                length++;
            }

            var number = rest[..length];
            if (number.IsEmpty || number.SequenceEqual(".") || number.Count('.') > 1
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                throw Invalid(text);
            }

            rest = rest[length..];
            var unit = IndexOfUnit(rest);
            if (unit < 0)
            {
                throw Invalid(text);
            }

            total += value * Units[unit].Nanoseconds;
            rest = rest[Units[unit].Unit.Length..];
        }

        total = decimal.Truncate(total);
        if (total > long.MaxValue)
        {
            throw Invalid(text);
        }

        return negative ? -(long)total : (long)total;
    }

    /// <summary>Units are ordered so that "ms" is tried before "m".</summary>
    private static int IndexOfUnit(ReadOnlySpan<char> rest)
    {
        for (var i = 0; i < Units.Length; i++)
        {
            if (rest.StartsWith(Units[i].Unit, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static FormatException Invalid(string text) => new($"'{text}' is not a Go duration (e.g. 30s, 10m, 1h30m).");
}

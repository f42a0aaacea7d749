using System.Globalization;
using System.Text;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>
/// Go's <c>time.Duration</c> as Nomad's jobspec reads it: a duration string as <c>time.ParseDuration</c> accepts it
/// ("10m", "1h30m", "1.5s", "-2s", "0"), held as whole nanoseconds. Rules compare nanoseconds, as Go does.
/// </summary>
public static class GoDuration
{
    /// <summary>One nanosecond.</summary>
    public const long Nanosecond = 1;

    /// <summary>One second in nanoseconds.</summary>
    public const long Second = 1_000_000_000;

    /// <summary>One minute in nanoseconds.</summary>
    public const long Minute = 60 * Second;

    /// <summary>One hour in nanoseconds.</summary>
    public const long Hour = 60 * Minute;

    private static readonly (string Unit, long Nanoseconds)[] Units =
    [
        ("ns", 1),
        ("us", 1_000),
        ("\u00b5s", 1_000), // U+00B5 micro sign
        ("\u03bcs", 1_000), // U+03BC Greek mu
        ("ms", 1_000_000),
        ("s", Second),
        ("m", Minute),
        ("h", Hour),
    ];

    /// <summary>
    /// Parses a duration string like Go's <c>time.ParseDuration</c>: an optional sign, then one or more decimal
    /// numbers (with an optional fraction), each followed by a unit (ns, us, µs, ms, s, m, h); "0" alone is zero.
    /// Returns null for text Go would refuse (no unit, unknown unit, empty, overflow).
    /// </summary>
    public static long? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text;
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return 0;
        }

        if (s.Length == 0)
        {
            return null;
        }

        decimal total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            var whole = s[start..i];
            var fraction = string.Empty;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var fractionStart = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }

                fraction = s[fractionStart..i];
            }

            if (whole.Length == 0 && fraction.Length == 0)
            {
                return null; // no digits, e.g. ".s" or "s"
            }

            var unitStart = i;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            var unit = s[unitStart..i];
            var multiplier = Units.Where(u => u.Unit == unit).Select(u => (long?)u.Nanoseconds).FirstOrDefault();
            if (multiplier is null)
            {
                return null; // missing or unknown unit
            }

            try
            {
                var number = decimal.Parse((whole.Length == 0 ? "0" : whole) + (fraction.Length == 0 ? string.Empty : "." + fraction), CultureInfo.InvariantCulture);
                total += number * multiplier.Value;
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        // Go truncates fractions of a nanosecond and refuses values beyond int64.
        total = decimal.Truncate(total);
        if (total > long.MaxValue)
        {
            return null;
        }

        return negative ? -(long)total : (long)total;
    }

    /// <summary>
    /// Reads a jobspec duration value from hcl2json: a duration string, or a whole number of nanoseconds (HCL numbers
    /// become Go durations unchanged). Null when it is neither, e.g. an interpolation.
    /// </summary>
    public static long? Read(System.Text.Json.JsonElement value) => value.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => Parse(value.GetString()!),
        System.Text.Json.JsonValueKind.Number when value.TryGetInt64(out var nanoseconds) => nanoseconds,
        _ => null,
    };

    /// <summary>Formats nanoseconds as Go's <c>Duration.String</c> does ("10m0s", "1h30m0s", "1.5s", "0s").</summary>
    public static string Format(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var sign = nanoseconds < 0 ? "-" : string.Empty;
        var u = nanoseconds == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(nanoseconds);
        if (u < (ulong)Second)
        {
            var (unit, size) = u < 1_000 ? ("ns", 1UL) : u < 1_000_000 ? ("µs", 1_000UL) : ("ms", 1_000_000UL);
            return sign + Fraction(u, size) + unit;
        }

        var text = new StringBuilder(sign);
        var hours = u / (ulong)Hour;
        var minutes = u / (ulong)Minute % 60;
        var seconds = u % (ulong)Minute;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return text.Append(Fraction(seconds, (ulong)Second)).Append('s').ToString();
    }

    private static string Fraction(ulong value, ulong unit)
    {
        var whole = (value / unit).ToString(CultureInfo.InvariantCulture);
        var rest = value % unit;
        if (rest == 0)
        {
            return whole;
        }

        var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        return whole + "." + rest.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }
}

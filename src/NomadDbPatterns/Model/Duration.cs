using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NomadDbPatterns.Model;

/// <summary>
/// A duration as a spec or a caller writes it (<c>30s</c>, <c>1m30s</c>, <c>6h</c>, <c>1d</c>), parsed once when it is
/// made: <see cref="Text"/> is what gets rendered, <see cref="Value"/> what rules compare; a text that is no duration has
/// no value, and validation reports it where the spec wrote it. Never throws on bad text.
/// </summary>
public sealed record Duration
{
    /// <summary>Longest duration accepted anywhere (Go's <c>time.Duration</c> is int64 nanoseconds: about 292 years).</summary>
    public static readonly TimeSpan MaxValue = TimeSpan.FromTicks(long.MaxValue / 100);

    /// <summary>
    /// The text <see cref="TryParse"/> reads, as a regular expression (.NET and ECMAScript alike, for the JSON Schema):
    /// one or more numbers of at most 12 digits, each followed by its unit. A value too long for Go's
    /// <c>time.Duration</c> matches but does not parse. The tests check the pattern against the parser.
    /// </summary>
    internal const string Pattern = "^(?:[0-9]{1,12}(?:ms|s|m|h|d))+$";

    /// <summary>The text of a duration Nomad itself parses (<see cref="IsNomadDuration"/>): <see cref="Pattern"/> without days.</summary>
    internal const string NomadPattern = "^(?:[0-9]{1,12}(?:ms|s|m|h))+$";

    /// <summary>Parses <paramref name="text"/>.</summary>
    public Duration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        Value = TryParse(text, out var value) ? value : null;
    }

    /// <summary>The text as written, rendered unchanged.</summary>
    public string Text { get; }

    /// <summary>The duration, or null when <see cref="Text"/> is none.</summary>
    public TimeSpan? Value { get; }

    /// <summary>A duration Nomad itself parses (Go's <c>time.ParseDuration</c>: no days) and above zero.</summary>
    public bool IsNomadDuration => Value > TimeSpan.Zero && !Text.Contains('d', StringComparison.Ordinal);

    /// <summary>Whole seconds, for the scripts' environment.</summary>
    public long? Seconds => Value is { } value ? (long)value.TotalSeconds : null;

    /// <summary>Makes a duration from its text (null stays null).</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static implicit operator Duration?(string? text) => text is null ? null : new Duration(text);

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>
    /// Parses a Nomad/Go duration such as <c>10s</c>, <c>1m30s</c>, <c>6h</c>; also accepts <c>d</c> for days. False for
    /// anything beyond <see cref="MaxValue"/> (never an overflow).
    /// </summary>
    public static bool TryParse(string? value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var span = value.AsSpan();
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            {
                digits++;
            }

            if (digits == 0 || digits > 12)
            {
                return false;
            }

            var number = long.Parse(span[..digits], provider: CultureInfo.InvariantCulture);
            span = span[digits..];
            TimeSpan unit;
            if (span.StartsWith("ms"))
            {
                unit = TimeSpan.FromMilliseconds(1);
                span = span[2..];
            }
            else if (!span.IsEmpty && span[0] is 's' or 'm' or 'h' or 'd')
            {
                unit = span[0] switch { 's' => TimeSpan.FromSeconds(1), 'm' => TimeSpan.FromMinutes(1), 'h' => TimeSpan.FromHours(1), _ => TimeSpan.FromDays(1) };
                span = span[1..];
            }
            else
            {
                return false;
            }

            // Checked arithmetic: anything beyond Go's time.Duration (int64 nanoseconds) is not a duration.
            if (number > (MaxValue.Ticks - duration.Ticks) / unit.Ticks)
            {
                duration = TimeSpan.Zero;
                return false;
            }

            duration += TimeSpan.FromTicks(unit.Ticks * number);
        }

        return true;
    }
}

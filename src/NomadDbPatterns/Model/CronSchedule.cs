using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace NomadDbPatterns.Model;

/// <summary>
/// A backup's cron expression as a spec or a caller writes it, parsed once when it is made into the five-field form the
/// backup script and Nomad's <c>periodic</c> read (<see cref="Normalized"/>, macros expanded). Only numbers, <c>*</c>,
/// lists, ranges and steps are accepted: the script's matcher implements exactly those. A text that is no such
/// expression has a <see cref="Problem"/> instead, which validation reports where the spec wrote it. Never throws on
/// bad text.
/// </summary>
public sealed record CronSchedule
{
    private static readonly Dictionary<string, string> Macros = new(StringComparer.Ordinal)
    {
        ["@hourly"] = "0 * * * *",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@weekly"] = "0 0 * * 0",
        ["@monthly"] = "0 0 1 * *",
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
    };

    /// <summary>Parses <paramref name="text"/>.</summary>
    public CronSchedule(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        // Every job of a fleet tends to share a few schedules; Cronos parsing is the costly part.
        if (!Parsed.TryGetValue(text, out var result))
        {
            result = Parse(text);
            if (Parsed.Count < MaxCached)
            {
                Parsed.TryAdd(text, result);
            }
        }

        (Normalized, Problem) = result;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The five-field form (macros expanded, spaces folded), or null when <see cref="Text"/> is none.</summary>
    public string? Normalized { get; }

    /// <summary>
    /// Why <see cref="Text"/> is no schedule, as the rest of a sentence that starts with the quoted text
    /// (<c>" never fires …"</c>), or null.
    /// </summary>
    public string? Problem { get; }

    /// <summary>True when the expression is one the backup script evaluates.</summary>
    [MemberNotNullWhen(true, nameof(Normalized))]
    public bool IsValid => Normalized is not null;

    /// <summary>Makes a schedule from its text (null stays null).</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static implicit operator CronSchedule?(string? text) => text is null ? null : new CronSchedule(text);

    /// <inheritdoc />
    public override string ToString() => Text;

    private const int MaxCached = 10_000;

    private static readonly ConcurrentDictionary<string, (string? Normalized, string? Problem)> Parsed = new(StringComparer.Ordinal);

    private static (string? Normalized, string? Problem) Parse(string expression)
    {
        var normalized = Macros.TryGetValue(expression.Trim(), out var expanded) ? expanded : string.Join(' ', expression.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var fields = normalized.Split(' ');
        if (fields.Length != 5)
        {
            return (null, " is not a five-field cron expression (minute hour day-of-month month day-of-week)");
        }

        if (normalized.Any(c => !(char.IsAsciiDigit(c) || c is '*' or ',' or '-' or '/' or ' ')))
        {
            return (null, ": use numbers, *, lists (1,2), ranges (1-5) and steps (*/15) only");
        }

        foreach (var range in fields.SelectMany(f => f.Split(',')).Select(item => item.Split('/')[0]).Where(r => r.Contains('-', StringComparison.Ordinal)))
        {
            var bounds = range.Split('-');
            if (bounds.Length == 2 && int.TryParse(bounds[0], out var low) && int.TryParse(bounds[1], out var high) && low > high)
            {
                // Cronos reads 22-1 as a wrap-around range; the backup script's matcher (and many crons) do not.
                return (null, $": range {range} runs backwards; write it as two ranges (e.g. 22-23,0-1)");
            }
        }

        CronExpression parsed;
        try
        {
            parsed = CronExpression.Parse(normalized, CronFormat.Standard);
        }
        catch (CronFormatException exception)
        {
            return (null, $" is not a valid cron expression: {exception.Message}");
        }

        if (!FiresWithin(parsed, out var horizonYears))
        {
            return (null, $" never fires (no matching date in {horizonYears} years): the backup would never run; check day-of-month against the month");
        }

        return (normalized, null);
    }

    /// <summary>The horizon a schedule must fire within: 8 years covers every leap day (29 February).</summary>
    private const int HorizonYears = 8;

    private static readonly DateTime HorizonStart = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>True when the schedule fires at least once within <see cref="HorizonYears"/> years (deterministic: a fixed start in UTC).</summary>
    private static bool FiresWithin(CronExpression expression, out int horizonYears)
    {
        horizonYears = HorizonYears;
        return expression.GetNextOccurrence(HorizonStart) is { } next && next < HorizonStart.AddYears(HorizonYears);
    }

    /// <summary>True for a known IANA time zone.</summary>
    public static bool IsTimeZone(string name)
    {
        if (name is "UTC" or "Etc/UTC")
        {
            return true;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(name, out _) && name.Contains('/', StringComparison.Ordinal);
    }
}

using Cronos;
using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>Cron handling shared by validation and rendering: the subset the backup script evaluates.</summary>
public static class CronSchedule
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

    /// <summary>
    /// Parses with Cronos and returns the five-field form the backup script evaluates (macros expanded). Only numbers,
    /// <c>*</c>, lists, ranges and steps are accepted: the script's matcher implements exactly those.
    /// </summary>
    public static bool TryNormalize(string expression, out string normalized, out string error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        // Validation and every render ask again for the same few schedules; Cronos parsing is the costly part.
        if (!Normalized.TryGetValue(expression, out var result))
        {
            result = Normalize(expression);
            if (Normalized.Count < MaxCached)
            {
                Normalized.TryAdd(expression, result);
            }
        }

        (normalized, error) = (result.Normalized, result.Error);
        return result.Valid;
    }

    private const int MaxCached = 10_000;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (bool Valid, string Normalized, string Error)> Normalized = new(StringComparer.Ordinal);

    private static (bool Valid, string Normalized, string Error) Normalize(string expression)
    {
        var valid = Parse(expression, out var normalized, out var error);
        return (valid, normalized, error);
    }

    private static bool Parse(string expression, out string normalized, out string error)
    {
        normalized = Macros.TryGetValue(expression.Trim(), out var expanded) ? expanded : string.Join(' ', expression.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        error = string.Empty;
        var fields = normalized.Split(' ');
        if (fields.Length != 5)
        {
            error = $"'{Echo.Value(expression)}' is not a five-field cron expression (minute hour day-of-month month day-of-week)";
            return false;
        }

        if (normalized.Any(c => !(char.IsAsciiDigit(c) || c is '*' or ',' or '-' or '/' or ' ')))
        {
            error = $"'{Echo.Value(expression)}': use numbers, *, lists (1,2), ranges (1-5) and steps (*/15) only";
            return false;
        }

        foreach (var range in fields.SelectMany(f => f.Split(',')).Select(item => item.Split('/')[0]).Where(r => r.Contains('-', StringComparison.Ordinal)))
        {
            var bounds = range.Split('-');
            if (bounds.Length == 2 && int.TryParse(bounds[0], out var low) && int.TryParse(bounds[1], out var high) && low > high)
            {
                // Cronos reads 22-1 as a wrap-around range; the backup script's matcher (and many crons) do not.
                error = $"'{Echo.Value(expression)}': range {range} runs backwards; write it as two ranges (e.g. 22-23,0-1)";
                return false;
            }
        }

        CronExpression parsed;
        try
        {
            parsed = CronExpression.Parse(normalized, CronFormat.Standard);
        }
        catch (CronFormatException exception)
        {
            error = $"'{Echo.Value(expression)}' is not a valid cron expression: {exception.Message}";
            return false;
        }

        if (!FiresWithin(parsed, out var horizonYears))
        {
            error = $"'{Echo.Value(expression)}' never fires (no matching date in {horizonYears} years): the backup would never run; check day-of-month against the month";
            return false;
        }

        return true;
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

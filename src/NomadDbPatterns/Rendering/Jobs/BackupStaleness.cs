using Cronos;
using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Rendering;

/// <summary>How old the newest good backup may get before the backup counts as failing.</summary>
internal static class BackupStaleness
{
    private static readonly DateTime Reference = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // A year of cron occurrences costs tens of microseconds; fleets share a handful of schedules.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<BackupSchedule, long> Cache = new();

    /// <summary>Twice the longest gap between scheduled runs, plus an hour for the dump itself.</summary>
    public static long StaleAfterSeconds(BackupSchedule schedule) => Cache.GetOrAdd(schedule, Compute);

    private static long Compute(BackupSchedule schedule)
    {
        TimeSpan gap;
        if (schedule.Cron is { Normalized: { } normalized })
        {
            // The longest gap over a year of runs: irregular schedules (e.g. weekdays only) get the weekend's gap.
            var expression = CronExpression.Parse(normalized, CronFormat.Standard);
            gap = TimeSpan.Zero;
            var previous = expression.GetNextOccurrence(Reference);
            for (var i = 0; i < 400 && previous is not null; i++)
            {
                var next = expression.GetNextOccurrence(previous.Value);
                if (next is null)
                {
                    break;
                }

                gap = next.Value - previous.Value > gap ? next.Value - previous.Value : gap;
                previous = next;
            }

            if (gap == TimeSpan.Zero)
            {
                gap = TimeSpan.FromDays(366);
            }
        }
        else if (schedule.Interval?.Value is { } span)
        {
            gap = span;
        }
        else
        {
            gap = TimeSpan.FromDays(1);
        }

        return (long)(gap.TotalSeconds * 2) + 3600;
    }
}

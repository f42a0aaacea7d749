using System.Globalization;
using System.Text;
using Cronos;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// The cron matcher in backup-lib.sh (what the sidecar evaluates every minute), called through the sourced library:
/// hand-picked cases, a comparison with Cronos over random minutes, and the local-time fields in a time zone.
/// </summary>
[TestFixture]
public sealed class CronMatcherTests
{
    private const int Matches = 0;
    private const int NoMatch = 1;
    private const int Invalid = 2;

    /// <summary>Evaluates every (expression, local time) pair in one shell process; returns the exit codes.</summary>
    private static List<int> Evaluate(IReadOnlyList<(string Expression, DateTime Local)> cases, ScriptShell shell = ScriptShell.Dash)
    {
        var input = Path.Combine(Path.GetTempPath(), $"cron-cases-{Guid.NewGuid():N}.txt");
        var lines = new StringBuilder();
        foreach (var (expression, local) in cases)
        {
            lines.Append(expression).Append('|').Append(local.ToString("yyyy MM dd HH mm", CultureInfo.InvariantCulture))
                .Append(' ').Append((int)local.DayOfWeek).Append('\n');
        }

        File.WriteAllText(input, lines.ToString());
        try
        {
            var result = BackupScripts.RunLibrary($$"""
                while IFS='|' read -r expr fields; do
                  cron_matches "$expr" $fields
                  echo $?
                done < "{{input}}"
                """, shell: shell);
            Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
            var codes = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            Assert.That(codes, Has.Count.EqualTo(cases.Count), result.StdErr);
            return codes;
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static int Evaluate(string expression, string local) =>
        Evaluate([(expression, DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))])[0];

    [TestCase("* * * * *", "2024-01-15 10:31", Matches)]
    [TestCase("*/15 * * * *", "2024-01-15 10:30", Matches)]
    [TestCase("*/15 * * * *", "2024-01-15 10:31", NoMatch)]
    [TestCase("0 3 * * *", "2024-01-15 03:00", Matches)]
    [TestCase("0 3 * * *", "2024-01-15 04:00", NoMatch)]
    [TestCase("05 03 * * *", "2024-01-15 03:05", Matches)]
    [TestCase("005 * * * *", "2024-01-15 03:05", Matches)]
    [TestCase("5-10/2 * * * *", "2024-01-15 03:09", Matches)]
    [TestCase("5-10/2 * * * *", "2024-01-15 03:10", NoMatch)]
    [TestCase("7/20 * * * *", "2024-01-15 03:47", Matches)]
    [TestCase("7/20 * * * *", "2024-01-15 03:07", Matches)]
    [TestCase("7/20 * * * *", "2024-01-15 03:17", NoMatch)]
    [TestCase("0 0 1,15 * *", "2024-02-15 00:00", Matches)]
    [TestCase("0 0 * 2-4 *", "2024-05-01 00:00", NoMatch)]
    [TestCase("0 0 * * 1-5", "2024-01-13 00:00", NoMatch)] // Saturday
    [TestCase("0 0 * * 0", "2024-01-14 00:00", Matches)] // Sunday
    [TestCase("0 0 * * 7", "2024-01-14 00:00", Matches)] // 7 is Sunday too
    [TestCase("0 0 * * 5-7", "2024-01-14 00:00", Matches)]
    [TestCase("0 0 * * 5-7", "2024-01-15 00:00", NoMatch)]
    [TestCase("30 4 1,15 * 5", "2024-03-08 04:30", Matches)] // a Friday, not the 1st or 15th: OR
    [TestCase("30 4 1,15 * 5", "2024-04-01 04:30", Matches)] // the 1st, a Monday: OR
    [TestCase("30 4 1,15 * 5", "2024-04-02 04:30", NoMatch)]
    [TestCase("0 0 */2 * 1", "2024-01-08 00:00", NoMatch)] // day field starting with * keeps AND: Monday the 8th
    [TestCase("0 0 */2 * 1", "2024-01-15 00:00", Matches)] // Monday the 15th
    [TestCase("0 0 ? * 1", "2024-01-15 00:00", Matches)]
    [TestCase("0 12 * jan mon", "2024-01-08 12:00", Matches)]
    [TestCase("0 12 * JAN-MAR SAT,sun", "2024-02-11 12:00", Matches)]
    [TestCase("@daily", "2024-01-08 00:00", Matches)]
    [TestCase("@hourly", "2024-01-08 07:01", NoMatch)]
    [TestCase("@weekly", "2024-01-14 00:00", Matches)]
    [TestCase("@monthly", "2024-02-01 00:00", Matches)]
    [TestCase("@yearly", "2024-01-01 00:00", Matches)]
    [TestCase("60 * * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("* 24 * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("* * 0 * *", "2024-01-08 00:00", Invalid)]
    [TestCase("* * * 13 *", "2024-01-08 00:00", Invalid)]
    [TestCase("* * * * 8", "2024-01-08 00:00", Invalid)]
    [TestCase("5-1 * * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("*/0 * * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("1, * * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("1-2-3 * * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("? * * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("* * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("* * * * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("L * * * *", "2024-01-08 00:00", Invalid)]
    [TestCase("0 0 * * mon#2", "2024-01-08 00:00", Invalid)]
    [TestCase("@reboot", "2024-01-08 00:00", Invalid)]
    [TestCase("0 0 * * 1,", "2024-01-08 00:00", Invalid)] // an invalid later element is reported even after a match
    public void Matches_like_cron(string expression, string local, int expected) =>
        Assert.That(Evaluate(expression, local), Is.EqualTo(expected));

    private static readonly string[] CrossCheckExpressions =
    [
        "*/15 * * * *", "0 3 * * *", "5-10/2 */3 * * *", "0 0 1,15 * *", "30 4 * * 1-5", "0 12 * 1-6/2 *", "0 0 * * 0",
        "0 0 * * 7", "15 10 */5 * *", "0 */6 * * 6,0", "7/20 1-22/7 * * *", "0 0 1 */3 *", "59 23 31 12 *", "0 0 * * 5-7",
        "0,30 8-18 * * 1-5", "0 0 29 2 *", "0 0 */2 * 1",
        // Both day fields restricted: cron's OR.
        "30 4 1,15 * 5", "0 0 13 * 5", "0 9 1-7 * 1", "*/10 * 31 * 0,6",
    ];

    [Test]
    public void Agrees_with_Cronos_on_random_minutes_and_on_every_occurrence([Values] ScriptShell shell)
    {
        var random = new Random(20240229);
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var cases = new List<(string, DateTime)>();
        var expected = new List<int>();
        foreach (var expression in CrossCheckExpressions)
        {
            var matches = CronosMatcher(expression);
            var samples = Enumerable.Range(0, 60).Select(_ => start.AddMinutes(random.Next(0, 3 * 366 * 24 * 60))).ToList();
            var from = start.AddMinutes(random.Next(0, 366 * 24 * 60));
            // Occurrences make sure matches are sampled; with both day fields set, Cronos (AND) may have none, so they
            // come from the day-of-month half then.
            var fields = expression.Split(' ');
            var source = fields[2] != "*" && fields[4] != "*" ? ReplaceField(expression, 4, "*") : expression;
            var occurrence = CronExpression.Parse(source).GetOccurrences(from, from.AddYears(5)).Take(15).ToList();
            foreach (var time in samples.Concat(occurrence).Concat(occurrence.Select(t => t.AddMinutes(1))))
            {
                cases.Add((expression, time));
                expected.Add(matches(time) ? Matches : NoMatch);
            }
        }

        Assert.That(expected.Count(e => e == Matches), Is.GreaterThan(CrossCheckExpressions.Length * 10), "the sample has matches");
        var actual = Evaluate(cases, shell);
        var differences = cases.Zip(expected, actual).Where(x => x.Second != x.Third)
            .Select(x => $"{x.First.Item1} at {x.First.Item2:yyyy-MM-dd HH:mm ddd}: expected {x.Second}, got {x.Third}").ToList();
        Assert.That(differences, Is.Empty);
    }

    /// <summary>
    /// Cronos ANDs the two day fields; cron (and the script, and Nomad's periodic) ORs them when both are restricted,
    /// so such an expression is the union of its day-of-month and its day-of-week halves.
    /// </summary>
    private static Func<DateTime, bool> CronosMatcher(string expression)
    {
        static bool Hit(CronExpression cron, DateTime t) => cron.GetNextOccurrence(t, inclusive: true) == t;
        var fields = expression.Split(' ');
        var bothRestricted = !fields[2].StartsWith('*') && !fields[4].StartsWith('*');
        if (!bothRestricted)
        {
            var cron = CronExpression.Parse(expression);
            return t => Hit(cron, t);
        }

        var byDayOfMonth = CronExpression.Parse(ReplaceField(expression, 4, "*"));
        var byDayOfWeek = CronExpression.Parse(ReplaceField(expression, 2, "*"));
        return t => Hit(byDayOfMonth, t) || Hit(byDayOfWeek, t);
    }

    private static string ReplaceField(string expression, int index, string value)
    {
        var fields = expression.Split(' ');
        fields[index] = value;
        return string.Join(' ', fields);
    }

    [Test]
    public void The_schedule_fields_are_local_time_in_TZ([Values] ScriptShell shell)
    {
        // Around DST switches and in zones with odd offsets; the expected fields come from .NET's tz database.
        (string Zone, DateTimeOffset Instant)[] cases =
        [
            ("UTC", new DateTimeOffset(2024, 7, 1, 10, 30, 0, TimeSpan.Zero)),
            ("Europe/Berlin", new DateTimeOffset(2024, 3, 31, 0, 59, 0, TimeSpan.Zero)),
            ("Europe/Berlin", new DateTimeOffset(2024, 3, 31, 1, 0, 0, TimeSpan.Zero)),
            ("Europe/Berlin", new DateTimeOffset(2024, 10, 27, 0, 30, 0, TimeSpan.Zero)),
            ("Europe/Berlin", new DateTimeOffset(2024, 10, 27, 1, 30, 0, TimeSpan.Zero)),
            ("America/New_York", new DateTimeOffset(2024, 12, 31, 23, 59, 0, TimeSpan.Zero)),
            ("Asia/Kathmandu", new DateTimeOffset(2024, 2, 29, 18, 15, 0, TimeSpan.Zero)),
            ("Pacific/Kiritimati", new DateTimeOffset(2024, 6, 30, 11, 0, 0, TimeSpan.Zero)),
            ("Australia/Lord_Howe", new DateTimeOffset(2024, 4, 6, 14, 45, 0, TimeSpan.Zero)),
        ];
        foreach (var (zone, instant) in cases)
        {
            var result = BackupScripts.RunLibrary($"cron_fields_at {instant.ToUnixTimeSeconds()}", new Dictionary<string, string> { ["TZ"] = zone }, shell);
            var local = TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(zone));
            var expected = local.ToString("yyyy MM dd HH mm", CultureInfo.InvariantCulture) + " " + (int)local.DayOfWeek;
            Assert.That(result.StdOut.Trim(), Is.EqualTo(expected), $"{zone} at {instant:u}: {result.StdErr}");
        }
    }

    [Test]
    public void Backup_stamps_convert_to_the_same_epoch_as_dotnet([Values] ScriptShell shell)
    {
        var random = new Random(7);
        var instants = Enumerable.Range(0, 40)
            .Select(_ => DateTimeOffset.FromUnixTimeSeconds(random.NextInt64(0, 4102444800)))
            .Append(new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero))
            .Append(new DateTimeOffset(2000, 3, 1, 0, 0, 8, TimeSpan.Zero))
            .ToList();
        var body = string.Join('\n', instants.Select(i => $"stamp_to_epoch {BackupScripts.Stamp(i)}"));

        var result = BackupScripts.RunLibrary(body, shell: shell);

        Assert.That(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse),
            Is.EqualTo(instants.Select(i => i.ToUnixTimeSeconds())), result.StdErr);
    }
}

using System.Text.RegularExpressions;
using NomadDbPatterns.Model;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Schema;

/// <summary>
/// The patterns the schemas give for durations and sizes are the parsers' grammar: every short text over the
/// characters that matter is read alike by the pattern (as .NET and ECMAScript read it) and by the parser. Names need
/// no such test: their predicates (Validation/Rules) are the patterns.
/// </summary>
[TestFixture]
public sealed class PatternTests
{
    [Test]
    public void Duration_pattern_matches_exactly_what_the_parser_reads()
    {
        // Up to five characters: nothing overflows Go's time.Duration, which the pattern cannot say.
        var differ = Texts("07smhdx ", 5).Where(t => Regex.IsMatch(t, Duration.Pattern) != Duration.TryParse(t, out _)).Take(10).ToList();
        Assert.That(differ, Is.Empty);
        Assert.That(Regex.IsMatch("1m30s", Duration.Pattern) && Regex.IsMatch("250ms", Duration.Pattern) && Regex.IsMatch("7d", Duration.Pattern), Is.True);
    }

    [Test]
    public void Nomad_duration_pattern_is_the_duration_pattern_without_days()
    {
        var differ = Texts("07smhdx", 5).Where(t => Regex.IsMatch(t, Duration.NomadPattern) != (Duration.TryParse(t, out _) && !t.Contains('d', StringComparison.Ordinal))).Take(10).ToList();
        Assert.That(differ, Is.Empty);
    }

    [Test]
    public void Size_pattern_matches_exactly_what_the_parser_reads()
    {
        // Up to three digits and a unit: nothing is above 1 TiB, which the pattern cannot say.
        var differ = Texts("07bBkKmMgGiIx ", 4).Where(t => t.Count(char.IsAsciiDigit) <= 3)
            .Where(t => Regex.IsMatch(t, ByteSize.Pattern) != ByteSize.Parse(t).HasValue).Take(10).ToList();
        Assert.That(differ, Is.Empty);
        Assert.That(Regex.IsMatch("256MB", ByteSize.Pattern) && Regex.IsMatch("1GiB", ByteSize.Pattern) && Regex.IsMatch("64m", ByteSize.Pattern), Is.True);
    }

    /// <summary>Every text of at most <paramref name="length"/> characters of <paramref name="alphabet"/>.</summary>
    private static IEnumerable<string> Texts(string alphabet, int length)
    {
        IEnumerable<string> level = [string.Empty];
        yield return string.Empty;
        for (var n = 1; n <= length; n++)
        {
            level = [.. level.SelectMany(t => alphabet.Select(c => t + c))];
            foreach (var text in level)
            {
                yield return text;
            }
        }
    }
}

using NomadDbPatterns.Rendering;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Json;

/// <summary>Expected values are Go's <c>time.ParseDuration</c> results, worked out by hand from its documented units.</summary>
[TestFixture]
public sealed class GoDurationTests
{
    [TestCase("0", 0L)]
    [TestCase("2s", 2_000_000_000L)]
    [TestCase("30m", 1_800_000_000_000L)]
    [TestCase("1h30m", 5_400_000_000_000L)]
    [TestCase("1.5h", 5_400_000_000_000L)]
    [TestCase("1500ms", 1_500_000_000L)]
    [TestCase("1m1ms", 60_001_000_000L)]
    [TestCase("250us", 250_000L)]
    [TestCase("250\u00b5s", 250_000L)]
    [TestCase("7ns", 7L)]
    [TestCase(".5s", 500_000_000L)]
    [TestCase("-3s", -3_000_000_000L)]
    public void Parses_go_durations(string text, long nanoseconds) =>
        Assert.That(GoDuration.Nanoseconds(text), Is.EqualTo(nanoseconds));

    [TestCase("")]
    [TestCase("10")]
    [TestCase("1d")]
    [TestCase("s")]
    [TestCase(".s")]
    [TestCase("1..2s")]
    [TestCase("1s ")]
    [TestCase("3000000h")]
    public void Rejects_what_go_rejects(string text) =>
        Assert.That(() => GoDuration.Nanoseconds(text), Throws.TypeOf<FormatException>());
}

using System.Text;
using NomadDbPatterns.Hcl;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>
/// Large heredoc bodies (the backup scripts) take a faster path through <see cref="HclLayout"/>: the end marker is
/// found by searching, and the laid-out body is remembered per body, depth and flushness. Both paths must write
/// exactly the same text, so every case here is formatted with every body on the per-line path and again with
/// every body on the large-body path.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HclLayoutLargeBodyTests
{
    [SetUp]
    public void StartWithNothingRemembered() => HclLayout.ForgetLaidOutBodies();

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("plain flush body", "x {\na = <<-EOH\none\n  two\nEOH\n}\n");
        yield return Case("delimiter inside lines", "x {\na = <<-EOH\necho EOH\nEOHX\n  xEOH\nEOH\n}\n");
        yield return Case("indented end marker", "x {\n  y {\na = <<-EOH\n  one\n    two\n      EOH  \nb = 1\n  }\n}\n");
        yield return Case("whitespace-only lines", "x {\na = <<-EOH\n  one\n   \n\n  two\nEOH\n}\n");
        yield return Case("tab indentation", "x {\na = <<-EOH\n\tone\n  two\nEOH\n}\n");
        yield return Case("combining mark", "x {\na = <<-EOH\n\u0301one\ntwo\nEOH\n}\n");
        yield return Case("not flush", "x {\na = <<EOH\n  one\n    two\nEOH\n}\n");
        yield return Case("CRLF", "x {\r\na = <<-EOH\r\none\r\n two\r\nEOH\r\n}\r\n");
        yield return Case("empty body", "x {\na = <<-EOH\nEOH\nb = 2\n}\n");
        yield return Case("two heredocs, alignment goes on after them", "x {\nlong_name = <<-EOT\nbody\nEOT\nb = 2\nc = <<-EOH\nEOT\nEOH\n}\n");
        yield return Case("same body at two depths", "x {\na = <<-EOH\nsame\n  body\nEOH\ny {\nz {\nb = <<-EOH\nsame\n  body\nEOH\n}\n}\n}\n");
        yield return Case("unterminated", "x {\na = <<-EOH\none\nEOHx\n}\n");
        yield return Case("script-sized body", $"job \"j\" {{\ngroup \"g\" {{\ntask \"t\" {{\ntemplate {{\ndata = <<-EOH\n{Script()}EOH\ndestination = \"local/x.sh\"\n}}\n}}\n}}\n}}\n");
    }

    private static TestCaseData Case(string name, string hcl) => new TestCaseData(hcl).SetName($"Large-body path writes what the per-line path writes: {name}");

    [TestCaseSource(nameof(Cases))]
    public void Large_body_path_writes_what_the_per_line_path_writes(string hcl)
    {
        var perLine = FormatWith(int.MaxValue, hcl);
        var large = FormatWith(0, hcl);
        var largeAgain = FormatWith(0, hcl); // from the remembered layout this time

        Assert.Multiple(() =>
        {
            Assert.That(large, Is.EqualTo(perLine));
            Assert.That(largeAgain, Is.EqualTo(perLine));
        });
    }

    [Test]
    public void A_remembered_body_is_not_used_for_a_different_body_of_the_same_length()
    {
        var first = FormatWith(0, "x {\na = <<-EOH\naaaa\nEOH\n}\n");
        var second = FormatWith(0, "x {\na = <<-EOH\nbbbb\nEOH\n}\n");

        Assert.That(second, Does.Contain("bbbb").And.Not.Contain("aaaa"), first);
    }

    [Test]
    public void A_body_that_starts_with_a_remembered_one_is_laid_out_whole()
    {
        const string shorter = "x {\na = <<-EOH\none\nEOT\n  two\nEOH\n}\n";
        const string longer = "x {\na = <<-EOH\none\nEOT\n  two\n    three\nEOH\n}\n";
        // The same body under another marker ends at its inner "EOT" line.
        const string otherMarker = "x {\na = <<-EOT\none\nEOT\n  two\nEOT\nb = 1\n}\n";
        FormatWith(0, shorter);

        Assert.Multiple(() =>
        {
            Assert.That(FormatWith(0, longer), Is.EqualTo(FormatWith(int.MaxValue, longer)));
            Assert.That(FormatWith(0, otherMarker), Is.EqualTo(FormatWith(int.MaxValue, otherMarker)));
        });
    }

    private static string FormatWith(int largeBody, string hcl)
    {
        var saved = HclLayout.LargeBody;
        HclLayout.LargeBody = largeBody;
        try
        {
            return HclLayout.Format(hcl);
        }
        catch (FormatException exception)
        {
            return $"FormatException: {exception.Message}";
        }
        finally
        {
            HclLayout.LargeBody = saved;
        }
    }

    private static string Script()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < 400; i++)
        {
            builder.Append(i % 7 == 0 ? "\n" : new string(' ', i % 5 * 2)).Append($"echo line {i} ${{HOME}} %{{x}} \"EOH\"\n");
        }

        return builder.ToString();
    }
}

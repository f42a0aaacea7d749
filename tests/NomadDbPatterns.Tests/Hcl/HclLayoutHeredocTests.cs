using System.Text;
using NomadDbPatterns.Hcl;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>
/// Heredocs through <see cref="HclLayout"/>: the end marker is the first line that is the delimiter, flush bodies are
/// re-indented with their block, other bodies kept as they are; the result is canonical and formatting it again changes
/// nothing.
/// </summary>
[TestFixture]
public sealed class HclLayoutHeredocTests
{
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
        yield return Case("script-sized body", $"job \"j\" {{\ngroup \"g\" {{\ntask \"t\" {{\ntemplate {{\ndata = <<-EOH\n{Script()}EOH\ndestination = \"local/x.sh\"\n}}\n}}\n}}\n}}\n");
    }

    private static TestCaseData Case(string name, string hcl) => new TestCaseData(hcl).SetName($"Heredoc layout is canonical and a fixed point: {name}");

    [TestCaseSource(nameof(Cases))]
    public void Heredoc_layout_is_canonical_and_a_fixed_point(string hcl)
    {
        var once = HclLayoutText.Format(hcl);

        Assert.Multiple(() =>
        {
            Assert.That(HclLayoutText.Format(once), Is.EqualTo(once));
            Assert.That(HclFmt.Check(once).Where(p => p.Reason != "spacing between tokens"), Is.Empty);
        });
    }

    [Test]
    public void The_end_marker_is_the_first_line_that_is_the_delimiter()
    {
        Assert.Multiple(() =>
        {
            Assert.That(HclLayoutText.Format("x {\na = <<-EOH\necho EOH\n  EOH  \nb = 1\n}\n"), Is.EqualTo("x {\n  a = <<-EOH\n    echo EOH\n  EOH\n  b = 1\n}\n"));
            Assert.That(() => HclLayoutText.Format("x {\na = <<-EOH\none\nEOHx\n}\n"), Throws.TypeOf<FormatException>());
        });
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

using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>The scripts ship without their comment lines; nothing else may change.</summary>
[TestFixture]
public sealed class ShellCommentsTests
{
    private static IEnumerable<string> Scripts() =>
        Directory.EnumerateFiles(RepoPaths.Combine("templates", "scripts"), "*.sh").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Scripts))]
    public void Only_comment_lines_go_and_every_other_line_stays_in_order(string script)
    {
        var original = File.ReadAllText(RepoPaths.Combine("templates", "scripts", script)).ReplaceLineEndings("\n");

        var stripped = ShellComments.Strip(original);

        var kept = stripped.Split('\n');
        var lines = original.Split('\n');
        var removed = new List<string>();
        var k = 0;
        foreach (var line in lines)
        {
            if (k < kept.Length && kept[k] == line)
            {
                k++;
            }
            else
            {
                removed.Add(line);
            }
        }

        Assert.That(k, Is.EqualTo(kept.Length), "the kept lines are the original's, in order");
        Assert.That(removed, Has.All.Match(@"^\s*#"), "only comment lines are removed");
        Assert.That(kept[0], Is.EqualTo(lines[0]), "the shebang stays");
        Assert.That(kept.Where(l => l.TrimStart().StartsWith("# shellcheck ", StringComparison.Ordinal)), Is.EqualTo(lines.Where(l => l.TrimStart().StartsWith("# shellcheck ", StringComparison.Ordinal))));
        Assert.That(stripped.Length, Is.LessThan(original.Length));
    }

    [Test]
    public void Here_documents_keep_their_lines_even_when_they_look_like_comments()
    {
        const string script = "#!/bin/sh\n# a comment\ncat <<'EOF'\n# kept: part of the document\nEOF\n  # indented comment\nx=1 # trailing comment stays\ncat <<-END\n\t# kept too\n\tEND\n# gone\n";

        Assert.That(ShellComments.Strip(script), Is.EqualTo("#!/bin/sh\ncat <<'EOF'\n# kept: part of the document\nEOF\nx=1 # trailing comment stays\ncat <<-END\n\t# kept too\n\tEND\n"));
    }
}

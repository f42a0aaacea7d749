using System.Text;
using NomadDbPatterns.Hcl;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>Edge cases of the escaper, spelled out; <see cref="HostileStringPropertyTests"/> covers the rest at random.</summary>
[TestFixture]
public sealed class HclStringTests
{
    [TestCase("", "\"\"")]
    [TestCase("plain", "\"plain\"")]
    [TestCase("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [TestCase(@"C:\dir\", @"""C:\\dir\\""")]
    [TestCase("a\nb\r\nc\td", "\"a\\nb\\r\\nc\\td\"")]
    [TestCase("${var}", "\"$${var}\"")]
    [TestCase("%{ if x }", "\"%%{ if x }\"")]
    [TestCase("$${already}", "\"$$${already}\"")]
    [TestCase("%%{already}", "\"%%%{already}\"")]
    [TestCase("$ { $$ % %% }", "\"$ { $$ % %% }\"")]
    [TestCase("{{ with nomadVar \"x\" }}{{ .y }}{{ end }}", "\"{{ with nomadVar \\\"x\\\" }}{{ .y }}{{ end }}\"")]
    [TestCase("\0\u0001\u001f\u007f", "\"\\u0000\\u0001\\u001F\\u007F\"")]
    [TestCase("\u0085\u009f", "\"\\u0085\\u009F\"")]
    [TestCase("a\u2028b\u2029c", "\"a\\u2028b\\u2029c\"")]
    [TestCase("abc\u202Eevil", "\"abc\\u202Eevil\"")]
    [TestCase("日本 é e\u0301 😀 👩‍💻", "\"日本 é e\u0301 😀 👩‍💻\"")]
    public void Quote_escapes_exactly_what_HCL_needs(string value, string expected)
    {
        Assert.That(HclString.Quote(value), Is.EqualTo(expected));
    }

    [Test]
    public void Text_writes_a_flush_heredoc_with_unindented_lines_and_doubled_template_sequences()
    {
        Assert.That(HclString.Text("#!/bin/sh\n  echo \"${HOME}\" %{x} \\n\n"), Is.EqualTo("<<-EOH\n#!/bin/sh\n  echo \"$${HOME}\" %%{x} \\n\nEOH"));
    }

    [TestCase("EOH\n", "EOT")]
    [TestCase("a\n  EOH  \n", "EOT")]
    [TestCase("EOH\nEOT\nEOF\n", "END_OF_TEXT")]
    [TestCase("EOHX\nx EOH\n", "EOH")]
    public void Text_picks_a_marker_that_is_not_a_line_of_the_text(string value, string marker)
    {
        Assert.That(HclString.Text(value), Does.StartWith($"<<-{marker}\n").And.EndWith($"\n{marker}"));
    }

    [TestCase("", TestName = "Text quotes the empty string")]
    [TestCase("no final newline", TestName = "Text quotes text without a final newline")]
    [TestCase("a\nb", TestName = "Text quotes multi-line text without a final newline")]
    [TestCase("  all\n  indented\n", TestName = "Text quotes text whose every line is indented")]
    [TestCase("\u00a0nbsp\n\u3000ideographic\n", TestName = "Text quotes text whose lines all start with Unicode whitespace")]
    [TestCase("a\n   \nb\n", TestName = "Text quotes text with a whitespace-only line")]
    [TestCase("a\r\nb\r\n", TestName = "Text quotes text with CR")]
    [TestCase("bell\u0007\n", TestName = "Text quotes text with a control character")]
    [TestCase("a\u2028b\n", TestName = "Text quotes text with a line separator")]
    [TestCase("\u0301combining first\n", TestName = "Text quotes text with a line starting with a combining mark")]
    [TestCase("EOH\nEOT\nEOF\nEND_OF_TEXT\n", TestName = "Text quotes text holding every marker as a line")]
    public void Text_falls_back_to_a_quoted_string(string value)
    {
        Assert.That(HclString.Text(value), Is.EqualTo(HclString.Quote(value)));
    }

    // (Attribute arguments cannot carry a lone surrogate: metadata stores strings as UTF-8.)
    [Test]
    public void A_lone_surrogate_becomes_the_replacement_character_and_is_never_put_in_a_heredoc()
    {
        var high = "x" + (char)0xD800 + "y";
        var low = (char)0xDC00 + "\n";

        Assert.Multiple(() =>
        {
            Assert.That(HclString.Quote(high), Is.EqualTo("\"x\uFFFDy\""));
            Assert.That(HclString.Text(low), Is.EqualTo("\"\uFFFD\\n\""));
        });
    }

    [TestCase("\tindented with a tab\nnot indented\n")]
    [TestCase("a\n\nb\n")]
    [TestCase("\n\nx\n")]
    [TestCase("trailing spaces   \n  x\n")]
    [TestCase("😀 👩‍💻 e\u0301\n")]
    [TestCase("x \u0301\n")]
    public void Text_uses_a_heredoc_where_it_reads_back_the_same(string value)
    {
        Assert.That(HclString.Text(value), Does.StartWith("<<-"));
    }

    /// <summary>Every edge case above, written into a nested block and laid out, reads back as itself.</summary>
    [Test]
    public void Every_edge_case_reads_back_unchanged_through_the_real_parser()
    {
        var values = EdgeCases().ToList();
        var texts = new Dictionary<string, string>();
        for (var i = 0; i < values.Count; i++)
        {
            var body = new StringBuilder("outer \"x\" {\ninner {\n");
            body.Append("label \"").Append(Label(values[i])).Append("\" {}\n");
            body.Append("text = ").Append(HclString.Text(values[i])).Append('\n');
            body.Append("quoted = ").Append(HclString.Quote(values[i])).Append('\n');
            body.Append("list = [").Append(HclString.Quote(values[i])).Append(", ").Append(HclString.Quote(values[i])).Append("]\n");
            body.Append("after = 1\n}\n}\n");
            texts[$"case{i}"] = HclLayoutText.Format(body.ToString());
        }

        var parsed = Hcl2Json.ParseTexts(texts);

        Assert.Multiple(() =>
        {
            for (var i = 0; i < values.Count; i++)
            {
                var expected = HclRead.ExpectedValue(values[i]);
                var inner = parsed[$"case{i}"].GetProperty("outer").GetProperty("x")[0].GetProperty("inner")[0];
                var shown = HclRead.Show(values[i]);
                Assert.That(HclRead.Literal(inner.GetProperty("text")), Is.EqualTo(expected), $"text of {shown}");
                Assert.That(HclRead.Literal(inner.GetProperty("quoted")), Is.EqualTo(expected), $"quoted {shown}");
                Assert.That(inner.GetProperty("list").EnumerateArray().Select(HclRead.Literal), Is.EqualTo(new[] { expected, expected }), $"list of {shown}");
                Assert.That(inner.GetProperty("label").EnumerateObject().Single().Name, Is.EqualTo(HclRead.ExpectedLabel(values[i])), $"label {shown}");
                Assert.That(inner.GetProperty("after").GetInt32(), Is.EqualTo(1), $"what follows {shown}");
            }
        });

        static string Label(string value)
        {
            var quoted = HclString.Quote(value);
            return quoted[1..^1];
        }
    }

    internal static IEnumerable<string> EdgeCases()
    {
        string[] singles =
        [
            "", " ", "\"", "\\", "\\\"", "\"\\", "$", "%", "{", "}", "${", "%{", "$${", "%%{", "$$${", "%%%{", "${}", "${x}", "%{ if x }y%{ endif }",
            "$${x}", "\\${x}", "\\$${x}", "$\\{x}", "{{", "}}", "{{ .Data.data.password }}", "{{ with nomadVar \"nomad/jobs/x\" }}{{ .p }}{{ end }}",
            "~}", "${~", "\n", "\r", "\r\n", "\t", "\0", "\u0001", "\u001b[31m", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u202e", "\ufeff",
            "é", "e\u0301", "\u0301", "\u212b", "😀", "👩‍💻", "🇩🇪", "日本語", "עברית", "\U0001D400", "#", "//", "/*", "*/", "<<-EOH", "<<EOT", "=", "==",
        ];
        foreach (var single in singles)
        {
            yield return single;
            yield return single + "\n";
            yield return $"a{single}b\n";
        }

        yield return "EOH\n";
        yield return "a\nEOH\nb\n";
        yield return "  EOH\n";
        yield return "EOH";
        yield return "EOH\nEOT\nEOF\nEND_OF_TEXT\n";
        yield return "  leading\nnot\n";
        yield return "\tleading tab\nnot\n";
        yield return "\u00a0nbsp\nnot\n";
        yield return "a\n \nb\n";
        yield return "a\n\t\nb\n";
        yield return "a\n\n\nb\n";
        yield return "\n";
        yield return "\n\n";
        yield return "   \n";
        yield return "\u0301\nx\n";
        yield return "x\n \u0301y\n";
        yield return "${a}\n  %{b}\n$${c}\n";
        yield return "trailing   \nspaces\t\n";
        yield return "no final newline\nx";
        yield return "lone " + (char)0xD800 + " high\n";
        yield return (char)0xDC00 + " low";
        yield return "#!/bin/sh\nset -eu\necho \"${HOME}\" > /tmp/x\n";
    }
}

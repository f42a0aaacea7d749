using System.Text.Json;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Infrastructure;

[TestFixture]
public sealed class Hcl2JsonTests
{
    [Test]
    public void Parses_many_files_in_one_call_keyed_by_the_paths_given()
    {
        var samples = RepoPaths.Combine("tests", "NomadDbPatterns.Tests", "NomadSchema", "Samples");
        var paths = new[] { Path.Combine(samples, "myservice.nomad.hcl"), Path.Combine(samples, "wide.nomad.hcl") };

        var parsed = Hcl2Json.ParseFiles(paths);

        Assert.That(parsed.Keys, Is.EquivalentTo(paths));
        Assert.That(parsed[paths[0]].GetProperty("job").TryGetProperty("myservice", out _), Is.True);
        Assert.That(parsed[paths[1]].GetProperty("job").TryGetProperty("wide", out _), Is.True);
    }

    [Test]
    public void Syntax_error_throws_with_the_parsers_message()
    {
        Assert.That(() => Hcl2Json.ParseText("job \"x\" {\n  a = \n}\n"),
            Throws.TypeOf<HclParseException>().With.Message.Contains("Invalid expression"));
    }

    [Test]
    public void TryParseTexts_reports_each_text_on_its_own()
    {
        var results = Hcl2Json.TryParseTexts(new Dictionary<string, string>
        {
            ["good"] = "a = 1\n",
            ["bad"] = "a = [\n",
        });

        Assert.Multiple(() =>
        {
            Assert.That(results["good"].Json?.GetProperty("a").GetInt32(), Is.EqualTo(1));
            Assert.That(results["good"].Error, Is.Null);
            Assert.That(results["bad"].Json, Is.Null);
            Assert.That(results["bad"].Error, Does.Contain("bad:2,1-1: Missing expression"));
        });
    }

    [Test]
    public void Missing_node_package_fails_with_the_install_command()
    {
        var empty = Directory.CreateTempSubdirectory("hcl-tools-");
        try
        {
            Assert.That(() => Hcl2Json.EnsureInstalled(empty.FullName),
                Throws.InvalidOperationException.With.Message.Contains("npm ci --prefix tests/hcl"));
        }
        finally
        {
            empty.Delete();
        }
    }

    // What the real parser does with flush heredocs (<<-), pinned here because the HCL escaper depends on it
    // (hashicorp/hcl hclsyntax/parser_template.go flushHeredocTemplateParts).
    [TestCase("  a\n    b\n  EOT", "a\n  b\n", TestName = "Flush heredoc removes the smallest indent and keeps the last newline")]
    [TestCase("    a\n\n    b\n  EOT", "a\n\nb\n", TestName = "Flush heredoc ignores empty lines when finding the indent")]
    [TestCase("    a\n      \n    b\n  EOT", "a\n      \nb\n", TestName = "Flush heredoc leaves whitespace-only lines whole")]
    [TestCase("    a\n\tb\n  EOT", "   a\nb\n", TestName = "Flush heredoc counts a tab as one character of indent")]
    [TestCase("  a $${b} %%{c}\n  EOT", "a $${b} %%{c}\n", TestName = "hcl2json keeps template escapes in its output")]
    [TestCase("  EOTX\n  x EOT\n      EOT", "EOTX\nx EOT\n", TestName = "Only a line that is the marker alone closes the heredoc")]
    public void Flush_heredoc(string body, string expected)
    {
        var json = Hcl2Json.ParseText($"x = <<-EOT\n{body}\n");

        Assert.That(json.GetProperty("x").GetString(), Is.EqualTo(expected));
    }

    [Test]
    public void A_content_line_equal_to_the_marker_ends_the_heredoc_early()
    {
        // The second "EOT" is left over as a stray token, so the file no longer parses.
        Assert.That(() => Hcl2Json.ParseText("x = <<-EOT\n  a\n  EOT\n  b\n  EOT\n"), Throws.TypeOf<HclParseException>());
    }

    [Test]
    public void Blocks_become_lists_of_bodies_under_one_object_level_per_label()
    {
        var json = Hcl2Json.ParseText("a {}\na { x = 1 }\nb \"l1\" \"l2\" { y = 2 }\nc = { z = 3 }\n");

        Assert.That(json.GetRawText(), Is.EqualTo(JsonSerializer.Serialize(new
        {
            a = new object[] { new { }, new { x = 1 } },
            b = new { l1 = new { l2 = new[] { new { y = 2 } } } },
            c = new { z = 3 },
        })));
    }
}

using System.Text.Json;
using NomadDbPatterns.Hcl;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>
/// The canonical layout: <see cref="HclLayout.Format"/> produces it, <see cref="HclFmt.Check"/> reports what
/// <c>nomad fmt</c> would change. FmtSamples/NAME.hcl are hand-made inputs; NAME.fmt.hcl is what hclwrite made of
/// them (terraform v1.11.4 <c>fmt</c>, which is hclwrite's formatter; its Terraform-only rewrites do not apply to
/// these files). <see cref="TerraformFmtTests"/> re-checks the pairs whenever terraform is installed.
/// </summary>
[TestFixture]
public sealed class HclLayoutTests
{
    internal static string SamplesDirectory => RepoPaths.Combine("tests", "NomadDbPatterns.Tests", "Hcl", "FmtSamples");

    internal static IEnumerable<string> SampleNames() =>
        Directory.EnumerateFiles(SamplesDirectory, "*.hcl")
            .Where(path => !path.EndsWith(".fmt.hcl", StringComparison.Ordinal))
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Order(StringComparer.Ordinal);

    internal static (string Input, string Formatted) Sample(string name) =>
        (File.ReadAllText(Path.Combine(SamplesDirectory, $"{name}.hcl")), File.ReadAllText(Path.Combine(SamplesDirectory, $"{name}.fmt.hcl")));

    [TestCaseSource(nameof(SampleNames))]
    public void Check_reports_exactly_the_lines_hclwrite_changed(string name)
    {
        var (input, formatted) = Sample(name);
        var inputLines = input.Split('\n');
        var formattedLines = formatted.Split('\n');
        Assert.That(formattedLines, Has.Length.EqualTo(inputLines.Length), "hclwrite changes only spaces, never lines");
        var changed = Enumerable.Range(0, inputLines.Length).Where(i => inputLines[i] != formattedLines[i]).Select(i => i + 1).ToList();
        Assert.That(changed, Is.Not.Empty, "a sample that hclwrite leaves alone proves nothing");

        var problems = HclFmt.Check(input);

        Assert.Multiple(() =>
        {
            Assert.That(problems.Select(p => p.LineNumber), Is.EqualTo(changed), string.Join('\n', problems));
            foreach (var problem in problems)
            {
                Assert.That(problem.Expected, Is.EqualTo(formattedLines[problem.LineNumber - 1]), problem.ToString());
                Assert.That(problem.Actual, Is.EqualTo(inputLines[problem.LineNumber - 1]));
            }

            Assert.That(HclFmt.Check(formatted), Is.Empty, "hclwrite's own output is canonical");
        });
    }

    // Format owns indentation, '=' alignment, blank lines and trailing whitespace; the spacing between tokens on a
    // line is the template's, which is why every rendered example must also pass Check.
    [TestCaseSource(nameof(SampleNames))]
    public void Format_of_a_sample_leaves_only_spacing_between_tokens_to_fix_and_is_a_fixed_point(string name)
    {
        var (input, _) = Sample(name);

        var once = HclLayoutText.Format(input);

        Assert.Multiple(() =>
        {
            Assert.That(HclFmt.Check(once).Where(p => p.Reason != "spacing between tokens"), Is.Empty);
            Assert.That(HclLayoutText.Format(once), Is.EqualTo(once));
        });
    }

    [Test]
    public void Format_keeps_every_value_of_every_sample()
    {
        var texts = new Dictionary<string, string>();
        foreach (var name in SampleNames())
        {
            var (input, _) = Sample(name);
            texts[$"{name}.input"] = input;
            texts[$"{name}.formatted"] = HclLayoutText.Format(input);
        }

        var parsed = Hcl2Json.ParseTexts(texts);

        Assert.Multiple(() =>
        {
            foreach (var name in SampleNames())
            {
                Assert.That(parsed[$"{name}.formatted"].GetRawText(), Is.EqualTo(parsed[$"{name}.input"].GetRawText()), name);
            }
        });
    }

    [Test]
    public void Every_rendered_example_is_a_fixed_point_of_Format_and_passes_Check()
    {
        var result = NomadDb.Render([RepoPaths.Examples], new RenderOptions { BaseDirectory = RepoPaths.Root });
        Assert.That(result.Success, Is.True, () => string.Join('\n', result.Diagnostics));
        // Job files; the scripts variable (*.nv.hcl) is read by `nomad var put` (HCL 1), not laid out as a jobspec.
        var files = result.Files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).ToList();
        Assert.That(files, Is.Not.Empty);

        Assert.Multiple(() =>
        {
            foreach (var file in files)
            {
                Assert.That(HclLayoutText.Format(file.Content), Is.EqualTo(file.Content), file.FileName);
                Assert.That(HclFmt.Check(file.Content), Is.Empty, file.FileName);
            }
        });
    }

    [Test]
    public void Attributes_of_different_key_lengths_align_one_space_after_the_longest()
    {
        var hcl = "restart {\nattempts = 2\ninterval = \"30m\"\ndelay = \"15s\"\nmode = \"fail\"\n}\n";

        Assert.That(HclLayoutText.Format(hcl), Is.EqualTo(
            "restart {\n  attempts = 2\n  interval = \"30m\"\n  delay    = \"15s\"\n  mode     = \"fail\"\n}\n"));
    }

    [Test]
    public void Nested_blocks_indent_two_spaces_per_level_with_a_blank_line_between_blocks()
    {
        var hcl = "job \"a\" {\ntype = \"service\"\ngroup \"g\" {\nnetwork {\nmode = \"bridge\"\nport \"http\" {\nto = 8080\n}\n}\n\n\nvolume \"v\" {\ntype = \"host\"\n}\n}\n}\n";

        Assert.That(HclLayoutText.Format(hcl), Is.EqualTo("""
            job "a" {
              type = "service"

              group "g" {
                network {
                  mode = "bridge"

                  port "http" {
                    to = 8080
                  }
                }

                volume "v" {
                  type = "host"
                }
              }
            }

            """));
    }

    [Test]
    public void A_multi_line_list_is_not_aligned_and_ends_the_group_before_it()
    {
        var hcl = "config {\nimage = \"busybox:1.36\"\ncommand = \"sh\"\nargs = [\n\"-c\",\n\"echo hi\",\n]\nx = 1\nports = [\"http\"]\n}\n";

        Assert.That(HclLayoutText.Format(hcl), Is.EqualTo("""
            config {
              image   = "busybox:1.36"
              command = "sh"
              args = [
                "-c",
                "echo hi",
              ]
              x     = 1
              ports = ["http"]
            }

            """));
    }

    [Test]
    public void A_multi_line_object_aligns_its_own_attributes()
    {
        var hcl = "x = {\na = 1\nlonger = 2\n}\n";

        Assert.That(HclLayoutText.Format(hcl), Is.EqualTo("x = {\n  a      = 1\n  longer = 2\n}\n"));
    }

    [Test]
    public void A_heredoc_attribute_and_the_attributes_after_it_form_one_group()
    {
        var hcl = "template {\ndestination = \"local/a\"\ndata = <<-EOH\nline one\n  line two\nEOH\nchange_mode = \"noop\"\nperms = \"0644\"\n}\n";

        var formatted = HclLayoutText.Format(hcl);

        Assert.Multiple(() =>
        {
            Assert.That(formatted, Is.EqualTo("""
                template {
                  destination = "local/a"
                  data        = <<-EOH
                    line one
                      line two
                  EOH
                  change_mode = "noop"
                  perms       = "0644"
                }

                """));
            Assert.That(HclFmt.Check(formatted), Is.Empty);
            Assert.That(Hcl2Json.ParseText(formatted).GetProperty("template")[0].GetProperty("data").GetString(), Is.EqualTo("line one\n  line two\n"));
        });
    }

    [Test]
    public void Comments_before_a_block_stay_with_it_after_one_blank_line()
    {
        var hcl = "# Header.\njob \"a\" {\ncount = 1\n# Says what the task is for.\ntask \"t\" {\ndriver = \"docker\"\n}\n# Another.\ntask \"u\" {\ndriver = \"docker\"\n}\n}\n";

        Assert.That(HclLayoutText.Format(hcl), Is.EqualTo("""
            # Header.

            job "a" {
              count = 1

              # Says what the task is for.
              task "t" {
                driver = "docker"
              }

              # Another.
              task "u" {
                driver = "docker"
              }
            }

            """));
    }

    [Test]
    public void A_hand_made_misaligned_sample_is_reported_line_by_line()
    {
        var hcl = string.Join('\n',
            "job \"a\" {",          // 1
            "  datacenters = [\"dc1\"]", // 2
            "  type = \"service\"",  // 3: '=' not aligned with line 2
            "   priority = 50",     // 4: indentation and '='
            "  group \"g\" {  ",     // 5: trailing whitespace
            "\tcount = 1",          // 6: a tab for indentation
            "  }",                  // 7
            "}",                    // 8
            "");

        var problems = HclFmt.Check(hcl);

        Assert.Multiple(() =>
        {
            Assert.That(problems.Select(p => p.LineNumber), Is.EqualTo(new[] { 3, 4, 5, 6 }), string.Join('\n', problems));
            Assert.That(problems[0].Reason, Does.StartWith("'=' not aligned"));
            Assert.That(problems[0].Expected, Is.EqualTo("  type        = \"service\""));
            Assert.That(problems[1].Reason, Does.Contain("indentation: expected 2 spaces, found 3 spaces").And.Contain("'=' not aligned"));
            Assert.That(problems[2].Reason, Is.EqualTo("trailing whitespace"));
            Assert.That(problems[3].Reason, Is.EqualTo("indentation: expected 4 spaces, found 1 tabs"));
            Assert.That(problems[3].ToString(), Does.StartWith("line 6: indentation"));
        });
    }

    [Test]
    public void Check_reports_whitespace_on_a_blank_line_and_trailing_whitespace_but_not_inside_a_comment()
    {
        var problems = HclFmt.Check("a {\n  b = 1\n  \n  c = 2 \n  # note   \n}\n");

        Assert.Multiple(() =>
        {
            Assert.That(problems.Select(p => (p.LineNumber, p.Reason)), Is.EqualTo(new[] { (3, "whitespace on a blank line"), (4, "trailing whitespace") }));
            Assert.That(problems[0].Expected, Is.Empty);
        });
    }

    [Test]
    public void Check_ignores_heredoc_bodies_and_their_closing_marker()
    {
        var hcl = "a = <<-EOH\n      anything   \n   goes\n     EOH\nb = 1\n";

        Assert.That(HclFmt.Check(hcl), Is.Empty);
    }

    [Test]
    public void Check_reports_an_unclosed_heredoc()
    {
        var problems = HclFmt.Check("a = 1\nb = <<-EOH\nbody\n");

        Assert.That(problems.Single().Reason, Is.EqualTo("heredoc 'EOH' is never closed"));
    }

    [TestCase("a = [\n", TestName = "Format rejects an unclosed bracket")]
    [TestCase("a = 1\n}\n", TestName = "Format rejects a stray closing brace")]
    [TestCase("a = <<-EOH\nx\n", TestName = "Format rejects an unclosed heredoc")]
    public void Format_rejects_broken_structure(string hcl)
    {
        Assert.That(() => HclLayoutText.Format(hcl), Throws.TypeOf<FormatException>());
    }

    // .NET splits lines on more than LF (CR, FF, NEL, U+2028, U+2029); HCL does not, and neither may the layout pass.
    [TestCase("\u2028")]
    [TestCase("\u2029")]
    [TestCase("\u0085")]
    [TestCase("\f")]
    [TestCase("\r")]
    public void Only_LF_ends_a_line(string separator)
    {
        var hcl = $"x {{\n  # a{separator}b\n  y = \"a{separator}b\"\n}}\n";

        Assert.That(HclLayoutText.Format(hcl), Is.EqualTo(hcl));
    }

    [Test]
    public void CRLF_line_endings_become_LF()
    {
        Assert.That(HclLayoutText.Format("a {\r\nb = 1\r\n}\r\n"), Is.EqualTo("a {\n  b = 1\n}\n"));
    }

    [Test]
    public void Format_keeps_the_value_of_flush_heredocs_that_need_care()
    {
        var cases = new Dictionary<string, string>
        {
            // Whitespace-only lines are neither counted nor stripped by HCL: they must keep their exact text.
            ["whitespace-only line"] = "x {\na = <<-EOH\n  one\n   \n  two\nEOH\n}\n",
            // A tab counts as one character of indentation.
            ["tab indentation"] = "x {\na = <<-EOH\n\tone\n  two\nEOH\n}\n",
            // Indented, a combining mark at the start of a line would fuse with the last indent space.
            ["combining mark"] = "x {\na = <<-EOH\n\u0301one\ntwo\nEOH\n}\n",
            ["already indented"] = "x {\n      a = <<-EOH\n            one\n              two\n          EOH\n}\n",
            ["not flush"] = "x {\na = <<EOH\n  one\n    two\nEOH\n}\n",
        };
        var texts = new Dictionary<string, string>();
        foreach (var (name, hcl) in cases)
        {
            texts[$"{name}/input"] = hcl;
            texts[$"{name}/formatted"] = HclLayoutText.Format(hcl);
            texts[$"{name}/twice"] = HclLayoutText.Format(HclLayoutText.Format(hcl));
        }

        var parsed = Hcl2Json.ParseTexts(texts);

        Assert.Multiple(() =>
        {
            foreach (var name in cases.Keys)
            {
                var value = Value(parsed[$"{name}/input"]);
                Assert.That(Value(parsed[$"{name}/formatted"]), Is.EqualTo(value), name);
                Assert.That(texts[$"{name}/twice"], Is.EqualTo(texts[$"{name}/formatted"]), $"{name}: formatting twice");
            }
        });

        static string? Value(JsonElement json) => json.GetProperty("x")[0].GetProperty("a").GetString();
    }
}

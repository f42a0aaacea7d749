using System.Collections;

namespace NomadDbPatterns.Nomad.Tests;

public sealed class PlanDiffFormatterTests
{
    private const char Escape = '\u001b';

    [Test]
    public void Renders_an_edited_task_like_nomad_job_plan()
    {
        var text = PlanDiffFormatter.Format(Fixtures.Plan("plan-app-image-bump.json").Diff!);

        Assert.That(text, Is.EqualTo(
            """
            +/- Job: "myservice"
            +/- Task Group: "myservice" (1 create/destroy update)
              +/- Task: "app" (forces create/destroy update)
                +/- Config {
                  +/- image:    "ghcr.io/example/myservice:1.4.2" => "ghcr.io/example/myservice:1.5.0"
                      ports[0]: "http"
                    }
                  Task: "db-backup"
                  Task: "postgres"
                  Task: "wait-for-postgres"


            """.ReplaceLineEndings("\n")));
    }

    [Test]
    public void Renders_removed_and_added_groups_collapsed_unless_verbose()
    {
        var diff = Fixtures.Plan("plan-db-group-renamed.json").Diff!;

        var brief = PlanDiffFormatter.Format(diff);
        var verbose = PlanDiffFormatter.Format(diff, new PlanFormatOptions(Verbose: true));

        Assert.Multiple(() =>
        {
            Assert.That(brief, Does.Contain("\n+ Task Group: \"main\" (1 create)\n  + Task: \"app\" (forces create)\n"));
            Assert.That(brief, Does.Contain("\n- Task Group: \"myservice\" (1 destroy)\n  - Task: \"app\" (forces destroy)\n"));
            Assert.That(brief, Does.Not.Contain("Source"));
            Assert.That(verbose, Does.Contain("- Count: \"1\" (forces destroy)"));
            Assert.That(verbose, Does.Contain("- Source:         \"myservice-postgres\""));
            Assert.That(verbose, Does.Contain("- Destination:     \"/var/lib/postgresql/data\""));
        });
    }

    [Test]
    public void Renders_edited_fields_of_a_volume_mount()
    {
        var text = PlanDiffFormatter.Format(Fixtures.Plan("plan-volume-mount-destination-changed.json").Diff!);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("  +/- Task: \"postgres\" (forces create/destroy update)\n    -   Env[PGDATA]: \"/var/lib/postgresql/data/pgdata\"\n"));
            Assert.That(text, Does.Contain("+/- Destination:     \"/var/lib/postgresql/data\" => \"/var/lib/postgresql\""));
            Assert.That(text, Does.Contain("    Volume:          \"postgres-data\""));
        });
    }

    [Test]
    public void Colours_only_when_asked()
    {
        var diff = Fixtures.Plan("plan-postgres-major-16-to-17.json").Diff!;

        var plain = PlanDiffFormatter.Format(diff, new PlanFormatOptions(Color: false));
        var coloured = PlanDiffFormatter.Format(diff, new PlanFormatOptions(Color: true));

        Assert.Multiple(() =>
        {
            // Ordinal checks: a culture-aware search ignores control characters and would find ESC anywhere.
            Assert.That(plain.Contains(Escape), Is.False);
            Assert.That(coloured.Contains($"{Escape}[93m+/-{Escape}[0m ", StringComparison.Ordinal), Is.True);
            Assert.That(coloured.Contains($"{Escape}[33mforces create/destroy update{Escape}[0m", StringComparison.Ordinal), Is.True);
            Assert.That(StripAnsi(coloured), Is.EqualTo(plain));
        });
    }

    [Test]
    public void Escapes_control_characters_in_values_so_a_diff_cannot_drive_the_terminal()
    {
        var diff = new JobDiff
        {
            Type = DiffType.Edited,
            ID = "x",
            Fields = [new FieldDiff { Type = DiffType.Edited, Name = "Meta[note]", Old = "a", New = $"{Escape}[2Jb\n\"c\"" }],
        };

        var text = PlanDiffFormatter.Format(diff);

        Assert.That(text, Does.Contain("+/- Meta[note]: \"a\" => \"\\u001b[2Jb\\n\\\"c\\\"\""));
        Assert.That(text.Contains(Escape), Is.False);
    }

    [TestCase(null, null, false, true)]
    [TestCase("1", null, false, false)]
    [TestCase("", null, false, true)]
    [TestCase(null, "dumb", false, false)]
    [TestCase(null, "xterm-256color", true, false)]
    public void Decides_on_colour_from_no_color_term_and_redirection(string? noColor, string? term, bool redirected, bool expected)
    {
        var environment = new Hashtable();
        if (noColor is not null)
        {
            environment["NO_COLOR"] = noColor;
        }

        if (term is not null)
        {
            environment["TERM"] = term;
        }

        Assert.That(PlanDiffFormatter.ShouldUseColor(environment, redirected), Is.EqualTo(expected));
    }

    [Test]
    public void Renders_risks_or_says_there_are_none()
    {
        var risks = PlanRiskAnalyzer.Analyze(Fixtures.Plan("plan-postgres-major-16-to-17.json"), new DatabaseTopology("myservice", "postgres", ["postgres-data"]));

        var text = PlanDiffFormatter.FormatRisks(risks);

        Assert.Multiple(() =>
        {
            Assert.That(PlanDiffFormatter.FormatRisks([]), Is.EqualTo("No data-loss risk found.\n"));
            Assert.That(text, Does.StartWith("2 data-loss risks:\n"));
            Assert.That(text, Does.Contain("  ! PostgresMajorChanged (group \"myservice\", task \"postgres\")\n    PostgreSQL major changes from 16 to 17"));
            Assert.That(text, Does.Contain("  ! DatabaseTaskDestructiveUpdate (group \"myservice\", task \"postgres\")\n"));
            Assert.That(PlanDiffFormatter.FormatRisks(risks, color: true).Contains(Escape), Is.True);
        });
    }

    private static string StripAnsi(string text) => System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*m", "");
}

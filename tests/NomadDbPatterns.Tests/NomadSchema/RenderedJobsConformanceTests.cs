using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>Every job file the generator renders must hold only blocks and attributes that Nomad accepts, and pass
/// Nomad v2.0.5's server-side rules without warnings.</summary>
[TestFixture]
public sealed class RenderedJobsConformanceTests
{
    private static readonly string ExamplesDirectory = RepoPaths.Combine("examples");

    [Test]
    public void Every_rendered_example_conforms_to_the_nomad_jobspec_schema()
    {
        var files = RenderExamples(templates: null);

        var violations = Violations(files);

        Assert.Multiple(() =>
        {
            Assert.That(files.Where(file => file.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)), Is.Not.Empty);
            Assert.That(violations, Is.Empty);
        });
    }

    /// <summary>Every example job (service jobs, periodic backup jobs, the legacy shared instance) is one Nomad v2.0.5
    /// accepts without an error or a warning (NOMAD-RULES.md).</summary>
    [Test]
    public void Every_rendered_example_passes_nomad_server_rules_without_warnings()
    {
        var files = RenderExamples(templates: null);
        Assert.That(files.Select(file => file.FileName), Has.Some.EndsWith("-backup.nomad.hcl"), "a periodic backup job is among the examples");

        NomadConformance.AssertAccepted(Jobs(files));
    }

    [Test]
    public void An_update_block_whose_healthy_deadline_reaches_the_progress_deadline_is_reported()
    {
        var group = TemplateSet.Embedded.ReadText("group.scriban");
        const string anchor = "healthy_deadline = {{ group.update.healthy_deadline }}\n";
        Assert.That(group, Does.Contain(anchor), "group.scriban no longer has the line this test edits");
        var broken = string.Join('\n', group.Replace(anchor, "healthy_deadline = \"20m\"\nprogress_deadline = \"15m\"\n", StringComparison.Ordinal)
            .Split('\n').Where(line => !line.TrimStart().StartsWith("progress_deadline = {{", StringComparison.Ordinal)));

        var report = WithOverride("group.scriban", broken, ExamplesDirectory);

        Assert.That(report.Errors, Has.Some.EndsWith(
            ".update.healthy_deadline: [update-healthy-below-progress-deadline] Healthy deadline must be less than progress deadline: 20m0s > 15m0s"));
    }

    [Test]
    public void A_docker_task_without_network_mode_host_on_a_host_network_group_is_reported()
    {
        var task = TemplateSet.Embedded.ReadText("task.scriban");
        const string block = "{{ if t.network_mode }}\nnetwork_mode = {{ t.network_mode }}\n{{ end }}\n";
        Assert.That(task, Does.Contain(block), "task.scriban no longer has the block this test removes");
        var broken = task.Replace(block, string.Empty, StringComparison.Ordinal);

        var report = WithOverride("task.scriban", broken, Path.Combine(ExamplesDirectory, "host-network.yaml"));

        Assert.That(report.Errors, Has.Some.StartsWith(
            "wiki.nomad.hcl: job.wiki.group.wiki.task.app.config.network_mode: [docker-host-network-mode] the group network is mode \"host\""));
    }

    [Test]
    public void A_bogus_attribute_inserted_into_a_template_is_reported()
    {
        var overrides = Directory.CreateTempSubdirectory("nomad-db-templates-");
        try
        {
            var task = TemplateSet.Embedded.ReadText("task.scriban");
            const string anchor = "driver = \"docker\"\n";
            Assert.That(task, Does.Contain(anchor), "task.scriban no longer has the line this test edits");
            File.WriteAllText(Path.Combine(overrides.FullName, "task.scriban"), task.Replace(anchor, anchor + "drivr_opts = \"x\"\n", StringComparison.Ordinal));

            var violations = Violations(RenderExamples(TemplateSet.WithOverrides(overrides.FullName)));

            Assert.That(violations, Has.Some.EndsWith(".drivr_opts: unknown attribute"));
        }
        finally
        {
            overrides.Delete(recursive: true);
        }
    }

    private static IReadOnlyList<RenderedFile> RenderExamples(TemplateSet? templates, string? specs = null)
    {
        var result = NomadDb.Render([specs ?? ExamplesDirectory], new RenderOptions { Templates = templates, BaseDirectory = RepoPaths.Root });
        Assert.That(result.Success, Is.True, () => string.Join(Environment.NewLine, result.Diagnostics));
        return result.Files;
    }

    private static Dictionary<string, string> Jobs(IReadOnlyList<RenderedFile> files) => files
        .Where(file => file.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal))
        .ToDictionary(file => file.FileName, file => file.Content);

    // Renders the specs with one template replaced, and checks the jobs.
    private static ConformanceReport WithOverride(string template, string text, string specs)
    {
        var overrides = Directory.CreateTempSubdirectory("nomad-db-templates-");
        try
        {
            File.WriteAllText(Path.Combine(overrides.FullName, template), text);
            return NomadConformance.Check(Jobs(RenderExamples(TemplateSet.WithOverrides(overrides.FullName), specs)));
        }
        finally
        {
            overrides.Delete(recursive: true);
        }
    }

    // One node process parses every job file; violations come back prefixed with the file name.
    private static IReadOnlyList<string> Violations(IReadOnlyList<RenderedFile> files) => NomadConformance.Check(Jobs(files)).SchemaViolations;
}

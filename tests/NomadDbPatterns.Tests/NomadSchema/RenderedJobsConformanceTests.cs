using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>Every job file the generator renders must hold only blocks and attributes that Nomad accepts.</summary>
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
            Assert.That(files.Where(file => file.FileName.EndsWith(".hcl", StringComparison.Ordinal)), Is.Not.Empty);
            Assert.That(violations, Is.Empty);
        });
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

    private static IReadOnlyList<RenderedFile> RenderExamples(TemplateSet? templates)
    {
        var result = NomadDb.Render([ExamplesDirectory], new RenderOptions { Templates = templates, BaseDirectory = RepoPaths.Root });
        Assert.That(result.Success, Is.True, () => string.Join(Environment.NewLine, result.Diagnostics));
        return result.Files;
    }

    // One node process parses every job file; violations come back prefixed with the file name.
    private static List<string> Violations(IReadOnlyList<RenderedFile> files)
    {
        var schema = JobspecSchema.Load();
        var jobs = files
            .Where(file => file.FileName.EndsWith(".hcl", StringComparison.Ordinal))
            .ToDictionary(file => file.FileName, file => file.Content);
        return Hcl2Json.ParseTexts(jobs)
            .SelectMany(pair => schema.Validate(pair.Value).Select(violation => $"{pair.Key}: {violation}"))
            .ToList();
    }
}

using NomadDbPatterns.Hcl;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>A rendered file: its name (relative to the output directory) and its text.</summary>
/// <param name="FileName">File name, e.g. <c>vaultwarden.nomad.hcl</c>.</param>
/// <param name="Content">The file's text (LF line endings, one final newline).</param>
public sealed record RenderedFile(string FileName, string Content);

/// <summary>Renders valid models to HCL through the Scriban templates and the canonical layout pass.</summary>
public sealed class JobRenderer
{
    private readonly TemplateSet _templates;

    /// <summary>A renderer using the embedded templates.</summary>
    public static JobRenderer Default { get; } = new(TemplateSet.Embedded);

    /// <summary>Creates a renderer over a template set.</summary>
    public JobRenderer(TemplateSet templates) => _templates = templates ?? throw new ArgumentNullException(nameof(templates));

    /// <summary>
    /// Renders the files of one service job: <c>&lt;job&gt;.nomad.hcl</c>, plus <c>&lt;job&gt;-backup.nomad.hcl</c> for a
    /// periodic backup. The model must be valid (see <see cref="NomadDb.Validate(IEnumerable{ServiceJob})"/>).
    /// </summary>
    /// <param name="job">The job.</param>
    /// <param name="sourceName">The spec it came from, named in the header comment.</param>
    public IReadOnlyList<RenderedFile> Render(ServiceJob job, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(sourceName);
        var builder = new JobViewBuilder(job, sourceName, _templates);
        var files = new List<RenderedFile>
        {
            new($"{job.Name}.nomad.hcl", RenderView(builder.BuildServiceJob())),
        };
        if (job.HasPeriodicBackup())
        {
            files.Add(new($"{job.Name}-backup.nomad.hcl", RenderView(builder.BuildPeriodicBackupJob())));
        }

        return files;
    }

    private string RenderView(JobView view) => HclLayout.Format(_templates.Render("job.nomad.hcl.scriban", "job", view));
}

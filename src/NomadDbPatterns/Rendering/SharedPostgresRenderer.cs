using NomadDbPatterns.Hcl;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>Renders the legacy shared instance through the Scriban templates (<see cref="Legacy.Migration"/> renders migration jobs with it).</summary>
public sealed class SharedPostgresRenderer
{
    private readonly TemplateSet _templates;

    /// <summary>A renderer using the embedded templates.</summary>
    public static SharedPostgresRenderer Default { get; } = new(TemplateSet.Embedded);

    /// <summary>Creates a renderer over a template set.</summary>
    public SharedPostgresRenderer(TemplateSet templates) => _templates = templates ?? throw new ArgumentNullException(nameof(templates));

    /// <summary>
    /// Renders <c>&lt;job&gt;.nomad.hcl</c> of a shared instance. The model must be valid (see
    /// <see cref="NomadDb.ValidateShared(IEnumerable{SharedPostgresJob})"/>).
    /// </summary>
    /// <param name="job">The shared instance.</param>
    /// <param name="sourceName">The spec it came from, named in the header comment.</param>
    public IReadOnlyList<RenderedFile> Render(SharedPostgresJob job, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(sourceName);
        return [new RenderedFile($"{job.Name}.nomad.hcl", RenderView(new SharedPostgresViewBuilder(job, sourceName, _templates).Build()))];
    }

    internal TemplateSet Templates => _templates;

    internal string RenderView(JobView view) => HclLayout.Format(_templates.Render("job.nomad.hcl.scriban", "job", view));
}

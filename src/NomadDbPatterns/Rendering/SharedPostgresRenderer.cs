using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>Renders the legacy shared instance to HCL or JSON (<see cref="Legacy.Migration"/> renders migration jobs with it).</summary>
public sealed class SharedPostgresRenderer
{
    private readonly TemplateSet _templates;

    /// <summary>A renderer using the embedded templates.</summary>
    public static SharedPostgresRenderer Default { get; } = new(TemplateSet.Embedded);

    /// <summary>Creates a renderer over a template set.</summary>
    public SharedPostgresRenderer(TemplateSet templates) => _templates = templates ?? throw new ArgumentNullException(nameof(templates));

    /// <summary>
    /// Renders <c>&lt;job&gt;.nomad.hcl</c> of a shared instance. The model is validated first (as
    /// <see cref="NomadDb.ValidateShared(IEnumerable{SharedPostgresJob})"/>): an invalid one is never rendered.
    /// </summary>
    /// <exception cref="Builder.JobValidationException">The model has errors; nothing is rendered.</exception>
    /// <param name="job">The shared instance.</param>
    /// <param name="sourceName">The spec it came from, named in the header comment.</param>
    public IReadOnlyList<RenderedFile> Render(SharedPostgresJob job, string sourceName) => Render(job, sourceName, JobFormat.Hcl);

    /// <summary>Renders <c>&lt;job&gt;.nomad.hcl</c> or <c>&lt;job&gt;.nomad.json</c> of a shared instance, validated first.</summary>
    /// <param name="job">The shared instance.</param>
    /// <param name="sourceName">The spec it came from, named in the HCL header comment (JSON has no comments).</param>
    /// <param name="format">HCL or JSON.</param>
    /// <exception cref="Builder.JobValidationException">The model has errors; nothing is rendered.</exception>
    public IReadOnlyList<RenderedFile> Render(SharedPostgresJob job, string sourceName, JobFormat format)
    {
        ArgumentNullException.ThrowIfNull(job);
        return RenderValid(NomadDb.EnsureValid(job), sourceName, format);
    }

    /// <summary>Renders a model the caller has validated (the spec pipeline validates each instance once).</summary>
    internal IReadOnlyList<RenderedFile> RenderValid(SharedPostgresJob job, string sourceName, JobFormat format)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(sourceName);
        var extension = format == JobFormat.Json ? "json" : "hcl";
        return [new RenderedFile($"{job.Name}.nomad.{extension}", Write(new SharedPostgresDocBuilder(job, sourceName, _templates).Build(), format))];
    }

    internal TemplateSet Templates => _templates;

    internal string Write(JobDoc job, JobFormat format) => format switch
    {
        JobFormat.Hcl => WriteHcl(job),
        JobFormat.Json => JobJsonWriter.Write(job),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown job format."),
    };

    private string WriteHcl(JobDoc job)
    {
        var text = string.Empty;
        JobRenderer.WriteHcl(_templates, job, string.Empty, (_, content) => text = content.ToString());
        return text;
    }
}

using NomadDbPatterns.Hcl;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>A rendered file: its name (relative to the output directory) and its text.</summary>
/// <param name="FileName">File name, e.g. <c>vaultwarden.nomad.hcl</c>.</param>
/// <param name="Content">The file's text (LF line endings, one final newline).</param>
public sealed record RenderedFile(string FileName, string Content);

/// <summary>
/// Receives one rendered file: its name and its text. The text is only valid during the call (it lives in a buffer
/// the next render reuses); copy it or write it out before returning.
/// </summary>
/// <param name="fileName">File name, e.g. <c>vaultwarden.nomad.hcl</c>.</param>
/// <param name="content">The file's text (LF line endings, one final newline).</param>
public delegate void RenderedFileSink(string fileName, ReadOnlySpan<char> content);

/// <summary>The syntax job files are written in.</summary>
public enum JobFormat
{
    /// <summary>HCL jobspec (<c>&lt;job&gt;.nomad.hcl</c>), for <c>nomad job run</c> and for reviewers.</summary>
    Hcl,

    /// <summary>
    /// The JSON job of Nomad's HTTP API (<c>&lt;job&gt;.nomad.json</c>: <c>{"Job": {...}}</c> with <c>api.Job</c>
    /// field names), for <c>POST /v1/jobs</c> or <c>nomad job run -json</c>; the same job as the HCL, without comments.
    /// </summary>
    Json,
}

/// <summary>Renders valid models to HCL (through the Scriban templates and the canonical layout pass) or to JSON.</summary>
public sealed class JobRenderer
{
    private readonly TemplateSet _templates;

    /// <summary>A renderer using the embedded templates.</summary>
    public static JobRenderer Default { get; } = new(TemplateSet.Embedded);

    /// <summary>Creates a renderer over a template set.</summary>
    public JobRenderer(TemplateSet templates) => _templates = templates ?? throw new ArgumentNullException(nameof(templates));

    /// <summary>
    /// Renders the HCL files of one service job: <c>&lt;job&gt;.nomad.hcl</c>, plus <c>&lt;job&gt;-backup.nomad.hcl</c> for
    /// a periodic backup. The model is validated first (as <see cref="NomadDb.Validate(IEnumerable{ServiceJob})"/>
    /// does for one job): an invalid job is never rendered.
    /// </summary>
    /// <param name="job">The job.</param>
    /// <param name="sourceName">The spec it came from, named in the header comment.</param>
    public IReadOnlyList<RenderedFile> Render(ServiceJob job, string sourceName) => Render(job, sourceName, JobFormat.Hcl);

    /// <summary>
    /// Renders the files of one service job in <paramref name="format"/>: <c>&lt;job&gt;.nomad.hcl</c> or
    /// <c>&lt;job&gt;.nomad.json</c>, plus <c>&lt;job&gt;-backup.nomad.*</c> for a periodic backup. Both formats carry
    /// the same job. The model is validated first: an invalid job is never rendered.
    /// </summary>
    /// <param name="job">The job.</param>
    /// <param name="sourceName">The spec it came from, named in the HCL header comment (JSON has no comments).</param>
    /// <param name="format">HCL or JSON.</param>
    /// <exception cref="Builder.JobValidationException">The job has errors; nothing is rendered.</exception>
    public IReadOnlyList<RenderedFile> Render(ServiceJob job, string sourceName, JobFormat format)
    {
        var files = new List<RenderedFile>(2);
        RenderTo(job, sourceName, format, (name, content) => files.Add(new RenderedFile(name, content.ToString())));
        return files;
    }

    /// <summary>
    /// Renders as <see cref="Render(ServiceJob, string, JobFormat)"/>, handing each file to <paramref name="sink"/>
    /// straight from the renderer's reused buffer: for writing files or streams without building a string per file.
    /// </summary>
    /// <param name="job">The job, validated first.</param>
    /// <param name="sourceName">The spec it came from, named in the HCL header comment (JSON has no comments).</param>
    /// <param name="format">HCL or JSON.</param>
    /// <param name="sink">Called once per file, in order; the text is valid only during the call.</param>
    /// <exception cref="Builder.JobValidationException">The job has errors; the sink is not called.</exception>
    public void RenderTo(ServiceJob job, string sourceName, JobFormat format, RenderedFileSink sink)
    {
        ArgumentNullException.ThrowIfNull(job);
        RenderValidTo(NomadDb.EnsureValid(job), sourceName, format, sink);
    }

    /// <summary>As <see cref="Render(ServiceJob, string, JobFormat)"/> for a job the caller has validated (see <see cref="RenderValidTo"/>); the escaping tests render hostile models, which validation refuses, through here.</summary>
    internal IReadOnlyList<RenderedFile> RenderValid(ServiceJob job, string sourceName, JobFormat format = JobFormat.Hcl)
    {
        var files = new List<RenderedFile>(2);
        RenderValidTo(job, sourceName, format, (name, content) => files.Add(new RenderedFile(name, content.ToString())));
        return files;
    }

    /// <summary>
    /// Renders a job the caller has validated: the spec pipeline (<see cref="NomadDb"/>) validates each job and the
    /// fleet once before rendering, and the benchmarks time the render stage alone.
    /// </summary>
    internal void RenderValidTo(ServiceJob job, string sourceName, JobFormat format, RenderedFileSink sink)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(sink);
        var builder = new ServiceJobDocBuilder(job, sourceName, _templates);
        var extension = format == JobFormat.Json ? "json" : "hcl";
        Write(builder.BuildServiceJob(), format, $"{job.Name}.nomad.{extension}", sink);
        if (job.HasPeriodicBackup())
        {
            Write(builder.BuildPeriodicBackupJob(), format, $"{job.Name}-backup.nomad.{extension}", sink);
        }

    }

    /// <summary>
    /// Renders the files that go beside a job's files: what provisions its host volumes (per volume a dynamic host
    /// volume specification <c>&lt;job&gt;.&lt;volume&gt;.volume.hcl</c> for <c>nomad volume create</c>, or the static
    /// client snippet <c>&lt;job&gt;.client.hcl</c>, as <see cref="ServiceJob.HostVolumes"/> says) and the policies its
    /// workload identity needs (<c>&lt;job&gt;.policy.hcl</c> for Nomad Variables outside its implicit paths,
    /// <c>&lt;job&gt;.vault-policy.hcl</c> for Vault secrets). <c>render</c> writes them with the jobs.
    /// </summary>
    /// <param name="job">The job, validated first.</param>
    /// <param name="sourceName">The spec it came from, named in the header comments.</param>
    /// <param name="format">HCL, or JSON for the volume specifications (the body of <c>PUT /v1/volume/host/create</c>); policies and the client snippet are HCL either way.</param>
    /// <exception cref="Builder.JobValidationException">The job has errors; nothing is rendered.</exception>
    public IReadOnlyList<RenderedFile> RenderVolumesAndPolicies(ServiceJob job, string sourceName, JobFormat format = JobFormat.Hcl)
    {
        ArgumentNullException.ThrowIfNull(job);
        var files = new List<RenderedFile>();
        RenderVolumesAndPoliciesTo(NomadDb.EnsureValid(job), sourceName, format, (name, content) => files.Add(new RenderedFile(name, content.ToString())));
        return files;
    }

    /// <summary>As <see cref="RenderVolumesAndPolicies"/>, handing each file to <paramref name="sink"/>.</summary>
    internal static void RenderVolumesAndPoliciesTo(ServiceJob job, string sourceName, JobFormat format, RenderedFileSink sink)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(sourceName);
        HostVolumeFiles.Write(job, sourceName, format, sink);
        PolicyFiles.Write(job, sourceName, sink);
    }

    /// <summary>
    /// Renders the Nomad Variable specification holding the scripts that jobs with backups (and the legacy shared
    /// instance) read from <c>nomad/jobs</c>: <c>nomad-db-scripts.nv.hcl</c> for <c>nomad var put @file</c> (or the
    /// JSON of <c>api.Variable</c>), one per namespace; publish it before the jobs.
    /// </summary>
    /// <param name="namespace">The namespace of the jobs (null: default).</param>
    /// <param name="format">HCL (<c>.nv.hcl</c>) or JSON (<c>.nv.json</c>).</param>
    public RenderedFile RenderScripts(string? @namespace = null, JobFormat format = JobFormat.Hcl) =>
        new(ScriptsVariable.FileName(@namespace, format), _templates.ScriptsVariable.Render(@namespace, format));

    /// <summary>Whether <paramref name="job"/>'s files read the scripts variable (it has a backup).</summary>
    internal static bool ReadsScripts(ServiceJob job) => (job ?? throw new ArgumentNullException(nameof(job))) is { Backup: not null } or { Postgres: not null };

    private void Write(JobDoc job, JobFormat format, string fileName, RenderedFileSink sink)
    {
        switch (format)
        {
            case JobFormat.Hcl:
                WriteHcl(_templates, job, fileName, sink);
                break;
            case JobFormat.Json:
                sink(fileName, JobJsonWriter.Write(job));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown job format.");
        }
    }

    /// <summary>The HCL of a job document: its view through the job template, laid out, handed to the sink from a reused buffer.</summary>
    internal static void WriteHcl(TemplateSet templates, JobDoc job, string fileName, RenderedFileSink sink) =>
        HclLayout.Format(templates.Render("job.nomad.hcl.scriban", "job", HclViewMapper.Map(job)).AsMemory(), (fileName, sink), static (text, file) => file.sink(file.fileName, text));
}

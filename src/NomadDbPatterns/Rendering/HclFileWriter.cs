using NomadDbPatterns.Hcl;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Receives one rendered file: its name and its text. The text is only valid during the call (it lives in a buffer
/// the next render reuses); copy it or write it out before returning.
/// </summary>
/// <param name="fileName">File name, e.g. <c>vaultwarden.nomad.hcl</c>.</param>
/// <param name="content">The file's text (LF line endings, one final newline).</param>
public delegate void RenderedFileSink(string fileName, ReadOnlySpan<char> content);

/// <summary>
/// Writes a job document as HCL: the view through the job template into one reused buffer, that buffer's canonical
/// layout into another, handed to the sink. A job file with the backup scripts is ~55,000 characters: as strings,
/// the two would be large-object-heap allocations on every render.
/// </summary>
internal static class HclFileWriter
{
    private const string JobTemplate = "job.nomad.hcl.scriban";
    private const int MaxKeptBuffer = 1024 * 1024;

    [ThreadStatic]
    private static (CharBuffer Raw, CharBuffer LaidOut)? t_buffers;

    public static void Write(TemplateSet templates, JobDoc job, string fileName, RenderedFileSink sink)
    {
        // Taken from the thread for the call: a sink that renders again on this thread gets buffers of its own.
        var (raw, laidOut) = t_buffers ?? (new CharBuffer(64 * 1024), new CharBuffer(64 * 1024));
        t_buffers = null;
        templates.RenderTo(JobTemplate, "job", HclViewMapper.Map(job), raw.Clear());
        HclLayout.FormatTo(raw.Memory, laidOut.Clear());
        sink(fileName, laidOut.Span);
        if (raw.Capacity <= MaxKeptBuffer && laidOut.Capacity <= MaxKeptBuffer)
        {
            t_buffers = (raw, laidOut);
        }
    }
}

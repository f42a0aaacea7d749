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
/// Writes a job document as HCL: the view through the job template, its canonical layout into a reused buffer, handed
/// to the sink.
/// </summary>
internal static class HclFileWriter
{
    private const string JobTemplate = "job.nomad.hcl.scriban";
    private const int MaxKeptBuffer = 1024 * 1024;

    [ThreadStatic]
    private static CharBuffer? t_buffer;

    public static void Write(TemplateSet templates, JobDoc job, string fileName, RenderedFileSink sink)
    {
        // Taken from the thread for the call: a sink that renders again on this thread gets a buffer of its own.
        var laidOut = t_buffer ?? new CharBuffer(32 * 1024);
        t_buffer = null;
        HclLayout.FormatTo(templates.Render(JobTemplate, "job", HclViewMapper.Map(job)).AsMemory(), laidOut.Clear());
        sink(fileName, laidOut.Span);
        if (laidOut.Capacity <= MaxKeptBuffer)
        {
            t_buffer = laidOut;
        }
    }
}

using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// <see cref="JobRenderer.RenderTo"/> hands each file to a sink straight from reused buffers; it must hand over
/// exactly what <see cref="JobRenderer.Render(Model.ServiceJob, string, JobFormat)"/> returns, also when the sink
/// renders again on the same thread while it holds the text.
/// </summary>
[TestFixture]
public sealed class RenderToTests
{
    private static IReadOnlyList<LoadedJob> ExampleJobs()
    {
        var loaded = SpecLoader.LoadFiles(SpecLoader.ExpandInputs([RepoPaths.Examples]));
        Assert.That(loaded.Jobs, Is.Not.Empty);
        return loaded.Jobs;
    }

    [TestCase(JobFormat.Hcl)]
    [TestCase(JobFormat.Json)]
    public void RenderTo_hands_over_what_Render_returns(JobFormat format)
    {
        foreach (var job in ExampleJobs())
        {
            var expected = JobRenderer.Default.Render(job.Job, job.File, format);
            var streamed = new List<RenderedFile>();

            JobRenderer.Default.RenderTo(job.Job, job.File, format, (name, content) => streamed.Add(new RenderedFile(name, content.ToString())));

            Assert.That(streamed, Is.EqualTo(expected), job.File);
        }
    }

    [Test]
    public void A_sink_that_renders_again_does_not_see_its_text_change()
    {
        var jobs = ExampleJobs();
        var (outer, inner) = (jobs[0], jobs[^1]);
        var expectedOuter = JobRenderer.Default.Render(outer.Job, outer.File)[0].Content;
        var expectedInner = JobRenderer.Default.Render(inner.Job, inner.File)[0].Content;
        string? seenInner = null;
        string? outerAfterInner = null;

        JobRenderer.Default.RenderTo(outer.Job, outer.File, JobFormat.Hcl, (name, content) =>
        {
            if (outerAfterInner is not null)
            {
                return; // the outer job's second file
            }

            JobRenderer.Default.RenderTo(inner.Job, inner.File, JobFormat.Hcl, (_, innerContent) => seenInner ??= innerContent.ToString());
            outerAfterInner = content.ToString();
        });

        Assert.Multiple(() =>
        {
            Assert.That(outerAfterInner, Is.EqualTo(expectedOuter));
            Assert.That(seenInner, Is.EqualTo(expectedInner));
        });
    }
}

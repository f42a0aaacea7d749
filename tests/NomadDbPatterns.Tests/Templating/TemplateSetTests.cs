using NomadDbPatterns.Rendering;
using NUnit.Framework;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace NomadDbPatterns.Tests.Templating;

/// <summary>
/// Rendering goes through Scriban with the template set's extension points (a reused context, includes resolved to parsed
/// templates, view records read through their member switch): it renders what plain Scriban renders with reflection.
/// </summary>
[TestFixture]
public sealed class TemplateSetTests
{
    private const string JobTemplate = "job.nomad.hcl.scriban";

    [Test]
    public void Renders_what_plain_Scriban_renders_for_random_job_views()
    {
        for (var seed = 0; seed < 500; seed++)
        {
            var view = new RandomViews(seed).Job();
            Assert.That(TemplateSet.Embedded.Render(JobTemplate, "job", view), Is.EqualTo(RenderWithPlainScriban(view)), $"seed {seed}");
        }
    }

    [Test]
    public void What_one_render_assigns_is_gone_in_the_next()
    {
        using var overrides = new TempDirectory();
        File.WriteAllText(Path.Combine(overrides.Path, "main.scriban"), "{{ if m.yes }}{{ kept = \"set\" }}{{ else }}{{ kept }}{{ end }}");
        var templates = TemplateSet.WithOverrides(overrides.Path);
        Assert.That(templates.Render("main.scriban", "m", new Model(true)), Is.Empty);
        Assert.That(() => templates.Render("main.scriban", "m", new Model(false)), Throws.TypeOf<TemplateException>().With.Message.Contains("kept"));
        Assert.That(templates.Render("main.scriban", "m", new Model(true)), Is.Empty, "a failed render leaves no context behind");
    }

    [Test]
    public void Overrides_have_Scriban_s_builtins()
    {
        using var overrides = new TempDirectory();
        File.WriteAllText(Path.Combine(overrides.Path, "main.scriban"), "{{ \"a\" | string.upcase }}{{ include \"part.scriban\" }}");
        File.WriteAllText(Path.Combine(overrides.Path, "part.scriban"), "{{ m.yes | object.typeof }}");
        Assert.That(TemplateSet.WithOverrides(overrides.Path).Render("main.scriban", "m", new Model(true)), Is.EqualTo("Aboolean"));
    }

    [Test]
    public void Output_beyond_Scriban_s_default_limit_of_one_MiB_is_not_cut()
    {
        using var overrides = new TempDirectory();
        File.WriteAllText(Path.Combine(overrides.Path, "main.scriban"), "{{ m.text }}{{ m.text }}.");
        var text = new string('x', 600_000);
        Assert.That(TemplateSet.WithOverrides(overrides.Path).Render("main.scriban", "m", new Model(true, text)), Is.EqualTo(text + text + "."));
    }

    /// <summary>A model that is not a view record: read by Scriban's reflection.</summary>
    public sealed record Model(bool Yes, string Text = "");

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("nomad-db-templates-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    /// <summary>Scriban as it comes: a new context, all builtins, members found by reflection, includes parsed by its loader.</summary>
    private static string RenderWithPlainScriban(JobView view)
    {
        var globals = new ScriptObject();
        globals.SetValue("job", view, readOnly: true);
        var context = new TemplateContext { StrictVariables = true, TemplateLoader = new Loader(), EnableRelaxedMemberAccess = false, NewLine = "\n" };
        context.PushGlobal(globals);
        return Template.Parse(TemplateSet.Embedded.ReadText(JobTemplate), JobTemplate).Render(context);
    }

    private sealed class Loader : ITemplateLoader
    {
        public string GetPath(TemplateContext context, SourceSpan callerSpan, string templateName) => templateName;

        public string Load(TemplateContext context, SourceSpan callerSpan, string templatePath) => TemplateSet.Embedded.ReadText(templatePath);

        public ValueTask<string?> LoadAsync(TemplateContext context, SourceSpan callerSpan, string templatePath) => new(Load(context, callerSpan, templatePath));
    }

    /// <summary>Random but reproducible view models: every optional part present or not, lists of 0-3 items.</summary>
    private sealed class RandomViews(int seed)
    {
        private static readonly string[] Texts = ["\"x\"", "\"\"", "1", "true", "[\"a\", \"b\"]", "<<-EOH\nline\nEOH", "\"${a}\"", "\"ä → b\""];
        private readonly Random _random = new(seed);

        public JobView Job() => new(
            List(() => Text(), 0, 3), Text(), Text(), Text(), Maybe(), Maybe(), Maybe(), Maybe(),
            List(() => new ConstraintView(Maybe(), Text(), Maybe())), List(() => new EnvView(Text(), Text())), _random.Next(3) == 0 ? new PeriodicView(Text(), Text(), Text()) : null, Group());

        private GroupView Group() => new(
            Text(), Text(), Maybe(), Text(), List(() => new PortView(Text(), Maybe(), Maybe())), List(() => new VolumeView(Text(), Text(), Text(), Text())),
            _random.Next(2) == 0 ? new UpdateView(Text(), Text(), Text(), Text(), Text(), Text()) : null,
            new RestartView(Text(), Text(), Text(), Text()), List(Service), List(Task));

        private ServiceView Service() => new(Text(), Maybe(), Text(), Maybe(), List(() => new CheckView(Text(), Maybe(), Maybe(), Maybe(), Text(), Text(), Maybe())));

        private TaskView Task() => new(
            Text(), List(() => Text()), _random.Next(2) == 0 ? new LifecycleView(Text(), Text()) : null, Text(), Maybe(), Maybe(), Maybe(), Maybe(), Maybe(), Maybe(),
            Maybe(), Maybe(), Maybe(), Maybe(), List(() => new DockerMountView(Text(), Text(), Maybe(), Maybe(), Maybe())), Maybe(), Maybe(), Maybe(), Maybe(), Maybe(),
            List(() => new MountView(Text(), Text(), Maybe())), List(() => new EnvView(Text(), Text())),
            List(() => new TemplateView(Text(), Maybe(), Maybe(), Text(), Text())), _random.Next(3) == 0 ? new VaultView(Maybe(), Text(), Maybe()) : null,
            new ResourcesView(Text(), Text(), Maybe()), List(Service), _random.Next(2) == 0 ? new RestartView(Text(), Text(), Text(), Text()) : null);

        private string Text() => Texts[_random.Next(Texts.Length)];

        private string? Maybe() => _random.Next(3) == 0 ? null : Text();

        private List<T> List<T>(Func<T> item, int min = 0, int max = 3) => [.. Enumerable.Range(0, _random.Next(min, max + 1)).Select(_ => item())];
    }
}

using NomadDbPatterns.Rendering;
using NomadDbPatterns.Templating;
using NUnit.Framework;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace NomadDbPatterns.Tests.Templating;

/// <summary>The compiled form renders exactly what Scriban renders, or declines.</summary>
[TestFixture]
public sealed class CompiledTemplateTests
{
    private const string JobTemplate = "job.nomad.hcl.scriban";

    [Test]
    public void The_embedded_templates_compile()
    {
        Assert.That(CompiledTemplate.TryCompile(JobTemplate, TemplateSet.Embedded.Get, out var unsupported), Is.Not.Null, unsupported);
    }

    [Test]
    public void Renders_what_Scriban_renders_for_random_job_views()
    {
        var compiled = CompiledTemplate.TryCompile(JobTemplate, TemplateSet.Embedded.Get)!;
        for (var seed = 0; seed < 1500; seed++)
        {
            var view = new RandomViews(seed).Job();
            var expected = TemplateSet.Embedded.Render(JobTemplate, "job", view);
            Assert.That(compiled.TryRender("job", view, out var actual), Is.True, $"seed {seed}");
            Assert.That(actual, Is.EqualTo(expected), $"seed {seed}");
        }
    }

    [TestCase("{{ x = \"g\" }}{{ for x in m.items }}{{ include \"b\" }}{{ x }};{{ end }}{{ x }}", "[a]a;[b]b;set")]
    [TestCase("{{ for y in m.items }}{{ include \"c\" y }}{{ y }};{{ end }}{{ y }}", "<a>a;<b>b;b")]
    [TestCase("{{ if m.empty }}T{{ else }}F{{ end }}|{{ if m.nothing }}T{{ else }}F{{ end }}|{{ if m.no }}T{{ else if m.yes }}Y{{ end }}|{{ if m.zero }}T{{ end }}", "T|F|Y|T")]
    [TestCase("{{ if m.items.size > 1 }}many{{ end }}{{ if m.items.size == 0 }}none{{ end }}", "many")]
    [TestCase("a\n{{ for i in m.items }}\n- {{ i }}\n{{ end }}\nb", "a\n\n- a\n\n- b\n\nb")]
    public void Scoping_truthiness_and_text_match_Scriban(string template, string expected)
    {
        var partials = new Dictionary<string, string>
        {
            ["main"] = template,
            ["b"] = "[{{ x }}]{{ x = \"set\" }}",
            ["c"] = "{{ y = $1 }}<{{ y }}>",
        };
        var model = new Model(["a", "b"], "", null, false, true, 0);
        Assert.That(RenderWithScriban(partials, model), Is.EqualTo(expected), "the expectation itself is Scriban's output");
        var compiled = CompiledTemplate.TryCompile("main", name => Template.Parse(partials[name], name));
        Assert.That(compiled, Is.Not.Null);
        Assert.That(compiled!.TryRender("m", model, out var text), Is.True);
        Assert.That(text, Is.EqualTo(expected));
    }

    [TestCase("{{ m.items | array.size }}")]
    [TestCase("{{ for i in m.items limit:1 }}{{ i }}{{ end }}")]
    [TestCase("{{ func f; ret 1; end }}")]
    [TestCase("{{ include \"main\" }}")]
    [TestCase("{{ m.items[0] }}")]
    public void Templates_outside_the_subset_do_not_compile(string template)
    {
        Assert.That(CompiledTemplate.TryCompile("main", name => Template.Parse(template, name)), Is.Null);
    }

    [TestCase("{{ m.zero }}")]
    [TestCase("{{ unknown }}")]
    [TestCase("{{ m.nothing.size }}")]
    [TestCase("{{ m = 1 }}")]
    [TestCase("{{ m.items.unknown }}")]
    public void Values_it_does_not_handle_leave_the_render_to_Scriban(string template)
    {
        var compiled = CompiledTemplate.TryCompile("main", name => Template.Parse(template, name));
        Assert.That(compiled, Is.Not.Null);
        Assert.That(compiled!.TryRender("m", new Model(["a"], "", null, false, true, 0), out _), Is.False);
    }

    /// <summary>The model, bound as <c>m</c>.</summary>
    public sealed record Model(IReadOnlyList<string> Items, string Empty, string? Nothing, bool No, bool Yes, int Zero);

    private static string RenderWithScriban(Dictionary<string, string> templates, Model model)
    {
        var globals = new ScriptObject();
        globals.SetValue("m", model, readOnly: true);
        var context = new TemplateContext { StrictVariables = true, TemplateLoader = new Loader(templates), EnableRelaxedMemberAccess = false, NewLine = "\n" };
        context.PushGlobal(globals);
        return Template.Parse(templates["main"], "main").Render(context);
    }

    private sealed class Loader(Dictionary<string, string> templates) : ITemplateLoader
    {
        public string GetPath(TemplateContext context, SourceSpan callerSpan, string templateName) => templateName;

        public string Load(TemplateContext context, SourceSpan callerSpan, string templatePath) => templates[templatePath];

        public ValueTask<string?> LoadAsync(TemplateContext context, SourceSpan callerSpan, string templatePath) => new(templates[templatePath]);
    }

    /// <summary>Random but reproducible view models: every optional part present or not, lists of 0-3 items.</summary>
    private sealed class RandomViews(int seed)
    {
        private static readonly string[] Texts = ["\"x\"", "\"\"", "1", "true", "[\"a\", \"b\"]", "<<-EOH\nline\nEOH", "\"${a}\"", "\"ä → b\""];
        private readonly Random _random = new(seed);

        public JobView Job() => new(
            List(() => Text(), 0, 3), Text(), Text(), Text(), Maybe(), Maybe(), Maybe(), Maybe(),
            List(() => new ConstraintView(Maybe(), Text(), Maybe())), _random.Next(3) == 0 ? new PeriodicView(Text(), Text(), Text()) : null, Group());

        private GroupView Group() => new(
            Text(), Text(), Maybe(), Text(), List(() => new PortView(Text(), Maybe(), Maybe())), List(() => new VolumeView(Text(), Text(), Text(), Text())),
            _random.Next(2) == 0 ? new UpdateView(Text(), Text(), Text(), Text(), Text(), Text()) : null,
            new RestartView(Text(), Text(), Text(), Text()), List(Service), List(Task));

        private ServiceView Service() => new(Text(), Maybe(), Text(), Maybe(), List(() => new CheckView(Text(), Maybe(), Maybe(), Maybe(), Text(), Text())));

        private TaskView Task() => new(
            Text(), List(() => Text()), _random.Next(2) == 0 ? new LifecycleView(Text(), Text()) : null, Text(), Maybe(), Maybe(), Maybe(), Maybe(), Maybe(), Maybe(), Maybe(), Maybe(), Maybe(),
            List(() => new MountView(Text(), Text(), Maybe())), List(() => new EnvView(Text(), Text())),
            List(() => new TemplateView(Text(), Maybe(), Maybe(), Text(), Text())), _random.Next(3) == 0 ? new VaultView(Maybe(), Text(), Maybe()) : null,
            new ResourcesView(Text(), Text(), Maybe()), List(Service), _random.Next(2) == 0 ? new RestartView(Text(), Text(), Text(), Text()) : null);

        private string Text() => Texts[_random.Next(Texts.Length)];

        private string? Maybe() => _random.Next(3) == 0 ? null : Text();

        private List<T> List<T>(Func<T> item, int min = 0, int max = 3) => [.. Enumerable.Range(0, _random.Next(min, max + 1)).Select(_ => item())];
    }
}

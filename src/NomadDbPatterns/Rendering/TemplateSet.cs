using System.Collections.Concurrent;
using NomadDbPatterns.Hcl;
using NomadDbPatterns.Templating;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The Scriban templates, parsed once each (with their source name, for error positions): the embedded set, or a
/// directory of overrides whose files replace embedded ones of the same name.
/// </summary>
public sealed class TemplateSet
{
    private const string ResourcePrefix = "NomadDbPatterns.Templates.";
    private readonly string? _overrideDirectory;
    private readonly ConcurrentDictionary<string, Template> _parsed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CompiledTemplate?> _compiled = new(StringComparer.Ordinal);

    /// <summary>The templates shipped in the package.</summary>
    public static TemplateSet Embedded { get; } = new(null);

    private TemplateSet(string? overrideDirectory) => _overrideDirectory = overrideDirectory;

    /// <summary>Templates from <paramref name="directory"/> where present, else the embedded ones.</summary>
    public static TemplateSet WithOverrides(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Template override directory '{directory}' does not exist.");
        }

        return new TemplateSet(Path.GetFullPath(directory));
    }

    /// <summary>Names of the embedded templates.</summary>
    public static IReadOnlyList<string> EmbeddedNames { get; } = typeof(TemplateSet).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The parsed template <paramref name="name"/>.</summary>
    internal Template Get(string name) => _parsed.GetOrAdd(name, n =>
    {
        var (text, source) = Read(n);
        var template = Template.Parse(text, source);
        if (template.HasErrors)
        {
            throw new TemplateException($"Template {source} does not parse: {string.Join("; ", template.Messages)}");
        }

        return template;
    });

    /// <summary>The raw text of a template or script file (<c>scripts/pg-backup.sh</c>).</summary>
    public string ReadText(string name) => _texts.GetOrAdd(name, n => Read(n).Text);

    private readonly ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);

    /// <summary>The scripts jobs read from the Nomad Variable <c>nomad/jobs</c> (read and checked once per set).</summary>
    internal ScriptsVariable ScriptsVariable => _scriptsVariable ??= Rendering.ScriptsVariable.From(this);

    private ScriptsVariable? _scriptsVariable; // a race computes it twice, with the same result

    private (string Text, string Source) Read(string name)
    {
        if (_overrideDirectory is not null)
        {
            var path = Path.Combine(_overrideDirectory, name);
            if (File.Exists(path))
            {
                return (File.ReadAllText(path), path);
            }
        }

        var resource = ResourcePrefix + name.Replace('\\', '/');
        using var stream = typeof(TemplateSet).Assembly.GetManifestResourceStream(resource)
            ?? throw new TemplateException($"No template named '{name}'.");
        using var reader = new StreamReader(stream);
        return (reader.ReadToEnd(), $"templates/{name}");
    }

    /// <summary>Scriban's include hook, kept out of the public type: includes resolve through the same overrides.</summary>
    private sealed class Loader(TemplateSet owner) : ITemplateLoader
    {
        string ITemplateLoader.GetPath(TemplateContext context, SourceSpan callerSpan, string templateName) => templateName;

        string ITemplateLoader.Load(TemplateContext context, SourceSpan callerSpan, string templatePath) => owner.Read(templatePath).Text;

        ValueTask<string?> ITemplateLoader.LoadAsync(TemplateContext context, SourceSpan callerSpan, string templatePath) => new(owner.Read(templatePath).Text);
    }

    /// <summary>Renders template <paramref name="name"/> with <paramref name="model"/> bound as <paramref name="variable"/>.</summary>
    internal string Render(string name, string variable, object model)
    {
        var output = new CharBuffer();
        RenderTo(name, variable, model, output);
        return output.ToString();
    }

    /// <summary>Appends the render of template <paramref name="name"/> to <paramref name="output"/>.</summary>
    internal void RenderTo(string name, string variable, object model, CharBuffer output)
    {
        // Compiled once per template (null when it uses more of Scriban than the compiled form supports); a render it
        // declines, e.g. for an unexpected value, goes to Scriban below, which produces the same text or the error.
        var compiled = _compiled.GetOrAdd(name, n => CompiledTemplate.TryCompile(n, Get));
        if (compiled is null || !compiled.TryRender(variable, model, output))
        {
            output.Append(RenderWithScriban(name, variable, model));
        }
    }

    private string RenderWithScriban(string name, string variable, object model)
    {
        var template = Get(name);
        var context = RenderContext();
        var globals = new ScriptObject();
        globals.SetValue(variable, model, readOnly: true);
        context.PushGlobal(globals);
        var rendered = false;
        try
        {
            // Template.Render clears the output it leaves; popping the model's globals makes the context as good as new.
            var output = template.Render(context);
            rendered = true;
            return output;
        }
        catch (Scriban.Syntax.ScriptRuntimeException exception)
        {
            // An overridden template that fails on some model: the user's input, reported with its position.
            throw new TemplateException($"Template {exception.Span.FileName} fails: {exception.Message}");
        }
        finally
        {
            if (rendered)
            {
                context.PopGlobal();
            }
            else
            {
                // A failed render may leave outputs or scopes pushed: start the next one from a fresh context.
                t_context = null;
            }
        }
    }

    // A TemplateContext is expensive to create (it builds Scriban's builtin functions) and caches the member accessors
    // of every model type it meets (TemplateContext.Reset would clear that cache and the parsed partials): one context
    // per thread and template set is reused.
    [ThreadStatic]
    private static (TemplateSet Owner, TemplateContext Context)? t_context;

    private TemplateContext RenderContext()
    {
        if (t_context is { } cached && ReferenceEquals(cached.Owner, this))
        {
            return cached.Context;
        }

        var context = new TemplateContext(Builtins.Shared)
        {
            StrictVariables = true,
            TemplateLoader = new Loader(this),
            EnableRelaxedMemberAccess = false,
            LoopLimit = 100_000,
            NewLine = "\n",
        };
        foreach (var partial in EmbeddedNames)
        {
            if (partial.EndsWith(".scriban", StringComparison.Ordinal))
            {
                context.CachedTemplates[partial] = Get(partial);
            }
        }

        t_context = (this, context);
        return context;
    }

    // Scriban's builtins are read-only to templates (assignments go to the pushed globals), so one set serves all contexts.
    // Built on first use only (a class of its own, not a static field of TemplateSet): building them costs several ms at
    // start-up, and the compiled templates render every shipped template without them.
    private static class Builtins
    {
        public static readonly ScriptObject Shared = TemplateContext.GetDefaultBuiltinObject();
    }
}

/// <summary>A template could not be found, parsed or rendered.</summary>
public sealed class TemplateException(string message) : Exception(message);

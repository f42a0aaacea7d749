using System.Collections.Concurrent;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

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

    /// <summary>Renders template <paramref name="name"/> with <paramref name="model"/> bound as <paramref name="variable"/>.</summary>
    internal string Render(string name, string variable, object model)
    {
        var template = Get(name);
        var context = t_context is { } cached && ReferenceEquals(cached.Owner, this) ? cached : new RenderContext(this);
        t_context = null; // a render that fails leaves scopes pushed: the next one starts from a fresh context
        context.Model.SetValue(variable, model, readOnly: true);
        context.PushGlobal(context.Model);
        string text;
        try
        {
            text = template.Render(context); // returns the context's output and clears it for the next render
        }
        catch (Scriban.Syntax.ScriptRuntimeException exception)
        {
            // An overridden template that fails on some model: the user's input, reported with its position.
            throw new TemplateException($"Template {exception.Span.FileName} fails: {exception.Message}");
        }

        context.PopGlobal();
        context.Model.Clear(); // the model and what the templates assigned
        t_context = context;
        return text;
    }

    // A TemplateContext is reused (one per thread and template set): it keeps Scriban's accessor per model type and the
    // parsed templates its includes resolved.
    [ThreadStatic]
    private static RenderContext? t_context;

    /// <summary>
    /// Scriban's context with this set's extension points: includes resolve to the set's parsed templates (the same
    /// overrides), view records are read through their member switch (<see cref="IView"/>), not by reflection.
    /// </summary>
    private sealed class RenderContext : TemplateContext, ITemplateLoader
    {
        public readonly TemplateSet Owner;
        public readonly ScriptObject Model = new();

        public RenderContext(TemplateSet owner)
            : base(owner._overrideDirectory is null ? IncludeOnly : Builtins.All)
        {
            Owner = owner;
            StrictVariables = true;
            EnableRelaxedMemberAccess = false;
            LoopLimit = 100_000;
            LimitToString = 0; // Scriban cuts output (and strings) beyond 1 MiB by default; a spec may hold up to that much text
            NewLine = "\n";
            TemplateLoader = this;
        }

        // The shipped templates call no builtin but include. Scriban's full set costs several ms to build (hundreds of
        // functions imported by reflection): only template sets with overrides get it, once per process.
        private static readonly ScriptObject IncludeOnly = new() { ["include"] = IncludeInPlace.Instance };

        protected override Template CreateTemplate(string templatePath, ScriptNode? callerContext) => Owner.Get(templatePath);

        protected override IObjectAccessor? GetMemberAccessorImpl(object target) =>
            target is IView ? ViewAccessor.Instance : base.GetMemberAccessorImpl(target);

        string ITemplateLoader.GetPath(TemplateContext context, SourceSpan callerSpan, string templateName) => templateName;

        string ITemplateLoader.Load(TemplateContext context, SourceSpan callerSpan, string templatePath) => Owner.Read(templatePath).Text;

        ValueTask<string?> ITemplateLoader.LoadAsync(TemplateContext context, SourceSpan callerSpan, string templatePath) => new(Owner.Read(templatePath).Text);
    }

    // Scriban's builtins are read-only to templates (assignments go to the pushed globals), so one set serves all contexts.
    private static class Builtins
    {
        public static readonly ScriptObject All = WithIncludeInPlace(TemplateContext.GetDefaultBuiltinObject());

        private static ScriptObject WithIncludeInPlace(ScriptObject builtins)
        {
            builtins.SetValue("include", IncludeInPlace.Instance, readOnly: true);
            return builtins;
        }
    }

    /// <summary>
    /// Scriban's <c>include</c>, writing the included template straight into the caller's output: Scriban's own renders
    /// each include into a new StringBuilder and copies the resulting string into the caller's output (most of a job
    /// file is written by includes, some nested). Same scoping (<c>$1</c>… in a new local scope), same recursion limit;
    /// an include whose line is indented keeps Scriban's own (its auto-indent re-indents the included text).
    /// </summary>
    private sealed class IncludeInPlace : IScriptCustomFunction
    {
        public static readonly IncludeInPlace Instance = new();
        private static readonly Scriban.Functions.IncludeFunction Scriban = new();

        public int RequiredParameterCount => 1;

        public int ParameterCount => 1;

        public ScriptVarParamKind VarParamKind => ScriptVarParamKind.Direct;

        public Type ReturnType => typeof(object);

        public ScriptParameterInfo GetParameterInfo(int index) => Scriban.GetParameterInfo(index);

        public int GetParameterIndexByName(string name) => Scriban.GetParameterIndexByName(name);

        public object? Invoke(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement)
        {
            if (!string.IsNullOrEmpty(context.CurrentIndent) || arguments.Count == 0 || callerContext is not ScriptFunctionCall call || HasNamedArguments(call))
            {
                return Scriban.Invoke(context, callerContext, arguments, blockStatement);
            }

            var path = context.GetTemplatePathFromName(context.ObjectToString(arguments[0]), callerContext);
            var page = path is null ? null : context.GetOrCreateTemplate(path, callerContext).Page;
            if (page is null)
            {
                return null;
            }

            context.EnterRecursive(callerContext);
            context.PushLocal();
            try
            {
                context.SetValue(ScriptVariable.Arguments, arguments, asReadOnly: true, force: true);
                if (context.Evaluate(page) is { } result)
                {
                    context.Write(page.Span, result);
                }
            }
            finally
            {
                context.PopLocal();
                context.ExitRecursive(callerContext);
            }

            return null;
        }

        public ValueTask<object?> InvokeAsync(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement) =>
            Scriban.InvokeAsync(context, callerContext, arguments, blockStatement);

        private static bool HasNamedArguments(ScriptFunctionCall call)
        {
            foreach (var argument in call.Arguments)
            {
                if (argument is ScriptNamedArgument)
                {
                    return true;
                }
            }

            return false;
        }
    }


    /// <summary>Reads a view record's members through its switch; view records are read-only and have no indexer.</summary>
    private sealed class ViewAccessor : IObjectAccessor
    {
        public static readonly ViewAccessor Instance = new();

        public bool HasIndexer => false;

        public Type? IndexType => null;

        public bool TryGetValue(TemplateContext context, SourceSpan span, object target, string member, out object? value)
        {
            value = ((IView)target).Member(member);
            return !ReferenceEquals(value, IView.Missing);
        }

        public bool HasMember(TemplateContext context, SourceSpan span, object target, string member) =>
            !ReferenceEquals(((IView)target).Member(member), IView.Missing);

        public IEnumerable<string> GetMembers(TemplateContext context, SourceSpan span, object target) =>
            target.GetType().GetProperties().Select(StandardMemberRenamer.Rename).Where(name => HasMember(context, span, target, name));

        public int GetMemberCount(TemplateContext context, SourceSpan span, object target) => GetMembers(context, span, target).Count();

        public bool TrySetValue(TemplateContext context, SourceSpan span, object target, string member, object? value) => false;

        public bool TryGetItem(TemplateContext context, SourceSpan span, object target, object index, out object? value)
        {
            value = null;
            return false;
        }

        public bool TrySetItem(TemplateContext context, SourceSpan span, object target, object index, object? value) => false;
    }
}

/// <summary>A template could not be found, parsed or rendered.</summary>
public sealed class TemplateException(string message) : Exception(message);

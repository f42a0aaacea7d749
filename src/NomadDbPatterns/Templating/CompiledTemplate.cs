using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using NomadDbPatterns.Hcl;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace NomadDbPatterns.Templating;

/// <summary>
/// A Scriban template turned once into a tree of delegates over the model's types, for the subset of Scriban that
/// view-model templates use: text, <c>{{ a.b.c }}</c> output, <c>if</c>/<c>else if</c>/<c>else</c>, <c>for x in list</c>,
/// <c>include "name" arg</c>, <c>x = $1</c>, <c>list.size</c> and integer comparisons. Scriban walks its syntax tree and
/// looks members up by reflection on every render; this does that work once, so a render costs little more than
/// appending strings. It renders exactly what Scriban renders (same scoping, truthiness and member names); a template
/// outside the subset does not compile (<see cref="TryCompile(string, Func{string, Template})"/> returns null), and a model value it does not handle
/// makes <see cref="TryRender(string, object, CharBuffer)"/> return false, so that the caller renders with Scriban itself.
/// </summary>
internal sealed class CompiledTemplate
{
    /// <summary>Scriban's default loop limit: beyond it Scriban fails, so the compiled form leaves such a render to Scriban.</summary>
    public const int LoopLimit = 100_000;

    private readonly Block _body;

    private CompiledTemplate(Block body) => _body = body;

    /// <summary>
    /// Compiles <paramref name="name"/> and every template it includes, or returns null when any of them uses
    /// something outside the supported subset.
    /// </summary>
    /// <param name="name">The template's name.</param>
    /// <param name="resolve">The parsed template of a name (the same resolution Scriban's include uses).</param>
    public static CompiledTemplate? TryCompile(string name, Func<string, Template> resolve) => TryCompile(name, resolve, out _);

    /// <summary>As <see cref="TryCompile(string, Func{string, Template})"/>, telling what is not supported.</summary>
    /// <param name="name">The template's name.</param>
    /// <param name="resolve">The parsed template of a name (the same resolution Scriban's include uses).</param>
    /// <param name="unsupported">Why the template does not compile, or null.</param>
    public static CompiledTemplate? TryCompile(string name, Func<string, Template> resolve, out string? unsupported)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(resolve);
        try
        {
            var compiler = new Compiler(resolve);
            unsupported = null;
            return new CompiledTemplate(compiler.CompileTemplate(name));
        }
        catch (NotSupportedException exception)
        {
            unsupported = exception.Message;
            return null;
        }
    }

    /// <summary>Renders with <paramref name="model"/> bound to the global <paramref name="variable"/>; false when Scriban must render instead.</summary>
    public bool TryRender(string variable, object model, out string text)
    {
        var output = new CharBuffer();
        var rendered = TryRender(variable, model, output);
        text = rendered ? output.ToString() : string.Empty;
        return rendered;
    }

    /// <summary>
    /// Renders into <paramref name="output"/> with <paramref name="model"/> bound to the global
    /// <paramref name="variable"/>; false (and <paramref name="output"/> as it was) when Scriban must render instead.
    /// </summary>
    public bool TryRender(string variable, object model, CharBuffer output)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(output);
        var start = output.Length;
        var state = State.Rent(variable, model, output);
        try
        {
            _body(state);
            return true;
        }
        catch (FallbackException)
        {
            output.Shorten(output.Length - start);
            return false;
        }
        finally
        {
            State.Return(state);
        }
    }

    private delegate void Block(State state);

    private delegate object? Value(State state);

    /// <summary>Signals a model value the compiled form does not handle: the render is left to Scriban.</summary>
    private sealed class FallbackException : Exception;

    /// <summary>Variables as Scriban scopes them: loop variables shadow globals and are visible in includes; <c>x = …</c> sets a global.</summary>
    private sealed class State
    {
        [ThreadStatic]
        private static State? t_free;

        public CharBuffer Output = null!;
        public readonly Dictionary<string, object?> Globals = new(StringComparer.Ordinal);
        public readonly List<(string Name, object? Value)> Loops = new(8);
        /// <summary>The arguments of every include in progress, innermost last; the current one's start at <see cref="ArgumentBase"/>.</summary>
        public readonly List<object?> Arguments = new(16);
        public int ArgumentBase;
        public string ModelVariable = string.Empty;

        public static State Rent(string variable, object model, CharBuffer output)
        {
            var state = t_free ?? new State();
            t_free = null;
            state.Output = output;
            state.Globals.Clear();
            state.Loops.Clear();
            state.Arguments.Clear();
            state.ArgumentBase = 0;
            state.Globals[variable] = model;
            state.ModelVariable = variable;
            return state;
        }

        public static void Return(State state)
        {
            state.Output = null!;
            t_free = state;
        }

        public object? Lookup(string name)
        {
            for (var i = Loops.Count - 1; i >= 0; i--)
            {
                if (string.Equals(Loops[i].Name, name, StringComparison.Ordinal))
                {
                    return Loops[i].Value;
                }
            }

            // StrictVariables: Scriban fails on an unknown variable, with its own message.
            return Globals.TryGetValue(name, out var value) ? value : throw new FallbackException();
        }
    }

    private sealed class Compiler(Func<string, Template> resolve)
    {
        private readonly Dictionary<string, Block?> _templates = new(StringComparer.Ordinal);

        public Block CompileTemplate(string name)
        {
            if (_templates.TryGetValue(name, out var known))
            {
                // null: still being compiled, i.e. the template includes itself.
                return known ?? throw new NotSupportedException("recursive include");
            }

            _templates[name] = null;
            var template = resolve(name);
            if (template.HasErrors || template.Page is null)
            {
                throw new NotSupportedException("template with errors");
            }

            if (template.Page.FrontMatter is not null)
            {
                throw new NotSupportedException("front matter");
            }

            var block = CompileBlock(template.Page.Body);
            _templates[name] = block;
            return block;
        }

        private Block CompileBlock(ScriptBlockStatement? block)
        {
            if (block is null)
            {
                return static _ => { };
            }

            var statements = block.Statements.Select(CompileStatement).ToArray();
            return statements.Length switch
            {
                0 => static _ => { },
                1 => statements[0],
                _ => state =>
                {
                    foreach (var statement in statements)
                    {
                        statement(state);
                    }
                },
            };
        }

        private Block CompileStatement(ScriptStatement statement) => statement switch
        {
            ScriptRawStatement raw => CompileRaw(raw),
            // The {{ and }} of a code block: whitespace control was applied to the neighbouring text when parsing.
            ScriptEscapeStatement => static _ => { },
            ScriptEndStatement => static _ => { },
            ScriptExpressionStatement { Expression: ScriptAssignExpression assign } => CompileAssign(assign),
            ScriptExpressionStatement { Expression: ScriptFunctionCall call } => CompileInclude(call),
            ScriptExpressionStatement expression => CompileOutput(expression.Expression),
            ScriptIfStatement condition => CompileIf(condition),
            ScriptForStatement loop => CompileFor(loop),
            _ => throw new NotSupportedException(statement.GetType().Name),
        };

        private static Block CompileRaw(ScriptRawStatement raw)
        {
            var text = raw.Text.ToString();
            return state => state.Output.Append(text);
        }

        private Block CompileAssign(ScriptAssignExpression assign)
        {
            if (assign.Target is not ScriptVariableGlobal target)
            {
                throw new NotSupportedException("assignment to something other than a global variable");
            }

            var name = string.Intern(target.Name);
            var value = CompileValue(assign.Value);
            return state =>
            {
                if (string.Equals(name, state.ModelVariable, StringComparison.Ordinal))
                {
                    throw new FallbackException(); // the model variable is read-only: Scriban reports that
                }

                state.Globals[name] = value(state);
            };
        }

        private Block CompileInclude(ScriptFunctionCall call)
        {
            if (call.Target is not ScriptVariableGlobal { Name: "include" } || call.Arguments.Count < 1 || call.Arguments[0] is not ScriptLiteral { Value: string name })
            {
                throw new NotSupportedException("a function call other than include \"literal\" ...");
            }

            var body = CompileTemplate(name);
            var arguments = call.Arguments.Skip(1).Select(CompileValue).ToArray();
            return state =>
            {
                // $1, $2... are the include's own: a frame on top of the caller's, evaluated while the caller's is current.
                var callerBase = state.ArgumentBase;
                var frame = state.Arguments.Count;
                foreach (var argument in arguments)
                {
                    state.Arguments.Add(argument(state));
                }

                state.ArgumentBase = frame;
                body(state);
                state.Arguments.RemoveRange(frame, state.Arguments.Count - frame);
                state.ArgumentBase = callerBase;
            };
        }

        private Block CompileOutput(ScriptExpression? expression)
        {
            var value = CompileValue(expression);
            return state =>
            {
                switch (value(state))
                {
                    case null:
                        break;
                    case string text:
                        state.Output.Append(text);
                        break;
                    default:
                        throw new FallbackException(); // Scriban's own formatting of numbers, booleans and objects
                }
            };
        }

        private Block CompileIf(ScriptIfStatement statement)
        {
            var condition = CompileValue(statement.Condition);
            var then = CompileBlock(statement.Then);
            var otherwise = statement.Else switch
            {
                null => static _ => { },
                ScriptElseStatement @else => CompileBlock(@else.Body),
                ScriptIfStatement elseIf => CompileIf(elseIf),
                var other => throw new NotSupportedException(other.GetType().Name),
            };
            return state =>
            {
                if (IsTrue(condition(state)))
                {
                    then(state);
                }
                else
                {
                    otherwise(state);
                }
            };
        }

        private Block CompileFor(ScriptForStatement loop)
        {
            if (loop.Variable is not ScriptVariableGlobal variable || loop.Else is not null || loop.NamedArguments is { Count: > 0 })
            {
                throw new NotSupportedException("for with a non-plain variable, else, or parameters");
            }

            // Interned, as in CompileGlobal: a lookup then finds its loop variable by reference before comparing text.
            var name = string.Intern(variable.Name);
            var items = CompileValue(loop.Iterator);
            var body = CompileBlock(loop.Body);
            return state =>
            {
                if (items(state) is not ICollection collection || collection.Count > LoopLimit)
                {
                    throw new FallbackException();
                }

                var slot = state.Loops.Count;
                state.Loops.Add((name, null));
                foreach (var item in collection)
                {
                    state.Loops[slot] = (name, item);
                    body(state);
                }

                state.Loops.RemoveAt(slot);
            };
        }

        private Value CompileValue(ScriptExpression? expression) => expression switch
        {
            ScriptVariableGlobal global => CompileGlobal(global.Name),
            // $1, $2...: the include's arguments ($0 would be the template's name).
            ScriptIndexerExpression { Target: ScriptVariableLocal { Name: "$" }, Index: ScriptLiteral { Value: int index } } when index >= 1 =>
                state => state.ArgumentBase + index <= state.Arguments.Count ? state.Arguments[state.ArgumentBase + index - 1] : throw new FallbackException(),
            ScriptMemberExpression member => CompileMember(member),
            ScriptLiteral { Value: var literal and (string or int or bool or null) } => _ => literal,
            ScriptNestedExpression nested => CompileValue(nested.Expression),
            ScriptBinaryExpression binary => CompileComparison(binary),
            null => throw new NotSupportedException("missing expression"),
            _ => throw new NotSupportedException(expression.GetType().Name),
        };

        private static Value CompileGlobal(string name)
        {
            if (name is "include" or "for" or "empty" or "null" or "true" or "false" or "this")
            {
                throw new NotSupportedException($"builtin '{name}'");
            }

            var interned = string.Intern(name);
            return state => state.Lookup(interned);
        }

        private Value CompileMember(ScriptMemberExpression member)
        {
            var target = CompileValue(member.Target);
            var name = member.Member?.Name ?? throw new NotSupportedException("member without a name");
            // Each member expression meets one model type in practice: its getter is remembered at the call site.
            Members.Site? site = null;
            return state =>
            {
                var value = target(state);
                var known = site;
                if (known is not null && value is not null && value.GetType() == known.Type)
                {
                    return known.Getter(value);
                }

                var result = Members.Get(value, name, out var getter);
                if (getter is not null)
                {
                    site = new Members.Site(value!.GetType(), getter);
                }

                return result;
            };
        }

        private Value CompileComparison(ScriptBinaryExpression binary)
        {
            var left = CompileValue(binary.Left);
            var right = CompileValue(binary.Right);
            Func<int, int, bool> compare = binary.Operator switch
            {
                ScriptBinaryOperator.CompareEqual => static (a, b) => a == b,
                ScriptBinaryOperator.CompareNotEqual => static (a, b) => a != b,
                ScriptBinaryOperator.CompareLess => static (a, b) => a < b,
                ScriptBinaryOperator.CompareLessOrEqual => static (a, b) => a <= b,
                ScriptBinaryOperator.CompareGreater => static (a, b) => a > b,
                ScriptBinaryOperator.CompareGreaterOrEqual => static (a, b) => a >= b,
                _ => throw new NotSupportedException($"operator {binary.Operator}"),
            };
            return state => left(state) is int a && right(state) is int b ? compare(a, b) : throw new FallbackException();
        }
    }

    /// <summary>Scriban's truthiness: only null and false are false (an empty string and 0 are true).</summary>
    private static bool IsTrue(object? value) => value is not (null or false);

    /// <summary>Member access by Scriban's member names (snake_case of public properties), through cached delegates.</summary>
    private static class Members
    {
        private static readonly ConcurrentDictionary<(Type Type, string Name), Func<object, object?>?> Getters = new();

        /// <summary>A member expression's remembered getter for one model type.</summary>
        public sealed record Site(Type Type, Func<object, object?> Getter);

        /// <param name="target">The value whose member is read.</param>
        /// <param name="name">The member's Scriban name.</param>
        /// <param name="getter">The getter used, when the next value of the same type may use it directly.</param>
        public static object? Get(object? target, string name, out Func<object, object?>? getter)
        {
            getter = null;
            switch (target)
            {
                case null:
                    throw new FallbackException(); // Scriban reports the null
                case ICollection collection when name == "size":
                    return collection.Count;
                case string or ICollection or IScriptObject or IDictionary:
                    throw new FallbackException();
            }

            // A view model names its own getters; any other type's are found by reflection.
            getter = Getters.GetOrAdd((target.GetType(), name), static (key, target) => target is Rendering.IScriptMembers members ? members.Getter(key.Name) : Create(key.Type, key.Name), target);
            return getter is null ? throw new FallbackException() : getter(target);
        }

        private static Func<object, object?>? Create(Type type, string name)
        {
            if (type.IsValueType || type.IsPrimitive)
            {
                return null;
            }

            var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .SingleOrDefault(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true } && StandardMemberRenamer.Rename(p) == name);
            if (property is null)
            {
                return null;
            }

            var getter = property.GetMethod;
            if (getter is null)
            {
                return null;
            }

            try
            {
                var typed = typeof(Members).GetMethod(nameof(Typed), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(type, property.PropertyType);
                return (Func<object, object?>)typed.Invoke(null, [getter])!;
            }
            catch (Exception exception) when (exception is ArgumentException or NotSupportedException or InvalidOperationException or TargetInvocationException)
            {
                return target => getter.Invoke(target, null);
            }
        }

        private static Func<object, object?> Typed<TTarget, TValue>(MethodInfo getter)
        {
            var typed = getter.CreateDelegate<Func<TTarget, TValue>>();
            return target => typed((TTarget)target);
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

/// <summary>Where each spec path was written: the bridge from model paths back to file positions.</summary>
internal sealed class SourceMap
{
    private readonly Dictionary<string, SourceLocation> _locations = new(StringComparer.Ordinal);

    /// <summary>The file this map describes.</summary>
    public string File { get; }

    /// <summary>Creates an empty map for <paramref name="file"/>.</summary>
    public SourceMap(string file) => File = file;

    internal void Add(string path, SourceLocation location) => _locations.TryAdd(path, location);

    /// <summary>The location of <paramref name="path"/>, or of its nearest written ancestor.</summary>
    public SourceLocation Locate(string path)
    {
        var current = path;
        while (true)
        {
            if (_locations.TryGetValue(current, out var location))
            {
                return location;
            }

            var cut = Math.Max(current.LastIndexOf('.'), current.LastIndexOf('['));
            if (cut <= 0)
            {
                return _locations.TryGetValue(string.Empty, out var root) ? root : new SourceLocation(File, 1, 1);
            }

            current = current[..cut];
        }
    }
}

/// <summary>Reads YAML nodes into spec types: unknown keys, wrong types and bad scalars are diagnostics with positions.</summary>
internal sealed class SpecReader(SourceMap map, List<Diagnostic> diagnostics)
{
    private sealed record PropertySlot(PropertyInfo Property, string YamlName);

    private static readonly ConcurrentDictionary<Type, Dictionary<string, PropertySlot>> Slots = new();

    public T? Read<T>(YamlNode node, string path) where T : class, new() => (T?)ReadObject(typeof(T), node, path);

    /// <summary>The YAML key of a spec property: its name in camelCase.</summary>
    public static string YamlName(PropertyInfo property) => char.ToLowerInvariant(property.Name[0]) + property.Name[1..];

    public static IReadOnlyDictionary<string, PropertyInfo> PropertiesOf(Type type) =>
        SlotsOf(type).ToDictionary(pair => pair.Key, pair => pair.Value.Property, StringComparer.Ordinal);

    private static Dictionary<string, PropertySlot> SlotsOf(Type type) => Slots.GetOrAdd(type, static t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<SpecScalarFormAttribute>() is null)
            .ToDictionary(YamlName, p => new PropertySlot(p, YamlName(p)), StringComparer.Ordinal));

    private object? ReadObject(Type type, YamlNode node, string path)
    {
        map.Add(path, node.Location);
        if (node is YamlScalar { IsNull: true })
        {
            return null;
        }

        if (node is YamlScalar scalar)
        {
            var scalarForm = type.GetProperties().FirstOrDefault(p => p.GetCustomAttribute<SpecScalarFormAttribute>() is not null);
            if (scalarForm is not null)
            {
                var instance = Activator.CreateInstance(type)!;
                scalarForm.SetValue(instance, scalar.Value);
                return instance;
            }
        }

        if (node is not YamlMapping mapping)
        {
            // A scalar where a mapping belongs is never echoed: `postgres: hunter2` is a password typed in the wrong place.
            Error(node, path, ErrorCodes.WrongType, $"expected a mapping with keys {string.Join(", ", SlotsOf(type).Keys)}, found {DescribeShape(node)}");
            return null;
        }

        var result = Activator.CreateInstance(type)!;
        var slots = SlotsOf(type);
        foreach (var entry in mapping.Entries)
        {
            var childPath = Join(path, entry.Key.Value);
            if (!slots.TryGetValue(entry.Key.Value, out var slot))
            {
                map.Add(childPath, entry.Key.Location);
                Error(entry.Key, childPath, ErrorCodes.UnknownKey, $"unknown key '{Echo.Value(entry.Key.Value)}'{Suggest(entry.Key.Value, slots.Keys)}");
                continue;
            }

            map.Add(childPath, entry.Key.Location);
            var value = ReadValue(slot.Property.PropertyType, entry.Value, childPath, entry.Key.Location);
            if (value is not null)
            {
                slot.Property.SetValue(result, value);
            }
        }

        return result;
    }

    // Native AOT keeps a constructor of a generic instantiation only when code names it: every dictionary of mappings a
    // spec type declares is listed here (SpecReaderAotTests checks the list against the spec types), or the AOT nomad-db
    // fails with MissingMethodException on the first spec that uses it.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(Dictionary<string, TaskSecretSpec>))]
    private object? ReadValue(Type type, YamlNode node, string path, SourceLocation keyLocation)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (node is YamlScalar { IsNull: true })
        {
            return null;
        }

        if (underlying == typeof(string))
        {
            return node is YamlScalar s ? Text(s, path) : TypeError(node, path, "a string");
        }

        if (underlying == typeof(int))
        {
            return node is YamlScalar s && s.Plain && int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? number
                : TypeError(node, path, "a whole number");
        }

        if (underlying == typeof(bool))
        {
            return node is YamlScalar { Plain: true } s && s.Value is "true" or "false" or "True" or "False"
                ? bool.Parse(s.Value)
                : TypeError(node, path, "true or false");
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            if (node is not YamlSequence sequence)
            {
                return TypeError(node, path, "a list");
            }

            var itemType = underlying.GetGenericArguments()[0];
            var list = (System.Collections.IList)Activator.CreateInstance(underlying)!;
            for (var i = 0; i < sequence.Items.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                map.Add(itemPath, sequence.Items[i].Location);
                var item = ReadValue(itemType, sequence.Items[i], itemPath, sequence.Items[i].Location);
                if (item is not null)
                {
                    list.Add(item);
                }
                else if (sequence.Items[i] is YamlScalar { IsNull: true })
                {
                    Error(sequence.Items[i], itemPath, ErrorCodes.WrongType, "empty list item");
                }
            }

            return list;
        }

        if (underlying == typeof(Dictionary<string, string>))
        {
            if (node is not YamlMapping mapping)
            {
                return TypeError(node, path, "a mapping of names to strings");
            }

            var dictionary = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in mapping.Entries)
            {
                var entryPath = Join(path, entry.Key.Value);
                map.Add(entryPath, entry.Key.Location);
                if (entry.Value is YamlScalar value && !value.IsNull)
                {
                    if (Text(value, entryPath) is { } text)
                    {
                        dictionary[entry.Key.Value] = text;
                    }
                }
                else if (entry.Value is YamlScalar { IsNull: true })
                {
                    // `~` removes a key a preset sets (PresetCatalog.Merge); anywhere else a variable needs a value.
                    Error(entry.Value, entryPath, ErrorCodes.WrongType, "expected a string, found no value: write \"\" for an empty string; `~` (null) only removes a key that the preset sets");
                }
                else
                {
                    TypeError(entry.Value, entryPath, "a string (quote numbers and booleans if in doubt)");
                }
            }

            return dictionary;
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>) && underlying.GetGenericArguments()[0] == typeof(string))
        {
            // Names to mappings (app.secrets: variable → reference): each value read like any mapping, at NAME's path.
            if (node is not YamlMapping mapping)
            {
                return TypeError(node, path, "a mapping of names to mappings");
            }

            var valueType = underlying.GetGenericArguments()[1];
            var dictionary = (System.Collections.IDictionary)Activator.CreateInstance(underlying, StringComparer.Ordinal)!;
            foreach (var entry in mapping.Entries)
            {
                var entryPath = Join(path, entry.Key.Value);
                map.Add(entryPath, entry.Key.Location);
                if (entry.Value is YamlScalar { IsNull: true })
                {
                    Error(entry.Value, entryPath, ErrorCodes.WrongType, "expected a mapping, found no value");
                }
                else if (ReadValue(valueType, entry.Value, entryPath, entry.Key.Location) is { } value)
                {
                    dictionary[entry.Key.Value] = value;
                }
            }

            return dictionary;
        }

        if (underlying.IsClass)
        {
            return ReadObject(underlying, node, path);
        }

        throw new NotSupportedException($"Spec property type {underlying} is not supported by the reader.");
    }

    private object? TypeError(YamlNode node, string path, string expected)
    {
        var found = SecretPolicy.IsSecretName(LastSegment(path)) || path.Contains("password", StringComparison.OrdinalIgnoreCase) ? DescribeShape(node) : Describe(node);
        Error(node, path, ErrorCodes.WrongType, $"expected {expected}, found {found}");
        return null;
    }

    /// <summary>
    /// The string value of a scalar, or null (and an error) when it holds control or invisible characters. Only
    /// template data (<c>app.templates[i].data</c>) may span lines.
    /// </summary>
    private string? Text(YamlScalar scalar, string path)
    {
        if (InputText.UnsafeCharIn(scalar.Value, IsMultiline(path)) is { } c)
        {
            var where = IsMultiline(path) ? "template data and SQL may hold line breaks and tabs, but no other control characters" : "spec values are single-line text without control characters";
            Error(scalar, path, ErrorCodes.UnsafeText, $"the value holds {InputText.Describe(c)}; {where}");
            return null;
        }

        return scalar.Value;
    }

    private static bool IsMultiline(string path) =>
        path.EndsWith(".data", StringComparison.Ordinal) && path.Contains("templates[", StringComparison.Ordinal)
        || path.Contains("postgres.initSql[", StringComparison.Ordinal);

    private static string LastSegment(string path) => path[(Math.Max(path.LastIndexOf('.'), path.LastIndexOf(']')) + 1)..];

    private static string DescribeShape(YamlNode node) => node switch
    {
        YamlMapping => "a mapping",
        YamlSequence => "a list",
        _ => "a plain value (not shown)",
    };

    private void Error(YamlNode node, string path, string code, string message) =>
        diagnostics.Add(Diagnostic.Error(code, message, path, node.Location));

    private static string Describe(YamlNode node) => node switch
    {
        YamlMapping => "a mapping",
        YamlSequence => "a list",
        YamlScalar s => $"'{Echo.Value(s.Value)}'",
        _ => "something else",
    };

    internal static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Suggest(string key, IEnumerable<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: Levenshtein(key.ToLowerInvariant(), k.ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(2, key.Length / 3))
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        return best.Key is null ? $" (known keys: {string.Join(", ", known)})" : $" (did you mean '{best.Key}'?)";
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

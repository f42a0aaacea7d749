using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Tests.Schema;

/// <summary>
/// The JSON Schema (draft 2020-12) definition of each spec type, made by walking the types as <see cref="SpecReader"/>
/// reads them: a class is an object that rejects unknown keys, a string key any YAML scalar (the reader takes
/// <c>8080</c> and <c>true</c> as text), a whole number an integer, a list an array, a dictionary an object of its values.
/// What a key accepts beyond its type comes from its attributes (<see cref="SpecWordsAttribute"/>,
/// <see cref="SpecPatternAttribute"/>, <see cref="SpecRangeAttribute"/>, <see cref="SpecDefaultAttribute"/>, …), which
/// name the mapper's and the validators' own constants; descriptions are the XML doc summaries.
/// </summary>
/// <remarks>
/// Null: <c>KEY: ~</c> is how a spec removes a preset's or the fleet defaults' key, and the reader takes it as "not
/// given", so every key that is not required also takes null (a class as <c>anyOf</c> of the definition and null, which
/// keeps an unknown key's message "Property … is not allowed"). A required key, a list item and a jobs entry never do.
/// </remarks>
internal sealed class SpecTypeSchemas
{
    /// <summary>The definitions made so far, by name (the type's name).</summary>
    public Dictionary<string, JsonObject> Definitions { get; } = new(StringComparer.Ordinal);

    /// <summary>A reference to the definition of <paramref name="type"/>, made on first use.</summary>
    public JsonObject Ref(Type type)
    {
        if (!Definitions.ContainsKey(type.Name))
        {
            Definitions[type.Name] = []; // placeholder: a type may (indirectly) refer to itself
            Definitions[type.Name] = Define(type);
        }

        return RefTo(type.Name);
    }

    /// <summary>A reference to the definition named <paramref name="name"/>.</summary>
    public static JsonObject RefTo(string name) => new() { ["$ref"] = $"#/$defs/{name}" };

    /// <summary>The keys of <paramref name="type"/>: its own first, then its base classes', as YAML names.</summary>
    public static IEnumerable<(string Key, PropertyInfo Property)> Keys(Type type)
    {
        var readable = SpecReader.PropertiesOf(type);
        for (var level = type; level is not null && level != typeof(object); level = level.BaseType)
        {
            foreach (var property in level.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var key = SpecReader.YamlName(property);
                if (readable.TryGetValue(key, out var read) && read.MetadataToken == property.MetadataToken && read.Module == property.Module)
                {
                    yield return (key, property);
                }
            }
        }
    }

    private JsonObject Define(Type type)
    {
        var required = Keys(type).Where(k => k.Property.GetCustomAttribute<SpecRequiredAttribute>() is not null).Select(k => k.Key)
            .Concat(type.GetCustomAttribute<SpecRequiredAttribute>(inherit: false)?.Properties.Select(Key) ?? [])
            .ToList();
        var properties = new JsonObject();
        foreach (var (key, property) in Keys(type))
        {
            properties[key] = Property(property, nullable: !required.Contains(key));
        }

        var definition = new JsonObject { ["type"] = "object" };
        if (XmlDocs.Of(type) is { } description)
        {
            definition["description"] = description;
        }

        definition["additionalProperties"] = false;
        definition["properties"] = properties;
        if (required.Count > 0)
        {
            definition["required"] = Array(required);
        }

        if (type.GetCustomAttribute<SpecExactlyOneAttribute>() is { } exactlyOne)
        {
            // One given (with a value: `nomadVar: ~` is none), and not two. Not `oneOf`: on a plain string (a literal
            // password, already "Incorrect type") every branch would match, and with none given an editor names the
            // missing key instead of "no schema matches".
            var keys = exactlyOne.Properties.Select(Key).ToList();
            if (keys.Count != 2)
            {
                throw new NotSupportedException($"{type.Name}: exactly one of {keys.Count} keys (only a pair is written as \"one, and not both\")");
            }

            JsonObject Given(IReadOnlyList<string> given) => new()
            {
                ["required"] = Array(given),
                ["properties"] = new JsonObject(given.Select(k => KeyValuePair.Create(k, (JsonNode?)new JsonObject { ["not"] = new JsonObject { ["type"] = "null" } }))),
            };
            definition["anyOf"] = new JsonArray([.. keys.Select(k => (JsonNode)Given([k]))]);
            var two = Given(keys);
            two.Insert(0, "type", "object");
            definition["not"] = two;
        }

        return definition;
    }

    private static string Key(string propertyName) => char.ToLowerInvariant(propertyName[0]) + propertyName[1..];

    private JsonObject Property(PropertyInfo property, bool nullable)
    {
        var schema = Value(property.PropertyType, property, nullable);
        var described = new JsonObject();
        if (XmlDocs.Of(property) is { } description)
        {
            described["description"] = description;
        }

        foreach (var (name, value) in schema.ToList())
        {
            schema.Remove(name);
            described[name] = value;
        }

        if (property.GetCustomAttribute<SpecDefaultAttribute>() is { } fallback)
        {
            described["default"] = Default(fallback, property);
        }

        return described;
    }

    /// <summary>The schema of a value of <paramref name="type"/> written at <paramref name="property"/>.</summary>
    private JsonObject Value(Type type, PropertyInfo property, bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (property.GetCustomAttribute<SpecWordsAttribute>() is { } words && underlying == typeof(string))
        {
            return Words(words.Set, nullable);
        }

        if (underlying == typeof(string))
        {
            var text = new JsonObject { ["type"] = Types(nullable, "string", "number", "boolean") };
            if (property.GetCustomAttribute<SpecPatternAttribute>() is { } pattern)
            {
                text["pattern"] = pattern.Pattern;
                if (pattern.MaxLength > 0)
                {
                    text["maxLength"] = pattern.MaxLength;
                }
            }

            return text;
        }

        if (underlying == typeof(int))
        {
            var number = new JsonObject { ["type"] = Types(nullable, "integer") };
            if (property.GetCustomAttribute<SpecRangeAttribute>() is { } range)
            {
                if (range.Minimum != int.MinValue)
                {
                    number["minimum"] = range.Minimum;
                }

                if (range.Maximum != int.MaxValue)
                {
                    number["maximum"] = range.Maximum;
                }
            }

            return number;
        }

        if (underlying == typeof(bool))
        {
            return new JsonObject { ["type"] = Types(nullable, "boolean") };
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = new JsonObject { ["type"] = Types(nullable, "array") };
            if (property.GetCustomAttribute<SpecNonEmptyAttribute>() is not null)
            {
                list["minItems"] = 1;
            }

            list["items"] = Value(underlying.GetGenericArguments()[0], property, nullable: false);
            return list;
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            // A value may be ~ where it removes a preset's or the fleet defaults' key (the reader refuses it elsewhere).
            var valueType = underlying.GetGenericArguments()[1];
            var map = new JsonObject { ["type"] = Types(nullable, "object") };
            if (property.GetCustomAttribute<SpecKeyPatternAttribute>() is { } keys)
            {
                map["propertyNames"] = new JsonObject { ["pattern"] = keys.Pattern };
            }

            map["additionalProperties"] = valueType == typeof(string)
                ? new JsonObject { ["type"] = Types(nullable: true, "string", "number", "boolean") }
                : OrNull(Ref(valueType));
            return map;
        }

        if (underlying.IsClass)
        {
            return nullable ? OrNull(Ref(underlying)) : Ref(underlying);
        }

        throw new NotSupportedException($"{property.DeclaringType!.Name}.{property.Name}: {underlying} has no schema");
    }

    /// <summary>
    /// The words of a <see cref="SpecWords"/> set as an <c>enum</c>; the postgres variant also takes a versioned Alpine
    /// variant (<see cref="SpecWords.AlpineVersionPrefix"/>).
    /// </summary>
    private static JsonObject Words(string set, bool nullable)
    {
        var values = new JsonArray([.. WordSet(set).Words.Select(w => (JsonNode?)JsonValue.Create(w))]);
        if (nullable)
        {
            values.Add(null);
        }

        var words = new JsonObject { ["enum"] = values };
        return set != nameof(SpecWords.PostgresVariant)
            ? words
            : new JsonObject { ["anyOf"] = new JsonArray(words, new JsonObject { ["type"] = "string", ["pattern"] = "^" + Regex.Escape(SpecWords.AlpineVersionPrefix) }) };
    }

    /// <summary>The <see cref="SpecWords"/> set named <paramref name="set"/>.</summary>
    public static ISpecWordSet WordSet(string set) =>
        (ISpecWordSet)(typeof(SpecWords).GetProperty(set, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException($"SpecWords has no set {set}"));

    /// <summary>The value a <see cref="SpecDefaultAttribute"/> points at, as the spec writes it.</summary>
    private static JsonNode? Default(SpecDefaultAttribute fallback, PropertyInfo property)
    {
        object? value = null;
        for (var i = 0; i < fallback.Members.Count; i++)
        {
            var flags = BindingFlags.Public | BindingFlags.NonPublic | (i == 0 ? BindingFlags.Static : BindingFlags.Instance);
            var owner = i == 0 ? fallback.Type : value!.GetType();
            var member = owner.GetMember(fallback.Members[i], flags).SingleOrDefault()
                ?? throw new InvalidOperationException($"{owner.Name} has no member {fallback.Members[i]} ({property.DeclaringType!.Name}.{property.Name}'s default)");
            value = member switch
            {
                FieldInfo field => field.GetValue(i == 0 ? null : value),
                PropertyInfo p => p.GetValue(i == 0 ? null : value),
                _ => throw new InvalidOperationException($"{owner.Name}.{member.Name} is neither a field nor a property"),
            };
        }

        if (property.GetCustomAttribute<SpecWordsAttribute>() is { } words)
        {
            return WordSet(words.Set).WordOf(value) ?? throw new InvalidOperationException($"{value} is no word of {words.Set}");
        }

        return value switch
        {
            Duration duration => duration.Text,
            string or int or bool => JsonValue.Create(value),
            IEnumerable<string> list => new JsonArray([.. list.Select(item => (JsonNode?)JsonValue.Create(item))]),
            _ => throw new InvalidOperationException($"{property.DeclaringType!.Name}.{property.Name}: a default of type {value?.GetType().Name} has no JSON form"),
        };
    }

    private static JsonNode Types(bool nullable, params string[] types) =>
        types.Length == 1 && !nullable ? types[0] : new JsonArray([.. types.Append(nullable ? "null" : null).OfType<string>().Select(t => (JsonNode?)t)]);

    private static JsonObject OrNull(JsonObject schema) => new() { ["anyOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };

    private static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)i)]);
}

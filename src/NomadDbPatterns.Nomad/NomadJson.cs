using System.Text.Json;
using System.Text.Json.Serialization;

namespace NomadDbPatterns.Nomad;

/// <summary>JSON settings matching Nomad's wire format: Go field names as-is (PascalCase), nil slices and maps as null.</summary>
internal static class NomadJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        // Go's encoder writes the struct field names unchanged; the record property names are the same.
        PropertyNamingPolicy = null,
        Converters =
        {
            new JsonStringEnumConverter<DiffType>(),
            new NullAsEmptyConverterFactory(),
        },
    };
}

/// <summary>
/// Go encodes nil slices and maps as <c>null</c> (for example <c>"Annotations": null</c>). The records expose empty
/// collections instead, so callers never null-check.
/// </summary>
internal sealed class NullAsEmptyConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType &&
        (typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ||
         (typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) &&
          typeToConvert.GetGenericArguments()[0] == typeof(string)));

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var args = typeToConvert.GetGenericArguments();
        var converterType = typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)
            ? typeof(ListConverter<>).MakeGenericType(args[0])
            : typeof(DictionaryConverter<>).MakeGenericType(args[1]);
        return (JsonConverter)Activator.CreateInstance(converterType)!;
    }

    private sealed class ListConverter<T> : JsonConverter<IReadOnlyList<T>>
    {
        public override bool HandleNull => true;

        public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null
                ? []
                : JsonSerializer.Deserialize<List<T>>(ref reader, options) ?? [];

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToList(), options);
    }

    private sealed class DictionaryConverter<TValue> : JsonConverter<IReadOnlyDictionary<string, TValue>>
    {
        public override bool HandleNull => true;

        public override IReadOnlyDictionary<string, TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null
                ? new Dictionary<string, TValue>(StringComparer.Ordinal)
                : JsonSerializer.Deserialize<Dictionary<string, TValue>>(ref reader, options) ?? new Dictionary<string, TValue>(StringComparer.Ordinal);

        public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, TValue> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToDictionary(), options);
    }
}

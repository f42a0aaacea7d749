using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace NomadDbPatterns.Nomad;

/// <summary>JSON settings matching Nomad's wire format: Go field names as-is (PascalCase).</summary>
internal static class NomadJson
{
    // The records carry their own converters (attributes), so default options read them too; these options only
    // keep the property names exactly as Go writes them. Their types' metadata is generated at build time
    // (NomadJsonContext): the Native AOT build of nomad-db has no reflection-based serializer.
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = null, TypeInfoResolver = NomadJsonContext.Default };

    /// <summary>The generated metadata of <typeparamref name="T"/> under <see cref="Options"/> (never the reflection-based serializer).</summary>
    public static JsonTypeInfo<T> Info<T>() => Options.Info<T>();

    /// <summary>The metadata of <typeparamref name="T"/> under <paramref name="options"/>: with <see cref="Options"/>, the generated one.</summary>
    public static JsonTypeInfo<T> Info<T>(this JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}

/// <summary>
/// Every type the client reads or writes: the responses, the JSON nodes of jobs, and the lists and dictionaries that
/// <see cref="NullAsEmptyList{T}"/> and <see cref="NullAsEmptyDictionary{TValue}"/> read and write through the options.
/// </summary>
[JsonSerializable(typeof(JobValidateResponse))]
[JsonSerializable(typeof(JobPlanResponse))]
[JsonSerializable(typeof(JobRegisterResponse))]
[JsonSerializable(typeof(JobDeregisterResponse))]
[JsonSerializable(typeof(NomadVariable))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<FieldDiff>))]
[JsonSerializable(typeof(List<ObjectDiff>))]
[JsonSerializable(typeof(List<TaskGroupDiff>))]
[JsonSerializable(typeof(List<TaskDiff>))]
[JsonSerializable(typeof(Dictionary<string, ulong>))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(Dictionary<string, DesiredUpdates>))]
[JsonSerializable(typeof(Dictionary<string, AllocationMetric>))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(Evaluation))]
[JsonSerializable(typeof(Deployment))]
[JsonSerializable(typeof(Dictionary<string, DeploymentState>))]
[JsonSerializable(typeof(List<AllocationListStub>))]
[JsonSerializable(typeof(List<NodeListStub>))]
[JsonSerializable(typeof(List<JobListStub>))]
[JsonSerializable(typeof(NodeDetail))]
[JsonSerializable(typeof(Dictionary<string, HostVolumeInfo>))]
[JsonSerializable(typeof(List<HostVolumeStub>))]
[JsonSerializable(typeof(HostVolumeCreateResponse))]
[JsonSerializable(typeof(Dictionary<string, TaskState>))]
[JsonSerializable(typeof(List<TaskEvent>))]
internal sealed partial class NomadJsonContext : JsonSerializerContext;

/// <summary>
/// Go encodes nil slices as <c>null</c> (for example <c>"Annotations": null</c>). The records expose empty lists
/// instead, so callers never null-check. A field Nomad leaves out is the getters' business: the generated serializer
/// sets an init-only property it does not find to null whatever its initializer says (dotnet/runtime#84484), so each
/// record's getter reads a null backing field as empty (<c>get =&gt; field ?? ""</c>).
/// </summary>
internal sealed class NullAsEmptyList<T> : JsonConverter<IReadOnlyList<T>>
{
    public override bool HandleNull => true;

    public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? [] : JsonSerializer.Deserialize(ref reader, options.Info<List<T>>()) ?? [];

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToList(), options.Info<List<T>>());
}

/// <summary>Go encodes nil maps as <c>null</c>; the records expose empty dictionaries instead.</summary>
internal sealed class NullAsEmptyDictionary<TValue> : JsonConverter<IReadOnlyDictionary<string, TValue>>
{
    public override bool HandleNull => true;

    public override IReadOnlyDictionary<string, TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null
            ? new Dictionary<string, TValue>(StringComparer.Ordinal)
            : JsonSerializer.Deserialize(ref reader, options.Info<Dictionary<string, TValue>>()) ?? new Dictionary<string, TValue>(StringComparer.Ordinal);

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, TValue> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToDictionary(), options.Info<Dictionary<string, TValue>>());
}

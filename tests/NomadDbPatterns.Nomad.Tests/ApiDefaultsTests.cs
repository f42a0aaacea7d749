using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// Nomad leaves fields out (<c>omitempty</c>, older servers, fields added later), and the generated serializer sets an
/// init-only property it does not find to null whatever its initializer says (dotnet/runtime#84484). Every object the
/// client reads, read from <c>{}</c>, must still hold no null where its type says there is none, so callers never meet a
/// null they were promised would not be there.
/// </summary>
public sealed class ApiDefaultsTests
{
    private static IEnumerable<TestCaseData> ObjectTypes() =>
        typeof(NomadJsonContext).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(JsonTypeInfo<>))
            .Select(p => (JsonTypeInfo)p.GetValue(NomadJsonContext.Default)!)
            .Where(info => info.Kind == JsonTypeInfoKind.Object && info.Type.Assembly == typeof(NomadClient).Assembly)
            .OrderBy(info => info.Type.Name, StringComparer.Ordinal)
            .Select(info => new TestCaseData(info).SetArgDisplayNames(info.Type.Name));

    [Test]
    public void The_context_knows_the_listed_responses() =>
        Assert.That(ObjectTypes().Select(t => ((JsonTypeInfo)t.Arguments[0]!).Type),
            Is.SupersetOf(new[] { typeof(JobListStub), typeof(AllocationListStub), typeof(Deployment), typeof(HostVolumeStub), typeof(TaskState) }));

    [TestCaseSource(nameof(ObjectTypes))]
    public void An_object_without_fields_reads_with_no_null_where_none_is_declared(JsonTypeInfo info)
    {
        var value = JsonSerializer.Deserialize("{}", info);
        Assert.That(value, Is.Not.Null);
        var nullability = new NullabilityInfoContext();
        var nulls = info.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && !p.PropertyType.IsValueType)
            .Where(p => nullability.Create(p).ReadState == NullabilityState.NotNull && p.GetValue(value) is null)
            .Select(p => p.Name)
            .ToList();
        Assert.That(nulls, Is.Empty, $"{info.Type.Name} read from {{}} holds null in non-nullable properties");
    }

    [Test]
    public void A_job_stub_without_optional_fields_keeps_empty_values()
    {
        var stubs = JsonSerializer.Deserialize("""[{"ID":"web","Name":"web"}]""", NomadJsonContext.Default.ListJobListStub)!;

        Assert.Multiple(() =>
        {
            Assert.That(stubs[0].ID, Is.EqualTo("web"));
            Assert.That(stubs[0].ParentID, Is.Empty);
            Assert.That(stubs[0].Namespace, Is.Empty);
            Assert.That(stubs[0].Status, Is.Empty);
            Assert.That(stubs[0].Meta, Is.Empty);
        });
    }
}

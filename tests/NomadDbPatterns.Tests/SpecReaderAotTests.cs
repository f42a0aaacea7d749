using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using NomadDbPatterns.Spec;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>
/// The AOT nomad-db creates the spec types' collections by reflection; Native AOT keeps a generic dictionary's
/// constructors only when code names them, so every dictionary of mappings a spec type declares must be named in a
/// DynamicDependency on SpecReader.ReadValue (a missing one crashed `nomad-db render examples` with MissingMethodException).
/// </summary>
public sealed class SpecReaderAotTests
{
    [Test]
    public void Every_dictionary_of_mappings_in_the_spec_types_is_kept_for_Native_AOT()
    {
        var specTypes = typeof(SpecReader).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(SpecReader).Namespace && t.Name.EndsWith("Spec", StringComparison.Ordinal));
        var dictionaries = specTypes
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Select(p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>) && t.GetGenericArguments()[1] != typeof(string))
            .ToHashSet();
        var kept = typeof(SpecReader).GetMethod("ReadValue", BindingFlags.NonPublic | BindingFlags.Instance)!
            .GetCustomAttributes<DynamicDependencyAttribute>()
            .Select(a => a.Type)
            .ToHashSet();

        Assert.That(dictionaries, Is.Not.Empty, "the spec types declare app.secrets as a dictionary of mappings");
        Assert.That(dictionaries.Except(kept!), Is.Empty, "add [DynamicDependency(PublicConstructors, typeof(...))] to SpecReader.ReadValue");
    }
}

using System.Reflection;
using System.Runtime.CompilerServices;
using NomadDbPatterns.Rendering;
using NUnit.Framework;
using Scriban.Runtime;

namespace NomadDbPatterns.Tests.Templating;

/// <summary>
/// The view models name their own members for Scriban (<see cref="IView"/>, no reflection at start-up). Each switch
/// must hold exactly the record's properties, under the names Scriban gives them, each reading its own property.
/// </summary>
[TestFixture]
public sealed class ViewMembersTests
{
    private static IEnumerable<Type> ViewTypes() =>
        typeof(JobView).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(JobView).Namespace && t.Name.EndsWith("View", StringComparison.Ordinal) && t.IsClass)
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    [Test]
    public void Every_view_model_names_its_members()
    {
        Assert.That(ViewTypes().Where(t => !typeof(IView).IsAssignableFrom(t)).Select(t => t.Name), Is.Empty);
        Assert.That(ViewTypes().Count(), Is.GreaterThanOrEqualTo(17));
    }

    [TestCaseSource(nameof(ViewTypes))]
    public void Each_member_reads_the_property_Scriban_names_that_way(Type type)
    {
        var view = WithDistinctValues(type);
        var members = (IView)view;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToList();

        Assert.Multiple(() =>
        {
            foreach (var property in properties)
            {
                var name = StandardMemberRenamer.Rename(property);
                Assert.That(members.Member(name), Is.SameAs(property.GetValue(view)), $"{type.Name}.{property.Name} as '{name}'");
            }

            Assert.That(members.Member("no_such_member"), Is.SameAs(IView.Missing));
            Assert.That(members.Member(properties[0].Name), properties[0].Name.Any(char.IsUpper) ? Is.SameAs(IView.Missing) : Is.Not.SameAs(IView.Missing), "only Scriban's names");
        });
    }

    /// <summary>An instance whose every constructor argument is a distinct object, so that a getter reading the wrong property is caught.</summary>
    private static object WithDistinctValues(Type type)
    {
        var constructor = type.GetConstructors().Single(c => c.GetParameters().Length > 0 && c.GetParameters()[0].ParameterType != type);
        var arguments = constructor.GetParameters().Select(parameter => parameter.ParameterType switch
        {
            var t when t == typeof(string) => (object)$"value of {parameter.Name}",
            var t when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) => Array.CreateInstance(t.GetGenericArguments()[0], 0),
            var t => RuntimeHelpers.GetUninitializedObject(t),
        }).ToArray();
        return constructor.Invoke(arguments);
    }
}

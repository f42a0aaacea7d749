using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace NomadDbPatterns.Tests.Schema;

/// <summary>The summaries of the library's XML documentation (NomadDbPatterns.xml beside its assembly), as plain text.</summary>
internal static partial class XmlDocs
{
    private static readonly Lazy<Dictionary<string, string>> Summaries = new(Load);

    /// <summary>The summary of <paramref name="type"/>, or null.</summary>
    public static string? Of(Type type) => Summaries.Value.GetValueOrDefault($"T:{type.FullName}");

    /// <summary>The summary of <paramref name="property"/> (where it is declared), or null.</summary>
    public static string? Of(PropertyInfo property) => Summaries.Value.GetValueOrDefault($"P:{property.DeclaringType!.FullName}.{property.Name}");

    private static Dictionary<string, string> Load()
    {
        var assembly = typeof(NomadDbPatterns.Spec.SpecReader).Assembly;
        var file = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{file} is missing: the library's XML documentation gives the schema its descriptions (GenerateDocumentationFile).");
        }

        return XDocument.Load(file).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => Text(m.Element("summary")!), StringComparer.Ordinal);
    }

    /// <summary>The text of a doc element: <c>&lt;c&gt;</c> as its text, <c>&lt;see cref&gt;</c> as the name it points at.</summary>
    private static string Text(XElement element)
    {
        var text = string.Concat(element.Nodes().Select(node => node switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "see" or "seealso" } see => Short((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? see.Value),
            XElement { Name.LocalName: "paramref" or "typeparamref" } reference => (string?)reference.Attribute("name") ?? string.Empty,
            XElement inner => Text(inner),
            _ => string.Empty,
        }));
        return Whitespace().Replace(text, " ").Trim();
    }

    private static string Short(string cref) => cref[(cref.LastIndexOf('.') + 1)..];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

using System.Text.Json;
using System.Text.Json.Nodes;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli;

/// <summary>How diagnostics are printed (<c>--diagnostics</c>).</summary>
public enum DiagnosticFormat
{
    /// <summary><c>file:line:col: error CODE: message (path)</c>, errors on stderr.</summary>
    Text,
    /// <summary>One JSON document on stdout: <c>{"diagnostics": [...]}</c>.</summary>
    Json,
    /// <summary>A SARIF 2.1.0 log on stdout, for code-scanning uploads.</summary>
    Sarif,
    /// <summary>GitHub Actions workflow commands (<c>::error file=…,line=…::…</c>) on stdout: annotations on the pull request.</summary>
    GitHub,
}

/// <summary>Writes diagnostics as JSON, SARIF or GitHub workflow commands; values are already escaped by <see cref="Diagnostic"/>.</summary>
internal static class DiagnosticFormats
{
    public static void Write(TextWriter writer, DiagnosticFormat format, IReadOnlyList<Diagnostic> diagnostics)
    {
        switch (format)
        {
            case DiagnosticFormat.Json:
                writer.WriteLine(new JsonObject { ["diagnostics"] = new JsonArray([.. diagnostics.Select(Json)]) }.ToJsonString(Indented));
                break;
            case DiagnosticFormat.Sarif:
                writer.WriteLine(Sarif(diagnostics).ToJsonString(Indented));
                break;
            case DiagnosticFormat.GitHub:
                foreach (var diagnostic in diagnostics)
                {
                    writer.WriteLine(GitHub(diagnostic));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "text diagnostics are printed line by line");
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string Level(Severity severity) => severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "note" };

    private static JsonNode Json(Diagnostic d)
    {
        var node = new JsonObject
        {
            ["severity"] = d.Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "info" },
            ["code"] = d.Code,
            ["message"] = d.Message,
            ["path"] = d.Path,
        };
        if (d.Location is { } location)
        {
            node["file"] = location.File;
            node["line"] = location.Line;
            node["column"] = location.Column;
            if (location.Origin is { } origin)
            {
                node["origin"] = origin;
            }
        }

        if (d.Related is { } related)
        {
            node["related"] = new JsonObject { ["file"] = related.File, ["line"] = related.Line, ["column"] = related.Column };
        }

        return node;
    }

    /// <summary>A SARIF 2.1.0 log (OASIS sarif-v2.1.0: run.tool.driver, results with ruleId, level, message, locations).</summary>
    private static JsonObject Sarif(IReadOnlyList<Diagnostic> diagnostics)
    {
        var rules = diagnostics.Select(d => d.Code).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(code => (JsonNode)new JsonObject { ["id"] = code, ["help"] = new JsonObject { ["text"] = $"nomad-db explain {code}" } })
            .ToList();

        var results = diagnostics.Select(d =>
        {
            var result = new JsonObject
            {
                ["ruleId"] = d.Code,
                ["level"] = Level(d.Severity),
                ["message"] = new JsonObject { ["text"] = string.IsNullOrEmpty(d.Path) ? d.Message : $"{d.Message} ({d.Path})" },
            };
            var location = new JsonObject();
            if (d.Location is { } at)
            {
                location["physicalLocation"] = new JsonObject
                {
                    ["artifactLocation"] = new JsonObject { ["uri"] = at.File.Replace('\\', '/') },
                    ["region"] = new JsonObject { ["startLine"] = Math.Max(1, at.Line), ["startColumn"] = Math.Max(1, at.Column) },
                };
            }

            if (!string.IsNullOrEmpty(d.Path))
            {
                location["logicalLocations"] = new JsonArray(new JsonObject { ["fullyQualifiedName"] = d.Path });
            }

            if (location.Count > 0)
            {
                result["locations"] = new JsonArray(location);
            }

            return (JsonNode)result;
        }).ToList();

        return new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject { ["name"] = "nomad-db", ["version"] = GeneratorInfo.Version, ["rules"] = new JsonArray([.. rules]) },
                },
                ["results"] = new JsonArray([.. results]),
            }),
        };
    }

    /// <summary>
    /// A workflow command (GitHub's toolkit, packages/core/src/command.ts: data escapes %, CR, LF; property values
    /// also : and ,). Info becomes <c>notice</c>.
    /// </summary>
    private static string GitHub(Diagnostic d)
    {
        var command = d.Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "notice" };
        var properties = new List<string>();
        if (d.Location is { } at)
        {
            properties.Add($"file={Property(at.File)}");
            properties.Add($"line={at.Line}");
            properties.Add($"col={at.Column}");
        }

        properties.Add($"title={Property(d.Code)}");
        var text = string.IsNullOrEmpty(d.Path) ? d.Message : $"{d.Message} ({d.Path})";
        return $"::{command} {string.Join(',', properties)}::{Data(text)}";
    }

    private static string Data(string text) => text.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    private static string Property(string text) => Data(text).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}

using System.Diagnostics;
using System.Text.Json;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>
/// HashiCorp's HCL parser (the npm package @cdktf/hcl2json, HCL compiled to WebAssembly) as the test oracle.
/// Many files are parsed by one node process, because starting the WebAssembly module is the slow part.
/// </summary>
public static class Hcl2Json
{
    private static string PackageDirectory => Path.Combine(RepoPaths.Root, "tests", "hcl");

    public static IReadOnlyDictionary<string, JsonElement> ParseFiles(IEnumerable<string> paths)
    {
        var list = paths.Select(Path.GetFullPath).ToList();
        if (list.Count == 0)
        {
            return new Dictionary<string, JsonElement>();
        }

        if (!Directory.Exists(Path.Combine(PackageDirectory, "node_modules", "@cdktf", "hcl2json")))
        {
            throw new InvalidOperationException("The HCL parser is not installed: run `npm ci --prefix tests/hcl`.");
        }

        var start = new ProcessStartInfo("node", [Path.Combine(PackageDirectory, "parse.mjs")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = PackageDirectory,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(JsonSerializer.Serialize(list));
        process.StandardInput.Close();
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        var stdout = stdoutTask.GetAwaiter().GetResult();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"hcl2json failed ({process.ExitCode}): {stderr}");
        }

        using var document = JsonDocument.Parse(stdout);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.TryGetProperty("error", out var error))
            {
                throw new HclParseException(property.Name, error.GetString() ?? "unknown error");
            }

            result[property.Name] = property.Value.GetProperty("json").Clone();
        }

        return result;
    }

    public static JsonElement ParseText(string hcl, string name = "input.hcl")
    {
        var directory = Directory.CreateTempSubdirectory("hcl2json-");
        try
        {
            var path = Path.Combine(directory.FullName, name);
            File.WriteAllText(path, hcl);
            return ParseFiles([path])[Path.GetFullPath(path)];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Parses many texts in one process; returns results in order.</summary>
    public static IReadOnlyList<JsonElement> ParseTexts(IReadOnlyList<string> texts)
    {
        var directory = Directory.CreateTempSubdirectory("hcl2json-");
        try
        {
            var paths = texts.Select((text, i) =>
            {
                var path = Path.Combine(directory.FullName, $"case{i}.hcl");
                File.WriteAllText(path, text);
                return Path.GetFullPath(path);
            }).ToList();
            var parsed = ParseFiles(paths);
            return paths.Select(p => parsed[p]).ToList();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

public sealed class HclParseException(string file, string message) : Exception($"{file}: {message}")
{
    public string File { get; } = file;
}

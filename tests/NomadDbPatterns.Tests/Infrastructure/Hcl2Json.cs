using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>
/// Parses HCL with the real HCL parser: @cdktf/hcl2json (hashicorp/hcl v2 compiled to WebAssembly), run by node from
/// the <c>tests/hcl</c> package. Loading the WebAssembly module takes most of the time, so every call hands all of
/// its inputs to ONE node process; batch files or texts instead of calling once per input.
/// </summary>
/// <remarks>
/// The JSON is hcl2json's: a block becomes <c>{"type": [ {body}, ... ]}</c>, a labelled block
/// <c>{"type": {"label": [ {body} ]}}</c> (one nesting level per label); a heredoc becomes a string. Strings come out
/// in HCL-JSON template form: a literal <c>${</c> reads <c>$${</c> and <c>%{</c> reads <c>%%{</c>, and an expression that
/// is not a literal comes out as <c>"${expr}"</c>.
/// </remarks>
public static class Hcl2Json
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The directory of the node package that runs hcl2json.</summary>
    public static string ToolsDirectory => RepoPaths.Combine("tests", "hcl");

    /// <summary>Parses HCL files; the result maps each path, as given, to its JSON.</summary>
    /// <exception cref="HclParseException">A file does not parse; the message holds the parser's messages.</exception>
    public static IReadOnlyDictionary<string, JsonElement> ParseFiles(IEnumerable<string> paths)
    {
        // node runs in tests/hcl, so it gets absolute paths; the caller gets back the paths it gave.
        var givenByFullPath = paths.Distinct().ToDictionary(Path.GetFullPath, path => path);
        var results = Run(givenByFullPath.Keys.Select(fullPath => (object)fullPath).ToList());
        return ThrowOnErrors(results.ToDictionary(pair => givenByFullPath[pair.Key], pair => pair.Value));
    }

    /// <summary>Parses one HCL text.</summary>
    /// <exception cref="HclParseException">The text does not parse; the message holds the parser's message.</exception>
    public static JsonElement ParseText(string hcl) =>
        ParseTexts(new Dictionary<string, string> { ["text.hcl"] = hcl })["text.hcl"];

    /// <summary>Parses many HCL texts, keyed by a name of the caller's choosing, in one node process.</summary>
    /// <exception cref="HclParseException">A text does not parse; the message holds the parser's messages.</exception>
    public static IReadOnlyDictionary<string, JsonElement> ParseTexts(IReadOnlyDictionary<string, string> namedTexts) =>
        ThrowOnErrors(TryParseTexts(namedTexts));

    /// <summary>
    /// Parses many HCL texts in one node process without throwing on texts that do not parse: each result holds either
    /// the JSON or the parser's message.
    /// </summary>
    public static IReadOnlyDictionary<string, Hcl2JsonResult> TryParseTexts(IReadOnlyDictionary<string, string> namedTexts) =>
        Run(namedTexts.Select(pair => (object)new { name = pair.Key, text = pair.Value }).ToList());

    /// <summary>Fails with instructions when the node package has not been installed in <paramref name="toolsDirectory"/>.</summary>
    public static void EnsureInstalled(string toolsDirectory)
    {
        var module = Path.Combine(toolsDirectory, "node_modules", "@cdktf", "hcl2json");
        if (!Directory.Exists(module))
        {
            throw new InvalidOperationException(
                $"The HCL parser is not installed: {module} is missing. Run `npm ci --prefix tests/hcl` in the repository root.");
        }
    }

    private static IReadOnlyDictionary<string, JsonElement> ThrowOnErrors(IReadOnlyDictionary<string, Hcl2JsonResult> results)
    {
        var errors = results.Where(pair => pair.Value.Error is not null).ToList();
        if (errors.Count > 0)
        {
            throw new HclParseException(string.Join(
                Environment.NewLine,
                errors.Select(pair => $"{pair.Key}: {pair.Value.Error}")));
        }

        return results.ToDictionary(pair => pair.Key, pair => pair.Value.Json!.Value);
    }

    private static Dictionary<string, Hcl2JsonResult> Run(IReadOnlyList<object> inputs)
    {
        if (inputs.Count == 0)
        {
            return [];
        }

        EnsureInstalled(ToolsDirectory);
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = ToolsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(Path.Combine(ToolsDirectory, "parse.mjs"));

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException("Could not start node.");
        // Read both streams while writing stdin, so that a full pipe cannot block either side.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(JsonSerializer.Serialize(inputs));
        process.StandardInput.Close();

        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hcl2json did not finish within {Timeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"hcl2json (node parse.mjs) exited with {process.ExitCode}: {stderr.Result}");
        }

        using var document = JsonDocument.Parse(stdout.Result);
        return document.RootElement.EnumerateObject().ToDictionary(
            property => property.Name,
            property => property.Value.TryGetProperty("error", out var error)
                ? new Hcl2JsonResult(null, error.GetString())
                : new Hcl2JsonResult(property.Value.GetProperty("json").Clone(), null));
    }
}

/// <summary>What hcl2json made of one input: its JSON, or the parser's message when it did not parse.</summary>
public sealed record Hcl2JsonResult(JsonElement? Json, string? Error);

/// <summary>HCL that the real parser rejects; the message is the parser's.</summary>
public sealed class HclParseException(string message) : Exception(message);

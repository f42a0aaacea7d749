using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>
/// A real yaml-language-server (Red Hat's, what the YAML extensions of VS Code, Neovim, Helix … run), driven over LSP by
/// <c>tests/yamlls/yamlls.mjs</c>: what an editor shows for a document under the spec format's schemas. Starting it
/// takes a second; start one per fixture and ask it many questions (it answers one request at a time).
/// </summary>
public sealed class YamlLanguageServer : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private int _nextId;

    private YamlLanguageServer(Process process) => _process = process;

    /// <summary>The node package that runs the server.</summary>
    public static string ToolsDirectory => RepoPaths.Combine("tests", "yamlls");

    /// <summary>Starts the server.</summary>
    public static YamlLanguageServer Start()
    {
        var module = Path.Combine(ToolsDirectory, "node_modules", "yaml-language-server");
        if (!Directory.Exists(module))
        {
            throw new InvalidOperationException($"yaml-language-server is not installed: {module} is missing. Run `npm ci --prefix tests/yamlls` in the repository root.");
        }

        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = ToolsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(Path.Combine(ToolsDirectory, "yamlls.mjs"));
        return new YamlLanguageServer(Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start node."));
    }

    /// <summary>A <c>file://</c> URI for a path.</summary>
    public static string UriOf(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>The diagnostics of each document (opened together, each under its own URI), in the order given.</summary>
    public IReadOnlyList<IReadOnlyList<YamlDiagnostic>> Diagnostics(IReadOnlyList<(string Uri, string Text)> documents)
    {
        var answer = Ask(new JsonObject
        {
            ["method"] = "diagnostics",
            ["documents"] = new JsonArray([.. documents.Select(d => (JsonNode)new JsonObject { ["uri"] = d.Uri, ["text"] = d.Text })]),
        });
        return [.. answer["documents"]!.AsArray().Select(d => (IReadOnlyList<YamlDiagnostic>)[.. d!["diagnostics"]!.AsArray().Select(YamlDiagnostic.From)])];
    }

    /// <summary>The diagnostics of one document.</summary>
    public IReadOnlyList<YamlDiagnostic> Diagnostics(string uri, string text) => Diagnostics([(uri, text)])[0];

    /// <summary>What the server offers at a position (0-based line and character) of a document.</summary>
    public IReadOnlyList<string> Completion(string uri, string text, int line, int character)
    {
        var answer = Ask(new JsonObject { ["method"] = "completion", ["uri"] = uri, ["text"] = text, ["line"] = line, ["character"] = character });
        return [.. answer["items"]!.AsArray().Select(i => i!["label"]!.GetValue<string>())];
    }

    /// <summary>
    /// Why Ajv's draft 2020-12 validator in strict mode (the one the server checks schemas with) refuses the schema
    /// file — an unknown keyword, a regular expression ECMAScript cannot read, what the meta-schema refuses — or null.
    /// </summary>
    public string? SchemaProblem(string path) =>
        Ask(new JsonObject { ["method"] = "compile", ["path"] = Path.GetFullPath(path) })["problem"]?.GetValue<string>();

    private JsonObject Ask(JsonObject request)
    {
        lock (_gate)
        {
            var id = ++_nextId;
            request["id"] = id;
            _process.StandardInput.WriteLine(request.ToJsonString());
            _process.StandardInput.Flush();
            var line = _process.StandardOutput.ReadLineAsync().WaitAsync(Timeout).GetAwaiter().GetResult()
                ?? throw new InvalidOperationException($"yamlls.mjs ended (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
            var answer = JsonNode.Parse(line)!.AsObject();
            if (answer["error"] is { } error)
            {
                throw new InvalidOperationException($"yamlls.mjs: {error}");
            }

            if (answer["id"]!.GetValue<int>() != id)
            {
                throw new InvalidOperationException($"yamlls.mjs answered request {answer["id"]} instead of {id}");
            }

            return answer;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>One diagnostic the server published: where (0-based), what, and from which check.</summary>
/// <param name="Line">0-based line.</param>
/// <param name="Character">0-based character.</param>
/// <param name="Message">The message an editor shows.</param>
/// <param name="Source">Its source: <c>yaml-schema: TITLE</c> for the schema's, <c>YAML</c> for the parser's.</param>
public sealed record YamlDiagnostic(int Line, int Character, string Message, string? Source)
{
    internal static YamlDiagnostic From(JsonNode? node) => new(
        node!["range"]!["start"]!["line"]!.GetValue<int>(),
        node["range"]!["start"]!["character"]!.GetValue<int>(),
        node["message"]!.GetValue<string>(),
        node["source"]?.GetValue<string>());

    /// <inheritdoc />
    public override string ToString() => $"{Line + 1}:{Character + 1} {Message} [{Source}]";
}

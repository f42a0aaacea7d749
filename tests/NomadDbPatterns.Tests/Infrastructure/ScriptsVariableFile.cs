using System.Text.RegularExpressions;
using NomadDbPatterns.Rendering;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>
/// Reads a rendered <c>nomad-db-scripts.nv.hcl</c> as <c>nomad var put @file</c> does (Nomad's HCL 1 parser,
/// hashicorp/hcl v1: a heredoc <c>&lt;&lt;ANCHOR\n…\nANCHOR\n</c> yields the lines between, each with its newline;
/// hcl/scanner/scanner.go scanHeredoc, hcl/token/token.go unindentHeredoc), for the subset the renderer writes:
/// comments, <c>namespace</c>, <c>path</c> and <c>items = { key = &lt;&lt;ANCHOR … }</c>. Anything else fails.
/// </summary>
internal sealed partial class ScriptsVariableFile
{
    private ScriptsVariableFile(string @namespace, string path, IReadOnlyDictionary<string, string> items)
    {
        Namespace = @namespace;
        Path = path;
        Items = items;
    }

    public string Namespace { get; }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Items { get; }

    /// <summary>The variable the embedded templates render for the default namespace.</summary>
    public static ScriptsVariableFile Embedded { get; } = Parse(JobRenderer.Default.RenderScripts().Content);

    public static ScriptsVariableFile Parse(string text)
    {
        var lines = text.Split('\n');
        string? ns = null, path = null;
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        for (; i < lines.Length && !lines[i].StartsWith("items = {", StringComparison.Ordinal); i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = Attribute().Match(line);
            Assert.That(match.Success, Is.True, $"unexpected line {i + 1}: {line}");
            (match.Groups["name"].Value == "namespace" ? ref ns : ref path) = match.Groups["value"].Value;
        }

        Assert.That(i, Is.LessThan(lines.Length), "an items block");
        for (i++; i < lines.Length && lines[i] != "}"; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var open = HeredocOpen().Match(lines[i]);
            Assert.That(open.Success, Is.True, $"unexpected line {i + 1}: {lines[i]}");
            var anchor = open.Groups["anchor"].Value;
            var body = new System.Text.StringBuilder();
            for (i++; ; i++)
            {
                Assert.That(i, Is.LessThan(lines.Length - 1), $"heredoc {anchor} not terminated (the anchor line must end with a newline)");
                if (lines[i].Trim() == anchor)
                {
                    break;
                }

                body.Append(lines[i]).Append('\n');
            }

            items.Add(open.Groups["key"].Value, body.ToString());
        }

        Assert.That(i, Is.LessThan(lines.Length), "the items block is closed");
        Assert.That(string.Join('\n', lines[(i + 1)..]), Is.Empty, "nothing after the items block");
        return new ScriptsVariableFile(ns ?? throw new AssertionException("no namespace"), path ?? throw new AssertionException("no path"), items);
    }

    /// <summary>
    /// Template data as consul-template renders it when it only reads an item of <c>nomad/jobs</c> (a script); other
    /// data is returned unchanged.
    /// </summary>
    public string Resolve(string data)
    {
        var match = ScriptRead().Match(data);
        if (!match.Success || match.Groups["path"].Value != Path)
        {
            return data;
        }

        Assert.That(Items, Does.ContainKey(match.Groups["key"].Value), $"the variable holds the item {data} reads");
        return Items[match.Groups["key"].Value];
    }

    [GeneratedRegex("""^(?<name>namespace|path) += "(?<value>[^"\\]*)"$""")]
    private static partial Regex Attribute();

    [GeneratedRegex("""^  (?<key>[A-Za-z_][A-Za-z0-9_]*) = <<(?<anchor>[A-Za-z_][A-Za-z0-9_]*)$""")]
    private static partial Regex HeredocOpen();

    /// <summary>
    /// Template data reading a script from <c>nomad/jobs</c> (the shared scripts) or from a migration job's own
    /// <c>nomad/jobs/JOB</c> (its migration script), resolved from the variable files the renderer writes.
    /// </summary>
    public static string ResolveAny(string data)
    {
        var match = ScriptRead().Match(data);
        if (!match.Success || match.Groups["path"].Value == Embedded.Path)
        {
            return Embedded.Resolve(data);
        }

        var job = match.Groups["path"].Value["nomad/jobs/".Length..];
        return Parse(ScriptsVariable.ForMigration(TemplateSet.Embedded, job).Render(null, JobFormat.Hcl)).Resolve(data);
    }

    [GeneratedRegex("""^\{\{ with nomadVar "(?<path>nomad/jobs(/[A-Za-z0-9_-]+)?)" \}\}\{\{ \.(?<key>[A-Za-z_][A-Za-z0-9_]*) \}\}\{\{ end \}\}$""")]
    private static partial Regex ScriptRead();
}

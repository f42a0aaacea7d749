using System.Text;
using DiffPlex;
using DiffPlex.Renderer;
using DiffPlex.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns;

/// <summary>How a committed file differs from what the specs render.</summary>
public enum StaleKind
{
    /// <summary>The file exists but its content differs.</summary>
    Changed,
    /// <summary>The specs render a file that is not committed.</summary>
    Missing,
    /// <summary>A committed job file that no spec renders any more.</summary>
    Extra,
}

/// <summary>One stale file.</summary>
/// <param name="FileName">File name relative to the checked directory.</param>
/// <param name="Kind">Changed, missing or extra.</param>
/// <param name="Diff">Unified diff (committed → rendered) for changed files, else empty.</param>
public sealed record StaleFile(string FileName, StaleKind Kind, string Diff);

/// <summary>The result of <see cref="NomadDb.Check"/>.</summary>
/// <param name="Stale">Files that differ; empty when the directory is up to date.</param>
/// <param name="Diagnostics">Spec errors (then nothing was compared).</param>
public sealed record CheckResult(IReadOnlyList<StaleFile> Stale, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when the specs are valid and every file is up to date.</summary>
    public bool UpToDate => Stale.Count == 0 && Diagnostics.All(d => d.Severity != Severity.Error);
}

/// <summary>Compares rendered output with a directory of committed files.</summary>
internal static class OutputComparer
{
    /// <summary>File name patterns this tool owns in an output directory (others are never reported as extra).</summary>
    public static bool IsGenerated(string fileName) =>
        GeneratedSuffixes.Any(suffix => fileName.EndsWith(suffix, StringComparison.Ordinal)) || fileName == VolumeLock.FileName;

    /// <summary>Jobs, the scripts variable, and the host volume files beside the jobs.</summary>
    private static readonly string[] GeneratedSuffixes = [".nomad.hcl", ".nomad.json", ".nv.hcl", ".nv.json", ".volume.hcl", ".volume.json", ".client.hcl"];

    /// <summary>Compares <paramref name="files"/> with <paramref name="directory"/>.</summary>
    public static IReadOnlyList<StaleFile> Compare(IReadOnlyList<RenderedFile> files, string directory)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(directory);
        return Collect([.. files.Select(file => (file.FileName, CompareOne(directory, file.FileName, file.Content)))], directory);
    }

    /// <summary>The stale files among those compared (in name order), then the generated files nothing rendered.</summary>
    internal static IReadOnlyList<StaleFile> Collect(IReadOnlyList<(string FileName, StaleFile? Difference)> compared, string directory)
    {
        var rendered = compared.Select(c => c.FileName).ToHashSet(StringComparer.Ordinal);
        return
        [
            .. compared.Select(c => c.Difference).OfType<StaleFile>().OrderBy(f => f.FileName, StringComparer.Ordinal),
            .. Extras(directory, rendered.Contains),
        ];
    }

    /// <summary>How the committed <paramref name="fileName"/> differs from <paramref name="content"/>, or null when it holds exactly that text.</summary>
    internal static StaleFile? CompareOne(string directory, string fileName, ReadOnlySpan<char> content)
    {
        var path = Path.Combine(directory, fileName);
        if (!File.Exists(path))
        {
            return new StaleFile(fileName, StaleKind.Missing, string.Empty);
        }

        if (StagedOutput.HoldsExactly(path, content))
        {
            return null;
        }

        // Not byte for byte the same: compared as text, as it reads. A byte order mark and CRLF line endings (a
        // checkout with git's core.autocrlf) are not differences: the job reads the same to Nomad and to reviewers.
        var committed = File.ReadAllText(path);
        var normalized = committed.Contains('\r', StringComparison.Ordinal) ? committed.Replace("\r\n", "\n", StringComparison.Ordinal) : committed;
        if (content.SequenceEqual(normalized))
        {
            return null;
        }

        var diff = UnifiedDiff(normalized, content.ToString(), $"a/{fileName}", $"b/{fileName}");
        if (!diff.Contains("\n@@ ", StringComparison.Ordinal))
        {
            // Lines that differ only in what a line diff does not show (a stray carriage return, the final newline).
            diff += $"@@ no line differs as text: the committed file differs in invisible characters ({Describe(normalized)}; rendered: {Describe(content.ToString())}) @@\n";
        }

        return new StaleFile(fileName, StaleKind.Changed, diff);
    }

    private static string Describe(string text) =>
        $"{text.Length} characters, {text.Count(c => c == '\r')} carriage return(s), {(text.EndsWith('\n') ? "ends with a newline" : "no final newline")}";

    /// <summary>Generated files in <paramref name="directory"/> that were not rendered, in name order.</summary>
    private static IEnumerable<StaleFile> Extras(string directory, Func<string, bool> rendered) =>
        Orphans(directory, rendered).Select(name => new StaleFile(name, StaleKind.Extra, string.Empty));

    /// <summary>
    /// The files in <paramref name="directory"/> this tool generated that were not <paramref name="rendered"/>, in name
    /// order: a generated name, and for HCL the generator's header on the first line (a hand-written file that happens
    /// to end in .nomad.hcl is never taken for one). The volume lock is history, never an orphan.
    /// </summary>
    internal static List<string> Orphans(string directory, Func<string, bool> rendered)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => IsGenerated(name) && name != VolumeLock.FileName && !rendered(name) && HasGeneratorHeader(Path.Combine(directory, name)))
            .Order(StringComparer.Ordinal)];
    }

    private static bool HasGeneratorHeader(string path)
    {
        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            return true; // JSON has no comments: the name alone (<job>.nomad.json, .volume.json, .nv.json) marks it
        }

        try
        {
            using var reader = new StreamReader(path);
            var first = reader.ReadLine();
            return first is not null && first.StartsWith("# Generated by nomad-db ", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// A unified diff with three lines of context (DiffPlex's <see cref="UnidiffRenderer"/>); texts that differ in no
    /// line as DiffPlex splits them (a final newline) still get the two file headers.
    /// </summary>
    public static string UnifiedDiff(string oldText, string newText, string oldName, string newName)
    {
        var diff = UnidiffRenderer.GenerateUnidiff(oldText, newText, oldName, newName, ignoreWhitespace: false, ignoreCase: false, contextLines: 3);
        return diff.Length > 0 ? diff : $"--- {oldName}\n+++ {newName}\n";
    }

    internal static DiffResult Lines(string a, string b) => Differ.Instance.CreateLineDiffs(a, b, false);
}

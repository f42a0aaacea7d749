using System.Collections.Concurrent;
using System.Reflection;

namespace NomadDbPatterns.Spec;

/// <summary>Presets for known apps: one embedded YAML file each (<c>Presets/&lt;name&gt;.yaml</c>) in the spec format.</summary>
internal static class PresetCatalog
{
    private const string ResourcePrefix = "NomadDbPatterns.Presets.";
    private static readonly ConcurrentDictionary<string, YamlMapping?> Parsed = new(StringComparer.Ordinal);

    /// <summary>Names of the known presets, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(PresetCatalog).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".yaml".Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The YAML text of a preset, or null if there is no such preset.</summary>
    public static string? Text(string name)
    {
        using var stream = typeof(PresetCatalog).Assembly.GetManifestResourceStream($"{ResourcePrefix}{name}.yaml");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The parsed preset (without its <c>preset:</c> metadata), or null.</summary>
    internal static YamlMapping? Load(string name) => Parsed.GetOrAdd(name, static n =>
    {
        var root = Root(n);
        return root is null ? null : root with { Entries = [.. root.Entries.Where(e => e.Key.Value != "preset")] };
    });

    /// <summary>
    /// What a preset says about itself (its <c>preset:</c> metadata: description, notes, the secrets the job reads),
    /// or null if there is no such preset.
    /// </summary>
    internal static PresetInfo? Describe(string name) => Root(name) is { } root ? PresetInfo.From(name, root) : null;

    private static YamlMapping? Root(string name)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        return YamlTree.Load(text, $"preset:{name}") as YamlMapping
            ?? throw new InvalidOperationException($"Preset '{name}' is not a YAML mapping.");
    }

    /// <summary>
    /// Lays <paramref name="spec"/> over <paramref name="preset"/> (<see cref="YamlOverlay"/>: the spec wins, <c>~</c>
    /// removes a preset key). <c>{job}</c> in preset strings becomes the job name.
    /// </summary>
    /// <remarks>
    /// Every value taken from the preset is placed at <paramref name="choice"/> (the user's <c>preset:</c> line),
    /// with its preset key as <see cref="SourceLocation.Origin"/>: errors are reported in the user's file.
    /// </remarks>
    internal static YamlMapping Merge(YamlMapping preset, YamlMapping spec, string jobName, SourceLocation choice, string presetName) =>
        YamlOverlay.Merge(preset, spec, (node, path) => Substitute(node, jobName, choice, presetName, path));

    private static YamlNode Substitute(YamlNode node, string jobName, SourceLocation choice, string presetName, string path) => Relocate(node switch
    {
        YamlScalar s when s.Value.Contains("{job}", StringComparison.Ordinal) => s with { Value = s.Value.Replace("{job}", jobName, StringComparison.Ordinal) },
        YamlMapping m => m with
        {
            Entries = [.. m.Entries.Select(e => new YamlEntry(
                (YamlScalar)Relocate(e.Key, choice, presetName, SpecReader.Join(path, e.Key.Value)),
                Substitute(e.Value, jobName, choice, presetName, SpecReader.Join(path, e.Key.Value))))],
        },
        YamlSequence q => q with { Items = [.. q.Items.Select((item, i) => Substitute(item, jobName, choice, presetName, $"{path}[{i}]"))] },
        _ => node,
    }, choice, presetName, path);

    private static YamlNode Relocate(YamlNode node, SourceLocation choice, string presetName, string path) =>
        node with { Location = choice with { Origin = $"preset '{presetName}', key {path} (preset line {node.Location.Line})" } };

    internal static string DatabaseIdentifier(string jobName) => jobName.Replace('-', '_');

    /// <summary>Unused assembly marker to keep reflection-free lookups honest in trimmed builds.</summary>
    internal static Assembly Assembly => typeof(PresetCatalog).Assembly;
}

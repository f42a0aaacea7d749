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
    /// Lays <paramref name="spec"/> over <paramref name="preset"/>: mappings merge key by key (the spec wins),
    /// everything else is replaced whole. A key the spec sets to null (<c>~</c>, <c>null</c> or nothing) is removed:
    /// the merged job does not have it at all (an environment variable is not rendered, a setting falls back to its
    /// default). A mapping whose <c>type</c> the spec changes (a check from http to tcp) keeps only the preset's keys
    /// that do not depend on the type. <c>{job}</c> in preset strings becomes the job name.
    /// </summary>
    /// <remarks>
    /// Every value taken from the preset is placed at <paramref name="choice"/> (the user's <c>preset:</c> line),
    /// with its preset key as <see cref="SourceLocation.Origin"/>: errors are reported in the user's file.
    /// </remarks>
    internal static YamlMapping Merge(YamlMapping preset, YamlMapping spec, string jobName, SourceLocation choice, string presetName) =>
        Merge(preset, spec, jobName, choice, presetName, string.Empty);

    private static YamlMapping Merge(YamlMapping preset, YamlMapping spec, string jobName, SourceLocation choice, string presetName, string path)
    {
        var entries = new List<YamlEntry>();
        foreach (var presetEntry in preset.Entries)
        {
            var own = spec.Entries.FirstOrDefault(e => e.Key.Value == presetEntry.Key.Value);
            var entryPath = SpecReader.Join(path, presetEntry.Key.Value);
            if (own is null)
            {
                entries.Add(new YamlEntry(
                    (YamlScalar)Relocate(presetEntry.Key, choice, presetName, entryPath),
                    Substitute(presetEntry.Value, jobName, choice, presetName, entryPath)));
            }
            else if (own.Value is YamlScalar { IsNull: true })
            {
                // `KEY: ~` removes the preset's key.
            }
            else if (own.Value is YamlMapping ownMapping && presetEntry.Value is YamlMapping presetMapping)
            {
                entries.Add(own with { Value = Merge(WithoutTypeSpecificKeys(presetMapping, ownMapping), ownMapping, jobName, choice, presetName, entryPath) });
            }
            else
            {
                entries.Add(own);
            }
        }

        entries.AddRange(spec.Entries.Where(e => preset.Entries.All(p => p.Key.Value != e.Key.Value)));
        return spec with { Entries = entries };
    }

    /// <summary>Keys that belong to one <c>type</c> of a mapping: an http check's <c>path</c>.</summary>
    private static readonly string[] TypeSpecificKeys = ["path"];

    /// <summary>The preset's mapping without its type-specific keys when the spec changes its <c>type</c>.</summary>
    private static YamlMapping WithoutTypeSpecificKeys(YamlMapping preset, YamlMapping spec) =>
        preset.Get("type") is YamlScalar presetType && spec.Get("type") is YamlScalar { IsNull: false } specType && presetType.Value != specType.Value
            ? preset with { Entries = [.. preset.Entries.Where(e => !TypeSpecificKeys.Contains(e.Key.Value))] }
            : preset;

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

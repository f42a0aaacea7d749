using System.Collections.Concurrent;
using System.Reflection;

namespace NomadDbPatterns.Spec;

/// <summary>Presets for known apps: one embedded YAML file each (<c>Presets/&lt;name&gt;.yaml</c>) in the spec format.</summary>
public static class PresetCatalog
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
        var text = Text(n);
        if (text is null)
        {
            return null;
        }

        var root = YamlTree.Load(text, $"preset:{n}") as YamlMapping
            ?? throw new InvalidOperationException($"Preset '{n}' is not a YAML mapping.");
        return root with { Entries = [.. root.Entries.Where(e => e.Key.Value != "preset")] };
    });

    /// <summary>
    /// Lays <paramref name="spec"/> over <paramref name="preset"/>: mappings merge key by key (the spec wins),
    /// everything else is replaced whole. <c>{job}</c> in preset strings becomes the job name.
    /// </summary>
    internal static YamlMapping Merge(YamlMapping preset, YamlMapping spec, string jobName)
    {
        var entries = new List<YamlEntry>();
        foreach (var presetEntry in preset.Entries)
        {
            var own = spec.Entries.FirstOrDefault(e => e.Key.Value == presetEntry.Key.Value);
            if (own is null)
            {
                entries.Add(presetEntry with { Value = Substitute(presetEntry.Value, jobName) });
            }
            else if (own.Value is YamlMapping ownMapping && presetEntry.Value is YamlMapping presetMapping)
            {
                entries.Add(own with { Value = Merge(presetMapping, ownMapping, jobName) });
            }
            else
            {
                entries.Add(own);
            }
        }

        entries.AddRange(spec.Entries.Where(e => preset.Entries.All(p => p.Key.Value != e.Key.Value)));
        return spec with { Entries = entries };
    }

    private static YamlNode Substitute(YamlNode node, string jobName) => node switch
    {
        YamlScalar s when s.Value.Contains("{job}", StringComparison.Ordinal) => s with { Value = s.Value.Replace("{job}", jobName, StringComparison.Ordinal) },
        YamlMapping m => m with { Entries = [.. m.Entries.Select(e => e with { Value = Substitute(e.Value, jobName) })] },
        YamlSequence q => q with { Items = [.. q.Items.Select(i => Substitute(i, jobName))] },
        _ => node,
    };

    internal static string DatabaseIdentifier(string jobName) => jobName.Replace('-', '_');

    /// <summary>Unused assembly marker to keep reflection-free lookups honest in trimmed builds.</summary>
    internal static Assembly Assembly => typeof(PresetCatalog).Assembly;
}

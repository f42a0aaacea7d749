namespace NomadDbPatterns.Spec;

/// <summary>
/// Lays one YAML mapping over another, key by key: how a job's keys override its preset's, and how a job and its
/// preset override the fleet defaults. Mappings merge key by key (the upper one wins), everything else is replaced
/// whole. A key the upper mapping sets to null (<c>~</c>, <c>null</c> or nothing) is removed: the merged job does not
/// have it at all. A mapping whose <c>type</c> the upper one changes (a check from http to tcp) keeps only the lower
/// one's keys that do not depend on the type.
/// </summary>
internal static class YamlOverlay
{
    /// <summary>What happens to a node taken from the lower mapping (relocated, substituted): node, its spec path.</summary>
    public delegate YamlNode Adopt(YamlNode node, string path);

    /// <summary>Lays <paramref name="upper"/> over <paramref name="lower"/>; the lower mapping's keys come first.</summary>
    public static YamlMapping Merge(YamlMapping lower, YamlMapping upper, Adopt adopt) => Merge(lower, upper, adopt, string.Empty);

    private static YamlMapping Merge(YamlMapping lower, YamlMapping upper, Adopt adopt, string path)
    {
        var entries = new List<YamlEntry>();
        foreach (var lowerEntry in lower.Entries)
        {
            var own = upper.Entries.FirstOrDefault(e => e.Key.Value == lowerEntry.Key.Value);
            var entryPath = SpecReader.Join(path, lowerEntry.Key.Value);
            if (own is null)
            {
                entries.Add(new YamlEntry((YamlScalar)adopt(lowerEntry.Key, entryPath), adopt(lowerEntry.Value, entryPath)));
            }
            else if (own.Value is YamlScalar { IsNull: true })
            {
                // `KEY: ~` removes the lower mapping's key.
            }
            else if (own.Value is YamlMapping ownMapping && lowerEntry.Value is YamlMapping lowerMapping)
            {
                entries.Add(own with { Value = Merge(WithoutTypeSpecificKeys(lowerMapping, ownMapping), ownMapping, adopt, entryPath) });
            }
            else
            {
                entries.Add(own);
            }
        }

        entries.AddRange(upper.Entries.Where(e => lower.Entries.All(p => p.Key.Value != e.Key.Value)));
        return upper with { Entries = entries };
    }

    /// <summary>Keys that belong to one <c>type</c> of a mapping: an http check's <c>path</c>.</summary>
    private static readonly string[] TypeSpecificKeys = ["path"];

    /// <summary>The lower mapping without its type-specific keys when the upper one changes its <c>type</c>.</summary>
    private static YamlMapping WithoutTypeSpecificKeys(YamlMapping lower, YamlMapping upper) =>
        lower.Get("type") is YamlScalar lowerType && upper.Get("type") is YamlScalar { IsNull: false } upperType && lowerType.Value != upperType.Value
            ? lower with { Entries = [.. lower.Entries.Where(e => !TypeSpecificKeys.Contains(e.Key.Value))] }
            : lower;
}

using System.Globalization;
using System.Text;
using NomadDbPatterns.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace NomadDbPatterns.Legacy;

/// <summary>
/// The shared instance's spec without one database: the user's own text with that database's entry and its baseline
/// entry cut out (comments and layout kept), or, for a model built in code, a spec written from the model.
/// </summary>
internal static class SharedSpecText
{
    /// <summary>
    /// Cuts <paramref name="database"/> out of <c>databases:</c> and <c>baseline:</c> of the job at
    /// <paramref name="basePath"/> (<c>jobs[2]</c> or empty). Returns null when the text is not laid out in a way this
    /// edit understands; the caller then writes the spec from the model.
    /// </summary>
    public static string? RemoveDatabase(string text, string basePath, string database)
    {
        YamlMappingNode job;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                return null;
            }

            job = basePath.Length == 0 ? root : FindJob(root, basePath) ?? throw new InvalidOperationException();
        }
        catch (Exception exception) when (exception is YamlException or InvalidOperationException or InvalidCastException)
        {
            return null;
        }

        if (Child(job, "databases") is not YamlSequenceNode databases)
        {
            return null;
        }

        var item = databases.Children.FirstOrDefault(d => d is YamlMappingNode m && Child(m, "name") is YamlScalarNode { Value: var n } && n == database);
        if (item is null || databases.Children.Count < 2)
        {
            return null;
        }

        var cuts = new List<(int Start, int End, string Insert)> { Cut(text, databases, item) };
        if (Child(job, "baseline") is YamlSequenceNode baseline
            && baseline.Children.FirstOrDefault(b => b is YamlScalarNode { Value: var v } && v == database) is { } entry)
        {
            // The last baseline entry leaves an empty list, which must still read as a list.
            cuts.Add(baseline.Children.Count == 1 ? ((int)baseline.Start.Index, (int)baseline.End.Index, "[]") : Cut(text, baseline, entry));
        }

        var result = new StringBuilder(text);
        foreach (var (start, end, insert) in cuts.OrderByDescending(c => c.Start))
        {
            result.Remove(start, end - start).Insert(start, insert);
        }

        return result.ToString();
    }

    private static YamlMappingNode? FindJob(YamlMappingNode root, string basePath)
    {
        if (!basePath.StartsWith("jobs[", StringComparison.Ordinal) || !basePath.EndsWith(']')
            || !int.TryParse(basePath.AsSpan(5, basePath.Length - 6), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return null;
        }

        return Child(root, "jobs") is YamlSequenceNode jobs && index < jobs.Children.Count ? jobs.Children[index] as YamlMappingNode : null;
    }

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.FirstOrDefault(pair => pair.Key is YamlScalarNode { Value: var k } && k == key).Value;

    /// <summary>The span to remove for one item of a sequence (with its separator or its whole lines).</summary>
    private static (int Start, int End, string Insert) Cut(string text, YamlSequenceNode sequence, YamlNode item)
    {
        var index = sequence.Children.IndexOf(item);
        if (sequence.Style == SequenceStyle.Flow)
        {
            return index + 1 < sequence.Children.Count
                ? ((int)item.Start.Index, (int)sequence.Children[index + 1].Start.Index, string.Empty)
                : ((int)sequence.Children[index - 1].End.Index, (int)item.End.Index, string.Empty);
        }

        // Block style: the item's "- " line and every following line indented deeper than its dash.
        var start = (int)item.Start.Index;
        var lineStart = text.LastIndexOf('\n', Math.Max(0, start - 1)) + 1;
        var dash = text.IndexOf('-', lineStart);
        var dashColumn = dash - lineStart;
        var end = NextLine(text, lineStart);
        while (end < text.Length)
        {
            var next = NextLine(text, end);
            var line = text.AsSpan(end, next - end).TrimEnd("\r\n");
            var indent = line.Length - line.TrimStart(' ').Length;
            if (line.IsWhiteSpace() || indent <= dashColumn)
            {
                break;
            }

            end = next;
        }

        return (lineStart, end, string.Empty);
    }

    private static int NextLine(string text, int from)
    {
        var newline = text.IndexOf('\n', from);
        return newline < 0 ? text.Length : newline + 1;
    }

    /// <summary>The whole spec written from the model (for shared instances built in code).</summary>
    public static string Write(SharedPostgresJob job, IEnumerable<string> headerComments)
    {
        var yaml = new StringBuilder();
        foreach (var line in headerComments)
        {
            yaml.Append("# ").Append(line).Append('\n');
        }

        yaml.Append("name: ").Append(SpecYaml.Str(job.Name)).Append('\n');
        yaml.Append("kind: shared-postgres\n");
        SpecYaml.AppendPlacement(yaml, job);
        if (job.Update != UpdatePolicy.Stateful)
        {
            yaml.Append("update: { maxParallel: ").Append(SpecYaml.Num(job.Update.MaxParallel))
                .Append(", minHealthyTime: ").Append(SpecYaml.Str(job.Update.MinHealthyTime.Text))
                .Append(", healthyDeadline: ").Append(SpecYaml.Str(job.Update.HealthyDeadline.Text))
                .Append(", progressDeadline: ").Append(SpecYaml.Str(job.Update.ProgressDeadline.Text))
                .Append(", autoRevert: ").Append(SpecYaml.Bool(job.Update.AutoRevert)).Append(" }\n");
        }

        var pg = job.Postgres;
        yaml.Append("postgres:\n");
        yaml.Append("  version: ").Append(SpecYaml.Num(pg.Version)).Append('\n');
        yaml.Append("  variant: ").Append(SpecYaml.Str(pg.Variant)).Append('\n');
        if (pg.Image is not null)
        {
            yaml.Append("  image: ").Append(SpecYaml.Str(pg.Image)).Append('\n');
        }

        yaml.Append("  user: ").Append(SpecYaml.Str(pg.AdminUser)).Append('\n');
        yaml.Append("  port: ").Append(SpecYaml.Num(pg.Port)).Append('\n');
        yaml.Append("  volume: ").Append(SpecYaml.Str(job.DataVolumeSource())).Append('\n');
        yaml.Append("  resources: { cpu: ").Append(SpecYaml.Num(pg.Resources.Cpu)).Append(", memory: ").Append(SpecYaml.Num(pg.Resources.Memory));
        if (pg.Resources.MemoryMax is { } max)
        {
            yaml.Append(", memoryMax: ").Append(SpecYaml.Num(max));
        }

        yaml.Append(" }\n");
        if (pg.ShmSize is not null)
        {
            yaml.Append("  shmSize: ").Append(SpecYaml.Str(pg.ShmSize.Text)).Append('\n');
        }

        if (!pg.Settings.IsEmpty)
        {
            yaml.Append("  settings:\n");
            foreach (var setting in pg.Settings)
            {
                yaml.Append("    ").Append(SpecYaml.Str(setting.Key)).Append(": ").Append(SpecYaml.Quoted(setting.Value)).Append('\n');
            }
        }

        yaml.Append("adminPassword: ").Append(SpecYaml.Secret(job.AdminPassword)).Append('\n');
        yaml.Append("service: { name: ").Append(SpecYaml.Str(job.Service.Name)).Append(", provider: ")
            .Append(SpecYaml.Str(job.Service.Provider == ServiceProvider.Consul ? "consul" : "nomad")).Append(" }\n");
        yaml.Append("databases:\n");
        foreach (var database in job.Databases)
        {
            yaml.Append("  - { name: ").Append(SpecYaml.Str(database.Name))
                .Append(", owner: ").Append(SpecYaml.Str(database.Owner))
                .Append(", password: ").Append(SpecYaml.Secret(database.Password));
            if (database.Service is not null)
            {
                yaml.Append(", service: ").Append(SpecYaml.Str(database.Service));
            }

            yaml.Append(" }\n");
        }

        yaml.Append("baseline: ").Append(SpecYaml.List(job.Baseline)).Append('\n');
        if (job.AllowNewDatabases)
        {
            yaml.Append("allowNewDatabases: true\n");
        }

        if (job.Backup is { } backup)
        {
            SpecYaml.AppendBackup(yaml, backup, withFormatAndVolume: true);
        }

        return yaml.ToString();
    }
}

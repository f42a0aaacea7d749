using System.Globalization;
using System.Text;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Legacy;

/// <summary>Writes YAML scalars and small blocks the spec loader reads back unchanged.</summary>
internal static class YamlText
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~",
    };

    /// <summary>A plain scalar when that reads back as the same string, else a double-quoted one.</summary>
    public static string Str(string value)
    {
        var plain = value.Length > 0
            && char.IsAsciiLetter(value[0])
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/')
            && !Reserved.Contains(value);
        return plain ? value : Quoted(value);
    }

    /// <summary>A double-quoted scalar.</summary>
    public static string Quoted(string value) => Rendering.DoubleQuoted.Quote(value);

    public static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A flow sequence of strings: <c>[a, b]</c>.</summary>
    public static string List(IEnumerable<string> values) => $"[{string.Join(", ", values.Select(Str))}]";

    /// <summary>A secret reference as a flow mapping: <c>{ vault: secret/data/x }</c>.</summary>
    public static string Secret(SecretSource secret)
    {
        var parts = new List<string>();
        switch (secret)
        {
            case VaultSecret vault:
                parts.Add($"vault: {Str(vault.Path)}");
                if (vault.Key != "password")
                {
                    parts.Add($"key: {Str(vault.Key)}");
                }

                if (vault.Role is { } role)
                {
                    parts.Add($"role: {Str(role)}");
                }

                break;
            case NomadVariableSecret variable:
                parts.Add($"nomadVar: {Str(variable.Path)}");
                if (variable.Key != "db_password")
                {
                    parts.Add($"key: {Str(variable.Key)}");
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(secret));
        }

        return $"{{ {string.Join(", ", parts)} }}";
    }

    /// <summary>The job-level keys every kind shares (datacenters, namespace, region, node pool, priority, constraints).</summary>
    public static void AppendPlacement(StringBuilder yaml, Job job, bool withPriorityAndConstraints = true)
    {
        var datacenters = job.Datacenters;
        var (@namespace, region, nodePool) = (job.Namespace, job.Region, job.NodePool);
        var priority = withPriorityAndConstraints ? job.Priority : null;
        IEnumerable<Constraint> constraints = withPriorityAndConstraints ? job.Constraints : [];
        yaml.Append("datacenters: ").Append(List(datacenters)).Append('\n');
        if (@namespace is not null)
        {
            yaml.Append("namespace: ").Append(Str(@namespace)).Append('\n');
        }

        if (region is not null)
        {
            yaml.Append("region: ").Append(Str(region)).Append('\n');
        }

        if (nodePool is not null)
        {
            yaml.Append("nodePool: ").Append(Str(nodePool)).Append('\n');
        }

        if (priority is { } p)
        {
            yaml.Append("priority: ").Append(Num(p)).Append('\n');
        }

        var list = constraints.ToList();
        if (list.Count > 0)
        {
            yaml.Append("constraints:\n");
            foreach (var c in list)
            {
                var parts = new List<string>();
                if (c.Attribute is not null)
                {
                    parts.Add($"attribute: {Quoted(c.Attribute)}");
                }

                parts.Add($"operator: {Quoted(c.Operator)}");
                if (c.Value is not null)
                {
                    parts.Add($"value: {Quoted(c.Value)}");
                }

                yaml.Append("  - { ").Append(string.Join(", ", parts)).Append(" }\n");
            }
        }
    }

    /// <summary>A backup mapping (schedule, time zone, retention, and optionally format and volume).</summary>
    public static void AppendBackup(StringBuilder yaml, BackupPolicy backup, bool withFormatAndVolume)
    {
        yaml.Append("backup:\n");
        if (backup.Schedule.Cron is { } cron)
        {
            yaml.Append("  schedule: ").Append(Quoted(cron.Text)).Append('\n');
        }
        else if (backup.Schedule.Interval is { } interval)
        {
            yaml.Append("  interval: ").Append(Str(interval.Text)).Append('\n');
        }

        yaml.Append("  timeZone: ").Append(Str(backup.Schedule.TimeZone)).Append('\n');
        var retention = new List<string>();
        if (backup.Retention.KeepLast is { } keep)
        {
            retention.Add($"keepLast: {Num(keep)}");
        }

        if (backup.Retention.MaxAge is { } maxAge)
        {
            retention.Add($"maxAge: {Str(maxAge.Text)}");
        }

        yaml.Append("  retention: { ").Append(string.Join(", ", retention)).Append(" }\n");
        if (withFormatAndVolume)
        {
            yaml.Append("  format: ").Append(backup.Format == BackupFormat.PlainGzip ? "plain-gzip" : "custom").Append('\n');
            yaml.Append("  volume: ").Append(Str(backup.Volume)).Append('\n');
        }
    }
}

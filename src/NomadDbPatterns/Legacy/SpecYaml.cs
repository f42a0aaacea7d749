using System.Globalization;
using System.Text;
using NomadDbPatterns.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace NomadDbPatterns.Legacy;

/// <summary>
/// The spec text the migration writes. The layout (block style, the small flow mappings, comments) is written here by
/// hand; every value in it (each scalar, each flow sequence) is emitted by YamlDotNet, which decides its quoting and escaping.
/// </summary>
internal static class SpecYaml
{
    /// <summary>
    /// Strings that would read back as another type (null, booleans, numbers — YAML 1.2's and 1.1's, such as <c>yes</c>
    /// or <c>0755</c>) are double-quoted; sequences are emitted in flow style, so a scalar is always emitted as it may
    /// stand inside <c>[ ]</c> or <c>{ }</c>, which is also a form a block value may take.
    /// </summary>
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
        .WithEventEmitter(next => new FlowSequences(next))
        .Build();

    /// <summary>No line width: a scalar is never folded onto a second line of the hand-written layout.</summary>
    private static readonly EmitterSettings Settings = new(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024);

    /// <summary>
    /// A string scalar as YamlDotNet emits it: plain when that reads back as the same string, else quoted. A form that
    /// would span lines (a single-quoted scalar folds its line breaks) is double-quoted instead, where breaks are escaped.
    /// </summary>
    public static string Str(string value)
    {
        var text = Emit(value);
        return text.Contains('\n', StringComparison.Ordinal) ? Quoted(value) : text;
    }

    /// <summary>A double-quoted scalar, escaped by YamlDotNet's emitter.</summary>
    public static string Quoted(string value)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, Settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        emitter.Emit(new SequenceStart(anchor: null, tag: null, isImplicit: true, SequenceStyle.Flow));
        emitter.Emit(new Scalar(anchor: null, tag: null, value, ScalarStyle.DoubleQuoted, isPlainImplicit: true, isQuotedImplicit: true));
        emitter.Emit(new SequenceEnd());
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return Unwrap(writer.ToString());
    }

    public static string Num(int value) => Emit(value);

    public static string Bool(bool value) => Emit(value);

    /// <summary>A flow sequence of strings: <c>[a, b]</c>.</summary>
    public static string List(IEnumerable<string> values) => Serialize(values.ToArray()).TrimEnd('\n');

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
            yaml.Append("  format: ").Append(Str(backup.Format == BackupFormat.PlainGzip ? "plain-gzip" : "custom")).Append('\n');
            yaml.Append("  volume: ").Append(Str(backup.Volume)).Append('\n');
        }
    }

    private static string Emit(object value) => Unwrap(Serialize(new[] { value }));

    private static string Serialize(object graph)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Serializer.Serialize(new Emitter(writer, Settings), graph);
        return writer.ToString();
    }

    /// <summary>The one item of the flow sequence <c>[item]</c> emitted around it.</summary>
    private static string Unwrap(string text) =>
        text.StartsWith('[') && text.EndsWith("]\n", StringComparison.Ordinal)
            ? text[1..^2]
            : throw new InvalidOperationException($"YamlDotNet emitted an unexpected scalar document: {text}");

    /// <summary>Every sequence in flow style (<c>[a, b]</c>).</summary>
    private sealed class FlowSequences(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(SequenceStartEventInfo eventInfo, IEmitter emitter)
        {
            eventInfo.Style = SequenceStyle.Flow;
            base.Emit(eventInfo, emitter);
        }
    }
}

using System.Collections;
using System.Text;

namespace NomadDbPatterns.Nomad;

/// <summary>How to render a plan diff.</summary>
/// <param name="Color">Use ANSI colours (decide with <see cref="PlanDiffFormatter.ShouldUseColor"/>).</param>
/// <param name="Verbose">Expand added and removed groups and tasks too, not only edited ones.</param>
public sealed record PlanFormatOptions(bool Color = false, bool Verbose = false);

/// <summary>
/// Renders a plan diff as readable text in the manner of <c>nomad job plan</c>: <c>+</c> added, <c>-</c> removed,
/// <c>+/-</c> edited, nested by job, task group, task and object, names and values aligned.
/// </summary>
public static class PlanDiffFormatter
{
    private const string Reset = "\u001b[0m";
    private const string Bold = "\u001b[1m";
    private const string Red = "\u001b[31m";
    private const string Green = "\u001b[32m";
    private const string Yellow = "\u001b[33m";
    private const string Blue = "\u001b[34m";
    private const string Cyan = "\u001b[36m";
    private const string LightYellow = "\u001b[93m";

    /// <summary>
    /// Whether to colour output: not when <c>NO_COLOR</c> is set to anything non-empty (no-color.org), not when
    /// <c>TERM</c> is <c>dumb</c>, and not when the output is redirected to a file or pipe.
    /// </summary>
    public static bool ShouldUseColor(IDictionary environment, bool outputRedirected)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (outputRedirected || environment["NO_COLOR"] is string { Length: > 0 })
        {
            return false;
        }

        return environment["TERM"] is not "dumb";
    }

    /// <summary>Renders <paramref name="diff"/>; the text ends with a newline.</summary>
    public static string Format(JobDiff diff, PlanFormatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var writer = new Writer(options ?? new PlanFormatOptions());
        writer.Job(diff);
        return writer.ToString();
    }

    /// <summary>Renders the risks, one paragraph each, or a line saying there are none.</summary>
    public static string FormatRisks(IReadOnlyList<PlanRisk> risks, bool color = false)
    {
        ArgumentNullException.ThrowIfNull(risks);
        string Paint(string code, string text) => color ? code + text + Reset : text;
        if (risks.Count == 0)
        {
            return Paint(Green, "No data-loss risk found.") + "\n";
        }

        var text = new StringBuilder();
        text.Append(Paint(Bold + Red, $"{risks.Count} data-loss risk{(risks.Count == 1 ? "" : "s")}:")).Append('\n');
        foreach (var risk in risks)
        {
            var where = risk.TaskName is null ? $"group \"{risk.GroupName}\"" : $"group \"{risk.GroupName}\", task \"{risk.TaskName}\"";
            text.Append("  ").Append(Paint(Red, "!")).Append(' ').Append(Paint(Bold, risk.Kind.ToString()))
                .Append(" (").Append(where).Append(")\n    ").Append(risk.Message).Append('\n');
        }

        return text.ToString();
    }

    private sealed class Writer(PlanFormatOptions options)
    {
        private readonly StringBuilder text = new();

        public override string ToString() => text.ToString();

        public void Job(JobDiff job)
        {
            Line(0, Marker(job.Type) + Paint(Bold, $"Job: \"{job.ID}\""));
            var markerWidth = LongestMarker(job.Fields, job.Objects, job.TaskGroups.Select(g => g.Type));
            if (job.Type == DiffType.Edited || options.Verbose)
            {
                FieldsAndObjects(0, job.Fields, job.Objects, markerWidth);
            }

            foreach (var group in job.TaskGroups)
            {
                Group(group, markerWidth - MarkerWidth(group.Type));
                text.Append('\n');
            }
        }

        // Siblings are aligned the way `nomad job plan` aligns them: markers of different widths are padded so
        // that names start in one column.
        private void Group(TaskGroupDiff group, int pad)
        {
            var updates = group.Updates.Count == 0
                ? ""
                : " (" + string.Join(", ", group.Updates.OrderBy(u => u.Key, StringComparer.Ordinal)
                    .Select(u => Paint(UpdateColor(u.Key), $"{u.Value} {u.Key}"))) + ")";
            Line(0, Marker(group.Type) + Spaces(pad) + Paint(Bold, $"Task Group: \"{group.Name}\"") + updates);

            var markerWidth = LongestMarker(group.Fields, group.Objects, group.Tasks.Select(t => t.Type));
            var indent = pad + 2;
            if (group.Type == DiffType.Edited || options.Verbose)
            {
                FieldsAndObjects(indent, group.Fields, group.Objects, markerWidth);
            }

            foreach (var task in group.Tasks)
            {
                Task(task, indent, markerWidth - MarkerWidth(task.Type));
            }
        }

        private void Task(TaskDiff task, int indent, int pad)
        {
            var annotations = task.Annotations.Count == 0 ? "" : $" ({Annotations(task.Annotations)})";
            Line(indent, Marker(task.Type) + Spaces(pad) + Paint(Bold, $"Task: \"{task.Name}\"") + annotations);
            if (task.Type == DiffType.Edited || (task.Type != DiffType.None && options.Verbose))
            {
                FieldsAndObjects(indent + 2, task.Fields, task.Objects, LongestMarker(task.Fields, task.Objects, []));
            }
        }

        private void FieldsAndObjects(int indent, IReadOnlyList<FieldDiff> fields, IReadOnlyList<ObjectDiff> objects, int markerWidth)
        {
            var nameWidth = fields.Count == 0 ? 0 : fields.Max(f => f.Name.Length);
            foreach (var field in fields)
            {
                var value = field.Type switch
                {
                    DiffType.Added => Quote(field.New),
                    DiffType.Deleted => Quote(field.Old),
                    DiffType.Edited => $"{Quote(field.Old)} => {Quote(field.New)}",
                    _ => Quote(field.New),
                };
                var annotations = field.Annotations.Count == 0 ? "" : $" ({Annotations(field.Annotations)})";
                Line(indent, Marker(field.Type) + Spaces(markerWidth - MarkerWidth(field.Type)) +
                             $"{field.Name}: {Spaces(nameWidth - field.Name.Length)}{value}{annotations}");
            }

            foreach (var obj in objects)
            {
                var pad = markerWidth - MarkerWidth(obj.Type);
                Line(indent, Marker(obj.Type) + Spaces(pad) + obj.Name + " {");
                FieldsAndObjects(indent + pad + 2, obj.Fields, obj.Objects, LongestMarker(obj.Fields, obj.Objects, []));
                Line(indent + MarkerWidth(obj.Type) + pad, "}");
            }
        }

        private static int LongestMarker(IReadOnlyList<FieldDiff> fields, IReadOnlyList<ObjectDiff> objects, IEnumerable<DiffType> children) =>
            fields.Select(f => f.Type).Concat(objects.Select(o => o.Type)).Concat(children).Select(MarkerWidth).DefaultIfEmpty(0).Max();

        private static string Spaces(int count) => new(' ', Math.Max(0, count));

        private void Line(int indent, string content) => text.Append(' ', indent).Append(content).Append('\n');

        private static int MarkerWidth(DiffType type) => type switch
        {
            DiffType.Added or DiffType.Deleted => 2,
            DiffType.Edited => 4,
            _ => 0,
        };

        private string Marker(DiffType type) => type switch
        {
            DiffType.Added => Paint(Green, "+") + " ",
            DiffType.Deleted => Paint(Red, "-") + " ",
            DiffType.Edited => Paint(LightYellow, "+/-") + " ",
            _ => "",
        };

        private string Annotations(IReadOnlyList<string> annotations) =>
            string.Join(", ", annotations.Select(a => Paint(AnnotationColor(a), a)));

        private static string AnnotationColor(string annotation) => annotation switch
        {
            PlanAnnotationNames.ForcesCreate => Green,
            PlanAnnotationNames.ForcesDestroy => Red,
            PlanAnnotationNames.ForcesInPlaceUpdate => Cyan,
            PlanAnnotationNames.ForcesDestructiveUpdate => Yellow,
            _ => "",
        };

        private static string UpdateColor(string update) => update switch
        {
            PlanAnnotationNames.UpdateCreate => Green,
            PlanAnnotationNames.UpdateDestroy => Red,
            "migrate" => Blue,
            PlanAnnotationNames.UpdateInPlace => Cyan,
            PlanAnnotationNames.UpdateDestructive => Yellow,
            "canary" => LightYellow,
            _ => "",
        };

        private string Paint(string code, string value) => options.Color && code.Length > 0 ? code + value + Reset : value;

        // Values are shown quoted like Go's %q, so empty strings and spaces stay visible.
        private static string Quote(string value)
        {
            var quoted = new StringBuilder(value.Length + 2).Append('"');
            foreach (var c in value)
            {
                _ = c switch
                {
                    '"' => quoted.Append("\\\""),
                    '\\' => quoted.Append("\\\\"),
                    '\n' => quoted.Append("\\n"),
                    '\t' => quoted.Append("\\t"),
                    '\r' => quoted.Append("\\r"),
                    _ when char.IsControl(c) => quoted.Append($"\\u{(int)c:x4}"),
                    _ => quoted.Append(c),
                };
            }

            return quoted.Append('"').ToString();
        }
    }
}

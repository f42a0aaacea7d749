using System.Collections.ObjectModel;
using System.Text.Json.Serialization;

namespace NomadDbPatterns.Nomad;

/// <summary>Kind of a change in a plan diff (<c>structs.DiffType</c>), written as its name in JSON.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DiffType>))]
public enum DiffType
{
    /// <summary>Unchanged (present for context).</summary>
    None,

    /// <summary>Only in the new job.</summary>
    Added,

    /// <summary>Only in the old job.</summary>
    Deleted,

    /// <summary>In both, changed.</summary>
    Edited,
}

/// <summary>Well-known annotation and update names that Nomad's scheduler writes into a plan diff (<c>scheduler/annotate.go</c>).</summary>
public static class PlanAnnotationNames
{
    /// <summary>Task annotation: the change replaces the allocation.</summary>
    public const string ForcesDestructiveUpdate = "forces create/destroy update";

    /// <summary>Task annotation: the change is applied in place.</summary>
    public const string ForcesInPlaceUpdate = "forces in-place update";

    /// <summary>Task or field annotation: something is created.</summary>
    public const string ForcesCreate = "forces create";

    /// <summary>Task or field annotation: something is destroyed.</summary>
    public const string ForcesDestroy = "forces destroy";

    /// <summary>Task group <c>Updates</c> key: allocations destroyed and created anew.</summary>
    public const string UpdateDestructive = "create/destroy update";

    /// <summary>Task group <c>Updates</c> key: allocations updated in place.</summary>
    public const string UpdateInPlace = "in-place update";

    /// <summary>Task group <c>Updates</c> key: allocations created.</summary>
    public const string UpdateCreate = "create";

    /// <summary>Task group <c>Updates</c> key: allocations destroyed.</summary>
    public const string UpdateDestroy = "destroy";
}

/// <summary>What every level of a diff has: its kind of change, changed primitive fields and changed nested objects.</summary>
public abstract record DiffNode
{
    /// <summary>Kind of change.</summary>
    public DiffType Type { get; init; }

    /// <summary>Changed primitive fields; in a plan (a contextual diff) an object lists unchanged fields too, as <see cref="DiffType.None"/>.</summary>
    [JsonConverter(typeof(NullAsEmptyList<FieldDiff>))]
    public IReadOnlyList<FieldDiff> Fields { get => field ?? []; init; }

    /// <summary>Changed nested objects, such as a group's <c>Volume</c> or a task's <c>Config</c> (driver config) and <c>VolumeMount</c>.</summary>
    [JsonConverter(typeof(NullAsEmptyList<ObjectDiff>))]
    public IReadOnlyList<ObjectDiff> Objects { get => field ?? []; init; }
}

/// <summary>Diff of a whole job (<c>api.JobDiff</c>).</summary>
public sealed record JobDiff : DiffNode
{
    /// <summary>The job ID.</summary>
    public string ID { get => field ?? ""; init; }

    /// <summary>One entry per task group of the old or the new job.</summary>
    [JsonConverter(typeof(NullAsEmptyList<TaskGroupDiff>))]
    public IReadOnlyList<TaskGroupDiff> TaskGroups { get => field ?? []; init; }
}

/// <summary>Diff of a task group (<c>api.TaskGroupDiff</c>).</summary>
public sealed record TaskGroupDiff : DiffNode
{
    /// <summary>The group name (groups are matched by name, so a renamed group is one Deleted and one Added).</summary>
    public string Name { get => field ?? ""; init; }

    /// <summary>One entry per task of the old or the new group.</summary>
    [JsonConverter(typeof(NullAsEmptyList<TaskDiff>))]
    public IReadOnlyList<TaskDiff> Tasks { get => field ?? []; init; }

    /// <summary>Allocation counts by update kind, keyed by names such as <see cref="PlanAnnotationNames.UpdateDestructive"/>.</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<ulong>))]
    public IReadOnlyDictionary<string, ulong> Updates { get => field ?? ReadOnlyDictionary<string, ulong>.Empty; init; }
}

/// <summary>Diff of a task (<c>api.TaskDiff</c>).</summary>
public sealed record TaskDiff : DiffNode
{
    /// <summary>The task name (tasks are matched by name).</summary>
    public string Name { get => field ?? ""; init; }

    /// <summary>Scheduler annotations, such as <see cref="PlanAnnotationNames.ForcesDestructiveUpdate"/>.</summary>
    [JsonConverter(typeof(NullAsEmptyList<string>))]
    public IReadOnlyList<string> Annotations { get => field ?? []; init; }
}

/// <summary>Diff of a nested object (<c>api.ObjectDiff</c>), recursive.</summary>
public sealed record ObjectDiff : DiffNode
{
    /// <summary>The object kind, such as <c>Config</c>, <c>Volume</c> or <c>VolumeMount</c>.</summary>
    public string Name { get => field ?? ""; init; }
}

/// <summary>Diff of a single value (<c>api.FieldDiff</c>). Values are strings as Nomad flattens them.</summary>
public sealed record FieldDiff
{
    /// <summary>Kind of change of the value.</summary>
    public DiffType Type { get; init; }

    /// <summary>The field name, such as <c>Source</c> or, inside <c>Config</c>, <c>image</c>.</summary>
    public string Name { get => field ?? ""; init; }

    /// <summary>The old value (empty when added).</summary>
    public string Old { get => field ?? ""; init; }

    /// <summary>The new value (empty when deleted).</summary>
    public string New { get => field ?? ""; init; }

    /// <summary>Scheduler annotations, such as <see cref="PlanAnnotationNames.ForcesCreate"/> on a count change.</summary>
    [JsonConverter(typeof(NullAsEmptyList<string>))]
    public IReadOnlyList<string> Annotations { get => field ?? []; init; }

    /// <summary>The value in the old job, or null when the field did not exist there.</summary>
    public string? OldValue => Type is DiffType.Added ? null : Old;

    /// <summary>The value in the new job, or null when the field does not exist there.</summary>
    public string? NewValue => Type is DiffType.Deleted ? null : New;
}

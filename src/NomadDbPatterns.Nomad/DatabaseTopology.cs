namespace NomadDbPatterns.Nomad;

/// <summary>
/// Where a job keeps a database, as the new job spec describes it: the task group, the task that runs PostgreSQL,
/// and the labels of the group <c>volume</c> blocks that hold its data. One per database; a job may have several.
/// </summary>
/// <param name="GroupName">The task group that runs the database.</param>
/// <param name="DatabaseTaskName">The task that runs PostgreSQL.</param>
/// <param name="DataVolumeNames">Labels of the group <c>volume</c> blocks that hold the data directory.</param>
/// <param name="PostgresMajor">The PostgreSQL major the new spec runs, used when the image tag does not show it.</param>
public sealed record DatabaseTopology(
    string GroupName,
    string DatabaseTaskName,
    IReadOnlyList<string> DataVolumeNames,
    int? PostgresMajor = null)
{
    /// <inheritdoc />
    public bool Equals(DatabaseTopology? other) =>
        other is not null &&
        GroupName == other.GroupName &&
        DatabaseTaskName == other.DatabaseTaskName &&
        DataVolumeNames.SequenceEqual(other.DataVolumeNames) &&
        PostgresMajor == other.PostgresMajor;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(GroupName, DatabaseTaskName, PostgresMajor, DataVolumeNames.Count);
}

/// <summary>Kinds of change in a plan that can lose or strand database data.</summary>
public enum PlanRiskKind
{
    /// <summary>A task group that holds a database disappears (removed, or renamed: Nomad matches groups by name).</summary>
    DatabaseGroupRemoved,

    /// <summary>The task that runs a database disappears (removed or renamed).</summary>
    DatabaseTaskRemoved,

    /// <summary>A group <c>volume</c> that holds database data is removed.</summary>
    DataVolumeRemoved,

    /// <summary>The <c>source</c> (or type, or per-alloc naming) of a data volume changes: the database opens other storage.</summary>
    DataVolumeSourceChanged,

    /// <summary>The database task mounts a data volume at another destination, or no longer mounts it.</summary>
    DataVolumeMountChanged,

    /// <summary>The PostgreSQL major of the database image changes: the new server cannot open the old data directory.</summary>
    PostgresMajorChanged,

    /// <summary>The database task is destroyed and recreated (the allocation is replaced).</summary>
    DatabaseTaskDestructiveUpdate,
}

/// <summary>One data-loss risk found in a plan.</summary>
/// <param name="Kind">What kind of change it is.</param>
/// <param name="JobId">The job planned.</param>
/// <param name="GroupName">The task group concerned.</param>
/// <param name="TaskName">The task concerned, when the risk is about one task.</param>
/// <param name="Message">A sentence for the operator: what changes and why it matters.</param>
public sealed record PlanRisk(PlanRiskKind Kind, string JobId, string GroupName, string? TaskName, string Message)
{
    /// <summary>The risk as one line: <c>Kind [group/task]: message</c>.</summary>
    public override string ToString() =>
        $"{Kind} [{GroupName}{(TaskName is null ? "" : "/" + TaskName)}]: {Message}";
}

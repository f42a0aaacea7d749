namespace NomadDbPatterns.Nomad;

/// <summary>
/// Finds the changes in a Nomad plan diff that can lose or strand database data: a database group or task that
/// disappears, a data volume whose source changes or that is removed, a data volume mounted elsewhere, a PostgreSQL
/// major change, and a destructive update of the database task. Harmless changes, such as a new app image tag in
/// the same group, give no risk.
/// </summary>
/// <remarks>
/// Reads the diff as Nomad builds it for a plan (<c>nomad/structs/diff.go</c>, contextual): groups and tasks are
/// matched by name (a rename is a Deleted plus an Added entry); each changed group <c>volume</c> is an object named
/// <c>Volume</c> whose fields include <c>Name</c> and <c>Source</c>; each changed <c>volume_mount</c> is an object
/// named <c>VolumeMount</c> (matched by position) with <c>Volume</c> and <c>Destination</c>; the driver config is an
/// object named <c>Config</c> with the field <c>image</c>; the scheduler annotates tasks with
/// "forces create/destroy update" and counts per group in <c>Updates</c> (<c>scheduler/annotate.go</c>).
/// </remarks>
public static class PlanRiskAnalyzer
{
    /// <summary>Analyzes a plan of a job with one database.</summary>
    public static IReadOnlyList<PlanRisk> Analyze(JobPlanResponse plan, DatabaseTopology database) =>
        Analyze(plan, [database ?? throw new ArgumentNullException(nameof(database))]);

    /// <summary>
    /// Analyzes a plan. <paramref name="databases"/> describes the databases of the new job spec; a group removed
    /// from the spec is recognised as a database group from the diff itself (a task that ran a PostgreSQL image with a
    /// volume mounted, or that mounted a volume or had a name the descriptions use for data).
    /// </summary>
    /// <exception cref="ArgumentException">The plan has no diff (it was asked for without <c>Diff</c>).</exception>
    public static IReadOnlyList<PlanRisk> Analyze(JobPlanResponse plan, IReadOnlyCollection<DatabaseTopology> databases)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(databases);
        var diff = plan.Diff ?? throw new ArgumentException("The plan has no diff; plan with Diff = true to check for data-loss risks.", nameof(plan));

        var context = new JobContext(diff, plan.Annotations, databases);
        var risks = new List<PlanRisk>();
        foreach (var group in diff.TaskGroups)
        {
            var topology = context.TopologyOf(group.Name);
            switch (group.Type)
            {
                case DiffType.Deleted:
                    CheckRemovedGroup(context, group, topology, risks);
                    break;
                case DiffType.Edited when topology is not null:
                    CheckEditedGroup(context, group, topology, risks);
                    break;
                case DiffType.Edited:
                    CheckRemovedTasksOfUndescribedGroup(context, group, risks);
                    break;
            }
        }

        return risks;
    }

    private static void CheckRemovedGroup(JobContext context, TaskGroupDiff group, DatabaseTopology? topology, List<PlanRisk> risks)
    {
        var dbTask = group.Tasks.FirstOrDefault(t => t.Name == topology?.DatabaseTaskName)
            ?? group.Tasks.Where(t => context.DatabaseEvidence(t) > 0).MaxBy(context.DatabaseEvidence);
        if (topology is null && dbTask is null)
        {
            return;
        }

        var renamed = context.AddedDatabaseGroups.Where(g => g != group.Name).ToList();
        var hint = renamed.Count > 0 ? $" If it was renamed to {Quote(renamed)}, Nomad still sees a new group: its allocation starts fresh and may land on another node." : "";
        risks.Add(new PlanRisk(PlanRiskKind.DatabaseGroupRemoved, context.JobId, group.Name, dbTask?.Name,
            $"Task group \"{group.Name}\" runs a database{(dbTask is null ? "" : $" (task \"{dbTask.Name}\")")} and is removed: its allocation is stopped and its data is no longer served.{hint}"));
    }

    private static void CheckRemovedTasksOfUndescribedGroup(JobContext context, TaskGroupDiff group, List<PlanRisk> risks)
    {
        foreach (var task in group.Tasks.Where(t => t.Type == DiffType.Deleted && context.DatabaseEvidence(t) > 0))
        {
            risks.Add(RemovedTask(context, group, task, null));
        }
    }

    private static void CheckEditedGroup(JobContext context, TaskGroupDiff group, DatabaseTopology topology, List<PlanRisk> risks)
    {
        var dbTask = group.Tasks.FirstOrDefault(t => t.Name == topology.DatabaseTaskName);
        var dataVolumes = new HashSet<string>(topology.DataVolumeNames, StringComparer.Ordinal);
        if (dbTask is not null)
        {
            dataVolumes.UnionWith(VolumeMounts(dbTask).OldSide.Select(m => m.Volume));
        }

        var relabelled = CheckVolumes(context, group, dataVolumes, risks);

        foreach (var task in group.Tasks.Where(t => t.Type == DiffType.Deleted && t.Name != topology.DatabaseTaskName))
        {
            if (VolumeMounts(task).OldSide.Any(m => dataVolumes.Contains(m.Volume)))
            {
                risks.Add(RemovedTask(context, group, task, topology));
            }
        }

        if (dbTask is null)
        {
            return;
        }

        if (dbTask.Type == DiffType.Deleted)
        {
            risks.Add(RemovedTask(context, group, dbTask, topology));
            return;
        }

        if (dbTask.Type != DiffType.Edited)
        {
            return;
        }

        CheckMounts(context, group, dbTask, dataVolumes, relabelled, risks);
        CheckPostgresMajor(context, group, dbTask, topology, risks);
        CheckDestructiveUpdate(context, group, dbTask, risks);
    }

    /// <summary>Flags removed data volumes and changed sources; returns data volumes whose label changed but whose storage did not.</summary>
    private static Dictionary<string, string> CheckVolumes(JobContext context, TaskGroupDiff group, HashSet<string> dataVolumes, List<PlanRisk> risks)
    {
        var volumes = group.Objects.Where(o => o.Name == "Volume").ToList();
        var added = volumes.Where(v => v.Type == DiffType.Added).Select(v => VolumeSide(v, old: false)).ToList();
        var relabelled = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var volume in volumes.Where(v => v.Type != DiffType.Added))
        {
            var before = VolumeSide(volume, old: true);
            // Without a Name field (a diff that is not contextual) the volume cannot be told apart: assume it is data.
            if (before.Name is not null && !dataVolumes.Contains(before.Name))
            {
                continue;
            }

            var label = before.Name ?? "(unnamed)";
            if (volume.Type == DiffType.Deleted)
            {
                var sameStorage = added.FirstOrDefault(a => a.Storage == before.Storage && a.Name is not null);
                if (sameStorage.Name is not null)
                {
                    relabelled[label] = sameStorage.Name;
                    continue;
                }

                risks.Add(new PlanRisk(PlanRiskKind.DataVolumeRemoved, context.JobId, group.Name, null,
                    $"Data volume \"{label}\" ({before.Storage}) is removed from group \"{group.Name}\": the database no longer gets that storage."));
                continue;
            }

            var after = VolumeSide(volume, old: false);
            if (before.Storage != after.Storage)
            {
                risks.Add(new PlanRisk(PlanRiskKind.DataVolumeSourceChanged, context.JobId, group.Name, null,
                    $"Data volume \"{label}\" changes from {before.Storage} to {after.Storage}: the database will open other storage and start empty (or with other data)."));
            }
        }

        return relabelled;
    }

    private static void CheckMounts(JobContext context, TaskGroupDiff group, TaskDiff dbTask, HashSet<string> dataVolumes,
        Dictionary<string, string> relabelled, List<PlanRisk> risks)
    {
        var (oldSide, newSide) = VolumeMounts(dbTask);
        foreach (var before in oldSide.Where(m => dataVolumes.Contains(m.Volume)))
        {
            var newLabel = relabelled.GetValueOrDefault(before.Volume, before.Volume);
            var after = newSide.FirstOrDefault(m => m.Volume == newLabel);
            if (after.Volume is null)
            {
                risks.Add(new PlanRisk(PlanRiskKind.DataVolumeMountChanged, context.JobId, group.Name, dbTask.Name,
                    $"Task \"{dbTask.Name}\" no longer mounts data volume \"{before.Volume}\" (was at {before.Destination}): the database would write into the container's throw-away filesystem."));
            }
            else if (after.Destination != before.Destination)
            {
                risks.Add(new PlanRisk(PlanRiskKind.DataVolumeMountChanged, context.JobId, group.Name, dbTask.Name,
                    $"Task \"{dbTask.Name}\" mounts data volume \"{before.Volume}\" at {after.Destination} instead of {before.Destination}: PostgreSQL will not find its data directory where it was and may initialise an empty one."));
            }
        }
    }

    private static void CheckPostgresMajor(JobContext context, TaskGroupDiff group, TaskDiff dbTask, DatabaseTopology topology, List<PlanRisk> risks)
    {
        var image = dbTask.Objects.Where(o => o.Name == "Config").SelectMany(o => o.Fields).FirstOrDefault(f => f.Name == "image");
        if (image is not { Type: DiffType.Edited })
        {
            return;
        }

        var oldMajor = PostgresImage.MajorOf(image.Old);
        var newMajor = PostgresImage.MajorOf(image.New)
            ?? topology.PostgresMajor?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (oldMajor is not null && oldMajor == newMajor)
        {
            return;
        }

        var message = oldMajor is null || newMajor is null
            ? $"The database image changes from {image.Old} to {image.New} and the PostgreSQL major of {(oldMajor is null ? image.Old : image.New)} cannot be read from its tag: if the major changes, the new server refuses the old data directory."
            : $"PostgreSQL major changes from {oldMajor} to {newMajor} ({image.Old} → {image.New}): the new server refuses the old data directory; keep {oldMajor} and upgrade with `nomad-db upgrade SPEC --job {context.JobId} --to {newMajor}` (dump, restore into a new volume, verified) instead.";
        risks.Add(new PlanRisk(PlanRiskKind.PostgresMajorChanged, context.JobId, group.Name, dbTask.Name, message));
    }

    private static void CheckDestructiveUpdate(JobContext context, TaskGroupDiff group, TaskDiff dbTask, List<PlanRisk> risks)
    {
        var annotated = dbTask.Annotations.Contains(PlanAnnotationNames.ForcesDestructiveUpdate);
        var groupCount = context.DestructiveUpdates(group);
        if (!annotated && groupCount == 0)
        {
            return;
        }

        var count = groupCount > 0 ? $" ({groupCount} allocation{(groupCount == 1 ? "" : "s")})" : "";
        risks.Add(new PlanRisk(PlanRiskKind.DatabaseTaskDestructiveUpdate, context.JobId, group.Name, dbTask.Name,
            $"Task \"{dbTask.Name}\" changes and its allocation is destroyed and recreated{count}: the database stops, and the new allocation may be placed on a node whose host volume holds other data or none. Take a backup first."));
    }

    private static PlanRisk RemovedTask(JobContext context, TaskGroupDiff group, TaskDiff task, DatabaseTopology? topology)
    {
        var replacement = topology is not null && task.Name != topology.DatabaseTaskName &&
                          group.Tasks.Any(t => t.Name == topology.DatabaseTaskName && t.Type == DiffType.Added)
            ? $" If it was renamed to \"{topology.DatabaseTaskName}\", check that the new task mounts the same data volume at the same path."
            : "";
        return new PlanRisk(PlanRiskKind.DatabaseTaskRemoved, context.JobId, group.Name, task.Name,
            $"Task \"{task.Name}\" in group \"{group.Name}\" runs a database and is removed.{replacement}");
    }

    private static (string? Name, string Storage) VolumeSide(ObjectDiff volume, bool old)
    {
        string? Value(string field) =>
            volume.Fields.FirstOrDefault(f => f.Name == field) is { } f ? (old ? f.OldValue : f.NewValue) : null;

        var perAlloc = Value("PerAlloc") == "true" ? " per alloc" : "";
        return (Value("Name"), $"{Value("Type") ?? "?"} volume \"{Value("Source") ?? "?"}\"{perAlloc}");
    }

    internal readonly record struct Mount(string Volume, string Destination);

    /// <summary>The mounts the diff shows before and after. Unchanged mounts are absent from a diff.</summary>
    internal static (IReadOnlyList<Mount> OldSide, IReadOnlyList<Mount> NewSide) VolumeMounts(TaskDiff task)
    {
        var oldSide = new List<Mount>();
        var newSide = new List<Mount>();
        foreach (var mount in task.Objects.Where(o => o.Name == "VolumeMount"))
        {
            var volume = mount.Fields.FirstOrDefault(f => f.Name == "Volume");
            var destination = mount.Fields.FirstOrDefault(f => f.Name == "Destination");
            if (mount.Type != DiffType.Added && volume?.OldValue is { Length: > 0 } oldVolume)
            {
                oldSide.Add(new Mount(oldVolume, destination?.OldValue ?? "?"));
            }

            if (mount.Type != DiffType.Deleted && volume?.NewValue is { Length: > 0 } newVolume)
            {
                newSide.Add(new Mount(newVolume, destination?.NewValue ?? "?"));
            }
        }

        return (oldSide, newSide);
    }

    private static string Quote(IEnumerable<string> names) => string.Join(" or ", names.Select(n => $"\"{n}\""));

    private sealed class JobContext(JobDiff diff, PlanAnnotations? annotations, IReadOnlyCollection<DatabaseTopology> databases)
    {
        private readonly Dictionary<string, DatabaseTopology> byGroup =
            databases.GroupBy(d => d.GroupName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        private readonly HashSet<string> dataVolumeNames = databases.SelectMany(d => d.DataVolumeNames).ToHashSet(StringComparer.Ordinal);
        private readonly HashSet<string> databaseTaskNames = databases.Select(d => d.DatabaseTaskName).ToHashSet(StringComparer.Ordinal);

        public string JobId { get; } = diff.ID;

        public IReadOnlyList<string> AddedDatabaseGroups { get; } =
            diff.TaskGroups.Where(g => g.Type == DiffType.Added && databases.Any(d => d.GroupName == g.Name)).Select(g => g.Name).ToList();

        public DatabaseTopology? TopologyOf(string groupName) => byGroup.GetValueOrDefault(groupName);

        public ulong DestructiveUpdates(TaskGroupDiff group) =>
            group.Updates.TryGetValue(PlanAnnotationNames.UpdateDestructive, out var count) && count > 0
                ? count
                : annotations?.DesiredTGUpdates.GetValueOrDefault(group.Name)?.DestructiveUpdate ?? 0;

        /// <summary>
        /// For tasks outside any description (a removed or undescribed group), how strongly the diff says the task
        /// held a database: 4 it bore a described database task's name, 3 it mounted a volume a description calls
        /// data, 2 it mounted a volume where the official image keeps PGDATA (under /var/lib/postgresql), 1 it ran a
        /// PostgreSQL image with some volume mounted, 0 none of these.
        /// </summary>
        public int DatabaseEvidence(TaskDiff task)
        {
            var mounts = VolumeMounts(task).OldSide;
            var image = task.Objects.Where(o => o.Name == "Config").SelectMany(o => o.Fields).FirstOrDefault(f => f.Name == "image")?.OldValue;
            return databaseTaskNames.Contains(task.Name) ? 4
                : mounts.Any(m => dataVolumeNames.Contains(m.Volume)) ? 3
                : mounts.Any(m => m.Destination.StartsWith("/var/lib/postgresql", StringComparison.Ordinal)) ? 2
                : image is not null && PostgresImage.IsPostgres(image) && mounts.Count > 0 ? 1
                : 0;
        }
    }
}

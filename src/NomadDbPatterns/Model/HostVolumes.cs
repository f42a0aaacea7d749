namespace NomadDbPatterns.Model;

/// <summary>How the host volumes a job mounts come to exist on a node.</summary>
public enum VolumeProvisioning
{
    /// <summary>
    /// Nomad 1.10+ dynamic host volumes: <c>render</c> writes one volume specification per volume for
    /// <c>nomad volume create</c> (the built-in <c>mkdir</c> plugin creates the directory with the right owner).
    /// </summary>
    Dynamic,

    /// <summary>
    /// Static host volumes in the client's configuration: <c>render</c> writes a <c>client { host_volume … }</c>
    /// snippet for the agent's configuration directory, with the commands that create the directories.
    /// </summary>
    Static,

    /// <summary>The volumes exist already (or are provisioned elsewhere): nothing is written.</summary>
    None,
}

/// <summary>How a job's host volumes are provisioned.</summary>
/// <param name="Provision">Dynamic (the default), static or none.</param>
/// <param name="Path">Static volumes only: the directory on the node that holds one directory per volume.</param>
public sealed record HostVolumeSettings(VolumeProvisioning Provision, string Path)
{
    /// <summary>Dynamic host volumes; static ones would live under <see cref="Defaults.HostVolumePath"/>.</summary>
    public static HostVolumeSettings Default { get; } = new(VolumeProvisioning.Dynamic, Defaults.HostVolumePath);
}

/// <summary>One host volume a job's files mount, with what its directory must look like on the node.</summary>
/// <param name="Name">The group's volume name (<c>postgres-data</c>, <c>backups</c>, an app volume's name).</param>
/// <param name="Source">The host volume's name on the node.</param>
/// <param name="ReadOnly">Mounted read-only.</param>
/// <param name="Purpose">What it holds, for the comments of the provisioning files.</param>
/// <param name="Owner">The uid and gid that must own the directory, or null when the generator cannot know (an app's own volume).</param>
/// <param name="Mode">The directory's permission bits, octal.</param>
/// <param name="InBackupJob">Mounted by the periodic backup job (<c>&lt;job&gt;-backup</c>) rather than the service job.</param>
internal sealed record HostVolumeUse(string Name, string Source, bool ReadOnly, string Purpose, (int Uid, int Gid)? Owner, string Mode, bool InBackupJob = false);

/// <summary>The host volumes of a job: the one list the job's group volumes and its provisioning files are made from.</summary>
internal static class HostVolumeFacts
{
    /// <summary>Every host volume the job's files mount, in the order the group declares them.</summary>
    public static IReadOnlyList<HostVolumeUse> MountedHostVolumes(this ServiceJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var volumes = new List<HostVolumeUse>();
        if (job.Postgres is { } pg)
        {
            var uid = PostgresImages.PostgresUid(pg);
            var owner = (uid, uid);
            volumes.Add(new HostVolumeUse(JobFacts.DataVolumeName, job.DataVolumeSource(), false,
                $"the PostgreSQL {pg.Version} data directory (owned by the postgres user of {pg.ImageReference}, uid {uid})", owner, "0700"));
        }

        if (job.Sqlite is { } sqlite)
        {
            volumes.Add(new HostVolumeUse(JobFacts.SqliteVolumeName, sqlite.Volume, false, $"the SQLite database {sqlite.File}", null, "0755"));
        }

        if (job.Backup is { } backup)
        {
            volumes.Add(new HostVolumeUse(JobFacts.BackupVolumeName, backup.Volume, false, "the backups (written by the backup task, as root)", (0, 0), "0700", job.HasPeriodicBackup()));
        }

        volumes.AddRange(job.App.Volumes.Select(v => new HostVolumeUse(v.Name, v.Source, v.ReadOnly, $"the app's {v.Destination}", null, "0755")));
        foreach (var task in job.Tasks)
        {
            // A volume the app or an earlier task mounts is the same group volume (validation keeps them alike).
            volumes.AddRange(task.Volumes.Where(v => !volumes.Any(u => u.Name == v.Name))
                .Select(v => new HostVolumeUse(v.Name, v.Source, v.ReadOnly, $"the {task.Name} task's {v.Destination}", null, "0755")));
        }

        return volumes;
    }
}

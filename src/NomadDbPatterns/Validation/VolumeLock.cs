using System.Text.Json;
using System.Text.Json.Serialization;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>What a PostgreSQL data volume was initialised with.</summary>
/// <param name="Job">The job that owns it.</param>
/// <param name="Major">The PostgreSQL major that ran initdb on it.</param>
/// <param name="Database">The database the image created.</param>
/// <param name="User">The user the image created.</param>
public sealed record LockedVolume(string Job, int Major, string Database, string User);

/// <summary>
/// The upgrade guard's memory (<c>nomad-db.lock</c>, committed beside the rendered jobs): per data volume, the major,
/// database and user it was initialised with. A data directory cannot be opened by another major, and the image
/// creates database and user only on an empty directory, so changing any of them on an existing volume is refused
/// unless the spec declares the upgrade.
/// </summary>
public sealed class VolumeLock
{
    /// <summary>Conventional file name.</summary>
    public const string FileName = "nomad-db.lock";

    private readonly SortedDictionary<string, LockedVolume> _volumes;

    private VolumeLock(SortedDictionary<string, LockedVolume> volumes) => _volumes = volumes;

    /// <summary>Recorded volumes by host volume name.</summary>
    public IReadOnlyDictionary<string, LockedVolume> Volumes => _volumes;

    /// <summary>An empty lock.</summary>
    public static VolumeLock Empty() => new(new SortedDictionary<string, LockedVolume>(StringComparer.Ordinal));

    /// <summary>Reads a lock file, or an empty lock when it does not exist.</summary>
    public static VolumeLock Load(string path)
    {
        if (!File.Exists(path))
        {
            return Empty();
        }

        var file = JsonSerializer.Deserialize(File.ReadAllText(path), VolumeLockJson.Default.LockFile)
            ?? throw new InvalidDataException($"{path} is not a nomad-db lock file.");
        return new VolumeLock(new SortedDictionary<string, LockedVolume>(file.Volumes ?? [], StringComparer.Ordinal));
    }

    /// <summary>Checks every job with PostgreSQL against the recorded volumes.</summary>
    public IReadOnlyList<Diagnostic> Check(IReadOnlyList<LoadedJob> jobs)
    {
        var diagnostics = new List<Diagnostic>();
        foreach (var loaded in jobs)
        {
            var job = loaded.Job;
            if (job.Postgres is not { } pg || !_volumes.TryGetValue(job.DataVolumeSource(), out var locked))
            {
                continue;
            }

            var volume = job.DataVolumeSource();
            if (locked.Major != pg.Version && pg.UpgradeFrom != locked.Major)
            {
                const string path = "postgres.version";
                diagnostics.Add(Diagnostic.Error(
                    ErrorCodes.MajorUpgrade,
                    $"data volume '{volume}' was initialised by PostgreSQL {locked.Major} ({FileName}); PostgreSQL {pg.Version} cannot open it. "
                    + $"Safe paths: dump and restore into a new volume (pg_dump/pg_restore, e.g. from the latest backup), or run pg_upgrade; "
                    + $"then declare `postgres.upgradeFrom: {locked.Major}`, or use a new `postgres.volume`",
                    loaded.PathOf(path),
                    loaded.Locate(path)));
            }

            if (locked.Database != job.DatabaseName() || locked.User != job.DatabaseUser())
            {
                diagnostics.Add(Diagnostic.Error(
                    ErrorCodes.DatabaseIdentity,
                    $"data volume '{volume}' holds database '{locked.Database}' owned by '{locked.User}' ({FileName}); the spec now says '{job.DatabaseName()}'/'{job.DatabaseUser()}'. "
                    + "The image creates them only on an empty data directory, so the app would find no data or fail to log in. Keep the recorded names or use a new volume",
                    loaded.PathOf("postgres"),
                    loaded.Locate("postgres")));
            }
        }

        return diagnostics;
    }

    /// <summary>
    /// Checks legacy shared instances: their data volume keeps its major (a shared instance declares no upgrade: its
    /// services move to dedicated databases instead) and its admin role, which the image created on the empty volume.
    /// </summary>
    public IReadOnlyList<Diagnostic> CheckShared(IReadOnlyList<LoadedSharedPostgres> instances)
    {
        var diagnostics = new List<Diagnostic>();
        foreach (var loaded in instances)
        {
            var job = loaded.Job;
            var volume = job.DataVolumeSource();
            if (!_volumes.TryGetValue(volume, out var locked))
            {
                continue;
            }

            if (locked.Major != job.Postgres.Version)
            {
                const string path = "postgres.version";
                diagnostics.Add(Diagnostic.Error(
                    ErrorCodes.MajorUpgrade,
                    $"data volume '{volume}' of the shared instance was initialised by PostgreSQL {locked.Major} ({FileName}); PostgreSQL {job.Postgres.Version} cannot open it. "
                    + "Keep the major, and move services to dedicated databases (nomad-db migrate) instead of upgrading the shared instance",
                    loaded.PathOf(path),
                    loaded.Locate(path)));
            }

            if (locked.User != job.Postgres.AdminUser)
            {
                const string path = "postgres.user";
                diagnostics.Add(Diagnostic.Error(
                    ErrorCodes.DatabaseIdentity,
                    $"data volume '{volume}' was initialised with admin role '{locked.User}' ({FileName}); the spec now says '{job.Postgres.AdminUser}', which does not exist there",
                    loaded.PathOf(path),
                    loaded.Locate(path)));
            }
        }

        return diagnostics;
    }

    /// <summary>The lock after rendering <paramref name="jobs"/>: new volumes added, declared upgrades recorded.</summary>
    public VolumeLock Update(IEnumerable<ServiceJob> jobs) => Update(jobs, []);

    /// <summary>The lock after rendering service jobs and legacy shared instances.</summary>
    public VolumeLock Update(IEnumerable<ServiceJob> jobs, IEnumerable<SharedPostgresJob> sharedInstances)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(sharedInstances);
        var volumes = new SortedDictionary<string, LockedVolume>(_volumes, StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            if (job.Postgres is { } pg)
            {
                volumes[job.DataVolumeSource()] = new LockedVolume(job.Name, pg.Version, job.DatabaseName(), job.DatabaseUser());
            }
        }

        foreach (var job in sharedInstances)
        {
            // The image creates POSTGRES_DB = POSTGRES_USER (the admin role) on the empty volume.
            volumes[job.DataVolumeSource()] = new LockedVolume(job.Name, job.Postgres.Version, job.Postgres.AdminUser, job.Postgres.AdminUser);
        }

        return new VolumeLock(volumes);
    }

    /// <summary>The file's text: sorted, indented JSON with a final newline (stable for diffs).</summary>
    public string ToText() =>
        JsonSerializer.Serialize(new LockFile { Comment = "nomad-db: what each PostgreSQL data volume was initialised with. Commit this file; see `nomad-db explain NDB070`.", Version = 1, Volumes = new Dictionary<string, LockedVolume>(_volumes) }, VolumeLockJson.Default.LockFile).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";

    internal sealed class LockFile
    {
        [JsonPropertyName("//")]
        public string? Comment { get; set; }

        public int Version { get; set; }

        public Dictionary<string, LockedVolume>? Volumes { get; set; }
    }
}

/// <summary>
/// The lock file's JSON contract, generated at build time: no reflection at run time, which keeps the CLI's start-up
/// short and lets it be compiled ahead of time.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VolumeLock.LockFile))]
internal sealed partial class VolumeLockJson : JsonSerializerContext;

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
internal sealed record LockedVolume(string Job, int Major, string Database, string User);

/// <summary>
/// The upgrade guard's memory (<c>nomad-db.lock</c>, committed beside the rendered jobs): per data volume, the major,
/// database and user it was initialised with. A data directory cannot be opened by another major, and the image
/// creates database and user only on an empty directory, so changing any of them on an existing volume is refused
/// unless the spec declares the upgrade.
/// </summary>
internal sealed class VolumeLock
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
    /// <exception cref="InvalidDataException">The file is not a lock file (the message names the file, line and column).</exception>
    public static VolumeLock Load(string path)
    {
        var diagnostics = new List<Diagnostic>();
        return TryLoad(path, diagnostics) ?? throw new InvalidDataException(diagnostics[0].ToString());
    }

    /// <summary>Reads a lock file (an empty lock when it does not exist), or null with an NDB092 diagnostic naming the file and line.</summary>
    internal static VolumeLock? TryLoad(string path, List<Diagnostic> diagnostics)
    {
        if (Directory.Exists(path))
        {
            diagnostics.Add(Diagnostic.Error(ErrorCodes.LockFile, "the lock is a directory; give the lock file's path (e.g. jobs/nomad-db.lock)", string.Empty, new SourceLocation(path, 1, 1)));
            return null;
        }

        if (!File.Exists(path))
        {
            return new FileInfo(path).LinkTarget is { } target
                ? Fail(diagnostics, path, 1, 1, string.Empty, $"symbolic link to '{target}', which does not exist")
                : Empty();
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException) when (new FileInfo(path).LinkTarget is { } target)
        {
            return Fail(diagnostics, path, 1, 1, string.Empty, $"symbolic link to '{target}', which does not exist");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return Fail(diagnostics, path, 1, 1, string.Empty, $"cannot read the lock file: {exception.Message}");
        }

        LockFile? file;
        try
        {
            file = JsonSerializer.Deserialize(text, VolumeLockJson.Default.LockFile);
        }
        catch (JsonException exception)
        {
            var line = (int)(exception.LineNumber ?? 0) + 1;
            var column = (int)(exception.BytePositionInLine ?? 0) + 1;
            var conflict = text.Contains("\n<<<<<<<", StringComparison.Ordinal) || text.StartsWith("<<<<<<<", StringComparison.Ordinal) ? " (it holds merge conflict markers)" : string.Empty;
            return Fail(diagnostics, path, line, column, JsonPath(exception.Path), $"not a valid nomad-db lock file{conflict}: {Reason(exception)}");
        }

        if (file is null)
        {
            return Fail(diagnostics, path, 1, 1, string.Empty, "not a valid nomad-db lock file: it holds `null` instead of {\"version\": 1, \"volumes\": {...}}");
        }

        if (file.Version != 1)
        {
            return Fail(diagnostics, path, LineOf(text, "\"version\""), 1, "version", $"unsupported lock file version {file.Version} (this nomad-db reads version 1)");
        }

        if (file.Volumes is null)
        {
            return Fail(diagnostics, path, 1, 1, "volumes", "not a valid nomad-db lock file: `volumes` is missing");
        }

        var failed = false;
        foreach (var (volume, entry) in file.Volumes)
        {
            var problem = entry switch
            {
                null => "is null",
                { Job: null or "" } => "has no `job`",
                { Database: null or "" } => "has no `database`",
                { User: null or "" } => "has no `user`",
                { Major: < 1 or > 999 } => $"has no valid `major` ({entry.Major})",
                _ => null,
            };
            if (problem is not null)
            {
                Fail(diagnostics, path, LineOf(text, JsonSerializer.Serialize(volume, VolumeLockJson.Default.String)), 1, $"volumes.{volume}", $"not a valid nomad-db lock file: the entry of volume '{volume}' {problem}");
                failed = true;
            }
        }

        return failed ? null : new VolumeLock(new SortedDictionary<string, LockedVolume>(file.Volumes, StringComparer.Ordinal));
    }

    private static VolumeLock? Fail(List<Diagnostic> diagnostics, string path, int line, int column, string specPath, string message)
    {
        diagnostics.Add(Diagnostic.Error(ErrorCodes.LockFile, message + "; restore it from version control or resolve the merge, see `nomad-db explain NDB092`", specPath, new SourceLocation(path, line, column)));
        return null;
    }

    private static string JsonPath(string? path) => path is null or "$" ? string.Empty : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>The parser's reason without its position suffix (the position is in the location).</summary>
    private static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var reason = cut > 0 ? message[..cut] : message;
        if (reason.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            reason = exception.Path is { Length: > 1 } at ? $"the value at {JsonPath(at)} has the wrong type" : "the file is not a JSON object";
        }

        reason = reason.TrimEnd('.');
        return reason.Length > 200 ? reason[..200] + "…" : reason;
    }

    /// <summary>The first line holding <paramref name="needle"/> (1 when none does).</summary>
    private static int LineOf(string text, string needle)
    {
        var index = text.IndexOf(needle, StringComparison.Ordinal);
        return index < 0 ? 1 : text.AsSpan(0, index).Count('\n') + 1;
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
                    + $"Keep version {locked.Major} in the spec and run `nomad-db upgrade SPEC --job {job.Name} --to {pg.Version}`: it dumps, restores into PostgreSQL {pg.Version} "
                    + $"on a new volume and checks every row count, and its RUNBOOK.md switches the spec; (after a pg_upgrade of your own, declare `postgres.upgradeFrom: {locked.Major}`)",
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
[JsonSerializable(typeof(string))]
internal sealed partial class VolumeLockJson : JsonSerializerContext;

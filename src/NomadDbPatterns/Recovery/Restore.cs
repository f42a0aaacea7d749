using System.Text;
using System.Text.RegularExpressions;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Recovery;

/// <summary>Where a restore goes.</summary>
public enum RestoreTarget
{
    /// <summary>A new, empty data volume (<c>&lt;data volume&gt;-restored</c>); the job switches to it only when the operator says so.</summary>
    NewVolume,

    /// <summary>The job's own data volume: the database is dropped, created again and restored (the app must be stopped).</summary>
    InPlace,
}

/// <summary>What to restore and where.</summary>
public sealed record RestoreOptions
{
    /// <summary>The value of <see cref="From"/> that picks the newest good backup.</summary>
    public const string Latest = "latest";

    /// <summary>The value of <see cref="From"/> that fetches the newest offsite copy (restic) and restores its newest good backup.</summary>
    public const string Offsite = "offsite";

    /// <summary><see cref="Latest"/>, or a backup's file name on the backup volume (<c>NAME-YYYYmmddTHHMMSSZ.dump</c>).</summary>
    public string From { get; init; } = Latest;

    /// <summary>Where the backup is restored.</summary>
    public RestoreTarget Into { get; init; } = RestoreTarget.NewVolume;

    /// <summary>The spec named in headers and the runbook (default <c>&lt;job&gt;.yaml</c>).</summary>
    public string? SourceName { get; init; }

    /// <summary>Template overrides, or null for the embedded templates.</summary>
    public TemplateSet? Templates { get; init; }

    /// <summary>
    /// A point-in-time restore (continuous archiving, <c>backup.pitr</c>): <c>latest</c> (the end of the WAL archive)
    /// or a UTC moment; null for a restore from a dump.
    /// </summary>
    public PointInTime? Until { get; init; }
}

/// <summary>The target of a point-in-time restore: the end of the WAL archive, or a moment (UTC, whole seconds).</summary>
public sealed record PointInTime
{
    private PointInTime(DateTimeOffset? moment) => Moment = moment;

    /// <summary>The end of the WAL archive: everything archived.</summary>
    public static PointInTime Latest { get; } = new((DateTimeOffset?)null);

    /// <summary>The moment, or null for <see cref="Latest"/>.</summary>
    public DateTimeOffset? Moment { get; }

    /// <summary>A moment, in UTC and whole seconds (what recovery_target_time is given).</summary>
    public static PointInTime At(DateTimeOffset moment) => new(new DateTimeOffset(moment.UtcTicks - (moment.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero));

    /// <summary>Reads <c>latest</c> or an ISO 8601 time with an offset (<c>2026-12-04T13:05:00Z</c>, <c>2026-12-04T14:05:00+01:00</c>), or null.</summary>
    public static PointInTime? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "latest")
        {
            return Latest;
        }

        return text.Contains('T', StringComparison.Ordinal) && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal))
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var moment)
            ? At(moment)
            : null;
    }

    /// <summary><c>latest</c> or <c>YYYY-MM-DDTHH:MM:SSZ</c>, as the restore script reads it.</summary>
    public override string ToString() => Moment is { } moment ? moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "latest";
}

/// <summary>Everything <c>nomad-db restore</c> writes for one job, or why it cannot.</summary>
/// <param name="Job">The job whose database is restored.</param>
/// <param name="Files">The files to write (empty on error).</param>
/// <param name="Diagnostics">Errors that prevent the restore.</param>
public sealed record RestorePlan(string Job, IReadOnlyList<RenderedFile> Files, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when there is no error.</summary>
    public bool Success => Diagnostics.All(d => d.Severity != Severity.Error);

    /// <summary>The host volume the backup is restored into.</summary>
    public string? TargetVolume { get; init; }

    /// <summary>The restore job's name.</summary>
    public string RestoreJobName => $"{Job}-restore";
}

/// <summary>
/// Restores a service's database from its backups as a generated, verified one-shot job: the backup's checksum is
/// checked, it is restored in one transaction, and every table's row count is compared with the backup's manifest.
/// </summary>
public static partial class Restore
{
    /// <summary>The runbook's file name.</summary>
    public const string RunbookFileName = "RUNBOOK.md";

    /// <summary>Plans the restore of <paramref name="job"/>'s database (a valid model with backups: PostgreSQL or SQLite).</summary>
    public static RestorePlan Plan(ServiceJob job, RestoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        options ??= new RestoreOptions();
        var templates = options.Templates ?? TemplateSet.Embedded;
        var sourceName = options.SourceName ?? $"{job.Name}.yaml";
        var invalid = NomadDb.Validate([job]).Where(d => d.Severity == Severity.Error).ToList();
        if (invalid.Count > 0)
        {
            return new RestorePlan(job.Name, [], invalid);
        }

        if (job.Backup is null)
        {
            return Failure(job, "backup", "the job has no backups to restore from (`backup:`)");
        }

        if (options.From == RestoreOptions.Offsite && (job.Backup.Offsite is null || job.Postgres is null))
        {
            return Failure(job, "backup.offsite", job.Postgres is null
                ? "--from offsite restores PostgreSQL dumps; for a SQLite service, fetch the copy with restic and restore the file (RUNBOOK of the backups)"
                : "--from offsite needs `backup.offsite`: the job keeps no offsite copies");
        }

        if (options.From is not (RestoreOptions.Latest or RestoreOptions.Offsite) && !BackupFileName().IsMatch(options.From))
        {
            var example = job.Sqlite is { } store ? $"{Path.GetFileNameWithoutExtension(store.File)}-20261204T030000Z.sqlite" : $"{job.DatabaseName()}-20261204T030000Z.dump";
            return Failure(job, string.Empty, $"'{Echo.Value(options.From)}' is neither `latest` nor a backup file name such as {example}");
        }

        if (job.Postgres is not { } pg)
        {
            return options.Until is null
                ? PlanSqlite(job, job.Sqlite!, options, templates, sourceName)
                : Failure(job, "sqlite", "a point-in-time restore replays PostgreSQL's WAL; a SQLite service restores one of its file copies");
        }

        if (options.Until is { } until)
        {
            return PlanPitr(job, pg, until, options, templates, sourceName);
        }

        // The restore runs the job's own PostgreSQL task; on a new volume it is that task on the new volume. Its init
        // SQL is left to the job's next start (it must be idempotent), so the restore meets an empty database.
        var target = options.Into == RestoreTarget.NewVolume
            ? job with { Postgres = pg with { Volume = $"{job.DataVolumeSource()}-restored", Extensions = [], InitSql = [] }, Backup = job.Backup with { Pitr = null } }
            : job with { Postgres = pg with { Extensions = [], InitSql = [] }, Backup = job.Backup with { Pitr = null } };
        var restoreJob = RestoreDocBuilder.JobName(job);
        var targetDoc = new ServiceJobDocBuilder(target, sourceName, templates).BuildServiceJob();
        var doc = new RestoreDocBuilder(job, target, targetDoc, options, sourceName).Build();
        var files = OneShotFiles(job, restoreJob, doc, (ScriptsVariable.RestoreKey, "restore-database.sh"), options.Into == RestoreTarget.NewVolume ? target : null, JobFacts.DataVolumeName, templates, sourceName);

        if (PasswordPolicy(job, restoreJob, RestoreDocBuilder.GroupName, sourceName) is { } policy)
        {
            files.Add(policy);
        }

        files.AddRange(SharedScripts(job, templates));
        var plan = new RestorePlan(job.Name, files, []) { TargetVolume = target.DataVolumeSource() };
        files.Add(new RenderedFile(RunbookFileName, Runbook(job, plan, options, sourceName)));
        return plan;
    }

    /// <summary>
    /// What every one-shot recovery job comes with: its job file, its script in its own variable, and (dynamic host
    /// volumes) the specification of the new volume it fills, renamed after the one-shot job.
    /// </summary>
    internal static List<RenderedFile> OneShotFiles(ServiceJob job, string oneShotJob, JobDoc doc, (string Key, string File) script, ServiceJob? newVolume, string volumeName, TemplateSet templates, string sourceName)
    {
        var files = new List<RenderedFile>
        {
            new($"{oneShotJob}.nomad.hcl", new SharedPostgresRenderer(templates).Write(doc, JobFormat.Hcl)),
            new(ScriptsVariable.OneJobFileName(oneShotJob), ScriptsVariable.ForOneJob(templates, oneShotJob, script.Key, script.File).Render(job.Namespace, JobFormat.Hcl)),
        };
        if (newVolume is not null && job.HostVolumes.Provision == VolumeProvisioning.Dynamic)
        {
            var volumeFile = HostVolumeFiles.DynamicFileName(job.Name, volumeName, JobFormat.Hcl);
            files.AddRange(new JobRenderer(templates).RenderVolumesAndPolicies(newVolume, sourceName)
                .Where(f => f.FileName == volumeFile)
                .Select(f => f with { FileName = HostVolumeFiles.DynamicFileName(oneShotJob, volumeName, JobFormat.Hcl) }));
        }

        return files;
    }

    /// <summary>The shared scripts variable of the job's namespace (the one-shot jobs read backup-lib.sh from it).</summary>
    internal static IEnumerable<RenderedFile> SharedScripts(ServiceJob job, TemplateSet templates)
    {
        var renderer = new JobRenderer(templates);
        return ScriptsVariable.NamespacesOf([job], []).Select(ns => renderer.RenderScripts(ns));
    }

    /// <summary>
    /// The Nomad ACL policy a one-shot job needs to read <paramref name="job"/>'s database password from a Nomad Variable
    /// (its identity reads only nomad/jobs/ONE-SHOT-JOB implicitly), or null when it needs none (Vault, or a path it may read).
    /// </summary>
    internal static RenderedFile? PasswordPolicy(ServiceJob job, string oneShotJob, string group, string sourceName)
    {
        var offsite = job.Backup?.Offsite?.Secrets ?? [];
        var paths = PolicyFiles.VariablePathsNeedingPolicy(oneShotJob, group, [job.Postgres!.Password, .. offsite]);
        return paths.Count == 0
            ? null
            : new RenderedFile(PolicyFiles.NomadPolicyFileName(oneShotJob), PolicyFiles.NomadVariablesPolicy(oneShotJob, job.Namespace, paths, $"the database password of job \"{job.Name}\"", sourceName));
    }

    /// <summary>The runbook line applying <see cref="PasswordPolicy"/>'s file, if the plan has one.</summary>
    internal static void AppendPolicyApply(StringBuilder md, ServiceJob job, string oneShotJob, IEnumerable<RenderedFile> files)
    {
        if (files.Any(f => f.FileName == PolicyFiles.NomadPolicyFileName(oneShotJob)))
        {
            md.Append($"nomad acl policy apply -namespace {job.Namespace ?? Defaults.Namespace} -job {oneShotJob} {oneShotJob}-variables {PolicyFiles.NomadPolicyFileName(oneShotJob)}   # lets it read the password of `{job.Name}`\n");
        }
    }

    /// <summary>Running a one-shot job and reading its verdict, as the runbooks write it.</summary>
    internal static void AppendOneShot(StringBuilder md, string jobName, string task, string ok, string failed)
    {
        md.Append($"nomad job run {jobName}.nomad.hcl\n");
        md.Append($"nomad job status {jobName}   # wait until the allocation is complete (Status = dead)\n");
        md.Append($"ALLOC=$(nomad job allocs -t '{{{{ range . }}}}{{{{ println .ID }}}}{{{{ end }}}}' {jobName} | head -n 1)\n");
        md.Append($"nomad alloc logs \"$ALLOC\" {task}            # ends with: {ok}\n");
        md.Append($"nomad alloc logs -stderr \"$ALLOC\" {task}    # on failure: {failed}\n");
        md.Append($"nomad job stop -purge {jobName}\n");
    }

    private static RestorePlan Failure(ServiceJob job, string path, string message) =>
        new(job.Name, [], [Diagnostic.Error(ErrorCodes.InvalidValue, message, path)]);

    /// <summary>A point-in-time restore onto a new volume, from the base backups and the WAL archive.</summary>
    private static RestorePlan PlanPitr(ServiceJob job, PostgresSidecar pg, PointInTime until, RestoreOptions options, TemplateSet templates, string sourceName)
    {
        if (job.Backup!.Pitr is null)
        {
            return Failure(job, "backup.pitr", "a point-in-time restore needs continuous archiving: add `backup.pitr: { baseBackup: \"0 1 * * *\" }` (restores are possible from its first base backup on)");
        }

        if (options.Into != RestoreTarget.NewVolume || options.From != RestoreOptions.Latest)
        {
            return Failure(job, "backup.pitr", "a point-in-time restore goes onto a new volume from the base backups and the WAL archive: --until takes neither --into in-place nor --from");
        }

        var restoreJob = RestoreDocBuilder.JobName(job);
        // The restored server recovers with the job's own settings, without archiving (it would write a second
        // cluster's WAL beside the first); the switched job archives into its new volume's own archive.
        var target = job with { Postgres = pg with { Volume = $"{job.DataVolumeSource()}-restored", Extensions = [], InitSql = [] }, Backup = job.Backup with { Pitr = null } };
        var targetDoc = new ServiceJobDocBuilder(target, sourceName, templates).BuildServiceJob();
        var doc = RestoreDocBuilder.BuildPitr(job, target, targetDoc, until.ToString(), sourceName);
        var files = OneShotFiles(job, restoreJob, doc, (ScriptsVariable.PitrRestoreKey, "pitr-restore.sh"), target, JobFacts.DataVolumeName, templates, sourceName);

        if (PasswordPolicy(job, restoreJob, RestoreDocBuilder.GroupName, sourceName) is { } policy)
        {
            files.Add(policy);
        }

        files.AddRange(SharedScripts(job, templates));
        var plan = new RestorePlan(job.Name, files, []) { TargetVolume = target.DataVolumeSource() };
        files.Add(new RenderedFile(RunbookFileName, PitrRunbook(job, plan, until, sourceName)));
        return plan;
    }

    private static string PitrRunbook(ServiceJob job, RestorePlan plan, PointInTime until, string sourceName)
    {
        var restoreJob = plan.RestoreJobName;
        var md = new StringBuilder();
        md.Append($"# Point-in-time restore of {job.Name} to {(until.Moment is null ? "the end of the WAL archive" : until.ToString())}\n\n");
        md.Append($"Generated by nomad-db {GeneratorInfo.Version} from `{sourceName}`. `{restoreJob}` unpacks the newest base backup that ended before ");
        md.Append(until.Moment is null ? "now" : $"`{until}`");
        md.Append($" (from `{job.BaseBackups()}` on host volume `{job.Backup!.Volume}`) onto the new host volume `{plan.TargetVolume}`, ");
        md.Append($"then the job's PostgreSQL replays the archived WAL (`{job.WalArchive()}`) ");
        md.Append(until.Moment is null ? "to its end (a gap in the archive fails the job before anything is unpacked)" : $"up to `{until}` (a missing segment before it stops PostgreSQL with \"recovery ended before configured recovery target was reached\")");
        md.Append(" and promotes itself; `verify` waits for that and logs what the database holds. The job's current volume is not touched.\n\n");
        if (job.Namespace is { } ns)
        {
            md.Append($"```sh\nexport NOMAD_NAMESPACE={ns}\n```\n\n");
        }

        md.Append("## 1. Prepare\n\n```sh\n");
        md.Append("nomad var put @nomad-db-scripts.nv.hcl      # the shared scripts (backup-lib.sh), if not published yet\n");
        md.Append($"nomad var put @{ScriptsVariable.OneJobFileName(restoreJob)}   # the restore script, in the job's own variable\n");
        AppendPolicyApply(md, job, restoreJob, plan.Files);
        md.Append(job.HostVolumes.Provision == VolumeProvisioning.Dynamic
            ? $"nomad volume create {HostVolumeFiles.DynamicFileName(restoreJob, JobFacts.DataVolumeName, JobFormat.Hcl)}   # the new, empty volume, on the node holding `{job.Backup.Volume}`\n"
            : $"# add host volume \"{plan.TargetVolume}\" (an empty directory) to the client configuration of the node holding \"{job.Backup.Volume}\"\n");
        md.Append($"nomad job validate {restoreJob}.nomad.hcl\n```\n\n");
        md.Append("## 2. Restore and verify\n\n");
        md.Append($"`{job.Name}` may keep running: nothing here touches its volume. Stop it first if the restored copy is to replace it (step 3).\n\n```sh\n");
        md.Append($"nomad job run {restoreJob}.nomad.hcl\n");
        md.Append($"nomad job status {restoreJob}   # wait until the allocation is complete (Status = dead)\n");
        md.Append($"ALLOC=$(nomad job allocs -t '{{{{ range . }}}}{{{{ println .ID }}}}{{{{ end }}}}' {restoreJob} | head -n 1)\n");
        md.Append($"nomad alloc logs \"$ALLOC\" prepare                         # pitr prepared base=... start_wal=... until=...\n");
        md.Append($"nomad alloc logs \"$ALLOC\" postgres                        # recovery stopping before commit ... / archive recovery complete\n");
        md.Append($"nomad alloc logs \"$ALLOC\" {RestoreDocBuilder.RestoreTaskName}                          # restore ok until=... tables=N rows=M\n");
        md.Append($"nomad alloc logs -stderr \"$ALLOC\" prepare                 # on failure: restore FAILED ... reason=...\n");
        md.Append($"nomad job stop -purge {restoreJob}\n```\n\n");
        md.Append("## 3. Switch\n\n");
        md.Append($"Stop `{job.Name}`, point it at the restored volume (`postgres.volume: {plan.TargetVolume}` in your spec), render and run. ");
        md.Append($"It archives into a new archive of its own (`{Defaults.WalArchiveDirectory}/{plan.TargetVolume}`) and takes its first base backup on the schedule: ");
        md.Append($"point-in-time restores of the new volume are possible from then on. The old volume `{job.DataVolumeSource()}` and its archive stay as they were: to go back, undo the change.\n\n");
        md.Append($"```sh\nnomad job stop {job.Name}\nnomad-db render <your specs> -o <out>\nnomad job run <out>/{job.Name}.nomad.hcl\n```\n");
        return md.ToString();
    }

    /// <summary>A SQLite service: the restore job copies a backup file back as the database file, checked.</summary>
    private static RestorePlan PlanSqlite(ServiceJob job, SqliteStorage sqlite, RestoreOptions options, TemplateSet templates, string sourceName)
    {
        var restoreJob = RestoreDocBuilder.JobName(job);
        var target = options.Into == RestoreTarget.NewVolume ? job with { Sqlite = sqlite with { Volume = $"{sqlite.Volume}-restored" } } : job;
        var doc = RestoreDocBuilder.BuildSqlite(job, target, options, sourceName);
        var files = OneShotFiles(job, restoreJob, doc, (ScriptsVariable.RestoreSqliteKey, "restore-sqlite.sh"), options.Into == RestoreTarget.NewVolume ? target : null, JobFacts.SqliteVolumeName, templates, sourceName);

        files.AddRange(SharedScripts(job, templates));
        var plan = new RestorePlan(job.Name, files, []) { TargetVolume = target.Sqlite!.Volume };
        files.Add(new RenderedFile(RunbookFileName, Runbook(job, plan, options, sourceName)));
        return plan;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+-[0-9]{8}T[0-9]{6}Z\.(dump|sql\.gz|sqlite)$")]
    private static partial Regex BackupFileName();

    private static string Runbook(ServiceJob job, RestorePlan plan, RestoreOptions options, string sourceName)
    {
        var restoreJob = plan.RestoreJobName;
        var newVolume = options.Into == RestoreTarget.NewVolume;
        var sqlite = job.Sqlite;
        var volumeKey = sqlite is null ? "postgres.volume" : "sqlite.volume";
        var oldVolume = sqlite?.Volume ?? job.DataVolumeSource();
        var volumeName = sqlite is null ? JobFacts.DataVolumeName : JobFacts.SqliteVolumeName;
        var md = new StringBuilder();
        md.Append($"# Restore the database of {job.Name}\n\n");
        md.Append($"Generated by nomad-db {GeneratorInfo.Version} from `{sourceName}`. This restores {(sqlite is null ? $"database `{job.DatabaseName()}`" : $"SQLite database `{sqlite.File}`")} from ");
        md.Append(options.From switch
        {
            RestoreOptions.Latest => "the newest good backup",
            RestoreOptions.Offsite => "the newest good backup of the newest offsite copy (fetched with restic from the repository of `backup.offsite`)",
            _ => $"backup `{options.From}`",
        });
        md.Append($" on host volume `{job.Backup!.Volume}` into host volume `{plan.TargetVolume}`");
        md.Append(newVolume ? " (new and empty; the job's current volume is not touched).\n\n" : ", **in place: the database's current content is replaced**.\n\n");
        md.Append(sqlite is null
            ? $"`{restoreJob}` checks the backup's sha256, restores it in one transaction and compares every table's exact row count with the backup's manifest; any difference fails the job and its log says why.\n\n"
            : $"`{restoreJob}` checks the backup's sha256, copies it beside the database file, checks the copy's sha256 and `PRAGMA integrity_check`, then renames it into place{(newVolume ? "" : " (the old file's -wal and -shm are removed first)")}; any failure leaves the database file as it was and its log says why.\n\n");
        if (job.Namespace is { } ns)
        {
            md.Append($"```sh\nexport NOMAD_NAMESPACE={ns}\n```\n\n");
        }

        md.Append("## 1. Prepare\n\n```sh\n");
        md.Append("nomad var put @nomad-db-scripts.nv.hcl      # the shared scripts (backup-lib.sh), if not published yet\n");
        md.Append($"nomad var put @{ScriptsVariable.OneJobFileName(restoreJob)}   # the restore script, in the job's own variable\n");
        AppendPolicyApply(md, job, restoreJob, plan.Files);
        if (newVolume && job.HostVolumes.Provision == VolumeProvisioning.Dynamic)
        {
            md.Append($"nomad volume create {HostVolumeFiles.DynamicFileName(restoreJob, volumeName, JobFormat.Hcl)}   # the new, empty volume, on the node holding `{job.Backup.Volume}`\n");
        }
        else if (newVolume)
        {
            md.Append($"# add host volume \"{plan.TargetVolume}\" (an empty directory) to the client configuration of the node holding \"{job.Backup.Volume}\"\n");
        }

        md.Append($"nomad job validate {restoreJob}.nomad.hcl\n```\n\n");
        md.Append("## 2. Stop the app\n\n");
        md.Append(newVolume
            ? $"A new-volume restore does not touch `{job.Name}`'s data, but the backups are read while it may write new ones: stop it if you want the restored copy to be the last word.\n\n"
            : sqlite is null
                ? $"**Required**: the restore drops the database. `{job.Name}` must not run (both would start PostgreSQL on the same volume).\n\n"
                : $"**Required**: the restore replaces the database file. `{job.Name}` must not run (it would go on writing the old file and its WAL).\n\n");
        md.Append($"```sh\nnomad job stop {job.Name}\nnomad job status {job.Name}   # Status = dead (stopped)\n```\n\n");
        md.Append("## 3. Restore and verify\n\n```sh\n");
        AppendOneShot(md, restoreJob, RestoreDocBuilder.RestoreTaskName, $"restore ok file=... sha256=match {(sqlite is null ? "tables=N rows=M" : "integrity=ok")}", "restore FAILED ... reason=...");
        md.Append("```\n\n");
        md.Append("## 4. Switch\n\n");
        if (newVolume)
        {
            md.Append($"Point the job at the restored volume: in your spec set `{volumeKey}: {plan.TargetVolume}`, render, then run it. ");
            md.Append($"The old volume `{oldVolume}` stays as it was: to go back, undo the change. Delete it only when you no longer need it.\n\n");
            md.Append($"```sh\nnomad-db render <your specs> -o <out>\nnomad job run <out>/{job.Name}.nomad.hcl\n```\n");
        }
        else
        {
            md.Append($"```sh\nnomad job run {job.Name}.nomad.hcl   # your rendered job, unchanged\n```\n");
        }

        return md.ToString();
    }
}

using System.Text;
using System.Text.RegularExpressions;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Recovery;

/// <summary>Which major to upgrade to.</summary>
/// <param name="To">The new PostgreSQL major.</param>
public sealed record UpgradeOptions(int To)
{
    /// <summary>
    /// The new major's image, required when the spec names its image (<c>postgres.image</c>); its tag must show
    /// <see cref="To"/>. Null for the official image of the spec's variant and registry.
    /// </summary>
    public string? Image { get; init; }

    /// <summary>The spec named in headers and the runbook (default <c>&lt;job&gt;.yaml</c>).</summary>
    public string? SourceName { get; init; }

    /// <summary>Template overrides, or null for the embedded templates.</summary>
    public TemplateSet? Templates { get; init; }
}

/// <summary>Everything <c>nomad-db upgrade</c> writes for one job, or why it cannot.</summary>
/// <param name="Job">The job whose PostgreSQL is upgraded.</param>
/// <param name="Files">The files to write (empty on error).</param>
/// <param name="Diagnostics">Errors that prevent the upgrade.</param>
public sealed record UpgradePlan(string Job, IReadOnlyList<RenderedFile> Files, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when there is no error.</summary>
    public bool Success => Diagnostics.All(d => d.Severity != Severity.Error);

    /// <summary>The major the job runs now.</summary>
    public int From { get; init; }

    /// <summary>The major after the upgrade.</summary>
    public int To { get; init; }

    /// <summary>The job's data volume now (kept as it is: the rollback path).</summary>
    public string? OldVolume { get; init; }

    /// <summary>The new major's data volume (new and empty before the upgrade).</summary>
    public string? NewVolume { get; init; }

    /// <summary>The new major's image.</summary>
    public string? NewImage { get; init; }

    /// <summary>The job after the upgrade: the new major on the new volume (what the spec says once switched).</summary>
    public ServiceJob? Upgraded { get; init; }

    /// <summary>The first job: the old major's server on the old volume, dumped by the new major's pg_dump.</summary>
    public string DumpJobName => Upgrade.DumpJobName(Job);

    /// <summary>The second job: the dump restored into the new major on the new volume and checked.</summary>
    public string RestoreJobName => Upgrade.RestoreJobName(Job);
}

/// <summary>
/// A PostgreSQL major upgrade as generated, verified one-shot jobs: the job's old server on its volume is dumped with
/// the new major's pg_dump (PostgreSQL's advice for upgrades) into the backup volume, with checksum and manifest; the
/// dump is restored into the new major on a new volume and every table's row count is compared with the manifest.
/// The old volume is never written by the upgrade's own steps and stays until the operator removes it: going back is
/// pointing the spec at it again.
/// </summary>
public static partial class Upgrade
{
    /// <summary>The dump job's name.</summary>
    public static string DumpJobName(string job) => $"{job}-upgrade-dump";

    /// <summary>The restore job's name.</summary>
    public static string RestoreJobName(string job) => $"{job}-upgrade";

    /// <summary>Plans the upgrade of <paramref name="job"/>'s PostgreSQL (a valid model with PostgreSQL and backups).</summary>
    public static UpgradePlan Plan(ServiceJob job, UpgradeOptions options)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(options);
        var templates = options.Templates ?? TemplateSet.Embedded;
        var sourceName = options.SourceName ?? $"{job.Name}.yaml";
        var invalid = NomadDb.Validate([job]).Where(d => d.Severity == Severity.Error).ToList();
        if (invalid.Count > 0)
        {
            return new UpgradePlan(job.Name, [], invalid);
        }

        if (job.Postgres is not { } pg)
        {
            return Failure(job, ErrorCodes.InvalidValue, "sqlite", "a SQLite service has no PostgreSQL major to upgrade");
        }

        if (job.Backup is not { } backup)
        {
            return Failure(job, ErrorCodes.InvalidValue, "backup", "the upgrade dumps into the backup volume and restores from it: the job needs `backup:`");
        }

        var from = pg.Version;
        if (options.To <= from)
        {
            return Failure(job, ErrorCodes.MajorUpgrade, "postgres.version", options.To == from
                ? $"the job already runs PostgreSQL {from}"
                : $"PostgreSQL {from} cannot be downgraded to {options.To}: a data directory never goes back a major (restore an older backup with `nomad-db restore` instead)");
        }

        if (options.To > PostgresSidecarValidator.MaximumVersion)
        {
            return Failure(job, ErrorCodes.MajorUpgrade, "postgres.version", $"there is no PostgreSQL {options.To} image to upgrade to (supported majors: {PostgresSidecarValidator.MinimumVersion}-{PostgresSidecarValidator.MaximumVersion})");
        }

        if (pg.Image is not null && options.Image is null)
        {
            return Failure(job, ErrorCodes.InvalidValue, "postgres.image", $"the spec names its image ({Echo.Value(pg.Image)}): give the PostgreSQL {options.To} image of the same family with --image");
        }

        var newVolume = $"{OldMajorSuffix().Replace(job.DataVolumeSource(), string.Empty)}-pg{options.To}";
        var upgraded = job with { Postgres = pg with { Version = options.To, Image = options.Image ?? pg.Image, Volume = newVolume, UpgradeFrom = null } };
        var upgradedErrors = NomadDb.Validate([upgraded]).Where(d => d.Severity == Severity.Error).ToList();
        if (upgradedErrors.Count > 0)
        {
            // Say what is wrong with the new major's job (e.g. an --image whose tag shows another major).
            return new UpgradePlan(job.Name, [], upgradedErrors);
        }

        // The restore meets an empty database: extensions and init SQL are left to the job's next start (idempotent).
        var target = upgraded with { Postgres = upgraded.Postgres! with { Extensions = [], InitSql = [] }, Backup = backup with { Pitr = null } };
        var restoreJob = RestoreJobName(job.Name);
        var dumpJob = DumpJobName(job.Name);
        var newImage = target.Postgres!.ImageReference;
        var targetDoc = new ServiceJobDocBuilder(target, sourceName, templates).BuildServiceJob();
        var oldDoc = new ServiceJobDocBuilder(job, sourceName, templates).BuildServiceJob();
        var restoreOptions = new RestoreOptions { Into = RestoreTarget.NewVolume, SourceName = sourceName, Templates = templates };
        var restoreHeader = new List<string>
        {
            DocParts.GeneratedFrom(sourceName),
            $"Major upgrade of job \"{job.Name}\", step 2 of 2: the dump that {dumpJob} wrote to host volume \"{backup.Volume}\" is restored",
            $"into PostgreSQL {options.To} ({newImage}) on the new host volume \"{newVolume}\" and checked against its manifest.",
            $"Host volume \"{job.DataVolumeSource()}\" (PostgreSQL {from}) is not touched. Follow RUNBOOK.md; job \"{job.Name}\" stays stopped meanwhile.",
        };
        var restoreDoc = new RestoreDocBuilder(job, target, targetDoc, restoreOptions, sourceName, restoreJob, restoreHeader).Build();
        var dumpDoc = new UpgradeDumpDocBuilder(job, oldDoc, newImage, sourceName).Build();
        var files = Restore.OneShotFiles(job, restoreJob, restoreDoc, (ScriptsVariable.RestoreKey, "restore-database.sh"), target, JobFacts.DataVolumeName, templates, sourceName);
        files.Insert(0, new RenderedFile($"{dumpJob}.nomad.hcl", new SharedPostgresRenderer(templates).Write(dumpDoc, JobFormat.Hcl)));

        foreach (var (oneShot, group) in new[] { (dumpJob, UpgradeDumpDocBuilder.GroupName), (restoreJob, RestoreDocBuilder.GroupName) })
        {
            if (Restore.PasswordPolicy(job, oneShot, group, sourceName) is { } policy)
            {
                files.Add(policy);
            }
        }

        files.AddRange(Restore.SharedScripts(job, templates));
        var plan = new UpgradePlan(job.Name, files, [])
        {
            From = from,
            To = options.To,
            OldVolume = job.DataVolumeSource(),
            NewVolume = newVolume,
            NewImage = newImage,
            Upgraded = upgraded,
        };
        files.Add(new RenderedFile(Restore.RunbookFileName, Runbook(job, plan, options, sourceName)));
        return plan;
    }

    private static UpgradePlan Failure(ServiceJob job, string code, string path, string message) =>
        new(job.Name, [], [Diagnostic.Error(code, message, path)]);

    /// <summary>A volume named by an earlier upgrade (<c>…-pg17</c>) gets the new major instead of a second suffix.</summary>
    [GeneratedRegex("-pg[0-9]+$")]
    private static partial Regex OldMajorSuffix();

    private static string Runbook(ServiceJob job, UpgradePlan plan, UpgradeOptions options, string sourceName)
    {
        var backup = job.Backup!;
        var dynamic = job.HostVolumes.Provision == VolumeProvisioning.Dynamic;
        var md = new StringBuilder();
        md.Append($"# Upgrade the PostgreSQL of {job.Name} from {plan.From} to {plan.To}\n\n");
        md.Append($"Generated by nomad-db {GeneratorInfo.Version} from `{sourceName}`. Two one-shot jobs move database `{job.DatabaseName()}` ");
        md.Append($"from PostgreSQL {plan.From} on host volume `{plan.OldVolume}` to PostgreSQL {plan.To} (`{plan.NewImage}`) on the new host volume `{plan.NewVolume}`:\n\n");
        md.Append($"- `{plan.DumpJobName}` starts the job's own PostgreSQL {plan.From} on `{plan.OldVolume}` and dumps the database with PostgreSQL {plan.To}'s ");
        md.Append($"pg_dump (PostgreSQL advises the newer major's pg_dump for upgrades) into `{backup.Volume}`: checksum and manifest (per-table row counts) beside it, as every backup;\n");
        md.Append($"- `{plan.RestoreJobName}` restores that dump into PostgreSQL {plan.To} on `{plan.NewVolume}`, checking the sha256 first and every table's exact row count after; any difference fails it.\n\n");
        md.Append($"Neither job changes the database on `{plan.OldVolume}` (the dump job starts its server and reads): it stays as it is until you delete it, and going back is pointing the spec at it again. ");
        md.Append("A database-scope dump carries the database, not the cluster: roles other than the job's user and settings made with ALTER SYSTEM are not copied.\n\n");
        if (job.Namespace is { } ns)
        {
            md.Append($"```sh\nexport NOMAD_NAMESPACE={ns}\n```\n\n");
        }

        md.Append("## 1. Prepare\n\n```sh\n");
        md.Append("nomad var put @nomad-db-scripts.nv.hcl      # the shared scripts (pg-backup.sh, backup-lib.sh), if not published yet\n");
        md.Append($"nomad var put @{ScriptsVariable.OneJobFileName(plan.RestoreJobName)}   # the restore script, in the job's own variable\n");
        Restore.AppendPolicyApply(md, job, plan.DumpJobName, plan.Files);
        Restore.AppendPolicyApply(md, job, plan.RestoreJobName, plan.Files);
        md.Append(dynamic
            ? $"nomad volume create {HostVolumeFiles.DynamicFileName(plan.RestoreJobName, JobFacts.DataVolumeName, JobFormat.Hcl)}   # the new, empty volume, on the node holding `{plan.OldVolume}` and `{backup.Volume}`\n"
            : $"# add host volume \"{plan.NewVolume}\" (an empty directory) to the client configuration of the node holding \"{plan.OldVolume}\" and \"{backup.Volume}\"\n");
        md.Append($"nomad job validate {plan.DumpJobName}.nomad.hcl\nnomad job validate {plan.RestoreJobName}.nomad.hcl\n```\n\n");
        md.Append("## 2. Stop the app\n\n");
        md.Append($"The dump must hold every write: `{job.Name}` stays stopped until step 5 (its PostgreSQL and the dump job's must never share the volume).\n\n");
        md.Append($"```sh\nnomad job stop {job.Name}\nnomad job status {job.Name}   # Status = dead (stopped)\n```\n\n");
        md.Append($"## 3. Dump with PostgreSQL {plan.To}'s pg_dump\n\n```sh\n");
        Restore.AppendOneShot(md, plan.DumpJobName, UpgradeDumpDocBuilder.DumpTaskName, "backup ok name=... file=NAME-STAMP.dump", "backup FAILED ... reason=...");
        md.Append("```\n\n");
        md.Append($"## 4. Restore into PostgreSQL {plan.To} and verify\n\n```sh\n");
        Restore.AppendOneShot(md, plan.RestoreJobName, RestoreDocBuilder.RestoreTaskName, "restore ok file=NAME-STAMP.dump sha256=match tables=N rows=M (the file of step 3)", "restore FAILED ... reason=...");
        md.Append("```\n\n");
        md.Append($"If step 3 or 4 fails, nothing has changed: `nomad job run` your current `{job.Name}.nomad.hcl` brings the service back on PostgreSQL {plan.From}. ");
        md.Append($"Before trying step 4 again, empty `{plan.NewVolume}` (the restore refuses a database that already holds tables).\n\n");
        md.Append("## 5. Switch the spec\n\n");
        md.Append($"Set `postgres.version: {plan.To}`{(options.Image is null ? "" : $", `postgres.image: {options.Image}`")} and `postgres.volume: {plan.NewVolume}` in the spec ");
        md.Append("(the command below edits the file in place and checks the result; comments and layout stay), render (which records the new volume ");
        md.Append($"with major {plan.To} in nomad-db.lock) and run:\n\n```sh\n");
        md.Append($"nomad-db upgrade {sourceName} --job {job.Name} --to {plan.To}{(options.Image is null ? "" : $" --image {options.Image}")} --switch\n");
        md.Append($"nomad-db render <your specs> -o <out>\nnomad job run <out>/{job.Name}.nomad.hcl\n```\n\n");
        md.Append("## Rollback\n\n");
        md.Append($"Revert the spec change (e.g. `git checkout -- {sourceName}`), render and run: `{job.Name}` runs PostgreSQL {plan.From} on `{plan.OldVolume}` again, ");
        md.Append($"with the data of step 2 (writes made after the switch are only on `{plan.NewVolume}`). ");
        md.Append($"Delete `{plan.OldVolume}` only when you no longer need the way back{(dynamic ? $" (`nomad volume delete -type host <id>`)" : " (remove it from the client configuration and the directory)")}.\n");
        return md.ToString();
    }
}

using Cronos;
using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>Validates SQLite storage.</summary>
internal sealed class SqliteStorageValidator : AbstractValidator<SqliteStorage>
{
    /// <summary>Creates the validator.</summary>
    public SqliteStorageValidator()
    {
        RuleFor(s => s.Volume).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage("not a valid host volume name");
        RuleFor(s => s.Destination).Must(d => d.StartsWith('/')).WithErrorCode(ErrorCodes.Volume).WithMessage("the mount destination must be an absolute path");
        RuleFor(s => s.File).Must(f => f.Length > 0 && !f.Contains('/') && f.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            .WithErrorCode(ErrorCodes.InvalidValue).WithMessage("the database file is a plain file name inside the volume");
    }
}

/// <summary>Validates a backup policy.</summary>
internal sealed class BackupPolicyValidator : AbstractValidator<BackupPolicy>
{
    /// <summary>The most snapshots of one tier (daily, weekly, monthly) an offsite <c>keep</c> counts.</summary>
    public const int MaxOffsiteKeep = 10_000;

    private readonly ServiceJob? _job;

    /// <summary>Creates the validator for the backup of <paramref name="job"/>, or of the job <see cref="ServiceJobValidator"/> validates.</summary>
    public BackupPolicyValidator(ServiceJob? job = null)
    {
        _job = job;
        RuleFor(b => b.Volume).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage("not a valid host volume name");
        RuleFor(b => b.Volume).Must((_, v, context) => v != JobScope.Of(context, _job).DataVolumeSource()).When((_, context) => JobScope.Of(context, _job).Postgres is not null).WithErrorCode(ErrorCodes.BackupVolume)
            .WithMessage(b => $"the backup volume '{Echo.Value(b.Volume)}' is the PostgreSQL data volume; a backup must not live with the data it protects");
        RuleFor(b => b.Volume).Must((_, v, context) => v != JobScope.Of(context, _job).Sqlite!.Volume).When((_, context) => JobScope.Of(context, _job).Sqlite is not null).WithErrorCode(ErrorCodes.BackupVolume)
            .WithMessage(b => $"the backup volume '{Echo.Value(b.Volume)}' is the SQLite data volume; a backup must not live with the data it protects");
        RuleFor(b => b.Volume).Must((_, v, context) => JobScope.Of(context, _job).App.Volumes.All(a => a.Source != v)).WithErrorCode(ErrorCodes.BackupVolume)
            .WithMessage("the backup volume is also one of the app's volumes");
        RuleFor(b => b).Custom((_, context) =>
        {
            if (JobScope.Of(context, _job) is not { } job || (job.Postgres is null && job.Sqlite is null))
            {
                context.Fail(string.Empty, ErrorCodes.InvalidValue, "a backup needs a database: add `postgres:` or `sqlite:`");
            }
        });
        Include(new BackupScheduleRules());
        RuleFor(b => b.Heartbeat!).SetValidator(_job is null ? new SecretSourceValidator() : new SecretSourceValidator(_job.Name)).When(b => b.Heartbeat is not null);
        RuleFor(b => b.Placement).NotEqual(BackupPlacement.Periodic).When((_, context) => JobScope.Of(context, _job).Postgres is null).WithErrorCode(ErrorCodes.PeriodicBackup)
            .WithMessage("a periodic backup job reaches PostgreSQL through its registered service; SQLite files are backed up by a sidecar");
        RuleFor(b => b.Schedule.Cron).NotNull().When(b => b.Placement == BackupPlacement.Periodic).WithErrorCode(ErrorCodes.PeriodicBackup)
            .WithMessage("a periodic backup job runs on Nomad's cron (`periodic { crons }`): give a cron `schedule`, not an interval").OverridePropertyName("Schedule");
        RuleFor(b => b.VerifyRestore).Equal(false).When((_, context) => JobScope.Of(context, _job).Postgres is null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("restore-verify applies to PostgreSQL dumps").OverridePropertyName("Verify");
        RuleFor(b => b.Drill).Null().When((_, context) => JobScope.Of(context, _job).Postgres is null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("a restore drill restores a PostgreSQL dump into a scratch database and compares it with its manifest; SQLite backups have no drill (each copy is integrity-checked when it is taken)");
        RuleFor(b => b.Offsite!.Password).SetValidator(_job is null ? new SecretSourceValidator() : new SecretSourceValidator(_job.Name)).When(b => b.Offsite is not null);
        RuleFor(b => b).Custom((backup, context) =>
        {
            if (backup.Offsite is not { } offsite)
            {
                return;
            }

            if (!Rules.IsResticRepository(offsite.Repository))
            {
                context.Fail("Offsite.Repository", ErrorCodes.InvalidValue,
                    "`repository` is a restic repository off this host: s3:…, b2:…, sftp:…, rest:…, azure:…, gs:…, swift:… or rclone:… (one line, no spaces or quotes)");
            }

            if (offsite.Schedule.Problem is { } problem)
            {
                context.Fail("Offsite.Schedule", ErrorCodes.Schedule, $"'{Echo.Value(offsite.Schedule.Text)}'{problem}");
            }

            var keep = offsite.Keep;
            if (keep.Daily < 0 || keep.Weekly < 0 || keep.Monthly < 0 || keep.Daily + keep.Weekly + keep.Monthly == 0 || Math.Max(keep.Daily, Math.Max(keep.Weekly, keep.Monthly)) > MaxOffsiteKeep)
            {
                context.Fail("Offsite.Keep", ErrorCodes.Retention, $"`keep` counts daily, weekly and monthly snapshots: each 0 to {MaxOffsiteKeep}, and not all 0 (restic would forget every snapshot)");
            }
        });
        RuleFor(b => b.Pitr).Null().When((_, context) => JobScope.Of(context, _job).Postgres is null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("continuous archiving (point-in-time restore) is PostgreSQL's; a SQLite service's backups are file copies");
        // pg_basebackup needs a replication connection, which the image's pg_hba.conf allows from 127.0.0.1 only
        // (initdb's sample lines; the entrypoint adds `host all all all`, which does not match replication).
        RuleFor(b => b.Placement).Equal(BackupPlacement.Sidecar).When((b, context) => b.Pitr is not null && JobScope.Of(context, _job).Postgres is not null).WithErrorCode(ErrorCodes.PeriodicBackup)
            .WithMessage("continuous archiving takes its base backups from the backup sidecar: pg_basebackup's replication connection is allowed from 127.0.0.1 only (the image's pg_hba.conf); use placement: sidecar");
        RuleFor(b => b).Custom((backup, context) =>
        {
            if (backup.Pitr is not { } pitr || JobScope.Of(context, _job).Postgres is null)
            {
                return;
            }

            if (pitr.BaseBackup.Text.Length == 0)
            {
                context.Fail("Pitr.BaseBackup", ErrorCodes.Schedule, "continuous archiving needs `baseBackup`: a five-field cron expression such as \"0 1 * * *\"");
            }
            else if (pitr.BaseBackup.Problem is { } problem)
            {
                context.Fail("Pitr.BaseBackup", ErrorCodes.Schedule, $"'{Echo.Value(pitr.BaseBackup.Text)}'{problem}");
            }

            var own = JobScope.Of(context, _job).Postgres!.Settings.Select(s => s.Key).FirstOrDefault(k => k is "archive_mode" or "archive_command" or "archive_library" or "restore_command" or "wal_level");
            if (own is not null)
            {
                context.Fail("Pitr", ErrorCodes.InvalidValue, $"continuous archiving sets the server's archiving itself; remove `{own}` from postgres.settings");
            }

            if (InputText.DurationProblem(pitr.WalRetention.Text, TimeSpan.FromHours(1), InputLimits.MaxRetentionAge, "a retention", "36h, 7d") is { } retention)
            {
                context.Fail("Pitr.WalRetention", ErrorCodes.Retention, retention);
            }
        });
        RuleFor(b => b).Custom((backup, context) =>
        {
            if (backup.Drill is null || JobScope.Of(context, _job).Postgres is null)
            {
                return;
            }

            var drill = backup.Drill;
            if (drill.Schedule.Text.Length == 0)
            {
                context.Fail("Drill.Schedule", ErrorCodes.Schedule, "a drill needs a `schedule`: a five-field cron expression such as \"0 4 * * 0\"");
            }
            else if (drill.Schedule.Problem is { } problem)
            {
                context.Fail("Drill.Schedule", ErrorCodes.Schedule, $"'{Echo.Value(drill.Schedule.Text)}'{problem}");
            }

            if (drill.TimeZone is { } zone && !CronSchedule.IsTimeZone(zone))
            {
                context.Fail("Drill.TimeZone", ErrorCodes.Schedule, $"'{Echo.Value(zone)}' is not an IANA time zone (e.g. UTC, Europe/Berlin)");
            }
            else if (backup.Placement == BackupPlacement.Periodic && backup.DrillTimeZone != backup.Schedule.TimeZone)
            {
                context.Fail("Drill.TimeZone", ErrorCodes.PeriodicBackup,
                    $"a periodic backup job runs its drills from the same `periodic` block, which has one time_zone: leave the drill's timeZone out or make it the backup's ('{Echo.Value(backup.Schedule.TimeZone)}')");
            }
        });
    }
}

/// <summary>Schedule and retention rules of a backup, shared by service jobs and the legacy shared instance.</summary>
internal sealed class BackupScheduleRules : AbstractValidator<BackupPolicy>
{
    /// <summary>The fewest backups retention keeps: it never deletes the last good one.</summary>
    public const int MinKeepLast = 1;

    /// <summary>Creates the rules.</summary>
    public BackupScheduleRules()
    {
        RuleFor(b => b.Schedule).Custom((schedule, context) =>
        {
            if (schedule.Cron is not null && schedule.Interval is not null)
            {
                context.Fail("Schedule", ErrorCodes.Schedule, "give either a cron `schedule` or an `interval`, not both");
            }

            if (schedule.Cron is { Problem: { } problem } cron)
            {
                context.Fail("Schedule", ErrorCodes.Schedule, $"'{Echo.Value(cron.Text)}'{problem}");
            }

            if (schedule.Interval is not null && InputText.DurationProblem(schedule.Interval.Text, TimeSpan.FromMinutes(1), InputLimits.MaxBackupInterval, "an interval", "30m, 6h, 1d") is { } intervalProblem)
            {
                context.Fail("Interval", ErrorCodes.Schedule, intervalProblem);
            }

            if (!CronSchedule.IsTimeZone(schedule.TimeZone))
            {
                context.Fail("TimeZone", ErrorCodes.Schedule, $"'{Echo.Value(schedule.TimeZone)}' is not an IANA time zone (e.g. UTC, Europe/Berlin)");
            }
        });
        RuleFor(b => b.Retention).Custom((retention, context) =>
        {
            if (retention.KeepLast is null && retention.MaxAge is null)
            {
                context.Fail("Retention", ErrorCodes.Retention, "retention needs keepLast and/or maxAge");
            }

            if (retention.KeepLast < MinKeepLast)
            {
                context.Fail("Retention.KeepLast", ErrorCodes.Retention, $"keepLast must be at least {MinKeepLast}: retention never deletes the last good backup");
            }

            if (retention.MaxAge is not null && InputText.DurationProblem(retention.MaxAge.Text, TimeSpan.FromHours(1), InputLimits.MaxRetentionAge, "an age", "36h, 30d") is { } ageProblem)
            {
                context.Fail("Retention.MaxAge", ErrorCodes.Retention, ageProblem);
            }
        });
    }
}

using FluentValidation;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Validation;

/// <summary>Validates the legacy shared instance, including the frozen-legacy rule (NDB080).</summary>
internal sealed class SharedPostgresJobValidator : AbstractValidator<SharedPostgresJob>
{
    /// <summary>Creates the validator.</summary>
    public SharedPostgresJobValidator()
    {
        Include(PlacementValidator.Instance);
        RuleFor(j => j.Postgres).SetValidator(new SharedPostgresServerValidator());
        RuleFor(j => j.AdminPassword).SetValidator(j => new SecretSourceValidator(j.Name));
        RuleFor(j => j.Service).SetValidator(new DiscoveryServiceValidator());
        RuleFor(j => j.Databases).NotEmpty().WithErrorCode(ErrorCodes.Required)
            .WithMessage("a shared instance holds at least one database; once every service has moved to a dedicated database, stop the job instead");
        RuleForEach(j => j.Databases).SetValidator(j => new SharedDatabaseValidator(j));
        RuleForEach(j => j.Baseline).Must(Rules.IsSqlIdentifier).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage((_, name) => $"'{Echo.Value(name)}' is not a database name (lower-case letters, digits and '_')");
        RuleFor(j => j.Backup!).SetValidator(j => new SharedBackupValidator(j)).When(j => j.Backup is not null);
        RuleFor(j => j).Custom(CheckDatabases);
        RuleFor(j => j).Custom(SecretPolicy.Check);
        RuleFor(j => j.Name).Must(name => Rules.IsServiceName(JobFacts.BackupServiceName(name)))
            .When(j => Rules.IsName(j.Name) && j.Backup is not null && j.Service.Provider == ServiceProvider.Consul).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(j => $"the job registers service '{JobFacts.BackupServiceName(j.Name)}' for its backup check, which Nomad refuses (1-63 letters, digits and '-', RFC 1123): use '-' instead of '_' in the job name, or a shorter one");
    }

    private static void CheckDatabases(SharedPostgresJob job, ValidationContext<SharedPostgresJob> context)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var owners = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < job.Databases.Length; i++)
        {
            var database = job.Databases[i];
            if (!names.Add(database.Name))
            {
                context.Fail($"Databases[{i}].Name", ErrorCodes.InvalidValue, $"database '{Echo.Value(database.Name)}' is listed twice");
            }

            if (!owners.Add(database.Owner))
            {
                // init-databases.sh keeps one password per role; a role owning two databases would need one secret for both.
                context.Fail($"Databases[{i}].Owner", ErrorCodes.InvalidValue, $"role '{Echo.Value(database.Owner)}' already owns another database; every database has its own role");
            }

            if (database.Owner == job.Postgres.AdminUser)
            {
                context.Fail($"Databases[{i}].Owner", ErrorCodes.InvalidValue, $"'{Echo.Value(database.Owner)}' is the admin role; a database is owned by its application's role");
            }

            if (!job.AllowNewDatabases && !job.Baseline.Contains(database.Name, StringComparer.Ordinal))
            {
                context.Fail($"Databases[{i}].Name", ErrorCodes.FrozenLegacy,
                    $"database '{Echo.Value(database.Name)}' is not in the recorded baseline: the shared instance is legacy and frozen. "
                    + "Give the new service its own job with a dedicated PostgreSQL, or set `allowNewDatabases: true` deliberately");
            }
        }

        // One task reads the admin secret and every database's secret through one vault block, so with one role.
        var role = job.AdminPassword is VaultSecret adminVault ? adminVault.Role : job.Databases.Select(d => d.Password).OfType<VaultSecret>().FirstOrDefault()?.Role;
        for (var i = 0; i < job.Databases.Length; i++)
        {
            if (job.Databases[i].Password is VaultSecret vault && vault.Role != role)
            {
                context.Fail($"Databases[{i}].Password.Role", ErrorCodes.SecretReference, "every Vault secret of the shared instance is read with the same Vault role (the init task reads them all)");
            }
        }

        var baseline = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < job.Baseline.Length; i++)
        {
            if (!baseline.Add(job.Baseline[i]))
            {
                context.Fail($"Baseline[{i}]", ErrorCodes.InvalidValue, $"'{Echo.Value(job.Baseline[i])}' is listed twice in the baseline");
            }
        }
    }
}

/// <summary>Validates the shared instance's server.</summary>
internal sealed class SharedPostgresServerValidator : AbstractValidator<SharedPostgresServer>
{
    /// <summary>Creates the validator.</summary>
    public SharedPostgresServerValidator()
    {
        Include(new PostgresImageValidator());
        RuleFor(p => p.AdminUser).Must(Rules.IsSqlIdentifier).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage("the admin role is lower-case letters, digits and '_' (starting with a letter or '_')").OverridePropertyName("User");
        RuleFor(p => p.Port).InclusiveBetween(Rules.MinPort, Rules.MaxPort).WithErrorCode(ErrorCodes.Port)
            .WithMessage(p => $"port {p.Port} is not a port: use {Rules.MinPort}-{Rules.MaxPort}");
        RuleFor(p => p.Resources).SetValidator(ResourcesValidator.Postgres);
        ResourcesValidator.WarnAboutSmallPostgres(this, p => p.Resources, p => p.Settings);
        RuleFor(p => p.ShmSize).Must(s => s!.Bytes is > 0).When(p => p.ShmSize is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(p => InputText.SizeProblem(p.ShmSize!.Text));
        RuleFor(p => p.Volume).Must(Rules.IsName).When(p => p.Volume is not null).WithErrorCode(ErrorCodes.InvalidName).WithMessage("not a valid host volume name");
        RuleFor(p => p).Custom((p, context) => InputText.CheckSettings(p.Settings, context));
    }
}

/// <summary>Validates one database of the shared instance.</summary>
internal sealed class SharedDatabaseValidator : AbstractValidator<SharedDatabase>
{
    /// <summary>Creates the validator for a database of <paramref name="job"/>.</summary>
    public SharedDatabaseValidator(SharedPostgresJob job)
    {
        RuleFor(d => d.Name).Must(Rules.IsSqlIdentifier).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(d => string.IsNullOrEmpty(d.Name) ? "a database name is required" : $"'{Echo.Value(d.Name)}' is not a database name (lower-case letters, digits and '_', starting with a letter or '_')");
        RuleFor(d => d.Name).Must(n => n is not ("postgres" or "template0" or "template1")).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(d => $"'{Echo.Value(d.Name)}' is a system database");
        RuleFor(d => d.Owner).Must(Rules.IsSqlIdentifier).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(d => $"'{Echo.Value(d.Owner)}' is not a role name (lower-case letters, digits and '_', starting with a letter or '_')");
        RuleFor(d => d.Owner).Must(o => !o.StartsWith("pg_", StringComparison.Ordinal)).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage("role names starting with pg_ are reserved");
        RuleFor(d => d.Password).SetValidator(new SecretSourceValidator(job.Name));
        RuleFor(d => d.Service).Must(Rules.IsName).When(d => d.Service is not null).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(d => $"'{Echo.Value(d.Service)}' is not a service (job) name");
        RuleFor(d => d.Job).Must(Rules.IsName).When(d => d.Job is not null).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(d => $"'{Echo.Value(d.Job)}' is not a job name");
        RuleFor(d => d.Preset).Must(p => Spec.PresetCatalog.Names.Contains(p)).When(d => d.Preset is not null).WithErrorCode(ErrorCodes.UnknownPreset)
            .WithMessage(d => $"unknown preset '{Echo.Value(d.Preset)}'; known presets: {string.Join(", ", Spec.PresetCatalog.Names)}");
        RuleFor(d => d.Service).NotNull().When(d => d.Preset is not null || d.Job is not null).WithErrorCode(ErrorCodes.Required)
            .WithMessage("`preset:` and `job:` describe the service using the database: give its `service:` too");
    }
}

/// <summary>Validates the shared instance's service registration.</summary>
internal sealed class DiscoveryServiceValidator : AbstractValidator<DiscoveryService>
{
    /// <summary>Creates the validator.</summary>
    public DiscoveryServiceValidator()
    {
        RuleFor(s => s.Name).Must(Rules.IsServiceName).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(s => $"'{Echo.Value(s.Name)}' is not a service name Nomad accepts (1-63 letters, digits and '-', RFC 1123)");
    }
}

/// <summary>Validates the cluster backup of the shared instance: a pg_dumpall sidecar.</summary>
internal sealed class SharedBackupValidator : AbstractValidator<BackupPolicy>
{
    /// <summary>Creates the validator for the backup of <paramref name="job"/>.</summary>
    public SharedBackupValidator(SharedPostgresJob job)
    {
        RuleFor(b => b.Volume).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage("not a valid host volume name");
        RuleFor(b => b.Volume).Must(v => v != job.DataVolumeSource()).WithErrorCode(ErrorCodes.BackupVolume)
            .WithMessage(b => $"the backup volume '{Echo.Value(b.Volume)}' is the PostgreSQL data volume; a backup must not live with the data it protects");
        Include(new BackupScheduleRules());
        RuleFor(b => b.Format).Equal(BackupFormat.PlainGzip).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("a cluster backup is pg_dumpall output: plain SQL, gzip-compressed (format plain-gzip)");
        RuleFor(b => b.VerifyRestore).Equal(false).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("restore-verify applies to single-database dumps, not to a cluster backup").OverridePropertyName("Verify");
        RuleFor(b => b.Drill).Null().WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("a restore drill compares one database's dump with its manifest's row counts; a cluster backup (pg_dumpall) has none");
        RuleFor(b => b.Placement).Equal(BackupPlacement.Sidecar).WithErrorCode(ErrorCodes.PeriodicBackup)
            .WithMessage("the shared instance's cluster backup runs as a sidecar beside the server");
    }
}

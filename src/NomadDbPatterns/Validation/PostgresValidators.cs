using Cronos;
using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>Validates the PostgreSQL sidecar.</summary>
internal sealed partial class PostgresSidecarValidator : AbstractValidator<PostgresSidecar>
{
    /// <summary>Oldest supported major.</summary>
    public const int MinimumVersion = 13;
    /// <summary>Newest major this generator knows the image layout of.</summary>
    public const int MaximumVersion = 18;

    private readonly ServiceJob? _job;

    /// <summary>Creates the validator for the sidecar of <paramref name="job"/>, or of the job <see cref="ServiceJobValidator"/> validates.</summary>
    public PostgresSidecarValidator(ServiceJob? job = null)
    {
        _job = job;
        Include(new PostgresImageValidator());
        RuleFor(p => p.Database).Must(Rules.IsSqlIdentifier).When(p => p.Database is not null).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage("database names are lower-case letters, digits and '_' (starting with a letter or '_')");
        RuleFor(p => p.User).Must(Rules.IsSqlIdentifier).When(p => p.User is not null).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage("user names are lower-case letters, digits and '_' (starting with a letter or '_')");
        RuleFor(p => p.Port).InclusiveBetween(Rules.MinPort, Rules.MaxPort).WithErrorCode(ErrorCodes.Port)
            .WithMessage(p => $"port {p.Port} is not a port: use {Rules.MinPort}-{Rules.MaxPort}");
        RuleFor(p => p.Port).Equal(Defaults.PostgresPort).When((_, context) => JobScope.Of(context, _job).Network == NetworkMode.Bridge).WithErrorCode(ErrorCodes.Port)
            .WithMessage("on bridge networking each allocation has its own network: keep 5432 (ports only need to differ on host networking)");
        RuleFor(p => p.Resources).SetValidator(ResourcesValidator.Postgres);
        ResourcesValidator.WarnAboutSmallPostgres(this, p => p.Resources, p => p.Settings);
        RuleFor(p => p.ShmSize).Must(s => s!.Bytes is > 0).When(p => p.ShmSize is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(p => InputText.SizeProblem(p.ShmSize!.Text));
        RuleFor(p => p.Volume).Must(Rules.IsName).When(p => p.Volume is not null).WithErrorCode(ErrorCodes.InvalidName).WithMessage("not a valid host volume name");
        RuleFor(p => p.UpgradeFrom).InclusiveBetween(MinimumVersion - 4, MaximumVersion).When(p => p.UpgradeFrom is not null)
            .WithErrorCode(ErrorCodes.MajorUpgrade).WithMessage($"upgradeFrom names a PostgreSQL major ({MinimumVersion - 4}-{MaximumVersion})");
        RuleFor(p => p.UpgradeFrom).LessThan(p => p.Version).When(p => p.UpgradeFrom is not null)
            .WithErrorCode(ErrorCodes.MajorUpgrade).WithMessage("upgradeFrom names an older major than version");
        RuleFor(p => p).Custom((p, context) => InputText.CheckSettings(p.Settings, context));
        RuleForEach(p => p.Extensions).Must(Rules.IsExtensionName).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage((_, name) => $"'{Echo.Value(name)}' is not an extension name (letters, digits, '_' and '-', at most 63, e.g. vector, pg_trgm, uuid-ossp)");
        RuleFor(p => p.Extensions).Must(e => e.Distinct(StringComparer.Ordinal).Count() == e.Length).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("an extension is listed twice");
        RuleForEach(p => p.InitSql).Must(sql => !string.IsNullOrWhiteSpace(sql)).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("an empty SQL statement")
            .Must(sql => !PasswordInSql().IsMatch(sql)).WithErrorCode(ErrorCodes.LiteralPassword)
            .WithMessage("init SQL would write a password into the job file (PASSWORD '…'); let the app create its roles, or set such passwords outside nomad-db");
        RuleFor(p => p.Service!).SetValidator(ServiceRules).When(p => p.Service is not null);
        RuleFor(p => p.Password).SetValidator(p => _job is null ? SecretRules : new SecretSourceValidator(_job.Name));
        RuleFor(p => p.Database).Custom((database, context) =>
        {
            var job = JobScope.Of(context, _job);
            if (database is null && Rules.IsName(job.Name) && !Rules.IsSqlIdentifier(job.DatabaseName()))
            {
                context.AddFailure(new FluentValidation.Results.ValidationFailure(context.PropertyPath, $"the default database name '{Echo.Value(job.DatabaseName())}' is not a plain identifier; set postgres.database") { ErrorCode = ErrorCodes.InvalidName });
            }
        });
    }

    private static readonly SecretSourceValidator SecretRules = new();
    private static readonly DatabaseServiceValidator ServiceRules = new();

    /// <summary>A literal password in SQL: <c>PASSWORD 'x'</c>, <c>PASSWORD E'x'</c>, <c>PASSWORD $$x$$</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\bpassword\s+(?:[eEuU]&?)?['$]", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex PasswordInSql();
}

/// <summary>Validates the image of any PostgreSQL task (sidecar or legacy shared server).</summary>
internal sealed class PostgresImageValidator : AbstractValidator<IPostgresImage>
{
    /// <summary>Oldest supported major.</summary>
    public const int MinimumVersion = PostgresSidecarValidator.MinimumVersion;
    /// <summary>Newest supported major.</summary>
    public const int MaximumVersion = PostgresSidecarValidator.MaximumVersion;

    /// <summary>Creates the validator.</summary>
    public PostgresImageValidator()
    {
        RuleFor(p => p.Version).InclusiveBetween(MinimumVersion, MaximumVersion).WithErrorCode(ErrorCodes.PostgresVersion)
            .WithMessage(p => $"PostgreSQL {p.Version} is not supported; use {MinimumVersion}-{MaximumVersion}");
        RuleFor(p => p.Variant).Must(v => SpecWords.PostgresVariant.Words.Contains(v) || v.StartsWith(SpecWords.AlpineVersionPrefix, StringComparison.Ordinal))
            .WithErrorCode(ErrorCodes.InvalidValue).WithMessage(p => $"'{Echo.Value(p.Variant)}' is not a postgres image variant (alpine, bookworm, trixie)");
        RuleFor(p => p.ImageReference).Must(Rules.HasTag).WithErrorCode(ErrorCodes.ImageTag)
            .WithMessage("the PostgreSQL image needs an explicit tag or digest (postgres:17-alpine, pgvector/pgvector:pg17, postgres@sha256:…)")
            .Must(i => ImageParts.Parse(i).Digest is not { } digest || PostgresImages.IsDigest(digest)).WithErrorCode(ErrorCodes.ImageTag)
            .WithMessage("a digest pin is `@sha256:` followed by 64 lower-case hex digits")
            .Must(i => !Rules.IsUnpinnedDatabaseImage(i)).WithErrorCode(ErrorCodes.ImageTag)
            .WithMessage("a database image must pin its major version; 'latest' upgrades it silently").OverridePropertyName("Image");
        RuleFor(p => p.Registry).Must(r => Rules.IsRegistry(r!)).When(p => p.Registry is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(p => $"'{Echo.Value(p.Registry)}' is not a registry: a host (with an optional :port) and optional path, e.g. registry.example or registry.example:5000/library, without a scheme, tag or trailing '/'");
        RuleFor(p => p.Image).Must((p, image) => PostgresImages.MajorOf(image) is not { } major || major == p.Version).When(p => p.Image is not null)
            .WithErrorCode(ErrorCodes.PostgresVersion)
            .WithMessage(p => $"the image's tag says PostgreSQL {PostgresImages.MajorOf(p.Image)}, but postgres.version is {p.Version}: they must agree (leave version out to take the tag's)");
    }
}

/// <summary>Validates a secret reference.</summary>
internal sealed class SecretSourceValidator : AbstractValidator<SecretSource>
{
    private readonly string? _jobName;

    /// <summary>Creates the validator for a secret of job <paramref name="jobName"/>, or of the job <see cref="ServiceJobValidator"/> validates.</summary>
    public SecretSourceValidator(string? jobName = null)
    {
        _jobName = jobName;
        RuleFor(s => s.Key).Must(Rules.IsSecretKey).WithErrorCode(ErrorCodes.SecretReference).WithMessage("the key must be letters, digits, '_' or '-'");
        RuleFor(s => s).Custom((secret, context) =>
        {
            var jobName = _jobName ?? JobScope.Of(context, null).Name;
            switch (secret)
            {
                // The value is never echoed: people type the password itself here.
                case VaultSecret vault when InputText.SecretPathProblem(vault.Path) is { } problem:
                    context.Fail("Vault", ErrorCodes.SecretReference, $"not a Vault KV v2 API path: {problem} (mount/data/path, e.g. secret/data/postgres/{jobName})");
                    break;
                case VaultSecret vault when !IsVaultKv2Path(vault.Path):
                    context.Fail("Vault", ErrorCodes.SecretReference, $"not a Vault KV v2 API path (mount/data/path, e.g. secret/data/postgres/{jobName})");
                    break;
                // Nomad's Vault.Validate (nomad/structs/structs.go) refuses change_mode "signal" without change_signal.
                case VaultSecret { ChangeMode: VaultChangeMode.Signal, ChangeSignal: null or "" }:
                    context.Fail("ChangeSignal", ErrorCodes.SecretReference, "changeMode signal needs `changeSignal`, e.g. SIGHUP");
                    break;
                case VaultSecret { ChangeMode: VaultChangeMode.Signal } vault when !IsSignalName(vault.ChangeSignal!):
                    context.Fail("ChangeSignal", ErrorCodes.SecretReference, "changeSignal must be a signal name such as SIGHUP");
                    break;
                case VaultSecret { ChangeMode: not VaultChangeMode.Signal, ChangeSignal: not null }:
                    context.Fail("ChangeSignal", ErrorCodes.SecretReference, "`changeSignal` applies only with changeMode signal");
                    break;
                case NomadVariableSecret variable when !IsReadableVariablePath(variable.Path, jobName):
                    context.Fail("NomadVar", ErrorCodes.SecretReference, $"not readable by every task of the job: a job's workload identity reads exactly nomad/jobs/{jobName} or nomad/jobs/{jobName}/{jobName} (the group)");
                    break;
            }

            if (secret is VaultSecret { Role: { } role } && !InputText.IsRoleName(role))
            {
                context.Fail("Role", ErrorCodes.SecretReference, "a Vault role name is letters, digits, '-', '_' and '.' (at most 128 characters)");
            }
        });
    }

    private static bool IsSignalName(string signal) =>
        signal.Length is > 3 and <= 16 && signal.StartsWith("SIG", StringComparison.Ordinal) && signal.Skip(3).All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '+' or '-');

    private static bool IsVaultKv2Path(string path)
    {
        var parts = path.Split('/');
        return parts.Length >= 3 && parts[1] == "data" && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));
    }

    private static bool IsReadableVariablePath(string path, string jobName) =>
        path == $"nomad/jobs/{jobName}" || path == $"nomad/jobs/{jobName}/{jobName}";
}

using Cronos;
using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>Validates one service job: names, images, secrets, resources, ports, volumes, backups.</summary>
public sealed class ServiceJobValidator : AbstractValidator<ServiceJob>
{
    // Child validators are built once: building one compiles its rules' expression trees, which costs far more
    // than running them. Rules that need the job read it from the validation context (see JobScope).
    private static readonly AppTaskValidator AppValidator = new();
    private static readonly PostgresSidecarValidator PostgresValidator = new();
    private static readonly BackupPolicyValidator BackupValidator = new();
    private static readonly ConstraintValidator ConstraintRules = new();
    private static readonly UpdatePolicyValidator UpdateRules = new();
    private static readonly SqliteStorageValidator SqliteRules = new();

    /// <summary>Creates the validator.</summary>
    public ServiceJobValidator()
    {
        RuleFor(j => j.Name).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(j => string.IsNullOrEmpty(j.Name) ? "a job name is required" : $"'{Echo.Value(j.Name)}' is not a valid job name (lower-case letters, digits, '-' and '_', at most 63 characters)");
        RuleFor(j => j.Datacenters).NotEmpty().WithErrorCode(ErrorCodes.Required).WithMessage("at least one datacenter is required");
        RuleForEach(j => j.Datacenters).NotEmpty().WithErrorCode(ErrorCodes.InvalidValue).WithMessage("datacenter names cannot be empty");
        RuleFor(j => j.Priority).InclusiveBetween(1, 100).When(j => j.Priority is not null).WithErrorCode(ErrorCodes.InvalidValue);
        RuleForEach(j => j.Constraints).SetValidator(ConstraintRules);
        RuleFor(j => j.Update).SetValidator(UpdateRules);
        RuleFor(j => j.App).SetValidator(AppValidator);
        RuleFor(j => j.Postgres!).SetValidator(PostgresValidator).When(j => j.Postgres is not null);
        RuleFor(j => j.Sqlite!).SetValidator(SqliteRules).When(j => j.Sqlite is not null);
        RuleFor(j => j.Backup!).SetValidator(BackupValidator).When(j => j.Backup is not null);
        RuleFor(j => j.Sqlite).Null().When(j => j.Postgres is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("a service uses either a dedicated PostgreSQL or SQLite storage, not both");
        RuleFor(j => j.App.Database).Null().When(j => j.Postgres is null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("app.database wires the app to a PostgreSQL sidecar, but the job has no `postgres:`");
        RuleFor(j => j).Custom(CheckPorts);
        RuleFor(j => j).Custom(CheckVolumes);
        RuleFor(j => j).Custom(SecretPolicy.Check);
        RuleFor(j => j).Custom(CheckServiceNames);
    }

    /// <summary>Service names are unique within a job: the app's must not take a name the generator registers.</summary>
    private static void CheckServiceNames(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        if (job.App.Service is { } service && job.GeneratedServices().Any(s => s.Name == service.Name))
        {
            context.Fail("App.Service.Name", ErrorCodes.Service, $"service name '{Echo.Value(service.Name)}' is the one this job registers for its database or backup; choose another");
        }

        if (!Rules.IsName(job.Name))
        {
            return;
        }

        foreach (var (name, _) in job.GeneratedServices().Where(s => !Rules.IsServiceName(s.Name)))
        {
            context.Fail("Name", ErrorCodes.InvalidName, $"the job registers service '{name}', which Nomad refuses (1-63 letters, digits and '-', RFC 1123): use '-' instead of '_' in the job name, or a shorter one");
        }
    }

    /// <inheritdoc />
    protected override bool PreValidate(ValidationContext<ServiceJob> context, FluentValidation.Results.ValidationResult result)
    {
        JobScope.Enter(context, context.InstanceToValidate);
        return base.PreValidate(context, result);
    }

    private static void CheckPorts(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        var labels = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < job.App.Ports.Length; i++)
        {
            var port = job.App.Ports[i];
            if (!labels.Add(port.Name))
            {
                context.Fail($"App.Ports[{i}].Name", ErrorCodes.Port, $"port label '{Echo.Value(port.Name)}' is used twice");
            }

            if (job.Network == NetworkMode.Host && port.Static is { } fixedPort && fixedPort != port.To)
            {
                context.Fail($"App.Ports[{i}].Static", ErrorCodes.Port, $"on host networking the app binds the node's port directly: static ({fixedPort}) must equal to ({port.To}), or leave static out");
            }
        }

        if (job.Postgres is not null && labels.Contains("db"))
        {
            context.Fail("App.Ports", ErrorCodes.Port, "the port label 'db' is reserved for the PostgreSQL sidecar");
        }

        if (job.Network == NetworkMode.Host && job.Postgres is { } pg)
        {
            var staticPorts = job.App.Ports.Select(p => p.Static ?? p.To).ToList();
            if (staticPorts.Contains(pg.Port))
            {
                context.Fail("Postgres.Port", ErrorCodes.Port, $"port {pg.Port} is used by the app and PostgreSQL on the same host network");
            }
        }

        var statics = job.App.Ports.Where(p => p.Static is not null || job.Network == NetworkMode.Host).GroupBy(p => p.Static ?? p.To).Where(g => g.Count() > 1);
        foreach (var group in statics)
        {
            context.Fail("App.Ports", ErrorCodes.Port, $"static port {group.Key} is bound twice");
        }
    }

    private static void CheckVolumes(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (job.Postgres is not null)
        {
            names.Add(JobFacts.DataVolumeName);
        }

        if (job.Backup is not null)
        {
            names.Add(JobFacts.BackupVolumeName);
        }

        var destinations = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < job.App.Volumes.Length; i++)
        {
            var volume = job.App.Volumes[i];
            if (!names.Add(volume.Name))
            {
                context.Fail($"App.Volumes[{i}].Name", ErrorCodes.Volume, $"volume name '{Echo.Value(volume.Name)}' is used twice in this job");
            }

            if (!destinations.Add(volume.Destination))
            {
                context.Fail($"App.Volumes[{i}].Destination", ErrorCodes.Volume, $"two volumes are mounted at '{Echo.Value(volume.Destination)}'");
            }

            if (job.Postgres is not null && volume.Source == job.DataVolumeSource())
            {
                context.Fail($"App.Volumes[{i}].Source", ErrorCodes.Volume, $"the app mounts the PostgreSQL data volume '{Echo.Value(volume.Source)}'");
            }
        }
    }

}

/// <summary>
/// The job being validated, for child validators whose rules depend on it. It travels in the context's root data,
/// so that one child validator instance serves every job (and concurrent validations never share state).
/// </summary>
internal static class JobScope
{
    private const string Key = "NomadDbPatterns.ServiceJob";

    public static void Enter<T>(ValidationContext<T> context, ServiceJob job) => context.RootContextData[Key] = job;

    /// <summary>The job given to the validator's constructor, else the one the root <see cref="ServiceJobValidator"/> validates.</summary>
    public static ServiceJob Of<T>(ValidationContext<T> context, ServiceJob? fixedJob) =>
        fixedJob ?? (context.RootContextData.TryGetValue(Key, out var job) && job is ServiceJob serviceJob
            ? serviceJob
            : throw new InvalidOperationException($"{typeof(T).Name} validates part of a job: run it through ServiceJobValidator, or construct it with the job."));
}

/// <summary>Adds failures with an error code at a path relative to the current validator.</summary>
internal static class ValidationContextExtensions
{
    public static void Fail<T>(this ValidationContext<T> context, string property, string code, string message)
    {
        var path = context.PropertyChain.BuildPropertyPath(property);
        context.AddFailure(new FluentValidation.Results.ValidationFailure(path, message) { ErrorCode = code });
    }
}

/// <summary>Validates a constraint.</summary>
public sealed class ConstraintValidator : AbstractValidator<Constraint>
{
    private static readonly string[] Operators = ["=", "!=", ">", ">=", "<", "<=", "distinct_hosts", "distinct_property", "regexp", "set_contains", "set_contains_all", "set_contains_any", "version", "semver", "is_set", "is_not_set"];

    /// <summary>Creates the validator.</summary>
    public ConstraintValidator()
    {
        RuleFor(c => c.Operator).Must(o => Operators.Contains(o)).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(c => $"'{Echo.Value(c.Operator)}' is not a Nomad constraint operator ({string.Join(", ", Operators)})");
        RuleFor(c => c.Attribute).NotEmpty().When(c => c.Operator is not ("distinct_hosts")).WithErrorCode(ErrorCodes.Required);
    }
}

/// <summary>Validates the update policy.</summary>
public sealed class UpdatePolicyValidator : AbstractValidator<UpdatePolicy>
{
    /// <summary>Creates the validator.</summary>
    public UpdatePolicyValidator()
    {
        RuleFor(u => u.MaxParallel).GreaterThanOrEqualTo(1).WithErrorCode(ErrorCodes.InvalidValue);
        RuleFor(u => u.MinHealthyTime).Must(Rules.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 30s");
        RuleFor(u => u.HealthyDeadline).Must(Rules.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 10m");
        RuleFor(u => u.ProgressDeadline).Must(Rules.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 15m");
        RuleFor(u => u).Custom(CheckDeadlineOrder);
    }

    /// <summary>
    /// Nomad's UpdateStrategy.Validate (nomad/structs/structs.go, v2.0.5 l.5494-5499) refuses a job unless
    /// min_healthy_time &lt; healthy_deadline &lt; progress_deadline; a parser accepts it, the server does not.
    /// </summary>
    private static void CheckDeadlineOrder(UpdatePolicy update, ValidationContext<UpdatePolicy> context)
    {
        if (!Rules.TryParseDuration(update.MinHealthyTime, out var minHealthy)
            || !Rules.TryParseDuration(update.HealthyDeadline, out var healthy)
            || !Rules.TryParseDuration(update.ProgressDeadline, out var progress))
        {
            return;
        }

        // The error goes to the value the spec changed: a default is never the one to blame.
        var defaults = UpdatePolicy.Stateful;
        if (minHealthy >= healthy)
        {
            context.Fail(update.HealthyDeadline == defaults.HealthyDeadline ? "MinHealthyTime" : "HealthyDeadline", ErrorCodes.UpdateDeadlines,
                $"healthyDeadline ({update.HealthyDeadline}) must be longer than minHealthyTime ({update.MinHealthyTime}); Nomad refuses the job: \"Minimum healthy time must be less than healthy deadline\"");
        }

        if (healthy >= progress)
        {
            context.Fail(update.ProgressDeadline == defaults.ProgressDeadline ? "HealthyDeadline" : "ProgressDeadline", ErrorCodes.UpdateDeadlines,
                $"progressDeadline ({update.ProgressDeadline}) must be longer than healthyDeadline ({update.HealthyDeadline}); Nomad refuses the job: \"Healthy deadline must be less than progress deadline\"");
        }

        // Task.Validate refuses a task whose kill_timeout exceeds its service group's progress_deadline; PostgreSQL
        // tasks get JobFacts.PostgresKillTimeout to finish a fast shutdown.
        if (Rules.TryParseDuration(JobFacts.PostgresKillTimeout, out var killTimeout) && progress < killTimeout && healthy < progress)
        {
            context.Fail("ProgressDeadline", ErrorCodes.UpdateDeadlines,
                $"progressDeadline ({update.ProgressDeadline}) must be at least {JobFacts.PostgresKillTimeout}, the time PostgreSQL gets to shut down; Nomad refuses a task whose kill_timeout exceeds the progress deadline");
        }
    }
}

/// <summary>Validates the app task.</summary>
public sealed class AppTaskValidator : AbstractValidator<AppTask>
{
    private static readonly string[] Placeholders = ["host", "port", "address", "database", "user", "password", "passwordUrlEncoded", "passwordFile"];

    private static readonly PortMappingValidator PortRules = new();
    private static readonly ResourcesValidator ResourceRules = new(32);
    private static readonly ServiceRegistrationValidator ServiceRules = new();
    private static readonly AppVolumeValidator VolumeRules = new();
    private static readonly TemplateFileValidator TemplateRules = new();

    /// <summary>Creates the validator for the app of <paramref name="job"/> (its rules do not depend on the job).</summary>
    public AppTaskValidator(ServiceJob job)
        : this()
    {
        _ = job;
    }

    /// <summary>Creates the validator.</summary>
    internal AppTaskValidator()
    {
        RuleFor(a => a.Name).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage(a => $"'{Echo.Value(a.Name)}' is not a valid task name");
        RuleFor(a => a.Name).Must(n => n is not ("postgres" or "wait-for-postgres" or "db-backup")).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(a => $"task name '{Echo.Value(a.Name)}' is taken by a generated task");
        RuleFor(a => a.Image).NotEmpty().WithErrorCode(ErrorCodes.Required).WithMessage("an image is required")
            .Must(Rules.HasTag).WithErrorCode(ErrorCodes.ImageTag).WithMessage(a => $"image '{Echo.Value(a.Image)}' needs an explicit tag (repo:tag)");
        RuleForEach(a => a.Ports).SetValidator(PortRules);
        RuleFor(a => a.Resources).SetValidator(ResourceRules);
        RuleFor(a => a.Service!).SetValidator(ServiceRules).When(a => a.Service is not null);
        RuleForEach(a => a.Volumes).SetValidator(VolumeRules);
        RuleForEach(a => a.Templates).SetValidator(TemplateRules);
        RuleFor(a => a).Custom((app, context) =>
        {
            foreach (var env in app.Env)
            {
                if (!Rules.IsEnvName(env.Name))
                {
                    context.Fail($"Env.{env.Name}", ErrorCodes.InvalidName, $"'{Echo.Value(env.Name)}' is not an environment variable name");
                }
            }

            var plainNames = app.Env.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var env in app.Database?.Env ?? [])
            {
                var path = $"Database.Env.{env.Name}";
                if (!Rules.IsEnvName(env.Name))
                {
                    context.Fail(path, ErrorCodes.InvalidName, $"'{Echo.Value(env.Name)}' is not an environment variable name");
                }

                foreach (var placeholder in PlaceholdersIn(env.Value))
                {
                    if (!Placeholders.Contains(placeholder))
                    {
                        context.Fail(path, ErrorCodes.InvalidValue, $"unknown placeholder '{{{placeholder}}}' (known: {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))})");
                    }
                    else if (placeholder == "passwordFile" && app.Database is { PasswordFile: false })
                    {
                        context.Fail(path, ErrorCodes.InvalidValue, "{passwordFile} needs `database.passwordFile: true`");
                    }
                }

                if (InputText.TemplateSequenceIn(env.Value) is { } sequence)
                {
                    context.Fail(path, ErrorCodes.UnsafeText, $"'{sequence}' would be evaluated by consul-template (database env values are rendered into a template); database settings never need it");
                }

                if (plainNames.Contains(env.Name))
                {
                    context.Fail(path, ErrorCodes.InvalidValue, $"'{Echo.Value(env.Name)}' is set both in app.env and app.database.env");
                }
            }
        });
    }

    /// <summary>The names of the <c>{placeholder}</c>s in a database wiring value.</summary>
    internal static IEnumerable<string> PlaceholdersIn(string value)
    {
        var start = value.IndexOf('{', StringComparison.Ordinal);
        while (start >= 0)
        {
            var end = value.IndexOf('}', start + 1);
            if (end < 0)
            {
                yield break;
            }

            var name = value[(start + 1)..end];
            if (name.Length > 0 && name.All(char.IsAsciiLetter))
            {
                yield return name;
            }

            start = value.IndexOf('{', end + 1);
        }
    }
}

/// <summary>Validates a port.</summary>
public sealed class PortMappingValidator : AbstractValidator<PortMapping>
{
    /// <summary>Creates the validator.</summary>
    public PortMappingValidator()
    {
        RuleFor(p => p.Name).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage(p => $"'{Echo.Value(p.Name)}' is not a valid port label");
        RuleFor(p => p.To).InclusiveBetween(1, 65535).WithErrorCode(ErrorCodes.Port).WithMessage("the container port must be 1-65535");
        RuleFor(p => p.Static).InclusiveBetween(1, 65535).When(p => p.Static is not null).WithErrorCode(ErrorCodes.Port);
    }
}

/// <summary>Validates resources.</summary>
public sealed class ResourcesValidator : AbstractValidator<Resources>
{
    /// <summary>Creates the validator with a memory floor in MB.</summary>
    public ResourcesValidator(int minimumMemory)
    {
        RuleFor(r => r.Cpu).GreaterThanOrEqualTo(20).WithErrorCode(ErrorCodes.Resources).WithMessage("cpu must be at least 20 MHz");
        RuleFor(r => r.Memory).GreaterThanOrEqualTo(minimumMemory).WithErrorCode(ErrorCodes.Resources)
            .WithMessage(r => $"memory {r.Memory} MB is below the minimum of {minimumMemory} MB");
        RuleFor(r => r.MemoryMax).GreaterThanOrEqualTo(r => r.Memory).When(r => r.MemoryMax is not null).WithErrorCode(ErrorCodes.Resources)
            .WithMessage("memoryMax must be at least memory");
    }
}

/// <summary>Validates a service registration.</summary>
public sealed class ServiceRegistrationValidator : AbstractValidator<ServiceRegistration>
{
    private static readonly HealthCheckValidator CheckRules = new();
    private readonly AppTask? _app;

    /// <summary>Creates the validator for the service of <paramref name="app"/>.</summary>
    public ServiceRegistrationValidator(AppTask app)
        : this()
    {
        _app = app;
    }

    /// <summary>Creates the validator for the service of the app of the job that <see cref="ServiceJobValidator"/> validates.</summary>
    internal ServiceRegistrationValidator()
    {
        RuleFor(s => s.Name).Must(Rules.IsServiceName).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(s => $"'{Echo.Value(s.Name)}' is not a service name Nomad accepts (1-63 letters, digits and '-', RFC 1123; the job name by default)");
        RuleFor(s => s.Port).Must((_, p, context) => (_app ?? JobScope.Of(context, null).App).Ports.Any(port => port.Name == p)).WithErrorCode(ErrorCodes.Service)
            .WithMessage(s => $"the service names port '{Echo.Value(s.Port)}', which app.ports does not define");
        RuleForEach(s => s.Tags).NotEmpty().WithErrorCode(ErrorCodes.InvalidValue);
        RuleFor(s => s.Check!).SetValidator(CheckRules).When(s => s.Check is not null);
    }
}

/// <summary>Validates a health check (http or tcp: the only types both providers accept).</summary>
public sealed class HealthCheckValidator : AbstractValidator<HealthCheck>
{
    /// <summary>Creates the validator.</summary>
    public HealthCheckValidator()
    {
        RuleFor(c => c.Path).Must(p => p is not null && p.StartsWith('/')).When(c => c.Type == CheckType.Http).WithErrorCode(ErrorCodes.Service)
            .WithMessage("an http check needs a path starting with '/'");
        RuleFor(c => c.Path).Null().When(c => c.Type == CheckType.Tcp).WithErrorCode(ErrorCodes.Service).WithMessage("a tcp check has no path");
        RuleFor(c => c.Interval).Must(Rules.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 10s");
        RuleFor(c => c.Timeout).Must(Rules.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 2s");
    }
}

/// <summary>Validates an app volume.</summary>
public sealed class AppVolumeValidator : AbstractValidator<AppVolume>
{
    /// <summary>Creates the validator.</summary>
    public AppVolumeValidator()
    {
        RuleFor(v => v.Name).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage(v => $"'{Echo.Value(v.Name)}' is not a valid volume name");
        RuleFor(v => v.Source).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage(v => $"'{Echo.Value(v.Source)}' is not a valid host volume name");
        RuleFor(v => v.Destination).Must(d => d.StartsWith('/') && !d.Contains("..", StringComparison.Ordinal)).WithErrorCode(ErrorCodes.Volume)
            .WithMessage("the mount destination must be an absolute path");
        RuleFor(v => v.ReadOnly).Equal(true).When(v => v.Shared).WithErrorCode(ErrorCodes.Volume).WithMessage("a shared volume must be mounted read-only");
    }
}

/// <summary>Validates an extra template.</summary>
public sealed class TemplateFileValidator : AbstractValidator<TemplateFile>
{
    /// <summary>Creates the validator.</summary>
    public TemplateFileValidator()
    {
        RuleFor(t => t.Destination).Must(d => (d.StartsWith("local/", StringComparison.Ordinal) || d.StartsWith("secrets/", StringComparison.Ordinal) || d.StartsWith("alloc/", StringComparison.Ordinal)) && !d.Contains("..", StringComparison.Ordinal) && d.Trim() == d && !d.EndsWith('/'))
            .WithErrorCode(ErrorCodes.InvalidValue).WithMessage("the destination must be a file under local/, secrets/ or alloc/");
        RuleFor(t => t.Data).NotEmpty().WithErrorCode(ErrorCodes.Required).WithMessage("template data is required");
        // Nomad's Template.Validate refuses signal without change_signal and script without change_script, which the
        // spec cannot give: only the modes that need nothing else.
        RuleFor(t => t.ChangeMode).Must(m => m is "noop" or "restart").WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("changeMode must be noop or restart");
        RuleFor(t => t.Perms).Must(p => p!.Length is 3 or 4 && p.All(c => c is >= '0' and <= '7')).When(t => t.Perms is not null)
            .WithErrorCode(ErrorCodes.InvalidValue).WithMessage("perms must be octal, e.g. 0644");
    }
}

/// <summary>Validates the PostgreSQL sidecar.</summary>
public sealed class PostgresSidecarValidator : AbstractValidator<PostgresSidecar>
{
    /// <summary>Oldest supported major.</summary>
    public const int MinimumVersion = 13;
    /// <summary>Newest major this generator knows the image layout of.</summary>
    public const int MaximumVersion = 18;

    private static readonly ResourcesValidator ResourceRules = new(64);
    private readonly ServiceJob? _job;

    /// <summary>Creates the validator for the sidecar of <paramref name="job"/>.</summary>
    public PostgresSidecarValidator(ServiceJob job)
        : this()
    {
        _job = job;
    }

    /// <summary>Creates the validator for the sidecar of the job that <see cref="ServiceJobValidator"/> validates.</summary>
    internal PostgresSidecarValidator()
    {
        Include(new PostgresImageValidator());
        RuleFor(p => p.Database).Must(Rules.IsSqlIdentifier).When(p => p.Database is not null).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage("database names are lower-case letters, digits and '_' (starting with a letter or '_')");
        RuleFor(p => p.User).Must(Rules.IsSqlIdentifier).When(p => p.User is not null).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage("user names are lower-case letters, digits and '_' (starting with a letter or '_')");
        RuleFor(p => p.Port).InclusiveBetween(1, 65535).WithErrorCode(ErrorCodes.Port);
        RuleFor(p => p.Port).Equal(Defaults.PostgresPort).When((_, context) => JobScope.Of(context, _job).Network == NetworkMode.Bridge).WithErrorCode(ErrorCodes.Port)
            .WithMessage("on bridge networking each allocation has its own network: keep 5432 (ports only need to differ on host networking)");
        RuleFor(p => p.Resources).SetValidator(ResourceRules);
        RuleFor(p => p.ShmSize).Must(s => ParseSize(s) is > 0).When(p => p.ShmSize is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(p => InputText.SizeProblem(p.ShmSize));
        RuleFor(p => p.Volume).Must(Rules.IsName).When(p => p.Volume is not null).WithErrorCode(ErrorCodes.InvalidName).WithMessage("not a valid host volume name");
        RuleFor(p => p.UpgradeFrom).InclusiveBetween(MinimumVersion - 4, MaximumVersion).When(p => p.UpgradeFrom is not null)
            .WithErrorCode(ErrorCodes.MajorUpgrade).WithMessage($"upgradeFrom names a PostgreSQL major ({MinimumVersion - 4}-{MaximumVersion})");
        RuleFor(p => p.UpgradeFrom).LessThan(p => p.Version).When(p => p.UpgradeFrom is not null)
            .WithErrorCode(ErrorCodes.MajorUpgrade).WithMessage("upgradeFrom names an older major than version");
        RuleFor(p => p).Custom((p, context) => InputText.CheckSettings(p.Settings, context));
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

    /// <summary>Parses sizes such as 256MB, 1GB, 64m into bytes, or null.</summary>
    public static long? ParseSize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var digits = 0;
        while (digits < value.Length && char.IsAsciiDigit(value[digits]))
        {
            digits++;
        }

        if (digits == 0 || digits > 18 || !long.TryParse(value.AsSpan(0, digits), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        long? multiplier = value[digits..].ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1024,
            "M" or "MB" or "MIB" => 1024 * 1024,
            "G" or "GB" or "GIB" => 1024L * 1024 * 1024,
            _ => null,
        };
        // Checked: a size beyond the limit (or one that would overflow long) is no size at all.
        return multiplier is null || number > Spec.InputLimits.MaxSizeBytes / multiplier ? null : number * multiplier;
    }
}

/// <summary>Validates the image of any PostgreSQL task (sidecar or legacy shared server).</summary>
public sealed class PostgresImageValidator : AbstractValidator<IPostgresImage>
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
        RuleFor(p => p.Variant).Must(v => v is "" or "alpine" || v.StartsWith("alpine3.", StringComparison.Ordinal) || v is "bookworm" or "trixie" or "bullseye")
            .WithErrorCode(ErrorCodes.InvalidValue).WithMessage(p => $"'{Echo.Value(p.Variant)}' is not a postgres image variant (alpine, bookworm, trixie)");
        RuleFor(p => p.ImageReference).Must(Rules.HasTag).WithErrorCode(ErrorCodes.ImageTag).WithMessage("the PostgreSQL image needs an explicit tag")
            .Must(i => Rules.Tag(i) is not ("latest" or "alpine")).WithErrorCode(ErrorCodes.ImageTag)
            .WithMessage("a database image must pin its major version; 'latest' upgrades it silently").OverridePropertyName("Image");
        RuleFor(p => p.Image).Must((p, image) => Spec.SpecMapper.MajorFromImage(image) == p.Version).When(p => p.Image is not null && Rules.HasTag(p.Image))
            .WithErrorCode(ErrorCodes.PostgresVersion).WithMessage(p => $"the image tag must start with the major version {p.Version}");
    }
}

/// <summary>Validates a secret reference.</summary>
public sealed class SecretSourceValidator : AbstractValidator<SecretSource>
{
    private readonly string? _jobName;

    /// <summary>Creates the validator for a secret of job <paramref name="jobName"/>.</summary>
    public SecretSourceValidator(string jobName)
        : this()
    {
        _jobName = jobName;
    }

    /// <summary>Creates the validator for a secret of the job that <see cref="ServiceJobValidator"/> validates.</summary>
    internal SecretSourceValidator()
    {
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

/// <summary>Validates SQLite storage.</summary>
public sealed class SqliteStorageValidator : AbstractValidator<SqliteStorage>
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
public sealed class BackupPolicyValidator : AbstractValidator<BackupPolicy>
{
    private readonly ServiceJob? _job;

    /// <summary>Creates the validator for the backup of <paramref name="job"/>.</summary>
    public BackupPolicyValidator(ServiceJob job)
        : this()
    {
        _job = job;
    }

    /// <summary>Creates the validator for the backup of the job that <see cref="ServiceJobValidator"/> validates.</summary>
    internal BackupPolicyValidator()
    {
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
        RuleFor(b => b.Placement).NotEqual(BackupPlacement.Periodic).When((_, context) => JobScope.Of(context, _job).Postgres is null).WithErrorCode(ErrorCodes.PeriodicBackup)
            .WithMessage("a periodic backup job reaches PostgreSQL through its registered service; SQLite files are backed up by a sidecar");
        RuleFor(b => b.Schedule.Cron).NotNull().When(b => b.Placement == BackupPlacement.Periodic).WithErrorCode(ErrorCodes.PeriodicBackup)
            .WithMessage("a periodic backup job runs on Nomad's cron (`periodic { crons }`): give a cron `schedule`, not an interval").OverridePropertyName("Schedule");
        RuleFor(b => b.VerifyRestore).Equal(false).When((_, context) => JobScope.Of(context, _job).Postgres is null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("restore-verify applies to PostgreSQL dumps").OverridePropertyName("Verify");
    }
}

/// <summary>Schedule and retention rules of a backup, shared by service jobs and the legacy shared instance.</summary>
public sealed class BackupScheduleRules : AbstractValidator<BackupPolicy>
{
    /// <summary>Creates the rules.</summary>
    public BackupScheduleRules()
    {
        RuleFor(b => b.Schedule).Custom((schedule, context) =>
        {
            if (schedule.Cron is not null && schedule.Interval is not null)
            {
                context.Fail("Schedule", ErrorCodes.Schedule, "give either a cron `schedule` or an `interval`, not both");
            }

            if (schedule.Cron is not null && !CronSchedule.TryNormalize(schedule.Cron, out _, out var error))
            {
                context.Fail("Schedule", ErrorCodes.Schedule, error);
            }

            if (schedule.Interval is not null && InputText.DurationProblem(schedule.Interval, TimeSpan.FromMinutes(1), InputLimits.MaxBackupInterval, "an interval", "30m, 6h, 1d") is { } intervalProblem)
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

            if (retention.KeepLast is < 1)
            {
                context.Fail("Retention.KeepLast", ErrorCodes.Retention, "keepLast must be at least 1: retention never deletes the last good backup");
            }

            if (retention.MaxAge is not null && InputText.DurationProblem(retention.MaxAge, TimeSpan.FromHours(1), InputLimits.MaxRetentionAge, "an age", "36h, 30d") is { } ageProblem)
            {
                context.Fail("Retention.MaxAge", ErrorCodes.Retention, ageProblem);
            }
        });
    }
}

/// <summary>Cron handling shared by validation and rendering: the subset the backup script evaluates.</summary>
public static class CronSchedule
{
    private static readonly Dictionary<string, string> Macros = new(StringComparer.Ordinal)
    {
        ["@hourly"] = "0 * * * *",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@weekly"] = "0 0 * * 0",
        ["@monthly"] = "0 0 1 * *",
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
    };

    /// <summary>
    /// Parses with Cronos and returns the five-field form the backup script evaluates (macros expanded). Only numbers,
    /// <c>*</c>, lists, ranges and steps are accepted: the script's matcher implements exactly those.
    /// </summary>
    public static bool TryNormalize(string expression, out string normalized, out string error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        // Validation and every render ask again for the same few schedules; Cronos parsing is the costly part.
        if (!Normalized.TryGetValue(expression, out var result))
        {
            result = Normalize(expression);
            if (Normalized.Count < MaxCached)
            {
                Normalized.TryAdd(expression, result);
            }
        }

        (normalized, error) = (result.Normalized, result.Error);
        return result.Valid;
    }

    private const int MaxCached = 10_000;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (bool Valid, string Normalized, string Error)> Normalized = new(StringComparer.Ordinal);

    private static (bool Valid, string Normalized, string Error) Normalize(string expression)
    {
        var valid = Parse(expression, out var normalized, out var error);
        return (valid, normalized, error);
    }

    private static bool Parse(string expression, out string normalized, out string error)
    {
        normalized = Macros.TryGetValue(expression.Trim(), out var expanded) ? expanded : string.Join(' ', expression.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        error = string.Empty;
        var fields = normalized.Split(' ');
        if (fields.Length != 5)
        {
            error = $"'{Echo.Value(expression)}' is not a five-field cron expression (minute hour day-of-month month day-of-week)";
            return false;
        }

        if (normalized.Any(c => !(char.IsAsciiDigit(c) || c is '*' or ',' or '-' or '/' or ' ')))
        {
            error = $"'{Echo.Value(expression)}': use numbers, *, lists (1,2), ranges (1-5) and steps (*/15) only";
            return false;
        }

        foreach (var range in fields.SelectMany(f => f.Split(',')).Select(item => item.Split('/')[0]).Where(r => r.Contains('-', StringComparison.Ordinal)))
        {
            var bounds = range.Split('-');
            if (bounds.Length == 2 && int.TryParse(bounds[0], out var low) && int.TryParse(bounds[1], out var high) && low > high)
            {
                // Cronos reads 22-1 as a wrap-around range; the backup script's matcher (and many crons) do not.
                error = $"'{Echo.Value(expression)}': range {range} runs backwards; write it as two ranges (e.g. 22-23,0-1)";
                return false;
            }
        }

        CronExpression parsed;
        try
        {
            parsed = CronExpression.Parse(normalized, CronFormat.Standard);
        }
        catch (CronFormatException exception)
        {
            error = $"'{Echo.Value(expression)}' is not a valid cron expression: {exception.Message}";
            return false;
        }

        if (!FiresWithin(parsed, out var horizonYears))
        {
            error = $"'{Echo.Value(expression)}' never fires (no matching date in {horizonYears} years): the backup would never run; check day-of-month against the month";
            return false;
        }

        return true;
    }

    /// <summary>The horizon a schedule must fire within: 8 years covers every leap day (29 February).</summary>
    private const int HorizonYears = 8;

    private static readonly DateTime HorizonStart = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>True when the schedule fires at least once within <see cref="HorizonYears"/> years (deterministic: a fixed start in UTC).</summary>
    private static bool FiresWithin(CronExpression expression, out int horizonYears)
    {
        horizonYears = HorizonYears;
        return expression.GetNextOccurrence(HorizonStart) is { } next && next < HorizonStart.AddYears(HorizonYears);
    }

    /// <summary>True for a known IANA time zone.</summary>
    public static bool IsTimeZone(string name)
    {
        if (name is "UTC" or "Etc/UTC")
        {
            return true;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(name, out _) && name.Contains('/', StringComparison.Ordinal);
    }
}

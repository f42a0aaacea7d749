using Cronos;
using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>Validates the app task.</summary>
internal sealed class AppTaskValidator : AbstractValidator<AppTask>
{
    private static readonly string[] Placeholders = ["host", "port", "address", "database", "user", "password", "passwordUrlEncoded", "passwordFile"];

    private static readonly PortMappingValidator PortRules = new();
    private static readonly ResourcesValidator ResourceRules = new(32);
    private static readonly ServiceRegistrationValidator ServiceRules = new();
    private static readonly AppVolumeValidator VolumeRules = new();
    private static readonly TemplateFileValidator TemplateRules = new();
    private static readonly ContainerOptionsValidator ContainerRules = new();

    /// <summary>Creates the validator for the app of <paramref name="job"/> (its rules do not depend on the job).</summary>
    public AppTaskValidator(ServiceJob job)
        : this()
    {
        _ = job;
    }

    /// <summary>Creates the validator.</summary>
    internal AppTaskValidator()
    {
        TaskRules.NameImageAndEnv(this, a => a.Name, a => a.Image, a => a.Env);
        RuleForEach(a => a.Ports).SetValidator(PortRules);
        RuleFor(a => a.Resources).SetValidator(ResourceRules);
        RuleFor(a => a.Service!).SetValidator(ServiceRules).When(a => a.Service is not null);
        RuleForEach(a => a.Volumes).SetValidator(VolumeRules);
        RuleForEach(a => a.Templates).SetValidator(TemplateRules);
        RuleFor(a => a.Container).SetValidator(ContainerRules);
        RuleFor(a => a).Custom((app, context) =>
        {
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
internal sealed class PortMappingValidator : AbstractValidator<PortMapping>
{
    /// <summary>Creates the validator.</summary>
    public PortMappingValidator()
    {
        RuleFor(p => p.Name).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage(p => $"'{Echo.Value(p.Name)}' is not a valid port label");
        RuleFor(p => p.To).InclusiveBetween(Rules.MinPort, Rules.MaxPort).WithErrorCode(ErrorCodes.Port).WithMessage($"the container port must be {Rules.MinPort}-{Rules.MaxPort}");
        RuleFor(p => p.Static).InclusiveBetween(Rules.MinPort, Rules.MaxPort).When(p => p.Static is not null).WithErrorCode(ErrorCodes.Port)
            .WithMessage(p => $"static port {p.Static} is not a port: use {Rules.MinPort}-{Rules.MaxPort}");
    }
}

/// <summary>Validates resources.</summary>
internal sealed class ResourcesValidator : AbstractValidator<Resources>
{
    /// <summary>The least CPU (MHz) a task gets.</summary>
    public const int MinimumCpu = 20;

    /// <summary>The smallest memory Nomad accepts for a task: <c>MinResources().MemoryMB</c> in nomad/structs/structs.go (v2.0.5).</summary>
    public const int NomadMinimumMemory = 10;

    /// <summary>
    /// Below this, PostgreSQL runs only while its cache stays small: its default shared_buffers (128MB) and work
    /// memory outgrow the limit and the kernel kills the task. A warning, not an error: small homelab databases run on 32 MB.
    /// </summary>
    public const int PostgresComfortableMemory = 64;

    /// <summary>The rules of a PostgreSQL task's resources (the sidecar's and the shared server's).</summary>
    public static ResourcesValidator Postgres { get; } = new(NomadMinimumMemory);

    /// <summary>The warning for a PostgreSQL task with little memory and no shared_buffers of its own.</summary>
    public static void WarnAboutSmallPostgres<T>(AbstractValidator<T> validator, Func<T, Resources> resources, Func<T, IEnumerable<KeyValuePair<string, string>>> settings) =>
        validator.RuleFor(p => resources(p).Memory).GreaterThanOrEqualTo(PostgresComfortableMemory)
            .When(p => !settings(p).Any(s => s.Key == "shared_buffers"))
            .WithSeverity(FluentValidation.Severity.Warning).WithErrorCode(ErrorCodes.Resources)
            .WithMessage(p => $"PostgreSQL gets {resources(p).Memory} MB: its default shared_buffers (128MB) outgrow that as the cache fills, and the task is killed; set postgres.settings.shared_buffers well below the limit (e.g. 8MB) or give it {PostgresComfortableMemory} MB or more")
            .OverridePropertyName("Resources.Memory");

    /// <summary>Creates the validator with a memory floor in MB.</summary>
    public ResourcesValidator(int minimumMemory)
    {
        RuleFor(r => r.Cpu).GreaterThanOrEqualTo(MinimumCpu).WithErrorCode(ErrorCodes.Resources).WithMessage($"cpu must be at least {MinimumCpu} MHz");
        RuleFor(r => r.Memory).GreaterThanOrEqualTo(minimumMemory).WithErrorCode(ErrorCodes.Resources)
            .WithMessage(r => $"memory {r.Memory} MB is below the minimum of {minimumMemory} MB");
        RuleFor(r => r.MemoryMax).GreaterThanOrEqualTo(r => r.Memory).When(r => r.MemoryMax is not null).WithErrorCode(ErrorCodes.Resources)
            .WithMessage("memoryMax must be at least memory");
    }
}

/// <summary>The rules every task of the group has: a task name that is no generated task's, a pinned image, env names.</summary>
internal static class TaskRules
{
    public static void NameImageAndEnv<T>(AbstractValidator<T> validator, Func<T, string> name, Func<T, string> image, Func<T, System.Collections.Immutable.ImmutableArray<EnvVar>> env)
    {
        validator.RuleFor(t => name(t)).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName).WithMessage(t => $"'{Echo.Value(name(t))}' is not a valid task name")
            .OverridePropertyName("Name");
        validator.RuleFor(t => name(t)).Must(n => !JobFacts.GeneratedTaskNames.Contains(n)).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(t => $"task name '{Echo.Value(name(t))}' is taken by a generated task").OverridePropertyName("Name");
        validator.RuleFor(t => image(t)).Cascade(CascadeMode.Stop).NotEmpty().WithErrorCode(ErrorCodes.Required).WithMessage("an image is required")
            .Must(Rules.HasTag).WithErrorCode(ErrorCodes.ImageTag).WithMessage(t => $"image '{Echo.Value(image(t))}' needs an explicit tag (repo:tag)")
            .OverridePropertyName("Image");
        validator.RuleFor(t => t).Custom((task, context) =>
        {
            foreach (var variable in env(task).Where(e => !Rules.IsEnvName(e.Name)))
            {
                context.Fail($"Env.{variable.Name}", ErrorCodes.InvalidName, $"'{Echo.Value(variable.Name)}' is not an environment variable name");
            }
        });
    }
}

/// <summary>Validates a service registration.</summary>
internal sealed class ServiceRegistrationValidator : AbstractValidator<ServiceRegistration>
{
    private static readonly HealthCheckValidator CheckRules = new();
    private readonly AppTask? _app;

    /// <summary>Creates the validator for the service of <paramref name="app"/>.</summary>
    public ServiceRegistrationValidator(AppTask app)
        : this()
    {
        _app = app;
    }

    /// <summary>
    /// Creates the validator for a service of the job that <see cref="ServiceJobValidator"/> validates: the app's, or
    /// an extra task's (<paramref name="defaultName"/> says what the name defaults to). Every service names a port of the
    /// group, which only app.ports declares.
    /// </summary>
    internal ServiceRegistrationValidator(string defaultName = "the job name")
    {
        RuleFor(s => s.Name).Must(Rules.IsServiceName).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(s => $"'{Echo.Value(s.Name)}' is not a service name Nomad accepts (1-63 letters, digits and '-', RFC 1123; {defaultName} by default)");
        RuleFor(s => s.Port).Must((_, p, context) => (_app ?? JobScope.Of(context, null).App).Ports.Any(port => port.Name == p)).WithErrorCode(ErrorCodes.Service)
            .WithMessage(s => s.Port.Length == 0
                ? "a task service needs a port of the group: define it in app.ports and name it here"
                : $"the service names port '{Echo.Value(s.Port)}', which app.ports does not define (the group's ports are declared there)");
        RuleForEach(s => s.Tags).NotEmpty().WithErrorCode(ErrorCodes.InvalidValue).WithMessage("a tag is an empty string: remove it or write the tag");
        RuleFor(s => s.Check!).SetValidator(CheckRules).When(s => s.Check is not null);
    }
}

/// <summary>Validates a health check (http or tcp: the only types both providers accept).</summary>
internal sealed class HealthCheckValidator : AbstractValidator<HealthCheck>
{
    /// <summary>Creates the validator.</summary>
    public HealthCheckValidator()
    {
        RuleFor(c => c.Type).NotEqual(CheckType.Script).WithErrorCode(ErrorCodes.Service)
            .WithMessage("an app check is http or tcp (a script check is the database service's pg_isready only)");
        RuleFor(c => c.Path).Must(p => p is not null && p.StartsWith('/')).When(c => c.Type == CheckType.Http).WithErrorCode(ErrorCodes.Service)
            .WithMessage("an http check needs a path starting with '/'");
        RuleFor(c => c.Path).Null().When(c => c.Type == CheckType.Tcp).WithErrorCode(ErrorCodes.Service).WithMessage("a tcp check has no path");
        RuleFor(c => c.Interval).Must(d => d.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 10s");
        RuleFor(c => c.Timeout).Must(d => d.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 2s");
    }
}

/// <summary>
/// Validates the database's service registration (<c>postgres.service</c>): a service name Nomad accepts, and a check
/// Nomad's server accepts for the provider (ServiceCheck.validateNomad / validateConsul / validateCommon in
/// nomad/structs/services.go: provider nomad allows http and tcp only; interval and timeout at least 1s).
/// </summary>
internal sealed class DatabaseServiceValidator : AbstractValidator<DatabaseService>
{
    /// <summary>Nomad's minCheckInterval and minCheckTimeout (nomad/structs/services.go).</summary>
    private static readonly TimeSpan MinimumCheckTime = TimeSpan.FromSeconds(1);

    /// <summary>Creates the validator.</summary>
    public DatabaseServiceValidator()
    {
        RuleFor(s => s.Name).Must(Rules.IsServiceName).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage(s => $"'{Echo.Value(s.Name)}' is not a service name Nomad accepts (1-63 letters, digits and '-', RFC 1123)");
        RuleForEach(s => s.Tags).NotEmpty().WithErrorCode(ErrorCodes.InvalidValue).WithMessage("a tag must not be empty");
        RuleFor(s => s.Check.Type).NotEqual(CheckType.Http).WithErrorCode(ErrorCodes.Service)
            .WithMessage("PostgreSQL speaks no HTTP: the database check is tcp or script");
        RuleFor(s => s.Check.Type).NotEqual(CheckType.Script).When(s => s.Provider == ServiceProvider.Nomad).WithErrorCode(ErrorCodes.Service)
            .WithMessage("a script check needs provider consul: Nomad's own service checks can only be http or tcp");
        RuleFor(s => s.Check.Path).Null().WithErrorCode(ErrorCodes.Service).WithMessage("a database check has no path");
        RuleFor(s => s.Check.Interval).Must(d => d.IsNomadDuration && d.Value >= MinimumCheckTime).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("not a duration of at least 1s such as 10s (Nomad's minimum check interval)");
        RuleFor(s => s.Check.Timeout).Must(d => d.IsNomadDuration && d.Value >= MinimumCheckTime).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("not a duration of at least 1s such as 2s (Nomad's minimum check timeout)");
    }
}

/// <summary>Validates an app volume.</summary>
internal sealed class AppVolumeValidator : AbstractValidator<AppVolume>
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
internal sealed class TemplateFileValidator : AbstractValidator<TemplateFile>
{
    /// <summary>Creates the validator.</summary>
    public TemplateFileValidator()
    {
        RuleFor(t => t.Destination).Must(d => (d.StartsWith("local/", StringComparison.Ordinal) || d.StartsWith("secrets/", StringComparison.Ordinal) || d.StartsWith("alloc/", StringComparison.Ordinal)) && !d.Contains("..", StringComparison.Ordinal) && d.Trim() == d && !d.EndsWith('/'))
            .WithErrorCode(ErrorCodes.InvalidValue).WithMessage("the destination must be a file under local/, secrets/ or alloc/");
        RuleFor(t => t.Data).NotEmpty().WithErrorCode(ErrorCodes.Required).WithMessage("template data is required");
        // Only the modes that need nothing else (SpecWords.TemplateChangeMode says why).
        RuleFor(t => t.ChangeMode).Must(m => SpecWords.TemplateChangeMode.Words.Contains(m)).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage($"changeMode must be {string.Join(" or ", SpecWords.TemplateChangeMode.Words)}");
        RuleFor(t => t.Perms).Must(Rules.IsPerms).When(t => t.Perms is not null)
            .WithErrorCode(ErrorCodes.InvalidValue).WithMessage("perms must be octal, e.g. 0644");
    }
}

using Cronos;
using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>Validates one service job: names, images, secrets, resources, ports, volumes, backups.</summary>
internal sealed class ServiceJobValidator : AbstractValidator<ServiceJob>
{
    // Child validators are built once: building one compiles its rules' expression trees, which costs far more
    // than running them. Rules that need the job read it from the validation context (see JobScope).
    private static readonly AppTaskValidator AppValidator = new();
    private static readonly PostgresSidecarValidator PostgresValidator = new();
    private static readonly BackupPolicyValidator BackupValidator = new();
    private static readonly SqliteStorageValidator SqliteRules = new();
    private static readonly ExtraTaskValidator TaskValidator = new();

    /// <summary>Creates the validator.</summary>
    public ServiceJobValidator()
    {
        Include(PlacementValidator.Instance);
        RuleFor(j => j.App).SetValidator(AppValidator);
        RuleForEach(j => j.Tasks).SetValidator(TaskValidator);
        RuleFor(j => j.Postgres!).SetValidator(PostgresValidator).When(j => j.Postgres is not null);
        RuleFor(j => j.Sqlite!).SetValidator(SqliteRules).When(j => j.Sqlite is not null);
        RuleFor(j => j.Backup!).SetValidator(BackupValidator).When(j => j.Backup is not null);
        RuleFor(j => j.Sqlite).Null().When(j => j.Postgres is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("a service uses either a dedicated PostgreSQL or SQLite storage, not both");
        RuleFor(j => j.App.Database).Null().When(j => j.Postgres is null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage("app.database wires the app to a PostgreSQL sidecar, but the job has no `postgres:`");
        RuleFor(j => j.HostVolumes.Path).Must(Rules.IsHostPath).WithErrorCode(ErrorCodes.Volume)
            .WithMessage("hostVolumes.path must be an absolute directory path of letters, digits, '.', '_', '-' and '/' (no '..')");
        RuleFor(j => j).Custom(CheckPorts);
        RuleFor(j => j).Custom(CheckVolumes);
        RuleFor(j => j).Custom(SecretPolicy.Check);
        RuleFor(j => j).Custom(CheckServiceNames);
        RuleFor(j => j).Custom(TaskSecretRules.CheckApp);
        RuleFor(j => j).Custom(TaskSecretRules.CheckTasks);
        RuleFor(j => j).Custom(TaskSecretRules.CheckOffsite);
        RuleFor(j => j).Custom(CheckTasks);
        RuleFor(j => j).Custom(CheckProviders);
    }

    /// <summary>
    /// The group's tasks together: names unique (Nomad refuses a group that names a task twice, TaskGroup.Validate in
    /// nomad/structs/structs.go), a volume shared between tasks mounted alike, mount points unique per task, and DNS
    /// settings only where Docker takes them.
    /// </summary>
    private static void CheckTasks(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { job.App.Name };
        var volumes = job.App.Volumes.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var generated in new[] { JobFacts.DataVolumeName, JobFacts.BackupVolumeName, JobFacts.SqliteVolumeName })
        {
            volumes.TryAdd(generated, new AppVolume(generated, string.Empty, string.Empty));
        }

        CheckMountPoints(job.App.Volumes, job.App.Container, "App", context);
        CheckDns(job, job.App.Container, "App", context);
        for (var i = 0; i < job.Tasks.Length; i++)
        {
            var task = job.Tasks[i];
            var path = $"Tasks[{i}]";
            if (!names.Add(task.Name))
            {
                context.Fail($"{path}.Name", ErrorCodes.InvalidName, $"task name '{Echo.Value(task.Name)}' is used twice in the group (the app's is '{Echo.Value(job.App.Name)}')");
            }

            for (var v = 0; v < task.Volumes.Length; v++)
            {
                var volume = task.Volumes[v];
                if (!volumes.TryGetValue(volume.Name, out var shared))
                {
                    volumes.Add(volume.Name, volume);
                }
                else if (shared.Source.Length == 0)
                {
                    context.Fail($"{path}.Volumes[{v}].Name", ErrorCodes.Volume, $"volume name '{Echo.Value(volume.Name)}' is the generator's; choose another");
                }
                else if (shared.Source != volume.Source || shared.ReadOnly != volume.ReadOnly || shared.Shared != volume.Shared)
                {
                    context.Fail($"{path}.Volumes[{v}].Name", ErrorCodes.Volume, $"volume '{Echo.Value(volume.Name)}' is already mounted from '{Echo.Value(shared.Source)}'{(shared.ReadOnly ? " read-only" : string.Empty)}: a task sharing it gives the same source, readOnly and shared");
                }

                if (job.Postgres is not null && volume.Source == job.DataVolumeSource())
                {
                    context.Fail($"{path}.Volumes[{v}].Source", ErrorCodes.Volume, $"the task mounts the PostgreSQL data volume '{Echo.Value(volume.Source)}'");
                }
            }

            CheckMountPoints(task.Volumes, task.Container, path, context);
            CheckDns(job, task.Container, path, context);
            if (task.Service is { } service && (job.App.Service?.Name == service.Name || job.GeneratedServices().Any(s => s.Name == service.Name)
                || job.Tasks.Take(i).Any(t => t.Service?.Name == service.Name)))
            {
                context.Fail($"{path}.Service.Name", ErrorCodes.Service, $"service name '{Echo.Value(service.Name)}' is registered by another task of this job; choose another");
            }
        }
    }

    /// <summary>
    /// Every service of a group uses one provider (TaskGroup.validateServices in nomad/structs/structs.go): a task's
    /// service follows the app's (or the database service a periodic backup registers, always with the app's provider).
    /// </summary>
    private static void CheckProviders(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        ServiceProvider? group = job.App.Service?.Provider ?? (job.GeneratedServices().Any() ? ServiceProvider.Nomad : null);
        for (var i = 0; i < job.Tasks.Length; i++)
        {
            if (job.Tasks[i].Service is not { } service)
            {
                continue;
            }

            group ??= service.Provider;
            if (service.Provider != group)
            {
                context.Fail($"Tasks[{i}].Service.Provider", ErrorCodes.Service, $"the group's other services use provider {DocProvider(group.Value)}: Nomad refuses a group whose services mix providers");
            }
        }
    }

    private static string DocProvider(ServiceProvider provider) => provider == ServiceProvider.Consul ? "consul" : "nomad";

    /// <summary>Volume destinations and Docker mount targets of one task are distinct mount points.</summary>
    private static void CheckMountPoints(IReadOnlyList<AppVolume> volumes, ContainerOptions container, string path, ValidationContext<ServiceJob> context)
    {
        var destinations = volumes.Select(v => v.Destination).ToHashSet(StringComparer.Ordinal);
        for (var m = 0; m < container.Mounts.Length; m++)
        {
            if (destinations.Contains(container.Mounts[m].Target))
            {
                context.Fail($"{path}.Container.Mounts[{m}].Target", ErrorCodes.Mount, $"a volume is already mounted at '{Echo.Value(container.Mounts[m].Target)}'");
            }
        }
    }

    /// <summary>
    /// On bridge networking each Docker task joins the group's network namespace (network_mode container:…, set by the
    /// driver, drivers/docker/driver.go:1402-1418), and Docker refuses DNS settings for such a container ("conflicting
    /// options: dns and the network mode"): task DNS is for host networking.
    /// </summary>
    private static void CheckDns(ServiceJob job, ContainerOptions container, string path, ValidationContext<ServiceJob> context)
    {
        if (container.Dns is not null && job.Network == NetworkMode.Bridge)
        {
            context.Fail($"{path}.Container.Dns", ErrorCodes.InvalidValue, "task DNS settings need `network: host`: on bridge networking the container shares the group's network namespace and Docker refuses DNS options for it");
        }
    }

    /// <summary>
    /// Service names are unique within a job: the app's must not take a name the generator registers, nor the database
    /// service the backup sidecar's.
    /// </summary>
    private static void CheckServiceNames(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        if (job.App.Service is { } service && job.GeneratedServices().Any(s => s.Name == service.Name))
        {
            context.Fail("App.Service.Name", ErrorCodes.Service, $"service name '{Echo.Value(service.Name)}' is the one this job registers for its database or backup; choose another");
        }

        if (job.Postgres?.Service is { } database && job.GeneratedServices().Count(s => s.Name == database.Name) > 1)
        {
            context.Fail("Postgres.Service.Name", ErrorCodes.Service, $"service name '{Echo.Value(database.Name)}' is the one this job registers for its backup sidecar's check; choose another");
        }

        // Nomad refuses a group whose services use two providers (TaskGroup.validateServices, nomad/structs/structs.go).
        if (job.Postgres?.Service is { } registered && job.App.Service is { } app && registered.Provider != app.Provider)
        {
            context.Fail("Postgres.Service.Provider", ErrorCodes.Service, $"every service of a group uses one provider (Nomad refuses two): app.service uses {DocWord(app.Provider)}, so the database service must too");
        }

        if (!Rules.IsName(job.Name))
        {
            return;
        }

        // An explicit postgres.service name is checked where it is written (PostgresSidecarValidator).
        foreach (var (name, _) in job.GeneratedServices().Where(s => !Rules.IsServiceName(s.Name) && s.Name != job.Postgres?.Service?.Name))
        {
            context.Fail("Name", ErrorCodes.InvalidName, $"the job registers service '{name}', which Nomad refuses (1-63 letters, digits and '-', RFC 1123): use '-' instead of '_' in the job name, or a shorter one");
        }
    }

    private static string DocWord(ServiceProvider provider) => provider == ServiceProvider.Consul ? "consul" : "nomad";

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

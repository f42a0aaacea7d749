using System.Collections.Immutable;
using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

/// <summary>Turns spec types into the immutable model, filling defaults; bad enum words become diagnostics.</summary>
internal sealed partial class SpecMapper(string basePath, List<Diagnostic> diagnostics, SourceMap map)
{
    public ServiceJob Map(JobSpec spec)
    {
        CheckServiceKind(spec);
        var name = spec.Name ?? string.Empty;
        var app = MapApp(spec.App, name);
        var job = MapPlacement(spec, new ServiceJob(name, app)) with
        {
            Preset = spec.Preset,
            Postgres = spec.Postgres is { } pg ? MapPostgres(pg, name, app.Service?.Provider ?? ServiceProvider.Nomad) : null,
            Sqlite = spec.Sqlite is { } sq ? new SqliteStorage(sq.Volume ?? Defaults.SqliteVolume(name), sq.Destination ?? Defaults.SqliteDestination, sq.File ?? Defaults.SqliteFile) : null,
            HostVolumes = spec.HostVolumes is { } hv ? MapHostVolumes(hv) : HostVolumeSettings.Default,
            Tasks = [.. (spec.Tasks ?? []).Select((t, i) => MapTask(t, $"tasks[{i}]", name, app.Ports))],
        };
        return job with { Backup = spec.Backup is { } b ? MapBackup(b, name) : null };
    }

    /// <summary>The keys every job has (placement, network, update), mapped once for every kind of job.</summary>
    private T MapPlacement<T>(IPlacementSpec spec, T job) where T : Job => (T)(((Job)job) with
    {
        Datacenters = spec.Datacenters is { } dcs ? [.. dcs] : Defaults.Datacenters,
        Namespace = spec.Namespace,
        Region = spec.Region,
        NodePool = spec.NodePool,
        Priority = spec.Priority,
        Constraints = [.. (spec.Constraints ?? []).Select(c => new Constraint(c.Attribute, c.Operator ?? Defaults.ConstraintOperator, c.Value))],
        Network = MapNetwork(spec.Network),
        Update = MapUpdate(spec.Update),
    });

    private HostVolumeSettings MapHostVolumes(HostVolumesSpec spec) => new(
        Word(spec.Provision, "hostVolumes.provision", HostVolumeSettings.Default.Provision, SpecWords.Provision),
        spec.Path ?? HostVolumeSettings.Default.Path);

    private NetworkMode MapNetwork(string? network) =>
        Word(network, "network", Defaults.Network, SpecWords.Network);

    private static UpdatePolicy MapUpdate(UpdateSpec? spec) => spec is null
        ? UpdatePolicy.Stateful
        : UpdatePolicy.Stateful with
        {
            MaxParallel = spec.MaxParallel ?? UpdatePolicy.Stateful.MaxParallel,
            MinHealthyTime = spec.MinHealthyTime ?? UpdatePolicy.Stateful.MinHealthyTime,
            HealthyDeadline = spec.HealthyDeadline ?? UpdatePolicy.Stateful.HealthyDeadline,
            ProgressDeadline = spec.ProgressDeadline ?? UpdatePolicy.Stateful.ProgressDeadline,
            AutoRevert = spec.AutoRevert ?? UpdatePolicy.Stateful.AutoRevert,
        };

    private AppTask MapApp(AppSpec? spec, string jobName)
    {
        var secrets = MapTaskSecrets(spec?.Secrets, "app.secrets", jobName);
        spec ??= new AppSpec();
        var ports = (spec.Ports ?? []).Select(p => new PortMapping(p.Name ?? string.Empty, p.To ?? 0, p.Static)).ToImmutableArray();
        return new AppTask(spec.Image ?? string.Empty)
        {
            Name = spec.Name ?? Defaults.AppTaskName,
            Command = spec.Command,
            Args = [.. spec.Args ?? []],
            User = spec.User,
            Ports = ports,
            Env = Env(spec.Env),
            Database = spec.Database is { } db ? new DatabaseWiring { Env = Env(db.Env), PasswordFile = db.PasswordFile ?? false } : null,
            Resources = MapResources(spec.Resources, Defaults.AppResources),
            Service = spec.Service is { } s ? MapService(s, jobName, ports, "app.service") : null,
            Volumes = MapVolumes(spec.Volumes),
            Templates = MapTemplates(spec.Templates),
            Container = MapContainer(spec.Mounts, spec.Privileged, spec.Dns, spec.ShmSize, "app"),
            Secrets = secrets,
        };
    }

    /// <summary>An extra task; its service names a port of the group (the app's ports), by default <c>JOB-TASK</c>.</summary>
    private ExtraTask MapTask(TaskSpec spec, string path, string jobName, ImmutableArray<PortMapping> groupPorts) =>
        new(spec.Name ?? string.Empty, spec.Image ?? string.Empty)
        {
            Command = spec.Command,
            Args = [.. spec.Args ?? []],
            User = spec.User,
            Env = Env(spec.Env),
            Resources = MapResources(spec.Resources, Defaults.ExtraTaskResources),
            Lifecycle = spec.Lifecycle is { } l
                ? new TaskLifecycle(
                    Word(l.Hook, $"{path}.lifecycle.hook", Defaults.LifecycleHook, SpecWords.LifecycleHook),
                    l.Sidecar ?? false)
                : null,
            Service = spec.Service is { } s ? MapService(s, $"{jobName}-{spec.Name}", groupPorts, $"{path}.service") : null,
            Volumes = MapVolumes(spec.Volumes),
            Templates = MapTemplates(spec.Templates),
            Container = MapContainer(spec.Mounts, spec.Privileged, spec.Dns, spec.ShmSize, path),
            Secrets = MapTaskSecrets(spec.Secrets, $"{path}.secrets", jobName),
        };

    private static ImmutableArray<AppVolume> MapVolumes(List<VolumeSpec>? volumes) =>
        [.. (volumes ?? []).Select(v => new AppVolume(v.Name ?? string.Empty, v.Source ?? string.Empty, v.Destination ?? string.Empty, v.ReadOnly ?? false) { Shared = v.Shared ?? false })];

    private static ImmutableArray<TemplateFile> MapTemplates(List<TemplateSpec>? templates) =>
        [.. (templates ?? []).Select(t => new TemplateFile(t.Destination ?? string.Empty, t.Data ?? string.Empty)
        {
            Env = t.Env ?? false,
            ChangeMode = t.ChangeMode ?? Defaults.TemplateChangeMode,
            Perms = t.Perms,
        })];

    /// <summary>The Docker options every task has, written flat on the task in the spec.</summary>
    private ContainerOptions MapContainer(List<MountSpec>? mounts, bool? privileged, DnsSpec? dns, string? shmSize, string path) =>
        mounts is null && privileged is null && dns is null && shmSize is null
            ? ContainerOptions.None
            : new ContainerOptions
            {
                Mounts = [.. (mounts ?? []).Select((m, i) => new DockerMount(
                    Word(m.Type, $"{path}.mounts[{i}].type", Defaults.MountType, SpecWords.MountType),
                    m.Target ?? string.Empty)
                {
                    Source = m.Source,
                    ReadOnly = m.ReadOnly ?? false,
                    TmpfsSize = m.TmpfsSize,
                })],
                Privileged = privileged ?? false,
                Dns = dns is null ? null : new DnsSettings { Servers = [.. dns.Servers ?? []], Searches = [.. dns.Searches ?? []], Options = [.. dns.Options ?? []] },
                ShmSize = shmSize,
            };

    /// <summary>
    /// A task's <c>secrets:</c> (app.secrets; any task's later), by variable name in the spec's order: each a reference
    /// with a key, never a value. A literal is reported without echoing it.
    /// </summary>
    private ImmutableArray<TaskSecret> MapTaskSecrets(Dictionary<string, TaskSecretSpec>? specs, string path, string jobName)
    {
        var secrets = ImmutableArray.CreateBuilder<TaskSecret>();
        foreach (var (name, spec) in specs ?? [])
        {
            var at = $"{path}.{name}";
            if (spec.Literal is not null)
            {
                // The value itself is never echoed: it is a secret someone just leaked into a spec.
                Report(ErrorCodes.LiteralPassword, "a literal secret is not allowed; reference it: `{ nomadVar: nomad/jobs/<job>, key: KEY }` or `{ vault: secret/data/<path>, key: KEY }`", at);
                continue;
            }

            if (spec.Key is null && (spec.NomadVar is not null || spec.Vault is not null))
            {
                Report(ErrorCodes.Required, "a secret reference needs the `key` of the item (Nomad Variable) or field (Vault) to read", at);
            }

            var source = MapSecret(
                new SecretSpec { NomadVar = spec.NomadVar, Vault = spec.Vault, Key = spec.Key, Role = spec.Role, ChangeMode = spec.ChangeMode, ChangeSignal = spec.ChangeSignal },
                at,
                jobName,
                "secret");
            secrets.Add(new TaskSecret(name, source) { File = spec.File });
        }

        return secrets.ToImmutable();
    }

    private ServiceRegistration MapService(ServiceSpec spec, string defaultName, ImmutableArray<PortMapping> ports, string path)
    {
        return new ServiceRegistration(spec.Name ?? defaultName, spec.Port ?? (ports.IsEmpty ? string.Empty : ports[0].Name))
        {
            Provider = Word(spec.Provider, $"{path}.provider", Defaults.ServiceProvider, SpecWords.Provider),
            Tags = [.. spec.Tags ?? []],
            Check = spec.Check is { } c
                ? new HealthCheck(
                    Word(c.Type, $"{path}.check.type", Defaults.ServiceCheckType, SpecWords.CheckType),
                    c.Path,
                    c.Interval ?? Defaults.CheckInterval,
                    c.Timeout ?? Defaults.CheckTimeout)
                : null,
        };
    }

    private static Resources MapResources(ResourcesSpec? spec, Resources defaults) =>
        spec is null ? defaults : new Resources(spec.Cpu ?? defaults.Cpu, spec.Memory ?? defaults.Memory, spec.MemoryMax ?? defaults.MemoryMax);

    private PostgresSidecar MapPostgres(PostgresSpec spec, string jobName, ServiceProvider appProvider)
    {
        var version = MapVersion(spec.Version, spec.Image);
        return new PostgresSidecar(MapSecret(spec.Password, "postgres.password", jobName))
        {
            Version = version,
            Variant = spec.Variant ?? Defaults.PostgresVariant,
            Image = spec.Image,
            Registry = spec.Registry,
            Database = spec.Database,
            User = spec.User,
            Port = spec.Port ?? Defaults.PostgresPort,
            Resources = MapResources(spec.Resources, Defaults.PostgresResources),
            ShmSize = spec.ShmSize,
            Settings = [.. (spec.Settings ?? []).Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value))],
            Volume = spec.Volume,
            UpgradeFrom = spec.UpgradeFrom,
            Extensions = [.. spec.Extensions ?? []],
            InitSql = MapInitSql(spec),
            Service = spec.Service is { } service ? MapDatabaseService(service, jobName, appProvider) : null,
        };
    }

    /// <summary><c>postgres.service</c>: the name defaults to the one a periodic backup registers, the provider to the app's.</summary>
    private DatabaseService MapDatabaseService(DatabaseServiceSpec spec, string jobName, ServiceProvider appProvider)
    {
        const string path = "postgres.service";
        var check = spec.Check;
        return new DatabaseService(spec.Name ?? JobFacts.DefaultDatabaseServiceName(jobName))
        {
            Provider = Word(spec.Provider, $"{path}.provider", appProvider, SpecWords.Provider),
            Tags = [.. spec.Tags ?? []],
            Check = new HealthCheck(
                Word(check?.Type, $"{path}.check.type", Defaults.DatabaseCheckType, SpecWords.DatabaseCheckType),
                null,
                check?.Interval ?? Defaults.CheckInterval,
                check?.Timeout ?? Defaults.CheckTimeout),
        };
    }

    /// <summary>The major in an image tag such as <c>postgres:16.4-alpine</c> or <c>pgvector/pgvector:pg17</c>, or null.</summary>
    internal static int? MajorFromImage(string? image) => PostgresImages.MajorOf(image);

    /// <summary>
    /// The major: <c>postgres.version</c>, else the one the image's tag shows, else the default for the default image.
    /// An explicit image whose tag shows no major (a digest pin, <c>v0.5.1</c>) needs <c>postgres.version</c>: guessing
    /// would mount the data directory where another major does not look. A version that disagrees with the tag is the
    /// validator's error.
    /// </summary>
    private int MapVersion(int? version, string? image)
    {
        // An image without a tag or pinned to `latest` gets the validator's NDB011 instead: it pins nothing at all.
        if (version is null && image is not null && MajorFromImage(image) is null && Rules.HasTag(image) && !Rules.IsUnpinnedDatabaseImage(image))
        {
            Report(ErrorCodes.PostgresVersion, "cannot tell the PostgreSQL major from the image: its tag neither starts with it nor holds pgNN (or there is only a digest); give postgres.version", "postgres.image");
        }

        return version ?? MajorFromImage(image) ?? Defaults.PostgresVersion;
    }

    private SecretSource MapSecret(SecretSpec? spec, string path, string jobName, string what = "password", string? defaultKey = null)
    {
        if (spec is null)
        {
            Report(ErrorCodes.Required, "a password source is required: `password: { nomadVar: nomad/jobs/<job> }` or `password: { vault: secret/data/postgres/<svc> }`", path);
            return new NomadVariableSecret(Defaults.JobVariablePath(jobName));
        }

        if (spec.Literal is not null)
        {
            // The value itself is never echoed: it is a secret someone just leaked into a spec.
            Report(ErrorCodes.LiteralPassword, $"a literal {what} is not allowed; reference a secret instead (nomadVar or vault)", path);
            return new NomadVariableSecret(Defaults.JobVariablePath(jobName));
        }

        if (spec.NomadVar is not null && spec.Vault is not null)
        {
            Report(ErrorCodes.SecretReference, "give either `nomadVar` or `vault`, not both", path);
        }

        if (spec.Vault is { } vault)
        {
            return new VaultSecret(vault, spec.Key ?? defaultKey ?? Defaults.VaultSecretKey)
            {
                Role = spec.Role,
                ChangeMode = Word(spec.ChangeMode, $"{path}.changeMode", Defaults.VaultChangeMode, SpecWords.VaultChangeMode),
                ChangeSignal = spec.ChangeSignal,
            };
        }

        if (spec.NomadVar is { } variable)
        {
            foreach (var (value, key) in new[] { (spec.Role, "role"), (spec.ChangeMode, "changeMode"), (spec.ChangeSignal, "changeSignal") })
            {
                if (value is not null)
                {
                    Report(ErrorCodes.SecretReference, $"`{key}` applies to Vault secrets only", $"{path}.{key}");
                }
            }

            return new NomadVariableSecret(variable, spec.Key ?? defaultKey ?? Defaults.NomadVariableSecretKey);
        }

        Report(ErrorCodes.SecretReference, $"a {what} source needs `nomadVar` or `vault`", path);
        return new NomadVariableSecret(Defaults.JobVariablePath(jobName));
    }

    private BackupPolicy MapBackup(BackupSpec spec, string jobName)
    {
        var path = "backup";
        return new BackupPolicy(spec.Volume ?? Defaults.BackupVolume(jobName))
        {
            Schedule = spec.Schedule is null && spec.Interval is not null
                ? new BackupSchedule(null, spec.Interval, spec.TimeZone ?? Defaults.BackupTimeZone)
                : new BackupSchedule(spec.Schedule ?? Defaults.BackupCron, spec.Interval, spec.TimeZone ?? Defaults.BackupTimeZone),
            Retention = spec.Retention is { } r ? new BackupRetention(r.KeepLast, r.MaxAge) : BackupRetention.Default,
            Format = Word(spec.Format, $"{path}.format", Defaults.BackupFormat, SpecWords.BackupFormat),
            VerifyRestore = Word(spec.Verify, $"{path}.verify", Defaults.BackupVerifyRestore, SpecWords.Verify),
            Placement = Word(spec.Placement, $"{path}.placement", Defaults.BackupPlacement, SpecWords.Placement),
            Drill = spec.Drill is { } drill ? new BackupDrill(drill.Schedule ?? string.Empty, drill.TimeZone) : null,
            Offsite = spec.Offsite is { } offsite ? new OffsitePolicy(offsite.Repository ?? string.Empty, MapSecret(offsite.PasswordSecret, $"{path}.offsite.passwordSecret", jobName, "repository password", Defaults.OffsitePasswordKey))
            {
                Schedule = offsite.Schedule ?? Defaults.OffsiteCron,
                Keep = offsite.Keep is { } keep ? new OffsiteKeep(keep.Daily ?? Defaults.OffsiteKeepDaily, keep.Weekly ?? Defaults.OffsiteKeepWeekly, keep.Monthly ?? Defaults.OffsiteKeepMonthly) : OffsiteKeep.Default,
                Credentials = MapTaskSecrets(offsite.Credentials, $"{path}.offsite.credentials", jobName),
            } : null,
            Pitr = spec.Pitr is { } pitr ? new BackupPitr(pitr.BaseBackup ?? string.Empty, pitr.WalRetention ?? Defaults.PitrWalRetention) : null,
            Heartbeat = spec.Heartbeat is { } heartbeat ? MapSecret(heartbeat, $"{path}.heartbeat", jobName, "heartbeat URL", Defaults.HeartbeatSecretKey) : null,
        };
    }

    private static ImmutableArray<EnvVar> Env(Dictionary<string, string>? env) =>
        env is null ? [] : [.. env.Select(kv => new EnvVar(kv.Key, kv.Value))];

    /// <summary>The value of a word of <paramref name="words"/>; <paramref name="fallback"/> (the default) when none is given, or after reporting a word that is none of them.</summary>
    private T Word<T>(string? value, string path, T fallback, SpecWordSet<T> words)
    {
        if (value is null)
        {
            return fallback;
        }

        foreach (var (word, result) in words.Entries)
        {
            if (string.Equals(word, value, StringComparison.Ordinal))
            {
                return result;
            }
        }

        Report(ErrorCodes.InvalidValue, $"'{Echo.Value(value)}' is not allowed here; use one of: {string.Join(", ", words.Words)}", path);
        return fallback;
    }

    private void Report(string code, string message, string path)
    {
        var fullPath = basePath.Length == 0 ? path : $"{basePath}.{path}";
        diagnostics.Add(Diagnostic.Error(code, message, fullPath, map.Locate(fullPath)));
    }
}

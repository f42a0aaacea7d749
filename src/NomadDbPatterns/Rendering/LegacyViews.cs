using System.Globalization;
using NomadDbPatterns.Hcl;
using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;
using static NomadDbPatterns.Rendering.HclValue;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// View pieces the legacy renderers (shared instance, migration job) build their jobs from. Every view record is
/// constructed here and only here, so a change of the view records touches one file of the legacy half.
/// </summary>
internal static class LegacyViews
{
    /// <summary>Where backup sidecars mount the backup volume.</summary>
    public const string BackupMount = "/backups";

    public static JobView Job(IEnumerable<string> header, string name, string type, IEnumerable<string> datacenters, string? @namespace, string? region, string? nodePool, int? priority, IEnumerable<Constraint> constraints, GroupView group) =>
        new(
            [.. header.Select(line => line.Replace('\n', ' ').Replace('\r', ' '))],
            Str(name),
            List(datacenters),
            Str(type),
            StrOrNull(@namespace),
            StrOrNull(region),
            StrOrNull(nodePool),
            priority is { } p ? Num(p) : null,
            [.. constraints.Select(c => new ConstraintView(StrOrNull(c.Attribute), Str(c.Operator), StrOrNull(c.Value)))],
            null,
            group);

    public static GroupView Group(string name, string networkMode, IReadOnlyList<PortView> ports, IReadOnlyList<VolumeView> volumes, UpdatePolicy? update, RestartPolicy restart, IReadOnlyList<ServiceView> services, IReadOnlyList<TaskView> tasks) =>
        new(
            Str(name),
            Str(networkMode),
            ports,
            volumes,
            update is null ? null : new UpdateView(Num(update.MaxParallel), Num(update.Canary), Bool(update.AutoRevert), Str(update.MinHealthyTime), Str(update.HealthyDeadline)),
            new RestartView(Num(restart.Attempts), Str(restart.Interval), Str(restart.Delay), Str(restart.Mode)),
            services,
            tasks);

    public static PortView StaticPort(string label, int hostPort, int to) => new(Str(label), Num(hostPort), Num(to));

    public static VolumeView HostVolume(string name, string source) => new(Str(name), Str(source), Bool(false));

    public static MountView Mount(string volume, string destination, bool readOnly = false) => new(Str(volume), Str(destination), readOnly ? Bool(true) : null);

    public static EnvView Env(string name, string value) => new(Key(name), Str(value));

    public static ServiceView Service(string name, string? port, ServiceProvider provider, params CheckView[] checks) =>
        new(Str(name), StrOrNull(port), Str(Provider(provider)), null, checks);

    public static CheckView TcpCheck() => new(Str("tcp"), null, null, null, Str("10s"), Str("2s"));

    public static CheckView ScriptCheck(string command, IEnumerable<string> args, string interval, string timeout) =>
        new(Str("script"), null, Str(command), List(args), Str(interval), Str(timeout));

    public static string Provider(ServiceProvider provider) => provider == ServiceProvider.Consul ? "consul" : "nomad";

    public static TemplateView Template(string destination, string data, string changeMode, string? perms = null, bool env = false) =>
        new(Str(destination), StrOrNull(perms), env ? Bool(true) : null, Str(changeMode), HclString.Text(data));

    /// <summary>A file holding just the secret, for <c>POSTGRES_PASSWORD_FILE</c> or init-databases' manifest.</summary>
    public static TemplateView SecretFile(string destination, SecretSource secret, string changeMode) =>
        Template(destination, ConsulTemplate.SecretFile(secret), changeMode, "0644");

    /// <summary>An embedded script, refusing one that consul-template would evaluate.</summary>
    public static TemplateView Script(TemplateSet templates, string name, string perms)
    {
        var text = templates.ReadText($"scripts/{name}");
        if (text.Contains("{{", StringComparison.Ordinal))
        {
            throw new TemplateException($"scripts/{name} contains '{{{{', which consul-template would evaluate.");
        }

        return Template($"local/{name}", text, "restart", perms);
    }

    /// <summary>
    /// The vault block of a task reading <paramref name="secrets"/>, or null when none is in Vault. Validation makes
    /// every Vault secret of one job name the same role.
    /// </summary>
    public static VaultView? Vault(IEnumerable<SecretSource> secrets)
    {
        var vault = secrets.OfType<VaultSecret>().ToList();
        return vault.Count == 0 ? null : new VaultView(StrOrNull(vault.Select(v => v.Role).FirstOrDefault(r => r is not null)));
    }

    public static LifecycleView Lifecycle(string hook, bool sidecar) => new(Str(hook), Bool(sidecar));

    public static ResourcesView Resources(Resources resources) =>
        new(Num(resources.Cpu), Num(resources.Memory), resources.MemoryMax is { } max ? Num(max) : null);

    public static TaskView Task(
        string name,
        IReadOnlyList<string> comment,
        LifecycleView? lifecycle,
        string image,
        string? command,
        IReadOnlyList<string> args,
        IReadOnlyList<string> ports,
        long? shmSize,
        IReadOnlyList<MountView> mounts,
        IReadOnlyList<EnvView> env,
        IReadOnlyList<TemplateView> templates,
        VaultView? vault,
        Resources resources,
        IReadOnlyList<ServiceView> services) =>
        new(
            Str(name),
            comment,
            lifecycle,
            Str(image),
            StrOrNull(command),
            args.Count > 0 ? List(args) : null,
            ports.Count > 0 ? List(ports) : null,
            shmSize is { } shm ? Num(shm) : null,
            null,
            mounts,
            env,
            templates,
            vault,
            Resources(resources),
            services);

    /// <summary>The backup script's schedule, retention and staleness settings (the same contract as a service's backup sidecar).</summary>
    public static List<EnvView> BackupSchedule(BackupPolicy backup)
    {
        var env = new List<EnvView>();
        if (backup.Schedule.Cron is { } cron)
        {
            CronSchedule.TryNormalize(cron, out var normalized, out _);
            env.Add(Env("BACKUP_CRON", normalized));
        }
        else if (backup.Schedule.Interval is { } interval && Rules.TryParseDuration(interval, out var span))
        {
            env.Add(Env("BACKUP_INTERVAL_SECONDS", ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
        }

        if (backup.Retention.KeepLast is { } keep)
        {
            env.Add(Env("BACKUP_KEEP_LAST", keep.ToString(CultureInfo.InvariantCulture)));
        }

        if (backup.Retention.MaxAge is { } maxAge && Rules.TryParseDuration(maxAge, out var age))
        {
            env.Add(Env("BACKUP_MAX_AGE_SECONDS", ((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
        }

        env.Add(Env("BACKUP_STALE_AFTER_SECONDS", BackupStaleness.StaleAfterSeconds(backup.Schedule).ToString(CultureInfo.InvariantCulture)));
        env.Add(Env("BACKUP_LIB", "/local/backup-lib.sh"));
        env.Add(Env("TZ", backup.Schedule.TimeZone));
        return env;
    }

    /// <summary>The generator line every file starts with.</summary>
    public static string GeneratedFrom(string sourceName) =>
        $"Generated by nomad-db {GeneratorInfo.Version} from {sourceName}. Do not edit by hand: change the spec and render again.";
}

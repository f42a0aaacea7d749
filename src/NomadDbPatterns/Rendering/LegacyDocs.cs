using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Job-document pieces the legacy builders (shared instance, migration job) make their jobs from, so that their
/// decisions read as decisions and not as record constructors.
/// </summary>
internal static class LegacyDocs
{
    private const string Driver = "docker";
    private const string HostVolumeType = "host";

    public static JobDoc Job(IReadOnlyList<string> header, string name, string type, IReadOnlyList<string> datacenters, string? @namespace, string? region, string? nodePool, int? priority, IEnumerable<Constraint> constraints, GroupDoc group) =>
        new(header, name, type, datacenters, @namespace, region, nodePool, priority, [.. constraints.Select(c => new ConstraintDoc(c.Attribute, c.Operator, c.Value))], null, group);

    public static GroupDoc Group(string name, NetworkMode network, IReadOnlyList<PortDoc> ports, IReadOnlyList<VolumeDoc> volumes, UpdatePolicy? update, RestartPolicy restart, IReadOnlyList<ServiceDoc> services, IReadOnlyList<TaskDoc> tasks) =>
        RuntimeDefaults.Group(name, network, ports, volumes, update, new RestartDoc(restart.Attempts, restart.Interval, restart.Delay, restart.Mode), services, tasks);

    public static VolumeDoc HostVolume(string name, string source) => new(name, HostVolumeType, source, false);

    public static MountDoc Mount(string volume, string destination) => new(volume, destination, null);

    public static EnvDoc Env(string name, string value) => new(name, value);

    public static ServiceDoc Service(string name, string? port, ServiceProvider provider, params CheckDoc[] checks) => new(name, port, Provider(provider), [], checks);

    public static CheckDoc TcpCheck() => new("tcp", null, null, [], "10s", "2s");

    public static CheckDoc ScriptCheck(string command, IReadOnlyList<string> args, string interval, string timeout) => new("script", null, command, args, interval, timeout);

    public static string Provider(ServiceProvider provider) => provider == ServiceProvider.Consul ? "consul" : "nomad";

    public static TemplateDoc Template(string destination, string data, string changeMode, string? perms = null, bool env = false) =>
        new(destination, perms, env ? true : null, changeMode, data);

    /// <summary>A file holding just the secret, for <c>POSTGRES_PASSWORD_FILE</c> or init-databases' manifest.</summary>
    public static TemplateDoc SecretFile(string destination, SecretSource secret, string changeMode) =>
        Template(destination, ConsulTemplate.SecretFile(secret), changeMode, "0644");

    /// <summary>An embedded script, refusing one that consul-template would evaluate.</summary>
    public static TemplateDoc Script(TemplateSet templates, string name, string perms)
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
    /// every Vault secret of one job name the same role; the first secret's change mode applies.
    /// </summary>
    public static VaultDoc? Vault(IEnumerable<SecretSource> secrets)
    {
        var vault = secrets.OfType<VaultSecret>().ToList();
        if (vault.Count == 0)
        {
            return null;
        }

        var first = vault[0];
        var mode = first.ChangeMode switch
        {
            VaultChangeMode.Restart => "restart",
            VaultChangeMode.Signal => "signal",
            _ => "noop",
        };
        return new VaultDoc(vault.Select(v => v.Role).FirstOrDefault(r => r is not null), mode, first.ChangeMode == VaultChangeMode.Signal ? first.ChangeSignal : null);
    }

    public static LifecycleDoc Lifecycle(string hook, bool sidecar) => new(hook, sidecar);

    public static TaskDoc Task(
        string name,
        IReadOnlyList<string> comment,
        KillDoc? kill,
        LifecycleDoc? lifecycle,
        DockerConfigDoc config,
        IReadOnlyList<MountDoc> mounts,
        IReadOnlyList<EnvDoc> env,
        IReadOnlyList<TemplateDoc> templates,
        VaultDoc? vault,
        Resources resources,
        IReadOnlyList<ServiceDoc> services,
        RestartDoc? restart = null) =>
        new(name, comment, Driver, null, kill, lifecycle, config, mounts, env, templates, vault, new ResourcesDoc(resources.Cpu, resources.Memory, resources.MemoryMax), services, restart);

    public static DockerConfigDoc Config(string image, string? command = null, IReadOnlyList<string>? args = null, IReadOnlyList<string>? ports = null, long? shmSize = null) =>
        new(image, command, args ?? [], ports ?? [], shmSize);

    /// <summary>The generator line every file starts with.</summary>
    public static string GeneratedFrom(string sourceName) =>
        $"Generated by nomad-db {GeneratorInfo.Version} from {sourceName}. Do not edit by hand: change the spec and render again.";
}

using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The group's extra tasks (sidecars, lifecycle tasks): what the spec says, nothing added but what every task gets
/// (<see cref="RuntimeDefaults.Group"/>: network mode, shutdown delay with services). Also the Docker options any task
/// may set (<see cref="Container"/>), shared with <see cref="AppTaskDocs"/>.
/// </summary>
internal static class ExtraTaskDocs
{
    public static TaskDoc Task(ExtraTask task) => new()
    {
        Name = task.Name,
        User = task.User,
        Lifecycle = task.Lifecycle is { } lifecycle ? DocParts.Lifecycle(Hook(lifecycle.Hook), lifecycle.Sidecar) : null,
        Config = Container(new DockerConfigDoc(task.Image, task.Command, task.Args, [], task.Container.ShmSize?.Bytes), task.Container),
        Mounts = [.. task.Volumes.Select(v => new MountDoc(v.Name, v.Destination, v.ReadOnly ? true : null))],
        Env = [.. task.Env.Select(e => new EnvDoc(e.Name, e.Value)), .. AppTaskDocs.SecretFileEnv(task.Secrets)],
        Templates = [.. task.Templates.Select(t => DocParts.Template(t.Destination, t.Data, t.ChangeMode, t.Perms, t.Env)), .. AppTaskDocs.SecretTemplates(task.Secrets)],
        Vault = RuntimeDefaults.Vault(task.Secrets.Select(s => s.Source)),
        Resources = ResourcesDoc.Of(task.Resources),
        Services = task.Service is { } service ? [DocParts.Service(service)] : [],
    };

    /// <summary>The driver config with a task's Docker options: mounts, privileged, DNS (the shm size is the caller's).</summary>
    public static DockerConfigDoc Container(DockerConfigDoc config, ContainerOptions options) => options == ContainerOptions.None
        ? config
        : config with
        {
            Privileged = options.Privileged,
            DnsServers = options.Dns?.Servers ?? [],
            DnsSearchDomains = options.Dns?.Searches ?? [],
            DnsOptions = options.Dns?.Options ?? [],
            Mounts = [.. options.Mounts.Select(m => m.Type == MountType.Tmpfs
                ? new DockerMountDoc("tmpfs", m.Target, null, m.ReadOnly ? true : null, m.TmpfsSize?.Bytes)
                : new DockerMountDoc("bind", m.Target, m.Source, m.ReadOnly ? true : null, null))],
        };

    private static string Hook(LifecycleHook hook) => hook switch
    {
        LifecycleHook.Prestart => "prestart",
        LifecycleHook.Poststart => "poststart",
        _ => "poststop",
    };
}

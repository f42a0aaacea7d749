using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// How rendered jobs behave at run time where Nomad's parser cannot tell: each value decided from Nomad's, Docker's or
/// the PostgreSQL image's own source (named beside it), in one place.
/// </summary>
internal static class RuntimeDefaults
{
    /// <summary>
    /// The signal that stops PostgreSQL with a fast shutdown. The image declares <c>STOPSIGNAL SIGINT</c>
    /// (docker-library/postgres Dockerfiles); Nomad's docker driver sends <c>kill_signal</c> when set, otherwise lets
    /// Docker stop the container (drivers/docker/handle.go, Kill), so the explicit value also holds for custom images.
    /// </summary>
    public const string PostgresKillSignal = "SIGINT";

    /// <summary>
    /// How long Nomad waits for PostgreSQL to finish its fast shutdown before SIGKILL (Nomad's default is 5s,
    /// nomad/structs/structs.go DefaultKillTimeout): 30s, the Nomad client's default <c>max_kill_timeout</c>, which caps
    /// any larger value (command/agent/config.go DefaultConfig).
    /// </summary>
    public const string PostgresKillTimeout = JobFacts.PostgresKillTimeout;

    /// <summary>
    /// Time between deregistering a group's (or a task's) services and stopping its tasks, so that clients and load
    /// balancers stop sending traffic first; Nomad warns about groups with services and no shutdown_delay, and about
    /// each task with services of its own and none (nomad/structs/structs.go, generateTaskGroupServiceShutdownDelayWarnings).
    /// </summary>
    public const string ShutdownDelay = "5s";

    /// <summary>
    /// The Docker network mode of every task on a <c>host</c> group network: without it Docker puts each container on
    /// its default bridge, where 127.0.0.1 is the container's own (drivers/docker/driver.go, network mode selection).
    /// </summary>
    public const string HostNetworkMode = "host";

    /// <summary>The kill settings of a PostgreSQL server task.</summary>
    public static KillDoc PostgresKill { get; } = new(PostgresKillSignal, PostgresKillTimeout);

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

    /// <summary>
    /// A group as rendered: services get a shutdown delay, and on host networking every Docker task joins the node's
    /// network. Every builder makes its groups through this one function.
    /// </summary>
    public static GroupDoc Group(
        string name,
        NetworkMode network,
        IReadOnlyList<PortDoc> ports,
        IReadOnlyList<VolumeDoc> volumes,
        UpdatePolicy? update,
        RestartDoc restart,
        IReadOnlyList<ServiceDoc> services,
        IReadOnlyList<TaskDoc> tasks)
    {
        var host = network == NetworkMode.Host;
        var hasServices = services.Count > 0 || tasks.Any(t => t.Services.Count > 0);
        return new GroupDoc(
            name,
            1,
            hasServices ? ShutdownDelay : null,
            new NetworkDoc(host ? "host" : "bridge", ports),
            volumes,
            update is null ? null : new UpdateDoc(update.MaxParallel, update.Canary, update.AutoRevert, update.MinHealthyTime.Text, update.HealthyDeadline.Text, update.ProgressDeadline.Text),
            restart,
            services,
            [.. tasks.Select(t => t with
            {
                Config = t.Config with { NetworkMode = host ? HostNetworkMode : null },
                // Nomad warns about every task that registers a service of its own without a delay, group delay or not.
                ShutdownDelay = t.Services.Count > 0 ? ShutdownDelay : null,
            })]);
    }
}

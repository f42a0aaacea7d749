using NomadDbPatterns.Hcl;
using static NomadDbPatterns.Rendering.HclValue;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Translates a <see cref="JobDoc"/> into the HCL view models: every value is escaped here, through
/// <see cref="HclValue"/> and <see cref="HclString"/>, and nothing is decided.
/// </summary>
internal static class HclViewMapper
{
    public static JobView Map(JobDoc job) => new(
        Each(job.Header, CommentLine),
        Str(job.Id),
        List(job.Datacenters),
        Str(job.Type),
        StrOrNull(job.Namespace),
        StrOrNull(job.Region),
        StrOrNull(job.NodePool),
        job.Priority is { } priority ? Num(priority) : null,
        Each(job.Constraints, c => new ConstraintView(StrOrNull(c.Attribute), Str(c.Operator), StrOrNull(c.Value))),
        Each(job.Meta, m => new EnvView(Key(m.Key), Str(m.Value))),
        job.Periodic is { } periodic ? new PeriodicView(List(periodic.Crons), Bool(periodic.ProhibitOverlap), Str(periodic.TimeZone)) : null,
        Group(job.Group));

    /// <summary>Comment lines cannot hold a newline: a spec path with one would end the comment.</summary>
    private static string CommentLine(string line) => line.Replace('\n', ' ').Replace('\r', ' ');

    private static GroupView Group(GroupDoc group) => new(
        Str(group.Name),
        Num(group.Count),
        StrOrNull(group.ShutdownDelay),
        Str(group.Network.Mode),
        Each(group.Network.Ports, p => new PortView(Str(p.Label), NumOrNull(p.Static), NumOrNull(p.To))),
        Each(group.Volumes, v => new VolumeView(Str(v.Name), Str(v.Type), Str(v.Source), Bool(v.ReadOnly))),
        group.Update is { } u ? new UpdateView(Num(u.MaxParallel), Num(u.Canary), Bool(u.AutoRevert), Str(u.MinHealthyTime), Str(u.HealthyDeadline), Str(u.ProgressDeadline)) : null,
        Restart(group.Restart),
        Each(group.Services, Service),
        Each(group.Tasks, Task));

    private static ServiceView Service(ServiceDoc service) => new(
        Str(service.Name),
        StrOrNull(service.Port),
        Str(service.Provider),
        ListOrNull(service.Tags),
        Each(service.Checks, c => new CheckView(Str(c.Type), StrOrNull(c.Path), StrOrNull(c.Command), ListOrNull(c.Args), Str(c.Interval), Str(c.Timeout), StrOrNull(c.Task))));

    private static TaskView Task(TaskDoc task) => new(
        Str(task.Name),
        Each(task.Comment, CommentLine),
        task.Lifecycle is { } lifecycle ? new LifecycleView(Str(lifecycle.Hook), Bool(lifecycle.Sidecar)) : null,
        Str(task.Config.Image),
        ListOrNull(task.Config.Entrypoint),
        StrOrNull(task.Config.Command),
        ListOrNull(task.Config.Args),
        ListOrNull(task.Config.Ports),
        NumOrNull(task.Config.ShmSize),
        StrOrNull(task.Config.NetworkMode),
        task.Config.Privileged ? Bool(true) : null,
        ListOrNull(task.Config.DnsServers),
        ListOrNull(task.Config.DnsSearchDomains),
        ListOrNull(task.Config.DnsOptions),
        Each(task.Config.Mounts, m => new DockerMountView(Str(m.Type), Str(m.Target), StrOrNull(m.Source), m.ReadOnly is { } readOnly ? Bool(readOnly) : null, NumOrNull(m.TmpfsSize))),
        StrOrNull(task.User),
        StrOrNull(task.Kill?.Signal),
        StrOrNull(task.Kill?.Timeout),
        StrOrNull(task.ShutdownDelay),
        task.Leader ? Bool(true) : null,
        Each(task.Mounts, m => new MountView(Str(m.Volume), Str(m.Destination), m.ReadOnly is { } readOnly ? Bool(readOnly) : null)),
        Each(task.Env, e => new EnvView(Key(e.Name), Str(e.Value))),
        Each(task.Templates, t => new TemplateView(Str(t.Destination), StrOrNull(t.Perms), t.Env is { } env ? Bool(env) : null, Str(t.ChangeMode), HclString.Text(t.Data),
            t.ChangeScript is { } script ? new ChangeScriptView(Str(script.Command), List(script.Args), Str(script.Timeout), Bool(script.FailOnError)) : null)),
        task.Vault is { } vault ? new VaultView(StrOrNull(vault.Role), Str(vault.ChangeMode), StrOrNull(vault.ChangeSignal)) : null,
        new ResourcesView(Num(task.Resources.Cpu), Num(task.Resources.Memory), NumOrNull(task.Resources.MemoryMax)),
        Each(task.Services, Service),
        task.Restart is { } restart ? Restart(restart) : null);

    private static RestartView Restart(RestartDoc restart) =>
        new(Num(restart.Attempts), Str(restart.Interval), Str(restart.Delay), Str(restart.Mode));

    private static string? NumOrNull(long? value) => value is { } number ? Num(number) : null;

    /// <summary><paramref name="map"/> applied to every item, into an array of the exact size (no enumerator per list).</summary>
    private static TView[] Each<TDoc, TView>(IReadOnlyList<TDoc> items, Func<TDoc, TView> map)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var views = new TView[items.Count];
        for (var i = 0; i < views.Length; i++)
        {
            views[i] = map(items[i]);
        }

        return views;
    }
}

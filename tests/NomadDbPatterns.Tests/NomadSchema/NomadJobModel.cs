using System.Globalization;
using System.Text.Json;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>
/// The body of one block as hcl2json gives it, with its path into the job (the same path style as
/// <see cref="JobspecViolation"/>: block types, labels and attribute names joined by dots, <c>[i]</c> for the i-th of
/// several unlabelled blocks). Values that are missing, or that are not literals (an interpolation such as
/// <c>"${NOMAD_...}"</c>), read as null so that rules skip them rather than guess.
/// </summary>
public sealed class HclBody(JsonElement body, string path)
{
    /// <summary>The JSON object of the block body.</summary>
    public JsonElement Json { get; } = body;

    /// <summary>Where the block is.</summary>
    public string Path { get; } = path;

    /// <summary>The path of an attribute of this block.</summary>
    public string At(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    /// <summary>Whether the attribute or block is present.</summary>
    public bool Has(string name) => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out _);

    /// <summary>The attribute's JSON value, if present.</summary>
    public JsonElement? Raw(string name) =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out var value) ? value : null;

    /// <summary>A string attribute; null when missing or not a string.</summary>
    public string? String(string name) => Raw(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>
    /// A string attribute as the text Nomad's parser hands on: hcl2json writes a literal <c>${</c> as <c>$${</c> and
    /// <c>%{</c> as <c>%%{</c> (HCL-JSON template form), which this undoes. A real interpolation keeps its <c>${</c>.
    /// </summary>
    public string? Text(string name) =>
        String(name)?.Replace("%%{", "%{", StringComparison.Ordinal).Replace("$${", "${", StringComparison.Ordinal);

    /// <summary>A string attribute that is a literal (no <c>${...}</c> interpolation).</summary>
    public string? Literal(string name) => String(name) is { } text && !text.Contains("${", StringComparison.Ordinal) ? text : null;

    /// <summary>A whole-number attribute; null when missing or not a whole number.</summary>
    public long? Integer(string name) => Raw(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    /// <summary>A bool attribute; null when missing or not a bool.</summary>
    public bool? Bool(string name) => Raw(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    /// <summary>A duration attribute in nanoseconds; null when missing or not a Go duration.</summary>
    public long? Duration(string name) => Raw(name) is { } value ? GoDuration.Read(value) : null;

    /// <summary>A list-of-strings attribute; empty when missing.</summary>
    public IReadOnlyList<string> Strings(string name) => Raw(name) is { ValueKind: JsonValueKind.Array } value
        ? value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.String).Select(item => item.GetString()!).ToList()
        : [];

    /// <summary>The unlabelled child blocks of one type, in order (an object attribute counts as one block).</summary>
    public IReadOnlyList<HclBody> Blocks(string type)
    {
        if (Raw(type) is not { } value)
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            return [new HclBody(value, At(type))];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var items = value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.Object).ToList();
        return items.Select((item, i) => new HclBody(item, items.Count > 1 ? $"{At(type)}[{i}]" : At(type))).ToList();
    }

    /// <summary>The single unlabelled child block of one type (the last, if repeated), or null.</summary>
    public HclBody? Block(string type) => Blocks(type) is { Count: > 0 } blocks ? blocks[^1] : null;

    /// <summary>The child blocks of one type with one label, in order: <c>{"type": {"label": [ {body} ]}}</c>.</summary>
    public IReadOnlyList<(string Label, HclBody Body)> Labelled(string type)
    {
        if (Raw(type) is not { ValueKind: JsonValueKind.Object } value)
        {
            return [];
        }

        var result = new List<(string, HclBody)>();
        foreach (var label in value.EnumerateObject())
        {
            var items = label.Value.ValueKind == JsonValueKind.Array
                ? label.Value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.Object).ToList()
                : label.Value.ValueKind == JsonValueKind.Object ? [label.Value] : [];
            for (var i = 0; i < items.Count; i++)
            {
                var path = $"{At(type)}.{label.Name}";
                result.Add((label.Name, new HclBody(items[i], items.Count > 1 ? $"{path}[{i}]" : path)));
            }
        }

        return result;
    }
}

/// <summary>
/// A field that Nomad's API canonicalization fills from a chain of blocks: the value of the most specific block that
/// sets it, or the default. <see cref="Source"/> is the path of the attribute that set it (for messages), or null for a
/// default.
/// </summary>
public readonly record struct Setting<T>(T Value, string? Source)
{
    /// <summary>Where to point a message about this value: the attribute that set it, or the fallback path.</summary>
    public string PathOr(string fallback) => Source ?? fallback;
}

/// <summary>
/// One job file read from hcl2json, with Nomad's defaults applied the way <c>api.Job.Canonicalize</c> (api/jobs.go,
/// api/tasks.go, api/resources.go, api/services.go) and <c>structs.Job.Canonicalize</c> apply them before
/// <c>Job.Validate</c> runs.
/// </summary>
public sealed class NomadJob
{
    private NomadJob(HclBody body, string id)
    {
        Body = body;
        Id = id;
        Name = body.String("name") ?? id;
        Type = body.String("type") ?? "service";
        Region = body.String("region") ?? "global";
        Datacenters = body.Has("datacenters") ? body.Strings("datacenters") : ["*"];
        Priority = body.Has("priority") ? body.Integer("priority") : 50;
        Periodic = body.Block("periodic");
        Groups = body.Labelled("group").Select(group => new NomadGroup(this, group.Label, group.Body)).ToList();
    }

    /// <summary>The job block's body.</summary>
    public HclBody Body { get; }

    /// <summary>The job ID: the job block's label.</summary>
    public string Id { get; }

    /// <summary>The job name (defaults to the ID).</summary>
    public string Name { get; }

    /// <summary>The job type (defaults to service).</summary>
    public string Type { get; }

    /// <summary>The region (defaults to global).</summary>
    public string Region { get; }

    /// <summary>The datacenters (default <c>["*"]</c>).</summary>
    public IReadOnlyList<string> Datacenters { get; }

    /// <summary>The priority (default 50); null when not a literal number.</summary>
    public long? Priority { get; }

    /// <summary>The periodic block, if any.</summary>
    public HclBody? Periodic { get; }

    /// <summary>The task groups, in file order.</summary>
    public IReadOnlyList<NomadGroup> Groups { get; }

    /// <summary>Every task of every group.</summary>
    public IEnumerable<NomadTask> Tasks => Groups.SelectMany(group => group.Tasks);

    /// <summary>Whether the job type is service or system (the types that take an update block by default).</summary>
    public bool IsServiceOrSystem => Type is "service" or "system";

    /// <summary>Reads every job block of a hcl2json document (a job file holds one).</summary>
    public static IReadOnlyList<NomadJob> Read(JsonElement hcl2json) =>
        new HclBody(hcl2json, "").Labelled("job").Select(job => new NomadJob(job.Body, job.Label)).ToList();
}

/// <summary>A task group with its canonical update, restart, reschedule and migrate settings.</summary>
public sealed class NomadGroup
{
    internal NomadGroup(NomadJob job, string name, HclBody body)
    {
        Job = job;
        Name = name;
        Body = body;
        Count = body.Has("count") ? body.Integer("count") : 1;
        EphemeralDiskMb = body.Block("ephemeral_disk") is { } disk && disk.Has("size") ? disk.Integer("size") : 300;
        Networks = body.Blocks("network");
        Volumes = body.Labelled("volume");
        Services = body.Blocks("service").Select(service => new NomadService(this, null, service)).ToList();
        Tasks = body.Labelled("task").Select(task => new NomadTask(this, task.Label, task.Body)).ToList();
        Update = MergeUpdate(job, body);
    }

    /// <summary>The job the group belongs to.</summary>
    public NomadJob Job { get; }

    /// <summary>The group name (its label).</summary>
    public string Name { get; }

    /// <summary>The group block's body.</summary>
    public HclBody Body { get; }

    /// <summary>count (default 1).</summary>
    public long? Count { get; }

    /// <summary>ephemeral_disk.size in MB (default 300).</summary>
    public long? EphemeralDiskMb { get; }

    /// <summary>The network blocks.</summary>
    public IReadOnlyList<HclBody> Networks { get; }

    /// <summary>The first network's mode; Nomad's default for a network block without a mode is "host". Null
    /// when the group has no network block.</summary>
    public string? NetworkMode => Networks.Count == 0 ? null : Networks[0].String("mode") ?? "host";

    /// <summary>The volume blocks, by name.</summary>
    public IReadOnlyList<(string Label, HclBody Body)> Volumes { get; }

    /// <summary>Group-level services.</summary>
    public IReadOnlyList<NomadService> Services { get; }

    /// <summary>The tasks.</summary>
    public IReadOnlyList<NomadTask> Tasks { get; }

    /// <summary>
    /// The canonical update strategy, or null when the group has none (batch/sysbatch without update blocks). For
    /// service and system jobs: the default, overridden by the job's update block, overridden by the group's.
    /// </summary>
    public CanonicalUpdate? Update { get; }

    /// <summary>The port labels of the group's networks.</summary>
    public IEnumerable<(string Label, HclBody Body)> Ports => Networks.SelectMany(network => network.Labelled("port"));

    /// <summary>Reads a setting from a chain of blocks, most specific last; the default when none sets it.</summary>
    public static Setting<T> Resolve<T>(IEnumerable<HclBody?> chain, string name, Func<HclBody, string, T> read, T fallback)
    {
        var result = new Setting<T>(fallback, null);
        foreach (var block in chain)
        {
            if (block is not null && block.Has(name))
            {
                result = new Setting<T>(read(block, name), block.At(name));
            }
        }

        return result;
    }

    private static CanonicalUpdate? MergeUpdate(NomadJob job, HclBody group)
    {
        var jobUpdate = job.Body.Block("update");
        var groupUpdate = group.Block("update");
        if (jobUpdate is null && groupUpdate is null && !job.IsServiceOrSystem)
        {
            return null;
        }

        return new CanonicalUpdate(groupUpdate?.Path ?? jobUpdate?.Path ?? group.At("update"), [jobUpdate, groupUpdate]);
    }
}

/// <summary>
/// A group's update strategy after <c>api.TaskGroup.Canonicalize</c>: api/jobs.go DefaultUpdateStrategy, then the
/// job-level update block, then the group-level one (UpdateStrategy.Merge copies only the fields a block sets).
/// </summary>
public sealed class CanonicalUpdate
{
    internal CanonicalUpdate(string path, IReadOnlyList<HclBody?> chain)
    {
        Path = path;
        Blocks = chain.Where(block => block is not null).Select(block => block!).ToList();
        Stagger = Duration(chain, "stagger", 30 * GoDuration.Second);
        MaxParallel = NomadGroup.Resolve<long?>(chain, "max_parallel", (b, n) => b.Integer(n), 1);
        HealthCheck = NomadGroup.Resolve<string?>(chain, "health_check", (b, n) => b.String(n), "checks");
        MinHealthyTime = Duration(chain, "min_healthy_time", 10 * GoDuration.Second);
        HealthyDeadline = Duration(chain, "healthy_deadline", 5 * GoDuration.Minute);
        ProgressDeadline = Duration(chain, "progress_deadline", 10 * GoDuration.Minute);
        Canary = NomadGroup.Resolve<long?>(chain, "canary", (b, n) => b.Integer(n), 0);
        AutoPromote = NomadGroup.Resolve<bool?>(chain, "auto_promote", (b, n) => b.Bool(n), false);
    }

    /// <summary>Where to report: the group's update block, else the job's.</summary>
    public string Path { get; }

    /// <summary>The update blocks that took part (job, then group).</summary>
    public IReadOnlyList<HclBody> Blocks { get; }

    /// <summary>stagger (default 30s).</summary>
    public Setting<long?> Stagger { get; }

    /// <summary>max_parallel (default 1).</summary>
    public Setting<long?> MaxParallel { get; }

    /// <summary>health_check (default checks).</summary>
    public Setting<string?> HealthCheck { get; }

    /// <summary>min_healthy_time (default 10s).</summary>
    public Setting<long?> MinHealthyTime { get; }

    /// <summary>healthy_deadline (default 5m).</summary>
    public Setting<long?> HealthyDeadline { get; }

    /// <summary>progress_deadline (default 10m).</summary>
    public Setting<long?> ProgressDeadline { get; }

    /// <summary>canary (default 0).</summary>
    public Setting<long?> Canary { get; }

    /// <summary>auto_promote (default false).</summary>
    public Setting<bool?> AutoPromote { get; }

    private static Setting<long?> Duration(IReadOnlyList<HclBody?> chain, string name, long fallback) =>
        NomadGroup.Resolve<long?>(chain, name, (b, n) => b.Duration(n), fallback);
}

/// <summary>A task with its canonical kill timeout and resources.</summary>
public sealed class NomadTask
{
    internal NomadTask(NomadGroup group, string name, HclBody body)
    {
        Group = group;
        Name = name;
        Body = body;
        Driver = body.String("driver");
        Config = body.Block("config");
        Resources = body.Block("resources");
        KillTimeout = body.Has("kill_timeout") ? body.Duration("kill_timeout") : 5 * GoDuration.Second;
        ShutdownDelay = body.Has("shutdown_delay") ? body.Duration("shutdown_delay") : 0;
        Services = body.Blocks("service").Select(service => new NomadService(group, this, service)).ToList();
    }

    /// <summary>The group the task belongs to.</summary>
    public NomadGroup Group { get; }

    /// <summary>The task name (its label).</summary>
    public string Name { get; }

    /// <summary>The task block's body.</summary>
    public HclBody Body { get; }

    /// <summary>driver.</summary>
    public string? Driver { get; }

    /// <summary>The driver config block.</summary>
    public HclBody? Config { get; }

    /// <summary>The resources block.</summary>
    public HclBody? Resources { get; }

    /// <summary>kill_timeout (default 5s).</summary>
    public long? KillTimeout { get; }

    /// <summary>shutdown_delay (default 0).</summary>
    public long? ShutdownDelay { get; }

    /// <summary>Task-level services.</summary>
    public IReadOnlyList<NomadService> Services { get; }

    /// <summary>Whether the task runs with the docker driver.</summary>
    public bool IsDocker => Driver == "docker";
}

/// <summary>A service block with the name, provider and modes Nomad's canonicalization gives it.</summary>
public sealed class NomadService
{
    internal NomadService(NomadGroup group, NomadTask? task, HclBody body)
    {
        Group = group;
        Task = task;
        Body = body;
        var defaultName = task is null ? $"{group.Job.Name}-{group.Name}" : $"{group.Job.Name}-{group.Name}-{task.Name}";
        var name = body.String("name") is { Length: > 0 } given ? given : defaultName;
        Name = name
            .Replace("${JOB}", group.Job.Name, StringComparison.Ordinal)
            .Replace("${TASKGROUP}", group.Name, StringComparison.Ordinal)
            .Replace("${TASK}", task?.Name ?? "group", StringComparison.Ordinal)
            .Replace("${BASE}", $"{group.Job.Name}-{group.Name}-{task?.Name ?? "group"}", StringComparison.Ordinal);
        PortLabel = body.Raw("port") switch
        {
            { ValueKind: JsonValueKind.String } port => port.GetString()!,
            { ValueKind: JsonValueKind.Number } port => port.GetRawText(),
            _ => string.Empty,
        };
        Provider = body.String("provider") ?? "consul";
        AddressMode = body.String("address_mode") ?? "auto";
        OnUpdate = body.String("on_update") ?? "require_healthy";
        TaskName = body.String("task") ?? task?.Name ?? string.Empty;
        Checks = body.Blocks("check").Select(check => new NomadCheck(this, check)).ToList();
    }

    /// <summary>The group the service belongs to.</summary>
    public NomadGroup Group { get; }

    /// <summary>The task of a task-level service; null for a group service.</summary>
    public NomadTask? Task { get; }

    /// <summary>The service block's body.</summary>
    public HclBody Body { get; }

    /// <summary>The name, defaulted and with ${JOB}, ${TASKGROUP}, ${TASK}, ${BASE} replaced.</summary>
    public string Name { get; }

    /// <summary>port (a label, or a number as text); empty when unset.</summary>
    public string PortLabel { get; }

    /// <summary>provider (default consul).</summary>
    public string Provider { get; }

    /// <summary>address_mode (default auto).</summary>
    public string AddressMode { get; }

    /// <summary>on_update (default require_healthy).</summary>
    public string OnUpdate { get; }

    /// <summary>The service's task: its task attribute, else the enclosing task; empty for a group service.</summary>
    public string TaskName { get; }

    /// <summary>The checks.</summary>
    public IReadOnlyList<NomadCheck> Checks { get; }
}

/// <summary>A service check with its canonical name and on_update.</summary>
public sealed class NomadCheck
{
    internal NomadCheck(NomadService service, HclBody body)
    {
        Service = service;
        Body = body;
        Type = (body.String("type") ?? string.Empty).ToLowerInvariant();
        Name = body.String("name") is { Length: > 0 } name ? name : $"service: \"{service.Name}\" check";
        PortLabel = body.Raw("port") switch
        {
            { ValueKind: JsonValueKind.String } port => port.GetString()!,
            { ValueKind: JsonValueKind.Number } port => port.GetRawText(),
            _ => string.Empty,
        };
        AddressMode = body.String("address_mode") ?? string.Empty;
        OnUpdate = body.String("on_update") ?? service.OnUpdate;
        TaskName = body.String("task") ?? service.TaskName;
        CheckRestart = body.Block("check_restart") ?? service.Body.Block("check_restart");
    }

    /// <summary>The service the check belongs to.</summary>
    public NomadService Service { get; }

    /// <summary>The check block's body.</summary>
    public HclBody Body { get; }

    /// <summary>type, lower-cased as Nomad compares it.</summary>
    public string Type { get; }

    /// <summary>name (default <c>service: "NAME" check</c>).</summary>
    public string Name { get; }

    /// <summary>port; empty when unset (the service's port applies).</summary>
    public string PortLabel { get; }

    /// <summary>address_mode; empty when unset.</summary>
    public string AddressMode { get; }

    /// <summary>on_update (inherits the service's).</summary>
    public string OnUpdate { get; }

    /// <summary>The check's task (its task attribute, else the task of a task-level service).</summary>
    public string TaskName { get; }

    /// <summary>The check_restart block of the check, else of the service.</summary>
    public HclBody? CheckRestart { get; }

    /// <summary>Whether the check type needs a port (http, tcp, grpc).</summary>
    public bool RequiresPort => Type is "http" or "tcp" or "grpc";

    /// <summary>The port the check uses: its own, else the service's.</summary>
    public string EffectivePort => PortLabel.Length > 0 ? PortLabel : Service.PortLabel;

    /// <summary>Whether a port text is a number.</summary>
    public static bool IsNumeric(string port) => long.TryParse(port, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
}

using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Translates a <see cref="JobDoc"/> into the JSON job Nomad's HTTP API takes (<c>{"Job": {...}}</c>), as
/// <c>nomad job run -output</c> prints the same job parsed from our HCL: the field names of Nomad v1.10's
/// <c>api.Job</c> and its children (<c>api/jobs.go</c>, <c>api/tasks.go</c>, <c>api/services.go</c>,
/// <c>api/resources.go</c>), in their declaration order; map keys (<c>Env</c>, <c>Volumes</c>, driver
/// <c>Config</c>) sorted as Go's encoder sorts them; durations as <c>time.Duration</c>, int64 nanoseconds. Only what
/// the HCL sets is written (Nomad's <c>Canonicalize</c> fills the rest, as it does for the HCL); what Nomad's HCL
/// parser (<c>jobspec2/parse_job.go</c>) derives is derived the same way: <c>Name</c> = <c>ID</c>,
/// <c>Periodic.SpecType</c> = <c>cron</c>, a port with <c>static</c> goes to <c>ReservedPorts</c>.
/// </summary>
internal static class JobJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        // The file is read by Nomad and by people, never embedded in HTML: keep <, > and & of scripts readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(JobDoc job)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Job");
            Job(writer, job);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static void Job(Utf8JsonWriter w, JobDoc job)
    {
        w.WriteStartObject();
        OptionalString(w, "Region", job.Region);
        OptionalString(w, "Namespace", job.Namespace);
        w.WriteString("ID", job.Id);
        w.WriteString("Name", job.Id);
        w.WriteString("Type", job.Type);
        OptionalNumber(w, "Priority", job.Priority);
        w.WriteStartArray("Datacenters");
        foreach (var datacenter in job.Datacenters)
        {
            w.WriteStringValue(datacenter);
        }

        w.WriteEndArray();
        OptionalString(w, "NodePool", job.NodePool);
        Array(w, "Constraints", job.Constraints, Constraint);
        w.WriteStartArray("TaskGroups");
        Group(w, job.Group);
        w.WriteEndArray();
        if (job.Periodic is { } periodic)
        {
            w.WriteStartObject("Periodic");
            Strings(w, "Specs", periodic.Crons);
            w.WriteString("SpecType", "cron");
            w.WriteBoolean("ProhibitOverlap", periodic.ProhibitOverlap);
            w.WriteString("TimeZone", periodic.TimeZone);
            w.WriteEndObject();
        }

        if (job.Meta.Count > 0)
        {
            w.WriteStartObject("Meta");
            foreach (var entry in SortedByKey(job.Meta, m => m.Key))
            {
                w.WriteString(entry.Key, entry.Value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void Constraint(Utf8JsonWriter w, ConstraintDoc constraint)
    {
        w.WriteStartObject();
        OptionalString(w, "LTarget", constraint.Attribute);
        OptionalString(w, "RTarget", constraint.Value);
        w.WriteString("Operand", constraint.Operator);
        w.WriteEndObject();
    }

    private static void Group(Utf8JsonWriter w, GroupDoc group)
    {
        w.WriteStartObject();
        w.WriteString("Name", group.Name);
        w.WriteNumber("Count", group.Count);
        Array(w, "Tasks", group.Tasks, Task);
        if (group.Volumes.Count > 0)
        {
            w.WriteStartObject("Volumes");
            foreach (var volume in SortedByKey(group.Volumes, v => v.Name))
            {
                w.WriteStartObject(volume.Name);
                w.WriteString("Name", volume.Name);
                w.WriteString("Type", volume.Type);
                w.WriteString("Source", volume.Source);
                w.WriteBoolean("ReadOnly", volume.ReadOnly);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        RestartPolicy(w, group.Restart);
        if (group.Update is { } update)
        {
            w.WriteStartObject("Update");
            w.WriteNumber("MaxParallel", update.MaxParallel);
            w.WriteNumber("MinHealthyTime", GoDuration.Nanoseconds(update.MinHealthyTime));
            w.WriteNumber("HealthyDeadline", GoDuration.Nanoseconds(update.HealthyDeadline));
            w.WriteNumber("ProgressDeadline", GoDuration.Nanoseconds(update.ProgressDeadline));
            w.WriteNumber("Canary", update.Canary);
            w.WriteBoolean("AutoRevert", update.AutoRevert);
            w.WriteEndObject();
        }

        w.WriteStartArray("Networks");
        Network(w, group.Network);
        w.WriteEndArray();
        Array(w, "Services", group.Services, Service);
        if (group.ShutdownDelay is { } shutdownDelay)
        {
            w.WriteNumber("ShutdownDelay", GoDuration.Nanoseconds(shutdownDelay));
        }

        w.WriteEndObject();
    }

    private static void Network(Utf8JsonWriter w, NetworkDoc network)
    {
        w.WriteStartObject();
        w.WriteString("Mode", network.Mode);
        Array(w, "ReservedPorts", [.. network.Ports.Where(p => p.Static is not null)], Port);
        Array(w, "DynamicPorts", [.. network.Ports.Where(p => p.Static is null)], Port);
        w.WriteEndObject();
    }

    private static void Port(Utf8JsonWriter w, PortDoc port)
    {
        w.WriteStartObject();
        w.WriteString("Label", port.Label);
        OptionalNumber(w, "Value", port.Static);
        OptionalNumber(w, "To", port.To);
        w.WriteEndObject();
    }

    private static void RestartPolicy(Utf8JsonWriter w, RestartDoc restart)
    {
        w.WriteStartObject("RestartPolicy");
        w.WriteNumber("Interval", GoDuration.Nanoseconds(restart.Interval));
        w.WriteNumber("Attempts", restart.Attempts);
        w.WriteNumber("Delay", GoDuration.Nanoseconds(restart.Delay));
        w.WriteString("Mode", restart.Mode);
        w.WriteEndObject();
    }

    private static void Service(Utf8JsonWriter w, ServiceDoc service)
    {
        w.WriteStartObject();
        w.WriteString("Name", service.Name);
        Strings(w, "Tags", service.Tags);
        OptionalString(w, "PortLabel", service.Port);
        Array(w, "Checks", service.Checks, Check);
        w.WriteString("Provider", service.Provider);
        w.WriteEndObject();
    }

    private static void Check(Utf8JsonWriter w, CheckDoc check)
    {
        w.WriteStartObject();
        w.WriteString("Type", check.Type);
        OptionalString(w, "Command", check.Command);
        Strings(w, "Args", check.Args);
        OptionalString(w, "Path", check.Path);
        w.WriteNumber("Interval", GoDuration.Nanoseconds(check.Interval));
        w.WriteNumber("Timeout", GoDuration.Nanoseconds(check.Timeout));
        OptionalString(w, "TaskName", check.Task);
        w.WriteEndObject();
    }

    private static void Task(Utf8JsonWriter w, TaskDoc task)
    {
        w.WriteStartObject();
        w.WriteString("Name", task.Name);
        w.WriteString("Driver", task.Driver);
        OptionalString(w, "User", task.User);
        if (task.Lifecycle is { } lifecycle)
        {
            w.WriteStartObject("Lifecycle");
            w.WriteString("Hook", lifecycle.Hook);
            w.WriteBoolean("Sidecar", lifecycle.Sidecar);
            w.WriteEndObject();
        }

        DriverConfig(w, task.Config);
        if (task.Env.Count > 0)
        {
            w.WriteStartObject("Env");
            foreach (var variable in SortedByKey(task.Env, e => e.Name))
            {
                w.WriteString(variable.Name, variable.Value);
            }

            w.WriteEndObject();
        }

        Array(w, "Services", task.Services, Service);
        w.WriteStartObject("Resources");
        w.WriteNumber("CPU", task.Resources.Cpu);
        w.WriteNumber("MemoryMB", task.Resources.Memory);
        OptionalNumber(w, "MemoryMaxMB", task.Resources.MemoryMax);
        w.WriteEndObject();
        if (task.Restart is { } restart)
        {
            RestartPolicy(w, restart);
        }

        if (task.Kill is { } kill)
        {
            w.WriteNumber("KillTimeout", GoDuration.Nanoseconds(kill.Timeout));
        }

        if (task.Vault is { } vault)
        {
            w.WriteStartObject("Vault");
            OptionalString(w, "Role", vault.Role);
            w.WriteString("ChangeMode", vault.ChangeMode);
            OptionalString(w, "ChangeSignal", vault.ChangeSignal);
            w.WriteEndObject();
        }

        Array(w, "Templates", task.Templates, Template);
        Array(w, "VolumeMounts", task.Mounts, VolumeMount);
        if (task.ShutdownDelay is { } shutdownDelay)
        {
            w.WriteNumber("ShutdownDelay", GoDuration.Nanoseconds(shutdownDelay));
        }

        OptionalString(w, "KillSignal", task.Kill?.Signal);
        if (task.Leader)
        {
            w.WriteBoolean("Leader", true);
        }

        w.WriteEndObject();
    }

    /// <summary>The driver's config is a map in <c>api.Task</c>: it keeps the HCL keys, sorted as Go sorts map keys.</summary>
    private static void DriverConfig(Utf8JsonWriter w, DockerConfigDoc config)
    {
        w.WriteStartObject("Config");
        Strings(w, "args", config.Args);
        OptionalString(w, "command", config.Command);
        Strings(w, "dns_options", config.DnsOptions);
        Strings(w, "dns_search_domains", config.DnsSearchDomains);
        Strings(w, "dns_servers", config.DnsServers);
        Strings(w, "entrypoint", config.Entrypoint);
        w.WriteString("image", config.Image);
        // Blocks inside a driver config are lists of maps in api.Task's Config, as jobspec2 decodes them.
        Array(w, "mount", config.Mounts, DockerMount);
        OptionalString(w, "network_mode", config.NetworkMode);
        Strings(w, "ports", config.Ports);
        if (config.Privileged)
        {
            w.WriteBoolean("privileged", true);
        }

        OptionalNumber(w, "shm_size", config.ShmSize);
        w.WriteEndObject();
    }

    private static void DockerMount(Utf8JsonWriter w, DockerMountDoc mount)
    {
        w.WriteStartObject();
        if (mount.ReadOnly is { } readOnly)
        {
            w.WriteBoolean("readonly", readOnly);
        }

        OptionalString(w, "source", mount.Source);
        w.WriteString("target", mount.Target);
        if (mount.TmpfsSize is { } size)
        {
            w.WriteStartArray("tmpfs_options");
            w.WriteStartObject();
            w.WriteNumber("size", size);
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteString("type", mount.Type);
        w.WriteEndObject();
    }

    private static void Template(Utf8JsonWriter w, TemplateDoc template)
    {
        w.WriteStartObject();
        w.WriteString("DestPath", template.Destination);
        w.WriteString("EmbeddedTmpl", template.Data);
        w.WriteString("ChangeMode", template.ChangeMode);
        if (template.ChangeScript is { } script)
        {
            // api.ChangeScript: Timeout is a time.Duration (nanoseconds).
            w.WriteStartObject("ChangeScript");
            w.WriteString("Command", script.Command);
            Strings(w, "Args", script.Args);
            w.WriteNumber("Timeout", GoDuration.Nanoseconds(script.Timeout));
            w.WriteBoolean("FailOnError", script.FailOnError);
            w.WriteEndObject();
        }

        OptionalString(w, "Perms", template.Perms);
        if (template.Env is { } env)
        {
            w.WriteBoolean("Envvars", env);
        }

        w.WriteEndObject();
    }

    private static void VolumeMount(Utf8JsonWriter w, MountDoc mount)
    {
        w.WriteStartObject();
        w.WriteString("Volume", mount.Volume);
        w.WriteString("Destination", mount.Destination);
        if (mount.ReadOnly is { } readOnly)
        {
            w.WriteBoolean("ReadOnly", readOnly);
        }

        w.WriteEndObject();
    }

    private static void Array<T>(Utf8JsonWriter w, string name, IReadOnlyList<T> items, Action<Utf8JsonWriter, T> write)
    {
        if (items.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var item in items)
        {
            write(w, item);
        }

        w.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values) =>
        Array(w, name, values, (writer, value) => writer.WriteStringValue(value));

    private static void OptionalString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void OptionalNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } number)
        {
            w.WriteNumber(name, number);
        }
    }

    /// <summary>
    /// Go writes map keys in byte order of their UTF-8; ordinal order of UTF-16 agrees for every key without
    /// characters above U+D7FF. A key twice would be a map the HCL could not express either.
    /// </summary>
    private static IEnumerable<T> SortedByKey<T>(IReadOnlyList<T> items, Func<T, string> key)
    {
        var duplicate = items.GroupBy(key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Key '{duplicate.Key}' appears twice in one map.");
        }

        return items.OrderBy(key, StringComparer.Ordinal);
    }
}

using System.Collections.ObjectModel;
using System.Text.Json.Serialization;

namespace NomadDbPatterns.Nomad;

/// <summary>A client node as listed by <c>GET /v1/nodes</c> (<c>api.NodeListStub</c>), the parts this project uses.</summary>
public sealed record NodeListStub
{
    /// <summary>The node ID.</summary>
    public string ID { get => field ?? ""; init; }

    /// <summary>The node's name.</summary>
    public string Name { get => field ?? ""; init; }

    /// <summary>Its datacenter.</summary>
    public string Datacenter { get => field ?? ""; init; }

    /// <summary>Its node pool.</summary>
    public string NodePool { get => field ?? ""; init; }

    /// <summary><c>ready</c>, <c>down</c>, <c>initializing</c> or <c>disconnected</c> (<c>structs.NodeStatus*</c>).</summary>
    public string Status { get => field ?? ""; init; }

    /// <summary><c>eligible</c> or <c>ineligible</c> for new allocations.</summary>
    public string SchedulingEligibility { get => field ?? ""; init; }
}

/// <summary>A client node as read by <c>GET /v1/node/:id</c> (<c>api.Node</c>), the parts this project uses.</summary>
public sealed record NodeDetail
{
    /// <summary>The node ID.</summary>
    public string ID { get => field ?? ""; init; }

    /// <summary>The node's name.</summary>
    public string Name { get => field ?? ""; init; }

    /// <summary>
    /// The host volumes the node offers, by name: the static <c>host_volume</c> blocks of its configuration and the
    /// dynamic volumes it holds once they are ready (<c>api.HostVolumeInfo</c>; <c>ID</c> is set for dynamic ones).
    /// </summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<HostVolumeInfo>))]
    public IReadOnlyDictionary<string, HostVolumeInfo> HostVolumes { get => field ?? ReadOnlyDictionary<string, HostVolumeInfo>.Empty; init; }
}

/// <summary>A host volume on a node (<c>api.HostVolumeInfo</c>).</summary>
public sealed record HostVolumeInfo
{
    /// <summary>The directory on the node.</summary>
    public string Path { get => field ?? ""; init; }

    /// <summary>Whether the volume is read-only.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The dynamic volume's ID; empty for a static volume.</summary>
    public string ID { get => field ?? ""; init; }
}

/// <summary>A dynamic host volume as listed by <c>GET /v1/volumes?type=host</c> (<c>api.HostVolumeStub</c>).</summary>
public sealed record HostVolumeStub
{
    /// <summary>Its namespace.</summary>
    public string Namespace { get => field ?? ""; init; }

    /// <summary>The volume ID.</summary>
    public string ID { get => field ?? ""; init; }

    /// <summary>Its name: what a job's <c>volume</c> block names as <c>source</c>.</summary>
    public string Name { get => field ?? ""; init; }

    /// <summary>The plugin that created it (<c>mkdir</c>).</summary>
    public string PluginID { get => field ?? ""; init; }

    /// <summary>The node pool of its node.</summary>
    public string NodePool { get => field ?? ""; init; }

    /// <summary>The node that holds it.</summary>
    public string NodeID { get => field ?? ""; init; }

    /// <summary><c>pending</c>, <c>ready</c> or <c>unavailable</c> (<c>api.HostVolumeState*</c>).</summary>
    public string State { get => field ?? ""; init; }
}

/// <summary>Answer of <c>PUT /v1/volume/host/create</c> (<c>api.HostVolumeCreateResponse</c>).</summary>
public sealed record HostVolumeCreateResponse
{
    /// <summary>The volume as created: its ID, the node Nomad placed it on, its state.</summary>
    public HostVolumeStub? Volume { get; init; }

    /// <summary>Warnings in Nomad's text form, empty when none.</summary>
    public string Warnings { get => field ?? ""; init; }
}

/// <summary>A job as listed by <c>GET /v1/jobs</c> (<c>api.JobListStub</c>), the parts this project uses.</summary>
public sealed record JobListStub
{
    /// <summary>The job ID (a periodic job's runs: <c>&lt;parent&gt;/periodic-&lt;unix time&gt;</c>).</summary>
    public string ID { get => field ?? ""; init; }

    /// <summary>The parent of a periodic or dispatched child job; empty otherwise.</summary>
    public string ParentID { get => field ?? ""; init; }

    /// <summary>Its namespace.</summary>
    public string Namespace { get => field ?? ""; init; }

    /// <summary><c>service</c>, <c>batch</c>, <c>system</c> or <c>sysbatch</c>.</summary>
    public string Type { get => field ?? ""; init; }

    /// <summary>Whether it is a periodic parent.</summary>
    public bool Periodic { get; init; }

    /// <summary>Whether it was stopped.</summary>
    public bool Stop { get; init; }

    /// <summary><c>pending</c>, <c>running</c> or <c>dead</c>.</summary>
    public string Status { get => field ?? ""; init; }

    /// <summary>When it was submitted, Unix nanoseconds.</summary>
    public long SubmitTime { get; init; }

    /// <summary>Its meta, when listed with <c>meta=true</c>; empty otherwise (Nomad omits an empty one).</summary>
    [JsonConverter(typeof(NullAsEmptyDictionary<string>))]
    public IReadOnlyDictionary<string, string> Meta { get => field ?? ReadOnlyDictionary<string, string>.Empty; init; }
}

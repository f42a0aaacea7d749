using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>
/// What every job of this library has, whatever runs in it: its name and where Nomad places it (region, datacenters,
/// namespace, node pool, priority, constraints), and how its one group is networked, updated and restarted. The
/// service job and the shared instance both are one; validation (PlacementValidator), the YAML mapping and the fleet
/// checks read these once for both.
/// </summary>
/// <param name="Name">The job ID, also the group name.</param>
public abstract record Job(string Name)
{
    /// <summary>Datacenters the job may run in.</summary>
    public ImmutableArray<string> Datacenters { get; init; } = Defaults.Datacenters;
    /// <summary>The Nomad namespace, or null for the default.</summary>
    public string? Namespace { get; init; }
    /// <summary>The Nomad region, or null for the default.</summary>
    public string? Region { get; init; }
    /// <summary>The node pool, or null for the default.</summary>
    public string? NodePool { get; init; }
    /// <summary>Job priority (1-100), or null for Nomad's default.</summary>
    public int? Priority { get; init; }
    /// <summary>Placement constraints.</summary>
    public ImmutableArray<Constraint> Constraints { get; init; } = [];
    /// <summary>
    /// Network mode of the group. On <see cref="NetworkMode.Host"/> every port is static on the node (the shared
    /// instance's server listens on the node's port directly, for clusters without CNI plugins).
    /// </summary>
    public NetworkMode Network { get; init; } = Defaults.Network;
    /// <summary>Update policy; the default suits a stateful group.</summary>
    public UpdatePolicy Update { get; init; } = UpdatePolicy.Stateful;
    /// <summary>Restart policy of the group.</summary>
    public RestartPolicy Restart { get; init; } = RestartPolicy.Default;
    /// <summary>
    /// The fleet the job belongs to, or null: written into the job's meta (<c>nomad_db_fleet</c>), so
    /// that <c>plan</c> can name the fleet's jobs in Nomad that no spec describes any more and <c>run --prune</c>
    /// can stop them. From YAML it is the <c>fleet:</c> of the <c>nomad-db.yaml</c> that applies.
    /// </summary>
    public string? Fleet { get; init; }
}

/// <summary>A placement constraint.</summary>
/// <param name="Attribute">Left operand, e.g. <c>${node.unique.name}</c>.</param>
/// <param name="Operator">Operator, e.g. <c>=</c>, <c>regexp</c>, <c>distinct_hosts</c>.</param>
/// <param name="Value">Right operand.</param>
public sealed record Constraint(string? Attribute, string Operator, string? Value);

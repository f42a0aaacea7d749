using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

// The YAML spec format, as plain types: the loader reads YAML into these strictly (unknown keys are errors), the
// JSON Schema is generated from them, and SpecMapper turns them into the immutable model. Keys are camelCase.

/// <summary>A spec file holding several jobs.</summary>
internal sealed class SpecFileSpec
{
    /// <summary>The jobs of this file.</summary>
    public List<JobSpec>? Jobs { get; set; }
}

/// <summary>One service job: an app with its dedicated database (PostgreSQL or SQLite), its backups and its other tasks.</summary>
internal sealed class JobSpec : PlacementKeysSpec, IPlacementSpec
{
    /// <summary>Job name (Nomad job ID): lower-case letters, digits, '-' and '_', at most 63 characters.</summary>
    [SpecRequired]
    [SpecPattern(Rules.NamePattern)]
    public string? Name { get; set; }
    /// <summary>`service` (default): a service with its own database; `shared-postgres`: the legacy shared instance.</summary>
    [SpecWords(nameof(SpecWords.Kind))]
    [SpecDefault(typeof(SpecMapper), nameof(SpecMapper.ServiceKind))]
    public string? Kind { get; set; }
    /// <summary>Start from a known app's preset; every key given here overrides the preset.</summary>
    [SpecWords(nameof(SpecWords.Preset))]
    public string? Preset { get; set; }
    /// <summary>The application task.</summary>
    public AppSpec? App { get; set; }
    /// <summary>Tasks of the group besides the app: sidecars (e.g. Redis) and one-shot prestart/poststart/poststop tasks; the database and backup tasks stay the generator's.</summary>
    public List<TaskSpec>? Tasks { get; set; }
    /// <summary>The dedicated PostgreSQL sidecar.</summary>
    public PostgresSpec? Postgres { get; set; }
    /// <summary>SQLite storage, for services that need no networked database.</summary>
    public SqliteSpec? Sqlite { get; set; }
    /// <summary>Scheduled, verified backups of the database.</summary>
    public BackupSpec? Backup { get; set; }
    /// <summary>How the job's host volumes are provisioned: what `render` writes beside the job.</summary>
    public HostVolumesSpec? HostVolumes { get; set; }
}

/// <summary>How a job's host volumes come to exist on a node.</summary>
internal sealed class HostVolumesSpec
{
    /// <summary>`dynamic` (default): `JOB.VOLUME.volume.hcl` per volume for `nomad volume create` (Nomad 1.10+); `static`: `JOB.client.hcl`, a client `host_volume` snippet; `none`: nothing.</summary>
    [SpecWords(nameof(SpecWords.Provision))]
    [SpecDefault(typeof(HostVolumeSettings), nameof(HostVolumeSettings.Default), nameof(HostVolumeSettings.Provision))]
    public string? Provision { get; set; }
    /// <summary>Static volumes: the directory on the node holding one directory per volume (default /opt/nomad/volumes).</summary>
    [SpecDefault(typeof(Defaults), nameof(Defaults.HostVolumePath))]
    public string? Path { get; set; }
}

/// <summary>
/// The legacy shared PostgreSQL instance (`kind: shared-postgres`): one server, one database per service, frozen.
/// It has no app: the server is the main task, and an init task keeps every listed database and role in place.
/// </summary>
internal sealed class SharedPostgresSpec : PlacementKeysSpec, IPlacementSpec
{
    /// <summary>Job name (Nomad job ID), e.g. postgresql.</summary>
    [SpecRequired]
    [SpecPattern(Rules.NamePattern)]
    public string? Name { get; set; }
    /// <summary>`shared-postgres`.</summary>
    [SpecRequired]
    [SpecWords(nameof(SpecWords.Kind))]
    public string? Kind { get; set; }
    /// <summary>The server: version, variant, image, user (the admin role, default postgres), port (static on the node, default 5432), volume (default &lt;job&gt;-data), resources, shmSize, settings.</summary>
    public PostgresSpec? Postgres { get; set; }
    /// <summary>The admin (superuser) password: `nomadVar` or `vault`; a literal password is an error.</summary>
    [SpecRequired]
    public SecretSpec? AdminPassword { get; set; }
    /// <summary>The databases, each owned by its own role.</summary>
    [SpecRequired]
    [SpecNonEmpty]
    public List<SharedDatabaseSpec>? Databases { get; set; }
    /// <summary>Service registration for discovery (default: `postgresql` in Consul).</summary>
    public SharedServiceSpec? Service { get; set; }
    /// <summary>Cluster backup with pg_dumpall (always plain SQL, gzip-compressed).</summary>
    public BackupSpec? Backup { get; set; }
    /// <summary>The recorded frozen set: database names the instance held when it was declared legacy.</summary>
    [SpecPattern(Rules.SqlIdentifierPattern)]
    public List<string>? Baseline { get; set; }
    /// <summary>Deliberately allow databases outside the baseline (default false: the instance is frozen).</summary>
    public bool? AllowNewDatabases { get; set; }
}

/// <summary>A database of the shared instance.</summary>
internal sealed class SharedDatabaseSpec
{
    /// <summary>Database name (lower-case letters, digits, '_').</summary>
    [SpecRequired]
    [SpecPattern(Rules.SqlIdentifierPattern)]
    public string? Name { get; set; }
    /// <summary>The role owning it (default: the database name).</summary>
    [SpecPattern(Rules.SqlIdentifierPattern)]
    public string? Owner { get; set; }
    /// <summary>The role's password: `nomadVar` or `vault`; a literal password is an error.</summary>
    [SpecRequired]
    public SecretSpec? Password { get; set; }
    /// <summary>The service using it: the job name of its dedicated job after `nomad-db migrate` (and its preset, unless `preset:` names another).</summary>
    [SpecPattern(Rules.NamePattern)]
    public string? Service { get; set; }
    /// <summary>The preset `migrate` builds the dedicated job from, when it is not named like the service (an app without a preset: `migrate --dedicated SPEC`).</summary>
    [SpecWords(nameof(SpecWords.Preset))]
    public string? Preset { get; set; }
    /// <summary>The Nomad job that uses the database today, when it is not named like the service: `migrate` stops it, and starts it again on rollback.</summary>
    [SpecPattern(Rules.NamePattern)]
    public string? Job { get; set; }
}

/// <summary>Service registration of the shared instance.</summary>
internal sealed class SharedServiceSpec
{
    /// <summary>Service name (default postgresql, i.e. postgresql.service.consul).</summary>
    [SpecPattern(Rules.ServiceNamePattern)]
    [SpecDefault(typeof(DiscoveryService), nameof(DiscoveryService.Default), nameof(DiscoveryService.Name))]
    public string? Name { get; set; }
    /// <summary>`consul` (default) or `nomad`.</summary>
    [SpecWords(nameof(SpecWords.SharedProvider))]
    [SpecDefault(typeof(DiscoveryService), nameof(DiscoveryService.Default), nameof(DiscoveryService.Provider))]
    public string? Provider { get; set; }
}

/// <summary>Where a job runs and how its group is updated: the keys every kind of job has, and the fleet defaults give.</summary>
internal abstract class PlacementKeysSpec
{
    /// <summary>Datacenters the job may run in (default: dc1).</summary>
    [SpecNonEmpty]
    [SpecDefault(typeof(Defaults), nameof(Defaults.Datacenters))]
    public List<string>? Datacenters { get; set; }
    /// <summary>Nomad namespace.</summary>
    [SpecPattern(Rules.NamespacePattern)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.Namespace))]
    public string? Namespace { get; set; }
    /// <summary>Nomad region.</summary>
    public string? Region { get; set; }
    /// <summary>Nomad node pool.</summary>
    [SpecPattern(Rules.NodePoolPattern)]
    public string? NodePool { get; set; }
    /// <summary>Job priority, 1-100.</summary>
    [SpecRange(PlacementValidator.MinPriority, PlacementValidator.MaxPriority)]
    public int? Priority { get; set; }
    /// <summary>Placement constraints (a job's own list replaces the fleet defaults' list).</summary>
    public List<ConstraintSpec>? Constraints { get; set; }
    /// <summary>`bridge` (default; needs Nomad's CNI plugins) or `host` (every port static on the node).</summary>
    [SpecWords(nameof(SpecWords.Network))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.Network))]
    public string? Network { get; set; }
    /// <summary>Update policy of the group (defaults suit a stateful group).</summary>
    public UpdateSpec? Update { get; set; }
}

/// <summary>
/// The keys every kind of job has, flat at the top of its spec: name, placement and the group's network and update
/// policy (<see cref="SpecMapper"/> maps them once onto <see cref="Model.Job"/>).
/// </summary>
internal interface IPlacementSpec
{
    string? Name { get; }
    List<string>? Datacenters { get; }
    string? Namespace { get; }
    string? Region { get; }
    string? NodePool { get; }
    int? Priority { get; }
    List<ConstraintSpec>? Constraints { get; }
    string? Network { get; }
    UpdateSpec? Update { get; }
}

/// <summary>A placement constraint.</summary>
internal sealed class ConstraintSpec
{
    /// <summary>Left operand, e.g. `${node.unique.name}`.</summary>
    public string? Attribute { get; set; }
    /// <summary>Operator (default `=`).</summary>
    [SpecWords(nameof(SpecWords.ConstraintOperator))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.ConstraintOperator))]
    public string? Operator { get; set; }
    /// <summary>Right operand.</summary>
    public string? Value { get; set; }
}

/// <summary>Update policy.</summary>
internal sealed class UpdateSpec
{
    /// <summary>Allocations updated at once (default 1).</summary>
    [SpecRange(UpdatePolicyValidator.MinMaxParallel)]
    [SpecDefault(typeof(UpdatePolicy), nameof(UpdatePolicy.Stateful), nameof(UpdatePolicy.MaxParallel))]
    public int? MaxParallel { get; set; }
    /// <summary>Minimum healthy time (default 30s).</summary>
    [SpecPattern(Duration.NomadPattern)]
    [SpecDefault(typeof(UpdatePolicy), nameof(UpdatePolicy.Stateful), nameof(UpdatePolicy.MinHealthyTime))]
    public string? MinHealthyTime { get; set; }
    /// <summary>Healthy deadline (default 10m); must be above minHealthyTime.</summary>
    [SpecPattern(Duration.NomadPattern)]
    [SpecDefault(typeof(UpdatePolicy), nameof(UpdatePolicy.Stateful), nameof(UpdatePolicy.HealthyDeadline))]
    public string? HealthyDeadline { get; set; }
    /// <summary>Progress deadline (default 15m); must be above healthyDeadline, or Nomad refuses the job.</summary>
    [SpecPattern(Duration.NomadPattern)]
    [SpecDefault(typeof(UpdatePolicy), nameof(UpdatePolicy.Stateful), nameof(UpdatePolicy.ProgressDeadline))]
    public string? ProgressDeadline { get; set; }
    /// <summary>Auto revert (default true).</summary>
    [SpecDefault(typeof(UpdatePolicy), nameof(UpdatePolicy.Stateful), nameof(UpdatePolicy.AutoRevert))]
    public bool? AutoRevert { get; set; }
}

/// <summary>
/// What every task of the group is written with: the app (<see cref="AppSpec"/>) and each extra task
/// (<see cref="TaskSpec"/>) — image, command, environment, resources, service, volumes, templates, Docker options, secrets.
/// </summary>
internal abstract class ContainerTaskSpec
{
    /// <summary>Task name: the app's defaults to `app`; an extra task's is unique in the group, and none is postgres, wait-for-postgres or db-backup.</summary>
    [SpecPattern(Rules.NamePattern)]
    public string? Name { get; set; }
    /// <summary>Container image with an explicit tag, e.g. redis:7-alpine.</summary>
    public string? Image { get; set; }
    /// <summary>Overrides the image's command.</summary>
    public string? Command { get; set; }
    /// <summary>Arguments.</summary>
    public List<string>? Args { get; set; }
    /// <summary>User to run as, e.g. `1000:1000`.</summary>
    public string? User { get; set; }
    /// <summary>Plain (non-secret) environment variables.</summary>
    [SpecKeyPattern(Rules.EnvNamePattern)]
    public Dictionary<string, string>? Env { get; set; }
    /// <summary>CPU and memory (defaults: the app 200 MHz, 256 MB; an extra task 100 MHz, 128 MB).</summary>
    public ResourcesSpec? Resources { get; set; }
    /// <summary>Service registration with a health check; an extra task's names one of app.ports and defaults to JOB-TASK.</summary>
    public ServiceSpec? Service { get; set; }
    /// <summary>Host volumes the task mounts (a name shared with another task mounts the same group volume).</summary>
    public List<VolumeSpec>? Volumes { get; set; }
    /// <summary>Extra template files.</summary>
    public List<TemplateSpec>? Templates { get; set; }
    /// <summary>Docker mounts: a task file bind-mounted into place (`{ type: bind, source: local/app.conf, target: /etc/app.conf, readOnly: true }`) or a tmpfs.</summary>
    public List<MountSpec>? Mounts { get; set; }
    /// <summary>Run the container privileged (default false): an opt-in that is warned about (NDB037); the Docker plugin needs `allow_privileged = true`.</summary>
    public bool? Privileged { get; set; }
    /// <summary>The container's resolver settings (host networking only).</summary>
    public DnsSpec? Dns { get; set; }
    /// <summary>Size of /dev/shm, e.g. 256MB (Docker's default is 64MB).</summary>
    [SpecPattern(ByteSize.Pattern)]
    public string? ShmSize { get; set; }
    /// <summary>Secrets the task reads, by environment variable: `{ nomadVar | vault, key }` rendered into secrets/secrets.env, or with `file: secrets/NAME` into that file (the variable then holds its path, for _FILE conventions). A literal value is an error.</summary>
    [SpecKeyPattern(Rules.EnvNamePattern)]
    public Dictionary<string, TaskSecretSpec>? Secrets { get; set; }
}

/// <summary>The application task.</summary>
internal sealed class AppSpec : ContainerTaskSpec
{
    /// <summary>Ports the app listens on (the group's ports: extra tasks' services name them too).</summary>
    public List<PortSpec>? Ports { get; set; }
    /// <summary>How the app receives its database settings.</summary>
    public DatabaseWiringSpec? Database { get; set; }
}

/// <summary>A secret a task reads, by reference: where it is and its key, never its value.</summary>
internal sealed class TaskSecretSpec
{
    /// <summary>Nomad Variable path, e.g. nomad/jobs/gitea (readable by the job: nomad/jobs/&lt;job&gt;).</summary>
    public string? NomadVar { get; set; }
    /// <summary>Vault KV v2 API path, e.g. secret/data/apps/gitea.</summary>
    public string? Vault { get; set; }
    /// <summary>The item or field inside the secret (required).</summary>
    [SpecPattern(Rules.SecretKeyPattern)]
    public string? Key { get; set; }
    /// <summary>Render into this file under secrets/ (e.g. secrets/smtp-password); the variable then holds its path (/secrets/smtp-password).</summary>
    public string? File { get; set; }
    /// <summary>Vault role for the workload identity (one per task).</summary>
    public string? Role { get; set; }
    /// <summary>Vault only: noop (default), restart or signal when the task's Vault token changes (one per task).</summary>
    [SpecWords(nameof(SpecWords.VaultChangeMode))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.VaultChangeMode))]
    public string? ChangeMode { get; set; }
    /// <summary>Vault only: the signal sent with changeMode signal.</summary>
    public string? ChangeSignal { get; set; }
    /// <summary>Set when the YAML held a plain string: always an error, secrets never go in specs.</summary>
    [SpecScalarForm]
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Literal { get; set; }
}

/// <summary>A task of the group besides the app: a sidecar or a lifecycle (prestart/poststart/poststop) task.</summary>
[SpecRequired(nameof(Name), nameof(Image))]
internal sealed class TaskSpec : ContainerTaskSpec
{
    /// <summary>When it runs; without it the task is a main task that runs as long as the app.</summary>
    public LifecycleSpec? Lifecycle { get; set; }
}

/// <summary>When a task runs (Nomad's lifecycle block).</summary>
internal sealed class LifecycleSpec
{
    /// <summary>`prestart`, `poststart` or `poststop`.</summary>
    [SpecWords(nameof(SpecWords.LifecycleHook))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.LifecycleHook))]
    public string? Hook { get; set; }
    /// <summary>Keep the task running beside the main tasks (default false: it runs once, to completion).</summary>
    public bool? Sidecar { get; set; }
}

/// <summary>A Docker mount.</summary>
internal sealed class MountSpec
{
    /// <summary>`bind` (default) or `tmpfs`.</summary>
    [SpecWords(nameof(SpecWords.MountType))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.MountType))]
    public string? Type { get; set; }
    /// <summary>bind: a file or directory of the task, relative to its directory, under local/ or secrets/ (e.g. a template's destination); tmpfs: none.</summary>
    public string? Source { get; set; }
    /// <summary>Absolute path in the container.</summary>
    [SpecRequired]
    public string? Target { get; set; }
    /// <summary>Mount read-only (default false).</summary>
    public bool? ReadOnly { get; set; }
    /// <summary>tmpfs only: size limit, e.g. 64MB.</summary>
    [SpecPattern(ByteSize.Pattern)]
    public string? TmpfsSize { get; set; }
}

/// <summary>The container's resolver settings.</summary>
internal sealed class DnsSpec
{
    /// <summary>Name server IP addresses.</summary>
    public List<string>? Servers { get; set; }
    /// <summary>Search domains.</summary>
    public List<string>? Searches { get; set; }
    /// <summary>resolv.conf options, e.g. ndots:2.</summary>
    public List<string>? Options { get; set; }
}

/// <summary>A port.</summary>
internal sealed class PortSpec
{
    /// <summary>Port label.</summary>
    [SpecRequired]
    [SpecPattern(Rules.NamePattern)]
    public string? Name { get; set; }
    /// <summary>Port inside the container.</summary>
    [SpecRequired]
    [SpecRange(Rules.MinPort, Rules.MaxPort)]
    public int? To { get; set; }
    /// <summary>Static host port (required on host networking).</summary>
    [SpecRange(Rules.MinPort, Rules.MaxPort)]
    public int? Static { get; set; }
}

/// <summary>Database settings for the app: environment variables with placeholders.</summary>
internal sealed class DatabaseWiringSpec
{
    /// <summary>Variables; placeholders: {host} {port} {address} {database} {user} {password} {passwordUrlEncoded} {passwordFile}.</summary>
    [SpecKeyPattern(Rules.EnvNamePattern)]
    public Dictionary<string, string>? Env { get; set; }
    /// <summary>Also render the password into /secrets/db-password.</summary>
    public bool? PasswordFile { get; set; }
}

/// <summary>CPU (MHz) and memory (MB).</summary>
internal sealed class ResourcesSpec
{
    /// <summary>CPU in MHz.</summary>
    [SpecRange(ResourcesValidator.MinimumCpu)]
    public int? Cpu { get; set; }
    /// <summary>Memory in MB.</summary>
    [SpecRange(ResourcesValidator.NomadMinimumMemory)]
    public int? Memory { get; set; }
    /// <summary>Memory limit in MB.</summary>
    [SpecRange(ResourcesValidator.NomadMinimumMemory)]
    public int? MemoryMax { get; set; }
}

/// <summary>Service registration.</summary>
internal sealed class ServiceSpec
{
    /// <summary>Service name (default: the job name).</summary>
    [SpecPattern(Rules.ServiceNamePattern)]
    public string? Name { get; set; }
    /// <summary>Port label (default: the first port).</summary>
    public string? Port { get; set; }
    /// <summary>`nomad` (default) or `consul`.</summary>
    [SpecWords(nameof(SpecWords.Provider))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.ServiceProvider))]
    public string? Provider { get; set; }
    /// <summary>Tags.</summary>
    public List<string>? Tags { get; set; }
    /// <summary>Health check.</summary>
    public CheckSpec? Check { get; set; }
}

/// <summary>A health check.</summary>
internal sealed class CheckSpec
{
    /// <summary>`http` or `tcp` (Nomad-provider checks can be nothing else).</summary>
    [SpecWords(nameof(SpecWords.CheckType))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.ServiceCheckType))]
    public string? Type { get; set; }
    /// <summary>HTTP path.</summary>
    public string? Path { get; set; }
    /// <summary>Interval (default 10s).</summary>
    [SpecPattern(Duration.NomadPattern)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.CheckInterval))]
    public string? Interval { get; set; }
    /// <summary>Timeout (default 2s).</summary>
    [SpecPattern(Duration.NomadPattern)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.CheckTimeout))]
    public string? Timeout { get; set; }
}

/// <summary>A host volume mounted into the app.</summary>
internal sealed class VolumeSpec
{
    /// <summary>Group volume name.</summary>
    [SpecRequired]
    [SpecPattern(Rules.NamePattern)]
    public string? Name { get; set; }
    /// <summary>Host volume name on the client.</summary>
    [SpecRequired]
    [SpecPattern(Rules.NamePattern)]
    public string? Source { get; set; }
    /// <summary>Mount path in the container.</summary>
    [SpecRequired]
    public string? Destination { get; set; }
    /// <summary>Mount read-only.</summary>
    public bool? ReadOnly { get; set; }
    /// <summary>Deliberately shared read-only with other jobs.</summary>
    public bool? Shared { get; set; }
}

/// <summary>An extra template file.</summary>
internal sealed class TemplateSpec
{
    /// <summary>Destination (local/, secrets/ or alloc/).</summary>
    [SpecRequired]
    public string? Destination { get; set; }
    /// <summary>Template text (consul-template syntax).</summary>
    [SpecRequired]
    public string? Data { get; set; }
    /// <summary>Read as environment variables.</summary>
    public bool? Env { get; set; }
    /// <summary>noop, restart (default), signal or script.</summary>
    [SpecWords(nameof(SpecWords.TemplateChangeMode))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.TemplateChangeMode))]
    public string? ChangeMode { get; set; }
    /// <summary>File permissions, e.g. "0644".</summary>
    [SpecPattern(Rules.PermsPattern)]
    public string? Perms { get; set; }
}

/// <summary>The keys that describe a PostgreSQL server (its image, resources and settings): the fleet defaults give these.</summary>
internal class PostgresServerSpec
{
    /// <summary>Major version (default: the image tag's major, else 17).</summary>
    [SpecRange(PostgresSidecarValidator.MinimumVersion, PostgresSidecarValidator.MaximumVersion)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.PostgresVersion))]
    public int? Version { get; set; }
    /// <summary>Image variant: alpine (default), bookworm, trixie, or empty.</summary>
    [SpecWords(nameof(SpecWords.PostgresVariant))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.PostgresVariant))]
    public string? Variant { get; set; }
    /// <summary>Registry (and path) the official postgres image is pulled from instead of Docker Hub, e.g. registry.example or registry.example:5000/library (a mirror; usually set once in the fleet defaults); not applied to an explicit image.</summary>
    [SpecPattern(Rules.RegistryPattern, MaxLength = Rules.MaxRegistryLength)]
    public string? Registry { get; set; }
    /// <summary>CPU and memory.</summary>
    public ResourcesSpec? Resources { get; set; }
    /// <summary>Size of /dev/shm, e.g. 256MB.</summary>
    [SpecPattern(ByteSize.Pattern)]
    public string? ShmSize { get; set; }
    /// <summary>Server settings passed as `-c key=value`.</summary>
    public Dictionary<string, string>? Settings { get; set; }
}

/// <summary>The dedicated PostgreSQL sidecar.</summary>
internal sealed class PostgresSpec : PostgresServerSpec
{
    /// <summary>Explicit image built on the official one (a registry mirror, pgvector/pgvector:pg17, postgis/postgis:16-3.4, a digest pin); the major is read from its tag, or given as version (both must agree).</summary>
    public string? Image { get; set; }
    /// <summary>Database name (default: the job name).</summary>
    [SpecPattern(Rules.SqlIdentifierPattern)]
    public string? Database { get; set; }
    /// <summary>Database user (default: the job name).</summary>
    [SpecPattern(Rules.SqlIdentifierPattern)]
    public string? User { get; set; }
    /// <summary>Password source: `nomadVar` or `vault`; a literal password is an error.</summary>
    [SpecRequired]
    public SecretSpec? Password { get; set; }
    /// <summary>Port (default 5432).</summary>
    [SpecRange(Rules.MinPort, Rules.MaxPort)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.PostgresPort))]
    public int? Port { get; set; }
    /// <summary>Host volume for the data directory (default: &lt;job&gt;-postgres).</summary>
    [SpecPattern(Rules.NamePattern)]
    public string? Volume { get; set; }
    /// <summary>Declared major upgrade of an existing volume: the major it was initialised with.</summary>
    [SpecRange(PostgresSidecarValidator.MinimumVersion - 4, PostgresSidecarValidator.MaximumVersion)]
    public int? UpgradeFrom { get; set; }
    /// <summary>Extensions created in the database on every start of the job (CREATE EXTENSION IF NOT EXISTS, as the database user, a superuser), e.g. [vector, pg_trgm]; the image must ship them.</summary>
    [SpecPattern(Rules.ExtensionNamePattern)]
    public List<string>? Extensions { get; set; }
    /// <summary>SQL statements run in the database on every start of the job, after the extensions, in one transaction: write them idempotent (IF NOT EXISTS, CREATE OR REPLACE, ON CONFLICT DO NOTHING).</summary>
    public List<string>? InitSql { get; set; }
    /// <summary>A SQL file run like initSql, after it: a path relative to the spec file's directory, inside it (no '..', no symbolic links).</summary>
    public string? InitSqlFile { get; set; }
    /// <summary>Register the database as a service of its own (default: not registered, except `&lt;job&gt;-db` for a periodic backup, which then connects through this one): for anything outside the group. Port: the static one on host networking, a mapped one on bridge.</summary>
    public DatabaseServiceSpec? Service { get; set; }
}

/// <summary>The database's service registration.</summary>
internal sealed class DatabaseServiceSpec
{
    /// <summary>Service name (default: &lt;job&gt;-db): letters, digits and '-' (RFC 1123), unique in the namespace across the fleet.</summary>
    [SpecPattern(Rules.ServiceNamePattern)]
    public string? Name { get; set; }
    /// <summary>`nomad` or `consul` (default: the app service's provider, else nomad).</summary>
    [SpecWords(nameof(SpecWords.Provider))]
    public string? Provider { get; set; }
    /// <summary>Tags.</summary>
    public List<string>? Tags { get; set; }
    /// <summary>Health check (default: tcp every 10s, timeout 2s).</summary>
    public DatabaseCheckSpec? Check { get; set; }
}

/// <summary>The database service's health check.</summary>
internal sealed class DatabaseCheckSpec
{
    /// <summary>`tcp` (default) or `script` (Consul only: pg_isready in the PostgreSQL task).</summary>
    [SpecWords(nameof(SpecWords.DatabaseCheckType))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.DatabaseCheckType))]
    public string? Type { get; set; }
    /// <summary>Interval (default 10s, at least 1s).</summary>
    [SpecPattern(Duration.NomadPattern)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.CheckInterval))]
    public string? Interval { get; set; }
    /// <summary>Timeout (default 2s, at least 1s).</summary>
    [SpecPattern(Duration.NomadPattern)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.CheckTimeout))]
    public string? Timeout { get; set; }
}

/// <summary>Where a secret comes from.</summary>
[SpecExactlyOne(nameof(NomadVar), nameof(Vault))]
internal sealed class SecretSpec
{
    /// <summary>Nomad Variable path, e.g. nomad/jobs/gitea.</summary>
    public string? NomadVar { get; set; }
    /// <summary>Vault KV v2 API path, e.g. secret/data/postgres/gitea.</summary>
    public string? Vault { get; set; }
    /// <summary>Vault role for the workload identity.</summary>
    public string? Role { get; set; }
    /// <summary>Key inside the secret (default: db_password for nomadVar, password for vault).</summary>
    [SpecPattern(Rules.SecretKeyPattern)]
    public string? Key { get; set; }
    /// <summary>Vault only: what Nomad does to the tasks reading it when their Vault token changes: noop (default; templates are rendered again with the new token), restart or signal.</summary>
    [SpecWords(nameof(SpecWords.VaultChangeMode))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.VaultChangeMode))]
    public string? ChangeMode { get; set; }
    /// <summary>Vault only: the signal sent with changeMode signal, e.g. SIGHUP.</summary>
    public string? ChangeSignal { get; set; }
    /// <summary>Set when the YAML held a plain string: always an error, passwords never go in specs.</summary>
    [SpecScalarForm]
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Literal { get; set; }
}

/// <summary>SQLite storage.</summary>
internal sealed class SqliteSpec
{
    /// <summary>Host volume holding the database file.</summary>
    [SpecPattern(Rules.NamePattern)]
    public string? Volume { get; set; }
    /// <summary>Mount path in the app container.</summary>
    [SpecDefault(typeof(Defaults), nameof(Defaults.SqliteDestination))]
    public string? Destination { get; set; }
    /// <summary>Database file name inside the volume.</summary>
    [SpecDefault(typeof(Defaults), nameof(Defaults.SqliteFile))]
    public string? File { get; set; }
}

/// <summary>How backups run (schedule, retention, format, verification, placement): the fleet defaults give these.</summary>
internal class BackupPolicySpec
{
    /// <summary>Five-field cron expression (default "0 3 * * *").</summary>
    [SpecDefault(typeof(Defaults), nameof(Defaults.BackupCron))]
    public string? Schedule { get; set; }
    /// <summary>Plain interval instead of a cron expression, e.g. 6h.</summary>
    [SpecPattern(Duration.Pattern)]
    public string? Interval { get; set; }
    /// <summary>IANA time zone of the schedule (default UTC).</summary>
    [SpecDefault(typeof(Defaults), nameof(Defaults.BackupTimeZone))]
    public string? TimeZone { get; set; }
    /// <summary>Retention.</summary>
    public RetentionSpec? Retention { get; set; }
    /// <summary>custom (pg_dump -Fc, default) or plain-gzip.</summary>
    [SpecWords(nameof(SpecWords.BackupFormat))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.BackupFormat))]
    public string? Format { get; set; }
    /// <summary>none (default) or restore.</summary>
    [SpecWords(nameof(SpecWords.Verify))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.BackupVerifyRestore))]
    public string? Verify { get; set; }
    /// <summary>sidecar (default) or periodic.</summary>
    [SpecWords(nameof(SpecWords.Placement))]
    [SpecDefault(typeof(Defaults), nameof(Defaults.BackupPlacement))]
    public string? Placement { get; set; }
}

/// <summary>Backups.</summary>
internal sealed class BackupSpec : BackupPolicySpec
{
    /// <summary>Host volume receiving the backups (default: &lt;job&gt;-backups).</summary>
    [SpecPattern(Rules.NamePattern)]
    public string? Volume { get; set; }
    /// <summary>Scheduled restore drills of the newest backup into a scratch database (PostgreSQL services).</summary>
    public DrillSpec? Drill { get; set; }
    /// <summary>Offsite, encrypted copies of the backup volume with restic.</summary>
    public OffsiteSpec? Offsite { get; set; }
    /// <summary>Continuous archiving for point-in-time restores (PostgreSQL, backup sidecar).</summary>
    public PitrSpec? Pitr { get; set; }
    /// <summary>The ping URL of a dead-man's switch (healthchecks.io style), as a secret: { nomadVar | vault, key (default heartbeat_url) }.</summary>
    public SecretSpec? Heartbeat { get; set; }
}

/// <summary>Offsite copies with restic.</summary>
internal sealed class OffsiteSpec
{
    /// <summary>A restic repository, e.g. s3:https://s3.example.com/bucket/app, b2:bucket:app, sftp:user@host:/srv/restic/app, rest:https://host/app.</summary>
    [SpecRequired]
    [SpecPattern(Rules.ResticRepositoryPattern, MaxLength = Rules.MaxResticRepositoryLength)]
    public string? Repository { get; set; }
    /// <summary>The repository password: { nomadVar | vault, key (default restic_password) }.</summary>
    [SpecRequired]
    public SecretSpec? PasswordSecret { get; set; }
    /// <summary>The storage's credentials: environment variable → secret reference, e.g. AWS_ACCESS_KEY_ID: { nomadVar: nomad/jobs/app, key: s3_key_id }.</summary>
    [SpecKeyPattern(Rules.EnvNamePattern)]
    public Dictionary<string, TaskSecretSpec>? Credentials { get; set; }
    /// <summary>Five-field cron expression of the copies (default "0 5 * * *", in the backup's time zone).</summary>
    [SpecDefault(typeof(Defaults), nameof(Defaults.OffsiteCron))]
    public string? Schedule { get; set; }
    /// <summary>Snapshots kept: { daily (7), weekly (4), monthly (6) }.</summary>
    public OffsiteKeepSpec? Keep { get; set; }
}

/// <summary>Tiered retention of offsite snapshots.</summary>
internal sealed class OffsiteKeepSpec
{
    /// <summary>Daily snapshots kept.</summary>
    [SpecRange(0, BackupPolicyValidator.MaxOffsiteKeep)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.OffsiteKeepDaily))]
    public int? Daily { get; set; }
    /// <summary>Weekly snapshots kept.</summary>
    [SpecRange(0, BackupPolicyValidator.MaxOffsiteKeep)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.OffsiteKeepWeekly))]
    public int? Weekly { get; set; }
    /// <summary>Monthly snapshots kept.</summary>
    [SpecRange(0, BackupPolicyValidator.MaxOffsiteKeep)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.OffsiteKeepMonthly))]
    public int? Monthly { get; set; }
}

/// <summary>Continuous archiving.</summary>
internal sealed class PitrSpec
{
    /// <summary>Five-field cron expression of the base backups, e.g. "0 1 * * *" (in the backup's time zone).</summary>
    [SpecRequired]
    public string? BaseBackup { get; set; }
    /// <summary>How far back a point-in-time restore can go, e.g. 7d (default 7d): base backups and WAL are kept for it.</summary>
    [SpecPattern(Duration.Pattern)]
    [SpecDefault(typeof(Defaults), nameof(Defaults.PitrWalRetention))]
    public string? WalRetention { get; set; }
}

/// <summary>A restore drill schedule.</summary>
internal sealed class DrillSpec
{
    /// <summary>Five-field cron expression, e.g. "0 4 * * 0".</summary>
    [SpecRequired]
    public string? Schedule { get; set; }
    /// <summary>IANA time zone of the schedule (default: the backup's).</summary>
    public string? TimeZone { get; set; }
}

/// <summary>Retention.</summary>
internal sealed class RetentionSpec
{
    /// <summary>Keep the newest N backups.</summary>
    [SpecRange(BackupScheduleRules.MinKeepLast)]
    public int? KeepLast { get; set; }
    /// <summary>Delete backups older than this, e.g. 30d.</summary>
    [SpecPattern(Duration.Pattern)]
    public string? MaxAge { get; set; }
}

/// <summary>Marks the property that receives a plain scalar given where a mapping is expected.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SpecScalarFormAttribute : Attribute;

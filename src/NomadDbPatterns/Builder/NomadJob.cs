using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Builder;

/// <summary>Entry point of the fluent C# API: <c>NomadJob.Create("vaultwarden").WithApp(...).WithPostgres(...).Build()</c>.</summary>
public static class NomadJob
{
    /// <summary>Starts a service job named <paramref name="name"/>.</summary>
    public static JobBuilder Create(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new JobBuilder(name);
    }
}

/// <summary>Builds a <see cref="ServiceJob"/>; <see cref="Build"/> validates it.</summary>
public sealed class JobBuilder
{
    private ServiceJob _job;

    internal JobBuilder(string name) => _job = new ServiceJob(name, new AppTask(string.Empty));

    /// <summary>Sets the app task: its image, then anything else through <paramref name="configure"/>.</summary>
    public JobBuilder WithApp(string image, Action<AppBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var builder = new AppBuilder(_job.App with { Image = image });
        configure?.Invoke(builder);
        _job = _job with { App = builder.Task };
        return this;
    }

    /// <summary>Adds a dedicated PostgreSQL sidecar; a password source is required.</summary>
    public JobBuilder WithPostgres(Action<PostgresBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new PostgresBuilder(_job.Name);
        configure(builder);
        _job = _job with { Postgres = builder.Sidecar };
        return this;
    }

    /// <summary>Adds a task to the group besides the app: a sidecar or a lifecycle task (see <see cref="TaskBuilder.AsLifecycle"/>).</summary>
    public JobBuilder WithTask(string name, string image, Action<TaskBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var builder = new TaskBuilder(new ExtraTask(name, image));
        configure?.Invoke(builder);
        _job = _job with { Tasks = _job.Tasks.Add(builder.Task) };
        return this;
    }

    /// <summary>Keeps the app's data in SQLite on a host volume instead of a networked database.</summary>
    public JobBuilder WithSqlite(string volume, string destination, string file)
    {
        _job = _job with { Sqlite = new SqliteStorage(volume, destination, file) };
        return this;
    }

    /// <summary>Adds scheduled, verified backups (daily at 03:00 UTC, keep 7, sidecar, unless configured).</summary>
    public JobBuilder WithBackup(Action<BackupBuilder>? configure = null)
    {
        var builder = new BackupBuilder(new BackupPolicy(Defaults.BackupVolume(_job.Name)));
        configure?.Invoke(builder);
        _job = _job with { Backup = builder.Policy };
        return this;
    }

    /// <summary>Sets the datacenters.</summary>
    public JobBuilder WithDatacenters(params string[] datacenters)
    {
        _job = _job with { Datacenters = [.. datacenters] };
        return this;
    }

    /// <summary>Sets the namespace.</summary>
    public JobBuilder WithNamespace(string @namespace)
    {
        _job = _job with { Namespace = @namespace };
        return this;
    }

    /// <summary>Sets the region.</summary>
    public JobBuilder WithRegion(string region)
    {
        _job = _job with { Region = region };
        return this;
    }

    /// <summary>Sets the node pool.</summary>
    public JobBuilder WithNodePool(string nodePool)
    {
        _job = _job with { NodePool = nodePool };
        return this;
    }

    /// <summary>
    /// Marks the job as one of the fleet <paramref name="fleet"/> (job meta <c>nomad_db_fleet</c>): the fleet's jobs in
    /// Nomad that no spec describes any more can then be found and stopped (<c>plan</c>, <c>run --prune</c>).
    /// </summary>
    public JobBuilder WithFleet(string fleet)
    {
        _job = _job with { Fleet = fleet };
        return this;
    }

    /// <summary>Adds a placement constraint.</summary>
    public JobBuilder WithConstraint(string attribute, string @operator, string value)
    {
        _job = _job with { Constraints = _job.Constraints.Add(new Constraint(attribute, @operator, value)) };
        return this;
    }

    /// <summary>Uses the node's network instead of a bridge: every port becomes static.</summary>
    public JobBuilder WithHostNetwork()
    {
        _job = _job with { Network = NetworkMode.Host };
        return this;
    }

    /// <summary>The job as built so far, unvalidated.</summary>
    public ServiceJob Peek() => _job;

    /// <summary>Validates and returns the job; throws <see cref="JobValidationException"/> listing every problem.</summary>
    public ServiceJob Build() => NomadDb.EnsureValid(_job);
}

/// <summary>Configures the app task.</summary>
public sealed class AppBuilder
{
    internal AppBuilder(AppTask task) => Task = task;

    internal AppTask Task { get; private set; }

    /// <summary>Adds a port the app listens on.</summary>
    public AppBuilder WithPort(string name, int containerPort, int? staticPort = null)
    {
        Task = Task with { Ports = Task.Ports.Add(new PortMapping(name, containerPort, staticPort)) };
        return this;
    }

    /// <summary>Adds a plain (non-secret) environment variable.</summary>
    public AppBuilder WithEnv(string name, string value)
    {
        Task = Task with { Env = Task.Env.Add(new EnvVar(name, value)) };
        return this;
    }

    /// <summary>Adds a database setting with placeholders ({host}, {port}, {address}, {database}, {user}, {password}, {passwordUrlEncoded}, {passwordFile}).</summary>
    public AppBuilder WithDatabaseEnv(string name, string valueWithPlaceholders)
    {
        var wiring = Task.Database ?? new DatabaseWiring();
        Task = Task with { Database = wiring with { Env = wiring.Env.Add(new EnvVar(name, valueWithPlaceholders)) } };
        return this;
    }

    /// <summary>Also renders the database password into /secrets/db-password for apps with a _FILE variant.</summary>
    public AppBuilder WithDatabasePasswordFile()
    {
        Task = Task with { Database = (Task.Database ?? new DatabaseWiring()) with { PasswordFile = true } };
        return this;
    }

    /// <summary>Sets CPU (MHz) and memory (MB).</summary>
    public AppBuilder WithResources(int cpu, int memory, int? memoryMax = null)
    {
        Task = Task with { Resources = new Resources(cpu, memory, memoryMax) };
        return this;
    }

    /// <summary>Registers a service with an HTTP check on <paramref name="path"/>.</summary>
    public AppBuilder WithHttpService(string name, string port, string path, ServiceProvider provider = ServiceProvider.Nomad)
    {
        Task = Task with { Service = new ServiceRegistration(name, port) { Provider = provider, Check = new HealthCheck(CheckType.Http, path) } };
        return this;
    }

    /// <summary>Registers a service with a TCP check.</summary>
    public AppBuilder WithTcpService(string name, string port, ServiceProvider provider = ServiceProvider.Nomad)
    {
        Task = Task with { Service = new ServiceRegistration(name, port) { Provider = provider, Check = new HealthCheck(CheckType.Tcp, null) } };
        return this;
    }

    /// <summary>Mounts a host volume.</summary>
    public AppBuilder WithVolume(string name, string source, string destination, bool readOnly = false)
    {
        Task = Task with { Volumes = Task.Volumes.Add(new AppVolume(name, source, destination, readOnly)) };
        return this;
    }

    /// <summary>Adds a template file.</summary>
    public AppBuilder WithTemplate(string destination, string data, bool env = false, string changeMode = Defaults.TemplateChangeMode)
    {
        Task = Task with { Templates = Task.Templates.Add(new TemplateFile(destination, data) { Env = env, ChangeMode = changeMode }) };
        return this;
    }

    /// <summary>
    /// Gives the app a secret by reference: variable <paramref name="name"/> holds it (rendered into the task's env file),
    /// or with <paramref name="file"/> (under <c>secrets/</c>) the secret goes into that file and the variable holds its path.
    /// </summary>
    public AppBuilder WithSecret(string name, SecretSource source, string? file = null)
    {
        Task = Task with { Secrets = Task.Secrets.Add(new TaskSecret(name, source) { File = file }) };
        return this;
    }

    /// <summary>Overrides the command and arguments.</summary>
    public AppBuilder WithCommand(string command, params string[] args)
    {
        Task = Task with { Command = command, Args = [.. args] };
        return this;
    }

    /// <summary>Sets the user to run as.</summary>
    public AppBuilder WithUser(string user)
    {
        Task = Task with { User = user };
        return this;
    }

    /// <summary>Bind-mounts a file or directory of the task (under local/ or secrets/, e.g. a template's destination) at <paramref name="target"/>.</summary>
    public AppBuilder WithBindMount(string source, string target, bool readOnly = true)
    {
        Task = Task with { Container = ContainerEdits.AddMount(Task.Container, new DockerMount(MountType.Bind, target) { Source = source, ReadOnly = readOnly }) };
        return this;
    }

    /// <summary>Mounts a tmpfs at <paramref name="target"/>, limited to <paramref name="size"/> (e.g. 64MB) when given.</summary>
    public AppBuilder WithTmpfs(string target, string? size = null)
    {
        Task = Task with { Container = ContainerEdits.AddMount(Task.Container, new DockerMount(MountType.Tmpfs, target) { TmpfsSize = size }) };
        return this;
    }

    /// <summary>Runs the container privileged: validation warns (NDB037); the node's Docker plugin must set <c>allow_privileged = true</c>.</summary>
    public AppBuilder AsPrivileged()
    {
        Task = Task with { Container = Task.Container with { Privileged = true } };
        return this;
    }

    /// <summary>Sets the container's name servers (IP addresses) and search domains (host networking only).</summary>
    public AppBuilder WithDns(IEnumerable<string> servers, IEnumerable<string>? searches = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Task = Task with { Container = Task.Container with { Dns = new DnsSettings { Servers = [.. servers], Searches = [.. searches ?? []] } } };
        return this;
    }

    /// <summary>Sets the size of /dev/shm, e.g. 256MB.</summary>
    public AppBuilder WithShmSize(string size)
    {
        Task = Task with { Container = Task.Container with { ShmSize = size } };
        return this;
    }
}

/// <summary>Configures an extra task of the group.</summary>
public sealed class TaskBuilder
{
    internal TaskBuilder(ExtraTask task) => Task = task;

    internal ExtraTask Task { get; private set; }

    /// <summary>Adds a plain (non-secret) environment variable.</summary>
    public TaskBuilder WithEnv(string name, string value)
    {
        Task = Task with { Env = Task.Env.Add(new EnvVar(name, value)) };
        return this;
    }

    /// <summary>Sets CPU (MHz) and memory (MB).</summary>
    public TaskBuilder WithResources(int cpu, int memory, int? memoryMax = null)
    {
        Task = Task with { Resources = new Resources(cpu, memory, memoryMax) };
        return this;
    }

    /// <summary>Runs the task at a lifecycle hook; <paramref name="sidecar"/> keeps it running beside the main tasks.</summary>
    public TaskBuilder AsLifecycle(LifecycleHook hook, bool sidecar = false)
    {
        Task = Task with { Lifecycle = new TaskLifecycle(hook, sidecar) };
        return this;
    }

    /// <summary>Registers a task service with a TCP check on a port of the group (one of the app's ports).</summary>
    public TaskBuilder WithTcpService(string name, string port, ServiceProvider provider = ServiceProvider.Nomad)
    {
        Task = Task with { Service = new ServiceRegistration(name, port) { Provider = provider, Check = new HealthCheck(CheckType.Tcp, null) } };
        return this;
    }

    /// <summary>Mounts a host volume (the same name as an app volume shares that group volume).</summary>
    public TaskBuilder WithVolume(string name, string source, string destination, bool readOnly = false)
    {
        Task = Task with { Volumes = Task.Volumes.Add(new AppVolume(name, source, destination, readOnly)) };
        return this;
    }

    /// <summary>Adds a template file.</summary>
    public TaskBuilder WithTemplate(string destination, string data, bool env = false, string changeMode = Defaults.TemplateChangeMode)
    {
        Task = Task with { Templates = Task.Templates.Add(new TemplateFile(destination, data) { Env = env, ChangeMode = changeMode }) };
        return this;
    }

    /// <summary>Overrides the command and arguments.</summary>
    public TaskBuilder WithCommand(string command, params string[] args)
    {
        Task = Task with { Command = command, Args = [.. args] };
        return this;
    }

    /// <summary>Sets the user to run as.</summary>
    public TaskBuilder WithUser(string user)
    {
        Task = Task with { User = user };
        return this;
    }

    /// <summary>Bind-mounts a file or directory of the task (under local/ or secrets/, e.g. a template's destination) at <paramref name="target"/>.</summary>
    public TaskBuilder WithBindMount(string source, string target, bool readOnly = true)
    {
        Task = Task with { Container = ContainerEdits.AddMount(Task.Container, new DockerMount(MountType.Bind, target) { Source = source, ReadOnly = readOnly }) };
        return this;
    }

    /// <summary>Mounts a tmpfs at <paramref name="target"/>, limited to <paramref name="size"/> (e.g. 64MB) when given.</summary>
    public TaskBuilder WithTmpfs(string target, string? size = null)
    {
        Task = Task with { Container = ContainerEdits.AddMount(Task.Container, new DockerMount(MountType.Tmpfs, target) { TmpfsSize = size }) };
        return this;
    }

    /// <summary>Runs the container privileged: validation warns (NDB037); the node's Docker plugin must set <c>allow_privileged = true</c>.</summary>
    public TaskBuilder AsPrivileged()
    {
        Task = Task with { Container = Task.Container with { Privileged = true } };
        return this;
    }

    /// <summary>Sets the container's name servers (IP addresses) and search domains (host networking only).</summary>
    public TaskBuilder WithDns(IEnumerable<string> servers, IEnumerable<string>? searches = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Task = Task with { Container = Task.Container with { Dns = new DnsSettings { Servers = [.. servers], Searches = [.. searches ?? []] } } };
        return this;
    }

    /// <summary>Sets the size of /dev/shm, e.g. 256MB.</summary>
    public TaskBuilder WithShmSize(string size)
    {
        Task = Task with { Container = Task.Container with { ShmSize = size } };
        return this;
    }
}

/// <summary>Edits of <see cref="ContainerOptions"/> both task builders share.</summary>
internal static class ContainerEdits
{
    public static ContainerOptions AddMount(ContainerOptions options, DockerMount mount) => options with { Mounts = options.Mounts.Add(mount) };
}

/// <summary>Configures the PostgreSQL sidecar.</summary>
public sealed class PostgresBuilder
{
    private readonly string _jobName;

    internal PostgresBuilder(string jobName)
    {
        _jobName = jobName;
        Sidecar = new PostgresSidecar(new NomadVariableSecret(Defaults.JobVariablePath(jobName)));
    }

    internal PostgresSidecar Sidecar { get; private set; }

    /// <summary>Sets the major version (image <c>postgres:MAJOR-alpine</c> unless an image is given).</summary>
    public PostgresBuilder WithVersion(int major)
    {
        Sidecar = Sidecar with { Version = major };
        return this;
    }

    /// <summary>
    /// Uses an explicit image built on the official one (a mirror, <c>pgvector/pgvector:pg17</c>, a digest pin); the
    /// major is read from its tag where it shows one, else call <see cref="WithVersion"/> after this.
    /// </summary>
    public PostgresBuilder WithImage(string image)
    {
        Sidecar = Sidecar with { Image = image, Version = Spec.SpecMapper.MajorFromImage(image) ?? Sidecar.Version };
        return this;
    }

    /// <summary>
    /// Pulls the official image through a registry mirror (<c>registry.example</c> or <c>registry.example:5000/library</c>)
    /// instead of Docker Hub; an explicit <see cref="WithImage"/> is used as given.
    /// </summary>
    public PostgresBuilder WithRegistry(string registry)
    {
        Sidecar = Sidecar with { Registry = registry };
        return this;
    }

    /// <summary>Reads the password from Vault KV v2 (e.g. <c>secret/data/postgres/gitea</c>).</summary>
    public PostgresBuilder WithPasswordFromVault(string path, string key = Defaults.VaultSecretKey, string? role = null)
    {
        Sidecar = Sidecar with { Password = new VaultSecret(path, key) { Role = role } };
        return this;
    }

    /// <summary>Reads the password from a Nomad Variable (default path <c>nomad/jobs/&lt;job&gt;</c>).</summary>
    public PostgresBuilder WithPasswordFromNomadVariable(string? path = null, string key = Defaults.NomadVariableSecretKey)
    {
        Sidecar = Sidecar with { Password = new NomadVariableSecret(path ?? Defaults.JobVariablePath(_jobName), key) };
        return this;
    }

    /// <summary>Sets database and user names.</summary>
    public PostgresBuilder WithDatabase(string database, string? user = null)
    {
        Sidecar = Sidecar with { Database = database, User = user ?? Sidecar.User };
        return this;
    }

    /// <summary>Sets the host volume of the data directory.</summary>
    public PostgresBuilder WithVolume(string source)
    {
        Sidecar = Sidecar with { Volume = source };
        return this;
    }

    /// <summary>Sets the port (host networking only).</summary>
    public PostgresBuilder WithPort(int port)
    {
        Sidecar = Sidecar with { Port = port };
        return this;
    }

    /// <summary>Adds a server setting (<c>-c key=value</c>).</summary>
    public PostgresBuilder WithSetting(string key, string value)
    {
        Sidecar = Sidecar with { Settings = Sidecar.Settings.Add(new KeyValuePair<string, string>(key, value)) };
        return this;
    }

    /// <summary>Sets CPU and memory.</summary>
    public PostgresBuilder WithResources(int cpu, int memory, int? memoryMax = null)
    {
        Sidecar = Sidecar with { Resources = new Resources(cpu, memory, memoryMax) };
        return this;
    }

    /// <summary>Sets /dev/shm size, e.g. 256MB.</summary>
    public PostgresBuilder WithShmSize(string size)
    {
        Sidecar = Sidecar with { ShmSize = size };
        return this;
    }

    /// <summary>Creates extensions in the database on every start (<c>CREATE EXTENSION IF NOT EXISTS</c>), e.g. <c>vector</c>.</summary>
    public PostgresBuilder WithExtensions(params string[] extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        Sidecar = Sidecar with { Extensions = Sidecar.Extensions.AddRange(extensions) };
        return this;
    }

    /// <summary>
    /// Registers the database as a service of its own (a periodic backup then connects through it): a tcp check at the
    /// default interval, or <paramref name="scriptCheck"/> (Consul only) <c>pg_isready</c> in the PostgreSQL task.
    /// </summary>
    public PostgresBuilder WithService(string? name = null, ServiceProvider provider = ServiceProvider.Nomad, IEnumerable<string>? tags = null, bool scriptCheck = false)
    {
        Sidecar = Sidecar with
        {
            Service = new DatabaseService(name ?? JobFacts.DefaultDatabaseServiceName(_jobName))
            {
                Provider = provider,
                Tags = [.. tags ?? []],
                Check = new HealthCheck(scriptCheck ? CheckType.Script : CheckType.Tcp, null),
            },
        };
        return this;
    }

    /// <summary>Runs idempotent SQL statements in the database on every start, after the extensions, in one transaction.</summary>
    public PostgresBuilder WithInitSql(params string[] statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        Sidecar = Sidecar with { InitSql = Sidecar.InitSql.AddRange(statements) };
        return this;
    }
}

/// <summary>Configures backups.</summary>
public sealed class BackupBuilder
{
    internal BackupBuilder(BackupPolicy policy) => Policy = policy;

    internal BackupPolicy Policy { get; private set; }

    /// <summary>Runs on a five-field cron expression in <paramref name="timeZone"/>.</summary>
    public BackupBuilder WithSchedule(string cron, string timeZone = Defaults.BackupTimeZone)
    {
        Policy = Policy with { Schedule = new BackupSchedule(cron, null, timeZone) };
        return this;
    }

    /// <summary>Runs every <paramref name="interval"/> (e.g. 6h).</summary>
    public BackupBuilder WithInterval(string interval)
    {
        Policy = Policy with { Schedule = new BackupSchedule(null, interval) };
        return this;
    }

    /// <summary>Keeps the newest <paramref name="keepLast"/> backups and/or none older than <paramref name="maxAge"/>.</summary>
    public BackupBuilder WithRetention(int? keepLast, string? maxAge = null)
    {
        Policy = Policy with { Retention = new BackupRetention(keepLast, maxAge) };
        return this;
    }

    /// <summary>Writes to host volume <paramref name="source"/>.</summary>
    public BackupBuilder WithVolume(string source)
    {
        Policy = Policy with { Volume = source };
        return this;
    }

    /// <summary>Restores every new dump into a scratch database and compares row counts.</summary>
    public BackupBuilder WithRestoreVerification()
    {
        Policy = Policy with { VerifyRestore = true };
        return this;
    }

    /// <summary>Dumps plain SQL, gzip-compressed, instead of pg_dump's custom format.</summary>
    public BackupBuilder AsPlainSqlGzip()
    {
        Policy = Policy with { Format = BackupFormat.PlainGzip };
        return this;
    }

    /// <summary>
    /// Restore drills on a five-field cron expression in <paramref name="timeZone"/> (default: the backup schedule's):
    /// the newest backup restored into a scratch database and compared with its manifest.
    /// </summary>
    public BackupBuilder WithDrill(string cron, string? timeZone = null)
    {
        Policy = Policy with { Drill = new BackupDrill(cron, timeZone) };
        return this;
    }

    /// <summary>Runs as a separate periodic batch job instead of a sidecar.</summary>
    public BackupBuilder AsPeriodicJob()
    {
        Policy = Policy with { Placement = BackupPlacement.Periodic };
        return this;
    }
}

/// <summary>A model built in code did not validate.</summary>
public sealed class JobValidationException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception("The job is invalid:\n" + string.Join('\n', diagnostics.Select(d => $"  {d.Code} {d.Path}: {d.Message}")))
{
    /// <summary>Every problem found.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}

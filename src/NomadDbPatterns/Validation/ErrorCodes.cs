namespace NomadDbPatterns.Validation;

/// <summary>Stable error codes with an explanation of each: <c>nomad-db explain CODE</c> prints them.</summary>
public static class ErrorCodes
{
    /// <summary>The YAML cannot be parsed.</summary>
    public const string YamlSyntax = "NDB001";
    /// <summary>A key appears twice in one mapping.</summary>
    public const string DuplicateKey = "NDB002";
    /// <summary>A key the spec format does not know.</summary>
    public const string UnknownKey = "NDB003";
    /// <summary>A value of the wrong type.</summary>
    public const string WrongType = "NDB004";
    /// <summary>A required value is missing.</summary>
    public const string Required = "NDB005";
    /// <summary>A value outside the allowed set or range.</summary>
    public const string InvalidValue = "NDB006";
    /// <summary>A name that is not a valid Nomad identifier.</summary>
    public const string InvalidName = "NDB010";
    /// <summary>An image without an explicit tag, or a database image tagged latest.</summary>
    public const string ImageTag = "NDB011";
    /// <summary>A literal password in a spec.</summary>
    public const string LiteralPassword = "NDB020";
    /// <summary>A malformed secret reference.</summary>
    public const string SecretReference = "NDB021";
    /// <summary>Memory below a sane minimum.</summary>
    public const string Resources = "NDB030";
    /// <summary>A port problem: duplicate labels, missing static port on host networking, out of range.</summary>
    public const string Port = "NDB031";
    /// <summary>A service or check problem.</summary>
    public const string Service = "NDB032";
    /// <summary>A volume problem within one job.</summary>
    public const string Volume = "NDB033";
    /// <summary>A Docker mount Nomad's driver would refuse: a bind source outside the task's directories, a tmpfs with a source, a target twice.</summary>
    public const string Mount = "NDB036";
    /// <summary>Warning: a task runs as a privileged container (an explicit opt-in).</summary>
    public const string Privileged = "NDB037";
    /// <summary>Update deadlines out of Nomad's order (min_healthy_time &lt; healthy_deadline &lt; progress_deadline).</summary>
    public const string UpdateDeadlines = "NDB034";
    /// <summary>A cron expression or interval that does not parse.</summary>
    public const string Schedule = "NDB040";
    /// <summary>Retention must keep at least one backup.</summary>
    public const string Retention = "NDB041";
    /// <summary>The backup volume is the data volume.</summary>
    public const string BackupVolume = "NDB042";
    /// <summary>A periodic backup needs a registered database service.</summary>
    public const string PeriodicBackup = "NDB043";
    /// <summary>An unknown preset.</summary>
    public const string UnknownPreset = "NDB050";
    /// <summary>A Postgres version or image problem.</summary>
    public const string PostgresVersion = "NDB051";
    /// <summary>Two jobs with the same name in the fleet.</summary>
    public const string DuplicateJob = "NDB060";
    /// <summary>Two jobs using the same host volume.</summary>
    public const string DuplicateVolume = "NDB061";
    /// <summary>Two jobs binding the same static port on host networking.</summary>
    public const string PortCollision = "NDB062";
    /// <summary>Two services with the same name in one namespace.</summary>
    public const string DuplicateService = "NDB063";
    /// <summary>The PostgreSQL major of an existing data volume changed without a declared upgrade.</summary>
    public const string MajorUpgrade = "NDB070";
    /// <summary>The database name or user of an existing data volume changed.</summary>
    public const string DatabaseIdentity = "NDB071";
    /// <summary>A new database on the frozen legacy shared instance.</summary>
    public const string FrozenLegacy = "NDB080";
    /// <summary>Usage error on the command line.</summary>
    public const string Usage = "NDB090";
    /// <summary>A spec input that cannot be read as a spec: not a regular file, too large, a dangling link, a link loop, a directory without specs.</summary>
    public const string SpecFile = "NDB091";
    /// <summary>The volume lock file cannot be read: not JSON, or not the lock's shape (a bad merge), or a directory.</summary>
    public const string LockFile = "NDB092";
    /// <summary>A spec file beyond the input limits (size, nesting depth, number of values) or a number too large.</summary>
    public const string InputLimit = "NDB007";
    /// <summary>A value holding control characters, or a template sequence where it would be evaluated.</summary>
    public const string UnsafeText = "NDB008";

    private const string NodeSeparationHelp = "Only what Nomad's scheduler can never satisfy together keeps two jobs apart: different `region`s, different `nodePool`s (neither `all`; no pool means the namespace's default, which may be either), `datacenters` lists no datacenter can match both of (`*` is a wildcard), or constraints on the same target such as `${node.unique.name}`, `${attr.unique.hostname}`, `${node.unique.id}` or `${meta.x}` with `=`/`==`/`is` and different values (or `=` against `!=` of the same value, `is_set` against `is_not_set`). Regular expressions, version and ordering operators and different targets are assumed to overlap. `nomad-db validate --verbose` says which setting separates two jobs that do not clash.";

    /// <summary>Title and how-to-fix text per code.</summary>
    public static IReadOnlyDictionary<string, (string Title, string Help)> Explanations { get; } = new Dictionary<string, (string, string)>
    {
        [YamlSyntax] = ("YAML syntax error", "The file is not valid YAML. Check indentation (spaces, not tabs) and quoting near the reported position."),
        [DuplicateKey] = ("Duplicate key", "A mapping names the same key twice; YAML parsers disagree on which wins, so the spec refuses both. Remove one."),
        [UnknownKey] = ("Unknown key", "The spec format has no such key at this place. It is usually a typo; the message suggests the nearest known key. `nomad-db schema` prints every key."),
        [WrongType] = ("Wrong value type", "The value has the wrong shape (e.g. a list where a string is expected). Quote strings that look like numbers or booleans."),
        [Required] = ("Missing value", "A required value is missing: add it at the reported path."),
        [InvalidValue] = ("Invalid value", "The value is not one of the allowed values or is out of range; the message lists what is allowed."),
        [InvalidName] = ("Invalid name", "Job, task, volume and port names must be valid Nomad identifiers: lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters."),
        [ImageTag] = ("Image without a pinned tag", "Give every image an explicit tag (repo:tag). Databases must not use `latest`: a silent major upgrade corrupts the data directory's compatibility."),
        [LiteralPassword] = ("Literal password or credential", "Passwords never go into specs or job files. Reference a secret: `password: { nomadVar: nomad/jobs/<job> }` or `password: { vault: secret/data/postgres/<svc> }`. The same holds for anything that looks like a credential: a password-like env name, setting or template key with a literal value, a URL with a password (`postgresql://user:PASS@host`), a known token format, or a random-looking string under a secret-named key. Use the placeholders ({password}, {passwordUrlEncoded}, {passwordFile}) in app.database.env, consul-template lookups (`{{ with nomadVar ... }}`) in app templates, or a `_FILE` path. The value is never echoed."),
        [SecretReference] = ("Malformed secret reference", "Give exactly one of `nomadVar` (a path under nomad/jobs/<job>, readable by the job's workload identity) or `vault` (a KV v2 API path containing /data/), and a key of letters, digits, '_' or '-'."),
        [Resources] = ("Resources too small", "Memory below the minimum (Nomad's 10 MB for PostgreSQL, 32 MB for apps) or memoryMax below memory. A warning below 64 MB for PostgreSQL without its own shared_buffers: the default 128MB cache outgrows the limit and the task is killed."),
        [Port] = ("Port problem", "Port labels must be unique within a job; on host networking every port needs a unique static number; numbers must be 1-65535."),
        [Service] = ("Service problem", "A service must name an existing port; checks with provider nomad may only be http or tcp (script and grpc checks need Consul); http checks need a path starting with '/'. The database service (`postgres.service`) checks tcp (the default) or, with provider consul, script (pg_isready in the PostgreSQL task); its name must differ from the job's other services."),
        [Volume] = ("Volume problem", "Volume names and mount destinations must be unique within a job, destinations absolute, and sources valid host volume names."),
        [Mount] = ("Docker mount problem", "A `mounts:` entry is a Docker `mount` block. `bind` mounts a file or directory of the task itself — a path under local/ or secrets/, usually a template's destination such as local/nginx.conf — at `target`, an absolute path in the container: Nomad's Docker driver refuses any other source unless the node's plugin sets `volumes { enabled = true }`, so host directories are mounted as host volumes (`volumes:`) instead. `tmpfs` takes no source and an optional `tmpfsSize` (e.g. 64MB). Each target appears once per task; Docker refuses a duplicate mount point."),
        [Privileged] = ("Privileged container (warning)", "`privileged: true` runs the container with every capability and the host's devices; it is allowed as an explicit opt-in and reported as a warning every time. Nomad's Docker driver refuses it (\"Docker privileged mode is disabled on this Nomad agent\") unless the node's plugin configuration sets `allow_privileged = true` (plugin \"docker\" { config { allow_privileged = true } }); constrain the job to nodes that do. Prefer narrower settings where the image allows it."),
        [UpdateDeadlines] = ("Update deadlines out of order", "Nomad's server refuses a job unless minHealthyTime < healthyDeadline < progressDeadline (UpdateStrategy.Validate in nomad/structs/structs.go); its parser accepts it, so the mistake would only show at `nomad job run`. The defaults are 30s, 10m and 15m: raise progressDeadline when you raise healthyDeadline."),
        [Schedule] = ("Bad schedule", "Use a five-field cron expression (minute hour day-of-month month day-of-week, with numbers, *, lists, ranges and steps, or @hourly/@daily/@weekly/@monthly) or an interval such as 30m, 6h, 1d; and a valid IANA time zone. The same holds for a restore drill's `backup.drill.schedule` and `timeZone`."),
        [Retention] = ("Bad retention", "keepLast must be at least 1 and maxAge a positive duration such as 7d; at least one of them must be set."),
        [BackupVolume] = ("Backup volume is the data volume", "A backup on the data volume is lost with it. Use a separate host volume (ideally another disk) for backups."),
        [PeriodicBackup] = ("Periodic backup without a database service", "A periodic backup runs as a separate batch job and reaches the database through its registered service; the service job must use bridge or host networking with a registered DB service (`postgres.service` when given, else nomad-db registers <job>-db when placement is periodic) and the backup needs a schedule. A restore drill (`backup.drill`) of a periodic backup is a second cron of the same `periodic` block, which has one time_zone: the drill's timeZone is the backup's."),
        [UnknownPreset] = ("Unknown preset", "No preset has this name; the message lists the known presets."),
        [PostgresVersion] = ("PostgreSQL version problem", "The major must be a supported version (13-18). An explicit `postgres.image` may be any image built on the official one (a registry mirror, pgvector/pgvector:pg17, postgis/postgis:16-3.4, a digest pin): its major is read from the tag (a leading version such as 17, 17.2-bookworm, 16-3.4, or a pgNN part), and `postgres.version` must agree with it. When the tag shows no major (postgres@sha256:…, a tag such as v0.5.1), give `postgres.version`: the data directory's mount path and PGDATA depend on it."),
        [DuplicateJob] = ("Duplicate job name", "Two specs in the fleet define the same job name; Nomad would replace one with the other."),
        [DuplicateVolume] = ("Host volume used twice", "Two jobs that can land on the same node use the same host volume; two PostgreSQL servers on one data directory destroy it. Give each job its own volume, or mark a deliberately shared read-only app volume `shared: true, readOnly: true`. A host volume belongs to a node: jobs that can never share a node may use the same name. " + NodeSeparationHelp),
        [PortCollision] = ("Static port collision", "Two jobs that can land on the same node bind the same static port (every port on host networking, `static:` ports on bridge); Nomad cannot place the second one there. Use another port, or keep the jobs apart. " + NodeSeparationHelp),
        [DuplicateService] = ("Duplicate service name", "Two jobs register the same service name in one namespace; discovery would mix them."),
        [MajorUpgrade] = ("PostgreSQL major changed on an existing volume", "A data directory initialised by one major cannot be opened by another. Keep the old version in the spec and run `nomad-db upgrade SPEC --job NAME --to <new major> -o DIR`: it writes two one-shot jobs (a dump with the new major's pg_dump, a restore into the new major on a new volume checked against the dump's manifest) and a RUNBOOK.md whose last step, `--switch`, points the spec at the new major and volume; the old volume is kept for the way back. After a pg_upgrade of your own instead, declare `postgres.upgradeFrom: <old major>` and render again. nomad-db.lock records the major per volume."),
        [DatabaseIdentity] = ("Database name or user changed on an existing volume", "The image creates the database and user only on an empty data directory; changing them later makes the app lose its data or fail to log in. Keep the recorded names, or use a new volume."),
        [FrozenLegacy] = ("New database on the legacy shared instance", "The shared instance is legacy and frozen: new services get a dedicated database. If you must, set `allowNewDatabases: true` deliberately."),
        [Usage] = ("Command-line usage", "Run the command with --help."),
        [SpecFile] = ("Spec file cannot be read", "SPECS name regular files (*.yaml, *.yml) or directories holding them. FIFOs, devices and sockets are refused (reading them would block or never end), a spec file larger than 1 MiB is refused before it is read (NDB007), a symbolic link must lead to an existing file, and a link leading back to a directory above it is reported once and not followed. A directory without any spec file is an error too: nothing would be rendered, which is almost always a wrong path."),
        [LockFile] = ("Volume lock file cannot be read", "nomad-db.lock (or the file given with --lock) must be the JSON that nomad-db writes: {\"version\": 1, \"volumes\": {\"<volume>\": {\"job\", \"major\", \"database\", \"user\"}}}. A broken lock usually comes from a bad merge or a hand edit: restore it from version control (git checkout -- nomad-db.lock) or resolve the conflict keeping every volume's entry, then render again. Without a readable lock the upgrade guard cannot protect the data volumes, so nothing is rendered. --lock must name a file, not a directory."),
        [InputLimit] = ("Input beyond the limits", "A spec file is at most 1 MiB, nests mappings and lists at most 64 levels deep and holds at most 200,000 values (an alias counts as everything it repeats). Durations must fit Nomad's (at most about 292 years; each field has its own sane range) and sizes at most 1 TiB. Split a large fleet into several files; write durations such as 30d and sizes such as 256MB."),
        [UnsafeText] = ("Unsafe characters in a value", "Spec values may not hold control characters (NUL, escape sequences, carriage returns, invisible direction overrides…); only template data may span lines. Database env values are evaluated by consul-template, so they may not hold `{{` or `}}`: put such text in app.env (not a template) or in an app template. See the README section \"Template sequences in values\"."),
    };
}

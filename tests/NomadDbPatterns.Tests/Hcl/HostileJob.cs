using System.Collections.Immutable;
using System.Text.Json;
using CsCheck;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>
/// One generated job: its shape (which optional parts exist) and a hostile string for every free-text field, keyed by
/// a field path. The job is built straight from the model records, bypassing validation: the escaper must be safe for
/// any string, not only for those the validators let through. <see cref="ReadBack"/> finds each field in what the
/// real HCL parser made of the rendered files.
/// </summary>
internal sealed record HostileJob(JobShape Shape, ImmutableSortedDictionary<string, string> Values)
{
    private static readonly string[] ReservedTasks = ["postgres", "wait-for-postgres", "db-backup"];
    private static readonly string[] ReservedVolumes = [JobFacts.DataVolumeName, JobFacts.BackupVolumeName, "sqlite-data"];

    /// <summary>Draws a job from <paramref name="pcg"/>: a hostile string in every free-text field.</summary>
    public static HostileJob Generate(PCG pcg) => Generate(pcg, twin: false);

    /// <summary>
    /// Draws a valid twin from <paramref name="pcg"/>: the same shapes and fields, a hostile string only where Nomad
    /// v2.0.5 takes any text (<see cref="ValidTwin"/>), a valid value everywhere else.
    /// </summary>
    public static HostileJob GenerateValidTwin(PCG pcg) => Generate(pcg, twin: true);

    private static HostileJob Generate(PCG pcg, bool twin)
    {
        var shape = Draw(JobShape.Gen, pcg);
        var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var hostile = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        void Add(string key, Gen<string> gen)
        {
            values[key] = Draw(gen, pcg);
            hostile.Add(key);
        }

        // A structural field: a valid value in a twin, a hostile one otherwise (the same single draw).
        void Set(string key, Gen<string> valid, Gen<string> any)
        {
            if (twin)
            {
                values[key] = Draw(valid, pcg);
            }
            else
            {
                Add(key, any);
            }
        }

        void AddLabel(string key, IEnumerable<string> taken)
        {
            // Labels must stay distinct, or two blocks would merge in the parser's output.
            var label = Draw(twin ? ValidTwin.Name : HostileStrings.Any, pcg);
            var takenSet = taken.ToHashSet(StringComparer.Ordinal);
            while (takenSet.Contains(label))
            {
                label += twin ? "x" : "_";
            }

            values[key] = label;
            if (!twin)
            {
                hostile.Add(key);
            }
        }

        var any = HostileStrings.Any;
        Add("source", any);
        AddLabel("job.name", []);
        for (var i = 0; i < shape.Datacenters; i++)
        {
            Set($"job.datacenters[{i}]", ValidTwin.Name, any);
        }

        foreach (var optional in new[] { "job.namespace", "job.region", "job.node_pool", "job.preset" })
        {
            if (Draw(Gen.Bool, pcg))
            {
                if (optional == "job.preset")
                {
                    Add(optional, any);
                }
                else
                {
                    Set(optional, ValidTwin.Name, any);
                }
            }
        }

        for (var i = 0; i < shape.Constraints; i++)
        {
            if (twin)
            {
                var operand = Draw(ValidTwin.ConstraintOperator, pcg);
                values[$"job.constraint[{i}].operator"] = operand;
                if (operand != "distinct_hosts")
                {
                    Add($"job.constraint[{i}].attribute", ValidTwin.ConstraintAttribute);
                }

                if (operand is "=" or "!=")
                {
                    Add($"job.constraint[{i}].value", ValidTwin.NonEmpty);
                }

                continue;
            }

            Add($"job.constraint[{i}].operator", any);
            if (Draw(Gen.Bool, pcg))
            {
                Add($"job.constraint[{i}].attribute", any);
            }

            if (Draw(Gen.Bool, pcg))
            {
                Add($"job.constraint[{i}].value", any);
            }
        }

        if (twin)
        {
            var (minHealthy, healthy) = Draw(ValidTwin.UpdateDeadlines, pcg);
            values["update.min_healthy_time"] = minHealthy;
            values["update.healthy_deadline"] = healthy;
            var (interval, delay, mode) = Draw(ValidTwin.Restart, pcg);
            values["restart.interval"] = interval;
            values["restart.delay"] = delay;
            values["restart.mode"] = mode;
        }
        else
        {
            foreach (var field in new[] { "update.min_healthy_time", "update.healthy_deadline", "restart.interval", "restart.delay", "restart.mode" })
            {
                Add(field, any);
            }
        }

        AddLabel("app.name", ReservedTasks);
        Set("app.image", ValidTwin.Image, any);
        if (Draw(Gen.Bool, pcg))
        {
            Add("app.command", any);
        }

        if (Draw(Gen.Bool, pcg))
        {
            Add("app.user", any);
        }

        for (var i = 0; i < shape.Args; i++)
        {
            Add($"app.args[{i}]", any);
        }

        for (var i = 0; i < shape.Env; i++)
        {
            Add($"app.env[{i}]", any);
        }

        for (var i = 0; i < shape.Ports; i++)
        {
            AddLabel($"app.port[{i}]", Enumerable.Range(0, i).Select(j => values[$"app.port[{j}]"]).Append("db"));
        }

        if (shape.Service && shape.Ports > 0)
        {
            Set("app.service.name", ValidTwin.Name, any);
            for (var i = 0; i < shape.Tags; i++)
            {
                Add($"app.service.tags[{i}]", any);
            }

            if (shape.HttpCheck)
            {
                Add("app.service.check.path", twin ? ValidTwin.CheckPath : any);
            }

            Set("app.service.check.interval", ValidTwin.Seconds(1, 120), any);
            Set("app.service.check.timeout", ValidTwin.Seconds(1, 60), any);
        }

        for (var i = 0; i < shape.Volumes; i++)
        {
            AddLabel($"app.volume[{i}].name", Enumerable.Range(0, i).Select(j => values[$"app.volume[{j}].name"]).Concat(ReservedVolumes));
            Set($"app.volume[{i}].source", ValidTwin.Name, any);
            Add($"app.volume[{i}].destination", twin ? ValidTwin.PathUnder($"/mnt/v{i}/") : any);
        }

        for (var i = 0; i < shape.Templates; i++)
        {
            Add($"app.template[{i}].destination", twin ? ValidTwin.PathUnder($"local/t{i}/").Where(d => !d.EndsWith('/')) : any);
            Add($"app.template[{i}].data", twin ? ValidTwin.NonEmpty : any);
            // Build makes the even templates env files, which Nomad does not let use signal.
            Set($"app.template[{i}].change_mode", i % 2 == 0 ? Gen.OneOf("noop", "restart") : Gen.OneOf("noop", "restart", "signal"), any);
            if (Draw(Gen.Bool, pcg))
            {
                Set($"app.template[{i}].perms", ValidTwin.Perms, any);
            }
        }

        if (shape.Postgres)
        {
            Add("pg.secret.path", any);
            // An empty key is refused by validation and makes no lookup at all; any other key must survive.
            Add("pg.secret.key", any.Where(key => key.Length > 0));
            if (shape.Vault && Draw(Gen.Bool, pcg))
            {
                Set("pg.secret.role", ValidTwin.Name, any);
            }

            if (Draw(Gen.Bool, pcg))
            {
                Set("pg.image", ValidTwin.PostgresImage(shape.PostgresVersion), any);
            }
            else
            {
                Set("pg.variant", ValidTwin.PostgresVariant, any);
            }

            // Also written into a task comment, which must not let a line feed end it.
            Add("pg.database", any);
            Set("pg.volume", ValidTwin.Name, any);
            Add("pg.user", any);
            for (var i = 0; i < shape.Settings; i++)
            {
                Add($"pg.settings[{i}].key", any);
                Add($"pg.settings[{i}].value", any);
            }

            for (var i = 0; i < shape.Wiring; i++)
            {
                Add($"app.database.env[{i}].before", HostileStrings.NoBraces);
                if (Draw(Gen.Bool, pcg))
                {
                    Add($"app.database.env[{i}].after", HostileStrings.NoBraces);
                }
            }
        }
        else if (shape.Sqlite)
        {
            Set("sqlite.volume", ValidTwin.Name, any);
            Add("sqlite.destination", twin ? ValidTwin.PathUnder("/srv/sqlite/") : any);
            Add("sqlite.file", any);
        }

        if (shape.HasBackup)
        {
            Set("backup.volume", ValidTwin.Name, any);
            Set("backup.time_zone", ValidTwin.TimeZone, any);
        }

        return new HostileJob(shape, values.ToImmutable()) { Hostile = hostile.ToImmutable() };
    }

    /// <summary>The fields that hold a hostile string (every field of a fully hostile job, the free-text ones of a twin).</summary>
    public ImmutableSortedSet<string> Hostile { get; init; } = ImmutableSortedSet<string>.Empty;

    private static T Draw<T>(Gen<T> gen, PCG pcg) => gen.Generate(pcg, null!, out _);

    /// <summary>This job with a plain, distinct name in every block label.</summary>
    public HostileJob WithPlainLabels() => this with
    {
        Values = Values.ToImmutableSortedDictionary(
            pair => pair.Key,
            pair => pair.Key is "job.name" or "app.name" || pair.Key.StartsWith("app.port[", StringComparison.Ordinal)
                || (pair.Key.StartsWith("app.volume[", StringComparison.Ordinal) && pair.Key.EndsWith(".name", StringComparison.Ordinal))
                ? $"label-{pair.Key.Replace('[', '-').Replace("]", string.Empty, StringComparison.Ordinal).Replace('.', '-')}"
                : pair.Value,
            StringComparer.Ordinal),
    };

    /// <summary>This job with one field's value replaced (for shrinking).</summary>
    public HostileJob With(string field, string value) => this with { Values = Values.SetItem(field, value) };

    private string V(string key) => Values[key];

    private string? Opt(string key) => Values.GetValueOrDefault(key);

    private ImmutableArray<string> List(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => V($"{prefix}[{i}]"))];

    public string Name => V("job.name");

    public string SourceName => V("source");

    private SecretSource Secret => Shape.Vault
        ? new VaultSecret(V("pg.secret.path"), V("pg.secret.key")) { Role = Opt("pg.secret.role") }
        : new NomadVariableSecret(V("pg.secret.path"), V("pg.secret.key"));

    /// <summary>The model, built from the records so that no builder or validator stands in between.</summary>
    public ServiceJob Build()
    {
        var s = Shape;
        var app = new AppTask(V("app.image"))
        {
            Name = V("app.name"),
            Command = Opt("app.command"),
            User = Opt("app.user"),
            Args = List("app.args", s.Args),
            Env = [.. Enumerable.Range(0, s.Env).Select(i => new EnvVar($"E{i}", V($"app.env[{i}]")))],
            Ports = [.. Enumerable.Range(0, s.Ports).Select(i => new PortMapping(V($"app.port[{i}]"), 8000 + i, i == 0 ? null : 9000 + i))],
            Service = s.Service && s.Ports > 0
                ? new ServiceRegistration(V("app.service.name"), V("app.port[0]"))
                {
                    Provider = s.Consul ? ServiceProvider.Consul : ServiceProvider.Nomad,
                    Tags = List("app.service.tags", s.Tags),
                    Check = new HealthCheck(s.HttpCheck ? CheckType.Http : CheckType.Tcp, Opt("app.service.check.path"), V("app.service.check.interval"), V("app.service.check.timeout")),
                }
                : null,
            Volumes = [.. Enumerable.Range(0, s.Volumes).Select(i => new AppVolume(V($"app.volume[{i}].name"), V($"app.volume[{i}].source"), V($"app.volume[{i}].destination"), i % 2 == 1))],
            Templates = [.. Enumerable.Range(0, s.Templates).Select(i => new TemplateFile(V($"app.template[{i}].destination"), V($"app.template[{i}].data"))
            {
                ChangeMode = V($"app.template[{i}].change_mode"),
                Perms = Opt($"app.template[{i}].perms"),
                Env = i % 2 == 0,
            })],
            Database = s.Postgres && (s.Wiring > 0 || s.PasswordFile)
                ? new DatabaseWiring { Env = [.. Enumerable.Range(0, s.Wiring).Select(i => new EnvVar($"W{i}", WiringValue(i)))], PasswordFile = s.PasswordFile }
                : null,
        };
        var job = new ServiceJob(Name, app)
        {
            Datacenters = List("job.datacenters", s.Datacenters),
            Namespace = Opt("job.namespace"),
            Region = Opt("job.region"),
            NodePool = Opt("job.node_pool"),
            Preset = Opt("job.preset"),
            Constraints = [.. Enumerable.Range(0, s.Constraints).Select(i => new Constraint(Opt($"job.constraint[{i}].attribute"), V($"job.constraint[{i}].operator"), Opt($"job.constraint[{i}].value")))],
            Network = s.HostNetwork ? NetworkMode.Host : NetworkMode.Bridge,
            Update = UpdatePolicy.Stateful with { MinHealthyTime = V("update.min_healthy_time"), HealthyDeadline = V("update.healthy_deadline") },
            Restart = new RestartPolicy(2, V("restart.interval"), V("restart.delay"), V("restart.mode")),
        };
        if (s.Postgres)
        {
            job = job with
            {
                Postgres = new PostgresSidecar(Secret)
                {
                    Version = s.PostgresVersion,
                    Image = Opt("pg.image"),
                    Variant = Opt("pg.variant") ?? "alpine",
                    Database = V("pg.database"),
                    User = V("pg.user"),
                    Volume = V("pg.volume"),
                    Port = s.HostNetwork ? 5433 : 5432,
                    Settings = [.. Enumerable.Range(0, s.Settings).Select(i => KeyValuePair.Create(V($"pg.settings[{i}].key"), V($"pg.settings[{i}].value")))],
                },
            };
        }
        else if (s.Sqlite)
        {
            job = job with { Sqlite = new SqliteStorage(V("sqlite.volume"), V("sqlite.destination"), V("sqlite.file")) };
        }

        if (s.HasBackup)
        {
            job = job with
            {
                Backup = new BackupPolicy(V("backup.volume"))
                {
                    Schedule = s.Cron ? new BackupSchedule("30 2 * * *", null, V("backup.time_zone")) : new BackupSchedule(null, "6h", V("backup.time_zone")),
                    Placement = s.Periodic ? BackupPlacement.Periodic : BackupPlacement.Sidecar,
                },
            };
        }

        return job;
    }

    private string WiringValue(int i) =>
        Opt($"app.database.env[{i}].after") is { } after ? $"{V($"app.database.env[{i}].before")}{{password}}{after}" : V($"app.database.env[{i}].before");

    /// <summary>The consul-template env file the renderer builds from the wiring; HCL must hand it back unchanged.</summary>
    private string ExpectedDatabaseEnvFile()
    {
        var lines = Enumerable.Range(0, Shape.Wiring).Select(i =>
        {
            var parts = new List<EnvPart>();
            var before = V($"app.database.env[{i}].before");
            if (Opt($"app.database.env[{i}].after") is { } after)
            {
                if (before.Length > 0)
                {
                    parts.Add(new EnvPart(EnvPartKind.Literal, before));
                }

                parts.Add(new EnvPart(EnvPartKind.Secret, string.Empty));
                if (after.Length > 0)
                {
                    parts.Add(new EnvPart(EnvPartKind.Literal, after));
                }
            }
            else
            {
                parts.Add(new EnvPart(EnvPartKind.Literal, before));
            }

            return ConsulTemplate.EnvLine($"W{i}", parts, Secret);
        });
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>
    /// Every field as the parser read it back: (field, expected, actual). <paramref name="files"/> maps each rendered
    /// file name to its parsed JSON. Labels are found by looking them up, so a label that reads back differently
    /// shows as missing.
    /// </summary>
    public IEnumerable<Observation> ReadBack(IReadOnlyDictionary<string, JsonElement> files)
    {
        var s = Shape;
        var observations = new List<Observation>();
        var json = files[$"{Name}.nomad.hcl"];
        var job = Labelled(json, "job", Name, "job.name");
        if (job is null)
        {
            return observations;
        }

        void Value(string field, JsonElement? body, string attribute, string expected) =>
            observations.Add(new Observation(field, HclRead.ExpectedValue(expected), body is { } b && b.TryGetProperty(attribute, out var v) ? HclRead.Literal(v) : "<missing>"));
        void Field(string field, JsonElement? body, string attribute) => Value(field, body, attribute, V(field));
        void ListField(string prefix, int count, JsonElement? body, string attribute, int skip = 0)
        {
            var items = body is { } b && b.TryGetProperty(attribute, out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(HclRead.Literal).ToList()
                : [];
            for (var i = 0; i < count; i++)
            {
                var at = items.Count - count + i - skip;
                observations.Add(new Observation($"{prefix}[{i}]", HclRead.ExpectedValue(V($"{prefix}[{i}]")), at >= 0 && at < items.Count ? items[at] : "<missing>"));
            }
        }

        ListField("job.datacenters", s.Datacenters, job, "datacenters");
        foreach (var (field, attribute) in new[] { ("job.namespace", "namespace"), ("job.region", "region"), ("job.node_pool", "node_pool") })
        {
            if (Opt(field) is not null)
            {
                Field(field, job, attribute);
            }
        }

        var constraints = Blocks(job, "constraint");
        for (var i = 0; i < s.Constraints; i++)
        {
            var constraint = i < constraints.Count ? constraints[i] : (JsonElement?)null;
            foreach (var part in new[] { "attribute", "operator", "value" })
            {
                if (Opt($"job.constraint[{i}].{part}") is not null)
                {
                    Field($"job.constraint[{i}].{part}", constraint, part);
                }
            }
        }

        var group = Labelled(job.Value, "group", Name, "job.name (group)");
        if (group is null)
        {
            return observations;
        }

        var update = Blocks(group.Value, "update").FirstOrDefault();
        Field("update.min_healthy_time", update, "min_healthy_time");
        Field("update.healthy_deadline", update, "healthy_deadline");
        var restart = Blocks(group.Value, "restart").FirstOrDefault();
        Field("restart.interval", restart, "interval");
        Field("restart.delay", restart, "delay");
        Field("restart.mode", restart, "mode");

        var network = Blocks(group.Value, "network").FirstOrDefault();
        for (var i = 0; i < s.Ports; i++)
        {
            Labelled(network, "port", V($"app.port[{i}]"), $"app.port[{i}]");
        }

        for (var i = 0; i < s.Volumes; i++)
        {
            var volume = Labelled(group.Value, "volume", V($"app.volume[{i}].name"), $"app.volume[{i}].name");
            Field($"app.volume[{i}].source", volume, "source");
        }

        if (s.Service && s.Ports > 0)
        {
            var service = Blocks(group.Value, "service").FirstOrDefault();
            Field("app.service.name", service, "name");
            Value("app.port[0] (service port)", service, "port", V("app.port[0]"));
            ListField("app.service.tags", s.Tags, service, "tags");
            var check = service is { } svc ? Blocks(svc, "check").FirstOrDefault() : default;
            if (s.HttpCheck)
            {
                Field("app.service.check.path", check, "path");
            }

            Field("app.service.check.interval", check, "interval");
            Field("app.service.check.timeout", check, "timeout");
        }

        var app = Labelled(group.Value, "task", V("app.name"), "app.name");
        if (app is { } appTask)
        {
            var config = Blocks(appTask, "config").FirstOrDefault();
            Field("app.image", config, "image");
            if (Opt("app.command") is not null)
            {
                Field("app.command", config, "command");
            }

            ListField("app.args", s.Args, config, "args");
            if (Opt("app.user") is not null)
            {
                Field("app.user", appTask, "user");
            }

            var env = Blocks(appTask, "env").FirstOrDefault();
            for (var i = 0; i < s.Env; i++)
            {
                Value($"app.env[{i}]", env, $"E{i}", V($"app.env[{i}]"));
            }

            var mounts = Blocks(appTask, "volume_mount");
            for (var i = 0; i < s.Volumes; i++)
            {
                var mount = mounts.Count - s.Volumes + i is var at && at >= 0 && at < mounts.Count ? mounts[at] : (JsonElement?)null;
                Value($"app.volume[{i}].name (mount)", mount, "volume", V($"app.volume[{i}].name"));
                Field($"app.volume[{i}].destination", mount, "destination");
            }

            if (s.Sqlite && !s.Postgres)
            {
                Field("sqlite.destination", mounts.FirstOrDefault(), "destination");
            }

            var templates = Blocks(appTask, "template");
            var first = templates.Count - s.Templates;
            for (var i = 0; i < s.Templates; i++)
            {
                var template = first + i >= 0 && first + i < templates.Count ? templates[first + i] : (JsonElement?)null;
                foreach (var part in new[] { "destination", "data", "change_mode", "perms" })
                {
                    if (Opt($"app.template[{i}].{part}") is not null)
                    {
                        Field($"app.template[{i}].{part}", template, part);
                    }
                }
            }

            if (s.Postgres && s.Wiring > 0)
            {
                Value("app.database.env (secrets/db.env data)", templates.FirstOrDefault(), "data", ExpectedDatabaseEnvFile());
            }

            if (s.Postgres && s.PasswordFile)
            {
                Value("pg.secret (app's secrets/db-password data)", templates.Skip(s.Wiring > 0 ? 1 : 0).FirstOrDefault(), "data", ConsulTemplate.SecretFile(Secret));
            }
        }

        if (s.Postgres)
        {
            var postgres = Labelled(group.Value, "task", "postgres", "postgres task");
            var config = postgres is { } p ? Blocks(p, "config").FirstOrDefault() : default;
            Value("pg.image/pg.variant (image)", config, "image", Build().Postgres!.ImageReference);
            var args = config is { } c && c.TryGetProperty("args", out var list) ? list.EnumerateArray().Select(HclRead.Literal).ToList() : [];
            for (var i = 0; i < s.Settings; i++)
            {
                var at = args.Count - 2 * (s.Settings - i) + 1;
                var expected = $"{V($"pg.settings[{i}].key")}={V($"pg.settings[{i}].value")}";
                observations.Add(new Observation($"pg.settings[{i}]", HclRead.ExpectedValue(expected), at >= 0 && at < args.Count ? args[at] : "<missing>"));
            }

            var env = postgres is { } pt ? Blocks(pt, "env").FirstOrDefault() : default;
            Value("pg.database", env, "POSTGRES_DB", V("pg.database"));
            Value("pg.user", env, "POSTGRES_USER", V("pg.user"));
            var volume = Labelled(group.Value, "volume", JobFacts.DataVolumeName, "postgres-data volume");
            Value("pg.volume", volume, "source", V("pg.volume"));
            Value("pg.secret (secrets/db-password data)", postgres is { } pd ? Blocks(pd, "template").FirstOrDefault() : default, "data", ConsulTemplate.SecretFile(Secret));
            if (Opt("pg.secret.role") is not null)
            {
                Field("pg.secret.role", postgres is { } pv ? Blocks(pv, "vault").FirstOrDefault() : default, "role");
            }
        }
        else if (s.Sqlite)
        {
            Field("sqlite.volume", Labelled(group.Value, "volume", "sqlite-data", "sqlite-data volume"), "source");
        }

        if (s.HasBackup && !s.Periodic)
        {
            Value("backup.volume", Labelled(group.Value, "volume", JobFacts.BackupVolumeName, "backups volume"), "source", V("backup.volume"));
            var backup = Labelled(group.Value, "task", "db-backup", "db-backup task");
            Value("backup.time_zone", backup is { } b ? Blocks(b, "env").FirstOrDefault() : default, "TZ", V("backup.time_zone"));
        }

        if (s.Periodic)
        {
            var periodicJob = Labelled(files[$"{Name}-backup.nomad.hcl"], "job", $"{Name}-backup", "job.name (periodic)");
            var periodic = periodicJob is { } pj ? Blocks(pj, "periodic").FirstOrDefault() : default;
            Value("backup.time_zone (periodic)", periodic, "time_zone", V("backup.time_zone"));
            var backupGroup = periodicJob is { } pg ? Labelled(pg, "group", "backup", "periodic group") : null;
            var volume = backupGroup is { } bg ? Labelled(bg, "volume", JobFacts.BackupVolumeName, "periodic backups volume") : null;
            Value("backup.volume (periodic)", volume, "source", V("backup.volume"));
        }

        return observations;

        JsonElement? Labelled(JsonElement? body, string type, string label, string field)
        {
            if (body is { } b && b.TryGetProperty(type, out var byLabel) && byLabel.ValueKind == JsonValueKind.Object
                && byLabel.TryGetProperty(label, out var bodies) && bodies.GetArrayLength() == 1)
            {
                return bodies[0];
            }

            var present = body is { } bb && bb.TryGetProperty(type, out var all) && all.ValueKind == JsonValueKind.Object
                ? string.Join(", ", all.EnumerateObject().Select(p => HclRead.Show(p.Name)))
                : "none";
            observations.Add(new Observation($"{field} (label)", HclRead.ExpectedLabel(label), $"<no single {type} block with that label; labels: {present}>"));
            return null;
        }
    }

    private static List<JsonElement> Blocks(JsonElement body, string type) =>
        body.TryGetProperty(type, out var blocks) && blocks.ValueKind == JsonValueKind.Array ? [.. blocks.EnumerateArray()] : [];

    private static List<JsonElement> Blocks(JsonElement? body, string type) => body is { } b ? Blocks(b, type) : [];
}

/// <summary>A field as read back: it passes when <paramref name="Actual"/> equals <paramref name="Expected"/>.</summary>
internal sealed record Observation(string Field, string Expected, string? Actual)
{
    public bool Passed => Expected == Actual;
}

/// <summary>Which optional parts a generated job has.</summary>
internal sealed record JobShape(
    int Datacenters, int Constraints, bool HostNetwork, int Args, int Env, int Ports, bool Service, bool Consul, bool HttpCheck, int Tags,
    int Volumes, int Templates, bool Postgres, bool Vault, int PostgresVersion, int Settings, int Wiring, bool PasswordFile, bool Sqlite,
    bool Backup, bool Cron, bool PeriodicWanted)
{
    public bool HasBackup => Backup && (Postgres || Sqlite);

    /// <summary>Nomad runs periodic jobs on cron, and only PostgreSQL backups can run from another job.</summary>
    public bool Periodic => HasBackup && PeriodicWanted && Postgres && Cron;

    /// <summary>Backups embed the backup scripts, fixed text that is large next to the hostile values: keep them few.</summary>
    private static readonly Gen<bool> Rarely = CsCheck.Gen.Frequency((1, CsCheck.Gen.Const(true)), (30, CsCheck.Gen.Const(false)));

    public static readonly Gen<JobShape> Gen =
        CsCheck.Gen.Select(
            CsCheck.Gen.Select(CsCheck.Gen.Int[1, 3], CsCheck.Gen.Int[0, 2], CsCheck.Gen.Bool, CsCheck.Gen.Int[0, 3], CsCheck.Gen.Int[0, 3], CsCheck.Gen.Int[0, 2], CsCheck.Gen.Bool, CsCheck.Gen.Bool),
            CsCheck.Gen.Select(CsCheck.Gen.Bool, CsCheck.Gen.Int[0, 3], CsCheck.Gen.Int[0, 2], CsCheck.Gen.Int[0, 3], CsCheck.Gen.Frequency((3, CsCheck.Gen.Const(true)), (1, CsCheck.Gen.Const(false))), CsCheck.Gen.Bool, CsCheck.Gen.Int[13, 18], CsCheck.Gen.Int[0, 2]),
            CsCheck.Gen.Select(CsCheck.Gen.Int[0, 3], CsCheck.Gen.Bool, CsCheck.Gen.Bool, Rarely, CsCheck.Gen.Bool, CsCheck.Gen.Bool),
            (a, b, c) => new JobShape(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7, a.Item8, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, b.Item6, b.Item7, b.Item8, c.Item1, c.Item2, c.Item3, c.Item4, c.Item5, c.Item6));
}

using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

/// <summary>The shared instance's half of the mapper (<c>kind: shared-postgres</c>).</summary>
internal sealed partial class SpecMapper
{
    /// <summary>The value of <c>kind:</c> that selects the legacy shared instance.</summary>
    public const string SharedPostgresKind = "shared-postgres";

    /// <summary>The value of <c>kind:</c> of a service job, the default.</summary>
    public const string ServiceKind = "service";

    public SharedPostgresJob MapShared(SharedPostgresSpec spec)
    {
        var name = spec.Name ?? string.Empty;
        var pg = spec.Postgres ?? new PostgresSpec();
        foreach (var (key, value, why) in NotForSharedInstance)
        {
            if (value(pg) is not null)
            {
                Report(ErrorCodes.UnknownKey, $"`postgres.{key}` does not apply to kind {SharedPostgresKind}: {why}", $"postgres.{key}");
            }
        }

        var server = new SharedPostgresServer
        {
            Version = MapVersion(pg.Version, pg.Image),
            Variant = pg.Variant ?? Defaults.PostgresVariant,
            Image = pg.Image,
            Registry = pg.Registry,
            AdminUser = pg.User ?? Defaults.SharedAdminUser,
            Port = pg.Port ?? Defaults.PostgresPort,
            Resources = MapResources(pg.Resources, Defaults.SharedPostgresResources),
            ShmSize = pg.ShmSize,
            Settings = [.. (pg.Settings ?? []).Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value))],
            Volume = pg.Volume,
        };

        var databases = new List<SharedDatabase>();
        var specs = spec.Databases ?? [];
        for (var i = 0; i < specs.Count; i++)
        {
            var db = specs[i];
            var dbName = db.Name ?? string.Empty;
            databases.Add(new SharedDatabase(dbName, db.Owner ?? dbName, MapSecret(db.Password, $"databases[{i}].password", name)) { Service = db.Service, Preset = db.Preset, Job = db.Job });
        }

        var backup = spec.Backup is { } b ? MapBackup(b, name) : null;
        if (backup is not null && spec.Backup!.Format is null)
        {
            // pg_dumpall writes plain SQL only; the cluster backup is therefore plain SQL, gzip-compressed.
            backup = backup with { Format = BackupFormat.PlainGzip };
        }

        return MapPlacement(spec, new SharedPostgresJob(name, MapSecret(spec.AdminPassword, "adminPassword", name))) with
        {
            Postgres = server,
            Databases = [.. databases],
            Service = new DiscoveryService(
                spec.Service?.Name ?? DiscoveryService.Default.Name,
                Word(spec.Service?.Provider, "service.provider", DiscoveryService.Default.Provider, SpecWords.SharedProvider)),
            Backup = backup,
            Baseline = [.. spec.Baseline ?? []],
            AllowNewDatabases = spec.AllowNewDatabases ?? false,
        };
    }

    /// <summary>A service spec may say <c>kind: service</c>; any other kind is a mistake (shared-postgres never gets here).</summary>
    private void CheckServiceKind(JobSpec spec)
    {
        if (spec.Kind is not null && spec.Kind != ServiceKind)
        {
            Report(ErrorCodes.InvalidValue, $"'{Echo.Value(spec.Kind)}' is not a job kind; use {ServiceKind} (the default) or {SharedPostgresKind}", "kind");
        }
    }

    private const string Frozen = "the shared instance is frozen: its init task keeps the listed databases and roles, nothing else";

    /// <summary>
    /// The keys of a dedicated sidecar's <c>postgres:</c> that the shared instance's server does not take, each with why
    /// (the JSON Schema leaves them out of the shared instance's <c>postgres</c>).
    /// </summary>
    internal static readonly IReadOnlyList<(string Key, Func<PostgresSpec, object?> Value, string Why)> NotForSharedInstance =
    [
        ("password", p => p.Password, "the shared instance's superuser password is `adminPassword:`"),
        ("database", p => p.Database, "the shared instance's databases are listed under `databases:`"),
        ("service", p => p.Service, "the shared instance's service registration is `service:`"),
        ("upgradeFrom", p => p.UpgradeFrom, "the shared instance's major does not change: migrate its services to dedicated databases instead"),
        ("extensions", p => p.Extensions, Frozen),
        ("initSql", p => p.InitSql, Frozen),
        ("initSqlFile", p => p.InitSqlFile, Frozen),
    ];
}

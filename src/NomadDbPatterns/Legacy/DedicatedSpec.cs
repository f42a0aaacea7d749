using System.Text;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Legacy;

/// <summary>The spec of a service's dedicated job, written from its database on the shared instance.</summary>
internal static class DedicatedSpec
{
    /// <summary>
    /// The major of the dedicated PostgreSQL: the default, or the shared instance's when that is newer. The migration
    /// dumps with the dedicated image's pg_dump, which must not be older than the shared server.
    /// </summary>
    public static int Version(SharedPostgresJob shared) => Math.Max(shared.Postgres.Version, Defaults.PostgresVersion);

    /// <summary>
    /// The password of the dedicated database: the very secret the shared instance used, so the app keeps its
    /// credentials. A Nomad Variable of the shared job cannot be read by another job, so that one moves to
    /// <c>nomad/jobs/&lt;service&gt;</c> (the runbook copies it).
    /// </summary>
    public static SecretSource Password(SharedDatabase database, string service) =>
        database.Password is NomadVariableSecret variable && !IsReadableBy(variable.Path, service)
            ? new NomadVariableSecret(Defaults.JobVariablePath(service))
            : database.Password;

    private static bool IsReadableBy(string path, string job) => path == $"nomad/jobs/{job}" || path == $"nomad/jobs/{job}/{job}";

    public static string Yaml(SharedPostgresJob shared, SharedDatabase database, string service, string preset, string sharedSpecName)
    {
        var password = Password(database, service);
        var yaml = new StringBuilder();
        yaml.Append($"# The dedicated job of {service}: its own PostgreSQL instead of database \"{database.Name}\" on the shared job \"{shared.Name}\".\n");
        yaml.Append($"# Written by nomad-db migrate from {sharedSpecName}; keep it with your specs. Database, role and password stay\n");
        yaml.Append("# as they were on the shared instance, so the app keeps its credentials.\n");
        if (!ReferenceEquals(password, database.Password))
        {
            yaml.Append($"# The password moves from {Migration.SecretText(database.Password)} (key {database.Password.Key}) to {Migration.SecretText(password)}, which this job can read (RUNBOOK.md copies it).\n");
        }

        yaml.Append("name: ").Append(SpecYaml.Str(service)).Append('\n');
        yaml.Append("preset: ").Append(SpecYaml.Str(preset)).Append('\n');
        SpecYaml.AppendPlacement(yaml, shared, withPriorityAndConstraints: false);
        yaml.Append("postgres:\n");
        yaml.Append("  version: ").Append(SpecYaml.Num(Version(shared))).Append('\n');
        yaml.Append("  variant: ").Append(SpecYaml.Str(shared.Postgres.Variant)).Append('\n');
        yaml.Append("  database: ").Append(SpecYaml.Str(database.Name)).Append('\n');
        yaml.Append("  user: ").Append(SpecYaml.Str(database.Owner)).Append('\n');
        yaml.Append("  password: ").Append(SpecYaml.Secret(password)).Append('\n');
        SpecYaml.AppendBackup(yaml, shared.Backup is { } backup
            ? new BackupPolicy(string.Empty) { Schedule = backup.Schedule, Retention = backup.Retention }
            : new BackupPolicy(string.Empty), withFormatAndVolume: false);
        return yaml.ToString();
    }
}

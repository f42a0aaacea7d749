using System.Text.RegularExpressions;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Secrets;

/// <summary>Where a secret is stored.</summary>
internal enum SecretStore
{
    /// <summary>A Nomad Variable item (read by templates with <c>nomadVar</c>).</summary>
    NomadVariable,
    /// <summary>A field of a Vault KV v2 secret (read by templates with <c>secret</c>).</summary>
    Vault,
}

/// <summary>
/// One secret a rendered job reads: where it is stored, what it is for, and how to make a good value when nomad-db
/// may make one up (<see cref="Recipe"/>, see <see cref="SecretRecipe"/>). Never a value.
/// </summary>
/// <param name="Job">The spec's job (its periodic backup job reads the same database password).</param>
/// <param name="Store">Nomad Variables or Vault.</param>
/// <param name="Path">The variable path (<c>nomad/jobs/gitea</c>) or the Vault API path (<c>secret/data/postgres/gitea</c>).</param>
/// <param name="Key">The item or field; null when a template reads the path in a way whose keys cannot be told.</param>
/// <param name="Namespace">The Nomad namespace of a variable (null: the default namespace); null for Vault.</param>
/// <param name="Purpose">What reads it, for the report.</param>
/// <param name="Recipe">How to generate a value (a preset's <c>generate</c> text), or null: only a person can supply it.</param>
internal sealed record RequiredSecret(string Job, SecretStore Store, string Path, string? Key, string? Namespace, string Purpose, string? Recipe);

/// <summary>
/// Every secret a job reads, known to the generator: the database password(s) of the model, the app's secrets
/// (app.secrets), the lookups in the app's own template files, and the recipes of the secrets a preset declares. <c>nomad-db secrets check|generate</c> read
/// this list; nothing here touches a value.
/// </summary>
internal static partial class JobSecrets
{
    /// <summary>A <c>with nomadVar "PATH"</c> / <c>with secret "PATH"</c> block up to its <c>end</c> (consul-template's syntax).</summary>
    [GeneratedRegex("""\{\{-?\s*with\s+(?<kind>secret|nomadVar)\s+"(?<path>[^"@{}]+)"\s*-?\}\}(?<body>.*?)\{\{-?\s*end\s*-?\}\}""", RegexOptions.Singleline)]
    private static partial Regex WithBlocks();

    /// <summary>Any lookup of a path in this namespace, including those outside a recognised <c>with</c> block.</summary>
    [GeneratedRegex("""\b(?<kind>secret|nomadVar)\s+"(?<path>[^"@{}]+)"(?<rest>\)\.(?<field>[A-Za-z_][A-Za-z0-9_]*)(\.(?<sub>[A-Za-z_][A-Za-z0-9_]*))*)?""")]
    private static partial Regex AnyLookup();

    /// <summary>A field read on the block's dot: <c>.key</c>, or Vault KV v2's <c>.Data.data.key</c>.</summary>
    [GeneratedRegex("""(?<![\w)\]])\.(?<path>[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)""")]
    private static partial Regex Fields();

    /// <summary>The secrets of a service job, in a stable order (the database password first).</summary>
    public static IReadOnlyList<RequiredSecret> Of(ServiceJob job)
    {
        var preset = job.Preset is { } name ? PresetCatalog.Describe(name) : null;
        var ownVariable = $"nomad/jobs/{job.Name}";
        string? RecipeOf(SecretStore store, string path, string? key) =>
            store == SecretStore.NomadVariable && path == ownVariable && key is not null
                ? preset?.Secrets.FirstOrDefault(s => s.Key == key)?.Generate
                : null;

        var secrets = new List<RequiredSecret>();
        if (job.Postgres?.Password is { } password)
        {
            var readers = job.HasPeriodicBackup() ? $"the PostgreSQL password (postgres.password), read by the app, the database and {JobFacts.BackupJobName(job.Name)}" : "the PostgreSQL password (postgres.password), read by the app and the database";
            secrets.Add(From(job.Name, password, job.Namespace, readers, PresetInfo.PasswordGenerate));
        }

        if (job.Backup?.Heartbeat is { } heartbeat)
        {
            var readers = job.HasPeriodicBackup() ? $"the heartbeat task of {JobFacts.BackupJobName(job.Name)}" : "the heartbeat task";
            secrets.Add(From(job.Name, heartbeat, job.Namespace, $"the dead-man's switch ping URL (backup.heartbeat), read by {readers}", null));
        }

        if (job.Backup?.Offsite is { } offsite)
        {
            var readers = job.HasPeriodicBackup() ? $"the offsite task of {JobFacts.BackupJobName(job.Name)}" : "the offsite task";
            secrets.Add(From(job.Name, offsite.Password, job.Namespace, $"the restic repository password (backup.offsite.passwordSecret), read by {readers}: keep a copy off the cluster, without it the copies cannot be read", null));
            foreach (var credential in offsite.Credentials)
            {
                secrets.Add(From(job.Name, credential.Source, job.Namespace, $"{credential.Name} of the offsite storage (backup.offsite.credentials), read by {readers}", null));
            }
        }

        var taskSecrets = job.App.Secrets.Select(s => (Owner: "the app's", Key: "app.secrets", Secret: s))
            .Concat(job.Tasks.SelectMany(t => t.Secrets.Select(s => (Owner: $"the {t.Name} task's", Key: $"tasks[{t.Name}].secrets", Secret: s))));
        foreach (var (owner, secretsKey, secret) in taskSecrets)
        {
            var (store, path) = secret.Source switch
            {
                VaultSecret vault => (SecretStore.Vault, vault.Path),
                NomadVariableSecret variable => (SecretStore.NomadVariable, variable.Path),
                _ => throw new ArgumentOutOfRangeException(nameof(job), secret.Source.GetType().Name, "unknown secret source"),
            };
            var description = preset?.Secrets.FirstOrDefault(s => s.Key == secret.Source.Key && path == ownVariable) is { } declared
                ? declared.Description
                : $"{owner} {secret.Name} ({secretsKey}{(secret.File is { } file ? $", in {file}" : string.Empty)})";
            secrets.Add(From(job.Name, secret.Source, job.Namespace, description, RecipeOf(store, path, secret.Source.Key)));
        }

        var templates = job.App.Templates.Select(t => ("the app's", t)).Concat(job.Tasks.SelectMany(task => task.Templates.Select(t => ($"the {task.Name} task's", t))));
        foreach (var (owner, template) in templates)
        {
            foreach (var (store, path, key) in Lookups(template.Data))
            {
                var description = key is not null && preset?.Secrets.FirstOrDefault(s => s.Key == key && path == ownVariable) is { } declared
                    ? declared.Description
                    : $"read by {owner} template {template.Destination}";
                secrets.Add(new RequiredSecret(job.Name, store, path, key, store == SecretStore.NomadVariable ? job.Namespace : null, description, RecipeOf(store, path, key)));
            }
        }

        return Distinct(secrets);
    }

    /// <summary>The secrets of the legacy shared instance: the superuser's password and each database role's.</summary>
    public static IReadOnlyList<RequiredSecret> Of(SharedPostgresJob job)
    {
        var secrets = new List<RequiredSecret> { From(job.Name, job.AdminPassword, job.Namespace, $"the superuser's password ({job.Postgres.AdminUser})", null) };
        // The shared instance holds data already: its passwords are the roles' current ones, never made up.
        secrets.AddRange(job.Databases.Select(d => From(job.Name, d.Password, job.Namespace, $"the password of role {d.Owner} (database {d.Name})", null)));
        return Distinct(secrets);
    }

    /// <summary>
    /// The secrets <paramref name="template"/> reads: <c>with nomadVar|secret "PATH"</c> blocks and their fields, and
    /// <c>(nomadVar "PATH").key</c>. A path read in any other way is listed with a null key (its keys cannot be told).
    /// </summary>
    internal static IEnumerable<(SecretStore Store, string Path, string? Key)> Lookups(string template)
    {
        var found = new List<(SecretStore, string, string?)>();
        var covered = new List<(int Start, int End)>();
        foreach (Match block in WithBlocks().Matches(template))
        {
            var store = StoreOf(block.Groups["kind"].Value);
            var path = block.Groups["path"].Value;
            var keys = Fields().Matches(block.Groups["body"].Value).Select(f => KeyOf(store, f.Groups["path"].Value)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            found.AddRange(keys.Count == 0 ? [(store, path, null)] : keys.Select(k => (store, path, (string?)k)));
            covered.Add((block.Index, block.Index + block.Length));
        }

        foreach (Match lookup in AnyLookup().Matches(template))
        {
            if (covered.Any(c => lookup.Index >= c.Start && lookup.Index < c.End))
            {
                continue;
            }

            var store = StoreOf(lookup.Groups["kind"].Value);
            var field = lookup.Groups["field"].Success
                ? KeyOf(store, string.Join('.', new[] { lookup.Groups["field"].Value }.Concat(lookup.Groups["sub"].Captures.Select(c => c.Value))))
                : null;
            found.Add((store, lookup.Groups["path"].Value, field));
        }

        return found;
    }

    /// <summary>The item a field path names: <c>key</c> of a variable; <c>Data.data.key</c> of a KV v2 secret.</summary>
    private static string? KeyOf(SecretStore store, string fieldPath) => store switch
    {
        SecretStore.Vault when fieldPath.StartsWith("Data.data.", StringComparison.Ordinal) && fieldPath.Split('.').Length == 3 => fieldPath["Data.data.".Length..],
        SecretStore.Vault => null,
        _ when !fieldPath.Contains('.', StringComparison.Ordinal) => fieldPath,
        _ => null,
    };

    private static SecretStore StoreOf(string kind) => kind == "secret" ? SecretStore.Vault : SecretStore.NomadVariable;

    private static RequiredSecret From(string job, SecretSource source, string? @namespace, string purpose, string? recipe) => source switch
    {
        VaultSecret vault => new RequiredSecret(job, SecretStore.Vault, vault.Path, vault.Key, null, purpose, recipe),
        NomadVariableSecret variable => new RequiredSecret(job, SecretStore.NomadVariable, variable.Path, variable.Key, @namespace, purpose, recipe),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source.GetType().Name, "unknown secret source"),
    };

    /// <summary>One entry per (store, namespace, path, key), the first (most specific) description kept; a known key drops the same path's unknown-key entry.</summary>
    private static IReadOnlyList<RequiredSecret> Distinct(List<RequiredSecret> secrets)
    {
        var distinct = secrets.DistinctBy(s => (s.Store, s.Namespace, s.Path, s.Key)).ToList();
        return [.. distinct.Where(s => s.Key is not null || !distinct.Any(o => o.Key is not null && o.Store == s.Store && o.Path == s.Path && o.Namespace == s.Namespace))];
    }

    /// <summary>
    /// The command that adds Vault KV v2 fields at API path <paramref name="path"/> (<c>secret/data/postgres/gitea</c>
    /// is mount <c>secret</c>, secret <c>postgres/gitea</c>) with a placeholder for each value: <c>vault kv patch</c>
    /// keeps the secret's other fields (a secret that does not exist yet takes <c>vault kv put</c>).
    /// </summary>
    public static string VaultCommand(string path, IEnumerable<string> keys)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var (mount, rest) = slash < 0 ? (path, string.Empty) : (path[..slash], path[(slash + 1)..]);
        rest = rest.StartsWith("data/", StringComparison.Ordinal) ? rest["data/".Length..] : rest;
        return $"vault kv patch -mount={mount} {rest} " + string.Join(' ', keys.Select(k => $"{k}=<value>"));
    }
}

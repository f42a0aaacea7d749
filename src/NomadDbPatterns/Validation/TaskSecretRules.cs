using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>
/// Rules of a task's <c>secrets:</c> (<see cref="TaskSecret"/>), written for any task: the app's now (at
/// <c>app.secrets.NAME</c>). Each reference must be one the job's workload identity can read (the database
/// password's rules, <see cref="SecretSourceValidator"/>); files stay in the task's private <c>secrets/</c> directory and
/// never overwrite another template; the Vault secrets of one task share its one <c>vault</c> block.
/// </summary>
internal static class TaskSecretRules
{
    private static readonly SecretSourceValidator SourceRules = new();

    /// <summary>Checks the app's secrets of <paramref name="job"/>.</summary>
    public static void CheckApp(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        var app = job.App;
        if (app.Secrets.IsEmpty)
        {
            return;
        }

        // What else the app task renders or sets: a secret must not take a name or a destination already used.
        var taken = app.Templates.Select(t => t.Destination).ToList();
        if (job.Postgres is not null && app.Database is { } wiring)
        {
            if (wiring.Env.Length > 0)
            {
                taken.Add("secrets/db.env");
            }

            if (wiring.PasswordFile)
            {
                taken.Add("secrets/db-password");
            }
        }

        var otherVariables = app.Env.Select(e => e.Name).Concat(app.Database?.Env.Select(e => e.Name) ?? []).ToHashSet(StringComparer.Ordinal);
        var vault = job.Postgres is { Password: VaultSecret password } && app.Database is not null ? password : null;
        Check(job, app.Secrets, "App.Secrets", taken, otherVariables, vault, context);
    }

    /// <summary>The variables the offsite task sets itself: a credential must not take one of them.</summary>
    public static readonly IReadOnlySet<string> OffsiteVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "RESTIC_PASSWORD", "RESTIC_REPOSITORY", "BACKUP_DIR", "BACKUP_LIB", "OFFSITE_MODE", "OFFSITE_CRON", "OFFSITE_HOST",
        "OFFSITE_KEEP_DAILY", "OFFSITE_KEEP_WEEKLY", "OFFSITE_KEEP_MONTHLY", "TZ",
    };

    /// <summary>Checks the offsite task's credentials (it reads the repository password beside them).</summary>
    public static void CheckOffsite(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        if (job.Backup?.Offsite is { } offsite && !offsite.Credentials.IsEmpty)
        {
            Check(job, offsite.Credentials, "Backup.Offsite.Credentials", [], OffsiteVariables, offsite.Password as VaultSecret, context);
        }
    }

    /// <summary>Checks the secrets of every extra task of <paramref name="job"/>.</summary>
    public static void CheckTasks(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        for (var i = 0; i < job.Tasks.Length; i++)
        {
            var task = job.Tasks[i];
            if (!task.Secrets.IsEmpty)
            {
                Check(job, task.Secrets, $"Tasks[{i}].Secrets", [.. task.Templates.Select(t => t.Destination)], task.Env.Select(e => e.Name).ToHashSet(StringComparer.Ordinal), null, context);
            }
        }
    }

    /// <summary>
    /// Checks <paramref name="secrets"/> of one task at <paramref name="path"/>: <paramref name="taken"/> are the task's
    /// other template destinations, <paramref name="otherVariables"/> its other variables, <paramref name="vault"/> a
    /// Vault secret the task reads already (its vault block).
    /// </summary>
    public static void Check(ServiceJob job, IReadOnlyList<TaskSecret> secrets, string path, IReadOnlyList<string> taken, IReadOnlySet<string> otherVariables, VaultSecret? vault, ValidationContext<ServiceJob> context)
    {
        var destinations = new HashSet<string>(taken, StringComparer.Ordinal);
        if (secrets.Any(s => s.File is null))
        {
            if (!destinations.Add(JobFacts.SecretsEnvFile))
            {
                context.Fail(path, ErrorCodes.InvalidValue, $"{JobFacts.SecretsEnvFile} holds the task's env secrets: a template of the task may not use that destination");
            }
        }

        foreach (var secret in secrets)
        {
            var at = $"{path}.{secret.Name}";
            if (!Rules.IsEnvName(secret.Name))
            {
                context.Fail(at, ErrorCodes.InvalidName, $"'{Echo.Value(secret.Name)}' is not an environment variable name");
            }
            else if (otherVariables.Contains(secret.Name))
            {
                context.Fail(at, ErrorCodes.InvalidValue, $"'{secret.Name}' is set both as a secret and as a plain or database variable");
            }

            var scope = new ValidationContext<SecretSource>(secret.Source);
            JobScope.Enter(scope, job);
            foreach (var failure in SourceRules.Validate(scope).Errors)
            {
                context.Fail($"{at}.{failure.PropertyName}", failure.ErrorCode, failure.ErrorMessage);
            }

            if (secret.File is { } file)
            {
                if (!IsSecretFile(file))
                {
                    context.Fail($"{at}.File", ErrorCodes.InvalidValue, "a secret file is a file under secrets/ (the task's private directory): letters, digits, '.', '_', '-' and '/', e.g. secrets/smtp-password");
                }
                else if (!destinations.Add(file))
                {
                    context.Fail($"{at}.File", ErrorCodes.InvalidValue, $"another template of the task already renders {file}");
                }
            }

            // One vault block per task (nomad/structs/structs.go, Task.Vault): one role, one change mode.
            if (secret.Source is VaultSecret v)
            {
                vault ??= v;
                if (v.Role != vault.Role)
                {
                    context.Fail($"{at}.Role", ErrorCodes.SecretReference, "every Vault secret a task reads is read with one Vault role (the task's vault block): give them all the same role");
                }
                else if (v.ChangeMode != vault.ChangeMode || v.ChangeSignal != vault.ChangeSignal)
                {
                    context.Fail($"{at}.ChangeMode", ErrorCodes.SecretReference, "every Vault secret a task reads shares one change mode (the task's vault block): give them all the same changeMode and changeSignal");
                }
            }
        }
    }

    /// <summary>A relative file under <c>secrets/</c>: plain path characters, no '..', not a directory.</summary>
    private static bool IsSecretFile(string file) =>
        file.StartsWith("secrets/", StringComparison.Ordinal) && file.Length > "secrets/".Length && !file.EndsWith('/')
        && !file.Contains("..", StringComparison.Ordinal) && !file.Contains("//", StringComparison.Ordinal)
        && file.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/');
}

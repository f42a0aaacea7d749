namespace NomadDbPatterns.Model;

/// <summary>
/// A secret a task reads, by reference (never a value): rendered into the task's env file <c>secrets/secrets.env</c>
/// (a template with <c>env = true</c>), or into a file of its own under <c>secrets/</c> whose path the variable then
/// holds (for the <c>_FILE</c> conventions). The same record serves any task.
/// </summary>
/// <param name="Name">The environment variable: it holds the secret, or with <see cref="File"/> the file's path.</param>
/// <param name="Source">Where the secret is: a Nomad Variable item or a Vault KV v2 field.</param>
public sealed record TaskSecret(string Name, SecretSource Source)
{
    /// <summary>
    /// A file under <c>secrets/</c> (the task's private directory, e.g. <c>secrets/smtp-password</c>) holding the secret;
    /// the variable is then set to its path in the container (<c>/secrets/smtp-password</c>). Null: the variable holds
    /// the secret itself.
    /// </summary>
    public string? File { get; init; }
}

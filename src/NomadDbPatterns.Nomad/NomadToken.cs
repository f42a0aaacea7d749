namespace NomadDbPatterns.Nomad;

/// <summary>
/// A Nomad ACL token (the <c>NOMAD_TOKEN</c> secret ID). It keeps the secret out of every string form, so a token
/// inside options, records or exceptions can never end up in output or logs by accident.
/// </summary>
public sealed class NomadToken : IEquatable<NomadToken>
{
    private readonly string secretId;

    /// <summary>Wraps a token secret ID.</summary>
    /// <param name="secretId">The secret ID; must not be empty.</param>
    public NomadToken(string secretId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secretId);
        this.secretId = secretId;
    }

    /// <summary>The secret, for the one place that needs it: the <c>X-Nomad-Token</c> request header.</summary>
    internal string Reveal() => secretId;

    /// <summary>Always "[redacted]": the secret never becomes text.</summary>
    public override string ToString() => "[redacted]";

    /// <inheritdoc />
    public bool Equals(NomadToken? other) => other is not null && string.Equals(secretId, other.secretId, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NomadToken);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(secretId);
}

using System.Buffers;

namespace NomadDbPatterns.Validation;

/// <summary>Small predicates shared by the validators.</summary>
internal static partial class Rules
{
    private static readonly SearchValues<char> NameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_");
    private static readonly SearchValues<char> IdentifierChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_");
    private static readonly SearchValues<char> EnvChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
    private static readonly SearchValues<char> KeyChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    /// <summary>A Nomad-friendly name: lower-case letters, digits, '-' and '_', starting with a letter or digit, 1-63 chars.</summary>
    public static bool IsName(string? value) =>
        value is { Length: > 0 and <= 63 } && (char.IsAsciiLetterLower(value[0]) || char.IsAsciiDigit(value[0])) && !value.AsSpan().ContainsAnyExcept(NameChars);

    /// <summary>
    /// A service name Nomad accepts: RFC 1123, 1-63 letters, digits and '-', not starting or ending with '-'
    /// (Service.ValidateName, nomad/structs/services.go l.761-771 at v2.0.5). Stricter than <see cref="IsName"/>: no '_'.
    /// </summary>
    public static bool IsServiceName(string? value) =>
        value is { Length: > 0 and <= 63 } && value[0] != '-' && value[^1] != '-' && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>A plain PostgreSQL identifier that needs no quoting anywhere (URLs, env files, SQL).</summary>
    public static bool IsSqlIdentifier(string? value) =>
        value is { Length: > 0 and <= 63 } && (char.IsAsciiLetterLower(value[0]) || value[0] == '_') && !value.AsSpan().ContainsAnyExcept(IdentifierChars);

    /// <summary>An absolute path on a node that is safe unquoted in a shell command: <c>/opt/nomad/volumes</c>.</summary>
    public static bool IsHostPath(string? value) =>
        value is { Length: > 1 and <= 256 } && value[0] == '/' && !value.AsSpan().ContainsAnyExcept(HostPathChars)
        && !value.Split('/').Any(segment => segment is "." or "..");

    private static readonly SearchValues<char> HostPathChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/");

    /// <summary>An environment variable name.</summary>
    public static bool IsEnvName(string? value) =>
        value is { Length: > 0 } && !char.IsAsciiDigit(value[0]) && !value.AsSpan().ContainsAnyExcept(EnvChars);

    /// <summary>A secret key usable in a consul-template lookup.</summary>
    public static bool IsSecretKey(string? value) => value is { Length: > 0 } && !value.AsSpan().ContainsAnyExcept(KeyChars);

    /// <summary>An image reference with an explicit tag (or digest).</summary>
    public static bool HasTag(string? image)
    {
        if (string.IsNullOrWhiteSpace(image) || image.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var parts = Model.ImageParts.Parse(image);
        return parts.Name.Length > 0 && (parts.Tag is { Length: > 0 } || parts.Digest is { Length: > 0 });
    }

    /// <summary>
    /// A database image that pins nothing: tagged <c>latest</c> or plain <c>alpine</c> and no digest (a silent major
    /// upgrade on the next pull).
    /// </summary>
    public static bool IsUnpinnedDatabaseImage(string image) =>
        Model.ImageParts.Parse(image) is { Digest: null, Tag: "latest" or "alpine" };

    /// <summary>
    /// A registry host with an optional port and path, as the distribution reference grammar (docker/distribution's
    /// <c>reference/regexp.go</c>) reads the part of an image name before the repository: <c>registry.example</c>,
    /// <c>registry.example:5000/library</c>, <c>localhost:5000</c>.
    /// </summary>
    public static bool IsRegistry(string registry) => registry.Length <= 255 && RegistryPattern().IsMatch(registry);

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial System.Text.RegularExpressions.Regex RegistryPattern();

    /// <summary>The tag of an image (never part of a digest), or null.</summary>
    public static string? Tag(string image) => Model.ImageParts.Parse(image).Tag;

    /// <summary>Parses a duration such as <c>10s</c>, <c>1m30s</c>, <c>6h</c>, <c>1d</c> (see <see cref="Model.Duration"/>).</summary>
    public static bool TryParseDuration(string? value, out TimeSpan duration) => Model.Duration.TryParse(value, out duration);
}

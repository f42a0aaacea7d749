using System.Buffers;
using System.Text.RegularExpressions;

namespace NomadDbPatterns.Validation;

/// <summary>
/// Small predicates shared by the validators. The character rules of names are regular expressions written once, as
/// the <c>…Pattern</c> constants: the predicates match them, and the JSON Schema of the spec format (generated in the
/// tests) gives the same patterns to editors. They are written in the syntax both .NET and ECMAScript (JSON Schema's
/// <c>pattern</c>) read alike: ASCII classes, no <c>\d</c> or <c>\w</c>.
/// </summary>
internal static partial class Rules
{
    /// <summary>A Nomad-friendly name (job, task, volume, port label, fleet): lower-case letters, digits, '-' and '_', starting with a letter or digit, 1-63 chars.</summary>
    public const string NamePattern = "^[a-z0-9][a-z0-9_-]{0,62}$";

    /// <summary>
    /// A service name Nomad accepts: RFC 1123, 1-63 letters, digits and '-', not starting or ending with '-'
    /// (Service.ValidateName, nomad/structs/services.go l.761-771 at v2.0.5). Stricter than <see cref="NamePattern"/>: no '_'.
    /// </summary>
    public const string ServiceNamePattern = "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";

    /// <summary>A plain PostgreSQL identifier that needs no quoting anywhere (URLs, env files, SQL): lower-case letters, digits and '_', starting with a letter or '_', at most 63.</summary>
    public const string SqlIdentifierPattern = "^[a-z_][a-z0-9_]{0,62}$";

    /// <summary>An environment variable name.</summary>
    public const string EnvNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$";

    /// <summary>A secret key usable in a consul-template lookup.</summary>
    public const string SecretKeyPattern = "^[A-Za-z0-9_-]+$";

    /// <summary>A namespace name as Nomad defines it (validNamespaceName, nomad/structs/structs.go l.227 at v2.0.5).</summary>
    public const string NamespacePattern = "^[a-zA-Z0-9-]{1,128}$";

    /// <summary>A node pool name as Nomad defines it (validNodePoolName, nomad/structs/node_pool.go l.41 at v2.0.5).</summary>
    public const string NodePoolPattern = "^[a-zA-Z0-9_-]{1,128}$";

    /// <summary>
    /// A registry host with an optional port and path, as the distribution reference grammar (docker/distribution's
    /// <c>reference/regexp.go</c>) reads the part of an image name before the repository.
    /// </summary>
    public const string RegistryPattern = @"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$";

    /// <summary>Octal file permissions of a template, e.g. 0644.</summary>
    public const string PermsPattern = "^[0-7]{3,4}$";

    /// <summary>A name CREATE EXTENSION finds as a control file: letters, digits, '_' and '-' (uuid-ossp), at most 63 (NAMEDATALEN - 1).</summary>
    public const string ExtensionNamePattern = "^[A-Za-z_][A-Za-z0-9_-]{0,62}$";

    /// <summary>
    /// A restic repository off this host: a known backend prefix and one line of printable ASCII without quotes,
    /// backslashes or '$' (at most <see cref="MaxResticRepositoryLength"/> characters).
    /// </summary>
    public const string ResticRepositoryPattern = @"^(?:s3|b2|sftp|rest|azure|gs|swift|rclone):[\x21\x23\x25\x26\x28-\x5B\x5D-\x5F\x61-\x7E]+$";

    /// <summary>The longest restic repository accepted.</summary>
    public const int MaxResticRepositoryLength = 1024;

    /// <summary>The lowest and highest port number.</summary>
    public const int MinPort = 1, MaxPort = 65535;

    /// <summary>A Nomad-friendly name (see <see cref="NamePattern"/>).</summary>
    public static bool IsName(string? value) => Whole(NameRegex(), value);

    /// <summary>A service name Nomad accepts (see <see cref="ServiceNamePattern"/>).</summary>
    public static bool IsServiceName(string? value) => Whole(ServiceNameRegex(), value);

    /// <summary>A plain PostgreSQL identifier (see <see cref="SqlIdentifierPattern"/>).</summary>
    public static bool IsSqlIdentifier(string? value) => Whole(SqlIdentifierRegex(), value);

    /// <summary>An environment variable name.</summary>
    public static bool IsEnvName(string? value) => Whole(EnvNameRegex(), value);

    /// <summary>A secret key usable in a consul-template lookup.</summary>
    public static bool IsSecretKey(string? value) => Whole(SecretKeyRegex(), value);

    /// <summary>A namespace name Nomad accepts.</summary>
    public static bool IsNamespace(string? value) => Whole(NamespaceRegex(), value);

    /// <summary>A node pool name Nomad accepts.</summary>
    public static bool IsNodePool(string? value) => Whole(NodePoolRegex(), value);

    /// <summary>Octal template permissions.</summary>
    public static bool IsPerms(string? value) => Whole(PermsRegex(), value);

    /// <summary>An extension name (see <see cref="ExtensionNamePattern"/>).</summary>
    public static bool IsExtensionName(string? value) => Whole(ExtensionNameRegex(), value);

    /// <summary>A restic repository on other storage (see <see cref="ResticRepositoryPattern"/>).</summary>
    public static bool IsResticRepository(string? value) => value is { Length: <= MaxResticRepositoryLength } && Whole(ResticRepositoryRegex(), value);

    /// <summary>
    /// The whole of <paramref name="value"/> matches: .NET's <c>$</c> also matches before a final line feed, where
    /// ECMAScript's (JSON Schema's) does not, so a value ending in one never does.
    /// </summary>
    private static bool Whole(Regex regex, string? value) => value is not null && !value.EndsWith('\n') && regex.IsMatch(value);

    /// <summary>An absolute path on a node that is safe unquoted in a shell command: <c>/opt/nomad/volumes</c>.</summary>
    public static bool IsHostPath(string? value) =>
        value is { Length: > 1 and <= 256 } && value[0] == '/' && !value.AsSpan().ContainsAnyExcept(HostPathChars)
        && !value.Split('/').Any(segment => segment is "." or "..");

    private static readonly SearchValues<char> HostPathChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/");

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
    /// A registry host with an optional port and path (see <see cref="RegistryPattern"/>): <c>registry.example</c>,
    /// <c>registry.example:5000/library</c>, <c>localhost:5000</c>; at most <see cref="MaxRegistryLength"/> characters.
    /// </summary>
    public static bool IsRegistry(string registry) => registry.Length <= MaxRegistryLength && Whole(RegistryRegex(), registry);

    /// <summary>The longest registry accepted.</summary>
    public const int MaxRegistryLength = 255;

    /// <summary>The tag of an image (never part of a digest), or null.</summary>
    public static string? Tag(string image) => Model.ImageParts.Parse(image).Tag;

    /// <summary>Parses a duration such as <c>10s</c>, <c>1m30s</c>, <c>6h</c>, <c>1d</c> (see <see cref="Model.Duration"/>).</summary>
    public static bool TryParseDuration(string? value, out TimeSpan duration) => Model.Duration.TryParse(value, out duration);

    [GeneratedRegex(NamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex(ServiceNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex ServiceNameRegex();

    [GeneratedRegex(SqlIdentifierPattern, RegexOptions.CultureInvariant)]
    private static partial Regex SqlIdentifierRegex();

    [GeneratedRegex(EnvNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex EnvNameRegex();

    [GeneratedRegex(SecretKeyPattern, RegexOptions.CultureInvariant)]
    private static partial Regex SecretKeyRegex();

    [GeneratedRegex(NamespacePattern, RegexOptions.CultureInvariant)]
    private static partial Regex NamespaceRegex();

    [GeneratedRegex(NodePoolPattern, RegexOptions.CultureInvariant)]
    private static partial Regex NodePoolRegex();

    [GeneratedRegex(PermsPattern, RegexOptions.CultureInvariant)]
    private static partial Regex PermsRegex();

    [GeneratedRegex(ExtensionNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionNameRegex();

    [GeneratedRegex(ResticRepositoryPattern, RegexOptions.CultureInvariant)]
    private static partial Regex ResticRepositoryRegex();

    [GeneratedRegex(RegistryPattern, RegexOptions.CultureInvariant)]
    private static partial Regex RegistryRegex();
}

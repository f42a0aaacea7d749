using System.Text.RegularExpressions;

namespace NomadDbPatterns.Nomad;

/// <summary>Reads the PostgreSQL major from an image reference's tag, e.g. <c>postgres:17-alpine</c> → 17.</summary>
public static partial class PostgresImage
{
    /// <summary>
    /// The major encoded in the tag: "17" for <c>postgres:17</c>, <c>postgres:17.2-bookworm</c> or
    /// <c>docker.io/library/postgres:17-alpine@sha256:…</c>; "9.6" for <c>postgres:9.6</c> (before 10 the major had
    /// two parts). Null when the tag does not start with a version (<c>latest</c>, <c>alpine</c>, no tag, digest only).
    /// </summary>
    public static string? MajorOf(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var reference = image.Split('@')[0];
        var lastSlash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        if (colon <= lastSlash)
        {
            return null;
        }

        var match = VersionTag().Match(reference[(colon + 1)..]);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, out var first))
        {
            return null;
        }

        return first < 10 && match.Groups[2].Success ? $"{first}.{match.Groups[2].Value}" : first.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>True when the repository part names PostgreSQL (<c>postgres</c> or <c>postgis/postgis</c>, any registry).</summary>
    public static bool IsPostgres(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var reference = image.Split('@')[0];
        var lastSlash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        var repository = colon > lastSlash ? reference[..colon] : reference;
        var name = repository[(lastSlash + 1)..];
        return name is "postgres" or "postgis";
    }

    [GeneratedRegex(@"^(\d+)(?:\.(\d+))?(?![\d])")]
    private static partial Regex VersionTag();
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace NomadDbPatterns.Model;

/// <summary>An image reference in its parts: <c>[registry[:port]/]path[:tag][@digest]</c>.</summary>
/// <param name="Name">Registry and path, e.g. <c>registry.example:5000/library/postgres</c>.</param>
/// <param name="Tag">The tag, or null.</param>
/// <param name="Digest">The digest after <c>@</c>, e.g. <c>sha256:…</c>, or null.</param>
internal sealed record ImageParts(string Name, string? Tag, string? Digest)
{
    /// <summary>Splits <paramref name="image"/>: the digest after the first <c>@</c>, the tag after the last <c>:</c> of the last path segment.</summary>
    public static ImageParts Parse(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var reference = at < 0 ? image : image[..at];
        var digest = at < 0 ? null : image[(at + 1)..];
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/')
            ? new ImageParts(reference[..colon], reference[(colon + 1)..], digest)
            : new ImageParts(reference, null, digest);
    }
}

/// <summary>The base system of a PostgreSQL image, which decides the uid of its postgres user.</summary>
internal enum PostgresImageBase
{
    /// <summary>Debian (the official image's default tags, <c>-bookworm</c>/<c>-trixie</c>, pgvector, PostGIS): uid/gid 999.</summary>
    Debian,
    /// <summary>Alpine (<c>-alpine</c>, <c>-alpine3.x</c> tags): uid/gid 70.</summary>
    Alpine,
}

/// <summary>
/// What an image reference says about the PostgreSQL inside: its major and its base system. Any image built on the
/// official one (docker-library/postgres) counts, from any registry, pinned by tag or digest: <c>postgres:17-alpine</c>,
/// <c>registry.example:5000/library/postgres:16-alpine</c>, <c>pgvector/pgvector:pg17</c>, <c>postgis/postgis:16-3.4</c>,
/// <c>postgres:16@sha256:…</c>. Such images keep the official image's data directory layout (PGDATA per major),
/// entrypoint and postgres user.
/// </summary>
internal static partial class PostgresImages
{
    /// <summary>
    /// The reference a PostgreSQL task runs: the explicit image, else the official <c>postgres:MAJOR[-VARIANT]</c>,
    /// pulled through the registry mirror when one is given.
    /// </summary>
    public static string Reference(IPostgresImage image)
    {
        if (image.Image is { } explicitImage)
        {
            return explicitImage;
        }

        var official = string.IsNullOrEmpty(image.Variant) ? $"postgres:{image.Version}" : $"postgres:{image.Version}-{image.Variant}";
        return string.IsNullOrEmpty(image.Registry) ? official : $"{image.Registry}/{official}";
    }

    /// <summary>
    /// The major in the tag, or null when the tag does not show it: a <c>pgNN</c> part (pgvector's <c>pg17</c>,
    /// <c>0.8.0-pg17-bookworm</c>), else a tag starting with a version (<c>17</c>, <c>17.2-bookworm</c>,
    /// <c>16-alpine3.20</c>, PostGIS's <c>16-3.4</c>: PostgreSQL first, then PostGIS). <c>latest</c>, <c>alpine</c>,
    /// <c>v0.5.1</c>, a date, no tag (a digest only) show no major.
    /// </summary>
    public static int? MajorOf(string? image)
    {
        if (image is null || ImageParts.Parse(image).Tag is not { Length: > 0 } tag)
        {
            return null;
        }

        var parts = tag.Split('-');
        foreach (var part in parts)
        {
            if (PgPart().Match(part) is { Success: true } pg)
            {
                return Plausible(pg.Groups[1].Value);
            }
        }

        return VersionPart().Match(parts[0]) is { Success: true } version ? Plausible(version.Groups[1].Value) : null;
    }

    /// <summary>The base system: an <c>alpine…</c> part of the tag, else Debian; without a tag (digest only) the given variant tells.</summary>
    public static PostgresImageBase BaseOf(IPostgresImage image)
    {
        var tag = image.Image is { } explicitImage ? ImageParts.Parse(explicitImage).Tag : $"{image.Version}-{image.Variant}";
        var alpine = tag is null
            ? image.Variant.StartsWith("alpine", StringComparison.Ordinal)
            : tag.Split('-').Any(part => part.StartsWith("alpine", StringComparison.Ordinal));
        return alpine ? PostgresImageBase.Alpine : PostgresImageBase.Debian;
    }

    /// <summary>
    /// The uid (and gid) of the image's postgres user, which owns the data directory: 70 on Alpine, 999 on Debian
    /// (docker-library/postgres <c>17/alpine3.23/Dockerfile</c> "70 is the standard uid/gid for postgres in Alpine",
    /// <c>17/bookworm/Dockerfile</c> <c>useradd … --uid=999</c>).
    /// </summary>
    public static int PostgresUid(IPostgresImage image) => BaseOf(image) == PostgresImageBase.Alpine ? 70 : 999;

    /// <summary>The comment line that tells operators who owns the data directory on the host volume.</summary>
    public static string OwnerComment(IPostgresImage image)
    {
        var uid = PostgresUid(image).ToString(CultureInfo.InvariantCulture);
        return $"Its files belong to the image's postgres user, uid:gid {uid}:{uid} ({BaseOf(image)} image): a host volume created ahead must let it write.";
    }

    /// <summary>A digest Docker accepts for a pin: <c>sha256:</c> and 64 hex digits (or <c>sha512:</c> and 128).</summary>
    public static bool IsDigest(string digest) => DigestPattern().IsMatch(digest);

    /// <summary>A major as a number; a date or build number (three or more digits) is no major.</summary>
    private static int? Plausible(string digits) =>
        digits.Length <= 2 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;

    [GeneratedRegex("^pg([0-9]+)$")]
    private static partial Regex PgPart();

    [GeneratedRegex(@"^([0-9]+)(?:\.[0-9]+)*$")]
    private static partial Regex VersionPart();

    [GeneratedRegex("^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$")]
    private static partial Regex DigestPattern();
}

using System.Globalization;
using System.Text;
using CsCheck;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>
/// The generators of a valid twin (<see cref="HostileJob.GenerateValidTwin"/>): a job Nomad v2.0.5 accepts, with a
/// hostile string in every field Nomad takes as text and a valid value in every other one.
/// </summary>
/// <remarks>
/// <para>Which fields are free text was decided from what Nomad v2.0.5 does with each one (hashicorp/nomad@v2.0.5,
/// see NomadSchema/NOMAD-RULES.md for the rules the checker applies):</para>
/// <para><b>Free text: any hostile string.</b> Nomad checks nothing about these and hands them on unread.
/// <list type="bullet">
/// <item>Comments: the source name and the preset (header comment), pg.database (also a task comment).</item>
/// <item>Task env values (app.env, POSTGRES_DB/POSTGRES_USER from pg.database/pg.user, SQLITE_DB from sqlite.file):
/// <c>Task.Validate</c> (nomad/structs/structs.go:8190-8370) does not look at env; the client interpolates and
/// passes them to the driver.</item>
/// <item>Docker <c>command</c> and <c>args</c> (app.command, app.args, pg.settings as <c>-c key=value</c>): the docker
/// driver's config spec (drivers/docker/config.go) only types them as string and list(string).</item>
/// <item>Task <c>user</c> (app.user): no server rule; the docker driver copies it into the container config and Docker
/// resolves it in the image when the container starts.</item>
/// <item>Service tags: <c>Service.Validate</c> (nomad/structs/services.go:761-806) checks name, modes and provider,
/// never tags.</item>
/// <item>Template data (app.template data, and the database env file and password file built from
/// pg.secret.path/key and app.database.env): <c>Template.Validate</c> (structs.go:8922-8982) only requires it to be
/// non-empty; consul-template reads it on the client. Empty data is refused, so the twin's data is non-empty.</item>
/// </list></para>
/// <para><b>Free text within a rule Nomad applies.</b> The hostile part is any string the rule lets through.
/// <list type="bullet">
/// <item>Constraint attribute and value (<c>Constraint.Validate</c>, structs.go:10010-10076, constraint.go:34-68): with
/// <c>=</c>/<c>!=</c> the value is any non-empty text; the attribute is any non-empty text that does not start with
/// '$', or a <c>${attr.…}</c>/<c>${meta.…}</c> target (any text after the prefix) or an exact node target; is_set takes
/// no value, distinct_hosts no attribute. The operator is structural.</item>
/// <item>HTTP check path (services.go:266-278): Go's <c>url.Parse</c> must accept it and find no scheme. The twin puts
/// the hostile text under "/check/", drops ASCII control characters and writes a '%' that starts no %XX escape as
/// "%25" (see NomadSchema/GoUrl.cs).</item>
/// <item>volume_mount destinations (app.volume destination, sqlite.destination): the server checks nothing
/// (<c>VolumeMount.Validate</c>, volumes.go:326-345); the docker driver makes a bind mount whose target Docker requires
/// to be absolute. The twin puts hostile text under /mnt/vN/ (/srv/sqlite/), without NUL (no Linux path holds it) and
/// without "..", as the spec path requires.</item>
/// <item>Template destinations: non-empty, inside the allocation, unique per task (structs.go:8922-8982). The twin puts
/// hostile text under local/tN/, without NUL or "..", not ending in '/' (a file, not a directory).</item>
/// </list></para>
/// <para><b>Structural: a valid value.</b> Nomad parses these, or they name something Nomad, Vault or Docker must find:
/// job ID and group name, task, port and volume labels (the spec path's names: letters, digits, '-'); service names
/// (RFC 1123, services.go:761-771; also the derived <c>JOB-db</c> and <c>JOB-db-backup</c>); datacenters, namespace,
/// region, node pool, host volume sources (matched against the cluster's own names); update and restart durations and
/// restart mode (min_healthy_time &lt; healthy_deadline &lt; progress_deadline, attempts x delay &lt;= interval); check
/// interval and timeout (&gt;= 1s); template change_mode (no signal for env templates) and perms (octal); the app and
/// PostgreSQL images (Docker parses the reference); the Vault role; the backup time zone (Go must load it for a
/// periodic job; the sidecar's TZ takes the same spec value). The database wiring keeps the NoBraces strings of the
/// fully hostile jobs: its placeholders are resolved by the renderer.</para>
/// </remarks>
internal static class ValidTwin
{
    private static readonly Gen<string> Alnum = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 6].Select(chars => new string(chars));

    /// <summary>A name the spec path accepts and Nomad takes as a job ID, label or RFC 1123 service name: short
    /// enough that <c>NAME-db-backup</c> stays within 63 characters.</summary>
    public static readonly Gen<string> Name = Alnum.Array[1, 3].Select(parts => string.Join('-', parts));

    /// <summary>Any hostile string but the empty one.</summary>
    public static readonly Gen<string> NonEmpty = HostileStrings.Any.Where(value => value.Length > 0);

    /// <summary>Operators whose operands the twin fills with hostile text (regexp, version and semver values are
    /// grammars, not text).</summary>
    public static readonly Gen<string> ConstraintOperator = Gen.OneOf("=", "!=", "is_set", "distinct_hosts");

    /// <summary>A constraint attribute Nomad accepts: literal text not starting with '$', or a target it resolves.</summary>
    public static readonly Gen<string> ConstraintAttribute = Gen.Frequency(
        (3, NonEmpty.Where(value => !value.StartsWith('$'))),
        (2, Gen.Select(Gen.OneOf("${attr.", "${meta.", "${device."), HostileStrings.Any, (prefix, text) => prefix + text + "}")),
        (1, Gen.OneOf("${node.unique.id}", "${node.datacenter}", "${node.unique.name}", "${node.class}", "${node.pool}")));

    /// <summary>An HTTP check path Go's url.Parse accepts without a scheme, around a hostile string.</summary>
    public static readonly Gen<string> CheckPath = HostileStrings.Any.Select(text => "/check/" + UrlSafe(text));

    /// <summary>(min_healthy_time, healthy_deadline): 1s &lt;= min &lt; healthy &lt; 15m, the progress deadline of
    /// <c>UpdatePolicy.Stateful</c> (which Build keeps).</summary>
    public static readonly Gen<(string, string)> UpdateDeadlines =
        Gen.Int[2, 899].SelectMany(healthy => Gen.Int[1, healthy - 1].SelectMany(min =>
            Gen.Select(Duration(min), Duration(healthy), (a, b) => (a, b))));

    /// <summary>(interval, delay, mode) with Build's 2 attempts: interval &gt;= 5s and 2 x delay &lt;= interval.</summary>
    public static readonly Gen<(string, string, string)> Restart =
        Gen.Int[1, 120].SelectMany(delay => Gen.Int[Math.Max(5, 2 * delay), 3600].SelectMany(interval =>
            Gen.Select(Duration(interval), Duration(delay), Gen.OneOf("delay", "fail"), (i, d, m) => (i, d, m))));

    /// <summary>Octal permissions as the spec path writes them.</summary>
    public static readonly Gen<string> Perms = Gen.Char["01234567"].Array[3, 4].Select(chars => new string(chars));

    /// <summary>Image references with explicit tags or digests.</summary>
    public static readonly Gen<string> Image = Gen.OneOf(
        "nginx:1.27", "ghcr.io/acme/api:v1.2.3", "registry.example.com:5000/team/app:2026.01",
        "docker.io/library/busybox@sha256:0a4d0ad9f43b4a0d2ba4f0c3e7f4c1a44ec6a9b74c3eaf0bd6b9f1a1b6f7c6e1");

    /// <summary>Variants the spec path accepts.</summary>
    public static readonly Gen<string> PostgresVariant = Gen.OneOf("alpine", "bookworm", "trixie", "");

    /// <summary>IANA time zones (Go and .NET both load them).</summary>
    public static readonly Gen<string> TimeZone = Gen.OneOf("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney");

    /// <summary>An explicit PostgreSQL image of the major <paramref name="version"/>.</summary>
    public static Gen<string> PostgresImage(int version) =>
        Gen.OneOf($"postgres:{version}-alpine", $"docker.io/library/postgres:{version}", $"postgres:{version}-bookworm");

    /// <summary>A whole number of seconds from <paramref name="min"/> to <paramref name="max"/> as a Go duration.</summary>
    public static Gen<string> Seconds(int min, int max) => Gen.Int[min, max].SelectMany(Duration);

    /// <summary>A path under <paramref name="prefix"/> ending in hostile text without NUL and without "..".</summary>
    public static Gen<string> PathUnder(string prefix) =>
        HostileStrings.Any.Where(text => !text.Contains('\0', StringComparison.Ordinal) && !text.Contains("..", StringComparison.Ordinal)).Select(text => prefix + text);

    /// <summary>Seconds written the ways a spec writes a duration: 90s, 1m30s, 2m, 1h.</summary>
    private static Gen<string> Duration(int seconds)
    {
        var composite = new StringBuilder();
        if (seconds >= 3600)
        {
            composite.Append(CultureInfo.InvariantCulture, $"{seconds / 3600}h");
        }

        if (seconds % 3600 >= 60)
        {
            composite.Append(CultureInfo.InvariantCulture, $"{seconds % 3600 / 60}m");
        }

        if (seconds % 60 > 0)
        {
            composite.Append(CultureInfo.InvariantCulture, $"{seconds % 60}s");
        }

        return Gen.OneOf(string.Create(CultureInfo.InvariantCulture, $"{seconds}s"), composite.ToString());
    }

    /// <summary>Drops ASCII control characters and writes each '%' that starts no %XX escape as %25.</summary>
    private static string UrlSafe(string text)
    {
        var kept = new string([.. text.Where(c => c >= 0x20 && c != 0x7f)]);
        var builder = new StringBuilder(kept.Length);
        for (var i = 0; i < kept.Length; i++)
        {
            var escape = kept[i] == '%' && i + 2 < kept.Length && char.IsAsciiHexDigit(kept[i + 1]) && char.IsAsciiHexDigit(kept[i + 2]);
            builder.Append(kept[i] == '%' && !escape ? "%25" : kept[i]);
        }

        return builder.ToString();
    }
}

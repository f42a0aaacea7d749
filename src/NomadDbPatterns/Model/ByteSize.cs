using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NomadDbPatterns.Model;

/// <summary>
/// A size as a spec or a caller writes it (<c>256MB</c>, <c>1GB</c>, <c>64m</c>), parsed once when it is made:
/// <see cref="Bytes"/> is what gets rendered; a text that is no size (or one above 1 TiB) has none, and validation
/// reports it where the spec wrote it. Never throws on bad text.
/// </summary>
public sealed record ByteSize
{
    /// <summary>Largest size accepted anywhere: 1 TiB, far below an int64 byte count.</summary>
    public const long MaxBytes = 1L << 40;

    /// <summary>
    /// The text <see cref="Parse"/> reads, as a regular expression (.NET and ECMAScript alike, for the JSON Schema): a
    /// number of at most 18 digits and a unit B, K, KB, KiB, M, MB, MiB, G, GB or GiB in any case (none: bytes). A size
    /// above <see cref="MaxBytes"/> matches but does not parse. The tests check the pattern against the parser.
    /// </summary>
    internal const string Pattern = "^[0-9]{1,18}(?:[bB]|[kKmMgG](?:[bB]|[iI][bB])?)?$";

    /// <summary>Parses <paramref name="text"/>.</summary>
    public ByteSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        Bytes = Parse(text);
    }

    /// <summary>The text as written.</summary>
    public string Text { get; }

    /// <summary>The size in bytes, or null when <see cref="Text"/> is none.</summary>
    public long? Bytes { get; }

    /// <summary>Makes a size from its text (null stays null).</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static implicit operator ByteSize?(string? text) => text is null ? null : new ByteSize(text);

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Parses sizes such as 256MB, 1GB, 64m into bytes, or null.</summary>
    public static long? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var digits = 0;
        while (digits < value.Length && char.IsAsciiDigit(value[digits]))
        {
            digits++;
        }

        if (digits == 0 || digits > 18 || !long.TryParse(value.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        long? multiplier = value[digits..].ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1024,
            "M" or "MB" or "MIB" => 1024 * 1024,
            "G" or "GB" or "GIB" => 1024L * 1024 * 1024,
            _ => null,
        };
        // Checked: a size beyond the limit (or one that would overflow long) is no size at all.
        return multiplier is null || number > MaxBytes / multiplier ? null : number * multiplier;
    }
}

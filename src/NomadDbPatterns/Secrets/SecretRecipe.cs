using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace NomadDbPatterns.Secrets;

/// <summary>
/// Makes a value from a preset's <c>generate</c> text — the shell text a person would run — without a shell: literal
/// text around <c>$(openssl rand -hex N)</c> or <c>$(openssl rand -base64 N)</c>, N random bytes from the
/// operating system's generator (what <c>openssl rand</c> prints, without its newline). Anything else is not a
/// recipe nomad-db follows.
/// </summary>
internal static partial class SecretRecipe
{
    /// <summary>The largest N accepted (Nomad Variables hold 64 KiB in all).</summary>
    public const int MaxBytes = 1024;

    [GeneratedRegex(@"\$\(openssl rand -(?<encoding>hex|base64) (?<bytes>[0-9]{1,4})\)")]
    private static partial Regex Rand();

    /// <summary>True when <paramref name="recipe"/> is one nomad-db can follow (at least one random part, no other command).</summary>
    public static bool CanFollow(string? recipe) => recipe is not null && Parts(recipe) is not null;

    /// <summary>A new value following <paramref name="recipe"/>; throws for a recipe <see cref="CanFollow"/> refuses.</summary>
    public static string Generate(string recipe)
    {
        var parts = Parts(recipe) ?? throw new ArgumentException("not a recipe nomad-db can follow", nameof(recipe));
        var value = new StringBuilder();
        foreach (var (literal, encoding, bytes) in parts)
        {
            value.Append(literal);
            if (bytes > 0)
            {
                var random = RandomNumberGenerator.GetBytes(bytes);
                value.Append(encoding == "hex" ? Hex.Lower(random) : Convert.ToBase64String(random));
            }
        }

        return value.ToString();
    }

    private static List<(string Literal, string Encoding, int Bytes)>? Parts(string recipe)
    {
        var parts = new List<(string, string, int)>();
        var at = 0;
        foreach (Match match in Rand().Matches(recipe))
        {
            var bytes = int.Parse(match.Groups["bytes"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (bytes is < 1 or > MaxBytes)
            {
                return null;
            }

            parts.Add((recipe[at..match.Index], match.Groups["encoding"].Value, bytes));
            at = match.Index + match.Length;
        }

        parts.Add((recipe[at..], string.Empty, 0));
        // Literal text must not ask the shell for anything else: no other substitution, variable or quote.
        return parts.Count > 1 && parts.All(p => p.Item1.IndexOfAny(['$', '`', '"', '\'', '\\']) < 0) ? parts : null;
    }
}

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>
/// What Go's <c>url.Parse</c> says about a string, as far as Nomad's http check validation asks it
/// (<c>ServiceCheck.validateCommon</c>, nomad/structs/services.go:266-278 at v2.0.5: an error, or a scheme, refuses
/// the path). Ported from net/url/url.go of Go 1.26 (Nomad v2.0.5 builds with <c>.go-version</c> 1.26.5):
/// <c>Parse</c> cuts the fragment at the first '#'; <c>parse</c> refuses any ASCII control byte (&lt; 0x20 or 0x7f)
/// in the rest, splits a scheme off with <c>getScheme</c> ([a-zA-Z][a-zA-Z0-9+.-]* then ':'; a leading ':' is
/// "missing protocol scheme"), cuts the query at '?' (never unescaped while parsing), refuses a colon in the first
/// segment of a relative path, parses an authority after "//", and unescapes the path with <c>unescape</c>, which
/// refuses a '%' not followed by two hex digits; <c>setFragment</c> unescapes the fragment the same way (control bytes
/// after '#' pass). Not ported: the host and userinfo checks of <c>parseAuthority</c> — a path starting with "//" is
/// reported as unsupported rather than guessed.
/// </summary>
public static class GoUrl
{
    /// <summary>The outcome: Go's error text (null when it parses) and whether the URL has a scheme (<c>IsAbs</c>).</summary>
    public readonly record struct Result(string? Error, bool IsAbsolute);

    /// <summary>Parses <paramref name="raw"/> as <c>url.Parse</c> does, for the questions above.</summary>
    public static Result Parse(string raw)
    {
        var hash = raw.IndexOf('#', StringComparison.Ordinal);
        var (main, fragment) = hash < 0 ? (raw, string.Empty) : (raw[..hash], raw[(hash + 1)..]);
        if (main.Any(c => c < 0x20 || c == 0x7f))
        {
            return new("net/url: invalid control character in URL", false);
        }

        if (main == "*")
        {
            return new(null, false);
        }

        var scheme = string.Empty;
        var rest = main;
        for (var i = 0; i < main.Length; i++)
        {
            var c = main[i];
            if (char.IsAsciiLetter(c))
            {
                continue;
            }

            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0)
                {
                    break;
                }

                continue;
            }

            if (c == ':')
            {
                if (i == 0)
                {
                    return new("missing protocol scheme", false);
                }

                scheme = main[..i];
                rest = main[(i + 1)..];
            }

            break;
        }

        if (rest.EndsWith('?') && rest.Count(c => c == '?') == 1)
        {
            rest = rest[..^1];
        }
        else if (rest.IndexOf('?', StringComparison.Ordinal) is var question and >= 0)
        {
            rest = rest[..question];
        }

        if (!rest.StartsWith('/'))
        {
            if (scheme.Length > 0)
            {
                return Fragment(fragment, absolute: true); // opaque
            }

            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if ((slash < 0 ? rest : rest[..slash]).Contains(':', StringComparison.Ordinal))
            {
                return new("first path segment in URL cannot contain colon", false);
            }
        }

        if (rest.StartsWith("//", StringComparison.Ordinal) && (scheme.Length > 0 || !rest.StartsWith("///", StringComparison.Ordinal)))
        {
            return new("an authority (//host) is not checked here (parseAuthority is not ported)", scheme.Length > 0);
        }

        return Unescape(rest) is { } error ? new(error, false) : Fragment(fragment, scheme.Length > 0);
    }

    private static Result Fragment(string fragment, bool absolute) => Unescape(fragment) is { } error ? new(error, false) : new(null, absolute);

    // unescape(s, encodePath) and unescape(s, encodeFragment): only malformed %-escapes are errors in these modes.
    private static string? Unescape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                return $"invalid URL escape \"{text[i..Math.Min(text.Length, i + 3)]}\"";
            }

            i += 2;
        }

        return null;
    }
}

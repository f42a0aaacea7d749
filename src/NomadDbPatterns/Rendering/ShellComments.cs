namespace NomadDbPatterns.Rendering;

/// <summary>
/// The scripts as shipped in Nomad Variables: their comment lines removed (a third of their bytes, against Nomad's
/// 64 KiB per variable). Only whole lines whose first non-blank character is <c>#</c> go, never the first line (the
/// shebang), a <c># shellcheck</c> directive, or a line inside a here-document; every other line stays, in order,
/// byte for byte. The commented originals are in templates/scripts; the tests run the stripped scripts that ship.
/// </summary>
internal static class ShellComments
{
    public static string Strip(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var lines = script.Split('\n');
        var kept = new List<string>(lines.Length);
        string? heredocEnd = null;
        var heredocTabs = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (heredocEnd is not null)
            {
                kept.Add(line);
                if ((heredocTabs ? line.TrimStart('\t') : line) == heredocEnd)
                {
                    heredocEnd = null;
                }

                continue;
            }

            var trimmed = line.TrimStart(' ', '\t');
            if (i > 0 && trimmed.StartsWith('#') && !trimmed.StartsWith("# shellcheck ", StringComparison.Ordinal))
            {
                continue;
            }

            kept.Add(line);
            (heredocEnd, heredocTabs) = HeredocStart(line);
        }

        return string.Join('\n', kept);
    }

    /// <summary>The terminator of a here-document that starts on <paramref name="line"/> (<c>&lt;&lt;WORD</c>, <c>&lt;&lt;'WORD'</c>, <c>&lt;&lt;-WORD</c>), or null.</summary>
    private static (string? End, bool Tabs) HeredocStart(string line)
    {
        var at = line.IndexOf("<<", StringComparison.Ordinal);
        if (at < 0 || line.AsSpan(at).StartsWith("<<<"))
        {
            return (null, false);
        }

        var rest = line[(at + 2)..];
        var tabs = rest.StartsWith('-');
        rest = rest.TrimStart('-').TrimStart(' ');
        var word = new string([.. rest.TakeWhile(c => !char.IsWhiteSpace(c) && c is not ';' and not ')' and not '|' and not '&')]).Trim('\'', '"');
        return word.Length == 0 ? (null, false) : (word, tabs);
    }
}

using System.Text;

namespace NomadDbPatterns.Validation;

/// <summary>
/// Puts user text into messages safely: control and invisible characters escaped (a value cannot forge an extra
/// error line), long values cut, and values that look like credentials never shown.
/// </summary>
internal static class Echo
{
    /// <summary>A value to quote in a message: escaped, cut to <see cref="Spec.InputLimits.MaxEchoChars"/>, hidden if it looks like a credential.</summary>
    public static string Value(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        if (SecretPolicy.LooksLikeCredential(value))
        {
            return "(value hidden: it looks like a credential)";
        }

        return Escape(value, Spec.InputLimits.MaxEchoChars);
    }

    /// <summary>Escapes control, line-breaking and invisible format characters as <c>\n</c>, <c>\t</c>, <c>\u2028</c>…; cuts at <paramref name="max"/> characters.</summary>
    public static string Escape(string value, int max)
    {
        var needs = value.Length > max;
        foreach (var c in value)
        {
            if (IsUnsafe(c))
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return value;
        }

        var builder = new StringBuilder(Math.Min(value.Length, max) + 8);
        for (var i = 0; i < value.Length; i++)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }

            var c = value[i];
            switch (c)
            {
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\0': builder.Append("\\0"); break;
                default:
                    if (IsUnsafe(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and isolates, zero-width
    /// characters, the BOM, and lone surrogates: anything that moves or hides text on a terminal.
    /// </summary>
    public static bool IsUnsafe(char c) =>
        c < ' ' || c is >= '\u007f' and <= '\u009f' || c is '\u2028' or '\u2029' or '\u061c' or '\u200e' or '\u200f' or '\ufeff'
        || c is >= '\u202a' and <= '\u202e' || c is >= '\u2066' and <= '\u2069' || c is >= '\u200b' and <= '\u200d';
}

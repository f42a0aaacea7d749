using System.Globalization;
using System.Text;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Double-quoted strings with C-style escapes, as Go string literals (consul-template) and env files read them (the
/// migration's YAML specs are quoted by YamlDotNet: see <see cref="Legacy.SpecYaml"/>).
/// HCL has its own rules (template sequences): see <see cref="Hcl.HclString"/>.
/// </summary>
internal static class DoubleQuoted
{
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (Hcl.HclString.AppendCommonEscape(builder, c))
            {
                continue;
            }

            if (c < ' ' || c == '\u007f')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }
}

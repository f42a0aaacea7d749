using System.Globalization;
using System.Text;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>Builds consul-template text (the language of Nomad's <c>template</c> blocks) for secrets and env files.</summary>
internal static class ConsulTemplate
{
    /// <summary>The opening of the block that makes the secret the dot: <c>{{ with nomadVar "..." }}</c>.</summary>
    public static string Open(SecretSource secret) => secret switch
    {
        VaultSecret vault => $"{{{{ with secret {GoString(vault.Path)} }}}}",
        NomadVariableSecret variable => $"{{{{ with nomadVar {GoString(variable.Path)} }}}}",
        _ => throw new ArgumentOutOfRangeException(nameof(secret)),
    };

    /// <summary>The expression reading the secret's key inside <see cref="Open"/>.</summary>
    public static string Value(SecretSource secret)
    {
        var simple = secret.Key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(secret.Key[0]);
        return secret switch
        {
            VaultSecret => simple ? $".Data.data.{secret.Key}" : $"(index .Data.data {GoString(secret.Key)})",
            _ => simple ? $".{secret.Key}" : $"(index . {GoString(secret.Key)})",
        };
    }

    /// <summary>A file holding just the secret (and a newline, which every consumer strips).</summary>
    public static string SecretFile(SecretSource secret) => $"{Open(secret)}{{{{ {Value(secret)} }}}}{{{{ end }}}}\n";

    /// <summary>
    /// One <c>KEY=value</c> line of an env file. Literal parts and the secret are joined by consul-template and
    /// JSON-quoted with <c>toJSON</c>, as Nomad's docs advise for values holding quotes or '#'.
    /// </summary>
    public static string EnvLine(string name, IReadOnlyList<EnvPart> parts, SecretSource? secret)
    {
        var usesSecret = parts.Any(p => p.Kind != EnvPartKind.Literal);
        if (!usesSecret)
        {
            return $"{name}={EnvQuote(string.Concat(parts.Select(p => p.Text)))}";
        }

        var builder = new StringBuilder();
        builder.Append(Open(secret!)).Append(name).Append("={{ print");
        foreach (var part in parts)
        {
            builder.Append(' ');
            builder.Append(part.Kind switch
            {
                EnvPartKind.Literal => GoString(part.Text),
                EnvPartKind.Secret => Value(secret!),
                // QueryEscape writes a space as '+'; a literal '+' was already %2B, so every '+' left is a space.
                _ => $"({Value(secret!)} | urlquery | replaceAll \"+\" \"%20\")",
            });
        }

        builder.Append(" | toJSON }}{{ end }}");
        return builder.ToString();
    }

    /// <summary>
    /// Text that consul-template copies as it is: Go's text/template starts an action only at <c>{{</c>, so each
    /// <c>{{</c> becomes the action <c>{{ "{{" }}</c> that prints it (a <c>}}</c> outside an action is plain text).
    /// </summary>
    public static string Literal(string text) => text.Replace("{{", "{{ \"{{\" }}", StringComparison.Ordinal);

    /// <summary>A double-quoted env-file value (go-envparse reads C-style escapes).</summary>
    public static string EnvQuote(string value) => DoubleQuoted.Quote(value);

    /// <summary>A Go string literal (consul-template's syntax for strings).</summary>
    public static string GoString(string value) => EnvQuote(value);
}

/// <summary>What a piece of a database wiring value is.</summary>
internal enum EnvPartKind
{
    Literal,
    Secret,
    SecretUrlEncoded,
}

/// <summary>A piece of a database wiring value.</summary>
internal readonly record struct EnvPart(EnvPartKind Kind, string Text);

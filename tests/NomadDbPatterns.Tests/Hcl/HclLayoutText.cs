using NomadDbPatterns.Hcl;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary><see cref="HclLayout"/> on strings, for the tests (the package lays out into a reused buffer).</summary>
internal static class HclLayoutText
{
    /// <summary>The canonical layout of <paramref name="hcl"/> (see <see cref="HclLayout"/>).</summary>
    public static string Format(string hcl)
    {
        ArgumentNullException.ThrowIfNull(hcl);
        var result = string.Empty;
        HclLayout.Format(hcl.AsMemory(), 0, (text, _) => result = text.ToString());
        return result;
    }
}

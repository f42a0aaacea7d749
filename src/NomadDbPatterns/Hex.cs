namespace NomadDbPatterns;

/// <summary>Lower-case hex, on net8.0 too (<c>Convert.ToHexStringLower</c> came in .NET 9).</summary>
internal static class Hex
{
    public static string Lower(ReadOnlySpan<byte> bytes) =>
#if NET9_0_OR_GREATER
        Convert.ToHexStringLower(bytes);
#else
        Convert.ToHexString(bytes).ToLowerInvariant();
#endif
}

using System.Reflection;

namespace NomadDbPatterns.Rendering;

/// <summary>The generator's identity, as written into every file header.</summary>
internal static class GeneratorInfo
{
    /// <summary>The package version without build metadata, so that output stays byte-stable across commits.</summary>
    public static string Version { get; } = ReadVersion();

    private static string ReadVersion()
    {
        var informational = typeof(GeneratorInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 ? informational[..plus] : informational;
    }
}

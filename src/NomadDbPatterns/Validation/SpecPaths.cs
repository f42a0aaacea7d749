using System.Text;

namespace NomadDbPatterns.Validation;

/// <summary>Turns validator property paths (<c>App.Ports[0].Name</c>) into spec paths (<c>app.ports[0].name</c>).</summary>
internal static class SpecPaths
{
    private static readonly HashSet<string> VerbatimChildren = new(StringComparer.Ordinal) { "Env", "Settings", "Secrets" };

    /// <summary>Model records that group keys the spec writes flat on the task (<c>app.mounts</c>, not <c>app.container.mounts</c>).</summary>
    private static readonly HashSet<string> FlatInSpec = new(StringComparer.Ordinal) { "Container" };

    public static string FromPropertyPath(string propertyPath)
    {
        if (string.IsNullOrEmpty(propertyPath))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(propertyPath.Length);
        var segments = propertyPath.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0 || (i > 0 && FlatInSpec.Contains(segment)))
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            var verbatim = i > 0 && VerbatimChildren.Contains(segments[i - 1]);
            builder.Append(verbatim ? segment : char.ToLowerInvariant(segment[0]) + segment[1..]);
        }

        return builder.ToString();
    }
}

using System.Collections.Immutable;

namespace NomadDbPatterns.Model;

/// <summary>
/// Every default a spec or a C# job gets when it says nothing, pinned in one place (like Aspire's pinned image tags):
/// the model's initializers and the YAML mapper both read these, so a YAML spec and a built job never differ.
/// Run-time behaviour on Nomad (kill signals, shutdown delays) lives in Rendering's RuntimeDefaults.
/// </summary>
public static class Defaults
{
    /// <summary>The datacenters a job runs in.</summary>
    public static ImmutableArray<string> Datacenters { get; } = ["dc1"];

    /// <summary>The namespace of a job that names none (Nomad's own default).</summary>
    public const string Namespace = "default";

    /// <summary>The PostgreSQL major version.</summary>
    public const int PostgresVersion = 17;

    /// <summary>The image variant appended to <c>postgres:MAJOR</c>.</summary>
    public const string PostgresVariant = "alpine";

    /// <summary>The port PostgreSQL listens on (the image's default, and the only one on bridge networking).</summary>
    public const int PostgresPort = 5432;

    /// <summary>The app task's CPU (MHz) and memory (MB); no memory_max (it needs memory oversubscription).</summary>
    public static Resources AppResources { get; } = new(200, 256, null);

    /// <summary>The directory on a node that holds static host volumes, one directory per volume.</summary>
    public const string HostVolumePath = "/opt/nomad/volumes";

    /// <summary>The superuser the shared instance's image creates.</summary>
    public const string SharedAdminUser = "postgres";
}

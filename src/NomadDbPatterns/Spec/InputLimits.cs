namespace NomadDbPatterns.Spec;

/// <summary>
/// Bounds on one spec file, so that any input is read in linear time and bounded memory: a file beyond them is an
/// error (NDB007) at the place where the bound was crossed, never a stack overflow or a hang.
/// </summary>
internal static class InputLimits
{
    /// <summary>Largest spec file, in characters (1 MiB). A fleet is many files; one job is a few KB.</summary>
    public const int MaxSpecChars = 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists (the spec format itself needs fewer than 10 levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes in one file, counting every alias as the nodes it stands for (no "billion laughs").</summary>
    public const int MaxNodes = 200_000;

    /// <summary>Longest duration accepted anywhere (Go's <c>time.Duration</c> is int64 nanoseconds: about 292 years).</summary>
    public static readonly TimeSpan MaxDuration = Model.Duration.MaxValue;

    /// <summary>Longest backup interval (a year and a day).</summary>
    public static readonly TimeSpan MaxBackupInterval = TimeSpan.FromDays(366);

    /// <summary>Longest retention age (a hundred years: "keep forever" is keepLast alone).</summary>
    public static readonly TimeSpan MaxRetentionAge = TimeSpan.FromDays(36_500);

    /// <summary>Largest size accepted anywhere (e.g. <c>shmSize</c>): 1 TiB, far below an int64 byte count.</summary>
    public const long MaxSizeBytes = Model.ByteSize.MaxBytes;

    /// <summary>Longest value echoed in a message; longer values are cut with '…'.</summary>
    public const int MaxEchoChars = 60;

    /// <summary>Longest diagnostic message; a longer one is cut with '…'.</summary>
    public const int MaxMessageChars = 600;
}

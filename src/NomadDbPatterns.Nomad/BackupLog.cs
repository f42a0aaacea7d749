using System.Globalization;
using System.Text.RegularExpressions;

namespace NomadDbPatterns.Nomad;

/// <summary>
/// What a backup task's log says about its runs: the lines the generated backup scripts print
/// (templates/scripts/backup-lib.sh: <c>&lt;UTC time&gt; backup ok name=… file=…</c> on stdout,
/// <c>&lt;UTC time&gt; backup FAILED name=… reason="…"</c> and <c>backup STALE …</c> on stderr), and those of the
/// restore drills (<c>drill ok name=… file=…</c>, <c>drill FAILED name=… file=… reason="…"</c>), a timeline of their
/// own: a good backup does not clear a failed drill. Only the newest of each kind is kept.
/// </summary>
/// <param name="LastSuccess">When the newest good backup finished, or null when the log has none.</param>
/// <param name="LastSuccessFile">Its file name.</param>
/// <param name="LastFailure">When the newest failed run ended, or null.</param>
/// <param name="LastFailureReason">Why it failed.</param>
public sealed partial record BackupLog(DateTimeOffset? LastSuccess, string? LastSuccessFile, DateTimeOffset? LastFailure, string? LastFailureReason)
{
    [GeneratedRegex("""^(?<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (?<kind>backup|drill) (?:ok name=\S* file=(?<file>\S+)|FAILED name=\S* (?:file=\S* )?reason="(?<reason>[^"]*)")""", RegexOptions.Multiline)]
    private static partial Regex Runs();

    /// <summary>Continuous archiving's lines: base backups (<c>base backup ok|FAILED</c>) and the archiver (<c>archive ok|FAILED</c>).</summary>
    [GeneratedRegex("""^(?<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (?<kind>base backup|archive) (?:ok name=\S*(?: dir=(?<dir>\S+))?|FAILED name=\S* (?:segment=\S* failures=\S* )?reason="(?<reason>[^"]*)")""", RegexOptions.Multiline)]
    private static partial Regex Archiving();

    /// <summary>Reads the run lines of <paramref name="logs"/> (stdout and stderr tails, in any order).</summary>
    public static BackupLog Parse(params string[] logs)
    {
        var result = new BackupLog(null, null, null, null);
        foreach (Match line in logs.SelectMany(l => Archiving().Matches(l)))
        {
            var time = DateTimeOffset.ParseExact(line.Groups["time"].Value, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            if (line.Groups["reason"].Success)
            {
                if (result.LastArchivingFailure is null || time >= result.LastArchivingFailure)
                {
                    var what = line.Groups["kind"].Value == "archive" ? "WAL archiving" : "base backup";
                    result = result with { LastArchivingFailure = time, LastArchivingFailureReason = $"{what}: {line.Groups["reason"].Value}" };
                }
            }
            else
            {
                if (result.LastArchivingOk is null || time >= result.LastArchivingOk)
                {
                    result = result with { LastArchivingOk = time };
                }

                if (line.Groups["dir"].Success && (result.LastBaseBackup is null || time >= result.LastBaseBackup))
                {
                    result = result with { LastBaseBackup = time, LastBaseBackupDir = line.Groups["dir"].Value };
                }
            }
        }

        foreach (Match run in logs.SelectMany(l => Runs().Matches(l)))
        {
            var time = DateTimeOffset.ParseExact(run.Groups["time"].Value, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            if (run.Groups["kind"].Value == "drill")
            {
                if (run.Groups["file"].Success && (result.LastDrill is null || time >= result.LastDrill))
                {
                    result = result with { LastDrill = time, LastDrillFile = run.Groups["file"].Value };
                }
                else if (run.Groups["reason"].Success && (result.LastDrillFailure is null || time >= result.LastDrillFailure))
                {
                    result = result with { LastDrillFailure = time, LastDrillFailureReason = run.Groups["reason"].Value };
                }
            }
            else if (run.Groups["file"].Success && (result.LastSuccess is null || time >= result.LastSuccess))
            {
                result = result with { LastSuccess = time, LastSuccessFile = run.Groups["file"].Value };
            }
            else if (run.Groups["reason"].Success && (result.LastFailure is null || time >= result.LastFailure))
            {
                result = result with { LastFailure = time, LastFailureReason = run.Groups["reason"].Value };
            }
        }

        return result;
    }

    /// <summary>True when the newest run the log shows failed.</summary>
    public bool LatestFailed => LastFailure is { } failed && (LastSuccess is not { } ok || failed > ok);

    /// <summary>When the newest passing restore drill finished, or null.</summary>
    public DateTimeOffset? LastDrill { get; init; }

    /// <summary>The backup file the newest passing drill restored.</summary>
    public string? LastDrillFile { get; init; }

    /// <summary>When the newest failed restore drill ended, or null.</summary>
    public DateTimeOffset? LastDrillFailure { get; init; }

    /// <summary>Why it failed.</summary>
    public string? LastDrillFailureReason { get; init; }

    /// <summary>When the newest base backup (continuous archiving) finished, or null.</summary>
    public DateTimeOffset? LastBaseBackup { get; init; }

    /// <summary>Its directory on the backup volume.</summary>
    public string? LastBaseBackupDir { get; init; }

    /// <summary>When continuous archiving last showed it works (a base backup, which waits for its WAL to be archived, or the archiver recovering), or null.</summary>
    public DateTimeOffset? LastArchivingOk { get; init; }

    /// <summary>When continuous archiving last failed (a base backup, or the archiver), or null.</summary>
    public DateTimeOffset? LastArchivingFailure { get; init; }

    /// <summary>What failed and why.</summary>
    public string? LastArchivingFailureReason { get; init; }

    /// <summary>True when continuous archiving's newest event is a failure.</summary>
    public bool LatestArchivingFailed => LastArchivingFailure is { } failed && (LastArchivingOk is not { } ok || failed > ok);

    /// <summary>True when the newest restore drill the log shows failed.</summary>
    public bool LatestDrillFailed => LastDrillFailure is { } failed && (LastDrill is not { } ok || failed > ok);
}

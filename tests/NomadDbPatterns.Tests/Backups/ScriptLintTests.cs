using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>The scripts are POSIX sh for dash and busybox ash, and safe to embed in a Nomad template heredoc.</summary>
[TestFixture]
public sealed class ScriptLintTests
{
    // Every shipped script, not a list that a new one could miss.
    private static IEnumerable<string> Scripts() =>
        Directory.EnumerateFiles(BackupScripts.ScriptsDirectory, "*.sh").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    private static string PathOf(string name) => Path.Combine(BackupScripts.ScriptsDirectory, name);

    [TestCaseSource(nameof(Scripts))]
    public void Shellcheck_finds_nothing_for_posix_sh(string script)
    {
        // -x follows `. backup-lib.sh` (source-path=SCRIPTDIR), so the library is checked in context too.
        var result = Shell.Run("shellcheck", ["-s", "sh", "-x", "--severity=style", PathOf(script)], null, BackupScripts.ScriptsDirectory, BackupScripts.Timeout);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdOut + result.StdErr);
        Assert.That(result.StdOut, Is.Empty);
    }

    [TestCaseSource(nameof(Scripts))]
    public void Busybox_ash_parses_it(string script)
    {
        var result = Shell.Run("busybox", ["sh", "-n", PathOf(script)], null, null, BackupScripts.Timeout);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdErr, Is.Empty);
    }

    [TestCaseSource(nameof(Scripts))]
    public void Dash_parses_it(string script)
    {
        var result = Shell.Run("sh", ["-n", PathOf(script)], null, null, BackupScripts.Timeout);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
    }

    [TestCaseSource(nameof(Scripts))]
    public void It_embeds_verbatim_in_a_template_heredoc(string script)
    {
        // "${" and "%{" are HCL interpolation, "{{" and "}}" consul-template actions; a lone "EOT" line would end
        // the heredoc. None of them may appear, so the text needs no escaping at all.
        var text = File.ReadAllText(PathOf(script));

        Assert.That(text, Does.Not.Contain("${").And.Not.Contain("%{").And.Not.Contain("{{").And.Not.Contain("}}"));
        Assert.That(text.Split('\n').Select(l => l.Trim()), Does.Not.Contain("EOT"));
        Assert.That(text, Does.Not.Contain("\r"));
        Assert.That(text, Does.Not.Contain("set -x"));
    }
}

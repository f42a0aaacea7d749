using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>Static checks on the legacy scripts: POSIX sh, and safe to embed verbatim in a Nomad template.</summary>
[TestFixture]
public sealed class LegacyScriptLintTests
{
    private static readonly string[] Scripts = ["init-databases.sh", "migrate-database.sh"];

    [TestCaseSource(nameof(Scripts))]
    public void PassesShellcheckAsPosixSh(string script)
    {
        // shellcheck is installed by .ci/run (apt-get install shellcheck); a missing binary fails the test.
        var result = Shell.Run("shellcheck", ["-s", "sh", "-S", "style", LegacyScripts.ScriptPath(script)],
            null, null, TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.Zero, result.StdOut + result.StdErr);
    }

    [TestCaseSource(nameof(Scripts))]
    public void HoldsNoSequenceThatHclOrConsulTemplateWouldInterpret(string script)
    {
        var text = File.ReadAllText(LegacyScripts.ScriptPath(script));

        // HCL reads "${" and "%{" as template sequences; consul-template (Nomad's template block) reads "{{" / "}}".
        Assert.That(text, Does.Not.Contain("${").And.Not.Contain("%{").And.Not.Contain("{{").And.Not.Contain("}}"));
        Assert.That(text, Does.StartWith("#!/bin/sh\n"));
    }
}

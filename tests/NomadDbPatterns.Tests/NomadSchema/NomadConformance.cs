using System.Text.Json;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>What Nomad would say about a set of job files: parser schema violations, server-rule errors, warnings.
/// Each line starts with the file's name.</summary>
public sealed record ConformanceReport(IReadOnlyList<string> SchemaViolations, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    /// <summary>Schema violations and rule errors together: anything Nomad refuses.</summary>
    public IReadOnlyList<string> Refusals => [.. SchemaViolations, .. Errors];
}

/// <summary>
/// The one check every test of rendered job files calls: the jobspec schema (<see cref="JobspecSchema"/>), then
/// Nomad's server-side rules (<see cref="NomadServerRules"/>) as errors and warnings; host volume specifications and
/// client snippets beside the jobs against <see cref="HostVolumeRules"/>.
/// </summary>
public static class NomadConformance
{
    private static readonly Lazy<JobspecSchema> Schema = new(JobspecSchema.Load);

    /// <summary>Parses every job file in one hcl2json run and checks each.</summary>
    public static ConformanceReport Check(IReadOnlyDictionary<string, string> namedHcl) => Check(Hcl2Json.ParseTexts(namedHcl));

    /// <summary>Checks job files already parsed by hcl2json.</summary>
    public static ConformanceReport Check(IReadOnlyDictionary<string, JsonElement> parsed)
    {
        var schema = new List<string>();
        var errors = new List<string>();
        var warnings = new List<string>();
        foreach (var (name, json) in parsed.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            // The files beside the jobs have rules of their own; policies and the scripts variable are not jobspecs.
            if (name.EndsWith(".volume.hcl", StringComparison.Ordinal))
            {
                errors.AddRange(HostVolumeRules.CheckVolumeSpec(json).Select(finding => $"{name}: {finding}"));
                continue;
            }

            if (name.EndsWith(".client.hcl", StringComparison.Ordinal))
            {
                errors.AddRange(HostVolumeRules.CheckClientSnippet(json).Select(finding => $"{name}: {finding}"));
                continue;
            }

            if (name.EndsWith("policy.hcl", StringComparison.Ordinal) || name.EndsWith(".nv.hcl", StringComparison.Ordinal))
            {
                continue;
            }

            schema.AddRange(Schema.Value.Validate(json).Select(violation => $"{name}: {violation}"));
            foreach (var violation in NomadServerRules.Check(json))
            {
                (violation.Severity == RuleSeverity.Error ? errors : warnings).Add($"{name}: {violation}");
            }
        }

        return new ConformanceReport(schema, errors, warnings);
    }

    /// <summary>Asserts that Nomad v2.0.5 would accept every file without an error or a warning.</summary>
    public static void AssertAccepted(IReadOnlyDictionary<string, string> namedHcl) => AssertAccepted(Check(namedHcl));

    /// <summary>Asserts that Nomad v2.0.5 would accept every parsed file without an error or a warning.</summary>
    public static void AssertAccepted(IReadOnlyDictionary<string, JsonElement> parsed) => AssertAccepted(Check(parsed));

    private static void AssertAccepted(ConformanceReport report) => Assert.Multiple(() =>
    {
        Assert.That(report.SchemaViolations, Is.Empty, () => List("blocks and attributes Nomad's parser or the task driver would not accept", report.SchemaViolations));
        Assert.That(report.Errors, Is.Empty, () => List("Nomad v2.0.5 server-side rules (NOMAD-RULES.md) the jobs break", report.Errors));
        Assert.That(report.Warnings, Is.Empty, () => List("warnings Nomad v2.0.5 would print on register (NOMAD-RULES.md)", report.Warnings));
    });

    private static string List(string title, IReadOnlyList<string> lines) =>
        $"{title} ({lines.Count}):{Environment.NewLine}{string.Join(Environment.NewLine, lines.Select(line => "  " + line))}{Environment.NewLine}";
}

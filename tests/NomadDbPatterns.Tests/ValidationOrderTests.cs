using NomadDbPatterns.Spec;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>A large fleet is validated on every core; its diagnostics must still come out in spec order.</summary>
[TestFixture]
public sealed class ValidationOrderTests
{
    [Test]
    public void A_large_fleet_reports_what_each_job_reports_alone_in_spec_order()
    {
        var jobs = Enumerable.Range(0, 80)
            .SelectMany(i => SpecLoader.LoadText(Spec(i), $"specs/job{i:D2}.yaml").Jobs)
            .ToList();
        Assert.That(jobs, Has.Count.EqualTo(80));

        var together = NomadDb.Validate(jobs).Select(d => d.ToString()).ToList();
        var alone = jobs.SelectMany(job => NomadDb.Validate([job])).Select(d => d.ToString()).ToList();

        Assert.That(alone, Has.Count.GreaterThanOrEqualTo(20), "the fleet must have errors to order");
        Assert.That(together, Is.EqualTo(alone));
    }

    // Every third job has a wrong image and an out-of-range CPU value, so errors come from many jobs.
    private static string Spec(int i) => $$"""
        name: job{{i:D2}}
        app:
          image: {{(i % 3 == 0 ? "not an image" : "ghcr.io/example/app:1.0.0")}}
          ports: [{ name: http, to: 8080 }]
          resources: { cpu: {{(i % 3 == 0 ? 0 : 100)}}, memory: 128 }
        """;
}

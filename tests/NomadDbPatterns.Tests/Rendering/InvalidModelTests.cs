using NomadDbPatterns.Builder;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// An invalid model is never rendered through the public API: a model built in code (records with <c>with</c>, or a
/// builder's <c>Peek()</c>) skips <c>Build()</c>'s validation, so the renderers validate it themselves and throw
/// <see cref="JobValidationException"/> before any file is produced.
/// </summary>
[TestFixture]
public sealed class InvalidModelTests
{
    private static ServiceJob Valid() => NomadJob.Create("svc")
        .WithApp("example/app:1.0", app => app.WithPort("http", 8080))
        .WithPostgres(pg => pg.WithPasswordFromVault("secret/data/postgres/svc"))
        .Build();

    // A literal password and an unsupported PostgreSQL major: errors Build() would have refused.
    private static ServiceJob Invalid()
    {
        var job = Valid();
        return job with
        {
            App = job.App with { Env = job.App.Env.Add(new EnvVar("SMTP_PASSWORD", "Tr0ub4dor&3")) },
            Postgres = job.Postgres! with { Version = 9 },
        };
    }

    [Test]
    public void The_valid_twin_renders() =>
        Assert.That(JobRenderer.Default.Render(Valid(), "svc.yaml").Select(f => f.FileName), Does.Contain("svc.nomad.hcl"));

    [TestCase(JobFormat.Hcl)]
    [TestCase(JobFormat.Json)]
    public void Render_and_RenderTo_refuse_an_invalid_job_before_writing_anything(JobFormat format)
    {
        var sinkCalls = 0;
        var render = Assert.Throws<JobValidationException>(() => JobRenderer.Default.Render(Invalid(), "svc.yaml", format));
        var renderTo = Assert.Throws<JobValidationException>(() => JobRenderer.Default.RenderTo(Invalid(), "svc.yaml", format, (_, _) => sinkCalls++));
        var sideFiles = Assert.Throws<JobValidationException>(() => JobRenderer.Default.RenderVolumesAndPolicies(Invalid(), "svc.yaml", format));

        Assert.That(sinkCalls, Is.Zero);
        foreach (var exception in new[] { render!, renderTo!, sideFiles! })
        {
            Assert.That(exception.Diagnostics.Select(d => (d.Code, d.Path)), Does.Contain((ErrorCodes.LiteralPassword, "app.env.SMTP_PASSWORD")));
            Assert.That(exception.Diagnostics.Select(d => d.Path), Does.Contain("postgres.version"));
            Assert.That(exception.Message, Does.Not.Contain("Tr0ub4dor"), "the credential is never echoed");
        }
    }

    [Test]
    public void The_builder_refuses_what_the_renderer_refuses()
    {
        var builder = NomadJob.Create("svc").WithApp("example/app:1.0", app => app.WithPort("http", 8080).WithEnv("SMTP_PASSWORD", "Tr0ub4dor&3"));
        Assert.Throws<JobValidationException>(() => builder.Build());
        Assert.Throws<JobValidationException>(() => JobRenderer.Default.Render(builder.Peek(), "svc.yaml"));
    }

    [Test]
    public void The_shared_instance_renderer_refuses_an_invalid_instance()
    {
        var valid = new SharedPostgresJob("postgresql", new VaultSecret("secret/data/postgres/admin"))
        {
            Databases = [new SharedDatabase("gitea", "gitea", new NomadVariableSecret("nomad/jobs/postgresql", "gitea_password"))],
            Baseline = ["gitea"],
        };
        Assert.That(SharedPostgresRenderer.Default.Render(valid, "postgresql.yaml").Single().FileName, Is.EqualTo("postgresql.nomad.hcl"));

        var invalid = valid with { Databases = [] };
        var exception = Assert.Throws<JobValidationException>(() => SharedPostgresRenderer.Default.Render(invalid, "postgresql.yaml"));
        Assert.That(exception!.Diagnostics.Select(d => d.Path), Is.EqualTo(new[] { "databases" }));
    }
}

/// <summary><see cref="NomadDb.ValidateSpecs"/> (what <c>nomad-db validate</c> runs) names exactly the files a render writes, keeping none.</summary>
[TestFixture]
public sealed class ValidateSpecsTests
{
    [Test]
    public void It_names_the_files_render_writes_and_finds_what_render_finds()
    {
        var rendered = NomadDb.Render([Infrastructure.RepoPaths.Examples]);
        var validated = NomadDb.ValidateSpecs([Infrastructure.RepoPaths.Examples]);

        Assert.That(rendered.Success, Is.True);
        Assert.That(validated.FileNames, Is.EqualTo(rendered.Files.Select(f => f.FileName)));
        Assert.That(validated.Diagnostics, Is.EqualTo(rendered.Diagnostics));
    }

    [Test]
    public void An_invalid_spec_names_no_file()
    {
        var file = Path.Combine(Path.GetTempPath(), $"validate-specs-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "name: svc\napp: { image: \"a:1\", ports: [{ name: http, to: 80 }, { name: http, to: 81 }] }\n");
        try
        {
            var result = NomadDb.ValidateSpecs([file]);
            Assert.That(result.Success, Is.False);
            Assert.That(result.FileNames, Is.Empty);
            Assert.That(result.Diagnostics.Select(d => d.Location?.Line), Has.Some.EqualTo(2));
        }
        finally
        {
            File.Delete(file);
        }
    }
}

using System.Text.Json;
using NomadDbPatterns.Builder;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// Any PostgreSQL image built on the official one: a registry mirror, pgvector, PostGIS, a digest pin. The major comes
/// from the tag or from <c>postgres.version</c> (both must agree), and the data directory follows it; the uid that owns
/// the data follows the image's base system.
/// </summary>
[TestFixture]
public sealed class PostgresImageTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [TestCase("postgres:17", 17)]
    [TestCase("postgres:17.2-bookworm", 17)]
    [TestCase("postgres:16-alpine3.20", 16)]
    [TestCase("registry.example:5000/library/postgres:16-alpine", 16)]
    [TestCase("pgvector/pgvector:pg17", 17)]
    [TestCase("pgvector/pgvector:0.8.0-pg18-trixie", 18)]
    [TestCase("postgis/postgis:16-3.4", 16)]
    [TestCase("postgis/postgis:16-3.4-alpine", 16)]
    [TestCase("postgres:16@" + Digest, 16)]
    [TestCase("postgres@" + Digest, null)]
    [TestCase("registry.example:5000/postgres", null)]
    [TestCase("postgres:latest", null)]
    [TestCase("ankane/pgvector:v0.5.1", null)]
    [TestCase("example/postgres:20240101", null)]
    public void The_major_is_read_from_the_tag_where_it_shows(string image, int? major) =>
        Assert.That(PostgresImages.MajorOf(image), Is.EqualTo(major));

    [TestCase("postgres:17", null, 999)]
    [TestCase("postgres:17-bookworm", null, 999)]
    [TestCase("registry.example:5000/library/postgres:16-alpine", null, 70)]
    [TestCase("postgres:18-alpine3.22", null, 70)]
    [TestCase("pgvector/pgvector:pg17", null, 999)]
    [TestCase("postgis/postgis:16-3.4", null, 999)]
    [TestCase("postgis/postgis:16-3.4-alpine", null, 70)]
    [TestCase("postgres@" + Digest, "alpine", 70)]
    [TestCase("postgres@" + Digest, "bookworm", 999)]
    [TestCase(null, "alpine", 70)]
    [TestCase(null, "", 999)]
    [TestCase(null, "trixie", 999)]
    public void The_uid_of_the_data_follows_the_base_system(string? image, string? variant, int uid) =>
        Assert.That(PostgresImages.PostgresUid(new PostgresSidecar(new NomadVariableSecret("nomad/jobs/x")) { Image = image, Variant = variant ?? Defaults.PostgresVariant }), Is.EqualTo(uid));

    private static string Spec(string postgres) => $"""
        name: vec
        app:
          image: example/vec:1.0
          ports: [{"{"} name: http, to: 8080 {"}"}]
        postgres:
          password: {"{"} nomadVar: nomad/jobs/vec {"}"}
        {postgres}
        """;

    private static SpecLoadResult Load(string postgres) => SpecLoader.LoadText(Spec(postgres), "spec.yaml");

    private static IReadOnlyList<Diagnostic> Problems(string postgres)
    {
        var loaded = Load(postgres);
        return [.. loaded.Diagnostics, .. NomadDb.Validate(loaded.Jobs)];
    }

    [TestCase("  image: pgvector/pgvector:pg17\n", 17, "/var/lib/postgresql/data", 999)]
    [TestCase("  image: pgvector/pgvector:pg18\n", 18, "/var/lib/postgresql", 999)]
    [TestCase("  image: postgis/postgis:16-3.4\n", 16, "/var/lib/postgresql/data", 999)]
    [TestCase("  image: registry.example:5000/library/postgres:16-alpine\n", 16, "/var/lib/postgresql/data", 70)]
    [TestCase("  image: postgres@" + Digest + "\n  version: 18\n  variant: trixie\n", 18, "/var/lib/postgresql", 999)]
    [TestCase("  image: postgres:16@" + Digest + "\n", 16, "/var/lib/postgresql/data", 999)]
    [TestCase("  image: postgres:17.2-bookworm\n  version: 17\n", 17, "/var/lib/postgresql/data", 999)]
    public void Compatible_images_render_with_the_data_directory_of_their_major(string postgres, int major, string mount, int uid)
    {
        var loaded = Load(postgres);
        Assert.That(Problems(postgres), Is.Empty, string.Join('\n', Problems(postgres)));
        var job = loaded.Jobs.Single().Job;
        Assert.That(job.Postgres!.Version, Is.EqualTo(major));

        var hcl = JobRenderer.Default.Render(job, "spec.yaml").Single().Content;
        var task = Hcl.Block(Hcl.Block(Hcl.Block(Hcl2Json.ParseText(hcl), "job", "vec"), "group", "vec"), "task", "postgres");
        Assert.That(Hcl.Attr(Hcl.Single(task, "config"), "image"), Is.EqualTo(job.Postgres.ImageReference));
        Assert.That(Hcl.Attr(Hcl.Single(task, "volume_mount"), "destination"), Is.EqualTo(mount));
        var env = task.TryGetProperty("env", out var envBlocks) ? envBlocks[0] : default;
        Assert.That(env.ValueKind == JsonValueKind.Object && env.TryGetProperty("PGDATA", out _), Is.EqualTo(major < 18), "PGDATA below the mount up to 17 only");
        Assert.That(hcl, Does.Contain($"uid:gid {uid}:{uid}"));
        NomadSchema.NomadConformance.AssertAccepted(new Dictionary<string, string> { ["vec.nomad.hcl"] = hcl });
    }

    [Test]
    public void An_image_whose_tag_shows_no_major_needs_a_version_with_file_line_and_column()
    {
        var problem = Problems("  image: postgres@" + Digest + "\n").Single();

        Assert.That(problem.Code, Is.EqualTo(ErrorCodes.PostgresVersion));
        Assert.That(problem.ToString(), Does.StartWith("spec.yaml:7:3: error NDB051: cannot tell the PostgreSQL major").And.Contain("give postgres.version").And.EndWith("(postgres.image)"));
    }

    [Test]
    public void A_version_that_disagrees_with_the_tag_is_an_error()
    {
        var problem = Problems("  image: pgvector/pgvector:pg17\n  version: 16\n").Single();

        Assert.That(problem.Code, Is.EqualTo(ErrorCodes.PostgresVersion));
        Assert.That(problem.Message, Does.Contain("tag says PostgreSQL 17, but postgres.version is 16"));
        Assert.That(problem.Path, Is.EqualTo("postgres.image"));
        Assert.That(problem.Location!.Line, Is.EqualTo(7));
    }

    [TestCase("  image: postgres@sha256:abc\n  version: 17\n", ErrorCodes.ImageTag, "64 lower-case hex")]
    [TestCase("  image: postgres:latest\n  version: 17\n", ErrorCodes.ImageTag, "'latest' upgrades it silently")]
    [TestCase("  image: registry.example:5000/postgres\n  version: 17\n", ErrorCodes.ImageTag, "explicit tag or digest")]
    [TestCase("  image: pgvector/pgvector:pg12\n", ErrorCodes.PostgresVersion, "PostgreSQL 12 is not supported")]
    public void Unpinned_or_unsupported_images_are_errors(string postgres, string code, string message)
    {
        var problems = Problems(postgres);

        Assert.That(problems.Select(p => p.Code), Does.Contain(code), string.Join('\n', problems));
        Assert.That(problems.Single(p => p.Code == code).Message, Does.Contain(message));
    }

    [Test]
    public void A_digest_pin_with_latest_is_pinned()
    {
        Assert.That(Problems("  image: postgres:latest@" + Digest + "\n  version: 17\n"), Is.Empty);
    }

    [Test]
    public void The_builder_reads_the_major_from_pgvector_tags()
    {
        var job = NomadJob.Create("vec").WithApp("example/vec:1.0", app => app.WithPort("http", 8080))
            .WithPostgres(pg => pg.WithImage("pgvector/pgvector:pg16")).Build();

        Assert.That(job.Postgres!.Version, Is.EqualTo(16));
    }
}

using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>Reading and validating <c>kind: shared-postgres</c> specs: defaults, the frozen-legacy rule, secrets, strictness.</summary>
[TestFixture]
public sealed class SharedPostgresSpecTests
{
    private const string File = "specs/postgresql.yaml";

    // Line numbers matter: tests below point at them.
    private const string Valid = """
        name: postgresql
        kind: shared-postgres
        postgres:
          version: 16
        adminPassword:
          vault: secret/data/postgres/admin
        databases:
          - name: gitea
            password: { vault: secret/data/postgres/gitea }
            service: gitea
          - name: speedtest
            owner: speedtest_app
            password: { vault: secret/data/postgres/speedtest }
            service: speedtest-tracker
        baseline: [gitea, speedtest]
        backup:
          schedule: "0 0 * * *"
          retention: { keepLast: 7, maxAge: 7d }
        """;

    private static (SpecLoadResult Loaded, List<Diagnostic> Errors) Load(string yaml)
    {
        var loaded = SpecLoader.LoadText(yaml, File);
        var errors = loaded.Diagnostics.Concat(NomadDb.ValidateShared(loaded.SharedInstances)).Concat(FleetValidator.Validate(loaded.Jobs, loaded.SharedInstances))
            .Where(d => d.Severity == Severity.Error).ToList();
        return (loaded, errors);
    }

    [Test]
    public void A_valid_shared_instance_reads_with_its_defaults()
    {
        var (loaded, errors) = Load(Valid);

        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        Assert.That(loaded.Jobs, Is.Empty, "a shared instance is not a service job");
        var job = loaded.SharedInstances.Single().Job;
        Assert.Multiple(() =>
        {
            Assert.That(job.Postgres.ImageReference, Is.EqualTo("postgres:16-alpine"));
            Assert.That(job.Postgres.AdminUser, Is.EqualTo("postgres"));
            Assert.That(job.Postgres.Port, Is.EqualTo(5432));
            Assert.That(job.DataVolumeSource(), Is.EqualTo("postgresql-data"));
            Assert.That(job.Service, Is.EqualTo(new DiscoveryService("postgresql", ServiceProvider.Consul)));
            Assert.That(job.Databases.Select(d => (d.Name, d.Owner, d.Service)),
                Is.EqualTo(new[] { ("gitea", "gitea", "gitea"), ("speedtest", "speedtest_app", "speedtest-tracker") }), "owner defaults to the database name");
            Assert.That(job.Databases[1].Password, Is.EqualTo(new VaultSecret("secret/data/postgres/speedtest")));
            Assert.That(job.Backup!.Format, Is.EqualTo(BackupFormat.PlainGzip), "pg_dumpall writes plain SQL");
            Assert.That(job.Backup.Volume, Is.EqualTo("postgresql-backups"));
            Assert.That(job.AllowNewDatabases, Is.False);
        });
    }

    [Test]
    public void A_database_outside_the_baseline_is_refused_with_position_and_path()
    {
        var yaml = Valid.Replace("baseline: [gitea, speedtest]", "baseline: [gitea]");

        var (_, errors) = Load(yaml);

        var frozen = errors.Single();
        Assert.Multiple(() =>
        {
            Assert.That(frozen.Code, Is.EqualTo(ErrorCodes.FrozenLegacy));
            Assert.That(frozen.Path, Is.EqualTo("databases[1].name"));
            Assert.That(frozen.Location, Is.EqualTo(new SourceLocation(File, 11, 5)), "the `name:` key of the second database");
            Assert.That(frozen.ToString(), Does.StartWith($"{File}:11:5: error NDB080: database 'speedtest' is not in the recorded baseline"));
            Assert.That(frozen.Message, Does.Contain("allowNewDatabases: true"));
        });
    }

    [Test]
    public void AllowNewDatabases_lets_a_database_outside_the_baseline_in()
    {
        var yaml = Valid.Replace("baseline: [gitea, speedtest]", "baseline: [gitea]\nallowNewDatabases: true");

        Assert.That(Load(yaml).Errors, Is.Empty);
    }

    [Test]
    public void A_literal_admin_password_is_refused_without_echoing_it()
    {
        var yaml = Valid.Replace("adminPassword:\n  vault: secret/data/postgres/admin", "adminPassword: hunter2-secret");

        var (_, errors) = Load(yaml);

        var literal = errors.Single();
        Assert.Multiple(() =>
        {
            Assert.That(literal.Code, Is.EqualTo(ErrorCodes.LiteralPassword));
            Assert.That(literal.Path, Is.EqualTo("adminPassword"));
            Assert.That(literal.Location, Is.EqualTo(new SourceLocation(File, 5, 1)), "the adminPassword key");
            Assert.That(literal.ToString(), Does.StartWith($"{File}:5:1: error NDB020:"));
            Assert.That(literal.ToString(), Does.Not.Contain("hunter2"));
        });
    }

    [Test]
    public void A_literal_database_password_is_refused()
    {
        var yaml = Valid.Replace("password: { vault: secret/data/postgres/gitea }", "password: gitea-pw");

        var literal = Load(yaml).Errors.Single();

        Assert.That((literal.Code, literal.Path, literal.Location), Is.EqualTo((ErrorCodes.LiteralPassword, "databases[0].password", new SourceLocation(File, 9, 5))));
        Assert.That(literal.ToString(), Does.Not.Contain("gitea-pw"));
    }

    [TestCase("app:\n  image: x:1\n", ErrorCodes.UnknownKey, "app")]
    [TestCase("preset: gitea\n", ErrorCodes.UnknownKey, "preset")]
    public void Keys_of_service_jobs_are_unknown_here(string extra, string code, string path)
    {
        var error = Load(Valid + "\n" + extra).Errors.Single();

        Assert.That((error.Code, error.Path), Is.EqualTo((code, path)));
        Assert.That(error.Message, Does.Contain("known keys").Or.Contain("did you mean"));
    }

    [TestCase("postgres:\n  version: 16\n", "postgres:\n  version: 16\n  password: { vault: secret/data/x }\n", "postgres.password", "adminPassword")]
    [TestCase("postgres:\n  version: 16\n", "postgres:\n  version: 16\n  database: shared\n", "postgres.database", "databases:")]
    public void Postgres_keys_that_do_not_apply_are_refused(string from, string to, string path, string hint)
    {
        var error = Load(Valid.Replace(from, to)).Errors.Single();

        Assert.That((error.Code, error.Path), Is.EqualTo((ErrorCodes.UnknownKey, path)));
        Assert.That(error.Message, Does.Contain(hint));
    }

    [TestCase("  retention: { keepLast: 7, maxAge: 7d }", "  retention: { keepLast: 7, maxAge: 7d }\n  format: custom", "backup.format")]
    [TestCase("  retention: { keepLast: 7, maxAge: 7d }", "  retention: { keepLast: 7, maxAge: 7d }\n  verify: restore", "backup.verify")]
    [TestCase("  retention: { keepLast: 7, maxAge: 7d }", "  retention: { keepLast: 7, maxAge: 7d }\n  drill: { schedule: \"0 4 * * 0\" }", "backup.drill")]
    [TestCase("  retention: { keepLast: 7, maxAge: 7d }", "  retention: { keepLast: 0 }", "backup.retention.keepLast")]
    [TestCase("  schedule: \"0 0 * * *\"", "  schedule: \"0 0 * *\"", "backup.schedule")]
    [TestCase("  - name: gitea\n", "  - name: gitea\n    owner: speedtest_app\n", "databases[1].owner")]
    [TestCase("  - name: gitea\n", "  - name: gitea\n    owner: postgres\n", "databases[0].owner")]
    [TestCase("  - name: gitea\n", "  - name: Gitea\n", "databases[0].name")]
    [TestCase("kind: shared-postgres\n", "kind: shared-postgres\nservice: { provider: dns }\n", "service.provider")]
    [TestCase("{ vault: secret/data/postgres/gitea }", "{ vault: secret/data/postgres/gitea, role: other }", "databases[0].password.role")]
    public void Invalid_values_are_reported_at_their_path(string from, string to, string path)
    {
        var yaml = Valid.Replace(from, to);
        Assert.That(yaml, Is.Not.EqualTo(Valid), "the test must change the spec");

        var errors = Load(yaml).Errors;

        Assert.That(errors.Select(e => e.Path), Does.Contain(path), string.Join("\n", errors));
        Assert.That(errors.Where(e => e.Path == path).Select(e => e.Location?.File), Has.All.EqualTo(File));
    }

    [Test]
    public void An_unknown_kind_is_an_error()
    {
        var loaded = SpecLoader.LoadText("name: x\nkind: shared-postgress\napp: { image: a:1 }\n", File);

        var error = loaded.Diagnostics.Single();

        Assert.That((error.Code, error.Path, error.Location), Is.EqualTo((ErrorCodes.InvalidValue, "kind", new SourceLocation(File, 2, 1))));
    }

    [Test]
    public void The_fleet_sees_the_shared_instance_port_volume_service_and_name()
    {
        var service = """
            name: wiki
            network: host
            app:
              image: wiki:1
              ports: [{ name: http, to: 5432 }]
              service: { name: postgresql, port: http, provider: consul }
            sqlite: { volume: postgresql-backups }
            """;
        var loaded = SpecLoader.LoadText($"jobs:\n  - {Indent(service)}\n  - {Indent(Valid)}\n", File);
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join("\n", loaded.Diagnostics));

        var fleet = FleetValidator.Validate(loaded.Jobs, loaded.SharedInstances);

        Assert.That(fleet.Select(d => (d.Code, d.Path)), Is.EquivalentTo(new[]
        {
            (ErrorCodes.DuplicateVolume, "jobs[1].backup.volume"),
            (ErrorCodes.PortCollision, "jobs[1].postgres.port"),
            (ErrorCodes.DuplicateService, "jobs[1].service.name"),
        }));
    }

    [Test]
    public void The_volume_lock_keeps_the_shared_instances_major()
    {
        var directory = Directory.CreateTempSubdirectory("nomaddb-shared-lock-");
        try
        {
            var spec = Path.Combine(directory.FullName, "postgresql.yaml");
            var lockPath = Path.Combine(directory.FullName, VolumeLock.FileName);
            System.IO.File.WriteAllText(spec, Valid);
            var first = NomadDb.Render([spec], new RenderOptions { LockPath = lockPath });
            Assert.That(first.Success, Is.True, string.Join("\n", first.Diagnostics));
            System.IO.File.WriteAllText(lockPath, first.Files.Single(f => f.FileName == VolumeLock.FileName).Content);
            Assert.That(VolumeLock.Load(lockPath).Volumes["postgresql-data"], Is.EqualTo(new LockedVolume("postgresql", 16, "postgres", "postgres")));

            System.IO.File.WriteAllText(spec, Valid.Replace("version: 16", "version: 17"));
            var upgraded = NomadDb.Render([spec], new RenderOptions { LockPath = lockPath });

            var error = upgraded.Diagnostics.Single();
            Assert.That((error.Code, error.Path, error.Location?.Line), Is.EqualTo((ErrorCodes.MajorUpgrade, "postgres.version", 4)));
            Assert.That(upgraded.Files, Is.Empty);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Indent(string yaml) => yaml.Replace("\n", "\n    ");
}

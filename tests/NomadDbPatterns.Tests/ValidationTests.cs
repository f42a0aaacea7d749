using System.Collections.Immutable;
using NomadDbPatterns.Builder;
using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>One test per validation rule: the rule fires with its code and path, and a valid job passes.</summary>
[TestFixture]
public sealed class ValidationTests
{
    private static ServiceJob ValidJob() => NomadJob.Create("svc")
        .WithApp("example/app:1.0", app => app.WithPort("http", 8080).WithHttpService("svc", "http", "/health"))
        .WithPostgres(pg => pg.WithVersion(17).WithPasswordFromNomadVariable())
        .WithBackup()
        .Build();

    private static Diagnostic Only(ServiceJob job, string code)
    {
        var errors = NomadDb.Validate([job]);
        Assert.That(errors.Select(e => e.Code), Does.Contain(code), string.Join('\n', errors));
        return errors.First(e => e.Code == code);
    }

    [Test]
    public void Valid_job_passes() => Assert.That(NomadDb.Validate([ValidJob()]), Is.Empty);

    [Test]
    public void Builder_throws_with_every_problem()
    {
        var exception = Assert.Throws<JobValidationException>(() => NomadJob.Create("Bad Name").WithApp("img").Build())!;
        Assert.That(exception.Diagnostics.Select(d => d.Code), Is.SupersetOf(new[] { ErrorCodes.InvalidName, ErrorCodes.ImageTag }));
    }

    [TestCase(12)]
    [TestCase(19)]
    public void Unsupported_postgres_major(int version) =>
        Assert.That(Only(ValidJob() with { Postgres = ValidJob().Postgres! with { Version = version } }, ErrorCodes.PostgresVersion).Path, Is.EqualTo("postgres.version"));

    [Test]
    public void Explicit_image_must_match_the_major() =>
        Assert.That(Only(ValidJob() with { Postgres = ValidJob().Postgres! with { Image = "postgres:16.4-alpine" } }, ErrorCodes.PostgresVersion).Path, Is.EqualTo("postgres.image"));

    [Test]
    public void Postgres_memory_floor_is_nomads()
    {
        var error = Only(ValidJob() with { Postgres = ValidJob().Postgres! with { Resources = new Resources(100, 9, null) } }, ErrorCodes.Resources);
        Assert.That((error.Severity, error.Path), Is.EqualTo((Severity.Error, "postgres.resources.memory")));
    }

    [Test]
    public void Small_postgres_memory_is_a_warning_unless_shared_buffers_is_set()
    {
        var small = ValidJob().Postgres! with { Resources = new Resources(100, 32, null) };

        var warning = Only(ValidJob() with { Postgres = small }, ErrorCodes.Resources);
        var sized = NomadDb.Validate([ValidJob() with { Postgres = small with { Settings = [new("shared_buffers", "8MB")] } }]);
        var enough = NomadDb.Validate([ValidJob() with { Postgres = small with { Resources = new Resources(100, 64, null) } }]);

        Assert.That((warning.Severity, warning.Path), Is.EqualTo((Severity.Warning, "postgres.resources.memory")));
        Assert.That(warning.Message, Does.Contain("shared_buffers"));
        Assert.That(sized, Is.Empty);
        Assert.That(enough, Is.Empty);
        Assert.That(NomadJob.Create("svc").WithApp("example/svc:1.0").WithPostgres(pg => pg.WithPasswordFromNomadVariable().WithResources(100, 32)).Build().Postgres!.Resources.Memory,
            Is.EqualTo(32), "a warning does not stop the builder");
    }

    [Test]
    public void Memory_max_below_memory() =>
        Assert.That(Only(ValidJob() with { App = ValidJob().App with { Resources = new Resources(100, 256, 128) } }, ErrorCodes.Resources).Path, Is.EqualTo("app.resources.memoryMax"));

    [Test]
    public void Vault_path_must_be_kv2() =>
        Assert.That(Only(ValidJob() with { Postgres = ValidJob().Postgres! with { Password = new VaultSecret("secret/postgres/svc") } }, ErrorCodes.SecretReference).Path, Is.EqualTo("postgres.password.vault"));

    [Test]
    public void Nomad_variable_must_be_readable_by_the_job() =>
        Assert.That(Only(ValidJob() with { Postgres = ValidJob().Postgres! with { Password = new NomadVariableSecret("nomad/jobs/other") } }, ErrorCodes.SecretReference).Path, Is.EqualTo("postgres.password.nomadVar"));

    [Test]
    public void Secret_key_must_be_simple() =>
        Assert.That(Only(ValidJob() with { Postgres = ValidJob().Postgres! with { Password = new NomadVariableSecret("nomad/jobs/svc", "a b") } }, ErrorCodes.SecretReference).Path, Is.EqualTo("postgres.password.key"));

    [Test]
    public void Duplicate_port_labels() =>
        Assert.That(Only(ValidJob() with { App = ValidJob().App with { Ports = [new PortMapping("http", 80), new PortMapping("http", 81)] } }, ErrorCodes.Port).Path, Is.EqualTo("app.ports[1].name"));

    [Test]
    public void Host_network_static_port_must_equal_the_container_port() =>
        Assert.That(Only(ValidJob() with { Network = NetworkMode.Host, Postgres = ValidJob().Postgres! with { Port = 5433 }, App = ValidJob().App with { Ports = [new PortMapping("http", 80, 8080)] } }, ErrorCodes.Port).Path, Is.EqualTo("app.ports[0].static"));

    [Test]
    public void Host_network_app_and_database_cannot_share_a_port() =>
        Assert.That(Only(ValidJob() with { Network = NetworkMode.Host, App = ValidJob().App with { Ports = [new PortMapping("http", 5432)] } }, ErrorCodes.Port).Path, Is.EqualTo("postgres.port"));

    [Test]
    public void Bridge_network_keeps_5432() =>
        Assert.That(Only(ValidJob() with { Postgres = ValidJob().Postgres! with { Port = 5433 } }, ErrorCodes.Port).Path, Is.EqualTo("postgres.port"));

    [Test]
    public void Service_must_name_an_existing_port() =>
        Assert.That(Only(ValidJob() with { App = ValidJob().App with { Service = new ServiceRegistration("svc", "web") } }, ErrorCodes.Service).Path, Is.EqualTo("app.service.port"));

    [Test]
    public void Http_check_needs_a_path() =>
        Assert.That(Only(ValidJob() with { App = ValidJob().App with { Service = new ServiceRegistration("svc", "http") { Check = new HealthCheck(CheckType.Http, null) } } }, ErrorCodes.Service).Path, Is.EqualTo("app.service.check.path"));

    [Test]
    public void Bad_cron_is_rejected() =>
        Assert.That(Only(ValidJob() with { Backup = ValidJob().Backup! with { Schedule = new BackupSchedule("61 * * * *", null) } }, ErrorCodes.Schedule).Path, Is.EqualTo("backup.schedule"));

    [Test]
    public void Cron_features_the_script_cannot_evaluate_are_rejected() =>
        Assert.That(Only(ValidJob() with { Backup = ValidJob().Backup! with { Schedule = new BackupSchedule("0 3 L * *", null) } }, ErrorCodes.Schedule).Path, Is.EqualTo("backup.schedule"));

    [Test]
    public void Backwards_cron_range_is_rejected() =>
        Assert.That(Only(ValidJob() with { Backup = ValidJob().Backup! with { Schedule = new BackupSchedule("0 22-1 * * *", null) } }, ErrorCodes.Schedule).Message, Does.Contain("backwards"));

    [Test]
    public void Unknown_time_zone_is_rejected() =>
        Assert.That(Only(ValidJob() with { Backup = ValidJob().Backup! with { Schedule = new BackupSchedule("0 3 * * *", null, "Mars/Olympus") } }, ErrorCodes.Schedule).Path, Is.EqualTo("backup.timeZone"));

    [Test]
    public void Retention_zero_is_rejected() =>
        Assert.That(Only(ValidJob() with { Backup = ValidJob().Backup! with { Retention = new BackupRetention(0, null) } }, ErrorCodes.Retention).Path, Is.EqualTo("backup.retention.keepLast"));

    [Test]
    public void Backup_volume_must_differ_from_the_data_volume() =>
        Assert.That(Only(ValidJob() with { Backup = ValidJob().Backup! with { Volume = "svc-postgres" } }, ErrorCodes.BackupVolume).Path, Is.EqualTo("backup.volume"));

    [Test]
    public void Periodic_backup_needs_postgres()
    {
        var job = ValidJob() with { Postgres = null, Sqlite = new SqliteStorage("svc-data", "/data", "app.db"), Backup = ValidJob().Backup! with { Placement = BackupPlacement.Periodic } };
        Assert.That(Only(job, ErrorCodes.PeriodicBackup).Path, Is.EqualTo("backup.placement"));
    }

    [Test]
    public void Periodic_backup_needs_a_cron_schedule() =>
        Assert.That(Only(ValidJob() with { Backup = ValidJob().Backup! with { Placement = BackupPlacement.Periodic, Schedule = new BackupSchedule(null, "6h") } }, ErrorCodes.PeriodicBackup).Path, Is.EqualTo("backup.schedule"));

    [Test]
    public void Template_destination_must_be_in_the_task_dir() =>
        Assert.That(Only(ValidJob() with { App = ValidJob().App with { Templates = [new TemplateFile("/etc/passwd", "x")] } }, ErrorCodes.InvalidValue).Path, Is.EqualTo("app.templates[0].destination"));

    [Test]
    public void Unknown_placeholder_in_database_wiring() =>
        Assert.That(Only(ValidJob() with { App = ValidJob().App with { Database = new DatabaseWiring { Env = [new EnvVar("DB", "{hots}")] } } }, ErrorCodes.InvalidValue).Path, Is.EqualTo("app.database.env.DB"));

    [Test]
    public void Env_names_keep_their_case_in_paths() =>
        Assert.That(Only(ValidJob() with { App = ValidJob().App with { Env = [new EnvVar("1BAD", "x")] } }, ErrorCodes.InvalidName).Path, Is.EqualTo("app.env.1BAD"));

    [Test]
    public void Both_sqlite_and_postgres_is_an_error() =>
        Assert.That(Only(ValidJob() with { Sqlite = new SqliteStorage("svc-data", "/data", "a.db") }, ErrorCodes.InvalidValue).Path, Is.EqualTo("sqlite"));

    [Test]
    public void Volume_destinations_are_unique()
    {
        var app = ValidJob().App with { Volumes = ImmutableArray.Create(new AppVolume("a", "svc-a", "/data"), new AppVolume("b", "svc-b", "/data")) };
        Assert.That(Only(ValidJob() with { App = app }, ErrorCodes.Volume).Path, Is.EqualTo("app.volumes[1].destination"));
    }
    [Test]
    public void Default_database_name_must_be_a_plain_identifier()
    {
        var job = ValidJob() with { Name = "1svc", Postgres = ValidJob().Postgres! with { Password = new NomadVariableSecret("nomad/jobs/1svc") } };
        var error = Only(job, ErrorCodes.InvalidName);
        Assert.That((error.Path, error.Message), Is.EqualTo(("postgres.database", "the default database name '1svc' is not a plain identifier; set postgres.database")));
    }

    [Test]
    public void Job_dependent_rules_see_the_job_being_validated_not_an_earlier_one()
    {
        // The child validators are shared between jobs: each validation must read its own job.
        var bridge = ValidJob() with { Postgres = ValidJob().Postgres! with { Port = 5433 } };
        var host = bridge with { Name = "other", Network = NetworkMode.Host, Postgres = bridge.Postgres! with { Password = new NomadVariableSecret("nomad/jobs/other") } };
        // Each job alone (the same jobs together also break the fleet's rules: CodeFleetTests).
        var errors = new[] { bridge, host, bridge }.SelectMany(job => NomadDb.Validate([job])).ToList();
        Assert.That(errors.Select(e => (e.Code, e.Path)), Is.EqualTo(new[] { (ErrorCodes.Port, "postgres.port"), (ErrorCodes.Port, "postgres.port") }), string.Join('\n', errors));
    }

    [Test]
    public void Part_validators_work_alone_when_given_the_job()
    {
        var job = ValidJob() with { Postgres = ValidJob().Postgres! with { Port = 5433 } };
        var result = new PostgresSidecarValidator(job).Validate(job.Postgres!);
        Assert.That(result.Errors.Select(e => e.ErrorCode), Is.EqualTo(new[] { ErrorCodes.Port }));
    }
}

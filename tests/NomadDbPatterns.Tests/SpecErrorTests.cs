using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>Bad YAML input: each error names file, line, column, code and spec path.</summary>
[TestFixture]
public sealed class SpecErrorTests
{
    private const string Valid = """
        name: svc
        app:
          image: example/app:1.0
          ports:
            - name: http
              to: 8080
        postgres:
          password:
            nomadVar: nomad/jobs/svc
        """;

    private static List<Diagnostic> Errors(string yaml, string file = "specs/svc.yaml")
    {
        var loaded = SpecLoader.LoadText(yaml, file);
        return [.. loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error)];
    }

    private static Diagnostic Single(string yaml)
    {
        var errors = Errors(yaml);
        Assert.That(errors, Has.Count.EqualTo(1), string.Join('\n', errors));
        return errors[0];
    }

    [Test]
    public void A_valid_spec_has_no_errors() => Assert.That(Errors(Valid), Is.Empty);

    [Test]
    public void Unknown_key_is_reported_at_its_position_with_a_suggestion()
    {
        var error = Single(Valid.Replace("  image: example/app:1.0", "  imagee: example/app:1.0\n  image: example/app:1.0"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.UnknownKey));
        Assert.That(error.Path, Is.EqualTo("app.imagee"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation("specs/svc.yaml", 3, 3)));
        Assert.That(error.Message, Does.Contain("did you mean 'image'"));
        Assert.That(error.ToString(), Does.StartWith("specs/svc.yaml:3:3: error NDB003: unknown key 'imagee'"));
    }

    [Test]
    public void Duplicate_key_is_an_error_naming_the_first_definition()
    {
        var error = Single(Valid.Replace("name: svc", "name: svc\nname: other"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.DuplicateKey));
        Assert.That(error.Location!.Line, Is.EqualTo(2));
        Assert.That(error.Message, Does.Contain("line 1"));
    }

    [Test]
    public void Literal_password_is_an_error_and_the_secret_is_not_echoed()
    {
        var error = Single(Valid.Replace("  password:\n    nomadVar: nomad/jobs/svc", "  password: hunter2-secret"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.LiteralPassword));
        Assert.That(error.Path, Is.EqualTo("postgres.password"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation("specs/svc.yaml", 8, 3)));
        Assert.That(error.ToString(), Does.Not.Contain("hunter2"));
    }

    [Test]
    public void A_literal_heartbeat_url_is_an_error_and_not_echoed_and_an_unreadable_variable_is_refused()
    {
        var literal = Single(Valid + "\nbackup:\n  heartbeat: https://hc-ping.com/5f1c0ffe-secret\n");
        var foreign = Single(Valid + "\nbackup:\n  heartbeat: { nomadVar: nomad/jobs/other }\n");

        Assert.That((literal.Code, literal.Path), Is.EqualTo((ErrorCodes.LiteralPassword, "backup.heartbeat")));
        Assert.That(literal.Location, Is.EqualTo(new SourceLocation("specs/svc.yaml", 11, 3)));
        Assert.That(literal.ToString(), Does.Contain("a literal heartbeat URL is not allowed").And.Not.Contain("5f1c0ffe"));
        Assert.That((foreign.Code, foreign.Path), Is.EqualTo((ErrorCodes.SecretReference, "backup.heartbeat.nomadVar")));
        Assert.That(foreign.Location!.Line, Is.EqualTo(11));
        Assert.That(Errors(Valid + "\nbackup:\n  heartbeat: { nomadVar: nomad/jobs/svc, key: hc_url }\n"), Is.Empty);
    }

    [Test]
    public void Image_without_tag_is_an_error()
    {
        var error = Single(Valid.Replace("example/app:1.0", "example/app"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.ImageTag));
        Assert.That(error.Path, Is.EqualTo("app.image"));
        Assert.That(error.Location!.Line, Is.EqualTo(3));
    }

    [Test]
    public void Database_image_tagged_latest_is_an_error()
    {
        var error = Errors(Valid.Replace("  password:", "  image: postgres:latest\n  password:")).First(e => e.Code == ErrorCodes.ImageTag);
        Assert.That(error.Path, Is.EqualTo("postgres.image"));
    }

    [Test]
    public void Bad_job_name_is_an_error()
    {
        var error = Single(Valid.Replace("name: svc", "name: My Service").Replace("nomad/jobs/svc", "nomad/jobs/My Service"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.InvalidName));
        Assert.That(error.Path, Is.EqualTo("name"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation("specs/svc.yaml", 1, 1)));
    }

    [Test]
    public void Wrong_type_is_reported()
    {
        var error = Single(Valid.Replace("to: 8080", "to: eighty"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.WrongType));
        Assert.That(error.Path, Is.EqualTo("app.ports[0].to"));
        Assert.That(error.Location!.Line, Is.EqualTo(6));
    }

    [Test]
    public void Errors_in_a_jobs_list_carry_the_index()
    {
        var yaml = "jobs:\n" + string.Join('\n', (Valid + "\n").Split('\n').Select((l, i) => l.Length == 0 ? l : (i == 0 ? "  - " : "    ") + l))
            + "\n" + string.Join('\n', Valid.Replace("svc", "two").Replace("example/app:1.0", "example/app").Split('\n').Select((l, i) => (i == 0 ? "  - " : "    ") + l));
        var error = Errors(yaml).Single();
        Assert.That(error.Path, Is.EqualTo("jobs[1].app.image"));
        Assert.That(error.Location!.Line, Is.EqualTo(14));
    }

    [Test]
    public void Yaml_syntax_error_has_a_position()
    {
        var error = Single("name: svc\napp: [unclosed\n");
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.YamlSyntax));
        Assert.That(error.Location!.Line, Is.GreaterThanOrEqualTo(2));
    }

    [TestCase("backup:\n  schedule: \"0 25 * * *\"\n", "NDB040", "backup.schedule", 11)]
    [TestCase("backup:\n  retention: { keepLast: 0 }\n", "NDB041", "backup.retention.keepLast", 11)]
    [TestCase("backup:\n  volume: svc-postgres\n", "NDB042", "backup.volume", 11)]
    [TestCase("backup:\n  timeZone: Nowhere/Land\n", "NDB040", "backup.timeZone", 11)]
    public void Invalid_backup_settings_are_reported_at_their_position(string backup, string code, string path, int line)
    {
        var error = Errors(Valid + "\n" + backup).Single();
        Assert.That(error.Code, Is.EqualTo(code));
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error.Location!.File, Is.EqualTo("specs/svc.yaml"));
        Assert.That(error.Location.Line, Is.EqualTo(line));
    }

    [TestCase("backup:\n  drill: { schedule: \"0 4 * * 8\" }\n", "NDB040", "backup.drill.schedule", 11, 12, "'0 4 * * 8' is not a valid cron expression")]
    [TestCase("backup:\n  drill: { schedule: \"@weekly\", timeZone: Nowhere/Land }\n", "NDB040", "backup.drill.timeZone", 11, 33, "not an IANA time zone")]
    [TestCase("backup:\n  drill: { timeZone: UTC }\n", "NDB040", "backup.drill.schedule", 11, 3, "a drill needs a `schedule`")]
    [TestCase("backup:\n  placement: periodic\n  timeZone: Europe/Berlin\n  drill:\n    schedule: \"0 4 * * 0\"\n    timeZone: UTC\n", "NDB043", "backup.drill.timeZone", 15, 5, "one time_zone")]
    public void Invalid_drill_settings_are_reported_at_their_position(string backup, string code, string path, int line, int column, string message)
    {
        var error = Errors(Valid + "\n" + backup).Single();
        Assert.That((error.Code, error.Path, error.Location), Is.EqualTo((code, path, new SourceLocation("specs/svc.yaml", line, column))), error.ToString());
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void A_drill_of_sqlite_backups_is_refused()
    {
        var yaml = "name: svc\napp:\n  image: example/app:1.0\nsqlite:\n  volume: svc-data\n  destination: /data\n  file: app.db\nbackup:\n  drill: { schedule: \"0 4 * * 0\" }\n";
        var error = Errors(yaml).Single();
        Assert.That((error.Code, error.Path, error.Location), Is.EqualTo((ErrorCodes.InvalidValue, "backup.drill", new SourceLocation("specs/svc.yaml", 9, 3))));
        Assert.That(error.Message, Does.Contain("SQLite backups have no drill"));
    }

    [Test]
    public void Periodic_backup_without_a_database_service_is_rejected()
    {
        var yaml = "name: svc\napp:\n  image: example/app:1.0\nsqlite:\n  volume: svc-data\n  destination: /data\n  file: app.db\nbackup:\n  placement: periodic\n";
        var error = Errors(yaml).Single();
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.PeriodicBackup));
        Assert.That(error.Path, Is.EqualTo("backup.placement"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation("specs/svc.yaml", 9, 3)));
    }

    [Test]
    public void Unknown_preset_lists_the_known_ones()
    {
        var error = Single(Valid.Replace("name: svc", "name: svc\npreset: vaultwardn"));
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.UnknownPreset));
        Assert.That(error.Message, Does.Contain("vaultwarden"));
    }

    [Test]
    public void Preset_values_are_overridden_by_the_spec()
    {
        var loaded = SpecLoader.LoadText("""
            name: vw
            preset: vaultwarden
            app:
              image: vaultwarden/server:1.30.0
            postgres:
              password: { vault: secret/data/postgres/vw }
            """, "vw.yaml");
        Assert.That(loaded.Diagnostics, Is.Empty);
        var job = loaded.Jobs.Single().Job;
        Assert.That(job.App.Image, Is.EqualTo("vaultwarden/server:1.30.0"));
        Assert.That(job.App.Service!.Check!.Path, Is.EqualTo("/alive"), "the preset's check survives");
        Assert.That(job.App.Volumes.Single().Source, Is.EqualTo("vw-data"), "{job} is the job name");
    }
}

using NomadDbPatterns.Builder;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Hostile;

/// <summary>
/// The input side of hardening: bounded input, checked durations and sizes, schedules that fire, secret paths,
/// control characters and template sequences, errors in the user's file with a path, and the secret policy.
/// </summary>
[TestFixture]
public sealed class InputHardeningTests
{
    private const string File = "specs/svc.yaml";

    private const string Valid = """
        name: svc
        app:
          image: example/app:1.0
          ports: [{ name: http, to: 8080 }]
        postgres:
          password: { nomadVar: nomad/jobs/svc }

        """;

    private static List<Diagnostic> Errors(string yaml)
    {
        var loaded = SpecLoader.LoadText(yaml, File);
        return [.. loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Concat(NomadDb.ValidateShared(loaded.SharedInstances))
            .Where(d => d.Severity == Severity.Error)];
    }

    private static Diagnostic Single(string yaml, string code)
    {
        var errors = Errors(yaml);
        Assert.That(errors.Where(e => e.Code == code).ToList(), Has.Count.EqualTo(1), string.Join('\n', errors));
        return errors.Single(e => e.Code == code);
    }

    [Test]
    public void A_valid_spec_has_no_errors() => Assert.That(Errors(Valid), Is.Empty);

    // ---- bounded input

    [TestCase("{a: ", "}", 24_000)]
    [TestCase("[", "]", 24_000)]
    [TestCase("{a: [", "]}", 5_000)]
    public void Deep_nesting_is_an_input_limit_error_not_a_stack_overflow(string open, string close, int levels)
    {
        var yaml = "name: svc\nnested: " + string.Concat(Enumerable.Repeat(open, levels)) + "1" + string.Concat(Enumerable.Repeat(close, levels)) + "\n";
        var error = Single(yaml, ErrorCodes.InputLimit);
        Assert.That(error.Message, Does.Contain($"more than {InputLimits.MaxDepth} levels"));
        Assert.That(error.Path, Does.StartWith("nested"));
        // The reader stops where the limit is crossed: the position is near the start of the line, not its end.
        Assert.That(error.Location!.Line, Is.EqualTo(2));
        Assert.That(error.Location.Column, Is.LessThan(InputLimits.MaxDepth * 8));
    }

    [Test]
    public void Nesting_up_to_the_limit_is_read()
    {
        var yaml = "name: svc\nnested: " + new string('[', InputLimits.MaxDepth - 1) + new string(']', InputLimits.MaxDepth - 1) + "\n";
        Assert.That(Errors(yaml).Select(e => e.Code), Does.Not.Contain(ErrorCodes.InputLimit));
    }

    [Test]
    public void An_alias_bomb_is_an_input_limit_error()
    {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n"));
        var error = Single(yaml, ErrorCodes.InputLimit);
        Assert.That(error.Message, Does.Contain("aliases"));
    }

    [Test]
    public void A_file_beyond_the_size_limit_is_an_input_limit_error()
    {
        var yaml = Valid + "# " + new string('x', InputLimits.MaxSpecChars) + "\n";
        var error = Single(yaml, ErrorCodes.InputLimit);
        Assert.That(error.Location, Is.EqualTo(new SourceLocation(File, 1, 1)));
    }

    [Test]
    public void A_scanner_exception_from_the_yaml_library_is_a_syntax_error()
    {
        // YamlDotNet's scanner throws InvalidOperationException (not YamlException) on this unclosed flow mapping.
        var error = Single(Valid + "network: { a: \"x\" \nupdate: {}\n", ErrorCodes.YamlSyntax);
        Assert.That(error.Location!.File, Is.EqualTo(File));
    }

    [TestCase("name: svc\0\n", 1, 10)]
    [TestCase("name: svc\n# \u001b[2J\n", 2, 3)]
    [TestCase("name: \"a\u0007b\"\n", 1, 9)]
    public void Raw_non_printable_characters_are_unsafe_text_at_their_position(string yaml, int line, int column)
    {
        var error = Single(yaml, ErrorCodes.UnsafeText);
        Assert.That(error.Location, Is.EqualTo(new SourceLocation(File, line, column)));
    }

    // ---- checked arithmetic

    [TestCase("999999999d")]
    [TestCase("99999999999999999999h")]
    [TestCase("999999999999d999999999999d")]
    [TestCase("9223372036854775807ms")]
    public void Durations_beyond_gos_range_do_not_parse(string value) => Assert.That(Rules.TryParseDuration(value, out _), Is.False);

    [Test]
    public void The_longest_go_duration_parses()
    {
        Assert.That(Rules.TryParseDuration("2562047h", out var longest), Is.True);
        Assert.That(longest, Is.EqualTo(TimeSpan.FromHours(2_562_047)));
        Assert.That(Rules.TryParseDuration("2562048h", out _), Is.False);
    }

    [TestCase("backup: { interval: 999999999d, retention: { keepLast: 3 } }", "backup.interval", ErrorCodes.Schedule)]
    [TestCase("backup: { retention: { keepLast: 3, maxAge: 999999999d } }", "backup.retention.maxAge", ErrorCodes.Retention)]
    [TestCase("update: { healthyDeadline: 999999999999h }", "update.healthyDeadline", ErrorCodes.InvalidValue)]
    [TestCase("update: { minHealthyTime: 99999999999999999999s }", "update.minHealthyTime", ErrorCodes.InvalidValue)]
    public void Overflowing_durations_are_errors_at_their_path(string extra, string path, string code)
    {
        var error = Single(Valid + extra + "\n", code);
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error.Location!.File, Is.EqualTo(File));
    }

    [TestCase("99999999999999999999GB")]
    [TestCase("9223372036854775807KB")]
    [TestCase("2048GB")]
    public void Sizes_beyond_the_limit_are_no_sizes(string value)
    {
        Assert.That(new ByteSize(value).Bytes, Is.Null);
        var error = Single(Valid + $"  shmSize: {value}\n", ErrorCodes.InvalidValue);
        Assert.That(error.Path, Is.EqualTo("postgres.shmSize"));
    }

    // Found by the fuzzer (seed 1423973648): a folded scalar with no text ('>') is an empty size, and a unit
    // without digits must be reported, not crash the message builder.
    [TestCase("\"\"")]
    [TestCase(">")]
    [TestCase("MB")]
    [TestCase("B")]
    public void Sizes_without_digits_are_errors_not_exceptions(string value)
    {
        var error = Single(Valid + $"  shmSize: {value}\n", ErrorCodes.InvalidValue);
        Assert.That(error.Path, Is.EqualTo("postgres.shmSize"));
        Assert.That(error.Message, Does.Contain("is a size such as"));
    }

    [Test]
    public void One_tebibyte_is_the_largest_size() => Assert.That(new ByteSize("1024GB").Bytes, Is.EqualTo(InputLimits.MaxSizeBytes));

    // ---- schedules that fire

    [TestCase("0 3 30 2 *")]
    [TestCase("0 3 31 4 *")]
    [TestCase("0 0 31 6,9,11 *")]
    public void A_cron_that_never_fires_is_an_error(string cron)
    {
        var schedule = new CronSchedule(cron);
        Assert.That(schedule.IsValid, Is.False);
        Assert.That(schedule.Problem, Does.Contain("never fires"));
    }

    [TestCase("0 3 29 2 *")]
    [TestCase("0 0 31 * *")]
    [TestCase("@yearly")]
    public void A_rare_cron_that_fires_is_fine(string cron) => Assert.That(new CronSchedule(cron).IsValid, Is.True);

    // ---- secret paths

    [TestCase("secret/data/../x", "'..'")]
    [TestCase("secret/data/./x", "'.'")]
    [TestCase("secret/data//x", "empty")]
    [TestCase("secret/data/x/", "empty")]
    [TestCase("/secret/data/x", "empty")]
    [TestCase("secret/data/x\" }}{{ env \"HOME", "characters")]
    public void Vault_paths_are_checked_segment_by_segment(string path, string problem)
    {
        var error = Single(Valid.Replace("{ nomadVar: nomad/jobs/svc }", $"{{ vault: '{path}' }}"), ErrorCodes.SecretReference);
        Assert.That(error.Path, Is.EqualTo("postgres.password.vault"));
        Assert.That(error.Message, Does.Contain(problem).And.Not.Contain(path));
    }

    [Test]
    public void A_password_typed_as_a_secret_path_is_never_echoed()
    {
        foreach (var field in new[] { "nomadVar", "vault" })
        {
            var errors = Errors(Valid.Replace("{ nomadVar: nomad/jobs/svc }", $"{{ {field}: 'Tr0ub4dor&3' }}"));
            Assert.That(errors, Is.Not.Empty);
            Assert.That(string.Join('\n', errors), Does.Not.Contain("Tr0ub4dor"));
        }

        var whole = Errors(Valid.Replace("  password: { nomadVar: nomad/jobs/svc }\n", string.Empty).Replace("postgres:", "postgres: Tr0ub4dor&3"));
        Assert.That(whole.Select(e => e.Code), Does.Contain(ErrorCodes.WrongType));
        Assert.That(string.Join('\n', whole), Does.Not.Contain("Tr0ub4dor"));
    }

    // ---- control characters and template sequences

    [TestCase("app.env.MODE", "  env: { MODE: \"a\\nb\" }")]
    [TestCase("app.user", "  user: \"a\\u202eb\"")]
    [TestCase("app.command", "  command: \"a\\rb\"")]
    public void Control_characters_in_values_are_unsafe_text(string path, string line)
    {
        var error = Single(Valid.Replace("  ports:", line + "\n  ports:"), ErrorCodes.UnsafeText);
        Assert.That(error.Path, Is.EqualTo(path));
    }

    [Test]
    public void Template_data_may_span_lines_and_hold_consul_template()
    {
        var yaml = Valid.Replace("  ports:", "  templates:\n    - destination: local/a.conf\n      data: \"a = {{ env \\\"NOMAD_REGION\\\" }}\\n\\tb\\n\"\n  ports:");
        Assert.That(Errors(yaml), Is.Empty);
    }

    [TestCase("{{ env \"HOME\" }}")]
    [TestCase("x}}")]
    public void Consul_template_delimiters_in_database_env_values_are_rejected(string value)
    {
        var job = NomadJob.Create("svc")
            .WithApp("example/app:1.0", app => app.WithPort("http", 8080).WithDatabaseEnv("DB_HOST", value))
            .WithPostgres(pg => pg.WithPasswordFromNomadVariable());
        var errors = NomadDb.Validate([job.Peek()]);
        Assert.That(errors.Select(e => (e.Code, e.Path)), Does.Contain((ErrorCodes.UnsafeText, "app.database.env.DB_HOST")));
    }

    [Test]
    public void Braces_in_plain_env_values_pass_through() =>
        Assert.That(Errors(Valid.Replace("  ports:", "  env: { GREETING: \"{{ hi }} ${NOMAD_ALLOC_DIR}\" }\n  ports:")), Is.Empty);

    // ---- errors in the user's file, with a path

    [Test]
    public void A_preset_error_is_located_at_the_users_preset_line_and_names_the_preset_key()
    {
        var yaml = "name: vaultwarden\npreset: vaultwarden\napp:\n  ports: [{ name: web, to: 80 }]\npostgres:\n  password: { nomadVar: nomad/jobs/vaultwarden }\n";
        var error = Single(yaml, ErrorCodes.Service);
        Assert.That(error.Location!.File, Is.EqualTo(File));
        Assert.That((error.Location.Line, error.Location.Column), Is.EqualTo((2, 9)));
        Assert.That(error.Location.Origin, Does.Contain("preset 'vaultwarden', key app.service.port"));
        Assert.That(error.ToString(), Does.StartWith($"{File}:2:9: error NDB032").And.Contain("[from preset 'vaultwarden', key app.service.port").And.Not.Contain("preset:vaultwarden:"));
    }

    [Test]
    public void A_duplicate_key_has_a_spec_path()
    {
        var error = Single(Valid.Replace("  ports:", "  env:\n    A: x\n    A: y\n  ports:"), ErrorCodes.DuplicateKey);
        Assert.That(error.Path, Is.EqualTo("app.env.A"));
    }

    [Test]
    public void A_backup_without_a_database_has_a_single_path()
    {
        var error = Single("name: svc\napp: { image: \"x/a:1\" }\nbackup: { retention: { keepLast: 3 } }\n", ErrorCodes.InvalidValue);
        Assert.That(error.Path, Is.EqualTo("backup"));
    }

    [Test]
    public void A_bad_setting_is_named_by_its_key()
    {
        var error = Single(Valid + "  settings: { max_connections: \"50\", Work-Mem: \"4MB\" }\n", ErrorCodes.InvalidValue);
        Assert.That(error.Path, Is.EqualTo("postgres.settings.Work-Mem"));
        Assert.That(error.Message, Does.Contain("'Work-Mem'"));
    }

    [Test]
    public void Every_diagnostic_is_one_line_and_echoed_values_are_cut()
    {
        var errors = Errors("name: \"Bad\\nspec.yaml:1:1: error NDB000: forged\"\napp: { image: \"" + new string('x', 500) + "\" }\n\"k\\u0007\": 1\n");
        Assert.That(errors, Is.Not.Empty);
        foreach (var error in errors)
        {
            var line = error.ToString();
            Assert.That(line.IndexOfAny(['\n', '\r', '\u0007']), Is.EqualTo(-1), line);
            Assert.That(line.Contains(new string('x', 100), StringComparison.Ordinal), Is.False, line);
        }

        var forged = new Diagnostic(Severity.Error, ErrorCodes.InvalidValue, "a\nb:1:1: error X", "p\rq", new SourceLocation("f\n.yaml", 1, 1));
        Assert.That(forged.ToString(), Is.EqualTo("f\\n.yaml:1:1: error NDB006: a\\nb:1:1: error X (p\\rq)"));
    }

    // ---- the secret policy

    [TestCase("DB_PASSWORD", "hunter2", true)]
    [TestCase("adminToken", "hunter2", true)]
    [TestCase("APP_KEY", "base64:abc", true)]
    [TestCase("SECRET_KEY_BASE", "abc", true)]
    [TestCase("API_KEY", "abc", true)]
    [TestCase("SMTP_PASS", "abc", true)]
    [TestCase("PASSWORD_ITERATIONS", "600000", false)]
    [TestCase("PASSWORD_HINTS_ALLOWED", "false", false)]
    [TestCase("DB_PASSWORD_FILE", "/secrets/db-password", false)]
    [TestCase("FILE__DB_PASSWORD", "/secrets/db-password", false)]
    [TestCase("DB_PASSWORD", "{password}", false)]
    [TestCase("DB_PASSWORD", "${NOMAD_SECRETS_DIR}/pw", false)]
    [TestCase("ADMIN_TOKEN", "", false)]
    [TestCase("DISABLE_ADMIN_TOKEN", "true", false)]
    [TestCase("MONKEY", "banana", false)]
    [TestCase("PASSWORD_SEED_VALUE", "q8Zr3kPz1xWv9LmT4sNb", true)]
    [TestCase("password_encryption", "scram-sha-256", false)]
    [TestCase("DATABASE_URL", "postgresql://u:hunter2@db/x", true)]
    [TestCase("DATABASE_URL", "postgresql://{user}:{passwordUrlEncoded}@{address}/{database}", false)]
    [TestCase("DATABASE_URL", "postgresql://u@db/x", false)]
    [TestCase("NOTES", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", true)]
    [TestCase("ID", "550e8400-e29b-41d4-a716-446655440000", false)]
    public void Named_values(string name, string value, bool credential) =>
        Assert.That(SecretPolicy.CheckNamed(name, value), credential ? Is.Not.Null : Is.Null);

    [TestCase("nomad/jobs/j1234")]
    [TestCase("nomad/jobs/speedtest-tracker2/speedtest-tracker2")]
    [TestCase("secret/data/postgres/MyApp2024x")]
    [TestCase("550e8400-e29b-41d4-a716-446655440000")]
    [TestCase("postgres:17.2-alpine3.21")]
    [TestCase("traefik.http.routers.app.rule=Host(`app.example.com`)")]
    public void Ordinary_values_do_not_look_like_credentials(string value) => Assert.That(SecretPolicy.LooksLikeCredential(value), Is.False);

    [TestCase("q8Zr3kPz1xWv9LmT4sNb")]
    [TestCase("nomad/jobs/q8Zr3kPz1xWv9LmT4sNb")]
    [TestCase("hvs.CAESIJlU9JMYEhOPYv4igdhm9PnK")]
    public void Random_strings_and_tokens_look_like_credentials(string value) => Assert.That(SecretPolicy.LooksLikeCredential(value), Is.True);

    [Test]
    public void A_fleet_of_jobs_with_digits_in_their_names_is_valid()
    {
        var yaml = "jobs:\n" + string.Concat(Enumerable.Range(0, 300).Select(i =>
            $"  - {{ name: job{i}, app: {{ image: \"a:1\", ports: [{{ name: http, to: 80 }}] }}, postgres: {{ password: {{ nomadVar: nomad/jobs/job{i} }} }} }}\n"));
        Assert.That(Errors(yaml), Is.Empty);
    }

    [Test]
    public void Args_template_lines_and_tags_are_checked()
    {
        Assert.That(SecretPolicy.CheckArgs(["--password=hunter2"]).Select(f => f.Index), Is.EqualTo(new[] { 0 }));
        Assert.That(SecretPolicy.CheckArgs(["serve", "--db-password", "hunter2"]).Select(f => f.Index), Is.EqualTo(new[] { 2 }));
        Assert.That(SecretPolicy.CheckArgs(["--password-file", "/secrets/pw", "-v"]), Is.Empty);
        Assert.That(SecretPolicy.CheckTemplate("user: a\npassword: \"hunter2\"\n").Select(f => f.Line), Is.EqualTo(new[] { 2 }));
        Assert.That(SecretPolicy.CheckTemplate("password: {{ with nomadVar \"nomad/jobs/x\" }}{{ .pw }}{{ end }}\n"), Is.Empty);
        Assert.That(SecretPolicy.CheckAssignment("traefik.http.routers.x.rule=Host(`a`)"), Is.Null);
        Assert.That(SecretPolicy.CheckAssignment("db.password=hunter2"), Is.Not.Null);
        Assert.That(SecretPolicy.CheckFree("/health?token=abc"), Is.Not.Null);
        Assert.That(SecretPolicy.CheckFree("/health?verbose=1"), Is.Null);
    }

    // Short values go through the source-generated regexes, values over 4096 chars through the same patterns built
    // non-backtracking: both must judge alike, and the long path stays linear on input made to backtrack.
    [TestCase("see ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 here", true)]
    [TestCase("postgres://app:hunter2@db:5432/app", true)]
    [TestCase("/health?token=abc", true)]
    [TestCase("key=AKIAABCDEFGHIJKLMNOP", true)]
    [TestCase("postgres://app@db:5432/app?sslmode=require", false)]
    [TestCase("s.short and sk-notlongenough", false)]
    public void Short_and_long_values_are_judged_alike(string value, bool credential)
    {
        var padded = new string(' ', 5000) + value + new string(' ', 100);
        Assert.That(SecretPolicy.CheckFree(value), credential ? Is.Not.Null : Is.Null);
        Assert.That(SecretPolicy.CheckFree(padded), credential ? Is.Not.Null : Is.Null);
        Assert.That(SecretPolicy.CheckAssignment(value) is null, Is.EqualTo(SecretPolicy.CheckAssignment(padded.TrimEnd()) is null));
    }

    [Test]
    public void A_megabyte_value_made_to_backtrack_is_checked()
    {
        // Every "sk-" starts a candidate token that runs to the end: quadratic for a backtracking matcher.
        var value = string.Concat(Enumerable.Repeat("sk-", 300_000)) + "!";
        Assert.That(SecretPolicy.CheckFree(value), Is.Not.Null);
        Assert.That(SecretPolicy.CheckFree("http://" + string.Concat(Enumerable.Repeat("a:", 300_000)) + "?x"), Is.Null);
    }

    [Test]
    public void The_policy_applies_to_jobs_built_in_code_and_never_echoes_the_value()
    {
        var job = NomadJob.Create("svc")
            .WithApp("example/app:1.0", app => app.WithPort("http", 8080).WithEnv("SMTP_PASSWORD", "Tr0ub4dor&3").WithCommand("/bin/app", "--token", "Tr0ub4dor&3"))
            .WithPostgres(pg => pg.WithPasswordFromVault("secret/data/postgres/svc", role: "hvs.CAESIJlU9JMYEhOPYv4igdhm9PnK").WithSetting("ssl_passphrase", "Tr0ub4dor&3"))
            .WithConstraint("${meta.db_password}", "=", "Tr0ub4dor&3");
        var errors = NomadDb.Validate([job.Peek()]);
        Assert.That(errors.Where(e => e.Code == ErrorCodes.LiteralPassword).Select(e => e.Path), Is.EquivalentTo(new[]
        {
            "app.env.SMTP_PASSWORD", "app.args[1]", "postgres.settings.ssl_passphrase", "postgres.password.role", "constraints[0].value",
        }));
        Assert.That(string.Join('\n', errors), Does.Not.Contain("Tr0ub4dor").And.Not.Contain("hvs.CAES"));
    }

    [Test]
    public void Echo_hides_credentials_and_escapes_the_rest()
    {
        Assert.That(Echo.Value("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"), Does.Contain("hidden"));
        Assert.That(Echo.Value("a\nb"), Is.EqualTo("a\\nb"));
        Assert.That(Echo.Value(new string('y', 200)), Has.Length.EqualTo(InputLimits.MaxEchoChars + 1).And.EndsWith("…"));
    }
}

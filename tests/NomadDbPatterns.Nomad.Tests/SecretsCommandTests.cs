using NomadDbPatterns.Cli;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// <c>nomad-db secrets check|generate</c> against a fake Nomad whose Variables store answers like Nomad's
/// (command/agent/variable_endpoint.go: 404 "variable not found", check-and-set with <c>?cas=N</c>, 409 on conflict).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SecretsCommandTests
{
    private string directory = null!;

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("nomad-db-secrets-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(directory, recursive: true);

    private string Spec(string name, string text)
    {
        var path = Path.Combine(directory, name + ".yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private const string AutheliaSpec = "name: authelia\npreset: authelia\npostgres:\n  password: { nomadVar: nomad/jobs/authelia }\n";

    private string Authelia => Spec("authelia", AutheliaSpec);

    private static async Task<(int Exit, string Out, string Error)> RunAsync(FakeNomad nomad, params string[] args)
    {
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = CommandHarness.Run(server, args);
        Assert.That(stdout + stderr, Does.Not.Contain(CommandHarness.Token));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        foreach (var value in nomad.Variables.Values.SelectMany(v => v.Items.Values))
        {
            Assert.That(stdout + stderr, Does.Not.Contain(value), "a secret's value never appears in the output");
        }

        return (exit, stdout, stderr);
    }

    private static Dictionary<string, string> Items(FakeNomad nomad, string path, string @namespace = "default") =>
        nomad.Variables.TryGetValue((@namespace, path), out var variable) ? variable.Items : [];

    [Test]
    public async Task Check_lists_the_preset_secrets_and_the_password_as_missing_and_exits_7()
    {
        var nomad = new FakeNomad();
        var (exit, stdout, stderr) = await RunAsync(nomad, "secrets", "check", Authelia);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Unhealthy), stdout + stderr);
            Assert.That(stdout, Does.Contain("  nomad var nomad/jobs/authelia: does not exist"));
            Assert.That(stdout, Does.Match(@"db_password\s+missing\s+the PostgreSQL password"));
            Assert.That(stdout, Does.Match(@"storage_encryption_key\s+missing\s+storage.encryption_key"));
            Assert.That(stdout, Does.Match(@"reset_password_jwt_secret\s+missing"));
            Assert.That(stdout, Does.Contain("or let `nomad-db secrets generate` make the ones it knows how to"));
            Assert.That(stderr, Does.Contain("3 secret item(s) missing."));
            Assert.That(nomad.Variables, Is.Empty, "check writes nothing");
        });
    }

    [Test]
    public async Task Generate_stores_random_values_with_check_and_set_and_then_check_passes()
    {
        var nomad = new FakeNomad();
        var (exit, stdout, stderr) = await RunAsync(nomad, "secrets", "generate", Authelia);

        var items = Items(nomad, "nomad/jobs/authelia");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
            Assert.That(items.Keys, Is.EquivalentTo(new[] { "db_password", "storage_encryption_key", "reset_password_jwt_secret" }));
            Assert.That(items["storage_encryption_key"], Does.Match("^[0-9a-f]{64}$"), "the preset's recipe: $(openssl rand -hex 32)");
            Assert.That(Convert.FromBase64String(items["db_password"]), Has.Length.EqualTo(32), "the password recipe: $(openssl rand -base64 32)");
            Assert.That(stdout, Does.Match(@"db_password\s+generated"));
            Assert.That(stdout, Does.Contain("3 generated"));
        });

        var again = await RunAsync(nomad, "secrets", "check", Authelia);
        Assert.That(again.Exit, Is.EqualTo(ExitCodes.Ok), again.Out + again.Error);
        Assert.That(again.Out, Does.Match(@"storage_encryption_key\s+ok"));
    }

    [Test]
    public async Task Generate_never_replaces_a_stored_value_and_keeps_other_items()
    {
        var nomad = new FakeNomad();
        nomad.Variables[("default", "nomad/jobs/authelia")] = (7, new() { ["db_password"] = "kept-password-value", ["unrelated"] = "kept-too" });

        var (exit, stdout, _) = await RunAsync(nomad, "secrets", "generate", Authelia);

        var items = Items(nomad, "nomad/jobs/authelia");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok));
            Assert.That(items["db_password"], Is.EqualTo("kept-password-value"));
            Assert.That(items["unrelated"], Is.EqualTo("kept-too"));
            Assert.That(items, Has.Count.EqualTo(4));
            Assert.That(stdout, Does.Match(@"db_password\s+ok"));
            Assert.That(stdout, Does.Contain("2 generated"));
        });
    }

    [Test]
    public async Task Dry_run_writes_nothing_and_says_what_it_would_generate()
    {
        var nomad = new FakeNomad();
        var (exit, stdout, stderr) = await RunAsync(nomad, "secrets", "generate", Authelia, "--dry-run");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
            Assert.That(nomad.Variables, Is.Empty);
            Assert.That(stdout, Does.Match(@"reset_password_jwt_secret\s+would generate"));
            Assert.That(stdout + stderr, Does.Contain("3 would be generated (dry run: nothing written)"));
        });
    }

    [Test]
    public async Task A_key_only_a_person_can_supply_is_named_with_a_command_that_keeps_the_other_items()
    {
        var spec = Spec("web", """
            name: web
            app:
              image: ghcr.io/example/web:1.0.0
              templates:
                - destination: secrets/smtp
                  data: '{{ with nomadVar "nomad/jobs/web" }}{{ .smtp_password }}{{ end }}'
                  env: false
            postgres:
              password: { nomadVar: nomad/jobs/web }
            """);
        var nomad = new FakeNomad();
        var (exit, stdout, stderr) = await RunAsync(nomad, "secrets", "generate", spec);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Unhealthy), stdout + stderr);
            Assert.That(Items(nomad, "nomad/jobs/web").Keys, Is.EqualTo(new[] { "db_password" }), "the password is generated, the SMTP password is not made up");
            Assert.That(stdout, Does.Match(@"smtp_password\s+missing\s+read by the app's template secrets/smtp"));
            Assert.That(stdout, Does.Contain("store: nomad var get -out json nomad/jobs/web | nomad var put -in json - smtp_password=<value>"));
            Assert.That(stderr, Does.Contain("1 secret item(s) missing that only a person can supply; 1 generated."));
        });
    }

    [Test]
    public async Task App_secrets_are_listed_by_path_and_key_and_only_a_person_supplies_them()
    {
        var spec = Spec("web", """
            name: web
            app:
              image: ghcr.io/example/web:1.0.0
              secrets:
                SMTP_PASSWORD_FILE: { nomadVar: nomad/jobs/web, key: smtp_password, file: secrets/smtp-password }
                API_TOKEN: { vault: secret/data/apps/web, key: api_token }
            postgres:
              password: { nomadVar: nomad/jobs/web }
            """);
        var nomad = new FakeNomad();
        nomad.Variables[("default", "nomad/jobs/web")] = (3, new() { ["db_password"] = "stored-password-value" });
        var (exit, stdout, stderr) = await RunAsync(nomad, "secrets", "check", spec);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Unhealthy), stdout + stderr);
            Assert.That(stdout, Does.Match(@"db_password\s+ok"));
            Assert.That(stdout, Does.Match(@"smtp_password\s+missing\s+the app's SMTP_PASSWORD_FILE \(app.secrets, in secrets/smtp-password\)"));
            Assert.That(stdout, Does.Contain("  vault secret/data/apps/web (not checked: nomad-db does not talk to Vault)"));
            Assert.That(stdout, Does.Contain("vault kv patch -mount=secret apps/web api_token=<value>"));
            Assert.That(stderr, Does.Contain("1 secret item(s) missing"));
        });
    }

    [Test]
    public async Task Vault_secrets_are_listed_with_the_vault_command_and_not_generated()
    {
        var nomad = new FakeNomad();
        var (exit, stdout, stderr) = await RunAsync(nomad, "secrets", "generate", Path.Combine(CommandHarness.Root, "examples", "homelab", "authelia.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(stdout, Does.Contain("  vault secret/data/postgres/authelia (not checked: nomad-db does not talk to Vault)"));
            Assert.That(stdout, Does.Contain("store: vault kv patch -mount=secret postgres/authelia password=<value>"));
            // The preset's own secrets still live in nomad/jobs/authelia and are generated there.
            Assert.That(Items(nomad, "nomad/jobs/authelia").Keys, Is.EquivalentTo(new[] { "storage_encryption_key", "reset_password_jwt_secret" }));
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
        });
    }

    [Test]
    public async Task A_namespaced_job_reads_and_writes_its_namespace()
    {
        var spec = Spec("authelia", AutheliaSpec + "namespace: apps\n");
        var nomad = new FakeNomad();
        var (exit, stdout, _) = await RunAsync(nomad, "secrets", "generate", spec);

        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout);
        Assert.That(nomad.Variables.Keys, Is.EqualTo(new[] { ("apps", "nomad/jobs/authelia") }));
        Assert.That(stdout, Does.Contain("nomad var nomad/jobs/authelia (namespace apps): does not exist"));
    }

    [Test]
    public async Task A_token_without_variable_read_is_a_one_line_nomad_error()
    {
        await using var server = FakeNomadServer.Start(_ => FakeResponse.Error(403, "Permission denied"));
        var (exit, stdout, stderr) = CommandHarness.Run(server, "secrets", "check", Authelia);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.NomadError), stdout + stderr);
            Assert.That(stderr, Does.Contain("403"));
            Assert.That(stderr, Does.Contain("Permission denied"));
            Assert.That(stderr, Does.Not.Contain("   at "));
        });
    }
}

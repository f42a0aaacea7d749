using NomadDbPatterns.Model;
using NomadDbPatterns.Secrets;
using NomadDbPatterns.Spec;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Secrets;

/// <summary>Every secret a job reads is known to the generator: the password, the app templates' lookups, the preset's declared secrets.</summary>
public sealed class JobSecretsTests
{
    private static ServiceJob Load(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nomad-db-secrets-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            var loaded = SpecLoader.LoadFiles([path]);
            Assert.That(loaded.Diagnostics.Where(d => d.Severity == Validation.Severity.Error), Is.Empty);
            return loaded.Jobs.Single().Job;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_presets_job_reads_the_password_and_the_declared_secrets_with_their_recipes()
    {
        var job = Load("name: auth\npreset: authelia\npostgres:\n  password: { nomadVar: nomad/jobs/auth }\n");

        var secrets = JobSecrets.Of(job);

        Assert.That(secrets.Select(s => (s.Store, s.Path, s.Key, s.Recipe)), Is.EqualTo(new (SecretStore, string, string?, string?)[]
        {
            (SecretStore.NomadVariable, "nomad/jobs/auth", "db_password", PresetInfo.PasswordGenerate),
            (SecretStore.NomadVariable, "nomad/jobs/auth", "storage_encryption_key", "$(openssl rand -hex 32)"),
            (SecretStore.NomadVariable, "nomad/jobs/auth", "reset_password_jwt_secret", "$(openssl rand -hex 32)"),
        }));
        Assert.That(secrets[1].Purpose, Does.StartWith("storage.encryption_key"));
    }

    [Test]
    public void Every_presets_declared_secret_is_read_by_its_rendered_job()
    {
        foreach (var name in PresetCatalog.Names)
        {
            var preset = PresetCatalog.Describe(name)!;
            var job = Load($"name: {name}\npreset: {name}\n" + (preset.UsesPostgres ? $"postgres:\n  password: {{ nomadVar: nomad/jobs/{name} }}\n" : ""));
            var keys = JobSecrets.Of(job).Select(s => s.Key).ToList();
            Assert.That(keys, Is.SupersetOf(preset.AllSecrets.Select(s => s.Key)), name);
        }
    }

    [TestCase("{{ with nomadVar \"nomad/jobs/a\" }}{{ .one }}:{{ .two }}{{ end }}", "NomadVariable nomad/jobs/a one|NomadVariable nomad/jobs/a two")]
    [TestCase("{{- with secret \"secret/data/x\" -}}{{ .Data.data.token }}{{- end -}}", "Vault secret/data/x token")]
    [TestCase("{{ (nomadVar \"nomad/jobs/b\").key }}", "NomadVariable nomad/jobs/b key")]
    [TestCase("{{ range nomadVarList \"x\" }}{{ end }}{{ with nomadVar \"nomad/jobs/c\" }}{{ range $k, $v := . }}{{ $k }}{{ end }}{{ end }}", "NomadVariable nomad/jobs/c ?")]
    [TestCase("{{ with nomadVar \"other/ns@apps\" }}{{ .k }}{{ end }}", "")]
    [TestCase("no lookup {{ env \"NOMAD_ALLOC_ID\" }}", "")]
    public void Lookups_name_the_keys_a_template_reads(string template, string expected)
    {
        var found = JobSecrets.Lookups(template).Select(l => $"{l.Store} {l.Path} {l.Key ?? "?"}");
        Assert.That(string.Join('|', found), Is.EqualTo(expected));
    }

    [Test]
    public void A_shared_instances_passwords_are_never_generated()
    {
        var job = new SharedPostgresJob("postgresql", new VaultSecret("secret/data/postgres/admin"))
        {
            Databases = [new SharedDatabase("gitea", "gitea", new NomadVariableSecret("nomad/jobs/postgresql", "gitea_password"))],
        };
        var secrets = JobSecrets.Of(job);
        Assert.That(secrets.Select(s => (s.Store, s.Key, s.Recipe)), Is.EqualTo(new (SecretStore, string?, string?)[]
        {
            (SecretStore.Vault, "password", null),
            (SecretStore.NomadVariable, "gitea_password", null),
        }));
    }

    [TestCase("secret/data/postgres/gitea", "vault kv patch -mount=secret postgres/gitea password=<value>")]
    [TestCase("kv/data/apps/x", "vault kv patch -mount=kv apps/x password=<value>")]
    public void Vault_commands_name_the_mount_and_the_secret(string path, string expected) =>
        Assert.That(JobSecrets.VaultCommand(path, ["password"]), Is.EqualTo(expected));
}

public sealed class SecretRecipeTests
{
    [Test]
    public void Hex_and_base64_parts_are_random_bytes_in_that_encoding()
    {
        Assert.That(SecretRecipe.Generate("$(openssl rand -hex 32)"), Does.Match("^[0-9a-f]{64}$"));
        var laravel = SecretRecipe.Generate("base64:$(openssl rand -base64 32)");
        Assert.That(laravel, Does.StartWith("base64:"));
        Assert.That(Convert.FromBase64String(laravel["base64:".Length..]), Has.Length.EqualTo(32));
        var values = Enumerable.Range(0, 20).Select(_ => SecretRecipe.Generate("$(openssl rand -hex 16)")).ToList();
        Assert.That(values, Is.Unique, "fresh random bytes each time");
    }

    [TestCase("$(curl https://example.com)")]
    [TestCase("$(openssl rand -hex 32)$HOME")]
    [TestCase("`openssl rand -hex 32`")]
    [TestCase("static-text")]
    [TestCase("$(openssl rand -hex 0)")]
    [TestCase("$(openssl rand -hex 5000)")]
    [TestCase("")]
    public void Anything_else_is_not_followed(string recipe)
    {
        Assert.That(SecretRecipe.CanFollow(recipe), Is.False);
        Assert.Throws<ArgumentException>(() => SecretRecipe.Generate(recipe));
    }

    [Test]
    public void Every_presets_recipe_can_be_followed()
    {
        foreach (var secret in PresetCatalog.Names.SelectMany(n => PresetCatalog.Describe(n)!.AllSecrets))
        {
            Assert.That(SecretRecipe.CanFollow(secret.Generate), Is.True, secret.Key);
        }
    }
}

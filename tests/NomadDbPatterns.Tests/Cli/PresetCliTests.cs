using NomadDbPatterns.Cli;
using NomadDbPatterns.Spec;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Cli;

/// <summary>A preset's notes and the secrets its job reads are visible: <c>explain preset [NAME]</c> and <c>init --preset</c>.</summary>
[TestFixture]
public sealed class PresetCliTests
{
    [Test]
    public void Explain_preset_lists_every_preset_with_its_description()
    {
        var run = CliRun.Of("explain", "preset");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        foreach (var name in PresetCatalog.Names)
        {
            Assert.That(run.Out, Does.Contain(name + " ").And.Contain(PresetCatalog.Describe(name)!.Description));
        }

        Assert.That(CliRun.Of("explain").Out, Does.Contain("preset "), "the topic list names it");
    }

    [TestCaseSource(typeof(PresetCatalog), nameof(PresetCatalog.Names))]
    public void Explain_preset_shows_its_notes_image_and_every_secret_with_the_command_that_stores_them(string name)
    {
        var preset = PresetCatalog.Describe(name)!;

        var run = CliRun.Of("explain", "preset", name);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(run.Out, Does.Contain(preset.Description).And.Contain(preset.Image!));
        foreach (var note in preset.Notes)
        {
            Assert.That(run.Out, Does.Contain(note));
        }

        foreach (var secret in preset.AllSecrets)
        {
            Assert.That(run.Out, Does.Contain(secret.Key).And.Contain(secret.Description));
        }

        Assert.That(run.Out, preset.AllSecrets.Count == 0
            ? Does.Contain("reads no Nomad variable")
            : Does.Contain(preset.StoreCommand("<job>")));
    }

    [Test]
    public void Explain_preset_names_the_authelia_and_speedtest_secrets_the_issue_lists()
    {
        Assert.That(CliRun.Of("explain", "preset", "authelia").Out, Does.Contain("storage_encryption_key").And.Contain("reset_password_jwt_secret").And.Contain("db_password"));
        Assert.That(CliRun.Of("explain", "preset", "speedtest-tracker").Out, Does.Contain("app_key=\"base64:$(openssl rand -base64 32)\""));
        Assert.That(CliRun.Of("explain", "preset", "nextcloud").Out, Does.Contain("nextcloud_admin_password"));
    }

    [Test]
    public void Explain_with_an_unknown_preset_or_too_many_words_is_a_usage_error()
    {
        var unknown = CliRun.Of("explain", "preset", "vaultwardn");
        Assert.That(unknown.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(unknown.Error, Does.Contain("error NDB090: unknown preset 'vaultwardn'").And.Contain("vaultwarden"));

        Assert.That(CliRun.Of("explain", "NDB020", "NDB021").ExitCode, Is.EqualTo(ExitCodes.Usage));
    }

    [TestCase("authelia")]
    [TestCase("speedtest-tracker")]
    [TestCase("nextcloud")]
    public void Init_prints_and_writes_the_secrets_and_the_starter_spec_renders(string name)
    {
        using var temp = new TempSpecs();
        var file = Path.Combine(temp.Specs, "starter.yaml");
        var preset = PresetCatalog.Describe(name)!;

        var run = CliRun.Of("init", "--preset", name, "--name", "starter", "-o", file);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        var command = preset.StoreCommand("starter");
        Assert.That(command, Does.StartWith("nomad var put nomad/jobs/starter db_password="));
        Assert.That(run.Out, Does.Contain(command).And.Contain($"nomad-db explain preset {name}").And.Contain("nomad-db secrets generate SPEC"));
        var spec = File.ReadAllText(file);
        Assert.That(spec, Does.Contain("# " + command.Insert(0, "  ")));
        foreach (var secret in preset.Secrets)
        {
            Assert.That(run.Out, Does.Contain(secret.Key));
            Assert.That(spec, Does.Contain(secret.Key));
        }

        var render = CliRun.Of("render", file, "-o", temp.Out);
        Assert.That(render.ExitCode, Is.EqualTo(ExitCodes.Ok), render.Error);
    }

    [Test]
    public void Init_with_quiet_prints_nothing()
    {
        using var temp = new TempSpecs();
        var run = CliRun.Of("init", "--preset", "authelia", "-o", Path.Combine(temp.Specs, "a.yaml"), "--quiet");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(run.Out, Is.Empty);
    }
}

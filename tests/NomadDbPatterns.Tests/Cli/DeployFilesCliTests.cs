using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Cli;

/// <summary>
/// What `render` leaves beside the jobs and how the set stays true to the specs: headers that name each spec relative
/// to its spec root (the same bytes from any working directory), `render --prune` removing what a deleted spec
/// rendered, and the policy files a job's workload identity needs.
/// </summary>
[TestFixture]
public sealed class DeployFilesCliTests
{
    [Test]
    public void Headers_name_specs_relative_to_their_root_so_check_from_another_directory_is_up_to_date()
    {
        using var temp = new TempSpecs();
        temp.Write("team/alpha.yaml", TempSpecs.Service("alpha"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(0));
        var header = File.ReadLines(Path.Combine(temp.Out, "alpha.nomad.hcl")).First();

        // The same specs named through another path (as from another working directory): nothing is stale.
        var other = Path.Combine(temp.Root.FullName, "specs", "..", "specs");
        var check = CliRun.Of("check", other, "--against", temp.Out);
        var single = CliRun.Of("check", Path.Combine(temp.Specs, "team", "alpha.yaml"), "--against", temp.Out);

        Assert.Multiple(() =>
        {
            Assert.That(header, Does.Contain(" from team/alpha.yaml."));
            Assert.That(check.ExitCode, Is.EqualTo(0), check.Out + check.Error);
            // A single file argument is its own root: its header names the file alone, so this set differs.
            Assert.That(single.Out, Does.Contain("changed:"));
        });
    }

    [Test]
    public void Render_prune_removes_what_a_deleted_spec_rendered_and_keeps_hand_written_files_and_the_lock()
    {
        using var temp = new TempSpecs();
        temp.Write("alpha.yaml", TempSpecs.Service("alpha"));
        var beta = temp.Write("beta.yaml", TempSpecs.Service("beta", "backup: { schedule: \"0 3 * * *\" }"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(0));
        Assert.That(File.Exists(Path.Combine(temp.Out, "beta.backups.volume.hcl")), Is.True);
        File.WriteAllText(Path.Combine(temp.Out, "mine.nomad.hcl"), "# written by hand\njob \"mine\" {}\n");
        File.Delete(beta);

        var check = CliRun.Of("check", temp.Specs, "--against", temp.Out);
        var plain = CliRun.Of("render", temp.Specs, "-o", temp.Out);
        var keptByPlainRender = File.Exists(Path.Combine(temp.Out, "beta.nomad.hcl"));
        var pruned = CliRun.Of("render", temp.Specs, "-o", temp.Out, "--prune");
        var after = CliRun.Of("check", temp.Specs, "--against", temp.Out);

        Assert.Multiple(() =>
        {
            Assert.That(check.ExitCode, Is.Not.EqualTo(0));
            Assert.That(check.Out, Does.Contain("extra:   " + Path.Combine(temp.Out, "beta.nomad.hcl")));
            Assert.That(check.Out, Does.Contain("beta.backups.volume.hcl"));
            Assert.That(check.Out, Does.Not.Contain("mine.nomad.hcl"), "a file without the generator's header is not ours");
            Assert.That(check.Error, Does.Contain("--prune"), "the advice removes the extras");
            Assert.That(plain.ExitCode, Is.EqualTo(0));
            Assert.That(keptByPlainRender, Is.True, "render without --prune never deletes");
            Assert.That(pruned.ExitCode, Is.EqualTo(0));
            Assert.That(pruned.Out + pruned.Error, Does.Contain("removed " + Path.Combine(temp.Out, "beta.nomad.hcl")));
            Assert.That(Directory.GetFiles(temp.Out).Select(Path.GetFileName).Where(n => n!.StartsWith("beta.", StringComparison.Ordinal)), Is.Empty);
            Assert.That(File.Exists(Path.Combine(temp.Out, "mine.nomad.hcl")), Is.True);
            Assert.That(File.Exists(Path.Combine(temp.Out, "nomad-db.lock")), Is.True, "the lock remembers beta's volume");
            Assert.That(File.ReadAllText(Path.Combine(temp.Out, "nomad-db.lock")), Does.Contain("beta-postgres"));
            Assert.That(after.ExitCode, Is.EqualTo(0), after.Out + after.Error);
        });
    }

    [Test]
    public void Policies_grant_exactly_the_secrets_a_job_reads_outside_its_implicit_paths()
    {
        using var temp = new TempSpecs();
        // Periodic backup: the backup job's identity reads nomad/jobs/svc-backup implicitly, not nomad/jobs/svc.
        temp.Write("svc.yaml", TempSpecs.Service("svc", "backup: { schedule: \"0 3 * * *\", placement: periodic }")
            .Replace("    port: http\n", "    port: http\n    provider: consul\n", StringComparison.Ordinal));
        temp.Write("vaulted.yaml", TempSpecs.Service("vaulted").Replace("nomadVar: nomad/jobs/vaulted", "vault: secret/data/postgres/vaulted", StringComparison.Ordinal)
            .Replace("app:\n", "app:\n  templates:\n    - destination: secrets/smtp.env\n      env: true\n      data: \"{{ with secret \\\"secret/data/apps/smtp\\\" }}SMTP_PASSWORD={{ .Data.data.password }}{{ end }}\"\n", StringComparison.Ordinal));
        temp.Write("plain.yaml", TempSpecs.Service("plain"));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(0));
        var files = Directory.GetFiles(temp.Out).Select(Path.GetFileName).ToList();
        var backupPolicy = File.ReadAllText(Path.Combine(temp.Out, "svc-backup.policy.hcl"));
        var vaultPolicy = File.ReadAllText(Path.Combine(temp.Out, "vaulted.vault-policy.hcl"));
        var parsed = Hcl2Json.ParseTexts(new Dictionary<string, string> { ["acl"] = backupPolicy, ["vault"] = vaultPolicy });

        Assert.Multiple(() =>
        {
            Assert.That(files, Does.Not.Contain("svc.policy.hcl"), "the service reads nomad/jobs/svc implicitly");
            Assert.That(files, Does.Not.Contain("plain.policy.hcl"));
            Assert.That(files.Where(f => f!.EndsWith("policy.hcl", StringComparison.Ordinal)), Is.EquivalentTo(new[] { "svc-backup.policy.hcl", "vaulted.vault-policy.hcl" }));
            Assert.That(backupPolicy, Does.Contain("nomad acl policy apply -namespace default -job svc-backup svc-backup-variables svc-backup.policy.hcl"));
            Assert.That(parsed["acl"].GetProperty("namespace").GetProperty("default")[0].GetProperty("variables")[0].GetProperty("path")
                .EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "nomad/jobs/svc" }));
            Assert.That(parsed["vault"].GetProperty("path").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "secret/data/apps/smtp", "secret/data/postgres/vaulted" }));
            Assert.That(File.ReadAllText(Path.Combine(temp.Out, "svc-backup.nomad.hcl")), Does.Contain("apply svc-backup.policy.hcl first"));
        });
    }

    [Test]
    public void Validate_against_the_rendered_jobs_applies_their_volume_lock_and_says_when_no_lock_is_checked()
    {
        using var temp = new TempSpecs();
        var spec = temp.Write("alpha.yaml", TempSpecs.Service("alpha").Replace("postgres:\n", "postgres:\n  version: 16\n", StringComparison.Ordinal));
        Assert.That(CliRun.Of("render", temp.Specs, "-o", temp.Out).ExitCode, Is.EqualTo(0));
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("version: 16", "version: 17", StringComparison.Ordinal));

        var guarded = CliRun.Of("validate", temp.Specs, "--against", temp.Out);
        var unguarded = CliRun.Of("validate", temp.Specs);

        Assert.Multiple(() =>
        {
            Assert.That(guarded.ExitCode, Is.EqualTo(1));
            Assert.That(guarded.Error + guarded.Out, Does.Contain("NDB070"));
            Assert.That(unguarded.ExitCode, Is.EqualTo(0));
            Assert.That(unguarded.Out + unguarded.Error, Does.Contain("upgrade guard").And.Contain("not checked"));
        });
    }
}

using NomadDbPatterns.Legacy;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>The migration generator on the legacy example: order, every output file, and the shared spec without the database.</summary>
[TestFixture]
public sealed class MigrationTests
{
    private const string ExampleRelative = "examples/legacy/postgresql.yaml";

    private static string ExampleText => File.ReadAllText(RepoPaths.Combine("examples", "legacy", "postgresql.yaml"));

    private static LoadedSharedPostgres LoadExample()
    {
        var loaded = SpecLoader.LoadText(ExampleText, ExampleRelative);
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join("\n", loaded.Diagnostics));
        return loaded.SharedInstances.Single();
    }

    private static MigrationOptions ExampleOptions(LoadedSharedPostgres shared) => new()
    {
        SharedSpecName = ExampleRelative,
        SharedSpecText = ExampleText,
        SharedSpecBasePath = shared.BasePath,
    };

    private static MigrationPlan PlanExample(string service)
    {
        var shared = LoadExample();
        var plan = Migration.Plan(shared.Job, service, ExampleOptions(shared));
        Assert.That(plan.Diagnostics, Is.Empty, string.Join("\n", plan.Diagnostics));
        return plan;
    }

    [Test]
    public void Services_come_in_the_guides_priority_order_then_the_rest()
    {
        var example = LoadExample().Job;
        var extra = example with
        {
            Databases = example.Databases
                .Add(new SharedDatabase("wiki", "wiki", new VaultSecret("secret/data/postgres/wiki")) { Service = "wiki" })
                .Add(new SharedDatabase("legacy_reports", "reports", new VaultSecret("secret/data/postgres/reports")))
                .Insert(0, new SharedDatabase("bookstack", "bookstack", new VaultSecret("secret/data/postgres/bookstack")) { Service = "bookstack" }),
        };

        var order = Migration.Order(extra);

        Assert.That(order.Select(c => c.Database.Service ?? $"({c.Database.Name})"), Is.EqualTo(new[]
        {
            "speedtest-tracker", "freshrss", "vaultwarden", "grafana", "authelia", "gitea", "bookstack", "nextcloud", "wiki", "(legacy_reports)",
        }));
        Assert.That(order.Select(c => c.Rank), Is.EqualTo(Enumerable.Range(1, 10)));
    }

    [Test]
    public void A_shared_spec_written_from_the_model_keeps_a_custom_update_policy_whole()
    {
        // A longer healthy deadline needs a longer progress deadline (Nomad refuses healthy >= progress): the spec
        // written for a shared instance built in code must carry both, or it comes back invalid.
        var shared = LoadExample().Job with { Update = new Model.UpdatePolicy(1, 0, true, "30s", "20m", "30m") };

        var plan = Migration.Plan(shared, "vaultwarden", new MigrationOptions());

        Assert.That(plan.Diagnostics, Is.Empty, string.Join("\n", plan.Diagnostics));
        var after = plan.Files.Single(f => f.FileName == "postgresql.after-vaultwarden.yaml");
        var loaded = SpecLoader.LoadText(after.Content, after.FileName);
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join("\n", loaded.Diagnostics));
        var update = loaded.SharedInstances.Single().Job.Update;
        Assert.That((update.HealthyDeadline.Text, update.ProgressDeadline.Text), Is.EqualTo(("20m", "30m")));
    }

    [TestCase("speedtest-tracker")]
    [TestCase("vaultwarden")]
    public void Migration_output_matches_its_snapshots(string service)
    {
        var plan = PlanExample(service);

        Assert.That(plan.Files.Select(f => f.FileName), Is.EquivalentTo(new[]
        {
            $"{service}.yaml", $"{service}.nomad.hcl", $"{service}-migrate.nomad.hcl",
            $"postgresql.after-{service}.yaml", $"postgresql.after-{service}.nomad.hcl", "RUNBOOK.md", "nomad-db-scripts.nv.hcl", $"{service}-migrate.nv.hcl",
            $"{service}.postgres-data.volume.hcl", $"{service}.backups.volume.hcl", $"{service}.vault-policy.hcl",
        }));
        Assert.Multiple(() =>
        {
            foreach (var file in plan.Files)
            {
                if (file.FileName == "nomad-db-scripts.nv.hcl")
                {
                    // The same scripts as every render (snapshotted once, in ScriptsVariableTests).
                    Assert.That(file.Content, Is.EqualTo(JobRenderer.Default.RenderScripts().Content));
                    continue;
                }

                if (file.FileName == $"{service}-migrate.nv.hcl")
                {
                    // The migration job's own variable carries the tested script verbatim, and the job reads exactly that.
                    Assert.That(file.Content, Does.Contain(File.ReadAllText(LegacyScripts.MigrateDatabase)));
                    Assert.That(plan.Files.Single(f => f.FileName == $"{service}-migrate.nomad.hcl").Content,
                        Does.Contain($"{{{{ with nomadVar \\\"nomad/jobs/{service}-migrate\\\" }}}}{{{{ .migrate_database }}}}{{{{ end }}}}"));
                }

                var extension = Path.GetExtension(file.FileName);
                Snapshot.Verify($"migrate-{service}.{file.FileName[..^extension.Length]}", file.Content, extension.TrimStart('.'));
            }
        });
    }

    [Test]
    public void Every_rendered_job_parses_and_conforms_to_the_jobspec_schema()
    {
        var plans = Migration.Order(LoadExample().Job).Select(c => PlanExample(c.Database.Service!)).ToList();
        var jobs = plans.SelectMany(p => p.Files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).Select(f => (Key: $"{p.Service}/{f.FileName}", f.Content)))
            .ToDictionary(f => f.Key, f => f.Content);
        Assert.That(jobs, Has.Count.EqualTo(3 * 7));

        var report = NomadConformance.Check(jobs);

        Assert.That(report.SchemaViolations, Is.Empty);
    }

    /// <summary>Every job a migration plan writes (dedicated job, one-shot migration job, shared job without the
    /// database) is one Nomad v2.0.5 accepts without an error or a warning (NOMAD-RULES.md).</summary>
    [Test]
    public void Every_rendered_job_passes_nomad_server_rules_without_warnings()
    {
        var plans = Migration.Order(LoadExample().Job).Select(c => PlanExample(c.Database.Service!)).ToList();
        var jobs = plans.SelectMany(p => p.Files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).Select(f => (Key: $"{p.Service}/{f.FileName}", f.Content)))
            .ToDictionary(f => f.Key, f => f.Content);

        NomadConformance.AssertAccepted(jobs);
    }

    [Test]
    public void The_migration_job_reads_back_as_planned()
    {
        var plan = PlanExample("vaultwarden");
        var dedicated = plan.DedicatedJob!;
        var root = Hcl2Json.ParseText(plan.Files.Single(f => f.FileName == "vaultwarden-migrate.nomad.hcl").Content);

        var job = Hcl.Block(root, "job", "vaultwarden-migrate");
        Assert.That(Hcl.Attr(job, "type"), Is.EqualTo("batch"));
        var group = Hcl.Block(job, "group", "migrate");
        Assert.That(Hcl.Labels(group, "task"), Is.EquivalentTo(new[] { "postgres", "wait-for-postgres", "migrate" }));
        Assert.That(Hcl.Attr(Hcl.Block(group, "volume", JobFacts.DataVolumeName), "source"), Is.EqualTo("vaultwarden-postgres"));
        Assert.That(group.TryGetProperty("service", out _), Is.False, "the dedicated database is never registered or exposed");

        // The migration's PostgreSQL task is the dedicated job's, so the volume is initialised exactly as that job would.
        var dedicatedRoot = Hcl2Json.ParseText(plan.Files.Single(f => f.FileName == "vaultwarden.nomad.hcl").Content);
        var dedicatedPostgres = Hcl.Block(Hcl.Block(Hcl.Block(dedicatedRoot, "job", "vaultwarden"), "group", "vaultwarden"), "task", "postgres");
        Assert.That(Hcl.Block(group, "task", "postgres").GetRawText(), Is.EqualTo(dedicatedPostgres.GetRawText()));

        var migrate = Hcl.Block(group, "task", "migrate");
        Assert.That(Hcl.Attr(Hcl.Single(migrate, "config"), "image"), Is.EqualTo(dedicated.Postgres!.ImageReference));
        var env = Hcl.Single(migrate, "env");
        Assert.Multiple(() =>
        {
            Assert.That(env.GetProperty("SOURCE_DATABASE").GetString(), Is.EqualTo("vaultwarden"));
            Assert.That(env.GetProperty("SOURCE_PGUSER").GetString(), Is.EqualTo("postgres"));
            Assert.That(env.GetProperty("TARGET_DATABASE").GetString(), Is.EqualTo(dedicated.DatabaseName()));
            Assert.That(env.GetProperty("TARGET_OWNER").GetString(), Is.EqualTo(dedicated.DatabaseUser()));
        });
        var secrets = Hcl.All(migrate, "template").Single(t => Hcl.Attr(t, "destination") == "secrets/migrate.env");
        Assert.That(Hcl.Attr(secrets, "data"), Does.Contain("{{ range service \"postgresql\" }}SOURCE_PGHOST={{ .Address }}")
            .And.Contain("{{ with secret \"secret/data/postgres/admin\" }}SOURCE_PGPASSWORD=")
            .And.Contain("{{ with secret \"secret/data/postgres/vaultwarden\" }}TARGET_PGPASSWORD="));
    }

    [Test]
    public void The_dedicated_job_keeps_the_shared_database_name_role_and_secret()
    {
        var plan = PlanExample("speedtest-tracker");
        var dedicated = plan.DedicatedJob!;

        Assert.Multiple(() =>
        {
            Assert.That(dedicated.Preset, Is.EqualTo("speedtest-tracker"));
            Assert.That(dedicated.DatabaseName(), Is.EqualTo("speedtest"), "the database keeps its name from the shared instance");
            Assert.That(dedicated.DatabaseUser(), Is.EqualTo("speedtest"));
            Assert.That(dedicated.Postgres!.Password, Is.EqualTo(new VaultSecret("secret/data/postgres/speedtest")));
            Assert.That(dedicated.Postgres.Version, Is.EqualTo(17), "never older than the shared server's 16: its pg_dump makes the dump");
            Assert.That(dedicated.Datacenters, Is.EqualTo(new[] { "homelab" }));
            Assert.That(dedicated.Backup!.Schedule, Is.EqualTo(new BackupSchedule("0 0 * * *", null, "Europe/Berlin")));
            Assert.That(dedicated.App.Database!.Env.Single(e => e.Name == "DB_HOST").Value, Is.EqualTo("{host}"), "the preset wires the app to the sidecar");
        });
    }

    [Test]
    public void The_shared_spec_without_the_database_is_the_users_text_minus_two_entries()
    {
        var plan = PlanExample("speedtest-tracker");
        var after = plan.Files.Single(f => f.FileName == "postgresql.after-speedtest-tracker.yaml").Content;

        var removed = ExampleText.Split('\n').Except(after.Split('\n')).ToList();
        Assert.That(removed, Has.Count.EqualTo(2));
        Assert.That(removed[0], Does.Contain("name: speedtest,"));
        Assert.That(after, Does.Contain("baseline: [authelia, freshrss, gitea, grafana, vaultwarden, nextcloud]"));
        Assert.That(after, Does.Contain("# host volume on /mnt/nas/postgres_data"), "comments are kept");

        var reloaded = SpecLoader.LoadText(after, "after.yaml");
        Assert.That(reloaded.Diagnostics.Concat(NomadDb.ValidateShared(reloaded.SharedInstances)), Is.Empty);
        Assert.That(reloaded.SharedInstances.Single().Job.Databases, Is.EqualTo(plan.SharedAfter!.Databases));
    }

    private const string BlockStyle = """
        jobs:
          - name: other
            app: { image: x:1 }
          - name: pg
            kind: shared-postgres
            adminPassword: { nomadVar: nomad/jobs/pg, key: admin }
            databases:
              # the first one
              - name: alpha
                password:
                  nomadVar: nomad/jobs/pg
                  key: alpha
                service: vaultwarden

              - name: beta
                password: { nomadVar: nomad/jobs/pg, key: beta }
                service: gitea
            baseline:
              - alpha
              - beta
            # trailing comment stays
        """;

    [TestCase("vaultwarden", "alpha", "beta")]
    [TestCase("gitea", "beta", "alpha")]
    public void Block_style_lists_in_a_multi_job_file_are_edited_too(string service, string gone, string kept)
    {
        var loaded = SpecLoader.LoadText(BlockStyle, "pg.yaml");
        Assert.That(loaded.Diagnostics.Concat(NomadDb.ValidateShared(loaded.SharedInstances)), Is.Empty);
        var shared = loaded.SharedInstances.Single();

        var plan = Migration.Plan(shared.Job, service, new MigrationOptions { SharedSpecText = BlockStyle, SharedSpecBasePath = shared.BasePath });

        Assert.That(plan.Diagnostics, Is.Empty, string.Join("\n", plan.Diagnostics));
        var after = plan.Files.Single(f => f.FileName == $"pg.after-{service}.yaml").Content;
        Assert.That(after, Does.Contain("# trailing comment stays").And.Contain("name: other").And.Not.Contain($"name: {gone}").And.Not.Contain($"- {gone}\n"));
        var reloaded = SpecLoader.LoadText(after, "after.yaml");
        Assert.That(reloaded.Diagnostics, Is.Empty, after);
        var job = reloaded.SharedInstances.Single().Job;
        Assert.That((job.Databases.Single().Name, job.Baseline.Single()), Is.EqualTo((kept, kept)));
    }

    [Test]
    public void Nomad_variable_secrets_move_to_the_dedicated_job_with_a_policy_for_the_migration()
    {
        var loaded = SpecLoader.LoadText(BlockStyle, "pg.yaml");
        var shared = loaded.SharedInstances.Single();

        var plan = Migration.Plan(shared.Job, "vaultwarden", new MigrationOptions { SharedSpecText = BlockStyle, SharedSpecBasePath = shared.BasePath });

        Assert.That(plan.Diagnostics, Is.Empty, string.Join("\n", plan.Diagnostics));
        Assert.That(plan.DedicatedJob!.Postgres!.Password, Is.EqualTo(new NomadVariableSecret("nomad/jobs/vaultwarden")),
            "job vaultwarden cannot read nomad/jobs/pg");
        var policy = plan.Files.Single(f => f.FileName == "vaultwarden-migrate.policy.hcl").Content;
        Assert.That(policy, Does.Contain("path \"nomad/jobs/pg\"").And.Contain("path \"nomad/jobs/vaultwarden\""));
        var parsed = Hcl2Json.ParseText(policy);
        Assert.That(parsed.GetProperty("namespace").TryGetProperty("default", out _), Is.True);
        var runbook = plan.Files.Single(f => f.FileName == "RUNBOOK.md").Content;
        Assert.That(runbook, Does.Contain("nomad var get -item=alpha nomad/jobs/pg").And.Contain("db_password=@\"$PWFILE\"")
            .And.Contain("nomad acl policy apply -namespace default -job vaultwarden-migrate"));
        Assert.That(plan.Files.Single(f => f.FileName == "vaultwarden-migrate.nomad.hcl").Content, Does.Contain("apply vaultwarden-migrate.policy.hcl"));
    }

    [Test]
    public void A_model_built_in_code_gets_a_written_spec_that_reads_back_as_the_model()
    {
        var shared = LoadExample().Job;

        var plan = Migration.Plan(shared, "gitea");

        Assert.That(plan.Diagnostics, Is.Empty);
        var after = plan.Files.Single(f => f.FileName == "postgresql.after-gitea.yaml").Content;
        var reloaded = SpecLoader.LoadText(after, "after.yaml");
        Assert.That(reloaded.Diagnostics, Is.Empty, after);
        var job = reloaded.SharedInstances.Single().Job;
        Assert.Multiple(() =>
        {
            Assert.That(job.Databases, Is.EqualTo(plan.SharedAfter!.Databases));
            Assert.That(job.Baseline, Is.EqualTo(plan.SharedAfter.Baseline));
            Assert.That(job.Postgres with { Settings = [] }, Is.EqualTo(shared.Postgres with { Settings = [] }));
            Assert.That(job.Postgres.Settings, Is.EqualTo(shared.Postgres.Settings));
            Assert.That(job.Backup, Is.EqualTo(shared.Backup));
            Assert.That(job.AdminPassword, Is.EqualTo(shared.AdminPassword));
            Assert.That(job.Service, Is.EqualTo(shared.Service));
        });
    }

    [Test]
    public void The_last_database_leaves_no_shared_spec_and_the_runbook_stops_the_instance()
    {
        var example = LoadExample().Job;
        var last = example with { Databases = [example.Databases.Single(d => d.Name == "gitea")], Baseline = ["gitea"] };

        var plan = Migration.Plan(last, "gitea");

        Assert.That(plan.Diagnostics, Is.Empty);
        Assert.That(plan.SharedAfter, Is.Null);
        Assert.That(plan.Files.Select(f => f.FileName), Has.None.Contains(".after-"));
        Assert.That(plan.Files.Single(f => f.FileName == "RUNBOOK.md").Content, Does.Contain("was the last database").And.Contain("nomad job stop postgresql"));
    }

    [TestCase("bookstack", ErrorCodes.Usage, "no database of the shared instance")]
    [TestCase("nextcloud", null, null)]
    public void Services_must_be_on_the_shared_instance(string service, string? code, string? message)
    {
        var plan = Migration.Plan(LoadExample().Job, service);

        if (code is null)
        {
            Assert.That(plan.Success, Is.True, string.Join("\n", plan.Diagnostics));
            return;
        }

        Assert.That(plan.Success, Is.False);
        Assert.That(plan.Files, Is.Empty);
        Assert.That(plan.Diagnostics.Single().Code, Is.EqualTo(code));
        Assert.That(plan.Diagnostics.Single().Message, Does.Contain(message));
    }

    [TestCase("uptime-kuma", ErrorCodes.InvalidValue, "SQLite")]
    [TestCase("bookstack", ErrorCodes.UnknownPreset, "no preset named 'bookstack'")]
    public void A_service_without_a_postgres_preset_cannot_migrate(string service, string code, string message)
    {
        var example = LoadExample().Job;
        var shared = example with
        {
            Databases = example.Databases.Add(new SharedDatabase("extra", "extra", new VaultSecret("secret/data/postgres/extra")) { Service = service }),
            Baseline = example.Baseline.Add("extra"),
        };

        var plan = Migration.Plan(shared, service);

        Assert.That(plan.Success, Is.False);
        var error = plan.Diagnostics.Single();
        Assert.That((error.Code, error.Path), Is.EqualTo((code, "databases[7].service")));
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void An_invalid_shared_instance_is_not_planned()
    {
        var example = LoadExample().Job;
        var frozen = example with { Baseline = example.Baseline.Remove("gitea") };

        var plan = Migration.Plan(frozen, "speedtest-tracker");

        Assert.That(plan.Diagnostics.Select(d => d.Code), Is.EqualTo(new[] { ErrorCodes.FrozenLegacy }));
        Assert.That(plan.Files, Is.Empty);
    }

    [Test]
    public void The_plan_description_lists_every_service_with_its_steps()
    {
        var text = Migration.DescribePlan(LoadExample().Job, new MigrationOptions { SharedSpecName = ExampleRelative });

        var headings = text.Split('\n').Where(l => l.Length > 0 && char.IsAsciiDigit(l[0])).ToList();
        Assert.That(headings.Select(h => h.Split(' ')[1]), Is.EqualTo(new[] { "speedtest-tracker", "freshrss", "vaultwarden", "grafana", "authelia", "gitea", "nextcloud" }));
        Assert.That(text, Does.Contain("batch job vaultwarden-migrate").And.Contain("nomad-db migrate examples/legacy/postgresql.yaml --service nextcloud"));
        foreach (var step in new[] { "stop", "migrate", "verify", "switch", "retire" })
        {
            Assert.That(text.Split('\n').Count(l => l.StartsWith($"   {step} ", StringComparison.Ordinal)), Is.EqualTo(7), step);
        }
    }
}

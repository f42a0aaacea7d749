using System.Globalization;
using System.Text.Json;
using NomadDbPatterns.Cli;
using NomadDbPatterns.Legacy;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>
/// `migrate` beyond the presets' own names: an app without a preset (the user's spec of its dedicated job), and an app
/// whose job is named otherwise than its preset — planned, checked against Nomad's rules, and run on real PostgreSQL
/// with exactly the names the rendered migration job carries.
/// </summary>
[TestFixture]
public sealed class MigrateAnyAppTests
{
    private const string SharedSpec = """
        name: postgresql
        kind: shared-postgres
        datacenters: [homelab]
        postgres: { version: 16 }
        adminPassword: { vault: secret/data/postgres/admin }
        databases:
          - { name: gitea, owner: gitea, password: { vault: secret/data/postgres/gitea }, service: git, preset: gitea, job: gitea }
          - { name: bookmarks, owner: bookmarks_app, password: { nomadVar: nomad/jobs/postgresql, key: bookmarks_password }, service: bookmarks }
        baseline: [gitea, bookmarks]
        """;

    /// <summary>A user's spec of an app no preset knows.</summary>
    private const string BookmarksSpec = """
        name: bookmarks
        datacenters: [homelab]
        app:
          image: example/bookmarks:2.1.0
          ports: [{ name: http, to: 8080 }]
          database:
            env:
              DATABASE_URL: "postgresql://{user}:{passwordUrlEncoded}@{address}/{database}"
          service: { port: http, check: { type: http, path: /health } }
        postgres:
          version: 17
          database: bookmarks
          user: bookmarks_app
          password: { nomadVar: nomad/jobs/bookmarks }
        """;

    private static SharedPostgresJobLoaded Load()
    {
        var loaded = SpecLoader.LoadText(SharedSpec, "postgresql.yaml");
        Assert.That(loaded.Diagnostics, Is.Empty, string.Join("\n", loaded.Diagnostics));
        Assert.That(NomadDb.ValidateShared(loaded.SharedInstances), Is.Empty);
        return new SharedPostgresJobLoaded(loaded.SharedInstances.Single());
    }

    private sealed record SharedPostgresJobLoaded(LoadedSharedPostgres Instance)
    {
        public MigrationPlan Plan(string service, string? dedicatedSpec = null)
        {
            var plan = Migration.Plan(Instance.Job, service, new MigrationOptions
            {
                SharedSpecName = "postgresql.yaml",
                SharedSpecText = SharedSpec,
                DedicatedSpecText = dedicatedSpec,
                DedicatedSpecName = dedicatedSpec is null ? null : "bookmarks.yaml",
            });
            Assert.That(plan.Diagnostics, Is.Empty, string.Join("\n", plan.Diagnostics));
            return plan;
        }
    }

    private static string File(MigrationPlan plan, string name) => plan.Files.Single(f => f.FileName == name).Content;

    [Test]
    public void A_job_named_otherwise_than_its_preset_is_built_from_the_preset_and_replaces_the_job_that_uses_the_database()
    {
        var plan = Load().Plan("git");

        Assert.That(plan.DedicatedJob!.Name, Is.EqualTo("git"));
        Assert.That(plan.DedicatedJob.Preset, Is.EqualTo("gitea"));
        Assert.That(plan.MigrationJobName, Is.EqualTo("git-migrate"));
        Assert.That(plan.Files.Select(f => f.FileName), Is.SupersetOf(new[] { "git.yaml", "git.nomad.hcl", "git-migrate.nomad.hcl", "git-migrate.nv.hcl", "RUNBOOK.md" }));
        Assert.That(File(plan, "git.yaml"), Does.Contain("name: git\n").And.Contain("preset: gitea\n"));
        var runbook = File(plan, "RUNBOOK.md");
        Assert.That(runbook, Does.Contain("nomad job stop gitea\n").And.Contain("nomad job run git.nomad.hcl\n")
            .And.Contain("Your current job of the app is `gitea`; the dedicated job `git` replaces it")
            .And.Contain("nomad job run <your previous gitea job file>"));
        Assert.That(runbook, Does.Not.Contain("nomad job run gitea.nomad.hcl"), "the old job is never replaced by a file of its name");
        Assert.That(runbook[runbook.IndexOf("## 6. Roll back", StringComparison.Ordinal)..], Does.Contain("nomad job stop git\n"), "a rollback stops the dedicated job");

        var overview = Migration.DescribePlan(Load().Instance.Job);
        Assert.That(overview, Does.Contain("stop     nomad job stop gitea:").And.Contain("switch   job git: preset gitea,"));
    }

    [Test]
    public void An_app_without_a_preset_migrates_from_the_users_spec_of_its_dedicated_job()
    {
        var plan = Load().Plan("bookmarks", BookmarksSpec);

        Assert.That(plan.DedicatedJob!.Preset, Is.Null);
        Assert.That(File(plan, "bookmarks.yaml"), Is.EqualTo(BookmarksSpec), "the user's spec, as given");
        var runbook = File(plan, "RUNBOOK.md");
        Assert.That(runbook, Does.Contain("nomad var get -item=bookmarks_password nomad/jobs/postgresql").And.Contain("nomad var put nomad/jobs/bookmarks db_password=@"),
            "the password moves to a variable the dedicated job reads");
        Assert.That(runbook, Does.Contain("Your current job of the app, `bookmarks`, is replaced by the dedicated job of the same name"));

        var overview = Migration.DescribePlan(Load().Instance.Job);
        Assert.That(overview, Does.Contain("cannot migrate: NDB050: no preset named 'bookmarks': give the dedicated job's spec (nomad-db migrate --dedicated SPEC)"));
    }

    [Test]
    public void Every_job_of_both_plans_is_one_nomad_accepts()
    {
        var shared = Load();
        var jobs = new[] { shared.Plan("git"), shared.Plan("bookmarks", BookmarksSpec) }
            .SelectMany(p => p.Files.Where(f => f.FileName.EndsWith(".nomad.hcl", StringComparison.Ordinal)).Select(f => (Key: $"{p.Service}/{f.FileName}", f.Content)))
            .ToDictionary(f => f.Key, f => f.Content);
        Assert.That(jobs, Has.Count.EqualTo(6));

        NomadConformance.AssertAccepted(jobs);
    }

    [TestCase("jobs:\n  - { name: one, app: { image: example/x:1 }, postgres: { password: { nomadVar: nomad/jobs/one } } }\n  - { name: two, app: { image: example/x:1 }, postgres: { password: { nomadVar: nomad/jobs/two } } }\n", "must hold one service job with its own PostgreSQL")]
    [TestCase("name: other\napp: { image: example/x:1 }\nsqlite: { volume: other-data, destination: /data, file: x.db }\n", "must hold one service job with its own PostgreSQL")]
    [TestCase("name: postgresql\napp: { image: example/x:1 }\npostgres: { password: { nomadVar: nomad/jobs/postgresql } }\n", "named like the shared instance")]
    public void A_dedicated_spec_that_cannot_replace_the_database_is_refused(string spec, string message)
    {
        var shared = Load().Instance.Job;

        var plan = Migration.Plan(shared, "bookmarks", new MigrationOptions { DedicatedSpecText = spec });

        Assert.That(plan.Success, Is.False);
        Assert.That(plan.Files, Is.Empty);
        Assert.That(string.Join("\n", plan.Diagnostics.Select(d => d.Message)), Does.Contain(message));
    }

    [TestCase("preset: bookstack, service: x", ErrorCodes.UnknownPreset, "databases[0].preset", "unknown preset 'bookstack'")]
    [TestCase("preset: gitea", ErrorCodes.Required, "databases[0].service", "give its `service:` too")]
    [TestCase("service: x, job: Not_A_Job", ErrorCodes.InvalidName, "databases[0].job", "is not a job name")]
    public void Database_preset_and_job_are_validated_where_they_are_written(string keys, string code, string path, string message)
    {
        var yaml = $"name: pg\nkind: shared-postgres\nadminPassword: {{ vault: secret/data/a }}\ndatabases:\n  - {{ name: x, password: {{ vault: secret/data/x }}, {keys} }}\nbaseline: [x]\n";
        var loaded = SpecLoader.LoadText(yaml, "pg.yaml");

        var errors = loaded.Diagnostics.Concat(NomadDb.ValidateShared(loaded.SharedInstances)).ToList();

        var error = errors.Single();
        Assert.That((error.Code, error.Path, error.Location?.Line), Is.EqualTo((code, path, 5)));
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void The_command_takes_the_dedicated_spec_and_refuses_it_with_plan()
    {
        using var temp = new TempSpecs();
        var shared = temp.Write("postgresql.yaml", SharedSpec);
        var dedicated = temp.Write("bookmarks.yaml", BookmarksSpec);

        var without = CliRun.Of("migrate", shared, "--service", "bookmarks", "-o", temp.Out);
        var with = CliRun.Of("migrate", shared, "--service", "bookmarks", "--dedicated", dedicated, "-o", temp.Out);
        var plan = CliRun.Of("migrate", shared, "--plan", "--dedicated", dedicated);

        Assert.That(without.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(without.Error, Does.Contain($"{shared}:8:").And.Contain("NDB050: no preset named 'bookmarks'"));
        Assert.That(with.ExitCode, Is.EqualTo(ExitCodes.Ok), with.Error);
        Assert.That(System.IO.File.ReadAllText(Path.Combine(temp.Out, "bookmarks.nomad.hcl")), Does.Contain("job \"bookmarks\""));
        Assert.That(plan.ExitCode, Is.EqualTo(ExitCodes.Usage));
    }

    /// <summary>
    /// Both migrations run for real: the rendered migration job's own names (source database, target database, owner
    /// and user) drive templates/scripts/migrate-database.sh from one real PostgreSQL to another; the copy is verified.
    /// </summary>
    [TestCase("git")]
    [TestCase("bookmarks")]
    public void The_rendered_migration_job_migrates_on_real_postgresql(string service)
    {
        var plan = service == "bookmarks" ? Load().Plan(service, BookmarksSpec) : Load().Plan(service);
        var root = Hcl2Json.ParseText(File(plan, $"{plan.MigrationJobName}.nomad.hcl"));
        var migrate = Hcl.Block(Hcl.Block(Hcl.Block(root, "job", plan.MigrationJobName), "group", "migrate"), "task", "migrate");
        var env = Hcl.Single(migrate, "env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var database = plan.Database!;

        using var source = PostgresCluster.Start($"shared-{service}");
        using var target = PostgresCluster.Start($"dedicated-{service}");
        var work = Directory.CreateTempSubdirectory("nomaddb-migrate-any-").FullName;
        try
        {
            const string sourcePassword = "pw-source-3f9a";
            const string targetPassword = "pw-target-8c1d";
            source.Psql("postgres", $"CREATE ROLE {database.Owner} LOGIN PASSWORD '{sourcePassword}'");
            source.Psql("postgres", $"CREATE DATABASE {env["SOURCE_DATABASE"]} OWNER {database.Owner}");
            source.Psql(env["SOURCE_DATABASE"], $"""
                SET ROLE {database.Owner};
                CREATE TABLE public.items (id serial PRIMARY KEY, name text NOT NULL);
                INSERT INTO public.items (name) SELECT 'item ' || g FROM generate_series(1, 321) g;
                """);
            // What the dedicated PostgreSQL task's entrypoint creates from POSTGRES_USER and POSTGRES_DB.
            target.Psql("postgres", $"CREATE ROLE {env["TARGET_PGUSER"]} SUPERUSER LOGIN PASSWORD '{targetPassword}'");
            target.Psql("postgres", $"CREATE DATABASE {env["TARGET_DATABASE"]} OWNER {env["TARGET_PGUSER"]}");

            var run = new Dictionary<string, string>(env)
            {
                // Where the job's templates point: the shared service's address, the sidecar on 127.0.0.1, the secrets.
                ["SOURCE_PGHOST"] = source.Host,
                ["SOURCE_PGPORT"] = source.Port.ToString(CultureInfo.InvariantCulture),
                ["SOURCE_PGPASSWORD"] = source.SuperPassword,
                ["TARGET_PGHOST"] = target.Host,
                ["TARGET_PGPORT"] = target.Port.ToString(CultureInfo.InvariantCulture),
                ["TARGET_PGPASSWORD"] = targetPassword,
                ["MIGRATION_WORKDIR"] = work,
            };
            Assert.That(env["SOURCE_PGUSER"], Is.EqualTo(source.SuperUser), "the migration reads the source as the shared instance's admin");

            var result = LegacyScripts.Run(LegacyScripts.MigrateDatabase, ScriptShell.Dash, LegacyScripts.ClientBinDir(target), run, work);

            Assert.That(result.ExitCode, Is.Zero, result.StdErr);
            Assert.That(target.Psql(env["TARGET_DATABASE"], "SELECT count(*) FROM public.items"), Is.EqualTo("321"));
            Assert.That(target.Psql(env["TARGET_DATABASE"], "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'items'"), Is.EqualTo(plan.DedicatedJob!.DatabaseUser()));
            Assert.That(target.Psql(env["TARGET_DATABASE"], "SELECT source_database FROM nomad_db_migration.completed"), Is.EqualTo(database.Name));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

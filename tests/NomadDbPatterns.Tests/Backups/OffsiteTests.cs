using System.Globalization;
using System.Text;
using System.Text.Json;
using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// Offsite copies with Debian's restic against a restic REST repository on 127.0.0.1: the copies are encrypted, the
/// tiered retention keeps the right snapshots over a simulated calendar, and a database comes back from offsite with
/// identical rows; the rendered offsite and fetch tasks, their refusals.
/// </summary>
[TestFixture]
public sealed class OffsiteTests
{
    private const string Password = "offsite-test-repository-password";
    private static readonly string Script = Path.Combine(BackupScripts.ScriptsDirectory, "offsite.sh");

    private TempDirectories _dirs = null!;
    private ResticRestServer _server = null!;

    [SetUp]
    public void Start()
    {
        _dirs = new TempDirectories();
        _server = new ResticRestServer(_dirs.NewDirectory("repository"));
    }

    [TearDown]
    public void Stop()
    {
        _server.Dispose();
        _dirs.Dispose();
    }

    private Dictionary<string, string> Env(string backups, string mode, params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["RESTIC_REPOSITORY"] = $"rest:{_server.Url}",
            ["RESTIC_PASSWORD"] = Password,
            ["RESTIC_CACHE_DIR"] = Path.Combine(_dirs.NewDirectory("cache"), "restic"),
            ["BACKUP_DIR"] = backups,
            ["BACKUP_LIB"] = BackupScripts.Library,
            ["OFFSITE_MODE"] = mode,
            ["OFFSITE_HOST"] = "shop",
            ["OFFSITE_KEEP_DAILY"] = "7",
            ["OFFSITE_KEEP_WEEKLY"] = "4",
            ["OFFSITE_KEEP_MONTHLY"] = "6",
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        return env;
    }

    private static ShellResult Restic(Dictionary<string, string> env, params string[] args) => Shell.Run("restic", args, env, null, BackupScripts.Timeout);

    [Test]
    public void Copies_are_encrypted_and_a_database_comes_back_from_offsite_with_identical_rows()
    {
        using var cluster = PostgresCluster.Start("offsite");
        var backups = _dirs.NewDirectory("backups");
        PgData.CreateSeeded(cluster, "shop");
        var dump = BackupScripts.Run(BackupScripts.PgBackup, BackupScripts.PgEnv(cluster, "shop", backups, ("BACKUP_FORMAT", "plain-gzip")));
        Assert.That(dump.ExitCode, Is.Zero, dump.StdErr);
        var expected = PgData.Fingerprint(cluster, "shop");

        var copy = BackupScripts.Run(Script, Env(backups, "once"), ScriptShell.Busybox, pathPrefix: ResticOnly());

        Assert.That(copy.ExitCode, Is.Zero, copy.StdErr);
        Assert.That(copy.StdOut, Does.Contain("offsite repository initialised host=shop").And.Match("offsite ok host=shop snapshot=[0-9a-f]{8} kept=1 checked=yes"));
        BackupScripts.AssertNoSecret(copy, Password);
        // The manifest is plain text on the volume; in the repository nothing of it may be readable.
        var manifest = File.ReadAllText(Directory.GetFiles(backups, "*.manifest").Single());
        Assert.That(manifest, Does.Contain("nomad-db-backup-manifest 1"));
        foreach (var file in Directory.GetFiles(_server.Directory, "*", SearchOption.AllDirectories))
        {
            Assert.That(Encoding.Latin1.GetString(File.ReadAllBytes(file)), Does.Not.Contain("nomad-db-backup-manifest").And.Not.Contain("shop.customers"), file);
        }

        // The volume is lost: fetch the copy, and restore its newest backup into an empty database.
        var fetched = _dirs.NewDirectory("fetched");
        var fetch = BackupScripts.Run(Script, Env("/nonexistent", "fetch", ("OFFSITE_FETCH_DIR", fetched)));
        Assert.That(fetch.ExitCode, Is.Zero, fetch.StdErr);
        cluster.Psql("postgres", "CREATE DATABASE shop_back");
        var restore = BackupScripts.Run(Path.Combine(BackupScripts.ScriptsDirectory, "restore-database.sh"), new Dictionary<string, string>(cluster.PgEnv("shop_back"))
        {
            ["BACKUP_DIR"] = fetched + backups,
            ["BACKUP_NAME"] = "shop",
            ["BACKUP_LIB"] = BackupScripts.Library,
        });

        Assert.That(restore.ExitCode, Is.Zero, restore.StdErr);
        Assert.That(PgData.Fingerprint(cluster, "shop_back"), Is.EqualTo(expected));
    }

    [Test]
    public void Tiered_retention_keeps_the_newest_days_weeks_and_months_over_a_simulated_calendar()
    {
        var backups = _dirs.NewDirectory("backups");
        var env = Env(backups, "once", ("OFFSITE_KEEP_DAILY", "5"), ("OFFSITE_KEEP_WEEKLY", "3"), ("OFFSITE_KEEP_MONTHLY", "2"), ("OFFSITE_CHECK_DAYS", "100000"));
        var days = Enumerable.Range(0, 24).Select(i => new DateTime(2026, 1, 20, 5, 0, 0, DateTimeKind.Utc).AddDays(i)).ToList();
        foreach (var day in days)
        {
            File.WriteAllText(Path.Combine(backups, "shop-day.txt"), day.ToString("O", CultureInfo.InvariantCulture));
            var run = BackupScripts.Run(Script, new Dictionary<string, string>(env) { ["OFFSITE_TIME"] = day.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), ["TZ"] = "UTC" });
            Assert.That(run.ExitCode, Is.Zero, run.StdErr);
        }

        var listed = Restic(new Dictionary<string, string>(env) { ["TZ"] = "UTC" }, "snapshots", "--json");
        Assert.That(listed.ExitCode, Is.Zero, listed.StdErr);
        var kept = JsonDocument.Parse(listed.StdOut).RootElement.EnumerateArray()
            .Select(s => DateTimeOffset.Parse(s.GetProperty("time").GetString()!, CultureInfo.InvariantCulture).UtcDateTime.Date).Order().ToList();

        // restic's rules, each over the newest snapshot of each day, ISO week and month: the newest 5 days, 3 weeks, 2 months.
        var expected = new SortedSet<DateTime>();
        expected.UnionWith(days.Select(d => d.Date).OrderDescending().Take(5));
        expected.UnionWith(days.GroupBy(d => (ISOWeek.GetYear(d), ISOWeek.GetWeekOfYear(d))).Select(g => g.Max().Date).OrderDescending().Take(3));
        expected.UnionWith(days.GroupBy(d => (d.Year, d.Month)).Select(g => g.Max().Date).OrderDescending().Take(2));
        Assert.That(kept, Is.EqualTo(expected.ToList()));
        Assert.That(kept, Does.Contain(new DateTime(2026, 1, 31)), "January's last day: the monthly snapshot");
    }

    [Test]
    public void A_repository_it_cannot_open_is_a_visible_failure_without_the_password()
    {
        var backups = _dirs.NewDirectory("backups");
        Assert.That(BackupScripts.Run(Script, Env(backups, "once")).ExitCode, Is.Zero);

        var wrong = BackupScripts.Run(Script, Env(backups, "once", ("RESTIC_PASSWORD", "not-the-password")));

        Assert.That(wrong.ExitCode, Is.EqualTo(1));
        Assert.That(wrong.StdErr, Does.Contain("offsite FAILED host=shop reason=\"cannot open the repository"));
        Assert.That(File.ReadAllText(Path.Combine(backups, ".last-failure")), Does.Contain("offsite: cannot open the repository"));
        BackupScripts.AssertNoSecret(wrong, "not-the-password");
        Assert.That(wrong.StdErr, Does.Not.Contain(_server.Url), "the repository is not echoed");
    }

    /// <summary>A PATH with restic for the BusyBox run (not a busybox applet; the restic image has both).</summary>
    private string ResticOnly()
    {
        var dir = _dirs.NewDirectory("restic-bin");
        File.CreateSymbolicLink(Path.Combine(dir, "restic"), "/usr/bin/restic");
        return dir;
    }

    [Test]
    public void The_rendered_offsite_task_and_restore_from_offsite_are_accepted_by_nomad()
    {
        var job = SpecLoader.LoadFiles([RepoPaths.Combine("examples", "homelab", "gitea.yaml")]).Jobs.Single().Job;
        var hcl = JobRenderer.Default.Render(job, "gitea.yaml").Single(f => f.FileName == "gitea.nomad.hcl").Content;
        var task = Hcl.Block(Hcl.Block(Hcl.Block(Hcl2Json.ParseText(hcl), "job", "gitea"), "group", "gitea"), "task", "offsite");
        var config = Hcl.Single(task, "config");
        Assert.That(config.GetProperty("entrypoint").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "/bin/sh" }), "the restic image's entrypoint is restic");
        var env = Hcl.Single(task, "env");
        Assert.That(env.GetProperty("RESTIC_REPOSITORY").GetString(), Is.EqualTo("s3:https://s3.eu-central-003.backblazeb2.com/homelab-backups/gitea"));
        Assert.That(Hcl.All(task, "template").First().GetProperty("data").GetString(), Does.Contain("RESTIC_PASSWORD=").And.Contain("AWS_SECRET_ACCESS_KEY="));
        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["gitea.nomad.hcl"] = hcl });

        var plan = Restore.Plan(job, new RestoreOptions { From = RestoreOptions.Offsite, SourceName = "examples/homelab/gitea.yaml" });
        Assert.That(plan.Diagnostics, Is.Empty);
        var restoreHcl = plan.Files.Single(f => f.FileName == "gitea-restore.nomad.hcl").Content;
        Snapshot.Verify("restore-offsite.gitea-restore.nomad", restoreHcl, "hcl");
        NomadConformance.AssertAccepted(new Dictionary<string, string> { ["gitea-restore.nomad.hcl"] = restoreHcl });
        var group = Hcl.Block(Hcl.Block(Hcl2Json.ParseText(restoreHcl), "job", "gitea-restore"), "group", "restore");
        Assert.That(Hcl.Attr(Hcl.Single(Hcl.Block(group, "task", "fetch"), "lifecycle"), "hook"), Is.EqualTo("prestart"));
        Assert.That(Hcl.Single(Hcl.Block(group, "task", "restore"), "env").GetProperty("BACKUP_DIR").GetString(), Is.EqualTo("/alloc/data/offsite/backups"));
    }

    [TestCase("repository: /srv/restic", "backup.offsite.repository", ErrorCodes.InvalidValue)]
    [TestCase("repository: \"s3:https://x/y\"\n    keep: { daily: 0, weekly: 0, monthly: 0 }", "backup.offsite.keep", ErrorCodes.Retention)]
    [TestCase("repository: \"s3:https://x/y\"\n    schedule: \"0 25 * * *\"", "backup.offsite.schedule", ErrorCodes.Schedule)]
    [TestCase("repository: \"s3:https://x/y\"\n    credentials: { AWS_SECRET_ACCESS_KEY: literal-secret-value }", "backup.offsite.credentials.AWS_SECRET_ACCESS_KEY", ErrorCodes.LiteralPassword)]
    public void Bad_offsite_settings_are_errors_at_their_keys(string offsite, string path, string code)
    {
        var yaml = $"""
            name: svc
            app:
              image: example/svc:1.0
              ports:
                - name: http
                  to: 8080
            postgres:
              password:
                nomadVar: nomad/jobs/svc
            backup:
              offsite:
                passwordSecret: {"{"} nomadVar: nomad/jobs/svc {"}"}
                {offsite}
            """;
        var loaded = SpecLoader.LoadText(yaml, "specs/svc.yaml");
        var errors = loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error).ToList();

        Assert.That(errors.Select(e => (e.Path, e.Code)), Does.Contain((path, code)), string.Join("\n", errors));
        Assert.That(errors.First(e => e.Path == path).Location, Is.Not.Null, "file:line:col");
        Assert.That(string.Join("\n", errors), Does.Not.Contain("literal-secret-value"));
    }
}

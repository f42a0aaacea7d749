using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>backup-age-check.sh: healthy while the newest good backup is younger than the limit.</summary>
[TestFixture]
public sealed class AgeCheckTests
{
    private TempDirectories _dirs = null!;

    [SetUp]
    public void CreateDirectories() => _dirs = new TempDirectories();

    [TearDown]
    public void DeleteDirectories() => _dirs.Dispose();

    private static Infrastructure.ShellResult Check(string dir, int staleAfter, string? name = null, ScriptShell shell = ScriptShell.Dash)
    {
        var env = new Dictionary<string, string> { ["BACKUP_DIR"] = dir, ["BACKUP_STALE_AFTER_SECONDS"] = staleAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (name is not null)
        {
            env["BACKUP_NAME"] = name;
        }

        return BackupScripts.Run(BackupScripts.AgeCheck, env, shell);
    }

    private static string Plant(string dir, string name, TimeSpan age, string extension = ".dump")
    {
        var file = $"{name}-{BackupScripts.Stamp(DateTimeOffset.UtcNow - age)}{extension}";
        File.WriteAllText(Path.Combine(dir, file), "backup");
        return file;
    }

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void A_young_backup_is_healthy_and_an_old_one_is_stale(ScriptShell shell)
    {
        var dir = _dirs.NewDirectory("age");
        var file = Plant(dir, "app", TimeSpan.FromHours(2), ".sql.gz");

        var fresh = Check(dir, 3 * 3600, shell: shell);
        var stale = Check(dir, 3600, shell: shell);

        Assert.That(fresh.ExitCode, Is.EqualTo(0), fresh.StdOut);
        Assert.That(fresh.StdOut, Does.StartWith("OK: newest backup " + file));
        Assert.That(stale.ExitCode, Is.EqualTo(1));
        Assert.That(stale.StdOut, Does.StartWith($"STALE: newest backup {file} is").And.Contain("(limit 3600)"));
        var age = int.Parse(stale.StdOut.Split(" is ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(age, Is.InRange(7200, 7260));
    }

    [Test]
    public void No_backup_at_all_is_stale_and_the_last_failure_is_shown()
    {
        var dir = _dirs.NewDirectory("empty");
        File.WriteAllText(Path.Combine(dir, ".last-failure"), "1700000000 pg_dump failed\n");

        var result = Check(dir, 3600);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdOut, Does.Contain("no good backup").And.Contain("pg_dump failed"));
    }

    [Test]
    public void The_last_success_marker_counts_only_while_its_file_exists()
    {
        var dir = _dirs.NewDirectory("marker");
        var old = Plant(dir, "app", TimeSpan.FromDays(3));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        File.WriteAllText(Path.Combine(dir, ".last-success"), $"{now} app-20990101T000000Z.dump\n");

        var result = Check(dir, 3600);

        Assert.That(result.ExitCode, Is.EqualTo(1), "a marker naming a deleted file is ignored");
        Assert.That(result.StdOut, Does.Contain(old));
    }

    [Test]
    public void Only_backups_of_BACKUP_NAME_count_when_it_is_set()
    {
        var dir = _dirs.NewDirectory("names");
        Plant(dir, "other", TimeSpan.FromMinutes(1));
        var mine = Plant(dir, "mine", TimeSpan.FromDays(2), ".sqlite");

        Assert.That(Check(dir, 3600).ExitCode, Is.EqualTo(0));
        var named = Check(dir, 3600, "mine");
        Assert.That(named.ExitCode, Is.EqualTo(1));
        Assert.That(named.StdOut, Does.Contain(mine));
    }

    [TestCase("0")]
    [TestCase("")]
    [TestCase("soon")]
    public void An_invalid_limit_is_an_error(string limit)
    {
        var dir = _dirs.NewDirectory("invalid");
        Plant(dir, "app", TimeSpan.Zero);

        var result = BackupScripts.Run(BackupScripts.AgeCheck, new Dictionary<string, string> { ["BACKUP_DIR"] = dir, ["BACKUP_STALE_AFTER_SECONDS"] = limit });

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.StdOut, Does.Contain("BACKUP_STALE_AFTER_SECONDS"));
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// The scripts as a Nomad task would get them: every example is rendered, read back with HashiCorp's HCL parser, and
/// the backup task's <c>local/*.sh</c> templates and <c>env</c> block are run with <c>sh</c>, with only the
/// connection, the directories and the mode replaced for the test.
/// </summary>
[TestFixture]
public sealed class RenderedScriptTests
{
    private sealed record BackupTask(string Job, string Task, IReadOnlyDictionary<string, string> Scripts, Dictionary<string, string> Env, string EnvFile, string Entry);

    private static IReadOnlyList<BackupTask> RenderedBackupTasks()
    {
        var directory = Directory.CreateTempSubdirectory("rendered-");
        try
        {
            var paths = new List<string>();
            foreach (var example in SpecLoader.ExpandInputs([RepoPaths.Examples]))
            {
                var loaded = SpecLoader.LoadFiles([example]);
                Assert.That(loaded.Diagnostics, Is.Empty, string.Join('\n', loaded.Diagnostics));
                foreach (var file in loaded.Jobs.SelectMany(j => JobRenderer.Default.Render(j.Job, Path.GetFileName(example))))
                {
                    var path = Path.Combine(directory.FullName, file.FileName);
                    File.WriteAllText(path, file.Content);
                    paths.Add(Path.GetFullPath(path));
                }
            }

            return [.. Hcl2Json.ParseFiles(paths).Values.SelectMany(root => Tasks(root)).Where(t => t.Scripts.Keys.Any(k => k.EndsWith("-backup.sh", StringComparison.Ordinal)))];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Every task body in hcl2json's shape: job.NAME[0].group.NAME[0].task.NAME[0].</summary>
    private static IEnumerable<BackupTask> Tasks(JsonElement root)
    {
        foreach (var job in root.GetProperty("job").EnumerateObject())
        {
            foreach (var group in job.Value[0].GetProperty("group").EnumerateObject())
            {
                foreach (var task in group.Value[0].GetProperty("task").EnumerateObject())
                {
                    var body = task.Value[0];
                    if (!body.TryGetProperty("template", out var templates))
                    {
                        continue;
                    }

                    var scripts = new Dictionary<string, string>();
                    var envFile = string.Empty;
                    foreach (var template in templates.EnumerateArray())
                    {
                        var destination = template.GetProperty("destination").GetString()!;
                        var data = ScriptsVariableFile.Embedded.Resolve(template.GetProperty("data").GetString()!);
                        if (destination.StartsWith("local/", StringComparison.Ordinal) && destination.EndsWith(".sh", StringComparison.Ordinal))
                        {
                            scripts[destination["local/".Length..]] = data;
                        }
                        else if (template.TryGetProperty("env", out var isEnv) && isEnv.GetBoolean())
                        {
                            envFile += data;
                        }
                    }

                    var env = body.TryGetProperty("env", out var envBlocks)
                        ? envBlocks[0].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
                        : [];
                    var entry = body.GetProperty("config")[0].TryGetProperty("args", out var args) ? args[0].GetString()! : string.Empty;
                    yield return new BackupTask(job.Name, task.Name, scripts, env, envFile, entry);
                }
            }
        }
    }

    private static string EnvFileValue(string envFile, string name)
    {
        // A line may start with the end of a consul-template block (the periodic job's service lookup).
        var match = Regex.Match(envFile, $"^(?:\\{{\\{{[^}}]*\\}}\\}})?{name}=\"?([^\"\\n]*)\"?$", RegexOptions.Multiline);
        Assert.That(match.Success, Is.True, $"{name} in the rendered env file:\n{envFile}");
        return match.Groups[1].Value;
    }

    /// <summary>Writes the rendered scripts to a directory standing in for the task's local/.</summary>
    private static string WriteLocal(TempDirectories dirs, BackupTask task)
    {
        var local = dirs.NewDirectory("local");
        foreach (var (name, text) in task.Scripts)
        {
            File.WriteAllText(Path.Combine(local, name), text);
        }

        Assert.That(task.Scripts["backup-lib.sh"], Is.EqualTo(File.ReadAllText(BackupScripts.Library)), "rendered verbatim");
        return local;
    }

    [Test]
    public void Every_rendered_backup_task_runs_and_passes_its_own_age_check()
    {
        var tasks = RenderedBackupTasks();
        Assert.That(tasks.Select(t => t.Entry).Distinct(), Is.EquivalentTo(new[] { "/local/pg-backup.sh", "/local/sqlite-backup.sh" }),
            "the examples cover both scripts");
        // Consul runs the age check (the task renders it); Nomad's checks cannot run scripts, so there the sidecar
        // exits when backups go stale and the check is not rendered. The examples have both.
        Assert.That(tasks.Select(t => t.Scripts.ContainsKey("backup-age-check.sh")).Distinct().Count(), Is.EqualTo(2));
        using var cluster = PostgresCluster.Start("rendered");
        using var dirs = new TempDirectories();
        foreach (var task in tasks)
        {
            var local = WriteLocal(dirs, task);
            if (!task.Scripts.ContainsKey("backup-age-check.sh"))
            {
                File.WriteAllText(Path.Combine(local, "backup-age-check.sh"), ScriptsVariableFile.Embedded.Items["backup_age_check"]);
            }

            var backups = dirs.NewDirectory("backups");
            var env = new Dictionary<string, string>(task.Env)
            {
                ["BACKUP_DIR"] = backups,
                ["BACKUP_LIB"] = Path.Combine(local, "backup-lib.sh"),
                ["BACKUP_MODE"] = "once",
            };
            if (task.Entry.EndsWith("pg-backup.sh", StringComparison.Ordinal))
            {
                // As in the image, the rendered PGUSER is the POSTGRES_USER superuser that owns PGDATABASE.
                var user = EnvFileValue(task.EnvFile, "PGUSER");
                var database = EnvFileValue(task.EnvFile, "PGDATABASE");
                const string password = "rendered-pass-1";
                cluster.Psql("postgres", $"CREATE ROLE \"{user}\" LOGIN SUPERUSER PASSWORD '{password}'; CREATE DATABASE \"{database}\" OWNER \"{user}\";");
                cluster.Psql(database, $"SET ROLE \"{user}\";\n{PgData.SeedSql}");
                foreach (var (name, value) in cluster.PgEnv(database, user, password))
                {
                    env[name] = value;
                }
            }
            else
            {
                var database = Path.Combine(dirs.NewDirectory("data"), Path.GetFileName(task.Env["SQLITE_DB"]));
                var create = Shell.Run("sqlite3", [database, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"], null, null, BackupScripts.Timeout);
                Assert.That(create.ExitCode, Is.EqualTo(0), create.StdErr);
                env["SQLITE_DB"] = database;
            }

            var run = BackupScripts.Run(Path.Combine(local, Path.GetFileName(task.Entry)), env);
            var check = BackupScripts.Run(Path.Combine(local, "backup-age-check.sh"), env);

            var label = $"{task.Job}/{task.Task}";
            Assert.That(run.ExitCode, Is.EqualTo(0), $"{label}: {run.StdErr}");
            Assert.That(run.StdOut, Does.Contain("backup ok"), label);
            if (env.GetValueOrDefault("BACKUP_VERIFY") == "restore")
            {
                Assert.That(run.StdOut, Does.Contain("verify=match"), label);
            }

            Assert.That(BackupScripts.BackupFiles(backups), Has.Count.EqualTo(1), label);
            Assert.That(check.ExitCode, Is.EqualTo(0), $"{label}: {check.StdOut}");
        }
    }

    [Test]
    public void Every_rendered_schedule_is_accepted_by_the_script()
    {
        // BACKUP_MODE=loop validates BACKUP_CRON / BACKUP_INTERVAL_SECONDS and TZ before its first tick; a
        // configuration error would exit 2 here.
        using var dirs = new TempDirectories();
        foreach (var task in RenderedBackupTasks())
        {
            var local = WriteLocal(dirs, task);
            var env = new Dictionary<string, string>(task.Env)
            {
                ["BACKUP_DIR"] = dirs.NewDirectory("backups"),
                ["BACKUP_LIB"] = Path.Combine(local, "backup-lib.sh"),
                ["BACKUP_MODE"] = "loop",
                ["BACKUP_LOOP_ITERATIONS"] = "1",
                ["PGDATABASE"] = "unused",
                ["PGHOST"] = "127.0.0.1",
                ["PGPORT"] = "1",
                ["SQLITE_DB"] = "/nonexistent/app.db",
            };
            if (env.ContainsKey("BACKUP_INTERVAL_SECONDS"))
            {
                // An interval is due at once; keep the (failing) run out of this test.
                File.WriteAllText(Path.Combine(env["BACKUP_DIR"], ".last-failure"), $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()} earlier\n");
            }

            var result = BackupScripts.Run(Path.Combine(local, Path.GetFileName(task.Entry)), env);

            Assert.That(result.ExitCode, Is.EqualTo(0), $"{task.Job}/{task.Task}: {result.StdErr}");
            Assert.That(result.StdOut, Does.Contain("backup scheduler started"));
            Assert.That(result.StdErr, Does.Not.Contain("WARNING"), "TZ is known");
        }
    }
}

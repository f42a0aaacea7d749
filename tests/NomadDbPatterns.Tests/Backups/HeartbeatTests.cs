using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>
/// heartbeat.sh with Debian's curl against a local HTTP server standing in for healthchecks.io: each backup result
/// is pinged once (URL after a good backup, URL/fail after a failure), never twice after a restart, and the URL (a
/// secret) is never printed.
/// </summary>
[TestFixture]
public sealed class HeartbeatTests
{
    private const string Token = "5f1c0ffe-secret-check-uuid";
    private static readonly string Script = Path.Combine(BackupScripts.ScriptsDirectory, "heartbeat.sh");

    private TempDirectories _dirs = null!;
    private PingServer _server = null!;

    [SetUp]
    public void Start()
    {
        _dirs = new TempDirectories();
        _server = new PingServer();
    }

    [TearDown]
    public void Stop()
    {
        _server.Dispose();
        _dirs.Dispose();
    }

    private string CurlOnly()
    {
        var dir = _dirs.NewDirectory("curl");
        File.CreateSymbolicLink(Path.Combine(dir, "curl"), "/usr/bin/curl");
        return dir;
    }

    private ShellResult Run(string backups, ScriptShell shell, params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["HEARTBEAT_URL"] = $"{_server.Url}ping/{Token}",
            ["BACKUP_DIR"] = backups,
            ["BACKUP_LIB"] = BackupScripts.Library,
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        var result = BackupScripts.Run(Script, env, shell, pathPrefix: shell == ScriptShell.Busybox ? CurlOnly() : null);
        BackupScripts.AssertNoSecret(result, Token);
        return result;
    }

    [TestCase(ScriptShell.Dash)]
    [TestCase(ScriptShell.Busybox)]
    public void Loop_mode_pings_each_new_result_once_and_remembers_it_across_restarts(ScriptShell shell)
    {
        var backups = _dirs.NewDirectory("backups");
        var state = Path.Combine(_dirs.NewDirectory("alloc"), "heartbeat.state");
        var once = new[] { ("HEARTBEAT_STATE", state), ("HEARTBEAT_LOOP_ITERATIONS", "1") };
        File.WriteAllText(Path.Combine(backups, ".last-success"), "1000 app-20261206T030000Z.dump\n");

        var first = Run(backups, shell, once);
        var restarted = Run(backups, shell, once);
        File.WriteAllText(Path.Combine(backups, ".last-failure"), "2000 pg_dump failed: connection refused\n");
        var failed = Run(backups, shell, once);

        Assert.That(first.ExitCode, Is.Zero, first.StdErr);
        Assert.That(restarted.ExitCode, Is.Zero, restarted.StdErr);
        Assert.That(failed.ExitCode, Is.Zero, failed.StdErr);
        Assert.That(_server.Requests.Select(r => r.Path), Is.EqualTo(new[] { $"/ping/{Token}", $"/ping/{Token}/fail" }), "one ping per result, none for the restart");
        Assert.That(_server.Requests[0].Body, Does.Contain("backup ok: app-20261206T030000Z.dump"));
        Assert.That(_server.Requests[1].Body, Does.Contain("pg_dump failed: connection refused"));
        Assert.That(File.ReadAllText(state).Trim(), Is.EqualTo("1000 2000"));
        Assert.That(first.StdOut, Does.Contain("heartbeat sent result=ok epoch=1000"));
    }

    [Test]
    public void A_failure_and_a_later_success_are_pinged_in_order_so_the_check_ends_up()
    {
        var backups = _dirs.NewDirectory("backups");
        File.WriteAllText(Path.Combine(backups, ".last-failure"), "1000 disk full\n");
        File.WriteAllText(Path.Combine(backups, ".last-success"), "1500 app-20261206T040000Z.dump\n");

        var result = Run(backups, ScriptShell.Dash, ("HEARTBEAT_STATE", Path.Combine(_dirs.NewDirectory("alloc"), "s")), ("HEARTBEAT_LOOP_ITERATIONS", "1"));

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        Assert.That(_server.Requests.Select(r => r.Path), Is.EqualTo(new[] { $"/ping/{Token}/fail", $"/ping/{Token}" }));
    }

    [TestCase("1600 app-20261206T050000Z.dump", null, "", "backup ok")]
    [TestCase("1600 app-20261206T050000Z.dump", "1700 verify mismatch", "/fail", "verify mismatch")]
    [TestCase("1400 app-20261206T020000Z.dump", null, "/fail", "no backup result since the launch at 1500")]
    public void Once_mode_reports_what_this_periodic_launch_left(string success, string? failure, string suffix, string body)
    {
        var backups = _dirs.NewDirectory("backups");
        File.WriteAllText(Path.Combine(backups, ".last-success"), success + "\n");
        if (failure is not null)
        {
            File.WriteAllText(Path.Combine(backups, ".last-failure"), failure + "\n");
        }

        var result = Run(backups, ScriptShell.Busybox, ("HEARTBEAT_MODE", "once"), ("NOMAD_JOB_ID", "grafana-backup/periodic-1500"));

        Assert.That(result.ExitCode, Is.Zero, result.StdErr);
        Assert.That(_server.Requests.Single().Path, Is.EqualTo($"/ping/{Token}{suffix}"));
        Assert.That(_server.Requests.Single().Body, Does.Contain(body));
    }

    [Test]
    public void An_unreachable_check_fails_loudly_without_printing_the_url()
    {
        var backups = _dirs.NewDirectory("backups");
        File.WriteAllText(Path.Combine(backups, ".last-success"), "1600 app-20261206T050000Z.dump\n");
        var env = new Dictionary<string, string>
        {
            ["HEARTBEAT_URL"] = $"http://127.0.0.1:{PingServer.ClosedPort()}/ping/{Token}",
            ["BACKUP_DIR"] = backups,
            ["BACKUP_LIB"] = BackupScripts.Library,
            ["HEARTBEAT_MODE"] = "once",
            ["HEARTBEAT_SINCE"] = "1500",
        };

        var result = BackupScripts.Run(Script, env);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StdErr, Does.Contain("heartbeat FAILED result=ok"));
        BackupScripts.AssertNoSecret(result, Token);
        BackupScripts.AssertNoSecret(BackupScripts.Run(Script, new Dictionary<string, string>(env) { ["HEARTBEAT_URL"] = $"ftp://x/{Token}" }), Token);
        Assert.That(BackupScripts.Run(Script, new Dictionary<string, string>(env) { ["HEARTBEAT_URL"] = "" }).ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void The_rendered_sidecar_and_poststop_tasks_drive_the_script()
    {
        var result = NomadDb.Render([RepoPaths.Examples], new RenderOptions { BaseDirectory = RepoPaths.Root });
        var sidecar = TaskEnv(result.Files.Single(f => f.FileName == "paperless.nomad.hcl").Content, "paperless", "paperless");
        var poststop = TaskEnv(result.Files.Single(f => f.FileName == "grafana-backup.nomad.hcl").Content, "grafana-backup", "backup");
        Assert.That((sidecar.Lifecycle, poststop.Lifecycle), Is.EqualTo(("poststart", "poststop")));
        var backups = _dirs.NewDirectory("backups");
        File.WriteAllText(Path.Combine(backups, ".last-success"), "1600 paperless-20261206T050000Z.dump\n");

        foreach (var env in new[] { sidecar.Env, poststop.Env })
        {
            var run = new Dictionary<string, string>(env)
            {
                ["BACKUP_DIR"] = backups,
                ["BACKUP_LIB"] = BackupScripts.Library,
                ["HEARTBEAT_URL"] = $"{_server.Url}ping/{Token}",
                ["HEARTBEAT_STATE"] = Path.Combine(_dirs.NewDirectory("alloc"), "state"),
                ["HEARTBEAT_LOOP_ITERATIONS"] = "1",
                ["NOMAD_JOB_ID"] = "grafana-backup/periodic-1500",
            };
            Assert.That(BackupScripts.Run(Script, run).ExitCode, Is.Zero);
        }

        Assert.That(_server.Requests.Select(r => r.Path), Is.EqualTo(new[] { $"/ping/{Token}", $"/ping/{Token}" }));
    }

    private static (string Lifecycle, Dictionary<string, string> Env) TaskEnv(string hcl, string job, string group)
    {
        var task = Hcl.Block(Hcl.Block(Hcl.Block(Hcl2Json.ParseText(hcl), "job", job), "group", group), "task", "heartbeat");
        return (Hcl.Attr(Hcl.Single(task, "lifecycle"), "hook")!, Hcl.Single(task, "env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
    }

    /// <summary>A local stand-in for a healthchecks.io check: records each request's path and body.</summary>
    private sealed class PingServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, string Body)> _requests = new();

        public PingServer()
        {
            var port = ClosedPort();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(Serve);
        }

        public string Url { get; }

        public IReadOnlyList<(string Path, string Body)> Requests => [.. _requests];

        /// <summary>A port nothing listens on (bound and released).</summary>
        public static int ClosedPort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                _requests.Enqueue((context.Request.Url!.AbsolutePath, await reader.ReadToEndAsync()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}

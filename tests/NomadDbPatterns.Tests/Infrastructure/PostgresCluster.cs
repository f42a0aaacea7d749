using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster from the newest server installed under /usr/lib/postgresql/*/bin: initdb into a temp
/// directory, scram-sha-256 for every connection, superuser <c>postgres</c> with a random password, listening on
/// 127.0.0.1 on a free port. A missing server is an error, never a reason to skip: the tests exist to run against it.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private const string PostgresRoot = "/usr/lib/postgresql";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly string _binDir;
    private readonly string _clientBinDir;
    private readonly string _rootDir;
    private readonly string _dataDir;
    private readonly bool _runAsPostgres;
    private bool _stopped;
    private (string Name, string Value)[] _settings = [];

    private PostgresCluster(string binDir, string clientBinDir, string rootDir, bool runAsPostgres, string superPassword)
    {
        _binDir = binDir;
        _clientBinDir = clientBinDir;
        _rootDir = rootDir;
        _dataDir = Path.Combine(rootDir, "data");
        _runAsPostgres = runAsPostgres;
        SuperPassword = superPassword;
    }

    /// <summary>Always 127.0.0.1: the cluster listens on loopback only.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port the cluster listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The client tools' bin directory (psql, pg_isready, pg_dump): Debian's, of the server's major unless <see cref="Major"/> says otherwise.</summary>
    public string BinDirectory => _clientBinDir;

    /// <summary>The server's major: Debian's (15 here), or the one given to <see cref="StartMajor"/>.</summary>
    public int Major { get; private init; }

    /// <summary>The bootstrap superuser.</summary>
    public string SuperUser => "postgres";

    /// <summary>What the server has written to its log so far.</summary>
    public string ServerLog => File.Exists(Path.Combine(_rootDir, "server.log")) ? File.ReadAllText(Path.Combine(_rootDir, "server.log")) : string.Empty;

    /// <summary>The superuser's random password.</summary>
    public string SuperPassword { get; }

    /// <summary>Creates and starts a cluster; <paramref name="name"/> only labels its temp directory.</summary>
    public static PostgresCluster Start(string name)
    {
        var binDir = NewestBinDir();
        return Start(name, binDir, binDir, int.Parse(Path.GetFileName(Path.GetDirectoryName(binDir))!, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A cluster of another PostgreSQL major (16, 17, 18: the server binaries of tests/pg, installed by
    /// <c>npm ci --prefix tests/pg</c>); the client tools stay Debian's (older than the server: libpq and psql speak
    /// to newer servers, pg_dump does not dump them).
    /// </summary>
    public static PostgresCluster StartMajor(string name, int major) => Start(name, EmbeddedBinDir(major), NewestBinDir(), major);

    /// <summary>
    /// A cluster started with extra server settings on the command line (as a Nomad task passes <c>-c</c> arguments),
    /// e.g. <c>archive_mode=on</c>: each value is single-quoted for pg_ctl's shell.
    /// </summary>
    public static PostgresCluster StartWith(string name, params (string Name, string Value)[] settings)
    {
        var binDir = NewestBinDir();
        return Start(name, binDir, binDir, int.Parse(Path.GetFileName(Path.GetDirectoryName(binDir))!, System.Globalization.CultureInfo.InvariantCulture), settings);
    }

    /// <summary>
    /// A cluster whose data directory (<see cref="DataDirectory"/>, not created) someone else fills, e.g. a restore;
    /// <see cref="StartPrepared"/> then starts the server on it. Its superuser password is the restored one.
    /// </summary>
    public static PostgresCluster Prepare(string name, string superPassword)
    {
        var binDir = NewestBinDir();
        var rootDir = Directory.CreateTempSubdirectory($"nomaddb-pg-{name}-").FullName;
        var cluster = new PostgresCluster(binDir, binDir, rootDir, Environment.IsPrivilegedProcess, superPassword) { Major = 15 };
        if (cluster._runAsPostgres)
        {
            cluster.Check(Shell.Run("chown", ["postgres:postgres", rootDir], null, rootDir, CommandTimeout), "chown");
        }

        return cluster;
    }

    /// <summary>The data directory.</summary>
    public string DataDirectory => _dataDir;

    /// <summary>The OS user the server runs as, as uid:gid, or null when it is the current user.</summary>
    public string? ServerOwner => _runAsPostgres ? "postgres:postgres" : null;

    /// <summary>Starts the server on a prepared data directory; throws with the server log when it does not start.</summary>
    public void StartPrepared()
    {
        Port = FreePort();
        StartServer();
    }

    private static PostgresCluster Start(string name, string binDir, string clientBinDir, int major, params (string Name, string Value)[] settings)
    {
        var runAsPostgres = Environment.IsPrivilegedProcess;
        var rootDir = Directory.CreateTempSubdirectory($"nomaddb-pg-{name}-").FullName;
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant();
        var cluster = new PostgresCluster(binDir, clientBinDir, rootDir, runAsPostgres, password) { Major = major, _settings = settings };
        try
        {
            cluster.InitDb();
        }
        catch
        {
            cluster.Stop();
            throw;
        }

        // The free port is found by binding and releasing it; another process may take it in between, so retry.
        Exception? lastFailure = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            cluster.Port = FreePort();
            try
            {
                cluster.StartServer();
                return cluster;
            }
            catch (InvalidOperationException failure)
            {
                lastFailure = failure;
            }
        }

        cluster.Stop();
        throw new InvalidOperationException($"PostgreSQL cluster '{name}' did not start", lastFailure);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (SQL and psql meta-commands) as the superuser in <paramref name="database"/> with
    /// <c>psql -X -v ON_ERROR_STOP=1 -At</c> and returns its output without the final newline; throws with stderr on
    /// failure.
    /// </summary>
    public string Psql(string database, string sql)
    {
        var scriptFile = Path.Combine(_rootDir, $"psql-{Guid.NewGuid():N}.sql");
        File.WriteAllText(scriptFile, sql);
        try
        {
            var result = Shell.Run(
                Path.Combine(_clientBinDir, "psql"),
                ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-f", scriptFile],
                PgEnv(database),
                _rootDir,
                CommandTimeout);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"psql on {database} failed with exit code {result.ExitCode}: {result.StdErr}");
            }

            return result.StdOut.TrimEnd('\n');
        }
        finally
        {
            File.Delete(scriptFile);
        }
    }

    /// <summary>libpq environment variables for connecting to <paramref name="database"/> (default: the superuser).</summary>
    public IReadOnlyDictionary<string, string> PgEnv(string database, string? user = null, string? password = null) =>
        new Dictionary<string, string>
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = user ?? SuperUser,
            ["PGPASSWORD"] = password ?? SuperPassword,
            ["PGDATABASE"] = database,
        };

    /// <summary>Stops the server (fast shutdown) and deletes its directory. Safe to call twice.</summary>
    public void Stop()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        try
        {
            if (File.Exists(Path.Combine(_dataDir, "postmaster.pid")))
            {
                RunServerTool("pg_ctl", ["-D", _dataDir, "-m", "fast", "-w", "stop"]);
            }
        }
        finally
        {
            Directory.Delete(_rootDir, recursive: true);
        }
    }

    /// <inheritdoc cref="Stop"/>
    public void Dispose() => Stop();

    private void InitDb()
    {
        var passwordFile = Path.Combine(_rootDir, "superuser-password");
        File.WriteAllText(passwordFile, SuperPassword + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (_runAsPostgres)
        {
            // initdb and the server refuse to run as root; hand the directory to the postgres OS user.
            Check(Shell.Run("chown", ["-R", "postgres:postgres", _rootDir], null, _rootDir, CommandTimeout), "chown");
        }

        try
        {
            RunServerTool("initdb",
            [
                "-D", _dataDir, "-U", SuperUser, $"--pwfile={passwordFile}", "--auth=scram-sha-256",
                "-E", "UTF8", "--no-locale", "--no-sync",
            ]);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private void StartServer()
    {
        var options = $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories={_rootDir} -c fsync=off"
            + string.Concat(_settings.Select(s => $" -c {s.Name}='{s.Value.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        RunServerTool("pg_ctl",
            ["-D", _dataDir, "-l", Path.Combine(_rootDir, "server.log"), "-w", "-t", "60", "-o", options, "start"]);
    }

    private void RunServerTool(string tool, IReadOnlyList<string> args)
    {
        var path = Path.Combine(_binDir, tool);
        var result = _runAsPostgres
            ? Shell.Run("runuser", ["-u", "postgres", "--", path, .. args], null, _rootDir, CommandTimeout)
            : Shell.Run(path, args, null, _rootDir, CommandTimeout);
        Check(result, tool);
    }

    private void Check(ShellResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            var log = Path.Combine(_rootDir, "server.log");
            var serverLog = File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
            throw new InvalidOperationException(
                $"{what} failed with exit code {result.ExitCode}: {result.StdErr}{result.StdOut}\nserver log:\n{serverLog}");
        }
    }

    private static string NewestBinDir()
    {
        var candidates = Directory.Exists(PostgresRoot)
            ? Directory.GetDirectories(PostgresRoot)
                .Where(dir => int.TryParse(Path.GetFileName(dir), out _)
                    && File.Exists(Path.Combine(dir, "bin", "initdb"))
                    && File.Exists(Path.Combine(dir, "bin", "pg_ctl")))
                .OrderByDescending(dir => int.Parse(Path.GetFileName(dir), System.Globalization.CultureInfo.InvariantCulture))
                .ToList()
            : [];
        return candidates.Count > 0
            ? Path.Combine(candidates[0], "bin")
            : throw new InvalidOperationException(
                $"No PostgreSQL server under {PostgresRoot}/*/bin (initdb, pg_ctl). Install Debian's postgresql "
                + "package (.ci/run does); these tests run against a real server and are never skipped.");
    }

    private static string EmbeddedBinDir(int major)
    {
        var binDir = Path.Combine(RepoPaths.Root, "tests", "pg", "node_modules", $"postgres-{major}", "native", "bin");
        return File.Exists(Path.Combine(binDir, "initdb")) && File.Exists(Path.Combine(binDir, "pg_ctl"))
            ? binDir
            : throw new InvalidOperationException(
                $"No PostgreSQL {major} server in {binDir}: run `npm ci --prefix tests/pg` (.ci/test does); "
                + "these tests run against real servers and are never skipped.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>
/// A stand-in for restic's REST server on 127.0.0.1 (restic's REST backend protocol, v1: <c>/config</c>,
/// <c>/{type}/</c> listings, <c>/{type}/{name}</c> with ranged reads), storing the repository's files in a directory.
/// Debian has restic but not its rest-server, and restic 0.14 cannot use the npm S3 stand-in (s3rver stores the
/// streaming-signature chunks of its uploads); restic itself, its encryption and its retention are the real ones.
/// </summary>
public sealed class ResticRestServer : IDisposable
{
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "data", "keys", "locks", "snapshots", "index" };
    private readonly HttpListener _listener = new();

    public ResticRestServer(string directory)
    {
        Directory = directory;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(Serve);
    }

    /// <summary>Where the repository's files are.</summary>
    public string Directory { get; }

    /// <summary>The server's base URL; the restic repository is <c>rest:</c> followed by it.</summary>
    public string Url { get; }

    public void Dispose() => _listener.Close();

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

            try
            {
                await Handle(context.Request, context.Response);
            }
            catch (Exception e) when (e is IOException or HttpListenerException)
            {
                context.Response.StatusCode = 500;
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private async Task Handle(HttpListenerRequest request, HttpListenerResponse response)
    {
        var parts = request.Url!.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 && request.HttpMethod == "POST")
        {
            foreach (var type in Types)
            {
                System.IO.Directory.CreateDirectory(Path.Combine(Directory, type));
            }

            response.StatusCode = 200;
            return;
        }

        string file;
        if (parts is ["config"])
        {
            file = Path.Combine(Directory, "config");
        }
        else if (parts is [var type] && Types.Contains(type) && request.HttpMethod == "GET")
        {
            var dir = Path.Combine(Directory, type);
            var names = System.IO.Directory.Exists(dir) ? System.IO.Directory.GetFiles(dir).Select(Path.GetFileName).ToArray() : [];
            response.ContentType = "application/vnd.x.restic.rest.v1";
            await response.OutputStream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(names));
            return;
        }
        else if (parts is [var kind, var name] && Types.Contains(kind) && name.All(char.IsAsciiLetterOrDigit))
        {
            file = Path.Combine(Directory, kind, name);
        }
        else
        {
            response.StatusCode = 400;
            return;
        }

        switch (request.HttpMethod)
        {
            case "HEAD" or "GET" when !File.Exists(file):
                response.StatusCode = 404;
                return;
            case "HEAD":
                response.ContentLength64 = new FileInfo(file).Length;
                return;
            case "GET":
                var bytes = await File.ReadAllBytesAsync(file);
                var (offset, length) = Range(request.Headers["Range"], bytes.Length);
                response.StatusCode = offset == 0 && length == bytes.Length ? 200 : 206;
                response.ContentLength64 = length;
                await response.OutputStream.WriteAsync(bytes.AsMemory(offset, length));
                return;
            case "POST":
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await using (var target = File.Create(file))
                {
                    await request.InputStream.CopyToAsync(target);
                }

                response.StatusCode = 200;
                return;
            case "DELETE":
                File.Delete(file);
                response.StatusCode = 200;
                return;
            default:
                response.StatusCode = 405;
                return;
        }
    }

    /// <summary>An HTTP byte range (<c>bytes=a-b</c>, <c>bytes=a-</c>) as offset and length; the whole file without one.</summary>
    private static (int Offset, int Length) Range(string? header, int size)
    {
        if (header is null || !header.StartsWith("bytes=", StringComparison.Ordinal))
        {
            return (0, size);
        }

        var span = header["bytes=".Length..].Split('-');
        var start = int.Parse(span[0], System.Globalization.CultureInfo.InvariantCulture);
        var end = span[1].Length == 0 ? size - 1 : Math.Min(size - 1, int.Parse(span[1], System.Globalization.CultureInfo.InvariantCulture));
        return (start, end - start + 1);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>A request as the fake server received it.</summary>
internal sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What the fake server answers.</summary>
internal sealed record FakeResponse(int Status, string Body, string ContentType = "application/json", TimeSpan Delay = default, string? Location = null)
{
    /// <summary>The X-Nomad-Index header every read carries (command/agent/http.go setIndex); null sends none.</summary>
    public ulong? Index { get; init; }

    public static FakeResponse Fixture(string name) => new(200, Fixtures.Read(name));

    // Nomad's HTTP layer answers errors as text/plain with the bare message (command/agent/http.go, wrap).
    public static FakeResponse Error(int status, string message) => new(status, message, "text/plain");
}

/// <summary>
/// An HTTP server on 127.0.0.1 (a free port) that stands in for a Nomad agent. It records each request and answers
/// from a handler. It is bounded: it serves at most <c>maxRequests</c> requests and stops by itself after
/// <c>lifetime</c>, even if a test forgets to dispose it.
/// </summary>
internal sealed class FakeNomadServer : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly CancellationTokenSource stop;
    private readonly Func<RecordedRequest, FakeResponse> handler;
    private readonly List<RecordedRequest> requests = [];
    private readonly Task loop;
    private readonly int maxRequests;

    private FakeNomadServer(HttpListener listener, Uri address, Func<RecordedRequest, FakeResponse> handler, int maxRequests, TimeSpan lifetime)
    {
        this.listener = listener;
        this.handler = handler;
        this.maxRequests = maxRequests;
        Address = address;
        stop = new CancellationTokenSource(lifetime);
        stop.Token.Register(() => listener.Stop());
        loop = Task.Run(ServeAsync);
    }

    public Uri Address { get; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (requests)
            {
                return requests.ToList();
            }
        }
    }

    public RecordedRequest SingleRequest => Requests.Single();

    public static FakeNomadServer Start(Func<RecordedRequest, FakeResponse> handler, int maxRequests = 20, TimeSpan? lifetime = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            var prefix = $"http://127.0.0.1:{port}/";
            listener.Prefixes.Add(prefix);
            try
            {
                listener.Start();
                return new FakeNomadServer(listener, new Uri(prefix), handler, maxRequests, lifetime ?? TimeSpan.FromSeconds(30));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between probing and binding: try another one.
                listener.Close();
            }
        }
    }

    public static FakeNomadServer Start(FakeResponse response) => Start(_ => response);

    public NomadClient Client(NomadClientOptions? options = null) =>
        new((options ?? new NomadClientOptions()) with { Address = Address });

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        finally
        {
            listener.Close();
            stop.Dispose();
        }
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        var inFlight = new List<Task>();
        for (var served = 0; served < maxRequests && !stop.IsCancellationRequested; served++)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException
                || (ex is InvalidOperationException && stop.IsCancellationRequested))
            {
                // Stopped (disposed, or its lifetime ran out) — also when the stop came before GetContextAsync, which
                // then reports a listener that is not started.
                break;
            }

            inFlight.Add(Task.Run(() => AnswerAsync(context)));
        }

        await Task.WhenAll(inFlight);
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!, k => request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(request.HttpMethod, request.Url!.AbsolutePath, request.Url.Query, headers, body);
        lock (requests)
        {
            requests.Add(recorded);
        }

        var response = handler(recorded);
        try
        {
            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, stop.Token);
            }

            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            if (response.Location is not null)
            {
                context.Response.RedirectLocation = response.Location;
            }

            if (response.Index is { } index)
            {
                context.Response.Headers["X-Nomad-Index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, stop.Token);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client gave up (timeout or cancellation tests) or the server is stopping.
            context.Response.Abort();
        }
    }
}

internal static class Fixtures
{
    public static string PathOf(string name) => System.IO.Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", name);

    public static string Read(string name) => File.ReadAllText(PathOf(name));

    public static JobPlanResponse Plan(string name) =>
        System.Text.Json.JsonSerializer.Deserialize<JobPlanResponse>(Read(name), NomadJson.Options)
        ?? throw new InvalidOperationException($"Fixture {name} is empty.");
}

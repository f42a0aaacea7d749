using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NomadDbPatterns.Nomad;

/// <summary>
/// A thin typed client for the parts of Nomad's HTTP API this project uses: validate, parse, plan, register and
/// read a job, follow its evaluation and deployment, list its allocations, and Nomad Variables. Every call has a time limit (<see cref="NomadClientOptions.Timeout"/>) and takes a
/// <see cref="CancellationToken"/>. Jobs go in and come out as Nomad's API job JSON (<c>api.Job</c>).
/// </summary>
public sealed class NomadClient : IDisposable
{
    /// <summary>Header that carries the ACL token (<c>api/api.go</c>).</summary>
    public const string TokenHeader = "X-Nomad-Token";

    private readonly HttpClient http;
    private readonly NomadClientOptions options;

    /// <summary>Creates a client; TLS settings are applied through <see cref="NomadHttpHandlerFactory"/>.</summary>
    public NomadClient(NomadClientOptions options)
        : this(options, NomadHttpHandlerFactory.Create(options?.Tls ?? throw new ArgumentNullException(nameof(options))))
    {
    }

    /// <summary>Creates a client over a given handler (which the client then owns and disposes).</summary>
    public NomadClient(NomadClientOptions options, HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Timeout must be positive.");
        }

        this.options = options;
        // The per-call limit is enforced below, where it can be told apart from the caller's cancellation.
        http = new HttpClient(handler, disposeHandler: true) { BaseAddress = options.Address, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The options this client uses.</summary>
    public NomadClientOptions Options => options;

    /// <summary>Creates a client from the <c>NOMAD_*</c> variables in <paramref name="environment"/>.</summary>
    /// <exception cref="NomadConfigurationException">A variable or certificate file cannot be used.</exception>
    public static NomadClient FromEnvironment(IDictionary environment) => new(NomadClientOptions.FromEnvironment(environment));

    /// <summary>Validates a job: <c>POST /v1/validate/job</c> with body <c>{"Job": job}</c>.</summary>
    public async Task<JobValidateResponse> ValidateJobAsync(JsonObject job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var body = new JsonObject { ["Job"] = job.DeepClone() };
        return await SendAsync<JobValidateResponse>(HttpMethod.Post, "v1/validate/job", body, cancellationToken).ConfigureAwait(false)
            ?? throw EmptyAnswer("v1/validate/job");
    }

    /// <summary>
    /// Parses an HCL jobspec on the server: <c>POST /v1/jobs/parse</c> with <c>{"JobHCL", "Canonicalize", "Variables"}</c>.
    /// Returns the job as API JSON.
    /// </summary>
    public async Task<JsonObject> ParseJobAsync(string jobHcl, bool canonicalize = true, string? variables = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobHcl);
        var body = new JsonObject { ["JobHCL"] = jobHcl, ["Canonicalize"] = canonicalize };
        if (variables is not null)
        {
            body["Variables"] = variables;
        }

        return await SendAsync<JsonObject>(HttpMethod.Post, "v1/jobs/parse", body, cancellationToken).ConfigureAwait(false)
            ?? throw EmptyAnswer("v1/jobs/parse");
    }

    /// <summary>
    /// Plans a job (a scheduler dry run): <c>POST /v1/job/:id/plan</c> with <c>{"Job", "Diff"}</c>. The job ID is
    /// taken from the job's <c>ID</c> field, which Nomad requires to match the path.
    /// </summary>
    public async Task<JobPlanResponse> PlanJobAsync(JsonObject job, bool diff = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var path = $"v1/job/{Uri.EscapeDataString(JobId(job))}/plan";
        var body = new JsonObject { ["Job"] = job.DeepClone(), ["Diff"] = diff };
        return await SendAsync<JobPlanResponse>(HttpMethod.Post, path, body, cancellationToken).ConfigureAwait(false)
            ?? throw EmptyAnswer(path);
    }

    /// <summary>
    /// Registers (creates or updates) a job: <c>POST /v1/jobs</c>. With <see cref="RegisterJobOptions.EnforceIndex"/>
    /// the register is check-and-set; a conflict throws <see cref="NomadApiException"/> with
    /// <see cref="NomadApiException.IsEnforceIndexConflict"/> set.
    /// </summary>
    public async Task<JobRegisterResponse> RegisterJobAsync(JsonObject job, RegisterJobOptions? registerOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        _ = JobId(job);
        var body = new JsonObject { ["Job"] = job.DeepClone() };
        if (registerOptions?.EnforceIndex is { } index)
        {
            body["EnforceIndex"] = true;
            body["JobModifyIndex"] = index;
        }

        if (registerOptions?.PreserveCounts == true)
        {
            body["PreserveCounts"] = true;
        }

        return await SendAsync<JobRegisterResponse>(HttpMethod.Post, "v1/jobs", body, cancellationToken).ConfigureAwait(false)
            ?? throw EmptyAnswer("v1/jobs");
    }

    /// <summary>Reads a job: <c>GET /v1/job/:id</c>. Returns null when Nomad answers 404 (no such job).</summary>
    public async Task<JsonObject?> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        try
        {
            return await SendAsync<JsonObject>(HttpMethod.Get, $"v1/job/{Uri.EscapeDataString(jobId)}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (NomadApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Stops a job: <c>DELETE /v1/job/:id</c> in <paramref name="namespace"/> (null: the client's), without purging it,
    /// so that Nomad keeps its history and it can be started again (command/agent/job_endpoint.go jobDelete at v2.0.5).
    /// Its allocations stop; host volumes and their data are not touched.
    /// </summary>
    public async Task<JobDeregisterResponse> StopJobAsync(string jobId, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var path = $"v1/job/{Uri.EscapeDataString(jobId)}";
        return await SendAsync<JobDeregisterResponse>(HttpMethod.Delete, path, null, cancellationToken, @namespace, "purge=false").ConfigureAwait(false)
            ?? throw EmptyAnswer(path);
    }

    /// <summary>
    /// Reads an evaluation: <c>GET /v1/evaluation/:id</c>. With <paramref name="blocking"/> this is a blocking query:
    /// Nomad answers once the evaluation's index passes <see cref="BlockingQuery.Index"/> or the wait ends.
    /// </summary>
    public Task<NomadQueryResult<Evaluation>> GetEvaluationAsync(string evaluationId, BlockingQuery? blocking = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(evaluationId);
        return ReadOneAsync<Evaluation>($"v1/evaluation/{Uri.EscapeDataString(evaluationId)}", blocking, cancellationToken);
    }

    /// <summary>Lists the allocations an evaluation placed: <c>GET /v1/evaluation/:id/allocations</c>.</summary>
    public Task<IReadOnlyList<AllocationListStub>> GetEvaluationAllocationsAsync(string evaluationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(evaluationId);
        return ListAsync($"v1/evaluation/{Uri.EscapeDataString(evaluationId)}/allocations", cancellationToken);
    }

    /// <summary>
    /// Reads a deployment: <c>GET /v1/deployment/:id</c>, optionally as a blocking query (see
    /// <see cref="GetEvaluationAsync"/>).
    /// </summary>
    public Task<NomadQueryResult<Deployment>> GetDeploymentAsync(string deploymentId, BlockingQuery? blocking = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentId);
        return ReadOneAsync<Deployment>($"v1/deployment/{Uri.EscapeDataString(deploymentId)}", blocking, cancellationToken);
    }

    /// <summary>Lists a deployment's allocations with their task states: <c>GET /v1/deployment/allocations/:id</c>.</summary>
    public Task<IReadOnlyList<AllocationListStub>> GetDeploymentAllocationsAsync(string deploymentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentId);
        return ListAsync($"v1/deployment/allocations/{Uri.EscapeDataString(deploymentId)}", cancellationToken);
    }

    /// <summary>Lists a job's allocations with their task states: <c>GET /v1/job/:id/allocations</c>.</summary>
    public Task<IReadOnlyList<AllocationListStub>> GetJobAllocationsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return ListAsync($"v1/job/{Uri.EscapeDataString(jobId)}/allocations", cancellationToken);
    }

    /// <summary>
    /// Reads a job's most recent deployment: <c>GET /v1/job/:id/deployment</c>. Null when the job has none (Nomad
    /// answers <c>null</c>) or does not exist.
    /// </summary>
    public async Task<Deployment?> GetLatestDeploymentAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        try
        {
            var (value, _) = await QueryAsync<Deployment>($"v1/job/{Uri.EscapeDataString(jobId)}/deployment", null, cancellationToken).ConfigureAwait(false);
            return value;
        }
        catch (NomadApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Lists jobs: <c>GET /v1/jobs</c>, those whose ID starts with <paramref name="prefix"/> (null: all), in
    /// <paramref name="namespace"/> (null: the client's; <c>*</c>: every namespace), with their <c>Meta</c> when asked.
    /// </summary>
    public async Task<IReadOnlyList<JobListStub>> ListJobsAsync(string? prefix = null, string? @namespace = null, bool meta = false, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (prefix is not null)
        {
            query.Add("prefix=" + Uri.EscapeDataString(prefix));
        }

        if (meta)
        {
            query.Add("meta=true");
        }

        return await SendAsync<List<JobListStub>>(HttpMethod.Get, "v1/jobs", null, cancellationToken, @namespace, query.Count == 0 ? null : string.Join('&', query)).ConfigureAwait(false) ?? [];
    }

    /// <summary>
    /// The last <paramref name="bytes"/> bytes of a task's log: <c>GET /v1/client/fs/logs/:alloc_id?task=…&amp;type=stdout|stderr&amp;origin=end&amp;offset=N&amp;plain=true</c>
    /// (command/agent/fs_endpoint.go Logs; the server forwards it to the allocation's client).
    /// </summary>
    public async Task<string> ReadTaskLogTailAsync(string allocationId, string task, bool stderr, int bytes = 16384, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(allocationId);
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        var query = $"task={Uri.EscapeDataString(task)}&type={(stderr ? "stderr" : "stdout")}&origin=end&offset={bytes.ToString(CultureInfo.InvariantCulture)}&plain=true";
        return await SendTextAsync(HttpMethod.Get, $"v1/client/fs/logs/{Uri.EscapeDataString(allocationId)}", query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the client nodes: <c>GET /v1/nodes</c>.</summary>
    public async Task<IReadOnlyList<NodeListStub>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        var (value, _) = await QueryAsync<List<NodeListStub>>("v1/nodes", null, cancellationToken).ConfigureAwait(false);
        return value ?? [];
    }

    /// <summary>Reads a client node with its host volumes: <c>GET /v1/node/:id</c>.</summary>
    public async Task<NodeDetail> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        var path = $"v1/node/{Uri.EscapeDataString(nodeId)}";
        return (await QueryAsync<NodeDetail>(path, null, cancellationToken).ConfigureAwait(false)).Value ?? throw EmptyAnswer(path);
    }

    /// <summary>Lists the dynamic host volumes of <paramref name="namespace"/> (null: the client's): <c>GET /v1/volumes?type=host</c>.</summary>
    public async Task<IReadOnlyList<HostVolumeStub>> ListHostVolumesAsync(string? @namespace = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<HostVolumeStub>>(HttpMethod.Get, "v1/volumes", null, cancellationToken, @namespace, "type=host").ConfigureAwait(false) ?? [];

    /// <summary>
    /// Creates a dynamic host volume: <c>PUT /v1/volume/host/create</c> with an <c>api.HostVolumeCreateRequest</c>
    /// (<c>{"Volume": {...}}</c>, as <c>render --format json</c> writes it). With <paramref name="nodeId"/> the volume is
    /// created on that node; without, Nomad picks the first feasible node (nomad/host_volume_endpoint.go placeHostVolume).
    /// </summary>
    public async Task<HostVolumeCreateResponse> CreateHostVolumeAsync(JsonObject request, string? nodeId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.DeepClone().AsObject();
        var volume = body["Volume"] as JsonObject ?? throw new ArgumentException("The request has no Volume object.", nameof(request));
        if (nodeId is not null)
        {
            volume["NodeID"] = nodeId;
        }

        var @namespace = volume["Namespace"]?.GetValue<string>();
        return await SendAsync<HostVolumeCreateResponse>(HttpMethod.Put, "v1/volume/host/create", body, cancellationToken, @namespace).ConfigureAwait(false)
            ?? throw EmptyAnswer("v1/volume/host/create");
    }

    private async Task<NomadQueryResult<T>> ReadOneAsync<T>(string path, BlockingQuery? blocking, CancellationToken cancellationToken)
        where T : class
    {
        var (value, index) = await QueryAsync<T>(path, blocking, cancellationToken).ConfigureAwait(false);
        return new NomadQueryResult<T>(value ?? throw EmptyAnswer(path), index);
    }

    private async Task<IReadOnlyList<AllocationListStub>> ListAsync(string path, CancellationToken cancellationToken)
    {
        var (value, _) = await QueryAsync<List<AllocationListStub>>(path, null, cancellationToken).ConfigureAwait(false);
        return value ?? [];
    }

    private async Task<(T? Value, ulong Index)> QueryAsync<T>(string path, BlockingQuery? blocking, CancellationToken cancellationToken)
        where T : class
    {
        ulong index = 0;
        string? extraQuery = null;
        var extraTime = TimeSpan.Zero;
        if (blocking is { } block)
        {
            // Nomad caps the wait at 5 minutes and adds up to 1/16 of it as jitter (nomad/structs/structs.go
            // MaxBlockingRPCQueryTime, JitterFraction; nomad/rpc.go blockingRPC): the call may take that much longer.
            var wait = block.Wait > BlockingQuery.MaxWait ? BlockingQuery.MaxWait : block.Wait;
            var milliseconds = Math.Max(1, (long)wait.TotalMilliseconds);
            extraQuery = $"index={block.Index.ToString(CultureInfo.InvariantCulture)}&wait={milliseconds.ToString(CultureInfo.InvariantCulture)}ms";
            extraTime = wait + (wait / 16);
        }

        var value = await SendAsync<T>(HttpMethod.Get, path, null, cancellationToken, extraQuery: extraQuery, extraTime: extraTime,
            onHeaders: headers => index = ReadIndex(headers)).ConfigureAwait(false);
        return (value, index);
    }

    // Every read answers with the X-Nomad-Index header (command/agent/http.go setIndex/setMeta).
    private static ulong ReadIndex(HttpResponseHeaders headers) =>
        headers.TryGetValues("X-Nomad-Index", out var values) && ulong.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : 0;

    /// <summary>
    /// Reads a Nomad Variable: <c>GET /v1/var/:path</c> in <paramref name="namespace"/> (null: the client's).
    /// Returns null when Nomad answers 404 (no such variable).
    /// </summary>
    public async Task<NomadVariable?> GetVariableAsync(string path, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return await SendAsync<NomadVariable>(HttpMethod.Get, VariablePath(path), null, cancellationToken, @namespace).ConfigureAwait(false);
        }
        catch (NomadApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes a Nomad Variable with check-and-set: <c>PUT /v1/var/:path?cas=N</c>, which Nomad applies only while the
    /// variable's <c>ModifyIndex</c> is still <paramref name="checkIndex"/> (0: only if it does not exist). A conflict
    /// is a <see cref="NomadApiException"/> with status 409.
    /// </summary>
    public async Task<NomadVariable> PutVariableAsync(NomadVariable variable, ulong checkIndex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var body = JsonSerializer.SerializeToNode(variable, NomadJson.Info<NomadVariable>())!.AsObject();
        var path = VariablePath(variable.Path);
        return await SendAsync<NomadVariable>(HttpMethod.Put, path, body, cancellationToken, variable.Namespace, "cas=" + checkIndex.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false)
            ?? throw EmptyAnswer(path);
    }

    /// <summary>
    /// Sets <paramref name="items"/> in the variable at <paramref name="path"/>, keeping its other items: read, merge,
    /// then a check-and-set write, read again when another writer came in between. Returns false when the variable
    /// already held these items (nothing written).
    /// </summary>
    public async Task<bool> SetVariableItemsAsync(string path, string? @namespace, IReadOnlyDictionary<string, string> items, CancellationToken cancellationToken = default) =>
        (await MergeVariableItemsAsync(path, @namespace, items, keepExisting: false, cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>
    /// Adds those of <paramref name="items"/> whose key the variable at <paramref name="path"/> lacks (or holds empty),
    /// never replacing a value: read, merge, check-and-set write, read again when another writer came in between.
    /// Returns the keys written (none when every key was already there).
    /// </summary>
    public Task<IReadOnlyList<string>> AddMissingVariableItemsAsync(string path, string? @namespace, IReadOnlyDictionary<string, string> items, CancellationToken cancellationToken = default) =>
        MergeVariableItemsAsync(path, @namespace, items, keepExisting: true, cancellationToken);

    private async Task<IReadOnlyList<string>> MergeVariableItemsAsync(string path, string? @namespace, IReadOnlyDictionary<string, string> items, bool keepExisting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetVariableAsync(path, @namespace, cancellationToken).ConfigureAwait(false);
            var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in current?.Items ?? new Dictionary<string, string>())
            {
                merged[key] = value;
            }

            var written = new List<string>();
            foreach (var (key, value) in items)
            {
                var exists = merged.TryGetValue(key, out var old);
                if (keepExisting ? !exists || old!.Length == 0 : !exists || old != value)
                {
                    written.Add(key);
                    merged[key] = value;
                }
            }

            if (written.Count == 0)
            {
                return written;
            }

            var size = merged.Sum(i => Encoding.UTF8.GetByteCount(i.Key) + Encoding.UTF8.GetByteCount(i.Value));
            if (size > NomadVariable.MaxSize)
            {
                throw new NomadException($"Variable {path} would hold {size} bytes with its other items; Nomad stores at most {NomadVariable.MaxSize}.");
            }

            try
            {
                await PutVariableAsync(new NomadVariable { Namespace = current?.Namespace ?? @namespace ?? options.Namespace, Path = path, Items = merged }, current?.ModifyIndex ?? 0, cancellationToken).ConfigureAwait(false);
                return written;
            }
            catch (NomadApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict && attempt < 3)
            {
                // Someone else wrote the variable since it was read: merge into their version.
            }
        }
    }

    private static string VariablePath(string path) => "v1/var/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <inheritdoc />
    public void Dispose() => http.Dispose();

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken, string? @namespace = null,
        string? extraQuery = null, TimeSpan extraTime = default, Action<HttpResponseHeaders>? onHeaders = null)
        where T : class =>
        Deserialize<T>(await SendRawAsync(method, path, body, cancellationToken, @namespace, extraQuery, extraTime, onHeaders).ConfigureAwait(false), method, "/" + path);

    private Task<string> SendTextAsync(HttpMethod method, string path, string? extraQuery, CancellationToken cancellationToken) =>
        SendRawAsync(method, path, null, cancellationToken, null, extraQuery, default, null);

    private async Task<string> SendRawAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken, string? @namespace,
        string? extraQuery, TimeSpan extraTime, Action<HttpResponseHeaders>? onHeaders)
    {
        var query = Query(@namespace, extraQuery);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = options.Timeout + extraTime;
        timeout.CancelAfter(limit);
        var displayPath = "/" + path;
        var started = Stopwatch.GetTimestamp();

        using var request = new HttpRequestMessage(method, path + query);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (options.Token is { } token)
        {
            request.Headers.TryAddWithoutValidation(TokenHeader, token.Reveal());
        }

        if (options.HttpAuth is { } auth)
        {
            // NOMAD_HTTP_AUTH: HTTP basic authentication for a proxy in front of Nomad (api/api.go SetBasicAuth).
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", auth.HeaderValue());
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(NomadJson.Options), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            options.Trace?.Invoke($"{method} {displayPath}{query} -> {(int)response.StatusCode} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms)");
            onHeaders?.Invoke(response.Headers);

            if (!response.IsSuccessStatusCode)
            {
                throw new NomadApiException(response.StatusCode, method.Method, displayPath, Shorten(Redact(text)));
            }

            return text;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            options.Trace?.Invoke($"{method} {displayPath}{query} -> timed out after {limit.TotalSeconds:F0} s");
            throw new NomadTimeoutException(
                $"Nomad API {method} {displayPath} did not answer within {limit.TotalSeconds:F0} s (address {options.Address}).", ex);
        }
        catch (HttpRequestException ex)
        {
            options.Trace?.Invoke($"{method} {displayPath}{query} -> failed: {ex.Message}");
            throw new NomadConnectionException(
                $"Cannot reach Nomad at {options.Address} ({method} {displayPath}): {Describe(ex)}", ex);
        }
    }

    private string Query(string? @namespace, string? extraQuery)
    {
        var parts = new List<string>(3);
        if (!string.IsNullOrEmpty(@namespace ?? options.Namespace))
        {
            parts.Add("namespace=" + Uri.EscapeDataString((@namespace ?? options.Namespace)!));
        }

        if (!string.IsNullOrEmpty(options.Region))
        {
            parts.Add("region=" + Uri.EscapeDataString(options.Region));
        }

        if (extraQuery is not null)
        {
            parts.Add(extraQuery);
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static T? Deserialize<T>(string text, HttpMethod method, string path)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(text, NomadJson.Info<T>());
        }
        catch (JsonException ex)
        {
            throw new NomadException($"Nomad API {method} {path} answered with JSON this client cannot read: {ex.Message}", ex);
        }
    }

    private static string JobId(JsonObject job)
    {
        if (job["ID"] is JsonValue id && id.TryGetValue<string>(out var value) && !string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        throw new ArgumentException("The job JSON has no string \"ID\" field.", nameof(job));
    }

    private static NomadException EmptyAnswer(string path) => new($"Nomad API /{path} answered with an empty body.");

    /// <summary>
    /// The server's text with the token removed: a proxy or a misconfigured server may echo the request's headers
    /// (or the token in a message) back, and this text is printed by plan and run.
    /// </summary>
    internal string Redact(string text)
    {
        var secrets = new List<string>(4);
        if (options.Token is { } token)
        {
            secrets.Add(token.Reveal());
        }

        if (options.HttpAuth is { } auth)
        {
            secrets.Add(auth.HeaderValue());
            if (auth.Password.Length > 0)
            {
                secrets.Add(auth.Password);
            }
        }

        foreach (var secret in secrets)
        {
            text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
            var escaped = Uri.EscapeDataString(secret);
            if (escaped != secret)
            {
                text = text.Replace(escaped, "[redacted]", StringComparison.OrdinalIgnoreCase);
            }
        }

        return text;
    }

    private static string Shorten(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= NomadApiException.MaxMessageLength ? trimmed : trimmed[..NomadApiException.MaxMessageLength] + " …";
    }

    // The innermost message names the real cause (refused, certificate rejected); the outer one is generic.
    private static string Describe(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message))
            {
                messages.Add(e.Message);
            }
        }

        return string.Join(" — ", messages);
    }
}

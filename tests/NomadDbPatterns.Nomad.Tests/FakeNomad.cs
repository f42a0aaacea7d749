using System.Text.Json.Nodes;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// A fake Nomad agent for the command tests: it routes the HTTP API paths nomad-db uses (as
/// <c>command/agent/http.go</c> registers them) to fixtures, and plays evaluations and deployments as sequences
/// (each read answers the next fixture, the last one repeats), with the <c>X-Nomad-Index</c> header a real agent
/// sends (the object's <c>ModifyIndex</c>). It does not hold blocking queries: the client must pace itself.
/// </summary>
internal sealed class FakeNomad
{
    private readonly Lock gate = new();
    private int evaluationReads;
    private int deploymentReads;

    /// <summary>Answer of <c>POST /v1/job/:id/plan</c>.</summary>
    public string Plan { get; set; } = "plan-app-image-bump.json";

    /// <summary>Answer of <c>POST /v1/jobs</c>.</summary>
    public string Register { get; set; } = "register-response.json";

    /// <summary>Answers of <c>GET /v1/evaluation/:id</c>, in order.</summary>
    public IReadOnlyList<string> Evaluations { get; set; } = ["evaluation-pending.json", "evaluation-complete.json"];

    /// <summary>Answers of <c>GET /v1/deployment/:id</c>, in order.</summary>
    public IReadOnlyList<string> Deployments { get; set; } = ["deployment-running.json", "deployment-successful.json"];

    /// <summary>Answers of <c>GET /v1/deployment/allocations/:id</c>, in step with <see cref="Deployments"/>.</summary>
    public IReadOnlyList<string> DeploymentAllocations { get; set; } = ["allocations-starting.json", "allocations-healthy.json"];

    /// <summary>Answer of <c>GET /v1/job/:id</c>; null answers 404 "job not found".</summary>
    public string? Job { get; set; } = "job-read.json";

    /// <summary>Answer of <c>GET /v1/job/:id/deployment</c>; null answers <c>null</c> (no deployment).</summary>
    public string? LatestDeployment { get; set; } = "deployment-successful.json";

    /// <summary>Answer of <c>GET /v1/job/:id/allocations</c>.</summary>
    public string JobAllocations { get; set; } = "allocations-healthy.json";

    /// <summary>Answer of <c>POST /v1/validate/job</c>.</summary>
    public string Validate { get; set; } = "validate-valid.json";

    /// <summary>
    /// The Nomad Variables store, by (namespace, path): GET <c>/v1/var/:path</c> answers the variable or 404
    /// "variable not found"; PUT with <c>?cas=N</c> writes only while the ModifyIndex is N (0: absent), else answers
    /// 409 with the current variable (command/agent/variable_endpoint.go variableUpsert).
    /// </summary>
    public Dictionary<(string Namespace, string Path), (ulong Index, Dictionary<string, string> Items)> Variables { get; } = [];

    private ulong variableIndex = 100;

    public FakeNomadServer Start() => FakeNomadServer.Start(Answer, maxRequests: 2000, lifetime: TimeSpan.FromSeconds(60));

    private FakeResponse Answer(RecordedRequest request)
    {
        var path = request.Path;
        return (request.Method, path) switch
        {
            ("POST", _) when path.StartsWith("/v1/job/", StringComparison.Ordinal) && path.EndsWith("/plan", StringComparison.Ordinal) => Read(Plan),
            ("POST", "/v1/jobs") => Read(Register),
            ("POST", "/v1/validate/job") => Read(Validate),
            ("PUT", _) when path.StartsWith("/v1/var/", StringComparison.Ordinal) => PutVariable(request),
            ("GET", _) when path.StartsWith("/v1/var/", StringComparison.Ordinal) => GetVariable(request),
            ("GET", _) when path.StartsWith("/v1/evaluation/", StringComparison.Ordinal) && path.EndsWith("/allocations", StringComparison.Ordinal) => Read(Current(DeploymentAllocations, deploymentReads)),
            ("GET", _) when path.StartsWith("/v1/evaluation/", StringComparison.Ordinal) => Read(Next(Evaluations, ref evaluationReads)),
            ("GET", _) when path.StartsWith("/v1/deployment/allocations/", StringComparison.Ordinal) => Read(Current(DeploymentAllocations, deploymentReads)),
            ("GET", _) when path.StartsWith("/v1/deployment/", StringComparison.Ordinal) => Read(Next(Deployments, ref deploymentReads)),
            ("GET", _) when path.EndsWith("/allocations", StringComparison.Ordinal) => Read(JobAllocations),
            ("GET", _) when path.EndsWith("/deployment", StringComparison.Ordinal) => LatestDeployment is null ? new FakeResponse(200, "null") { Index = 1 } : Read(LatestDeployment),
            ("GET", _) when path.StartsWith("/v1/job/", StringComparison.Ordinal) => Job is null ? FakeResponse.Error(404, "job not found") : Read(Job),
            _ => FakeResponse.Error(404, $"no fake route for {request.Method} {path}"),
        };
    }

    private static (string Namespace, string Path) VariableKey(RecordedRequest request)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.Query);
        return (query["namespace"] ?? "default", Uri.UnescapeDataString(request.Path["/v1/var/".Length..]));
    }

    private static FakeResponse VariableAnswer(int status, (string Namespace, string Path) key, (ulong Index, Dictionary<string, string> Items) variable) =>
        new(status, new JsonObject
        {
            ["Namespace"] = key.Namespace,
            ["Path"] = key.Path,
            ["Items"] = new JsonObject(variable.Items.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)JsonValue.Create(i.Value)))),
            ["CreateIndex"] = variable.Index,
            ["ModifyIndex"] = variable.Index,
        }.ToJsonString()) { Index = variable.Index };

    private FakeResponse GetVariable(RecordedRequest request)
    {
        var key = VariableKey(request);
        lock (gate)
        {
            return Variables.TryGetValue(key, out var variable) ? VariableAnswer(200, key, variable) : FakeResponse.Error(404, "variable not found");
        }
    }

    private FakeResponse PutVariable(RecordedRequest request)
    {
        var key = VariableKey(request);
        var cas = System.Web.HttpUtility.ParseQueryString(request.Query)["cas"];
        lock (gate)
        {
            var exists = Variables.TryGetValue(key, out var current);
            if (cas is not null && ulong.Parse(cas, System.Globalization.CultureInfo.InvariantCulture) != (exists ? current.Index : 0))
            {
                return exists ? VariableAnswer(409, key, current) : new FakeResponse(409, "null");
            }

            var items = JsonNode.Parse(request.Body)!["Items"]!.AsObject().ToDictionary(i => i.Key, i => i.Value!.GetValue<string>(), StringComparer.Ordinal);
            Variables[key] = (++variableIndex, items);
            return VariableAnswer(200, key, Variables[key]);
        }
    }

    private string Next(IReadOnlyList<string> sequence, ref int reads)
    {
        lock (gate)
        {
            return sequence[Math.Min(reads++, sequence.Count - 1)];
        }
    }

    // The allocations that go with the deployment answered last.
    private string Current(IReadOnlyList<string> sequence, int reads)
    {
        lock (gate)
        {
            return sequence[Math.Clamp(reads - 1, 0, sequence.Count - 1)];
        }
    }

    private static FakeResponse Read(string fixture)
    {
        var body = Fixtures.Read(fixture);
        var node = JsonNode.Parse(body);
        var index = node switch
        {
            JsonObject o when o["ModifyIndex"] is JsonValue v => v.GetValue<ulong>(),
            JsonObject o when o["Index"] is JsonValue v => v.GetValue<ulong>(),
            JsonArray a => a.Select(x => x?["ModifyIndex"]?.GetValue<ulong>() ?? 0).DefaultIfEmpty(1UL).Max(),
            _ => 1UL,
        };
        return new FakeResponse(200, body) { Index = index };
    }
}

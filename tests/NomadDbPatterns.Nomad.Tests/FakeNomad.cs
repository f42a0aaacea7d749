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

    /// <summary>A client node: what <c>GET /v1/nodes</c> lists and <c>GET /v1/node/:id</c> reads (api.NodeListStub, api.Node).</summary>
    public sealed record Node(string ID, string Name, string Datacenter = "dc1", string NodePool = "default", string Status = "ready", string SchedulingEligibility = "eligible")
    {
        /// <summary>Host volume names the node offers (api.Node.HostVolumes), static or dynamic.</summary>
        public HashSet<string> HostVolumes { get; init; } = [];
    }

    /// <summary>
    /// Plain-text task logs by (task, stdout|stderr) for <c>GET /v1/client/fs/logs/:alloc</c> with <c>plain=true</c>;
    /// a task without an entry answers 404 as Nomad does for a task it does not know.
    /// </summary>
    public Dictionary<(string Task, string Type), string> TaskLogs { get; } = [];

    /// <summary>When set, the logs endpoint answers 403 (a token without read-logs).</summary>
    public bool LogsForbidden { get; set; }

    /// <summary>
    /// What <c>GET /v1/jobs</c> lists (api.JobListStub objects), filtered by <c>?prefix=</c> and <c>?namespace=</c>
    /// (absent: <c>default</c>; <c>*</c>: every namespace), with <c>Meta</c> only for <c>?meta=true</c>
    /// (command/agent/job_endpoint.go jobListRequest, structs.JobListStub's <c>Meta json:",omitempty"</c>).
    /// </summary>
    public List<JsonObject> JobList { get; } = [];

    /// <summary>When set, <c>GET /v1/jobs</c> answers 403 (a token without list-jobs).</summary>
    public bool JobsForbidden { get; set; }

    /// <summary>The jobs stopped with <c>DELETE /v1/job/:id</c>: namespace, ID and the purge query value.</summary>
    public List<(string Namespace, string ID, string? Purge)> Stopped { get; } = [];

    private FakeResponse ListJobs(RecordedRequest request)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.Query);
        var prefix = query["prefix"] ?? "";
        var @namespace = query["namespace"] ?? "default";
        var meta = query["meta"] == "true";
        lock (gate)
        {
            var listed = JobList
                .Where(j => j["ID"]!.GetValue<string>().StartsWith(prefix, StringComparison.Ordinal))
                .Where(j => @namespace == "*" || (j["Namespace"]?.GetValue<string>() ?? "default") == @namespace)
                .Select(j =>
                {
                    var stub = j.DeepClone().AsObject();
                    if (!meta)
                    {
                        stub.Remove("Meta");
                    }

                    return (JsonNode)stub;
                });
            return new FakeResponse(200, new JsonArray([.. listed]).ToJsonString()) { Index = 30 };
        }
    }

    // api.JobDeregisterResponse; the job stays listed, with Stop set (nomad/job_endpoint.go Deregister without purge).
    private FakeResponse StopJob(RecordedRequest request)
    {
        var id = Uri.UnescapeDataString(request.Path["/v1/job/".Length..]);
        var query = System.Web.HttpUtility.ParseQueryString(request.Query);
        var @namespace = query["namespace"] ?? "default";
        lock (gate)
        {
            var job = JobList.FirstOrDefault(j => j["ID"]!.GetValue<string>() == id && (j["Namespace"]?.GetValue<string>() ?? "default") == @namespace);
            if (job is null)
            {
                return FakeResponse.Error(404, "job not found");
            }

            job["Stop"] = true;
            Stopped.Add((@namespace, id, query["purge"]));
            return new FakeResponse(200, new JsonObject { ["EvalID"] = "5d2a9c1e-7b1f-4d7e-9a53-0c1f2e3d4b5a", ["EvalCreateIndex"] = 61, ["JobModifyIndex"] = 61, ["Index"] = 61, ["LastContact"] = 0, ["KnownLeader"] = false, ["NextToken"] = "" }.ToJsonString()) { Index = 61 };
        }
    }

    private FakeResponse TaskLog(RecordedRequest request)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.Query);
        if (LogsForbidden)
        {
            return FakeResponse.Error(403, "Permission denied");
        }

        if (query["plain"] != "true" || query["origin"] != "end" || query["offset"] is null)
        {
            return FakeResponse.Error(400, "the fake serves plain tails only");
        }

        return TaskLogs.TryGetValue((query["task"]!, query["type"]!), out var text)
            ? new FakeResponse(200, text, "text/plain")
            : FakeResponse.Error(404, $"unknown task name \"{query["task"]}\"");
    }

    /// <summary>When set, <c>GET /v1/nodes</c> answers 403 (a token without node:read).</summary>
    public bool NodesForbidden { get; set; }

    /// <summary>The cluster's client nodes.</summary>
    public List<Node> Nodes { get; } = [];

    /// <summary>Dynamic host volumes (api.HostVolumeStub): namespace, ID, name, node.</summary>
    public List<(string Namespace, string ID, string Name, string NodeID)> HostVolumes { get; } = [];

    /// <summary>The bodies of <c>PUT /v1/volume/host/create</c>, in order.</summary>
    public List<JsonObject> VolumeCreates { get; } = [];

    public FakeNomadServer Start() => FakeNomadServer.Start(Answer, maxRequests: 2000, lifetime: TimeSpan.FromSeconds(60));

    private FakeResponse Answer(RecordedRequest request)
    {
        var path = request.Path;
        return (request.Method, path) switch
        {
            ("POST", _) when path.StartsWith("/v1/job/", StringComparison.Ordinal) && path.EndsWith("/plan", StringComparison.Ordinal) => Read(Plan),
            ("POST", "/v1/jobs") => Read(Register),
            ("POST", "/v1/validate/job") => Read(Validate),
            ("GET", _) when path.StartsWith("/v1/client/fs/logs/", StringComparison.Ordinal) => TaskLog(request),
            ("GET", "/v1/jobs") when JobsForbidden => FakeResponse.Error(403, "Permission denied"),
            ("GET", "/v1/jobs") => ListJobs(request),
            ("DELETE", _) when path.StartsWith("/v1/job/", StringComparison.Ordinal) => StopJob(request),
            ("GET", "/v1/nodes") when NodesForbidden => FakeResponse.Error(403, "Permission denied"),
            ("GET", "/v1/nodes") => ListNodes(),
            ("GET", _) when path.StartsWith("/v1/node/", StringComparison.Ordinal) => ReadNode(path["/v1/node/".Length..]),
            ("GET", "/v1/volumes") => ListHostVolumes(request),
            ("PUT", "/v1/volume/host/create") => CreateHostVolume(request),
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

    // api/nodes.go NodeListStub: every field a v2.0.5 agent writes, Drivers and LastDrain included.
    private FakeResponse ListNodes()
    {
        lock (gate)
        {
            var nodes = new JsonArray([.. Nodes.Select(n => (JsonNode)new JsonObject
            {
                ["Address"] = "10.0.0.1", ["ID"] = n.ID, ["Datacenter"] = n.Datacenter, ["Name"] = n.Name, ["NodeClass"] = "", ["NodePool"] = n.NodePool,
                ["Version"] = "2.0.5", ["Drain"] = false, ["SchedulingEligibility"] = n.SchedulingEligibility, ["Status"] = n.Status, ["StatusDescription"] = "",
                ["Drivers"] = new JsonObject { ["docker"] = new JsonObject { ["Detected"] = true, ["Healthy"] = true } }, ["LastDrain"] = null,
                ["CreateIndex"] = 11, ["ModifyIndex"] = 12,
            })]);
            return new FakeResponse(200, nodes.ToJsonString()) { Index = 12 };
        }
    }

    // api/nodes.go Node.HostVolumes: map of name to HostVolumeInfo {Path, ReadOnly, ID (dynamic volumes only)}.
    private FakeResponse ReadNode(string id)
    {
        lock (gate)
        {
            if (Nodes.FirstOrDefault(n => n.ID == id) is not { } node)
            {
                return FakeResponse.Error(404, "node not found");
            }

            var volumes = new JsonObject();
            foreach (var name in node.HostVolumes.Order(StringComparer.Ordinal))
            {
                var dynamic = HostVolumes.FirstOrDefault(v => v.Name == name && v.NodeID == id);
                volumes[name] = new JsonObject { ["Path"] = $"/opt/nomad/volumes/{name}", ["ReadOnly"] = false, ["ID"] = dynamic.ID ?? "" };
            }

            return new FakeResponse(200, new JsonObject
            {
                ["ID"] = node.ID, ["Name"] = node.Name, ["Datacenter"] = node.Datacenter, ["NodePool"] = node.NodePool, ["Status"] = node.Status,
                ["SchedulingEligibility"] = node.SchedulingEligibility, ["HostVolumes"] = volumes, ["CreateIndex"] = 11, ["ModifyIndex"] = 12,
            }.ToJsonString()) { Index = 12 };
        }
    }

    // api/host_volumes.go HostVolumeStub; the list is per namespace (?namespace=, default "default").
    private FakeResponse ListHostVolumes(RecordedRequest request)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.Query);
        var @namespace = query["namespace"] ?? "default";
        if (query["type"] != "host")
        {
            return FakeResponse.Error(400, "unsupported volume type");
        }

        lock (gate)
        {
            var list = new JsonArray([.. HostVolumes.Where(v => v.Namespace == @namespace).Select(v => (JsonNode)VolumeJson(v))]);
            return new FakeResponse(200, list.ToJsonString()) { Index = 20 };
        }
    }

    private JsonObject VolumeJson((string Namespace, string ID, string Name, string NodeID) v) => new()
    {
        ["Namespace"] = v.Namespace, ["ID"] = v.ID, ["Name"] = v.Name, ["PluginID"] = "mkdir",
        ["NodePool"] = Nodes.First(n => n.ID == v.NodeID).NodePool, ["NodeID"] = v.NodeID, ["CapacityBytes"] = 0, ["State"] = "ready",
        ["CreateIndex"] = 20, ["CreateTime"] = 1764900000000000000, ["ModifyIndex"] = 20, ["ModifyTime"] = 1764900000000000000,
    };

    // nomad/host_volume_endpoint.go Create/placeHostVolume: a given NodeID must exist; otherwise the first node (in
    // ID order) of the volume's pool that has no volume of that name. The answer is api.HostVolumeCreateResponse.
    private FakeResponse CreateHostVolume(RecordedRequest request)
    {
        var body = JsonNode.Parse(request.Body)!.AsObject();
        var volume = body["Volume"]!.AsObject();
        var name = volume["Name"]!.GetValue<string>();
        var @namespace = volume["Namespace"]?.GetValue<string>() ?? "default";
        var pool = volume["NodePool"]?.GetValue<string>();
        lock (gate)
        {
            VolumeCreates.Add(body);
            var node = volume["NodeID"]?.GetValue<string>() is { } id
                ? Nodes.FirstOrDefault(n => n.ID == id)
                : Nodes.OrderBy(n => n.ID, StringComparer.Ordinal).FirstOrDefault(n => (pool is null || n.NodePool == pool) && !n.HostVolumes.Contains(name));
            if (node is null)
            {
                return FakeResponse.Error(500, $"could not place volume \"{name}\": no node meets constraints: 0 nodes had existing volume, 0 nodes filtered by node pool governance, 0 nodes were infeasible");
            }

            var created = (@namespace, Guid.NewGuid().ToString(), name, node.ID);
            HostVolumes.Add(created);
            node.HostVolumes.Add(name);
            return new FakeResponse(200, new JsonObject { ["Volume"] = VolumeJson(created), ["Warnings"] = "" }.ToJsonString()) { Index = 21 };
        }
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

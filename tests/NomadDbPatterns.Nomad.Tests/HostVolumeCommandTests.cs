using System.Text.Json.Nodes;
using NomadDbPatterns.Cli;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// <c>plan</c> naming the host volumes each node lacks, and <c>run --create-volumes</c>, against a fake Nomad whose
/// nodes and dynamic host volumes answer in api.NodeListStub / api.Node / api.HostVolumeStub /
/// api.HostVolumeCreateResponse shapes (api/nodes.go, api/host_volumes.go at v2.0.5).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HostVolumeCommandTests
{
    private static string Example => CommandHarness.Example;

    private static FakeNomad Cluster(string plan = "plan-new-job-missing-host-volumes.json")
    {
        var nomad = new FakeNomad { Plan = plan };
        nomad.Nodes.Add(new FakeNomad.Node("aaaa1111-0000-0000-0000-000000000001", "client-1"));
        nomad.Nodes.Add(new FakeNomad.Node("bbbb2222-0000-0000-0000-000000000002", "client-2") { HostVolumes = ["myservice-postgres"] });
        nomad.Nodes.Add(new FakeNomad.Node("cccc3333-0000-0000-0000-000000000003", "other-dc", Datacenter: "dc2"));
        nomad.Nodes.Add(new FakeNomad.Node("dddd4444-0000-0000-0000-000000000004", "drained", SchedulingEligibility: "ineligible"));
        nomad.Nodes.Add(new FakeNomad.Node("eeee5555-0000-0000-0000-000000000005", "gpu-pool", NodePool: "gpu"));
        return nomad;
    }

    private static async Task<(int Exit, string Out, string Error)> RunAsync(FakeNomad nomad, params string[] args)
    {
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = CommandHarness.Run(server, args);
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        return (exit, stdout, stderr);
    }

    [Test]
    public async Task Plan_names_the_volumes_each_node_the_job_may_use_lacks()
    {
        var (exit, stdout, stderr) = await RunAsync(Cluster(), "plan", Example);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.PlacementFailure), stdout + stderr);
            Assert.That(stdout, Does.Contain("Host volumes missing on the nodes the job may use (2 needed: myservice-backups, myservice-postgres):"));
            Assert.That(stdout, Does.Contain("node client-1 (aaaa1111, dc1, pool default): missing myservice-backups, myservice-postgres"));
            Assert.That(stdout, Does.Contain("node client-2 (bbbb2222, dc1, pool default): missing myservice-backups"));
            Assert.That(stdout, Does.Not.Contain("other-dc").And.Not.Contain("drained").And.Not.Contain("gpu-pool"), "nodes the scheduler would not consider");
            Assert.That(stdout, Does.Contain("next: `nomad-db run --create-volumes`"));
        });
    }

    [Test]
    public async Task Plan_without_node_read_still_reports_the_plan()
    {
        var nomad = Cluster();
        nomad.NodesForbidden = true;
        var (exit, stdout, _) = await RunAsync(nomad, "plan", Example);

        Assert.That(exit, Is.EqualTo(ExitCodes.PlacementFailure));
        Assert.That(stdout, Does.Contain("(could not read the nodes to name the missing volumes: 403 Forbidden; the token needs node:read)"));
    }

    [Test]
    public async Task Create_volumes_puts_every_missing_volume_of_a_job_on_one_node_then_runs()
    {
        var nomad = Cluster(plan: "plan-new-job.json");
        nomad.Nodes.RemoveAt(1);
        var (exit, stdout, stderr) = await RunAsync(nomad, "run", Example, "--create-volumes");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
            Assert.That(nomad.VolumeCreates, Has.Count.EqualTo(2));
            Assert.That(nomad.VolumeCreates[0]["Volume"]!["NodeID"], Is.Null, "Nomad places the first");
            var first = nomad.HostVolumes[0].NodeID;
            Assert.That(nomad.VolumeCreates[1]["Volume"]!["NodeID"]!.GetValue<string>(), Is.EqualTo(first), "the second follows it");
            Assert.That(nomad.HostVolumes.Select(v => (v.Namespace, v.Name)), Is.EquivalentTo(new[] { ("default", "myservice-backups"), ("default", "myservice-postgres") }));
            Assert.That(nomad.VolumeCreates[0]["Volume"]!["Parameters"]!["uid"]!.GetValue<string>(), Is.AnyOf("70", "0"), "the rendered request is sent as written");
            Assert.That(stdout + stderr, Does.Contain("created host volume \"myservice-backups\"").And.Contain("created host volume \"myservice-postgres\""));
            Assert.That(stdout + stderr, Does.Contain("registered \"myservice\""));
        });
    }

    [Test]
    public async Task Create_volumes_pins_new_volumes_to_the_node_of_the_existing_one()
    {
        var nomad = Cluster(plan: "plan-new-job.json");
        nomad.HostVolumes.Add(("default", "11111111-aaaa-0000-0000-000000000000", "myservice-postgres", "bbbb2222-0000-0000-0000-000000000002"));
        var (exit, stdout, stderr) = await RunAsync(nomad, "run", Example, "--create-volumes");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stdout + stderr);
            Assert.That(nomad.VolumeCreates, Has.Count.EqualTo(1), "the existing volume is not created again");
            Assert.That(nomad.VolumeCreates[0]["Volume"]!["Name"]!.GetValue<string>(), Is.EqualTo("myservice-backups"));
            Assert.That(nomad.VolumeCreates[0]["Volume"]!["NodeID"]!.GetValue<string>(), Is.EqualTo("bbbb2222-0000-0000-0000-000000000002"));
            Assert.That(stdout + stderr, Does.Contain("host volume \"myservice-postgres\" exists on node bbbb2222 (ready)"));
        });
    }

    [Test]
    public async Task Volumes_split_across_nodes_refuse_the_run()
    {
        var nomad = Cluster(plan: "plan-new-job.json");
        nomad.HostVolumes.Add(("default", "11111111-aaaa-0000-0000-000000000000", "myservice-postgres", "bbbb2222-0000-0000-0000-000000000002"));
        nomad.HostVolumes.Add(("default", "22222222-aaaa-0000-0000-000000000000", "myservice-backups", "aaaa1111-0000-0000-0000-000000000001"));
        await using var server = nomad.Start();
        var (exit, stdout, stderr) = CommandHarness.Run(server, "run", Example, "--create-volumes");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.PlacementFailure), stdout + stderr);
            Assert.That(stderr, Does.Contain("the host volumes of job \"myservice\" sit on different nodes"));
            Assert.That(nomad.VolumeCreates, Is.Empty);
            Assert.That(server.Requests.Any(r => r.Path == "/v1/jobs"), Is.False, "nothing registered");
        });
    }

    [Test]
    public async Task The_client_reads_nodes_and_volumes_in_nomads_shapes()
    {
        var nomad = Cluster();
        await using var server = nomad.Start();
        using var client = server.Client();

        var nodes = await client.ListNodesAsync();
        var detail = await client.GetNodeAsync(nodes[1].ID);
        var created = await client.CreateHostVolumeAsync(JsonNode.Parse("""{"Volume":{"Name":"v","Namespace":"apps","PluginID":"mkdir"}}""")!.AsObject());
        var listed = await client.ListHostVolumesAsync("apps");

        Assert.Multiple(() =>
        {
            Assert.That(nodes.Select(n => (n.Name, n.Datacenter, n.NodePool, n.Status, n.SchedulingEligibility)), Does.Contain(("drained", "dc1", "default", "ready", "ineligible")));
            Assert.That(detail.HostVolumes.Keys, Is.EqualTo(new[] { "myservice-postgres" }));
            Assert.That(created.Volume!.NodeID, Is.EqualTo("aaaa1111-0000-0000-0000-000000000001"));
            Assert.That(listed.Select(v => (v.Name, v.State)), Is.EqualTo(new[] { ("v", "ready") }));
            Assert.That(server.Requests.Last().Query, Is.EqualTo("?namespace=apps&type=host"));
        });
    }
}

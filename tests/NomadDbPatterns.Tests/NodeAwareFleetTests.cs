using NomadDbPatterns.Cli;
using NomadDbPatterns.Tests.Cli;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests;

/// <summary>
/// Static ports and host volumes belong to a node: two jobs clash on them only when some node could run both. What
/// counts as "cannot share a node" follows Nomad v2.0.5's scheduler (NodeSeparation); everything else still clashes.
/// </summary>
[TestFixture]
public sealed class NodeAwareFleetTests
{
    /// <summary>A host-network job (static ports 8080 and 5432 on the node) with the given placement lines.</summary>
    private static string HostJob(string name, string placement = "") => "network: host\n" + placement + TempSpecs.Service(name);

    private static string Pinned(string attribute, string value, string @operator = "=") =>
        $"constraints:\n  - {{ attribute: \"{attribute}\", operator: \"{@operator}\", value: \"{value}\" }}\n";

    private static CliRun Validate(TempSpecs temp, params string[] extra) => CliRun.Of(["validate", temp.Specs, .. extra]);

    /// <summary>Validates two host-network jobs, "one" and "two", with the given placement lines.</summary>
    private static CliRun ValidatePair(string placementOne, string placementTwo, params string[] extra)
    {
        using var temp = new TempSpecs();
        temp.Write("one.yaml", HostJob("one", placementOne));
        temp.Write("two.yaml", HostJob("two", placementTwo));
        return Validate(temp, extra);
    }

    [TestCase("${node.unique.name}", "=")]
    [TestCase("${attr.unique.hostname}", "==")]
    [TestCase("${node.unique.id}", "is")]
    [TestCase("${meta.rack}", "=")]
    public void Jobs_pinned_to_different_nodes_do_not_clash_and_verbose_says_why(string attribute, string @operator)
    {
        using var temp = new TempSpecs();
        var first = temp.Write("one.yaml", HostJob("one", Pinned(attribute, "nas01", @operator)));
        var second = temp.Write("two.yaml", HostJob("two", Pinned(attribute, "nas02", @operator)));

        var quiet = Validate(temp);
        Assert.That(quiet.ExitCode, Is.EqualTo(ExitCodes.Ok), quiet.Error);
        Assert.That(quiet.Out, Does.Not.Contain(" info "), "info only with --verbose");

        var verbose = Validate(temp, "--verbose");
        Assert.That(verbose.ExitCode, Is.EqualTo(ExitCodes.Ok), verbose.Error);
        Assert.That(verbose.Out, Does.Contain($"{second}:").And.Contain($"info {ErrorCodes.PortCollision}: static port 5432")
            .And.Contain($"info {ErrorCodes.PortCollision}: static port 8080")
            .And.Contain($"constraint {attribute} = \"nas01\" of job \"one\" vs {attribute} = \"nas02\" of job \"two\"")
            .And.Contain(first));
    }

    [Test]
    public void Jobs_pinned_to_the_same_node_clash()
    {
        using var temp = new TempSpecs();
        temp.Write("one.yaml", HostJob("one", Pinned("${node.unique.name}", "nas01")));
        var second = temp.Write("two.yaml", HostJob("two", Pinned("${node.unique.name}", "nas01")));

        var run = Validate(temp);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(run.Error, Does.Contain($"{second}:").And.Contain($"error {ErrorCodes.PortCollision}: static port 8080 is already bound")
            .And.Contain("keeps them off the same node"));
    }

    [TestCase("${node.unique.name}", "=", "nas01", "${attr.unique.hostname}", "=", "nas02", TestName = "Different attributes may name the same node")]
    [TestCase("${node.unique.name}", "regexp", "^nas01$", "${node.unique.name}", "=", "nas02", TestName = "A regexp proves nothing")]
    [TestCase("${node.unique.name}", "!=", "nas01", "${node.unique.name}", "!=", "nas02", TestName = "Two exclusions leave other nodes for both")]
    [TestCase("${meta.rack}", ">", "3", "${meta.rack}", "<", "2", TestName = "Ordering operators are not read")]
    public void Constraints_that_do_not_prove_separate_nodes_still_clash(string attributeA, string operatorA, string valueA, string attributeB, string operatorB, string valueB)
    {
        var run = ValidatePair(Pinned(attributeA, valueA, operatorA), Pinned(attributeB, valueB, operatorB));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), run.Out);
        Assert.That(run.Error, Does.Contain($"error {ErrorCodes.PortCollision}"));
    }

    [TestCase("constraints:\n  - { attribute: \"${node.unique.name}\", value: nas01 }\n", "constraints:\n  - { attribute: \"${node.unique.name}\", operator: \"!=\", value: nas01 }\n", "!= \"nas01\"")]
    [TestCase("constraints:\n  - { attribute: \"${meta.gpu}\", operator: is_set }\n", "constraints:\n  - { attribute: \"${meta.gpu}\", operator: is_not_set }\n", "is_not_set")]
    [TestCase("constraints:\n  - { attribute: nas01, value: \"${node.unique.name}\" }\n", "constraints:\n  - { attribute: \"${node.unique.name}\", value: nas02 }\n", "= \"nas02\"")]
    [TestCase("datacenters: [dc1]\n", "datacenters: [dc2, dc3]\n", "have no datacenter in common")]
    [TestCase("datacenters: [\"eu-*\"]\n", "datacenters: [\"us-*\", us]\n", "have no datacenter in common")]
    [TestCase("datacenters: [\"*-a\"]\n", "datacenters: [\"*-b\"]\n", "have no datacenter in common")]
    [TestCase("nodePool: storage\n", "nodePool: compute\n", "node pool \"storage\" of job \"one\" vs \"compute\"")]
    [TestCase("region: eu\n", "region: us\n", "region \"eu\" of job \"one\" vs \"us\"")]
    public void Placements_nomad_can_never_satisfy_together_keep_jobs_apart(string placementA, string placementB, string reason)
    {
        var run = ValidatePair(placementA, placementB, "--verbose");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(run.Out, Does.Contain($"info {ErrorCodes.PortCollision}").And.Contain(reason));
    }

    [TestCase("datacenters: [dc1]\n", "datacenters: [\"dc*\"]\n", TestName = "A wildcard that matches the other datacenter")]
    [TestCase("datacenters: [\"*\"]\n", "datacenters: [dc9]\n", TestName = "The all-datacenters wildcard")]
    [TestCase("datacenters: [\"dc-*-a\"]\n", "datacenters: [\"dc-*\"]\n", TestName = "Two wildcards that can agree")]
    [TestCase("nodePool: all\n", "nodePool: storage\n", TestName = "The all node pool holds every node")]
    [TestCase("", "nodePool: storage\n", TestName = "No node pool is the namespace default, which may be that pool")]
    [TestCase("", "region: us\n", TestName = "No region is the submitting agent's, which may be that region")]
    public void Placements_that_may_overlap_still_clash(string placementA, string placementB)
    {
        var run = ValidatePair(placementA, placementB);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), run.Out);
        Assert.That(run.Error, Does.Contain($"error {ErrorCodes.PortCollision}"));
    }

    [Test]
    public void A_host_volume_clashes_only_between_jobs_that_can_share_a_node()
    {
        using var temp = new TempSpecs();
        string WithVolume(string name, string placement) =>
            TempSpecs.Service(name).Replace("  password:", "  volume: shared-postgres\n  password:") + placement;
        temp.Write("one.yaml", WithVolume("one", Pinned("${node.unique.name}", "nas01")));
        temp.Write("two.yaml", WithVolume("two", Pinned("${node.unique.name}", "nas02")));

        var apart = Validate(temp, "--verbose");
        Assert.That(apart.ExitCode, Is.EqualTo(ExitCodes.Ok), apart.Error);
        Assert.That(apart.Out, Does.Contain($"info {ErrorCodes.DuplicateVolume}: host volume 'shared-postgres'"));

        var third = temp.Write("three.yaml", WithVolume("three", string.Empty));
        var together = Validate(temp);
        Assert.That(together.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(together.Error, Does.Contain($"{third}:").And.Contain($"error {ErrorCodes.DuplicateVolume}: host volume 'shared-postgres' is already used")
            .And.Contain("job \"one\""), "the third job can land beside the first");
    }

    [Test]
    public void A_shared_instance_pinned_elsewhere_does_not_clash_with_a_service_on_its_port()
    {
        using var temp = new TempSpecs();
        temp.Write("shared.yaml", """
            name: postgresql
            kind: shared-postgres
            constraints:
              - { attribute: "${node.unique.name}", value: db01 }
            postgres: { version: 16 }
            adminPassword: { nomadVar: nomad/jobs/postgresql }
            databases:
              - { name: speedtest, password: { nomadVar: nomad/jobs/postgresql, key: speedtest } }
            baseline: [speedtest]
            """);
        temp.Write("one.yaml", HostJob("one", Pinned("${node.unique.name}", "nas01")));

        var run = Validate(temp, "--verbose");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Error);
        Assert.That(run.Out, Does.Contain($"info {ErrorCodes.PortCollision}: static port 5432"));
    }

    [TestCase("dc1", "dc2", true)]
    [TestCase("dc1", "dc1", false)]
    [TestCase("dc1", "dc*", false)]
    [TestCase("dc1", "*1", false)]
    [TestCase("dc1", "*2", true)]
    [TestCase("eu-*", "us-*", true)]
    [TestCase("eu-*", "e*", false)]
    [TestCase("a*b", "a*c", true)]
    [TestCase("a*b*c", "ab*", false)]
    [TestCase("*", "anything", false)]
    public void Datacenter_patterns_are_disjoint_only_when_provably_so(string x, string y, bool disjoint)
    {
        Assert.That(NodeSeparation.DatacentersDisjoint(x, y), Is.EqualTo(disjoint));
        Assert.That(NodeSeparation.DatacentersDisjoint(y, x), Is.EqualTo(disjoint), "symmetric");
    }
}

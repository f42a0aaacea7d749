using System.Text.Json;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>
/// Every rule of <see cref="NomadServerRules"/> tested both ways: a small job that follows it (and breaks no other rule,
/// no schema entry, and prints no warning), and one or more that break it and are reported under the rule's id.
/// All jobs are parsed in one hcl2json run.
/// </summary>
[TestFixture]
public sealed class NomadServerRulesTests
{
    private const string Bridge = """
            network {
              mode = "bridge"
              port "http" {
                to = 8080
              }
            }
        """;

    private const string Host = """
            network {
              mode = "host"
              port "http" {
                static = 8080
              }
            }
        """;

    private const string Delay = "shutdown_delay = \"5s\"\n";

    private const string NomadService = """
            service {
              name     = "web"
              port     = "http"
              provider = "nomad"
              check {
                type     = "http"
                path     = "/health"
                interval = "10s"
                timeout  = "2s"
              }
            }

        """;

    private static readonly RuleCase[] Cases =
    [
        new("job-id", Job(), Job(id: "my job")),
        new("job-type", Job(type: "batch"), Job(type: "servce"), Job(type: "core")),
        new("job-datacenters", Job(job: "datacenters = [\"dc1\"]"), Job(job: "datacenters = [\"dc1\", \"\"]")),
        new("job-priority", Job(job: "priority = 100"), Job(job: "priority = 101"), Job(job: "priority = 0")),
        new("job-groups", Job(), "job \"j\" {\n  type = \"service\"\n}\n"),
        new("constraint",
            Job(
                job: Block("constraint", "attribute = \"${attr.kernel.name}\"\nvalue = \"linux\"") + Block("constraint", "distinct_hosts = true")
                    + Block("constraint", "attribute = \"rack \\\"a\\\" $${x} %%{y}\"\noperator = \"!=\"\nvalue = \"\\n\"")
                    + Block("constraint", "attribute = \"$${meta.x y}\"\noperator = \"is_set\""),
                group: Block("constraint", "attribute = \"${node.class}\"\noperator = \"!=\"\nvalue = \"gpu\""),
                task: Block("constraint", "attribute = \"${attr.cpu.arch}\"\nregexp = \"^(amd64|arm64)$\"")),
            Job(job: Block("constraint", "attribute = \"${attr.kernel.name}\"")),
            Job(job: Block("constraint", "attribute = \"$${node.name}\"\nvalue = \"x\"")),
            Job(group: Block("constraint", "attribute = \"$attr.x\"\nvalue = \"x\"")),
            Job(job: Block("constraint", "attribute = \"$${attr.x\"\nvalue = \"x\"")),
            Job(job: Block("constraint", "attribute = \"${attr.x}\"\noperator = \"~=\"\nvalue = \"1\"")),
            Job(task: Block("constraint", "attribute = \"${attr.x}\"\noperator = \"is_set\"\nvalue = \"1\"")),
            Job(job: Block("constraint", "operator = \"=\"\nvalue = \"linux\"")),
            Job(job: Block("constraint", "distinct_property = \"${meta.rack}\"\nvalue = \"0\""))),
        new("periodic-job-type", Job(type: "batch", job: Periodic("crons = [\"0 2 * * *\"]")), Job(job: Periodic("crons = [\"0 2 * * *\"]"))),
        new("periodic-spec",
            Job(type: "batch", job: Periodic("crons = [\"@daily\", \"30 2 * * 1-5\"]\ntime_zone = \"Europe/Berlin\"")),
            Job(type: "batch", job: Periodic("cron = \"0 2 * * *\"\ncrons = [\"0 3 * * *\"]")),
            Job(type: "batch", job: Periodic("crons = [\"0 2 * *\"]")),
            Job(type: "batch", job: Periodic("crons = [\"0 2 * * *\"]\ntime_zone = \"Mars/Olympus_Mons\""))),

        new("group-count", Job(group: "count = 0"), Job(group: "count = -1")),
        new("group-tasks",
            Job(task: "leader = true", extraTasks: Task("sidecar")),
            Job(task: "leader = true", extraTasks: Task("sidecar", "leader = true")),
            "job \"j\" {\n  group \"g\" {\n    count = 1\n  }\n}\n"),
        new("shutdown-delay", Job(group: Delay, task: Delay), Job(task: "shutdown_delay = \"-5s\""), Job(group: "shutdown_delay = \"-1s\"")),
        new("restart-policy",
            Job(group: Block("restart", "attempts = 3\ninterval = \"5m\"\ndelay = \"15s\"\nmode = \"delay\"")),
            Job(group: Block("restart", "attempts = 3\ninterval = \"30s\"\ndelay = \"15s\"")),
            Job(group: Block("restart", "attempts = 0\nmode = \"delay\"")),
            Job(group: Block("restart", "interval = \"1s\"\nattempts = 0"))),
        new("reschedule-policy",
            Job(group: Block("reschedule", "attempts = 3\ninterval = \"1h\"\ndelay = \"30s\"\ndelay_function = \"constant\"\nunlimited = false")),
            Job(group: Block("reschedule", "attempts = 3\ninterval = \"1h\"")),
            Job(group: Block("reschedule", "delay = \"1s\"")),
            Job(group: Block("reschedule", "attempts = 10\ninterval = \"1m\"\ndelay = \"30s\"\ndelay_function = \"constant\"\nunlimited = false")),
            Job(type: "sysbatch", group: Block("reschedule", "attempts = 1"))),
        new("ephemeral-disk", Job(group: Block("ephemeral_disk", "size = 150")), Job(group: Block("ephemeral_disk", "size = 5"))),
        new("update-job-type", Job(type: "batch"), Job(type: "batch", group: Block("update", "max_parallel = 1")), Job(type: "batch", job: Block("update", "max_parallel = 1"))),
        new("update-values",
            Job(group: Block("update", "health_check = \"task_states\"\ncanary = 1\nauto_promote = true\nauto_revert = true")),
            Job(group: Block("update", "health_check = \"all\"")),
            Job(group: Block("update", "auto_promote = true")),
            Job(group: Block("update", "max_parallel = -1"))),
        new("update-min-healthy-below-healthy-deadline",
            Job(group: Block("update", "min_healthy_time = \"30s\"\nhealthy_deadline = \"5m\"")),
            Job(group: Block("update", "min_healthy_time = \"5m\"")),
            Job(job: Block("update", "min_healthy_time = \"2m\""), group: Block("update", "healthy_deadline = \"1m\""))),
        new("update-healthy-below-progress-deadline",
            Job(group: Block("update", "healthy_deadline = \"9m\"")),
            new Failing(Job(group: Block("update", "healthy_deadline = \"10m\"")), "job.j.group.g.update.healthy_deadline"),
            new Failing(Job(job: Block("update", "progress_deadline = \"5m\""), group: Block("update", "healthy_deadline = \"6m\"")), "job.j.group.g.update.healthy_deadline"),
            Job(job: Block("update", "healthy_deadline = \"20m\""))),
        new("migrate",
            Job(group: Block("migrate", "max_parallel = 1\nmin_healthy_time = \"30s\"")),
            Job(type: "batch", group: Block("migrate", "max_parallel = 1")),
            Job(group: Block("migrate", "min_healthy_time = \"10m\"")),
            Job(group: Block("migrate", "health_check = \"all\""))),
        new("volume-request",
            Job(group: "volume \"data\" {\n  type = \"host\"\n  source = \"d\"\n  access_mode = \"single-node-writer\"\n}"),
            Job(group: "volume \"data\" {\n  type = \"nfs\"\n  source = \"d\"\n}"),
            Job(group: "volume \"data\" {\n  type = \"host\"\n  source = \"d\"\n  access_mode = \"single-node-reader-only\"\n}"),
            Job(group: "volume \"data\" {\n  type = \"csi\"\n  source = \"d\"\n}"),
            Job(group: "volume \"data\" {\n  type = \"host\"\n  source = \"d\"\n  per_alloc = true\n  sticky = true\n}")),
        new("network-ports",
            Job(network: "network {\n  mode = \"host\"\n  port \"a\" {\n    static = 8080\n  }\n  port \"b\" {\n    static = 8081\n  }\n}", config: "network_mode = \"host\""),
            Job(network: "network {\n  mode = \"host\"\n  port \"a\" {\n    static = 8080\n  }\n  port \"b\" {\n    static = 8080\n  }\n}", config: "network_mode = \"host\""),
            Job(network: "network {\n  mode = \"bridge\"\n  port \"a\" {\n    to = -2\n  }\n}"),
            Job(network: "network {\n  mode = \"host\"\n  port \"a\" {\n    static = 70000\n  }\n}", config: "network_mode = \"host\""),
            Job(network: "network {\n  mode = \"bridge\"\n  port \"a\" {\n    static = 8080\n    ignore_collision = true\n  }\n}")),
        new("group-services-unique",
            Job(group: Delay + NomadService, task: Delay + Service("api", "provider = \"nomad\"")),
            Job(group: Delay + NomadService, task: Service("api", "provider = \"consul\"")),
            Job(group: Delay + NomadService + NomadService),
            Job(group: Delay, task: Service("api", "provider = \"nomad\"\ntask = \"other\"")),
            // The app's service and a database service in two providers (postgres.service must follow the app's).
            Job(group: Delay + NomadService + Service("db", "provider = \"consul\"", Check("type = \"tcp\"")))),
        new("group-service-checks",
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"script\"\ntask = \"app\"\ncommand = \"/bin/true\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"script\"\ncommand = \"/bin/true\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"script\"\ntask = \"nope\"\ncommand = \"/bin/true\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"\naddress_mode = \"driver\""))),
        new("service-name",
            Job(group: Delay + Service("${JOB}-web-1", "provider = \"nomad\"")),
            Job(group: Delay + Service("web_1", "provider = \"nomad\"")),
            Job(group: Delay + Service("-web", "provider = \"nomad\"")),
            Job(group: Delay + Service(new string('a', 64), "provider = \"nomad\""))),
        new("service-modes",
            Job(group: Delay + Service("web", "provider = \"nomad\"\naddress_mode = \"host\"\non_update = \"ignore\"")),
            Job(group: Delay + Service("web", "provider = \"nomad\"\naddress_mode = \"bogus\"")),
            Job(group: Delay + Service("web", "provider = \"etcd\"")),
            Job(group: Delay + Service("web", "provider = \"nomad\"\non_update = \"never\"")),
            Job(group: Delay + Service("web", "provider = \"nomad\"\naddress_mode = \"host\"\naddress = \"10.0.0.1\""))),
        new("check-type-by-provider",
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"tcp\""))),
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"script\"\ncommand = \"/bin/true\"\ntask = \"app\""))),
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"grpc\"")))),
        new("check-fields",
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"/health/$${x}/\u00e9 \\\"q\\\"?x=%zz#top\"", interval: "1s", timeout: "1s"))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"/he\\nalth\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"/health/100%\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"/a%%{b}\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"/a#%zz\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"_a:b/health\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"a:b\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"/health\"", interval: "500ms"))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"http\"\npath = \"http://example.com/health\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"tcp\"", timeout: null))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"tcp\"\ninitial_status = \"ok\""))),
            Job(group: Delay + Service("web", "provider = \"consul\"", Check("type = \"tcp\"\non_update = \"ignore\"\n" + Block("check_restart", "limit = 3"))))),
        new("check-nomad-provider-limits",
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"http\"\npath = \"/health\"\nmethod = \"POST\""))),
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"tcp\"\nsuccess_before_passing = 2"))),
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"http\"\npath = \"/health\"\nmethod = \"FETCH\""))),
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"tcp\"\non_update = \"ignore_warnings\""))),
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"tcp\"\ntls_server_name = \"x\"")))),
        new("check-port",
            Job(task: Delay + Service("api", "provider = \"nomad\"", Check("type = \"tcp\""))),
            Job(group: Delay + Service("web", "provider = \"nomad\"", Check("type = \"tcp\""), port: null)),
            Job(task: Delay + Service("api", "provider = \"consul\"", Check("type = \"tcp\"\nport = 8080")))),
        new("task-service-ports",
            Job(task: Delay + Service("api", "provider = \"nomad\"")),
            Job(task: Delay + Service("api", "provider = \"nomad\"", port: "admin")),
            Job(task: Delay + Service("api", "provider = \"nomad\"", Check("type = \"tcp\"\nport = \"metrics\"")))),
        new("task-services",
            Job(task: Delay + Service("api", "provider = \"nomad\"", Check("type = \"tcp\"\nname = \"a\"") + Check("type = \"tcp\"\nname = \"b\""))),
            Job(task: Delay + Service("api", "provider = \"nomad\"", Check("type = \"tcp\"") + Check("type = \"tcp\""))),
            Job(task: Delay + Service("api", "provider = \"nomad\"\naddress_mode = \"alloc\"")),
            Job(task: Delay + Service("api", "provider = \"nomad\"") + Service("api", "provider = \"nomad\""))),
        new("task-name", Job(taskName: "db-backup"), Job(taskName: "alloc"), Job(taskName: "a\\\\b")),
        new("task-driver", Job(), Job(driver: false)),
        new("task-kill-timeout",
            Job(task: "kill_timeout = \"30s\""),
            Job(task: "kill_timeout = \"15m\""),
            Job(group: Block("update", "progress_deadline = \"2m\"\nhealthy_deadline = \"1m\""), task: "kill_timeout = \"3m\""),
            Job(task: "kill_timeout = \"-1s\"")),
        new("task-resources",
            Job(task: Block("resources", "cpu = 100\nmemory = 256")),
            Job(task: Block("resources", "cpu = 100\nmemory = 5")),
            Job(task: Block("resources", "memory = 256\nmemory_max = 128")),
            Job(task: Block("resources", "cpu = 100\ncores = 2")),
            Job(task: Block("resources", "cpu = 0"))),
        new("task-logs",
            Job(task: Block("logs", "max_files = 2\nmax_file_size = 10")),
            Job(task: Block("logs", "max_files = 30\nmax_file_size = 10")),
            Job(task: Block("logs", "max_files = 0"))),
        new("task-templates",
            Job(task: Template("local/a.conf", "change_mode = \"signal\"\nchange_signal = \"SIGHUP\"") + Template("secrets/b.env", "env = true\nperms = \"0600\"\n" + Block("wait", "min = \"2s\"\nmax = \"10s\""))),
            Job(task: Template("../../../etc/passwd")),
            Job(task: Template("secrets/a.env", "env = true\nchange_mode = \"signal\"")),
            Job(task: Template("local/a") + Template("local/a")),
            Job(task: Template("local/a", "perms = \"0999\"")),
            Job(task: Template("local/a", "change_mode = \"reload\"")),
            Job(task: Template("local/a", "change_mode = \"script\"")),
            Job(task: Template("local/a", Block("wait", "min = \"1m\"\nmax = \"10s\"")))),
        new("task-vault", Job(task: Block("vault", "change_mode = \"noop\"")), Job(task: Block("vault", "change_mode = \"reload\""))),
        new("task-lifecycle", Job(task: Block("lifecycle", "hook = \"poststop\"")), Job(task: Block("lifecycle", "hook = \"prestop\""))),
        new("task-volume-mounts",
            Job(group: Volume, task: Block("volume_mount", "volume = \"data\"\ndestination = \"/data\"\npropagation_mode = \"host-to-task\"")),
            Job(group: Volume, task: Block("volume_mount", "volume = \"nope\"\ndestination = \"/data\"")),
            Job(group: Volume, task: Block("volume_mount", "volume = \"data\"\ndestination = \"/data\"\npropagation_mode = \"shared\"")),
            Job(group: Volume, task: Block("volume_mount", "volume = \"data\"\ndestination = \"/data\"\nselinux_label = \"x\""))),
        new("task-constraints",
            Job(task: Block("constraint", "attribute = \"${attr.kernel.name}\"\nvalue = \"linux\"")),
            Job(task: Block("constraint", "operator = \"distinct_hosts\"\nvalue = \"true\"")),
            Job(task: Block("constraint", "distinct_property = \"${meta.rack}\""))),
        new("docker-host-network-mode",
            Job(network: Host, config: "network_mode = \"host\"\nports = [\"http\"]"),
            new Failing(Job(network: Host), "job.j.group.g.task.app.config.network_mode"),
            Job(network: "network {\n  port \"http\" {\n    static = 8080\n  }\n}"),
            Job(network: Host, config: "network_mode = \"bridge\"")),
        new("docker-bridge-network-mode",
            Job(network: Bridge, config: "ports = [\"http\"]"),
            new Failing(Job(network: Bridge, config: "network_mode = \"host\""), "job.j.group.g.task.app.config.network_mode")),
        new("docker-ports",
            Job(network: Host, config: "network_mode = \"host\"\nports = [\"http\"]"),
            Job(network: Host, config: "network_mode = \"host\"\nports = [\"admin\"]")),
        new("docker-mounts",
            Job(config: Block("mount", "type = \"bind\"\nsource = \"local/app.conf\"\ntarget = \"/etc/app.conf\"\nreadonly = true")
                + Block("mount", "type = \"bind\"\nsource = \"../alloc/data\"\ntarget = \"/shared\"")
                + Block("mount", "type = \"tmpfs\"\ntarget = \"/run/app\"\n" + Block("tmpfs_options", "size = 67108864"))),
            new Failing(Job(config: Block("mount", "type = \"bind\"\nsource = \"/etc/nginx\"\ntarget = \"/etc/nginx\"")), "job.j.group.g.task.app.config.mount.source"),
            Job(config: Block("mount", "type = \"bind\"\nsource = \"../../etc\"\ntarget = \"/etc/x\"")),
            Job(config: Block("mount", "type = \"tmpfs\"\nsource = \"x\"\ntarget = \"/run/app\"")),
            Job(config: Block("mount", "source = \"named\"\ntarget = \"/data\"")),
            Job(config: Block("mount", "type = \"npipe\"\ntarget = \"/data\""))),
        new("docker-privileged",
            Job(config: "privileged = false"),
            new Failing(Job(config: "privileged = true"), "job.j.group.g.task.app.config.privileged")),
        new("docker-dns",
            Job(network: Host, config: "network_mode = \"host\"\ndns_servers = [\"192.168.1.1\", \"fd00::1\"]\ndns_search_domains = [\"home.arpa\"]\ndns_options = [\"ndots:2\"]"),
            Job(network: Host, config: "network_mode = \"host\"\ndns_servers = [\"dns.home.arpa\"]"),
            new Failing(Job(config: "dns_servers = [\"192.168.1.1\"]"), "job.j.group.g.task.app.config.dns_servers"),
            Job(config: "dns_search_domains = [\"home.arpa\"]")),

        new("warn-memory-max", Job(task: Block("resources", "memory = 256")), Job(task: Block("resources", "memory = 256\nmemory_max = 512"))),
        new("warn-shutdown-delay",
            Job(group: Delay + NomadService, task: Delay + Service("api", "provider = \"nomad\"")),
            new Failing(Job(group: NomadService), "job.j.group.g"),
            new Failing(Job(group: Delay, task: Service("api", "provider = \"nomad\"")), "job.j.group.g.task.app"),
            Job(group: Delay + Service("web", "provider = \"nomad\"\ntask = \"app\""))),
        new("warn-max-parallel-over-count",
            Job(group: "count = 3\n" + Block("update", "max_parallel = 2")),
            Job(group: "count = 2\n" + Block("update", "max_parallel = 3"))),
        new("warn-cron-deprecated",
            Job(type: "batch", job: Periodic("crons = [\"0 2 * * *\"]")),
            Job(type: "batch", job: Periodic("cron = \"0 2 * * *\""))),
        new("warn-auto-promote-mixed",
            Job(group: Block("update", "canary = 1\nauto_promote = true"), extraGroups: Group("g2", Block("update", "canary = 1\nauto_promote = true"))),
            Job(group: Block("update", "canary = 1\nauto_promote = true"), extraGroups: Group("g2", Block("update", "canary = 1")))),
        new("warn-deprecated-fields",
            Job(task: Template("local/a")),
            Job(network: "network {\n  mode = \"bridge\"\n  mbits = 10\n}"),
            Job(task: Template("local/a", "vault_grace = \"5s\""))),
    ];

    private const string Volume = "volume \"data\" {\n  type = \"host\"\n  source = \"d\"\n}";

    private JobspecSchema schema = null!;
    private IReadOnlyDictionary<string, JsonElement> parsed = null!;

    [OneTimeSetUp]
    public void ParseEveryCaseOnce()
    {
        schema = JobspecSchema.Load();
        var texts = new Dictionary<string, string>();
        foreach (var ruleCase in Cases)
        {
            texts[$"{ruleCase.RuleId}/pass"] = ruleCase.Passing;
            for (var i = 0; i < ruleCase.Failing.Length; i++)
            {
                texts[$"{ruleCase.RuleId}/fail{i}"] = ruleCase.Failing[i].Hcl;
            }
        }

        parsed = Hcl2Json.ParseTexts(texts);
    }

    private static IEnumerable<TestCaseData> PassingCases() =>
        Cases.Select(ruleCase => new TestCaseData(ruleCase.RuleId).SetName($"Follows_{ruleCase.RuleId}"));

    private static IEnumerable<TestCaseData> FailingCases() =>
        Cases.SelectMany(ruleCase => ruleCase.Failing.Select((failing, i) => new TestCaseData(ruleCase.RuleId, i, failing.Path).SetName($"Breaks_{ruleCase.RuleId}_{i}")));

    [TestCaseSource(nameof(PassingCases))]
    public void A_job_that_follows_the_rule_passes_every_rule_and_the_schema(string ruleId)
    {
        var json = parsed[$"{ruleId}/pass"];

        Assert.Multiple(() =>
        {
            Assert.That(NomadServerRules.Check(json).Select(violation => violation.ToString()), Is.Empty);
            Assert.That(schema.Validate(json).Select(violation => violation.ToString()), Is.Empty);
        });
    }

    [TestCaseSource(nameof(FailingCases))]
    public void A_job_that_breaks_the_rule_is_reported_under_its_id(string ruleId, int index, string? path)
    {
        var violations = NomadServerRules.Check(parsed[$"{ruleId}/fail{index}"]);

        Assert.That(violations.Where(violation => violation.RuleId == ruleId).Select(violation => violation.ToString()), Is.Not.Empty,
            () => "reported instead: " + string.Join("; ", violations));
        if (path is not null)
        {
            Assert.That(violations.Where(violation => violation.RuleId == ruleId).Select(violation => violation.Path), Does.Contain(path));
        }
    }

    [Test]
    public void Every_rule_has_a_case_that_follows_it_and_one_that_breaks_it()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Cases.Select(ruleCase => ruleCase.RuleId), Is.EquivalentTo(NomadServerRules.All.Select(rule => rule.Id)));
            Assert.That(Cases.Where(ruleCase => ruleCase.Failing.Length == 0).Select(ruleCase => ruleCase.RuleId), Is.Empty);
        });
    }

    [Test]
    public void Rule_ids_are_unique_and_every_rule_names_its_source_with_line_ranges()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NomadServerRules.All.Select(rule => rule.Id), Is.Unique);
            foreach (var rule in NomadServerRules.All)
            {
                Assert.That(rule.Source.Split("; "), Has.All.Match(@"^[a-z0-9_/.]+\.go:\d+-\d+$"), rule.Id);
                Assert.That(rule.Statement, Does.Not.Contain('\n'), rule.Id);
            }
        });
    }

    [Test]
    public void The_rule_document_is_generated_from_the_rule_list()
    {
        var expected = NomadServerRules.RenderDocument();
        var path = NomadServerRules.DocumentPath;
        if (Environment.GetEnvironmentVariable("ACCEPT_SNAPSHOTS") == "1" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            File.WriteAllText(path, expected);
        }

        Assert.That(File.Exists(path) ? File.ReadAllText(path) : null, Is.EqualTo(expected),
            "NOMAD-RULES.md differs from NomadServerRules.All; regenerate it with ACCEPT_SNAPSHOTS=1 and review the diff");
    }

    [Test]
    public void Defaults_are_applied_before_checking_so_a_job_without_update_block_is_checked_against_nomads_defaults()
    {
        var job = NomadJob.Read(parsed["update-healthy-below-progress-deadline/pass"]).Single();
        var update = job.Groups.Single().Update!;

        Assert.Multiple(() =>
        {
            Assert.That(update.HealthyDeadline, Is.EqualTo(new Setting<long?>(9 * GoDuration.Minute, "job.j.group.g.update.healthy_deadline")));
            Assert.That(update.ProgressDeadline, Is.EqualTo(new Setting<long?>(10 * GoDuration.Minute, null)));
            Assert.That(update.MinHealthyTime, Is.EqualTo(new Setting<long?>(10 * GoDuration.Second, null)));
            Assert.That(update.MaxParallel.Value, Is.EqualTo(1));
            Assert.That(NomadJob.Read(parsed["update-job-type/pass"]).Single().Groups.Single().Update, Is.Null, "a batch job without update blocks has none");
        });
    }

    [TestCase("10m", 600_000_000_000L)]
    [TestCase("1h30m", 5_400_000_000_000L)]
    [TestCase("1.5s", 1_500_000_000L)]
    [TestCase("-2s", -2_000_000_000L)]
    [TestCase("+3ms", 3_000_000L)]
    [TestCase("0", 0L)]
    [TestCase("300ms", 300_000_000L)]
    [TestCase("1us", 1_000L)]
    [TestCase("1\u00b5s", 1_000L)]
    [TestCase("2h45m10.5s", 9_910_500_000_000L)]
    [TestCase(".5s", 500_000_000L)]
    [TestCase("1ns", 1L)]
    public void Go_durations_parse_as_time_ParseDuration_does(string text, long nanoseconds) =>
        Assert.That(GoDuration.Parse(text), Is.EqualTo(nanoseconds));

    [TestCase("")]
    [TestCase("10")]
    [TestCase("10 s")]
    [TestCase("1d")]
    [TestCase("s")]
    [TestCase(".s")]
    [TestCase("-")]
    [TestCase("10 seconds")]
    public void Text_that_go_refuses_is_not_a_duration(string text) =>
        Assert.That(GoDuration.Parse(text), Is.Null);

    [TestCase(0L, "0s")]
    [TestCase(600_000_000_000L, "10m0s")]
    [TestCase(5_400_000_000_000L, "1h30m0s")]
    [TestCase(1_500_000_000L, "1.5s")]
    [TestCase(300_000_000L, "300ms")]
    [TestCase(-2_000_000_000L, "-2s")]
    public void Durations_print_as_go_prints_them(long nanoseconds, string text) =>
        Assert.That(GoDuration.Format(nanoseconds), Is.EqualTo(text));

    // ---- job builders: a minimal job Nomad accepts, with pieces put in at job, group and task level

    private static string Job(
        string job = "",
        string group = "",
        string task = "",
        string type = "service",
        string id = "j",
        string network = Bridge,
        string config = "",
        string taskName = "app",
        bool driver = true,
        string extraTasks = "",
        string extraGroups = "") => $$"""
        job "{{id}}" {
          type = "{{type}}"
        {{job}}
          group "g" {
        {{network}}
        {{group}}
            task "{{taskName}}" {
        {{(driver ? "driver = \"docker\"" : "")}}
              config {
                image = "alpine:3"
        {{config}}
              }
        {{task}}
            }
        {{extraTasks}}
          }
        {{extraGroups}}
        }
        """ + "\n";

    private static string Task(string name, string body = "") =>
        $"task \"{name}\" {{\n  driver = \"docker\"\n  config {{\n    image = \"alpine:3\"\n  }}\n{body}\n}}";

    private static string Group(string name, string body) =>
        $"group \"{name}\" {{\n{body}\n{Task("t")}\n}}";

    private static string Block(string type, string body) => $"{type} {{\n{body}\n}}\n";

    private static string Periodic(string body) => Block("periodic", body);

    private static string Service(string name, string body, string checks = "", string? port = "http") =>
        Block("service", $"name = \"{name}\"\n{(port is null ? "" : $"port = \"{port}\"\n")}{body}\n{checks}");

    private static string Check(string body, string? interval = "10s", string? timeout = "2s") =>
        Block("check", $"{body}\n{(interval is null ? "" : $"interval = \"{interval}\"\n")}{(timeout is null ? "" : $"timeout = \"{timeout}\"\n")}");

    private static string Template(string destination, string body = "") =>
        Block("template", $"data = \"x\"\ndestination = \"{destination}\"\n{body}");

    /// <summary>A job that breaks a rule, and optionally the path the finding must name.</summary>
    public sealed record Failing(string Hcl, string? Path = null)
    {
        public static implicit operator Failing(string hcl) => new(hcl);
    }

    /// <summary>A rule's cases: one job that follows it, one or more that break it.</summary>
    public sealed record RuleCase(string RuleId, string Passing, params Failing[] Failing);
}

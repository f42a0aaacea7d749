using System.Text.Json;
using NUnit.Framework;
using NomadDbPatterns.Tests.Infrastructure;

namespace NomadDbPatterns.Tests.NomadSchema;

[TestFixture]
public sealed class JobspecSchemaTests
{
    private const string App = "job.myservice.group.myservice.task.app";
    private const string Group = "job.myservice.group.myservice";

    private static readonly string ReferencePath = SamplePath("myservice.nomad.hcl");
    private static readonly string ReferenceHcl = File.ReadAllText(ReferencePath);

    private JobspecSchema schema = null!;
    private IReadOnlyDictionary<string, JsonElement> parsedVariants = null!;

    // Each case breaks the reference job in one place; Expected is a violation the checker must report.
    private static readonly BrokenJob[] BrokenJobs =
    [
        new("misspelled config key",
            "image = \"ghcr.io/example/myservice:1.4.2\"", "imagee = \"ghcr.io/example/myservice:1.4.2\"",
            $"{App}.config.imagee: unknown attribute"),
        new("docker config without its required image",
            "image = \"ghcr.io/example/myservice:1.4.2\"", "imagee = \"ghcr.io/example/myservice:1.4.2\"",
            $"{App}.config.image: missing required attribute"),
        new("misspelled template key",
            "destination = \"secrets/db.env\"", "destinaton = \"secrets/db.env\"",
            $"{App}.template.destinaton: unknown attribute"),
        new("misspelled group attribute",
            "count = 1", "cuont = 1",
            $"{Group}.cuont: unknown attribute"),
        new("string where an integer is expected",
            "count = 1", "count = \"1\"",
            $"{Group}.count: wrong type: expected integer, found string \"1\""),
        new("fraction where an integer is expected",
            "memory = 256\n      }\n    }\n\n    task \"db-backup\"", "memory = 256.5\n      }\n    }\n\n    task \"db-backup\"",
            $"{App}.resources.memory: wrong type: expected integer, found number 256.5"),
        new("string where a list is expected",
            "ports = [\"http\"]", "ports = \"http\"",
            $"{App}.config.ports: wrong type: expected list(string), found string \"http\""),
        new("list where a string is expected",
            "provider = \"nomad\"", "provider = [\"nomad\"]",
            $"{Group}.service.provider: wrong type: expected string, found list"),
        new("string where a bool is expected",
            "auto_revert  = true", "auto_revert  = \"true\"",
            $"{Group}.update.auto_revert: wrong type: expected bool, found string \"true\""),
        new("duration that Go cannot parse",
            "interval = \"10s\"", "interval = \"10 seconds\"",
            $"{Group}.service.check.interval: wrong type: expected duration, found string \"10 seconds\""),
        new("env value that is not a string",
            "POSTGRES_DB            = \"myservice\"", "POSTGRES_DB            = [\"myservice\"]",
            $"{Group}.task.postgres.env.POSTGRES_DB: wrong type: expected string, found list"),
        new("unknown block in a task",
            "task \"app\" {\n      driver = \"docker\"\n", "task \"app\" {\n      driver = \"docker\"\n\n      resourcez {\n        cpu = 1\n      }\n",
            $"{App}.resourcez: unknown block"),
        new("unknown block in a group",
            "    update {\n", "    updates {\n",
            $"{Group}.updates: unknown block"),
        new("second lifecycle block",
            "lifecycle {\n        hook    = \"prestart\"\n        sidecar = true\n      }",
            "lifecycle {\n        hook    = \"prestart\"\n        sidecar = true\n      }\n\n      lifecycle {\n        hook = \"poststop\"\n      }",
            $"{Group}.task.postgres.lifecycle: duplicate block: only one 'lifecycle' block is allowed here"),
        new("group without its label",
            "group \"myservice\" {", "group {",
            "job.myservice.group: 'group' block needs label(s): name"),
        new("label on an unlabelled block",
            "    update {\n", "    update \"x\" {\n",
            $"{Group}.update: 'update' block takes no labels"),
        new("service meta written as an attribute",
            "provider = \"nomad\"", "provider = \"nomad\"\n      meta     = { a = \"b\" }",
            $"{Group}.service.meta: 'meta' must be written as a block, not as an attribute"),
        new("two tasks with the same name",
            "task \"db-backup\" {", "task \"app\" {",
            $"{Group}.task.app: duplicate label: 2 'task' blocks have the same label(s)"),
        new("driver without a config schema",
            "task \"app\" {\n      driver = \"docker\"", "task \"app\" {\n      driver = \"podman\"",
            $"{App}.config: no config schema for driver 'podman' (known: docker, exec, raw_exec)"),
        new("volume_mount written as a list attribute",
            "volume_mount {\n        volume      = \"backups\"\n        destination = \"/backups\"\n      }",
            "volume_mount = [\"backups\"]",
            $"{Group}.task.db-backup.volume_mount: expected a 'volume_mount' block, found list"),
    ];

    [OneTimeSetUp]
    public void ParseEverythingOnce()
    {
        schema = JobspecSchema.Load();
        var texts = BrokenJobs.ToDictionary(job => job.Name, job => job.Apply(ReferenceHcl));
        parsedVariants = Hcl2Json.ParseTexts(texts);
    }

    [Test]
    public void Reference_job_conforms()
    {
        var json = Hcl2Json.ParseFiles([ReferencePath])[ReferencePath];

        Assert.That(schema.Validate(json), Is.Empty);
    }

    [Test]
    public void Wide_job_using_most_of_the_jobspec_conforms()
    {
        var path = SamplePath("wide.nomad.hcl");
        var json = Hcl2Json.ParseFiles([path])[path];

        Assert.That(schema.Validate(json).Select(violation => violation.ToString()), Is.Empty);
    }

    [TestCaseSource(nameof(BrokenJobs))]
    public void Broken_job_is_reported(BrokenJob broken)
    {
        var violations = schema.Validate(parsedVariants[broken.Name]).Select(violation => violation.ToString()).ToList();

        Assert.That(violations, Does.Contain(broken.Expected));
    }

    [Test]
    public void Config_blocks_and_object_attributes_are_both_accepted_where_nomad_turns_one_into_the_other()
    {
        var json = Hcl2Json.ParseText("""
            job "j" {
              group "g" {
                task "t" {
                  driver = "docker"
                  env = {
                    "A.B" = "c"
                  }
                  meta = {
                    "x.y" = "z"
                  }

                  config {
                    image  = "alpine"
                    labels = { app = "a" }
                    sysctl = {
                      "net.core.somaxconn" = "16384"
                    }
                    ulimit {
                      nofile = "4096:8192"
                    }
                    auth = { username = "u" }
                  }
                }
              }
            }
            """);

        Assert.That(schema.Validate(json), Is.Empty);
    }

    [Test]
    public void Durations_follow_go_syntax_or_are_nanoseconds()
    {
        var texts = new Dictionary<string, string>();
        foreach (var value in new[] { "\"1m30s\"", "\"1.5h\"", "\"0\"", "\"250ms\"", "30000000000", "\"10\"", "\"1 m\"", "\"5d\"", "1.5" })
        {
            texts[value] = $$"""
                job "j" {
                  group "g" {
                    restart {
                      delay = {{value}}
                    }
                  }
                }
                """;
        }

        var accepted = Hcl2Json.ParseTexts(texts)
            .Where(pair => schema.Validate(pair.Value).Count == 0)
            .Select(pair => pair.Key);

        Assert.That(accepted, Is.EquivalentTo(new[] { "\"1m30s\"", "\"1.5h\"", "\"0\"", "\"250ms\"", "30000000000" }));
    }

    [Test]
    public void Required_attribute_of_an_action_is_enforced()
    {
        var json = Hcl2Json.ParseText("""
            job "j" {
              group "g" {
                task "t" {
                  driver = "exec"
                  config {
                    command = "/bin/true"
                  }
                  action "a" {
                    args = ["x"]
                  }
                }
              }
            }
            """);

        Assert.That(
            schema.Validate(json).Select(violation => violation.ToString()),
            Is.EqualTo(new[] { "job.j.group.g.task.t.action.a.command: missing required attribute" }));
    }

    [Test]
    public void Committed_schema_names_a_nomad_source_for_every_definition()
    {
        Assert.Multiple(() =>
        {
            Assert.That(schema.Root, Is.EqualTo("file"));
            foreach (var definition in schema.Definitions.Values)
            {
                Assert.That(definition.Source, Does.Contain("@v1.10.0:").Or.StartWith("map[string]interface{}"), definition.Name);
            }
        });
    }

    [Test]
    public void Schema_with_a_dangling_reference_is_rejected()
    {
        const string json = """
            { "root": "file",
              "definitions": {
                "file": { "source": "test", "blocks": { "job": { "labels": ["name"] } } }
              } }
            """;

        Assert.That(() => JobspecSchema.Parse(json),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("file.job: definition 'job' does not exist"));
    }

    private static string SamplePath(string fileName) =>
        RepoPaths.Combine("tests", "NomadDbPatterns.Tests", "NomadSchema", "Samples", fileName);

    /// <summary>The reference job with one piece of text replaced.</summary>
    public sealed record BrokenJob(string Name, string Find, string ReplaceWith, string Expected)
    {
        public string Apply(string hcl)
        {
            Assert.That(hcl, Does.Contain(Find), $"the reference job no longer contains the text case '{Name}' edits");
            var at = hcl.IndexOf(Find, StringComparison.Ordinal);
            return string.Concat(hcl.AsSpan(0, at), ReplaceWith, hcl.AsSpan(at + Find.Length));
        }

        public override string ToString() => Name;
    }
}

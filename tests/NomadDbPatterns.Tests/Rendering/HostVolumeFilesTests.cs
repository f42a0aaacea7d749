using System.Text.Json;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Tests.NomadSchema;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// The files beside each job that provision its host volumes: one dynamic host volume specification per volume
/// (default), or a client snippet with static host_volume blocks; each read back by the HCL parser and checked
/// against Nomad's rules for them (<see cref="HostVolumeRules"/>), and matched with the volumes the job mounts.
/// </summary>
[TestFixture]
public sealed class HostVolumeFilesTests
{
    private const string Spec = """
        name: svc
        constraints: [{ attribute: "${node.unique.name}", value: node-a }]
        app:
          image: example/app:1.0
          ports: [{ name: http, to: 8080 }]
          volumes: [{ name: uploads, source: svc-uploads, destination: /uploads }]
        postgres:
          password: { nomadVar: nomad/jobs/svc }
        backup: { schedule: "0 3 * * *" }
        """;

    [Test]
    public void Every_example_job_gets_a_volume_specification_for_each_host_volume_it_mounts_and_Nomad_would_accept_them()
    {
        var files = NomadDb.Render([RepoPaths.Examples], new RenderOptions { BaseDirectory = RepoPaths.Root }).Files;
        var parsed = Hcl2Json.ParseTexts(files.Where(f => f.FileName.EndsWith(".hcl", StringComparison.Ordinal)).ToDictionary(f => f.FileName, f => f.Content));
        var volumeSpecs = parsed.Where(p => p.Key.EndsWith(".volume.hcl", StringComparison.Ordinal)).ToList();
        var clientSnippets = parsed.Where(p => p.Key.EndsWith(".client.hcl", StringComparison.Ordinal)).ToList();

        // Every host volume a job group mounts (except one deliberately shared with other jobs) has its provisioning file.
        var provisioned = volumeSpecs.Select(p => p.Value.GetProperty("name").GetString()!)
            .Concat(clientSnippets.SelectMany(p => p.Value.GetProperty("client")[0].GetProperty("host_volume").EnumerateObject().Select(v => v.Name)))
            .ToHashSet(StringComparer.Ordinal);
        // The legacy shared instance (postgresql) is what exists already: its volumes are not provisioned again.
        var mounted = parsed.Where(p => p.Key.EndsWith(".nomad.hcl", StringComparison.Ordinal) && p.Key != "postgresql.nomad.hcl")
            .SelectMany(p => HostVolumeSources(p.Value)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(volumeSpecs, Is.Not.Empty);
            Assert.That(clientSnippets, Is.Not.Empty, "an example provisions static volumes");
            Assert.That(mounted.Where(m => !m.ReadOnly).Select(m => m.Source).Except(provisioned), Is.Empty, "mounted host volumes without a provisioning file");
            foreach (var (name, json) in volumeSpecs)
            {
                Assert.That(HostVolumeRules.CheckVolumeSpec(json), Is.Empty, name);
            }

            foreach (var (name, json) in clientSnippets)
            {
                Assert.That(HostVolumeRules.CheckClientSnippet(json), Is.Empty, name);
            }
        });
    }

    [Test]
    public void The_data_volume_belongs_to_the_postgres_user_of_the_image_variant_and_carries_the_jobs_namespace_pool_and_constraints()
    {
        var alpine = Parse(RenderFiles(Spec.Replace("name: svc\n", "name: svc\nnamespace: apps\nnodePool: storage\n", StringComparison.Ordinal))["svc.postgres-data.volume.hcl"]);
        var debian = Parse(RenderFiles(Spec.Replace("  password:", "  variant: bookworm\n  password:", StringComparison.Ordinal))["svc.postgres-data.volume.hcl"]);

        Assert.Multiple(() =>
        {
            Assert.That(Param(alpine, "uid"), Is.EqualTo("70"));
            Assert.That(Param(alpine, "gid"), Is.EqualTo("70"));
            Assert.That(Param(alpine, "mode"), Is.EqualTo("0700"));
            Assert.That(Param(debian, "uid"), Is.EqualTo("999"));
            Assert.That(alpine.GetProperty("name").GetString(), Is.EqualTo("svc-postgres"));
            Assert.That(alpine.GetProperty("namespace").GetString(), Is.EqualTo("apps"));
            Assert.That(alpine.GetProperty("node_pool").GetString(), Is.EqualTo("storage"));
            Assert.That(Constraint(alpine, 0), Is.EqualTo(("${node.datacenter}", "=", "dc1")), "a volume spec has no datacenters: the job's become a constraint");
            Assert.That(Constraint(alpine, 1), Is.EqualTo(("${node.unique.name}", "=", "node-a")));
            Assert.That(debian.TryGetProperty("namespace", out _), Is.False, "the default namespace is left to Nomad");
        });
    }

    [TestCase("[dc1, \"edge-*\"]", "regexp", "^(dc1|edge-.*)$")]
    [TestCase("[\"home.lab\"]", "=", "home.lab")]
    [TestCase("[\"home.lab\", b]", "regexp", "^(home\\.lab|b)$")]
    public void The_jobs_datacenters_limit_where_nomad_creates_the_volume(string datacenters, string @operator, string value)
    {
        var volume = Parse(RenderFiles(Spec.Replace("name: svc\n", $"name: svc\ndatacenters: {datacenters}\n", StringComparison.Ordinal))["svc.postgres-data.volume.hcl"]);
        Assert.That(Constraint(volume, 0), Is.EqualTo(("${node.datacenter}", @operator, value)));
        Assert.That(HostVolumeRules.CheckVolumeSpec(volume), Is.Empty);
    }

    [Test]
    public void A_job_allowed_in_every_datacenter_gets_no_datacenter_constraint()
    {
        var volume = Parse(RenderFiles(Spec.Replace("name: svc\n", "name: svc\ndatacenters: [\"*\"]\n", StringComparison.Ordinal))["svc.postgres-data.volume.hcl"]);
        Assert.That(Constraint(volume, 0).Attribute, Is.EqualTo("${node.unique.name}"));
    }

    private static (string Attribute, string Operator, string Value) Constraint(JsonElement volume, int index)
    {
        var constraint = volume.GetProperty("constraint")[index];
        return (constraint.GetProperty("attribute").GetString()!, constraint.GetProperty("operator").GetString()!, constraint.GetProperty("value").GetString()!);
    }

    [Test]
    public void Static_provisioning_writes_one_client_snippet_with_every_volume_under_the_given_path_and_none_writes_nothing()
    {
        var files = RenderFiles(Spec + "\nhostVolumes: { provision: static, path: /srv/nomad }\n");
        var none = RenderFiles(Spec + "\nhostVolumes: { provision: none }\n");
        var snippet = files["svc.client.hcl"];
        var volumes = Parse(snippet).GetProperty("client")[0].GetProperty("host_volume");

        Assert.Multiple(() =>
        {
            Assert.That(files.Keys.Where(k => k.EndsWith(".volume.hcl", StringComparison.Ordinal)), Is.Empty);
            Assert.That(volumes.EnumerateObject().Select(v => v.Name), Is.EquivalentTo(new[] { "svc-postgres", "svc-backups", "svc-uploads" }));
            Assert.That(volumes.GetProperty("svc-postgres")[0].GetProperty("path").GetString(), Is.EqualTo("/srv/nomad/svc-postgres"));
            Assert.That(snippet, Does.Contain("install -d -m 0700 -o 70 -g 70 /srv/nomad/svc-postgres"));
            Assert.That(HostVolumeRules.CheckClientSnippet(Parse(snippet)), Is.Empty);
            Assert.That(none.Keys, Is.EquivalentTo(new[] { "svc.nomad.hcl", "nomad-db-scripts.nv.hcl" }));
        });
    }

    [Test]
    public void The_periodic_backup_jobs_volume_is_provisioned_for_that_job_and_the_json_format_gives_the_create_request_body()
    {
        var spec = Spec.Replace("backup: { schedule: \"0 3 * * *\" }", "backup: { schedule: \"0 3 * * *\", placement: periodic }", StringComparison.Ordinal);
        var hcl = RenderFiles(spec)["svc.backups.volume.hcl"];
        var json = JsonDocument.Parse(RenderFiles(spec, JobFormat.Json)["svc.backups.volume.json"]).RootElement.GetProperty("Volume");

        Assert.Multiple(() =>
        {
            Assert.That(hcl, Does.Contain("for job \"svc-backup\""));
            Assert.That(json.GetProperty("Name").GetString(), Is.EqualTo("svc-backups"));
            Assert.That(json.GetProperty("PluginID").GetString(), Is.EqualTo("mkdir"));
            Assert.That(json.GetProperty("Constraints")[0].GetProperty("LTarget").GetString(), Is.EqualTo("${node.datacenter}"));
            Assert.That(json.GetProperty("Constraints")[1].GetProperty("LTarget").GetString(), Is.EqualTo("${node.unique.name}"));
            Assert.That(json.GetProperty("RequestedCapabilities")[0].GetProperty("AccessMode").GetString(), Is.EqualTo("single-node-writer"));
        });
    }

    [Test]
    public void The_checker_reports_what_Nomad_refuses_in_a_volume_specification_and_a_client_snippet()
    {
        var volume = Parse("""
            name      = ""
            type      = "csi"
            plugin_id = "mkdir"
            size      = "1G"
            capability {
              access_mode     = "multi-node"
              attachment_mode = "file-system"
            }
            constraint {
              operator = "distinct_hosts"
            }
            parameters {
              mode  = "rwx"
              owner = "postgres"
            }
            """);
        var client = Parse("""
            client {
              host_volume "x" {
                path     = "relative"
                readonly = true
              }
            }
            """);

        var findings = HostVolumeRules.CheckVolumeSpec(volume);
        var clientFindings = HostVolumeRules.CheckClientSnippet(client);

        Assert.Multiple(() =>
        {
            Assert.That(findings, Has.Some.StartsWith("[volume-create-keys] size"));
            Assert.That(findings, Has.Some.StartsWith("[volume-create-type]"));
            Assert.That(findings, Has.Some.StartsWith("[host-volume-name]"));
            Assert.That(findings, Has.Some.Contains("invalid access mode: \"multi-node\""));
            Assert.That(findings, Has.Some.StartsWith("[host-volume-constraint]"));
            Assert.That(findings, Has.Some.Contains("invalid value for \"mode\""));
            Assert.That(findings, Has.Some.Contains("unknown mkdir parameter: \"owner\""));
            Assert.That(clientFindings, Has.Some.StartsWith("[client-host-volume-keys] client.host_volume.x.readonly"));
            Assert.That(clientFindings, Has.Some.StartsWith("[client-host-volume-path]"));
        });
    }

    [TestCase("hostVolumes: { provision: nfs }\n", "hostVolumes.provision", "use one of: dynamic, static, none")]
    [TestCase("hostVolumes: { provision: static, path: \"/srv/../etc\" }\n", "hostVolumes.path", "absolute directory path")]
    [TestCase("hostVolumes: { provision: static, path: \"srv/nomad\" }\n", "hostVolumes.path", "absolute directory path")]
    [TestCase("hostVolumes: { provision: static, path: \"/srv/$(reboot)\" }\n", "hostVolumes.path", "absolute directory path")]
    public void A_bad_host_volume_setting_is_an_error_at_its_key(string yaml, string path, string message)
    {
        var (result, _) = RenderIn(Spec + "\n" + yaml, JobFormat.Hcl);

        var error = result.Diagnostics.Single(d => d.Severity == NomadDbPatterns.Validation.Severity.Error);
        Assert.Multiple(() =>
        {
            Assert.That(error.Path, Is.EqualTo(path));
            Assert.That(error.Message, Does.Contain(message));
            Assert.That(error.Location?.Line, Is.EqualTo(10));
            Assert.That(result.Files, Is.Empty);
        });
    }

    private static IEnumerable<(string Source, bool ReadOnly)> HostVolumeSources(JsonElement job)
    {
        foreach (var jobBody in job.GetProperty("job").EnumerateObject().SelectMany(j => j.Value.EnumerateArray()))
        {
            foreach (var group in jobBody.GetProperty("group").EnumerateObject().SelectMany(g => g.Value.EnumerateArray()))
            {
                if (!group.TryGetProperty("volume", out var volumes))
                {
                    continue;
                }

                foreach (var volume in volumes.EnumerateObject().SelectMany(v => v.Value.EnumerateArray()))
                {
                    yield return (volume.GetProperty("source").GetString()!, volume.TryGetProperty("read_only", out var ro) && ro.ValueKind == JsonValueKind.True);
                }
            }
        }
    }

    private static string Param(JsonElement volume, string key) => volume.GetProperty("parameters")[0].GetProperty(key).GetString()!;

    private static JsonElement Parse(string hcl) => Hcl2Json.ParseText(hcl);

    private static Dictionary<string, string> RenderFiles(string yaml, JobFormat format = JobFormat.Hcl)
    {
        var (result, _) = RenderIn(yaml, format);
        Assert.That(result.Success, Is.True, () => string.Join('\n', result.Diagnostics));
        return result.Files.ToDictionary(f => f.FileName, f => f.Content);
    }

    private static (RenderResult Result, string Directory) RenderIn(string yaml, JobFormat format)
    {
        var directory = Directory.CreateTempSubdirectory("nomad-db-volumes-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "svc.yaml"), yaml);
            return (NomadDb.Render([directory.FullName], new RenderOptions { Format = format }), directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

using System.Text.Json;
using NomadDbPatterns.Tests.Infrastructure;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>
/// The PostgreSQL task's password template runs rotate-password.sh when the secret changes (Template.Validate in
/// nomad/structs/structs.go: change_mode "script" needs change_script.command), and the script it runs is the one
/// the scripts variable ships (tested on real PostgreSQL in Backups/RotatePasswordTests).
/// </summary>
[TestFixture]
public sealed class PasswordRotationRenderingTests
{
    private static JsonElement PostgresTask(string jobFile)
    {
        var job = Hcl2Json.ParseText(jobFile).GetProperty("job");
        var group = job.EnumerateObject().Single().Value[0].GetProperty("group").EnumerateObject().Single().Value[0];
        return group.GetProperty("task").GetProperty("postgres")[0];
    }

    [Test]
    public void The_password_template_runs_the_rotation_script_and_the_script_comes_from_the_variable()
    {
        var files = NomadDb.Render([Path.Combine(RepoPaths.Examples, "myservice.yaml")], new RenderOptions { BaseDirectory = RepoPaths.Root }).Files;
        var task = PostgresTask(files.Single(f => f.FileName == "myservice.nomad.hcl").Content);
        var templates = task.GetProperty("template").EnumerateArray().ToList();
        var password = templates.Single(t => t.GetProperty("destination").GetString() == "secrets/db-password");
        var script = templates.Single(t => t.GetProperty("destination").GetString() == "local/rotate-password.sh");
        var changeScript = password.GetProperty("change_script")[0];

        Assert.Multiple(() =>
        {
            Assert.That(password.GetProperty("change_mode").GetString(), Is.EqualTo("script"));
            Assert.That(changeScript.GetProperty("command").GetString(), Is.EqualTo("/bin/sh"));
            Assert.That(changeScript.GetProperty("args").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { "/local/rotate-password.sh" }));
            Assert.That(changeScript.GetProperty("fail_on_error").GetBoolean(), Is.False);
            Assert.That(script.GetProperty("change_mode").GetString(), Is.EqualTo("noop"), "a new script version must not restart PostgreSQL");
            Assert.That(script.GetProperty("data").GetString(), Does.Contain("nomadVar \"nomad/jobs\"").And.Contain(".rotate_password"));
        });

        var variable = files.Single(f => f.FileName == "nomad-db-scripts.nv.hcl").Content;
        Assert.That(variable, Does.Contain(File.ReadAllText(Path.Combine(RepoPaths.Root, "templates", "scripts", "rotate-password.sh")).Split('\n').First(line => line.StartsWith("file=", StringComparison.Ordinal))),
            "the variable ships templates/scripts/rotate-password.sh");
    }

    [Test]
    public void The_json_job_carries_the_same_change_script()
    {
        var files = NomadDb.Render([Path.Combine(RepoPaths.Examples, "myservice.yaml")], new RenderOptions { BaseDirectory = RepoPaths.Root, Format = NomadDbPatterns.Rendering.JobFormat.Json }).Files;
        var job = JsonDocument.Parse(files.Single(f => f.FileName == "myservice.nomad.json").Content).RootElement.GetProperty("Job");
        var task = job.GetProperty("TaskGroups")[0].GetProperty("Tasks").EnumerateArray().Single(t => t.GetProperty("Name").GetString() == "postgres");
        var password = task.GetProperty("Templates").EnumerateArray().Single(t => t.GetProperty("DestPath").GetString() == "secrets/db-password");
        var script = password.GetProperty("ChangeScript");

        Assert.That(password.GetProperty("ChangeMode").GetString(), Is.EqualTo("script"));
        Assert.That(script.GetProperty("Command").GetString(), Is.EqualTo("/bin/sh"));
        Assert.That(script.GetProperty("Timeout").GetInt64(), Is.EqualTo(30_000_000_000L), "time.Duration in nanoseconds");
        Assert.That(script.GetProperty("FailOnError").GetBoolean(), Is.False);
    }

    [Test]
    public void On_a_non_default_port_the_rotation_finds_the_servers_socket_through_PGPORT()
    {
        var files = NomadDb.Render([Path.Combine(RepoPaths.Examples, "host-network.yaml")], new RenderOptions { BaseDirectory = RepoPaths.Root }).Files;
        var task = PostgresTask(files.Single(f => f.FileName == "wiki.nomad.hcl").Content);
        Assert.That(task.GetProperty("env")[0].GetProperty("PGPORT").GetString(), Is.EqualTo("5433"));
    }
}

using System.Text.RegularExpressions;
using NomadDbPatterns.Cli;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// The README's quick start, run as written: every <c>nomad-db</c> line of its first code block (init a preset,
/// generate its secrets, render, run --create-volumes --wait, plan) in a fresh directory, against a fake Nomad that answers like
/// Nomad v2.0.5. The <c>nomad</c> CLI lines are the by-hand alternative and are not run here.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class QuickStartTests
{
    private static IReadOnlyList<string[]> QuickStartCommands()
    {
        var readme = File.ReadAllText(Path.Combine(CommandHarness.Root, "README.md"));
        var section = readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..];
        var block = Regex.Match(section, "```sh\n(?<body>.*?)```", RegexOptions.Singleline).Groups["body"].Value;
        return [.. block.Split('\n')
            .Select(line => line.Split(" #", 2)[0].Trim())
            .Where(line => line.StartsWith("nomad-db ", StringComparison.Ordinal))
            .SelectMany(line => line.Split("&&", StringSplitOptions.TrimEntries))
            .Select(command => command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..])];
    }

    [Test]
    public async Task The_readmes_quick_start_runs_from_init_to_a_healthy_deployment()
    {
        var commands = QuickStartCommands();
        Assert.That(commands.Select(c => c[0]), Is.EqualTo(new[] { "init", "secrets", "render", "run", "plan" }), "the quick start's nomad-db steps");

        var nomad = new FakeNomad { Plan = "plan-new-job.json" };
        nomad.Nodes.Add(new FakeNomad.Node("aaaa1111-0000-0000-0000-000000000001", "client-1"));
        await using var server = nomad.Start();
        var directory = Directory.CreateTempSubdirectory("nomad-db-quickstart-").FullName;
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = directory;
        try
        {
            foreach (var args in commands)
            {
                var (exit, stdout, stderr) = CommandHarness.Run(server, args);
                TestContext.Out.WriteLine($"$ nomad-db {string.Join(' ', args)}\n{stdout}{stderr}");
                Assert.That(exit, Is.EqualTo(ExitCodes.Ok), $"nomad-db {string.Join(' ', args)}\n{stdout}\n{stderr}");
                Assert.That(stdout + stderr, Does.Not.Contain(CommandHarness.Token));
            }

            Assert.Multiple(() =>
            {
                Assert.That(nomad.Variables.Keys, Does.Contain(("default", "nomad/jobs/vaultwarden")));
                Assert.That(nomad.Variables[("default", "nomad/jobs/vaultwarden")].Items.Keys, Does.Contain("db_password"));
                Assert.That(nomad.Variables.Keys, Does.Contain(("default", "nomad/jobs")), "run published the scripts");
                Assert.That(File.Exists(Path.Combine(directory, "jobs", "vaultwarden.nomad.hcl")));
                Assert.That(server.Requests.Count(r => r.Method == "POST" && r.Path == "/v1/jobs"), Is.GreaterThanOrEqualTo(1), "run registered the job");
                Assert.That(nomad.HostVolumes.Select(v => v.Name), Is.EquivalentTo(new[] { "vaultwarden-postgres", "vaultwarden-backups", "vaultwarden-data" }), "run --create-volumes");
                Assert.That(nomad.HostVolumes.Select(v => v.NodeID).Distinct().Count(), Is.EqualTo(1));
            });
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(directory, recursive: true);
        }
    }
}

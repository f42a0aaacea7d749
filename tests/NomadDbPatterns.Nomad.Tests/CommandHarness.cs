using System.Collections;
using NomadDbPatterns.Cli;
using NomadDbPatterns.Cli.Commands;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>Runs nomad-db in process against a fake Nomad, with the environment a shell would give it.</summary>
internal static class CommandHarness
{
    public const string Token = "s3cr3t-token-value";

    public static string Example => Path.Combine(Root, "examples", "myservice.yaml");

    public static string Root
    {
        get
        {
            var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (!File.Exists(Path.Combine(directory!.FullName, "NomadDbPatterns.sln")))
            {
                directory = directory.Parent;
            }

            return directory.FullName;
        }
    }

    /// <summary>The example job "myservice" as nomad-db renders it for Nomad's API (the verified JSON snapshot).</summary>
    public static System.Text.Json.Nodes.JsonObject MyServiceJob() =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "tests", "NomadDbPatterns.Tests", "Snapshots", "myservice.nomad.verified.json")))!["Job"]!.AsObject();

    /// <summary>Its tasks' roles, with "postgres" as the database task.</summary>
    public static JobShape MyServiceShape() => JobShape.FromJob(MyServiceJob(), [new DatabaseTopology("myservice", "postgres", ["postgres-data"], 17)]);

    /// <summary>Runs nomad-db with NOMAD_ADDR pointing at <paramref name="address"/> and NOMAD_TOKEN set.</summary>
    public static (int Exit, string Out, string Error) Run(Uri address, IDictionary? environment, params string[] args)
    {
        var variables = new Hashtable { ["NOMAD_ADDR"] = address.ToString().TrimEnd('/'), ["NOMAD_TOKEN"] = Token };
        foreach (DictionaryEntry entry in environment ?? new Hashtable())
        {
            variables[entry.Key] = entry.Value;
        }

        NomadConnection.Environment = () => variables;
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = CliApp.Run(args, new CliConsole(stdout, stderr));
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            NomadConnection.Environment = Environment.GetEnvironmentVariables;
        }
    }

    public static (int Exit, string Out, string Error) Run(FakeNomadServer server, params string[] args) => Run(server.Address, null, args);
}

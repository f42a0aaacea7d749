using System.CommandLine;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db explain [CODE]</c>: what an error code means and how to fix it.</summary>
internal sealed class ExplainCommand(CliConsole console)
{
    public Command Build()
    {
        var code = new Argument<string?>("code") { Description = "An error code such as NDB020, or a topic (network); omit to list all", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("explain", "Explain an error code or a topic.\n\nExamples:\n  nomad-db explain NDB020\n  nomad-db explain network\n  nomad-db explain") { code };
        command.SetAction(parse => Execute(parse.GetValue(code)));
        return command;
    }

    /// <summary>Topics that are not error codes: how a choice in the spec plays out on a Nomad cluster.</summary>
    internal static IReadOnlyDictionary<string, (string Title, string Help)> Topics { get; } = new Dictionary<string, (string, string)>
    {
        ["network"] = (
            "bridge or host networking",
            "network: bridge (the default) gives each allocation its own network namespace: the app reaches PostgreSQL on "
            + "127.0.0.1:5432 and two services' databases never clash on a node. Nomad builds that namespace with the CNI "
            + "reference plugins (loopback, bridge, host-local, firewall, portmap), which must be installed in the client's "
            + "cni_path (default /opt/cni/bin); a client without them cannot place bridge jobs.\n\n"
            + "network: host runs every task on the node's network, for clusters without CNI plugins: every port is static and "
            + "unique on the node (fleet validation checks it), PostgreSQL listens on its own postgres.port and only on 127.0.0.1 "
            + "unless a periodic backup must reach it, and every Docker task gets network_mode = \"host\" (without it Docker "
            + "puts each container on its default bridge, where 127.0.0.1 is the container's own). kind: shared-postgres takes "
            + "network too."),
    };

    public int Execute(string? code)
    {
        if (code is null)
        {
            foreach (var (key, (title, _)) in ErrorCodes.Explanations.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                console.Out.WriteLine($"{key}  {title}");
            }

            foreach (var (key, (title, _)) in Topics)
            {
                console.Out.WriteLine($"{key}  {title}");
            }

            return ExitCodes.Ok;
        }

        if (Topics.TryGetValue(code.Trim().ToLowerInvariant(), out var topic))
        {
            console.Out.WriteLine($"{code.Trim().ToLowerInvariant()}: {topic.Title}");
            console.Out.WriteLine();
            console.Out.WriteLine(topic.Help);
            return ExitCodes.Ok;
        }

        if (!ErrorCodes.Explanations.TryGetValue(code.Trim().ToUpperInvariant(), out var explanation))
        {
            console.Error.WriteLine($"error NDB090: unknown error code '{code}'; `nomad-db explain` lists them");
            return ExitCodes.Usage;
        }

        console.Out.WriteLine($"{code.Trim().ToUpperInvariant()}: {explanation.Title}");
        console.Out.WriteLine();
        console.Out.WriteLine(explanation.Help);
        return ExitCodes.Ok;
    }
}

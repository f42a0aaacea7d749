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
        ["exit-codes"] = (
            "what each exit code means",
            "0 ok; 1 invalid input (a spec has errors, or Nomad's errors with validate --server; nothing written); 2 usage "
            + "(including a NOMAD_* setting or connection flag that cannot be used); 3 stale output (check); 4 data-loss risk "
            + "(plan, run without --accept-risk); 5 Nomad unreachable, timed out or an API error (one line, never the token); "
            + "6 placement failure: Nomad cannot place an allocation (plan; run without --allow-placement-failures; run --wait "
            + "when the evaluation could not place); 7 the evaluation or deployment failed (run --wait) or a job needs attention "
            + "(status); 8 run --wait gave up after --wait-timeout (Nomad goes on with the deployment).\n\n"
            + "When plan finds several things, a data-loss risk (4) wins over a placement failure (6); run --wait reports a failure "
            + "(7) before a placement failure (6) before a timeout (8).\n\n"
            + "plan --detailed-exitcode uses nomad job plan's codes instead, so scripts written for it keep working: 0 no allocation "
            + "is created, stopped or replaced; 1 allocations change (Nomad's rule: a diff, and Place+Stop+Migrate+"
            + "DestructiveUpdate+Canary > 0 in some group); 255 anything else, including a data-loss risk or a placement failure "
            + "(nomad job plan has no code for those, and a script must not take them for \"changes, go ahead\")."),
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

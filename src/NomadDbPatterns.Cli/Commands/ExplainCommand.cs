using System.CommandLine;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db explain [CODE | TOPIC | preset [NAME]]</c>: what an error code means and how to fix it, a topic, a preset.</summary>
internal sealed class ExplainCommand(CliConsole console)
{
    public Command Build()
    {
        var topic = new Argument<string[]>("topic")
        {
            Description = "An error code such as NDB020, a topic (network), or `preset [NAME]`; omit to list all",
            Arity = new ArgumentArity(0, 2),
        };
        var command = new Command("explain", "Explain an error code, a topic or a preset.\n\nExamples:\n  nomad-db explain NDB020\n  nomad-db explain network\n  nomad-db explain preset authelia\n  nomad-db explain preset\n  nomad-db explain") { topic };
        command.SetAction(parse => Execute(parse.GetValue(topic) ?? []));
        return command;
    }

    public int Execute(IReadOnlyList<string> words)
    {
        if (words.Count > 0 && string.Equals(words[0].Trim(), PresetTopic, StringComparison.OrdinalIgnoreCase))
        {
            return words.Count == 1 ? ListPresets() : ExplainPreset(words[1].Trim());
        }

        if (words.Count > 1)
        {
            console.Error.WriteLine($"error NDB090: `explain` takes one code or topic, or `preset NAME`; `nomad-db explain` lists them");
            return ExitCodes.Usage;
        }

        return Execute(words.Count == 0 ? null : words[0]);
    }

    private const string PresetTopic = "preset";

    private int ListPresets()
    {
        var width = PresetCatalog.Names.Max(n => n.Length);
        foreach (var name in PresetCatalog.Names)
        {
            console.Out.WriteLine($"{name.PadRight(width)}  {PresetCatalog.Describe(name)!.Description}");
        }

        console.Out.WriteLine();
        console.Out.WriteLine("nomad-db explain preset NAME: its notes and the secrets its job reads; nomad-db init --preset NAME: a starter spec.");
        return ExitCodes.Ok;
    }

    private int ExplainPreset(string name)
    {
        if (PresetCatalog.Describe(name) is not { } preset)
        {
            console.Error.WriteLine($"error NDB090: unknown preset '{Validation.Echo.Value(name)}'; known presets: {string.Join(", ", PresetCatalog.Names)}");
            return ExitCodes.Usage;
        }

        console.Out.WriteLine($"preset {preset.Name}: {preset.Description}");
        console.Out.WriteLine($"database: {(preset.UsesPostgres ? "a dedicated PostgreSQL sidecar" : "SQLite on a host volume (no PostgreSQL)")}");
        if (preset.Image is { } image)
        {
            console.Out.WriteLine($"image: {image}");
        }

        console.Out.WriteLine();
        PresetText.WriteSecrets(console.Out, preset, "<job>");
        if (preset.Notes.Count > 0)
        {
            console.Out.WriteLine();
            console.Out.WriteLine("Notes:");
            foreach (var note in preset.Notes)
            {
                console.Out.WriteLine($"  - {note}");
            }
        }

        console.Out.WriteLine();
        console.Out.WriteLine("Every key the preset sets can be overridden in the spec, or removed with `~` (README: Presets).");
        return ExitCodes.Ok;
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
            + "unless it is registered (postgres.service) or a periodic backup must reach it, and every Docker task gets network_mode = \"host\" (without it Docker "
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

    private int Execute(string? code)
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

            console.Out.WriteLine($"{PresetTopic}  the presets, their notes and the secrets their jobs read (nomad-db explain preset [NAME])");

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

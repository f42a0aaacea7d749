using System.CommandLine;
using NomadDbPatterns.Nomad;
using NomadDbPatterns.Secrets;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// <c>nomad-db secrets check|generate SPECS...</c>: the secrets every job reads (the database password, what the app's
/// templates look up, what a preset declares), checked against Nomad Variables by name and filled in with random
/// values where nomad-db knows how. Values are never printed; Vault secrets are listed with the command that stores
/// them, since nomad-db does not talk to Vault.
/// </summary>
internal sealed class SecretsCommand(CliConsole console)
{
    public Command Build()
    {
        var command = new Command("secrets", "Check that the secrets the jobs read are stored, and generate the missing ones")
        {
            BuildCheck(), BuildGenerate(),
        };
        return command;
    }

    private Command BuildCheck()
    {
        var connection = new NomadConnection();
        var specs = Shared.SpecsArgument();
        var command = new Command("check",
            "List every secret the jobs read — the database password, the keys the app's templates look up, the secrets a preset declares — "
            + "and ask Nomad which of the Nomad Variable items exist (values are read by Nomad's API but never printed). "
            + "Vault secrets are listed with the `vault kv` command that stores them: nomad-db does not talk to Vault. "
            + $"Reads {NomadConnection.VariablesHelp}; the flags below override them.\n\n"
            + "Exit codes: 0 every Nomad Variable item is stored, 7 an item is missing or empty, 1 invalid spec, 2 usage, 5 Nomad unreachable or an API error "
            + "(e.g. a token without variables read).\n\n"
            + "Examples:\n  nomad-db secrets check specs/\n  nomad-db secrets check specs/authelia.yaml --namespace apps")
        {
            specs,
        };
        connection.AddTo(command);
        command.SetAction((parse, cancel) => RunAsync(parse, connection, parse.GetValue(specs)!, generate: false, dryRun: true, cancel));
        return command;
    }

    private Command BuildGenerate()
    {
        var connection = new NomadConnection();
        var specs = Shared.SpecsArgument();
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be generated; write nothing" };
        var command = new Command("generate",
            "Store a random value for every missing Nomad Variable item that nomad-db knows how to make (the database password, "
            + "and the secrets presets declare with a recipe such as $(openssl rand -hex 32)); existing values are never replaced "
            + "(check-and-set writes keep other items). Items only a person can supply, and Vault secrets, are listed with the "
            + "command that stores them, without values.\n\n"
            + "Exit codes: 0 nothing is missing any more, 7 items remain that only a person can supply, 1 invalid spec, 2 usage, 5 Nomad unreachable or an API error.\n\n"
            + "Examples:\n  nomad-db secrets generate specs/ --dry-run\n  nomad-db secrets generate specs/authelia.yaml")
        {
            specs, dryRun,
        };
        connection.AddTo(command);
        command.SetAction((parse, cancel) => RunAsync(parse, connection, parse.GetValue(specs)!, generate: true, parse.GetValue(dryRun), cancel));
        return command;
    }

    private Task<int> RunAsync(ParseResult parse, NomadConnection connection, IReadOnlyList<string> specs, bool generate, bool dryRun, CancellationToken cancellationToken) =>
        NomadJobs.WithNomadAsync(console, specs, () => connection.Client(parse, console), async (client, jobs, _) =>
        {
            var missing = 0;
            var generated = 0;
            foreach (var job in jobs.Where(j => j.Secrets.Count > 0))
            {
                console.Out.WriteLine($"{job.Id}:");
                foreach (var group in job.Secrets.GroupBy(s => (s.Store, s.Path, s.Namespace)))
                {
                    var (left, made) = group.Key.Store == SecretStore.Vault
                        ? (ReportVault(group.Key.Path, [.. group]), 0)
                        : await VariableAsync(client, group.Key.Path, group.Key.Namespace, [.. group], generate, dryRun, cancellationToken);
                    missing += left;
                    generated += made;
                }
            }

            return Summary(jobs.Count, missing, generated, generate, dryRun);
        });

    /// <summary>Vault is not asked: lists the fields and the command that stores them.</summary>
    private int ReportVault(string path, IReadOnlyList<RequiredSecret> secrets)
    {
        console.Out.WriteLine($"  vault {path} (not checked: nomad-db does not talk to Vault)");
        foreach (var secret in secrets)
        {
            console.Out.WriteLine($"    {secret.Key ?? "(keys not recognised)",-28} {secret.Purpose}");
        }

        var keys = secrets.Select(s => s.Key).OfType<string>().ToList();
        if (keys.Count > 0)
        {
            console.Out.WriteLine($"    store: {JobSecrets.VaultCommand(path, keys)}   (vault kv put … for a new secret)");
        }

        return 0;
    }

    private async Task<(int Missing, int Generated)> VariableAsync(NomadClient client, string path, string? @namespace, IReadOnlyList<RequiredSecret> secrets,
        bool generate, bool dryRun, CancellationToken cancellationToken)
    {
        var variable = await client.GetVariableAsync(path, @namespace, cancellationToken);
        var present = variable?.Items.Where(i => i.Value.Length > 0).Select(i => i.Key).ToHashSet(StringComparer.Ordinal) ?? [];
        var where = $"{path}{(@namespace is null ? "" : $" (namespace {@namespace})")}";
        console.Out.WriteLine($"  nomad var {where}{(variable is null ? ": does not exist" : "")}");
        var absent = secrets.Where(s => s.Key is null ? variable is null : !present.Contains(s.Key)).ToList();
        var makeable = generate ? absent.Where(s => s.Key is not null && SecretRecipe.CanFollow(s.Recipe)).ToList() : [];
        IReadOnlyList<string> written = [];
        if (makeable.Count > 0 && !dryRun)
        {
            var values = makeable.ToDictionary(s => s.Key!, s => SecretRecipe.Generate(s.Recipe!), StringComparer.Ordinal);
            written = await client.AddMissingVariableItemsAsync(path, @namespace, values, cancellationToken);
        }

        var missing = 0;
        foreach (var secret in secrets)
        {
            var state = !absent.Contains(secret) ? "ok"
                : written.Contains(secret.Key!) ? "generated"
                : dryRun && makeable.Contains(secret) ? "would generate"
                : makeable.Contains(secret) ? "ok (stored meanwhile)"
                : "missing";
            missing += state == "missing" ? 1 : 0;
            console.Out.WriteLine($"    {secret.Key ?? "(keys not recognised)",-28} {state,-15} {secret.Purpose}");
        }

        var manual = absent.Where(s => s.Key is not null && !makeable.Contains(s)).Select(s => s.Key!).ToList();
        if (manual.Count > 0)
        {
            // nomad var put replaces every item: piping the current variable in keeps the others (and its index for check-and-set).
            var ns = @namespace is null ? "" : $" -namespace {@namespace}";
            var assignments = string.Join(' ', manual.Select(k => $"{k}=<value>"));
            console.Out.WriteLine(variable is null && written.Count == 0
                ? $"    store: nomad var put{ns} {path} {assignments}"
                : $"    store: nomad var get{ns} -out json {path} | nomad var put{ns} -in json - {assignments}");
            if (!generate && secrets.Any(s => absent.Contains(s) && SecretRecipe.CanFollow(s.Recipe)))
            {
                console.Out.WriteLine("    or let `nomad-db secrets generate` make the ones it knows how to");
            }
        }

        return (missing, dryRun ? makeable.Count : written.Count);
    }

    private int Summary(int jobs, int missing, int generated, bool generate, bool dryRun)
    {
        var made = !generate ? string.Empty : dryRun ? $"; {generated} would be generated (dry run: nothing written)" : $"; {generated} generated";
        if (missing > 0)
        {
            console.Error.WriteLine($"{missing} secret item(s) missing{(generate ? " that only a person can supply" : "")}{made}.");
            return ExitCodes.Unhealthy;
        }

        console.Info(dryRun && generated > 0
            ? $"{jobs} job(s): nothing missing that nomad-db cannot generate{made}"
            : $"{jobs} job(s): every Nomad Variable item is stored{made}");
        return ExitCodes.Ok;
    }
}

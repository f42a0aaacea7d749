using System.CommandLine;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db render SPECS... -o DIR [--format hcl|json]</c>: validate every spec, then write one job file per job atomically.</summary>
internal sealed class RenderCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = Shared.SpecsArgument();
        var output = new Option<string>("--output", "-o") { Description = "Directory to write the job files into; '-' prints the one job file the specs render to stdout (nothing else is written)", Required = true };
        var templates = Shared.TemplatesOption();
        var lockFile = Shared.LockOption("Volume lock to check and update (default: OUTPUT/nomad-db.lock)");
        var format = new Option<string>("--format")
        {
            Description = "hcl: <job>.nomad.hcl jobspec files; json: <job>.nomad.json, the JSON job of Nomad's HTTP API ({\"Job\": ...})",
            DefaultValueFactory = _ => "hcl",
        };
        format.AcceptOnlyFromAmong("hcl", "json");
        var prune = new Option<bool>("--prune")
        {
            Description = "Also remove generated files in OUTPUT that no spec renders any more (a deleted spec's job, volume and policy files; recognised by name and header; nomad-db.lock is kept), in the same atomic step",
        };
        var command = new Command("render", "Render specs into Nomad job files (one <job>.nomad.hcl, or with --format json one <job>.nomad.json, per job; beside each job what provisions its host volumes (<job>.<volume>.volume.hcl for `nomad volume create`, or <job>.client.hcl) and the ACL/Vault policies it needs (<job>.policy.hcl, <job>.vault-policy.hcl); and nomad-db-scripts.nv.hcl: the backup scripts as the Nomad Variable nomad/jobs, once per namespace, to publish with `nomad var put @FILE` before the jobs); writes nothing if any spec is invalid.\n\nExamples:\n  nomad-db render examples -o out\n  nomad-db render specs/gitea.yaml specs/grafana.yaml -o jobs/\n  nomad-db render specs -o api-jobs --format json\n  nomad-db render specs/gitea.yaml -o - | less")
        {
            specs, output, templates, lockFile, format, prune,
        };
        command.SetAction(parse => Execute(parse.GetValue(specs)!, parse.GetValue(output)!, parse.GetValue(templates), parse.GetValue(lockFile), parse.GetValue(format) == "json" ? JobFormat.Json : JobFormat.Hcl, parse.GetValue(prune)));
        return command;
    }

    public int Execute(IReadOnlyList<string> specs, string output, string? templatesDirectory, string? lockPath, JobFormat format, bool prune = false)
    {
        var templates = templatesDirectory is null ? null : TemplateSet.WithOverrides(templatesDirectory);
        if (output == "-")
        {
            return ToStdout(specs, templates, lockPath, format);
        }

        var result = NomadDb.RenderToDirectory(specs, output, new RenderOptions { Templates = templates, LockPath = lockPath ?? Path.Combine(output, VolumeLock.FileName), Format = format, Prune = prune });
        Shared.Print(console, result.Diagnostics);
        if (!result.Success)
        {
            return Shared.Summarize(console, result.Diagnostics);
        }

        foreach (var file in result.FileNames)
        {
            console.Detail($"wrote {Path.Combine(output, file)}");
        }

        foreach (var file in result.Removed)
        {
            console.Info($"removed {Path.Combine(output, file)} (no spec renders it any more)");
        }

        console.Info($"rendered {result.FileNames.Count} file(s) into {output}{(result.Removed.Count > 0 ? $", removed {result.Removed.Count}" : string.Empty)}");
        return ExitCodes.Ok;
    }

    /// <summary><c>-o -</c>: the one job file of the specs on stdout, as <c>nomad job run -</c> reads it; nothing on disk.</summary>
    private int ToStdout(IReadOnlyList<string> specs, TemplateSet? templates, string? lockPath, JobFormat format)
    {
        var result = NomadDb.Render(specs, new RenderOptions { Templates = templates, LockPath = lockPath, Format = format });
        Shared.Print(console, result.Diagnostics);
        if (!result.Success)
        {
            return Shared.Summarize(console, result.Diagnostics);
        }

        var jobs = result.Files.Where(f => f.FileName.EndsWith(format == JobFormat.Json ? ".nomad.json" : ".nomad.hcl", StringComparison.Ordinal)).ToList();
        if (jobs.Count != 1)
        {
            console.Error.WriteLine($"error NDB090: -o - prints one job file, but the specs render {jobs.Count} ({string.Join(", ", jobs.Select(j => j.FileName))}); give a directory");
            return ExitCodes.Usage;
        }

        console.Out.Write(jobs[0].Content);
        return ExitCodes.Ok;
    }
}

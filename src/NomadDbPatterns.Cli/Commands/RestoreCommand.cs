using System.CommandLine;
using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// <c>nomad-db restore SPECS --job NAME [--from latest|FILE] [--into new-volume|in-place] -o DIR</c>: a one-shot,
/// verified restore job for a service's database from its backups, with a runbook.
/// </summary>
internal sealed class RestoreCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = new Argument<string[]>("specs") { Description = "Spec files or directories holding the job", Arity = ArgumentArity.OneOrMore };
        var job = new Option<string>("--job", "-j") { Description = "The job whose database is restored", Required = true };
        var from = new Option<string>("--from") { Description = "latest (the newest good backup), offsite (the newest good backup of the newest offsite copy, fetched with restic) or a backup's file name on the backup volume", DefaultValueFactory = _ => RestoreOptions.Latest };
        var into = new Option<string>("--into") { Description = "new-volume (a new, empty data volume; the job switches when you say so) or in-place (replaces the database; the app must be stopped)", DefaultValueFactory = _ => "new-volume" };
        into.AcceptOnlyFromAmong("new-volume", "in-place");
        var until = new Option<string?>("--until") { Description = "Point-in-time restore (backup.pitr): latest (everything archived) or a moment such as 2026-12-04T13:05:00Z, from the base backups and the WAL archive onto a new volume" };
        var output = new Option<string>("--output", "-o") { Description = "Directory to write the restore job, its script variable, the new volume's specification and RUNBOOK.md into", Required = true };
        var templates = Shared.TemplatesOption();
        var command = new Command("restore", "Restore a service's database from its backups: a one-shot job that checks the backup's checksum, restores it and compares every table's row count with the backup's manifest, and RUNBOOK.md.\n\nExamples:\n  nomad-db restore examples/myservice.yaml --job myservice -o restore/myservice\n  nomad-db restore specs --job gitea --from gitea-20261204T023000Z.dump --into in-place -o restore/gitea\n  nomad-db restore specs --job gitea --until 2026-12-04T13:05:00Z -o restore/gitea")
        {
            specs, job, from, into, until, output, templates,
        };
        command.SetAction(parse => Execute(parse.GetValue(specs)!, parse.GetValue(job)!, parse.GetValue(from)!, parse.GetValue(into)!, parse.GetValue(output)!, parse.GetValue(templates), parse.GetValue(until)));
        return command;
    }

    public int Execute(string[] specs, string jobName, string from, string into, string output, string? templatesDirectory, string? until = null)
    {
        PointInTime? pointInTime = null;
        if (until is not null && (pointInTime = PointInTime.Parse(until)) is null)
        {
            console.Error.WriteLine($"error NDB006: --until '{until}' is neither `latest` nor a time with its offset, such as 2026-12-04T13:05:00Z; nothing was written");
            return ExitCodes.InvalidInput;
        }

        var loaded = SpecLoader.LoadFiles(SpecLoader.ExpandInputs(specs));
        var diagnostics = loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).ToList();
        Shared.Print(console, diagnostics);
        if (diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return Shared.Summarize(console, diagnostics);
        }

        var job = loaded.Jobs.SingleOrDefault(j => j.Job.Name == jobName);
        if (job is null)
        {
            console.Error.WriteLine($"error NDB090: no service job named '{jobName}' in {string.Join(", ", specs)}");
            return ExitCodes.InvalidInput; // an unknown job is bad input, like a spec error
        }

        var target = into == "in-place" ? RestoreTarget.InPlace : RestoreTarget.NewVolume;
        var plan = Restore.Plan(job.Job, new RestoreOptions
        {
            From = from,
            Into = target,
            Until = pointInTime,
            SourceName = Path.GetFileName(job.File),
            Templates = templatesDirectory is null ? null : TemplateSet.WithOverrides(templatesDirectory),
        });
        var located = Shared.Located(plan.Diagnostics, job);
        Shared.Print(console, located);
        if (!plan.Success)
        {
            return Shared.Summarize(console, located);
        }

        OutputWriter.WriteAll(output, plan.Files);
        foreach (var file in plan.Files)
        {
            console.Detail($"wrote {Path.Combine(output, file.FileName)}");
        }

        if (target == RestoreTarget.InPlace)
        {
            var what = job.Job.Sqlite is { } sqlite ? $"SQLite database \"{sqlite.File}\"" : $"database \"{job.Job.DatabaseName()}\"";
            console.Error.WriteLine($"warning: an in-place restore replaces {what} of job \"{jobName}\": stop the job first (RUNBOOK.md, step 2)");
        }

        console.Info($"wrote {plan.Files.Count} file(s) into {output}; follow {Path.Combine(output, Restore.RunbookFileName)}");
        return ExitCodes.Ok;
    }
}

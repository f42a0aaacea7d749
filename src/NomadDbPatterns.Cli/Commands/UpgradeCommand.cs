using System.CommandLine;
using NomadDbPatterns.Model;
using NomadDbPatterns.Recovery;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// <c>nomad-db upgrade SPECS --job NAME --to MAJOR -o DIR</c>: the two one-shot jobs of a PostgreSQL major upgrade
/// (dump with the new major's pg_dump, restore into the new major on a new volume, verified) and a runbook;
/// <c>--switch</c> then points the spec at the new major and volume.
/// </summary>
internal sealed class UpgradeCommand(CliConsole console)
{
    public Command Build()
    {
        var specs = new Argument<string[]>("specs") { Description = "Spec files or directories holding the job", Arity = ArgumentArity.OneOrMore };
        var job = new Option<string>("--job", "-j") { Description = "The job whose PostgreSQL is upgraded", Required = true };
        var to = new Option<int>("--to") { Description = "The new PostgreSQL major", Required = true };
        var image = new Option<string?>("--image") { Description = "The new major's image, when the spec names its image (postgres.image); its tag must show the new major" };
        var output = new Option<string?>("--output", "-o") { Description = "Directory to write the dump and restore jobs, the restore script's variable, the new volume's specification and RUNBOOK.md into" };
        var switchSpec = new Option<bool>("--switch") { Description = "After the upgrade jobs succeeded (RUNBOOK.md, step 5): set postgres.version (and postgres.image) and postgres.volume in the job's spec file, in place" };
        var templates = Shared.TemplatesOption();
        var command = new Command("upgrade", "Upgrade a service's PostgreSQL to a new major: a one-shot job dumps the database with the new major's pg_dump, a second restores it into the new major on a new volume and compares every table's row count with the dump's manifest; RUNBOOK.md says each step and the way back (the old volume is kept).\n\nExamples:\n  nomad-db upgrade examples/myservice.yaml --job myservice --to 18 -o upgrade/myservice\n  nomad-db upgrade examples/myservice.yaml --job myservice --to 18 --switch")
        {
            specs, job, to, image, output, switchSpec, templates,
        };
        command.SetAction(parse => Execute(parse.GetValue(specs)!, parse.GetValue(job)!, parse.GetValue(to), parse.GetValue(image), parse.GetValue(output), parse.GetValue(switchSpec), parse.GetValue(templates)));
        return command;
    }

    public int Execute(string[] specs, string jobName, int to, string? image, string? output, bool switchSpec, string? templatesDirectory)
    {
        if (switchSpec == (output is not null))
        {
            console.Error.WriteLine("error: give -o DIR (write the upgrade jobs) or --switch (point the spec at the new major), one of the two");
            return ExitCodes.Usage;
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
            return ExitCodes.InvalidInput;
        }

        var plan = Upgrade.Plan(job.Job, new UpgradeOptions(to)
        {
            Image = image,
            SourceName = Path.GetFileName(job.File),
            Templates = templatesDirectory is null ? null : TemplateSet.WithOverrides(templatesDirectory),
        });
        var located = Shared.Located(plan.Diagnostics, job);
        Shared.Print(console, located);
        if (!plan.Success)
        {
            return Shared.Summarize(console, located);
        }

        return switchSpec ? Switch(job, plan, image) : Write(plan, output!);
    }

    private int Write(UpgradePlan plan, string output)
    {
        OutputWriter.WriteAll(output, plan.Files);
        foreach (var file in plan.Files)
        {
            console.Detail($"wrote {Path.Combine(output, file.FileName)}");
        }

        console.Info($"wrote {plan.Files.Count} file(s) into {output}; follow {Path.Combine(output, Restore.RunbookFileName)} (PostgreSQL {plan.From} → {plan.To}, new volume {plan.NewVolume})");
        return ExitCodes.Ok;
    }

    /// <summary>Edits the spec file in place, after checking that the edited text gives exactly the upgraded job.</summary>
    private int Switch(LoadedJob job, UpgradePlan plan, string? image)
    {
        var text = File.ReadAllText(job.File);
        List<(string Key, string Value)> values = [("version", plan.To.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        if (image is not null)
        {
            values.Add(("image", Legacy.SpecYaml.Str(image)));
        }

        values.Add(("volume", Legacy.SpecYaml.Str(plan.NewVolume!)));
        var (edited, error) = SpecEdit.SetPostgres(text, job.Job.Name, values);
        if (edited is null)
        {
            console.Error.WriteLine($"error {ErrorCodes.InvalidValue}: {job.File}: {error}; the file is unchanged");
            return ExitCodes.InvalidInput;
        }

        var reloaded = SpecLoader.LoadText(edited, job.File, new FleetDefaults.Cache().For(job.File).Defaults);
        var switched = reloaded.Jobs.SingleOrDefault(j => j.Job.Name == job.Job.Name)?.Job;
        if (!reloaded.Success || switched?.Postgres is not { } pg || pg.Version != plan.To || switched.DataVolumeSource() != plan.NewVolume || pg.ImageReference != plan.NewImage)
        {
            Shared.Print(console, reloaded.Diagnostics);
            console.Error.WriteLine($"error {ErrorCodes.InvalidValue}: {job.File}: the edited spec does not give PostgreSQL {plan.To} ({plan.NewImage}) on volume {plan.NewVolume}; the file is unchanged");
            return ExitCodes.InvalidInput;
        }

        NomadDb.ReplaceFile(job.File, edited);
        console.Info($"{job.File}: postgres.version {plan.From} → {plan.To}, postgres.volume {plan.OldVolume} → {plan.NewVolume}; render and run (RUNBOOK.md, step 5)");
        return ExitCodes.Ok;
    }
}

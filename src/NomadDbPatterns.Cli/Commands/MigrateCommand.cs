using System.CommandLine;
using NomadDbPatterns.Legacy;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// <c>nomad-db migrate SPEC --service NAME -o DIR</c>: everything needed to move one service off the legacy shared
/// PostgreSQL; <c>nomad-db migrate SPEC --plan</c>: every service in migration order with what each step would do.
/// </summary>
internal sealed class MigrateCommand(CliConsole console)
{
    public Command Build()
    {
        var spec = new Argument<string>("spec") { Description = "The shared instance's spec (kind: shared-postgres)" };
        var service = new Option<string?>("--service", "-s") { Description = "The service to migrate: the `service:` of one of its databases" };
        var dedicated = new Option<string?>("--dedicated") { Description = "The dedicated job's spec (one service job with `postgres:`), for an app without a preset; default: written from the database's preset" };
        var output = new Option<string?>("--output", "-o") { Description = "Directory to write the dedicated job, the migration job, the shared spec without the database, and RUNBOOK.md into" };
        var plan = new Option<bool>("--plan") { Description = "List every service on the shared instance in migration order with what each step would do; writes nothing" };
        var job = new Option<string?>("--job") { Description = "The shared instance's job name, when the spec file holds several" };
        var templates = Shared.TemplatesOption();
        var command = new Command("migrate", "Carry one service off the legacy shared PostgreSQL (dedicated job, one-shot verified migration job, shared spec without the database, RUNBOOK.md), or list the migration order.\n\nExamples:\n  nomad-db migrate examples/legacy/postgresql.yaml --plan\n  nomad-db migrate examples/legacy/postgresql.yaml --service speedtest-tracker -o migrate/speedtest-tracker")
        {
            spec, service, output, plan, job, templates, dedicated,
        };
        command.SetAction(parse => Execute(parse.GetValue(spec)!, parse.GetValue(service), parse.GetValue(output), parse.GetValue(plan), parse.GetValue(job), parse.GetValue(templates), parse.GetValue(dedicated)));
        return command;
    }

    public int Execute(string specFile, string? service, string? output, bool plan, string? jobName, string? templatesDirectory, string? dedicatedSpec = null)
    {
        if (plan == (service is not null) || (service is not null && output is null) || (plan && output is not null) || (plan && dedicatedSpec is not null))
        {
            console.Error.WriteLine("error NDB090: give either --plan, or --service NAME with -o DIR (and --dedicated SPEC for an app without a preset)");
            console.Error.WriteLine("Run 'nomad-db migrate --help' for usage.");
            return ExitCodes.Usage;
        }

        var loaded = SpecLoader.LoadFiles([specFile]);
        var diagnostics = loaded.Diagnostics.Concat(NomadDb.ValidateShared(loaded.SharedInstances)).ToList();
        Shared.Print(console, diagnostics);
        if (diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return Shared.Summarize(console, diagnostics);
        }

        var candidates = loaded.SharedInstances.Where(s => jobName is null || s.Job.Name == jobName).ToList();
        if (candidates.Count != 1)
        {
            console.Error.WriteLine(candidates.Count == 0
                ? $"error NDB090: {specFile} holds no shared instance (kind: shared-postgres){(jobName is null ? string.Empty : $" named '{jobName}'")}"
                : $"error NDB090: {specFile} holds {candidates.Count} shared instances; choose one with --job");
            return ExitCodes.Usage;
        }

        var shared = candidates[0];
        string? dedicatedText = null;
        if (dedicatedSpec is not null)
        {
            var (text, error) = SpecInputs.Read(dedicatedSpec);
            if (text is null)
            {
                Shared.Print(console, [error!]);
                return Shared.Summarize(console, [error!]);
            }

            dedicatedText = text;
        }

        // The dedicated job is read with the fleet defaults of the directory its spec lives in (or the shared spec's).
        var defaultsDiagnostics = new List<Diagnostic>();
        var defaults = FleetDefaults.Locate(dedicatedSpec ?? specFile) is { } defaultsFile ? FleetDefaults.Load(defaultsFile, defaultsDiagnostics) : null;
        if (defaultsDiagnostics.Count > 0)
        {
            Shared.Print(console, defaultsDiagnostics);
            if (defaultsDiagnostics.Any(d => d.Severity == Severity.Error))
            {
                return Shared.Summarize(console, defaultsDiagnostics);
            }
        }

        var options = new MigrationOptions
        {
            DedicatedSpecText = dedicatedText,
            DedicatedSpecName = dedicatedSpec is null ? null : Path.GetFileName(dedicatedSpec),
            Defaults = defaults,
            SharedSpecName = Path.GetFileName(specFile),
            SharedSpecText = File.ReadAllText(specFile),
            SharedSpecBasePath = shared.BasePath,
            Templates = templatesDirectory is null ? null : TemplateSet.WithOverrides(templatesDirectory),
        };
        if (plan)
        {
            console.Out.Write(Migration.DescribePlan(shared.Job, options));
            return ExitCodes.Ok;
        }

        var result = Migration.Plan(shared.Job, service!, options);
        var located = Shared.Located(result.Diagnostics, shared);
        Shared.Print(console, located);
        if (!result.Success)
        {
            return Shared.Summarize(console, located);
        }

        OutputWriter.WriteAll(output!, result.Files);
        foreach (var file in result.Files)
        {
            console.Detail($"wrote {Path.Combine(output!, file.FileName)}");
        }

        console.Info($"wrote {result.Files.Count} file(s) into {output}; follow {Path.Combine(output!, Migration.RunbookFileName)}");
        return ExitCodes.Ok;
    }
}

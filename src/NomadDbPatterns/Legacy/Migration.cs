using System.Text;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Legacy;

/// <summary>How to plan a migration.</summary>
public sealed record MigrationOptions
{
    /// <summary>The shared instance's spec as named in headers and the runbook (default <c>&lt;job&gt;.yaml</c>).</summary>
    public string? SharedSpecName { get; init; }

    /// <summary>
    /// The shared instance's spec text. When given, the spec without the database is this text with the database's
    /// entries cut out (comments and layout kept); otherwise it is written from the model.
    /// </summary>
    public string? SharedSpecText { get; init; }

    /// <summary>Path of the shared instance in <see cref="SharedSpecText"/> (<c>jobs[2]</c>, or empty for a single-job file).</summary>
    public string SharedSpecBasePath { get; init; } = string.Empty;

    /// <summary>Template overrides, or null for the embedded templates.</summary>
    public TemplateSet? Templates { get; init; }

    /// <summary>
    /// The user's spec of the dedicated job (one service job with a PostgreSQL database), for an app without a preset or
    /// a job the user writes; null to write it from the database's preset.
    /// </summary>
    public string? DedicatedSpecText { get; init; }

    /// <summary>The file name of <see cref="DedicatedSpecText"/> in headers and the runbook (default <c>&lt;service&gt;.yaml</c>).</summary>
    public string? DedicatedSpecName { get; init; }

    /// <summary>The fleet defaults the dedicated job's spec is read with (those of the directory it goes to), or null.</summary>
    internal FleetDefaults? Defaults { get; init; }
}

/// <summary>One service of the shared instance in migration order.</summary>
/// <param name="Rank">1-based position in the order.</param>
/// <param name="Database">The database.</param>
/// <param name="Priority">Why it has its place: the guide's priority, or "then the rest".</param>
public sealed record MigrationCandidate(int Rank, SharedDatabase Database, string Priority);

/// <summary>Everything <c>nomad-db migrate</c> writes for one service, or why it cannot.</summary>
/// <param name="Service">The service: the <c>service:</c> of its database on the shared instance.</param>
/// <param name="Files">The files to write into the output directory (empty when there is an error).</param>
/// <param name="Diagnostics">Errors that prevent the migration.</param>
public sealed record MigrationPlan(string Service, IReadOnlyList<RenderedFile> Files, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when there is no error.</summary>
    public bool Success => Diagnostics.All(d => d.Severity != Severity.Error);

    /// <summary>The database being moved, or null when the service has none on the shared instance.</summary>
    public SharedDatabase? Database { get; init; }

    /// <summary>The dedicated job, or null on error.</summary>
    public ServiceJob? DedicatedJob { get; init; }

    /// <summary>The shared instance without the database, or null when it was the last one (or on error).</summary>
    public SharedPostgresJob? SharedAfter { get; init; }

    /// <summary>The migration job's name: the dedicated job's, with <c>-migrate</c>.</summary>
    public string MigrationJobName => $"{DedicatedJob?.Name ?? Service}-migrate";
}

/// <summary>
/// Carries services off the legacy shared PostgreSQL one at a time: the dedicated job, a one-shot verified migration
/// job, the shared instance without the database, and a runbook with every command in order.
/// </summary>
public static class Migration
{
    /// <summary>The guide's migration priority (by service): standalone and easy first, high complexity last.</summary>
    public static IReadOnlyList<string> GuidePriority { get; } = ["speedtest-tracker", "freshrss", "vaultwarden", "grafana", "authelia", "gitea"];

    /// <summary>The runbook's file name.</summary>
    public const string RunbookFileName = "RUNBOOK.md";

    /// <summary>The databases of <paramref name="shared"/> in migration order: the guide's priority, then the rest by service, then those without a service.</summary>
    public static IReadOnlyList<MigrationCandidate> Order(SharedPostgresJob shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        var ordered = shared.Databases
            .OrderBy(d => d.Service is null ? int.MaxValue : GuideRank(d.Service) ?? GuidePriority.Count)
            .ThenBy(d => d.Service ?? d.Name, StringComparer.Ordinal)
            .ToList();
        return [.. ordered.Select((d, i) => new MigrationCandidate(
            i + 1,
            d,
            d.Service is null ? "no service" : GuideRank(d.Service) is { } rank ? $"guide priority {rank + 1}" : "then the rest"))];
    }

    private static int? GuideRank(string service)
    {
        for (var i = 0; i < GuidePriority.Count; i++)
        {
            if (GuidePriority[i] == service)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Plans the migration of <paramref name="service"/> (the <c>service:</c> of one database) off <paramref name="shared"/>.</summary>
    public static MigrationPlan Plan(SharedPostgresJob shared, string service, MigrationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentNullException.ThrowIfNull(service);
        options ??= new MigrationOptions();
        var templates = options.Templates ?? TemplateSet.Embedded;
        var specName = options.SharedSpecName ?? $"{shared.Name}.yaml";

        var invalid = NomadDb.ValidateShared([shared]).Where(d => d.Severity == Severity.Error).ToList();
        if (invalid.Count > 0)
        {
            return new MigrationPlan(service, [], invalid);
        }

        var matches = shared.Databases.Where(d => d.Service == service).ToList();
        if (matches.Count != 1)
        {
            var known = shared.Databases.Where(d => d.Service is not null).Select(d => d.Service!).ToList();
            var message = matches.Count == 0
                ? $"no database of the shared instance \"{shared.Name}\" names service '{service}'; services: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}"
                : $"{matches.Count} databases of the shared instance name service '{service}'; give each database its own service";
            return Failure(service, ErrorCodes.Usage, message, "databases");
        }

        var database = matches[0];
        var index = shared.Databases.IndexOf(database);
        string dedicatedSpecName;
        string dedicatedYaml;
        if (options.DedicatedSpecText is { } userSpec)
        {
            dedicatedSpecName = options.DedicatedSpecName ?? $"{service}.yaml";
            dedicatedYaml = userSpec;
        }
        else
        {
            var presetName = database.Preset ?? service;
            var preset = PresetCatalog.Load(presetName);
            if (preset is null)
            {
                return Failure(service, ErrorCodes.UnknownPreset, $"no preset named '{presetName}': give the dedicated job's spec (nomad-db migrate --dedicated SPEC), or name the app's preset in `preset:` of this database; known presets: {string.Join(", ", PresetCatalog.Names)}", $"databases[{index}].{(database.Preset is null ? "service" : "preset")}") with { Database = database };
            }

            if (preset.Get("sqlite") is not null)
            {
                return Failure(service, ErrorCodes.InvalidValue, $"preset '{presetName}' keeps its data in SQLite, not PostgreSQL: there is no database to migrate", $"databases[{index}].{(database.Preset is null ? "service" : "preset")}") with { Database = database };
            }

            // The dedicated job is a spec like any other: written as YAML, then loaded, validated and rendered from it.
            dedicatedSpecName = $"{service}.yaml";
            dedicatedYaml = DedicatedSpec.Yaml(shared, database, service, presetName, specName);
        }

        var loaded = SpecLoader.LoadText(dedicatedYaml, dedicatedSpecName, options.Defaults);
        var problems = loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Severity.Error).ToList();
        if (problems.Count > 0)
        {
            return new MigrationPlan(service, [], problems) { Database = database };
        }

        if (loaded.Jobs.Count != 1 || loaded.Jobs[0].Job.Postgres is null)
        {
            return Failure(service, ErrorCodes.Usage, $"the dedicated job's spec {dedicatedSpecName} must hold one service job with its own PostgreSQL (`postgres:`)", string.Empty) with { Database = database };
        }

        var dedicated = loaded.Jobs[0].Job;
        if (dedicated.Name == shared.Name)
        {
            return Failure(service, ErrorCodes.DuplicateJob, $"the dedicated job would be named like the shared instance \"{shared.Name}\"", $"databases[{index}].service") with { Database = database };
        }

        var serviceRenderer = new JobRenderer(templates);
        var legacyRenderer = new SharedPostgresRenderer(templates);
        var files = new List<RenderedFile> { new(dedicatedSpecName, dedicatedYaml) };
        // The app's own volumes hold its current files already: only the database's new volumes are provisioned.
        var appVolumeFiles = dedicated.App.Volumes.Select(v => HostVolumeFiles.DynamicFileName(dedicated.Name, v.Name, JobFormat.Hcl)).ToHashSet(StringComparer.Ordinal);
        files.AddRange(serviceRenderer.Render(dedicated, dedicatedSpecName));
        files.AddRange(serviceRenderer.RenderVolumesAndPolicies(dedicated, dedicatedSpecName).Where(f => !appVolumeFiles.Contains(f.FileName)));

        var dedicatedDoc = new ServiceJobDocBuilder(dedicated, dedicatedSpecName, templates).BuildServiceJob();
        var migrationDoc = new MigrationDocBuilder(shared, database, dedicated, dedicatedDoc, specName).Build();
        files.Add(new RenderedFile($"{MigrationDocBuilder.JobName(dedicated)}.nomad.hcl", legacyRenderer.Write(migrationDoc, JobFormat.Hcl)));
        var migrationScript = ScriptsVariable.ForMigration(templates, MigrationDocBuilder.JobName(dedicated));
        files.Add(new RenderedFile(ScriptsVariable.OneJobFileName(MigrationDocBuilder.JobName(dedicated)), migrationScript.Render(dedicated.Namespace, JobFormat.Hcl)));
        var variables = MigrationDocBuilder.VariablePaths(shared, dedicated);
        if (variables.Count > 0)
        {
            var migrate = MigrationDocBuilder.JobName(dedicated);
            files.Add(new RenderedFile(PolicyFiles.NomadPolicyFileName(migrate), PolicyFiles.NomadVariablesPolicy(migrate, dedicated.Namespace, variables, "the Nomad Variables it migrates with", sourceName: null)));
        }

        SharedPostgresJob? after = null;
        string? afterSpecName = null;
        if (shared.Databases.Length > 1)
        {
            after = shared with
            {
                Databases = shared.Databases.Remove(database),
                Baseline = [.. shared.Baseline.Where(b => b != database.Name)],
            };
            afterSpecName = $"{shared.Name}.after-{service}.yaml";
            var afterYaml = AfterSpecYaml(shared, after, database, service, specName, options, afterSpecName);
            files.Add(new RenderedFile(afterSpecName, afterYaml));
            var afterJob = legacyRenderer.Render(after, afterSpecName).Single();
            files.Add(afterJob with { FileName = $"{shared.Name}.after-{service}.nomad.hcl" });
        }

        // The scripts the dedicated job's backup and the shared job read, for each namespace they run in.
        files.AddRange(ScriptsVariable.NamespacesOf([dedicated], [shared]).Select(ns => serviceRenderer.RenderScripts(ns)));

        var plan = new MigrationPlan(service, files, []) { Database = database, DedicatedJob = dedicated, SharedAfter = after };
        files.Add(new RenderedFile(RunbookFileName, Runbook.Write(shared, plan, specName, dedicatedSpecName, afterSpecName, variables)));
        return plan;
    }

    /// <summary>The text of <c>nomad-db migrate --plan</c>: every service of the shared instance in migration order, with what each step would do.</summary>
    public static string DescribePlan(SharedPostgresJob shared, MigrationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(shared);
        // One user spec of a dedicated job belongs to one service: the overview plans each from its preset.
        options = (options ?? new MigrationOptions()) with { DedicatedSpecText = null, DedicatedSpecName = null };
        var specName = options.SharedSpecName ?? $"{shared.Name}.yaml";
        var text = new StringBuilder();
        text.Append($"Shared PostgreSQL job \"{shared.Name}\" ({specName}): {shared.Databases.Length} databases, service \"{shared.Service.Name}\" ({DocParts.Provider(shared.Service.Provider)}).\n");
        text.Append("Migration order: the guide's priority (Speedtest Tracker, FreshRSS, Vaultwarden, Grafana, Authelia, Gitea), then the rest.\n");
        text.Append("Each service moves on its own, in these steps; the shared database is only read until the last one.\n");
        foreach (var candidate in Order(shared))
        {
            var database = candidate.Database;
            text.Append('\n');
            if (database.Service is not { } service)
            {
                text.Append($"{candidate.Rank}. (no service) database {database.Name}, owner {database.Owner}\n");
                text.Append("   cannot migrate yet: set `service:` of this database to the app's job (and `preset:` when the preset is named otherwise)\n");
                continue;
            }

            text.Append($"{candidate.Rank}. {service} ({candidate.Priority}): database {database.Name}, owner {database.Owner}, password from {SecretText(database.Password)}\n");
            var plan = Plan(shared, service, options);
            if (!plan.Success)
            {
                foreach (var diagnostic in plan.Diagnostics)
                {
                    text.Append($"   cannot migrate: {diagnostic.Code}: {diagnostic.Message}\n");
                }

                continue;
            }

            var dedicated = plan.DedicatedJob!;
            var pg = dedicated.Postgres!;
            text.Append($"   stop     nomad job stop {database.CurrentJob}: the app stops using the shared database\n");
            text.Append($"   migrate  batch job {plan.MigrationJobName}: pg_dump -Fc of {database.Name} from service {shared.Service.Name}, restore into host volume\n");
            text.Append($"            {dedicated.DataVolumeSource()} as {dedicated.DatabaseUser()}, compare row counts, record completion (never runs twice)\n");
            text.Append($"   verify   the migration's log and nomad_db_migration.completed; fence {database.Name} on {shared.Name} (ALLOW_CONNECTIONS false)\n");
            text.Append($"   switch   job {dedicated.Name}: {(dedicated.Preset is { } preset ? $"preset {preset}" : "your spec")}, {pg.ImageReference} on {dedicated.DataVolumeSource()}");
            text.Append(dedicated.Backup is { } backup ? $", backups to {backup.Volume},\n" : ",\n");
            text.Append($"            password from {SecretText(pg.Password)}\n");
            text.Append(plan.SharedAfter is { } after
                ? $"   retire   job {shared.Name} without {database.Name} ({after.Databases.Length} databases left), only after verification\n"
                : $"   retire   {database.Name} is the last database: stop job {shared.Name} after verification\n");
            text.Append($"   files    nomad-db migrate {specName} --service {service} -o migrate-{service}\n");
        }

        return text.ToString();
    }

    internal static string SecretText(SecretSource secret) => secret switch
    {
        VaultSecret vault => $"Vault {vault.Path}",
        NomadVariableSecret variable => $"Nomad variable {variable.Path}",
        _ => "?",
    };

    private static MigrationPlan Failure(string service, string code, string message, string path) =>
        new(service, [], [Diagnostic.Error(code, message, path)]);

    private static string AfterSpecYaml(SharedPostgresJob shared, SharedPostgresJob after, SharedDatabase database, string service, string specName, MigrationOptions options, string afterSpecName)
    {
        if (options.SharedSpecText is { } text && SharedSpecText.RemoveDatabase(text, options.SharedSpecBasePath, database.Name) is { } edited
            && ReadsBackAs(edited, options.SharedSpecBasePath, after, afterSpecName))
        {
            return edited;
        }

        return SharedSpecText.Write(after, [
            $"The shared instance \"{shared.Name}\" without database \"{database.Name}\", which moved to job \"{service}\".",
            $"Written by nomad-db migrate from {specName}; replace that spec with this file only after the migration was verified (RUNBOOK.md).",
        ]);
    }

    /// <summary>The edited text must load, without a diagnostic, as exactly the planned model.</summary>
    private static bool ReadsBackAs(string text, string basePath, SharedPostgresJob expected, string fileName)
    {
        var loaded = SpecLoader.LoadText(text, fileName);
        var instance = loaded.SharedInstances.FirstOrDefault(s => s.BasePath == basePath);
        return loaded.Success && instance is not null && SharedSpecText.Write(instance.Job, []) == SharedSpecText.Write(expected, []);
    }
}

using System.Text.Json.Nodes;
using NomadDbPatterns.Model;
using NomadDbPatterns.Nomad;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Secrets;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>A job ready to send to Nomad: its API JSON, where it keeps its database, and the secrets it reads.</summary>
internal sealed record NomadJobPayload(string Id, JsonObject Job, IReadOnlyList<DatabaseTopology> Databases)
{
    /// <summary>The secrets the job reads (none for a spec's periodic backup job: its service job lists the password).</summary>
    public IReadOnlyList<RequiredSecret> Secrets { get; init; } = [];

    /// <summary>The task that runs the job's backups and how old its newest good backup may be; null without backups.</summary>
    public BackupWatch? Backup { get; init; }

    /// <summary>The fleet the job belongs to (its meta names it), or null.</summary>
    public FleetRoot? Fleet { get; init; }
}

/// <summary>A fleet: its name and the <c>nomad-db.yaml</c> naming it, whose directory holds every spec of the fleet.</summary>
internal sealed record FleetRoot(string Name, string DefaultsFile)
{
    /// <summary>The directory whose specs (and those below it) are the fleet's.</summary>
    public string Directory => Path.GetDirectoryName(DefaultsFile) is { Length: > 0 } directory ? directory : ".";
}

/// <summary>Where a job's backups run: a sidecar of the job's group, or the runs of a periodic job.</summary>
/// <param name="Task">The task whose log reports each run.</param>
/// <param name="Periodic">True for a periodic backup job (its runs are child jobs).</param>
/// <param name="StaleAfter">How old the newest good backup may get (twice the schedule's longest gap, plus an hour).</param>
internal sealed record BackupWatch(string Task, bool Periodic, TimeSpan StaleAfter);

/// <summary>Renders specs to Nomad's API JSON for the commands that talk to Nomad, and reports their errors.</summary>
internal static class NomadJobs
{
    public static (IReadOnlyList<NomadJobPayload> Jobs, RenderResult Result) Load(IReadOnlyList<string> specs, string? lockPath = null)
    {
        var result = NomadDb.Render(specs, new RenderOptions { Format = JobFormat.Json, LockPath = lockPath });
        if (!result.Success)
        {
            return ([], result);
        }

        var loaded = SpecLoader.LoadFiles(SpecLoader.ExpandInputs(specs));
        var models = loaded.Jobs.ToDictionary(j => j.Job.Name, j => j.Job, StringComparer.Ordinal);
        // The legacy shared instance holds every service's data: its server task is guarded like a sidecar.
        var shared = loaded.SharedInstances.ToDictionary(s => s.Job.Name, s => s.Job, StringComparer.Ordinal);
        var fleets = new Dictionary<string, FleetRoot>(StringComparer.Ordinal);
        foreach (var (name, fleet, file, periodic) in loaded.Jobs.Select(j => (j.Job.Name, j.Job.Fleet, j.DefaultsFile, j.Job.HasPeriodicBackup()))
                     .Concat(loaded.SharedInstances.Select(s => (s.Job.Name, s.Job.Fleet, s.DefaultsFile, false))))
        {
            if (fleet is not null && file is not null)
            {
                fleets[name] = new FleetRoot(fleet, file);
                if (periodic)
                {
                    fleets[JobFacts.BackupJobName(name)] = fleets[name];
                }
            }
        }

        var jobs = new List<NomadJobPayload>();
        foreach (var file in result.Files.Where(f => f.FileName.EndsWith(".nomad.json", StringComparison.Ordinal)))
        {
            var job = JsonNode.Parse(file.Content)!["Job"]!.AsObject();
            var id = job["ID"]!.GetValue<string>();
            var databases = models.TryGetValue(id, out var model) && model.Postgres is { } pg
                ? new[] { new DatabaseTopology(model.Name, "postgres", [JobFacts.DataVolumeName], pg.Version) }
                : shared.TryGetValue(id, out var instance)
                    ? new[] { new DatabaseTopology(instance.Name, "postgres", [JobFacts.DataVolumeName], instance.Postgres.Version) }
                    : [];
            var secrets = model is not null ? JobSecrets.Of(model) : shared.TryGetValue(id, out var sharedJob) ? JobSecrets.Of(sharedJob) : [];
            jobs.Add(new NomadJobPayload(id, job, databases)
            {
                Secrets = secrets, Backup = BackupOf(id, model, shared.GetValueOrDefault(id), models.Values), Fleet = fleets.GetValueOrDefault(id),
            });
        }

        return (jobs, result);
    }

    private static BackupWatch? BackupOf(string id, ServiceJob? model, SharedPostgresJob? shared, IEnumerable<ServiceJob> models)
    {
        static TimeSpan Stale(BackupPolicy policy) => TimeSpan.FromSeconds(BackupStaleness.StaleAfterSeconds(policy.Schedule));
        if (model?.Backup is { } own && !model.HasPeriodicBackup())
        {
            return new BackupWatch(JobFacts.BackupSidecarTaskName, false, Stale(own));
        }

        if (shared?.Backup is { } cluster)
        {
            return new BackupWatch(JobFacts.BackupSidecarTaskName, false, Stale(cluster));
        }

        return models.FirstOrDefault(m => m.HasPeriodicBackup() && JobFacts.BackupJobName(m.Name) == id) is { Backup: { } periodic }
            ? new BackupWatch(JobFacts.PeriodicBackupTaskName, true, Stale(periodic))
            : null;
    }

    /// <summary>
    /// What plan, run and status share: render the specs (printing their diagnostics; invalid specs exit 1), then
    /// talk to Nomad through one client under <see cref="GuardAsync"/>.
    /// </summary>
    public static async Task<int> WithNomadAsync(CliConsole console, IReadOnlyList<string> specs, Func<NomadClient> client,
        Func<NomadClient, IReadOnlyList<NomadJobPayload>, RenderResult, Task<int>> body)
    {
        var (jobs, result) = Load(specs);
        Shared.Print(console, result.Diagnostics);
        if (!result.Success)
        {
            return Shared.Summarize(console, result.Diagnostics);
        }

        return await GuardAsync(console, async () =>
        {
            using var nomad = client();
            return await body(nomad, jobs, result);
        });
    }

    /// <summary>
    /// Runs a command's talk with Nomad and turns the client's errors into one line each and an exit code: a
    /// setting that cannot be used is a usage error (2), anything else from the client a Nomad error (5). No stack
    /// trace; the client already keeps the token out of its messages.
    /// </summary>
    public static async Task<int> GuardAsync(CliConsole console, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (NomadConfigurationException exception)
        {
            console.Error.WriteLine($"error: {OneLine(exception.Message)}");
            return ExitCodes.Usage;
        }
        catch (NomadApiException exception) when (exception.IsEnforceIndexConflict)
        {
            console.Error.WriteLine($"error: the job changed in Nomad since the plan (check-index): plan again. {Describe(exception)}");
            return ExitCodes.NomadError;
        }
        catch (NomadApiException exception)
        {
            console.Error.WriteLine($"error: {Describe(exception)}");
            return ExitCodes.NomadError;
        }
        catch (NomadException exception)
        {
            console.Error.WriteLine($"error: {OneLine(exception.Message)}");
            return ExitCodes.NomadError;
        }
    }

    /// <summary>Nomad's error text (often a multierror list, <c>nomad/structs</c>) folded onto one line.</summary>
    private static string Describe(NomadApiException exception)
    {
        var items = NomadMessages.Items(exception.NomadMessage);
        return $"Nomad API {exception.Method} {exception.Path} failed with {(int)exception.StatusCode} {exception.StatusCode}: {(items.Count == 0 ? "(no message)" : string.Join("; ", items))}";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Prints Nomad's warnings about a job, one line each.</summary>
    public static void PrintWarnings(CliConsole console, string jobId, string warnings)
    {
        foreach (var warning in NomadMessages.Items(warnings))
        {
            console.Out.WriteLine($"warning: job \"{jobId}\": {warning}");
        }
    }
}

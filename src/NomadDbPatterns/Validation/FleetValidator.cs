using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>
/// Rules that only hold across all specs at once: unique job names, host volumes, static ports and service names.
/// Every rule is one pass with a dictionary, so a fleet of thousands stays linear; host volumes and static ports belong
/// to a node, so their claims are compared only among the jobs that use the same name or number, and two jobs clash
/// only when they can land on the same node (<see cref="NodeSeparation"/>); when they cannot, an info diagnostic says
/// what separates them. Each error names the second occurrence and, as related location, the first.
/// </summary>
internal static class FleetValidator
{
    private sealed record Use(ISpecSite Job, string Path, string What, bool SharedReadOnly = false)
    {
        /// <summary>Where the job may be placed; null for names and services, which are not per node.</summary>
        public Model.Job? Placement { get; init; }
    }

    /// <summary>" at FILE:LINE:COL" for a job read from a spec; nothing for a job built in code (no file).</summary>
    private static string At(ISpecSite site, SourceLocation location) => site.File.Length == 0 ? string.Empty : $" at {location}";

    /// <summary>Validates the fleet.</summary>
    public static IReadOnlyList<Diagnostic> Validate(IReadOnlyList<LoadedJob> jobs) => Validate(jobs, []);

    /// <summary>Validates the fleet of service jobs and legacy shared instances.</summary>
    public static IReadOnlyList<Diagnostic> Validate(IReadOnlyList<LoadedJob> jobs, IReadOnlyList<LoadedSharedPostgres> sharedInstances)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(sharedInstances);
        var diagnostics = new List<Diagnostic>();
        var names = new Dictionary<string, Use>(StringComparer.Ordinal);
        var volumes = new Dictionary<string, List<Use>>(StringComparer.Ordinal);
        var ports = new Dictionary<int, List<Use>>();
        var services = new Dictionary<(string Namespace, string Name), Use>();
        foreach (var loaded in jobs)
        {
            var job = loaded.Job;
            Claim(names, job.Name, new Use(loaded, "name", $"job \"{job.Name}\""), ErrorCodes.DuplicateJob, "job name '{0}' is already used", diagnostics);
            if (job.HasPeriodicBackup())
            {
                Claim(names, $"{job.Name}-backup", new Use(loaded, "backup.placement", $"the periodic backup job of \"{job.Name}\""), ErrorCodes.DuplicateJob, "job name '{0}' is already used", diagnostics);
            }

            foreach (var (source, use) in VolumesOf(loaded))
            {
                ClaimOnNode(volumes, source, use with { Placement = job }, ErrorCodes.DuplicateVolume, "host volume '{0}'", diagnostics);
            }

            foreach (var (port, use) in StaticPortsOf(loaded))
            {
                ClaimOnNode(ports, port, use with { Placement = job }, ErrorCodes.PortCollision, "static port {0}", diagnostics);
            }

            var @namespace = job.Namespace ?? Defaults.Namespace;
            if (job.App.Service is { } service)
            {
                Claim(services, (@namespace, service.Name), new Use(loaded, "app.service.name", $"service \"{service.Name}\" of job \"{job.Name}\""), ErrorCodes.DuplicateService, "service name '{0}' is already registered in this namespace", diagnostics);
            }

            for (var t = 0; t < job.Tasks.Length; t++)
            {
                if (job.Tasks[t].Service is { } taskService)
                {
                    Claim(services, (@namespace, taskService.Name), new Use(loaded, $"tasks[{t}].service.name", $"service \"{taskService.Name}\" of task \"{job.Tasks[t].Name}\" of job \"{job.Name}\""), ErrorCodes.DuplicateService, "service name '{0}' is already registered in this namespace", diagnostics);
                }
            }

            foreach (var (generated, specPath) in job.GeneratedServices())
            {
                Claim(services, (@namespace, generated), new Use(loaded, specPath, $"service \"{generated}\" that job \"{job.Name}\" registers"), ErrorCodes.DuplicateService, "service name '{0}' is already registered in this namespace", diagnostics);
            }
        }

        foreach (var loaded in sharedInstances)
        {
            // The shared instance binds its port statically on the node: applications reach it at <service>:<port>.
            var job = loaded.Job;
            Claim(names, job.Name, new Use(loaded, "name", $"job \"{job.Name}\""), ErrorCodes.DuplicateJob, "job name '{0}' is already used", diagnostics);
            ClaimOnNode(volumes, job.DataVolumeSource(), new Use(loaded, "postgres.volume", $"the PostgreSQL data volume of job \"{job.Name}\"") { Placement = job }, ErrorCodes.DuplicateVolume, "host volume '{0}'", diagnostics);
            if (job.Backup is { } backup)
            {
                ClaimOnNode(volumes, backup.Volume, new Use(loaded, "backup.volume", $"the backup volume of job \"{job.Name}\"") { Placement = job }, ErrorCodes.DuplicateVolume, "host volume '{0}'", diagnostics);
            }

            ClaimOnNode(ports, job.Postgres.Port, new Use(loaded, "postgres.port", $"the PostgreSQL port of job \"{job.Name}\"") { Placement = job }, ErrorCodes.PortCollision, "static port {0}", diagnostics);
            Claim(services, (job.Namespace ?? Defaults.Namespace, job.Service.Name), new Use(loaded, "service.name", $"service \"{job.Service.Name}\" of job \"{job.Name}\""), ErrorCodes.DuplicateService, "service name '{0}' is already registered in this namespace", diagnostics);
            if (job.Backup is not null && job.Service.Provider == ServiceProvider.Consul)
            {
                var backupService = JobFacts.BackupServiceName(job.Name);
                Claim(services, (job.Namespace ?? Defaults.Namespace, backupService), new Use(loaded, "backup", $"service \"{backupService}\" that job \"{job.Name}\" registers"), ErrorCodes.DuplicateService, "service name '{0}' is already registered in this namespace", diagnostics);
            }
        }

        return diagnostics;
    }

    private static IEnumerable<(string Source, Use Use)> VolumesOf(LoadedJob loaded)
    {
        var job = loaded.Job;
        if (job.Postgres is not null)
        {
            yield return (job.DataVolumeSource(), new Use(loaded, "postgres.volume", $"the PostgreSQL data volume of job \"{job.Name}\""));
        }

        if (job.Sqlite is { } sqlite)
        {
            yield return (sqlite.Volume, new Use(loaded, "sqlite.volume", $"the SQLite volume of job \"{job.Name}\""));
        }

        if (job.Backup is { } backup)
        {
            yield return (backup.Volume, new Use(loaded, "backup.volume", $"the backup volume of job \"{job.Name}\""));
        }

        for (var i = 0; i < job.App.Volumes.Length; i++)
        {
            var volume = job.App.Volumes[i];
            yield return (volume.Source, new Use(loaded, $"app.volumes[{i}].source", $"volume \"{volume.Name}\" of job \"{job.Name}\"", volume.Shared && volume.ReadOnly));
        }

        // A task's volume that the app (or an earlier task) already mounts is the same group volume: one claim.
        var claimed = job.App.Volumes.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        for (var t = 0; t < job.Tasks.Length; t++)
        {
            for (var i = 0; i < job.Tasks[t].Volumes.Length; i++)
            {
                var volume = job.Tasks[t].Volumes[i];
                if (claimed.Add(volume.Name))
                {
                    yield return (volume.Source, new Use(loaded, $"tasks[{t}].volumes[{i}].source", $"volume \"{volume.Name}\" of job \"{job.Name}\"", volume.Shared && volume.ReadOnly));
                }
            }
        }
    }

    private static IEnumerable<(int Port, Use Use)> StaticPortsOf(LoadedJob loaded)
    {
        var job = loaded.Job;
        var host = job.Network == NetworkMode.Host;
        for (var i = 0; i < job.App.Ports.Length; i++)
        {
            var port = job.App.Ports[i];
            if (host || port.Static is not null)
            {
                yield return (port.Static ?? port.To, new Use(loaded, $"app.ports[{i}]", $"port \"{port.Name}\" of job \"{job.Name}\""));
            }
        }

        if (host && job.Postgres is { } pg)
        {
            yield return (pg.Port, new Use(loaded, "postgres.port", $"the PostgreSQL port of job \"{job.Name}\""));
        }
    }

    /// <summary>
    /// Claims a per-node resource (a host volume or a static port): an error when an earlier use can land on the same
    /// node, an info diagnostic naming what separates them when none can. Two deliberately shared read-only volume
    /// uses never clash.
    /// </summary>
    private static void ClaimOnNode<TKey>(Dictionary<TKey, List<Use>> claims, TKey key, Use use, string code, string resourceFormat, List<Diagnostic> diagnostics)
        where TKey : notnull
    {
        if (!claims.TryGetValue(key, out var uses))
        {
            claims.Add(key, [use]);
            return;
        }

        var resource = string.Format(System.Globalization.CultureInfo.InvariantCulture, resourceFormat, key);
        var separations = new List<(Use Earlier, string Reason)>();
        foreach (var earlier in uses)
        {
            if (earlier.SharedReadOnly && use.SharedReadOnly)
            {
                continue;
            }

            if (NodeSeparation.Reason(earlier.Placement!, use.Placement!) is not { } reason)
            {
                var firstLocation = earlier.Job.Locate(earlier.Path);
                var message = $"{resource} is already {(code == ErrorCodes.PortCollision ? "bound" : "used")}: {use.What} clashes with {earlier.What}{At(earlier.Job, firstLocation)}"
                    + (ReferenceEquals(earlier.Job, use.Job) ? string.Empty : "; nothing in their placement (region, node pool, datacenters, constraints) keeps them off the same node");
                diagnostics.Add(Diagnostic.Error(code, message, use.Job.PathOf(use.Path), use.Job.Locate(use.Path)) with { Related = firstLocation });
                return;
            }

            separations.Add((earlier, reason));
        }

        uses.Add(use);
        foreach (var (earlier, reason) in separations)
        {
            var firstLocation = earlier.Job.Locate(earlier.Path);
            diagnostics.Add(Diagnostic.Info(code, $"{resource}: {use.What} does not clash with {earlier.What}{At(earlier.Job, firstLocation)}; they cannot land on the same node: {reason}",
                use.Job.PathOf(use.Path), use.Job.Locate(use.Path)) with { Related = firstLocation });
        }
    }

    private static void Claim<TKey>(Dictionary<TKey, Use> claims, TKey key, Use use, string code, string format, List<Diagnostic> diagnostics)
        where TKey : notnull
    {
        if (!claims.TryGetValue(key, out var first))
        {
            claims.Add(key, use);
            return;
        }

        var firstLocation = first.Job.Locate(first.Path);
        var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, key)
            + $": {use.What} clashes with {first.What}{At(first.Job, firstLocation)}";
        diagnostics.Add(Diagnostic.Error(code, message, use.Job.PathOf(use.Path), use.Job.Locate(use.Path)) with { Related = firstLocation });
    }
}

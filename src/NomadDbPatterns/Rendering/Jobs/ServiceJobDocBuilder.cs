using System.Globalization;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// Makes every rendering decision for a service job, once, into a <see cref="JobDoc"/> of raw values; the HCL and the
/// JSON output are translations of that document. The job and its group are decided here; each task by its own
/// builder (<see cref="PostgresTaskDocs"/>, <see cref="AppTaskDocs"/>, <see cref="BackupTaskDocs"/>).
/// </summary>
internal sealed class ServiceJobDocBuilder(ServiceJob job, string sourceName, TemplateSet templates)
{
    /// <summary>The periodic backup job's group: one attempt per run, Nomad's periodic schedules the next.</summary>
    private static readonly RestartDoc PeriodicRestart = new(1, "30m", "1m", "fail");

    private PostgresSidecar? Pg => job.Postgres;

    public JobDoc BuildServiceJob()
    {
        var tasks = new List<TaskDoc>();
        if (Pg is not null)
        {
            var postgres = new PostgresTaskDocs(job);
            tasks.Add(postgres.Server());
            tasks.Add(postgres.WaitUntilReady());
        }

        tasks.Add(new AppTaskDocs(job).App());
        tasks.AddRange(job.Tasks.Select(ExtraTaskDocs.Task));
        if (job.Backup is { Placement: BackupPlacement.Sidecar } backup)
        {
            var backups = new BackupTaskDocs(job);
            tasks.Add(Pg is not null ? backups.Postgres(backup, periodic: false) : backups.Sqlite(backup));
            if (backup.Offsite is not null)
            {
                tasks.Add(BackupTaskDocs.Offsite(job, backup, periodic: false));
            }

            if (backup.Heartbeat is not null)
            {
                tasks.Add(BackupTaskDocs.Heartbeat(backup, periodic: false));
            }
        }

        var group = RuntimeDefaults.Group(job.Name, job.Network, Ports(), Volumes(inBackupJob: false), job.Update, RestartDoc.Of(job.Restart), GroupServices(), tasks);
        return Job(job.Name, "service", null, group);
    }

    public JobDoc BuildPeriodicBackupJob()
    {
        var backup = job.Backup!;
        // The node's network: the backup reaches PostgreSQL at the address its database service registered.
        var group = RuntimeDefaults.Group(
            "backup",
            NetworkMode.Host,
            [],
            Volumes(inBackupJob: true),
            null,
            PeriodicRestart,
            [],
            [
                new BackupTaskDocs(job).Postgres(backup, periodic: true),
                .. backup.Offsite is null ? [] : new[] { BackupTaskDocs.Offsite(job, backup, periodic: true) },
                .. backup.Heartbeat is null ? [] : new[] { BackupTaskDocs.Heartbeat(backup, periodic: true) },
            ]);
        // A drill is a second cron of the same periodic block: prohibit_overlap keeps it from running beside a backup
        // (retention, the shared scratch database), and the task tells the two apart by its launch time.
        string[] crons = backup.Drill is { Schedule.Normalized: { } drill } && drill != backup.Schedule.Cron!.Normalized
            ? [backup.Schedule.Cron!.Normalized!, drill]
            : [backup.Schedule.Cron!.Normalized!];
        return Job($"{job.Name}-backup", "batch", new PeriodicDoc(crons, ProhibitOverlap: true, backup.Schedule.TimeZone), group);
    }

    private JobDoc Job(string name, string type, PeriodicDoc? periodic, GroupDoc group)
    {
        var header = new List<string> { DocParts.GeneratedFrom(sourceName) };
        if (job.Preset is not null)
        {
            header.Add($"Preset: {job.Preset}.");
        }

        if (ScriptsVariable.IsReadBy(group))
        {
            header.Add(templates.ScriptsVariable.HeaderLine);
        }

        if (periodic is not null)
        {
            header.Add($"Periodic backup of job \"{job.Name}\": it reaches PostgreSQL through the service \"{job.DatabaseServiceName()}\" that job registers.");
            if (periodic.Crons.Count > 1)
            {
                header.Add("Its second cron is the restore drill: a run launched by it restores the newest backup into a scratch database and compares it with its manifest.");
            }
            if (PolicyFiles.VariablePathsNeedingPolicy(name, group.Name, [Pg!.Password]) is [var path])
            {
                header.Add($"This job's workload identity reads nomad/jobs/{name} implicitly, not {path}: apply {PolicyFiles.NomadPolicyFileName(name)} first.");
            }
        }

        return JobDoc.Placed(job, header, name, type, periodic, group);
    }

    private List<PortDoc> Ports()
    {
        var ports = new List<PortDoc>();
        var host = job.Network == NetworkMode.Host;
        foreach (var port in job.App.Ports)
        {
            ports.Add(host
                ? new PortDoc(port.Name, port.Static ?? port.To, null)
                : new PortDoc(port.Name, port.Static, port.To));
        }

        if (Pg is not null && (host || job.RegistersDatabase()))
        {
            ports.Add(host ? new PortDoc("db", Pg.Port, null) : new PortDoc("db", null, Pg.Port));
        }

        return ports;
    }

    private List<VolumeDoc> Volumes(bool inBackupJob) =>
        [.. job.MountedHostVolumes().Where(v => v.InBackupJob == inBackupJob).Select(v => DocParts.HostVolume(v.Name, v.Source, v.ReadOnly))];

    private List<ServiceDoc> GroupServices()
    {
        var services = new List<ServiceDoc>();
        if (job.App.Service is { } service)
        {
            services.Add(DocParts.Service(service));
        }

        if (job.DatabaseService() is { } database)
        {
            services.Add(new ServiceDoc(database.Name, "db", DocParts.Provider(database.Provider), database.Tags, [DatabaseCheck(database.Check)]));
        }

        return services;
    }

    /// <summary>
    /// The database service's check: a TCP connect to the <c>db</c> port, or (Consul) <c>pg_isready</c> over the local
    /// socket in the PostgreSQL task, which a group service's script check must name (TaskGroup.validateScriptChecksInGroupServices).
    /// </summary>
    private CheckDoc DatabaseCheck(HealthCheck check) => check.Type == CheckType.Script
        ? new CheckDoc("script", null, "pg_isready", ["-q", "-p", Pg!.Port.ToString(CultureInfo.InvariantCulture), "-U", job.DatabaseUser(), "-d", job.DatabaseName()], check.Interval.Text, check.Timeout.Text, PostgresTaskDocs.ServerTaskName)
        : new CheckDoc("tcp", null, null, [], check.Interval.Text, check.Timeout.Text);
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NomadDbPatterns.Tests.Infrastructure;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>Whether Nomad refuses the job (error) or accepts it and prints a warning.</summary>
public enum RuleSeverity
{
    /// <summary>The server (or the client's task driver) refuses the job.</summary>
    Error,

    /// <summary>The server accepts the job and prints a warning on register/validate/plan.</summary>
    Warning,
}

/// <summary>One thing a rule found: where, and what.</summary>
public sealed record RuleFinding(string Path, string Message);

/// <summary>A finding of one rule in one job.</summary>
/// <param name="RuleId">The rule's id, e.g. <c>update-healthy-below-progress-deadline</c>.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Path">Where in the job (same style as <see cref="JobspecViolation.Path"/>).</param>
/// <param name="Message">What is wrong, in Nomad's words where it has them.</param>
public sealed record NomadRuleViolation(string RuleId, RuleSeverity Severity, string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: [{RuleId}] {Message}";
}

/// <summary>A rule Nomad v2.0.5 applies to a job after parsing it.</summary>
/// <param name="Id">A stable id.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Statement">The rule in one line.</param>
/// <param name="Source">Where Nomad implements it: <c>path:lines</c> at tag v2.0.5 of hashicorp/nomad (several separated by "; ").</param>
/// <param name="Check">Reports every place a canonicalized job breaks the rule.</param>
public sealed record NomadRule(string Id, RuleSeverity Severity, string Statement, string Source, Func<NomadJob, IEnumerable<RuleFinding>> Check);

/// <summary>
/// Nomad v2.0.5's server-side rules for a job (what <c>nomad job run</c> checks after the HCL parser): the agent's
/// api→structs conversion with its defaults (<c>api.Job.Canonicalize</c>), the job endpoint's admission hooks
/// (canonicalize, validate: <c>Job.Validate</c> and its helpers, and their warnings), and what the Docker driver
/// does with a task's network settings on the client. Facts (names, limits, messages) were read from
/// hashicorp/nomad@v2.0.5; the code here is this project's own. <see cref="Check"/> takes the JSON that @cdktf/hcl2json
/// produces for a job file. Rules about values Nomad only knows at run time (variables, interpolations) skip those
/// values.
/// </summary>
public static partial class NomadServerRules
{
    private const string Structs = "nomad/structs/structs.go";
    private const string Services = "nomad/structs/services.go";
    private const string Hooks = "nomad/job_endpoint_hooks.go";
    private const string Volumes = "nomad/structs/volumes.go";
    private const string ApiTasks = "api/tasks.go";
    private const string ApiJobs = "api/jobs.go";
    private const string DockerDriver = "drivers/docker/driver.go";
    private const string DockerConfig = "drivers/docker/config.go";

    /// <summary>Where the rules were read: repository and tag.</summary>
    public const string NomadSource = "hashicorp/nomad@v2.0.5";

    /// <summary>The path of the rule document committed beside this file.</summary>
    public static string DocumentPath => RepoPaths.Combine("tests", "NomadDbPatterns.Tests", "NomadSchema", "NOMAD-RULES.md");

    /// <summary>Every rule, errors first, in the order of the document.</summary>
    public static IReadOnlyList<NomadRule> All { get; } =
    [
        // ---- job ----
        Error("job-id", "The job ID (the job block's label) is not empty and holds no space and no NUL character.",
            $"{Structs}:4743-4750", JobId),
        Error("job-type", "type is service, batch, system or sysbatch (default service; core is refused by the validate hook).",
            $"{Structs}:4757-4765; {Hooks}:510-512; {ApiJobs}:1189-1191", JobType),
        Error("job-datacenters", "Every datacenter is a non-empty string (no datacenters means [\"*\"]).",
            $"{Structs}:4766-4775; {Structs}:4686-4688", JobDatacenters),
        Error("job-priority", "priority is between 1 and the server's job_max_priority (default 100); unset means 50.",
            $"{Hooks}:518-520; {Structs}:4298-4305", JobPriority),
        Error("job-groups", "The job has at least one group, and group names are unique.",
            $"{Structs}:4776-4778; {Structs}:4824-4833", JobGroups),
        Error("constraint", "Every job, group and task constraint (jobspec2 shorthands applied, operator default =) has a known operator; an attribute unless distinct_hosts, either literal text or ${node.unique.id}, ${node.datacenter}, ${node.unique.name}, ${node.class}, ${node.pool} or ${attr.*}, ${device.*}, ${meta.*}; a value for =, ==, is, !=, not, <, <=, >, >= and set_contains*; no value for is_set/is_not_set; a distinct_property value is a count >= 1 (regexp, version and semver values are not compiled here).",
            $"{Structs}:10010-10076; nomad/structs/constraint.go:11-68; {Structs}:4779-4784; {Structs}:7147-7152; {Structs}:8248-8253; jobspec2/hcl_conversions.go:198-261", Constraints),
        Error("periodic-job-type", "A periodic block (enabled, the default) is only allowed in batch and sysbatch jobs.",
            $"{Structs}:4854-4866; {ApiJobs}:905-924", PeriodicJobType),
        Error("periodic-spec", "periodic has cron or crons (not both, not neither), each a cron expression (5-7 fields or an @macro), and a time_zone Go can load.",
            $"{Structs}:5911-5953", PeriodicSpec),

        // ---- group ----
        Error("group-count", "count is not negative (default 1).",
            $"{Structs}:7120-7122; {ApiTasks}:535-541", GroupCount),
        Error("group-tasks", "A group has at least one task, task names are unique, and at most one task is the leader.",
            $"{Structs}:7124-7127; {Structs}:7236-7255", GroupTasks),
        Error("shutdown-delay", "shutdown_delay (group and task) is not negative.",
            $"{Structs}:4835-4837; {Structs}:8229-8231", ShutdownDelayNotNegative),
        Error("restart-policy", "The group's restart policy (defaults for the job type, overridden by the restart block) has mode delay or fail, attempts > 0 unless mode is fail, interval >= 5s, and attempts x delay <= interval.",
            $"{Structs}:6565-6586; {Structs}:7166-7172; {ApiTasks}:604-616; {ApiTasks}:642-662", RestartPolicy),
        Error("reschedule-policy", "System and sysbatch jobs have no reschedule block; otherwise the reschedule policy (type defaults <- job <- group) is valid: delay >= 5s, a known delay_function, max_delay >= delay and >= 5s unless constant, interval >= 15s and room for all attempts unless unlimited, not both attempts and unlimited.",
            $"{Structs}:7187-7199; {Structs}:6647-6797; {ApiTasks}:204-227; {ApiTasks}:260-304; {ApiTasks}:573-585", ReschedulePolicy),
        Error("ephemeral-disk", "ephemeral_disk.size is at least 10 MB (default 300).",
            $"{Structs}:7201-7207; {Structs}:10388-10393; {ApiTasks}:374-384", EphemeralDisk),
        Error("update-job-type", "An update block (job or group level) is only allowed in service and system jobs.",
            $"{Structs}:7209-7219; {ApiTasks}:557-571; {ApiJobs}:1228-1232", UpdateJobType),
        Error("update-values", "The canonical update strategy (api DefaultUpdateStrategy <- job update <- group update) has health_check checks/task_states/manual, max_parallel >= 0, canary >= 0, auto_promote only with canary > 0, min_healthy_time >= 0, healthy_deadline > 0, progress_deadline >= 0, stagger > 0.",
            $"{Structs}:5464-5505; {ApiJobs}:637-649; {ApiJobs}:697-777; {ApiTasks}:557-571", UpdateValues),
        Error("update-min-healthy-below-healthy-deadline", "min_healthy_time < healthy_deadline (defaults 10s and 5m).",
            $"{Structs}:5493-5495; {ApiJobs}:637-649", UpdateMinHealthyBelowHealthyDeadline),
        Error("update-healthy-below-progress-deadline", "When progress_deadline is not 0: healthy_deadline < progress_deadline (defaults 5m and 10m), so healthy_deadline = \"10m\" alone is refused.",
            $"{Structs}:5496-5498; {ApiJobs}:637-649", UpdateHealthyBelowProgressDeadline),
        Error("migrate", "A migrate block is only allowed in service jobs; there max_parallel >= 0, health_check is checks or task_states, min_healthy_time <= healthy_deadline, both >= 0.",
            $"{Structs}:7221-7233; {Structs}:6836-6867; {ApiTasks}:404-421; {ApiTasks}:587-603", Migrate),
        Error("volume-request", "A group volume has type host or csi and a source; host volumes take no mount_options and a host access_mode (single-node-reader-only only with read_only); per_alloc not with sticky, canaries or system jobs; CSI volumes need access_mode and attachment_mode.",
            $"{Volumes}:147-236; {Structs}:7256-7267", VolumeRequest),
        Error("network-ports", "Port labels are unique across the group's networks; static ports are <= 65535 and unique per host_network unless ignore_collision; to is between -1 and 65535; ignore_collision only on host networks.",
            $"{Structs}:7303-7357", NetworkPorts),
        Error("group-services-unique", "In a group, services are unique by (task or group, name, port); a task service's task and its checks' task name that task; all services use one provider.",
            $"{Structs}:7432-7559", GroupServicesUnique),
        Error("group-service-checks", "Group services and their checks do not use address_mode driver; a group check's task exists; a group script check names a task (on the service or the check).",
            $"{Structs}:7504-7530; {Structs}:7564-7579", GroupServiceChecks),
        Error("service-name", "A service name (default JOB-GROUP[-TASK], ${JOB} etc. replaced, other ${...} ignored) is 1-63 letters, digits and dashes, not starting or ending with a dash (RFC 1123).",
            $"{Services}:761-771; {Services}:944-957; {Services}:694-718; api/services.go:274-282", ServiceName),
        Error("service-modes", "address_mode is auto, host, driver, alloc or alloc_ipv6 (address only with auto); on_update is require_healthy, ignore_warnings or ignore; provider is consul (default) or nomad; nomad services have no connect block.",
            $"{Services}:773-806; {Services}:921-925", ServiceModes),
        Error("check-type-by-provider", "A check's type is http or tcp for provider nomad; grpc, http, script or tcp for consul.",
            $"{Services}:257-264; {Services}:351-355; {Services}:412-416", CheckTypeByProvider),
        Error("check-fields", "An http check has a path Go's url.Parse (go1.26, Nomad's .go-version) accepts (no ASCII control character before '#', every '%' starting a %XX escape in path and fragment, no colon in a relative first segment) without a scheme, a script check a command; interval and timeout are set and >= 1s; initial_status, address_mode and on_update take known values; check_restart fits on_update and has limit >= 0, grace >= 0.",
            $"{Services}:266-348; {Structs}:7782-7797", CheckFields),
        Error("check-nomad-provider-limits", "Checks of nomad services use none of expose, on_update = ignore_warnings, check_restart.ignore_warnings, address_mode = driver, success_before_passing, failures_before_critical, failures_before_warning, tls_server_name; an http method is a real HTTP method.",
            $"{Services}:357-409", CheckNomadProviderLimits),
        Error("check-port", "A check that needs a port (http, tcp, grpc) has one, on the check or its service; in a task service a numeric port needs address_mode = driver.",
            $"{Services}:843-848; {Structs}:8500-8531", CheckPort),
        Error("task-service-ports", "Every port label a task service or its checks use is a port of the group's first network.",
            $"{Structs}:8533-8582", TaskServicePorts),
        Error("task-services", "Task services do not use address_mode alloc/alloc_ipv6 and have no connect block; (name, port) is unique within the task; check names are unique within a service (the default name is 'service: \"NAME\" check').",
            $"{Structs}:8443-8498; {Services}:240-243", TaskServices),
        Error("task-name", "A task name is not 'alloc' and holds no slash, backslash or NUL.",
            $"{Structs}:8193-8207", TaskName),
        Error("task-driver", "A task has a driver.",
            $"{Structs}:8209-8211", TaskDriver),
        Error("task-kill-timeout", "kill_timeout (default 5s) is not negative and, in a service job, not longer than the group's progress_deadline (when that is > 0).",
            $"{Structs}:8212-8228; {ApiTasks}:809-811", TaskKillTimeout),
        Error("task-resources", "cpu and cores are not both set; cpu >= 1 (default 100) unless cores; memory >= 10 (default 300); memory_max is 0, -1 or >= memory; no task-level disk; secrets <= memory.",
            $"{Structs}:2420-2477; {Structs}:2598-2608; api/resources.go:33-70", TaskResources),
        Error("task-logs", "logs: max_files >= 1 and max_file_size >= 1 (defaults 10 and 10), and max_files x max_file_size < the group's ephemeral_disk size.",
            $"{Structs}:7855-7872; {ApiTasks}:721-739", TaskLogs),
        Error("task-templates", "A template has data or source and a destination that stays inside the allocation; destinations are unique per task; change_mode is noop, restart, signal or script (script needs change_script.command); env is not combined with signal; splay >= 0; perms is octal <= 7777; wait.min <= wait.max.",
            $"{Structs}:8922-8982; {Structs}:9051-9061; {Structs}:9104-9119; {Structs}:8296-8307; {ApiTasks}:965-1016", TaskTemplates),
        Error("task-vault", "vault.change_mode is noop, restart (default) or signal.",
            $"{Structs}:10509-10527; {ApiTasks}:1030-1052", TaskVault),
        Error("task-lifecycle", "lifecycle.hook is prestart, poststart or poststop.",
            $"{Structs}:6177-6193; {Structs}:8333-8339", TaskLifecycle),
        Error("task-volume-mounts", "A volume_mount names a volume of its group; propagation_mode is private, host-to-task or bidirectional; selinux_label is z or Z.",
            $"{Structs}:8358-8367; {Volumes}:326-361", TaskVolumeMounts),
        Error("task-constraints", "Task-level constraints do not use distinct_hosts or distinct_property.",
            $"{Structs}:8247-8258", TaskConstraints),
        Error("docker-host-network-mode", "On a group whose network mode is host, every docker task sets config.network_mode = \"host\": without it the driver puts the container on Docker's default bridge, not the node's network (fact B11).",
            $"{DockerDriver}:1402-1418", DockerHostNetworkMode),
        Error("docker-bridge-network-mode", "On a group with a bridge or CNI network, a docker task leaves config.network_mode unset: with it set the container leaves the group's shared network namespace.",
            $"{DockerDriver}:1402-1418", DockerBridgeNetworkMode),
        Error("docker-ports", "Each label in a docker task's config.ports is a port of the group's network, unless the task joins the group's network namespace (the driver then skips port mapping).",
            $"{DockerDriver}:1420-1435", DockerPorts),
        Error("docker-mounts", "A docker config mount has type bind, volume (the default) or tmpfs; a tmpfs has no source; with the plugin's default volumes.enabled = false a bind source (relative to the task directory) stays inside the allocation directory and type volume is refused.",
            $"{DockerConfig}:255-261; {DockerConfig}:601-642; {DockerDriver}:1268-1282; {DockerDriver}:1609-1634", DockerMounts),
        Error("docker-privileged", "privileged = true is refused unless the client's docker plugin sets allow_privileged = true (not set by default): 'Docker privileged mode is disabled on this Nomad agent'.",
            $"{DockerConfig}:255-262; {DockerDriver}:1210-1214", DockerPrivileged),
        Error("docker-dns", "dns_servers are IP addresses (the driver drops anything else); a docker task that joins the group's network namespace (bridge, cni/*: network_mode container:...) sets no dns_servers, dns_search_domains or dns_options: Docker refuses DNS servers for such a container and the namespace's resolv.conf wins.",
            $"{DockerDriver}:1311-1344; {DockerDriver}:1402-1418", DockerDns),

        // ---- warnings ----
        Warning("warn-memory-max", "memory_max set on a task: 'Memory oversubscription is not enabled; Task \"G.T\" memory_max value will be ignored' (oversubscription is off by default).",
            $"{Hooks}:625-649", WarnMemoryMax),
        Warning("warn-shutdown-delay", "A group with services but no shutdown_delay on the group or any task, a task with services but no shutdown_delay, or a group service naming a task without shutdown_delay.",
            $"{Structs}:4898-4952; {Structs}:4975-4976", WarnShutdownDelay),
        Warning("warn-max-parallel-over-count", "update.max_parallel greater than a count > 1.",
            $"{Structs}:7619-7626", WarnMaxParallelOverCount),
        Warning("warn-cron-deprecated", "periodic.cron is deprecated: use crons.",
            $"{Structs}:4985-4989", WarnCronDeprecated),
        Warning("warn-auto-promote-mixed", "auto_promote must be true for all groups (with canaries) or for none.",
            $"{Structs}:4960-4983", WarnAutoPromoteMixed),
        Warning("warn-deprecated-fields", "Deprecated fields: network mbits, task-level resources.network, template vault_grace, resources.iops.",
            $"{Structs}:7640-7643; {Structs}:8587-8600; {Structs}:8984-8993", WarnDeprecatedFields),
    ];

    /// <summary>Checks every job in the hcl2json JSON of a job file against every rule.</summary>
    public static IReadOnlyList<NomadRuleViolation> Check(JsonElement hcl2json) =>
        NomadJob.Read(hcl2json).SelectMany(job => All.SelectMany(rule => rule.Check(job)
            .Select(finding => new NomadRuleViolation(rule.Id, rule.Severity, finding.Path, finding.Message)))).ToList();

    /// <summary>The rule document (<c>NOMAD-RULES.md</c>), generated from <see cref="All"/>.</summary>
    public static string RenderDocument()
    {
        var text = new StringBuilder();
        text.Append("# Nomad v2.0.5 server-side rules checked for every rendered job\n\n");
        text.Append("Generated from `NomadServerRules.All` (`NomadServerRules.cs`); a test fails when this file and the code differ\n");
        text.Append("(regenerate with `ACCEPT_SNAPSHOTS=1`). Sources are paths in `").Append(NomadSource).Append("` with line ranges.\n");
        text.Append("Defaults are applied first, as `api.Job.Canonicalize` and the server's canonicalize hook do: e.g. update\n");
        text.Append("min_healthy_time 10s, healthy_deadline 5m, progress_deadline 10m, max_parallel 1, stagger 30s (job update\n");
        text.Append("block, then group update block, override them field by field); restart, reschedule, resources, logs,\n");
        text.Append("kill_timeout 5s, template and vault defaults likewise. Errors make Nomad refuse the job (or, for `docker-*`,\n");
        text.Append("make the task run in the wrong network or fail on the client); warnings are printed on register and plan.\n\n");
        foreach (var severity in new[] { RuleSeverity.Error, RuleSeverity.Warning })
        {
            text.Append(severity == RuleSeverity.Error ? "## Errors\n\n" : "\n## Warnings\n\n");
            text.Append("| id | rule | source |\n|---|---|---|\n");
            foreach (var rule in All.Where(rule => rule.Severity == severity))
            {
                text.Append("| `").Append(rule.Id).Append("` | ").Append(rule.Statement.Replace("|", "\\|", StringComparison.Ordinal))
                    .Append(" | ").Append(string.Join("<br>", rule.Source.Split("; ").Select(source => $"`{source}`"))).Append(" |\n");
            }
        }

        return text.ToString();
    }

    private static NomadRule Error(string id, string statement, string source, Func<NomadJob, IEnumerable<RuleFinding>> check) =>
        new(id, RuleSeverity.Error, statement, source, check);

    private static NomadRule Warning(string id, string statement, string source, Func<NomadJob, IEnumerable<RuleFinding>> check) =>
        new(id, RuleSeverity.Warning, statement, source, check);

    private static string D(long nanoseconds) => GoDuration.Format(nanoseconds);

    // ---------------------------------------------------------------- job

    private static IEnumerable<RuleFinding> JobId(NomadJob job)
    {
        if (job.Id.Length == 0)
        {
            yield return new(job.Body.Path, "Missing job ID");
        }
        else if (job.Id.Contains(' ', StringComparison.Ordinal))
        {
            yield return new(job.Body.Path, "Job ID contains a space");
        }
        else if (job.Id.Contains('\0', StringComparison.Ordinal))
        {
            yield return new(job.Body.Path, "Job ID contains a null character");
        }
    }

    private static IEnumerable<RuleFinding> JobType(NomadJob job)
    {
        if (job.Type is not ("service" or "batch" or "system" or "sysbatch") && !job.Type.Contains("${", StringComparison.Ordinal))
        {
            yield return new(job.Body.At("type"), job.Type == "core" ? "job type cannot be core" : $"Invalid job type: \"{job.Type}\"");
        }
    }

    private static IEnumerable<RuleFinding> JobDatacenters(NomadJob job)
    {
        if (job.Datacenters.Any(datacenter => datacenter.Length == 0))
        {
            yield return new(job.Body.At("datacenters"), "Job datacenter must be non-empty string");
        }
    }

    private static IEnumerable<RuleFinding> JobPriority(NomadJob job)
    {
        if (job.Priority is { } priority && (priority < 1 || priority > 100))
        {
            yield return new(job.Body.At("priority"), $"job priority must be between [1, 100]; got {priority}");
        }
    }

    private static IEnumerable<RuleFinding> JobGroups(NomadJob job)
    {
        if (job.Groups.Count == 0)
        {
            yield return new(job.Body.Path, "Missing job task groups");
        }

        foreach (var name in job.Groups.GroupBy(group => group.Name).Where(same => same.Count() > 1).Select(same => same.Key))
        {
            yield return new(job.Body.At($"group.{name}"), $"Job task group redefines '{name}'");
        }
    }

    private static readonly string[] ConstraintExactTargets = ["${node.unique.id}", "${node.datacenter}", "${node.unique.name}", "${node.class}", "${node.pool}"];
    private static readonly string[] ConstraintPrefixTargets = ["${attr.", "${device.", "${meta."];

    private static IEnumerable<RuleFinding> Constraints(NomadJob job)
    {
        var bodies = new[] { job.Body }.Concat(job.Groups.Select(group => group.Body)).Concat(job.Tasks.Select(task => task.Body));
        foreach (var constraint in bodies.SelectMany(body => body.Blocks("constraint")))
        {
            foreach (var message in ConstraintProblems(constraint))
            {
                yield return new(constraint.Path, message);
            }
        }
    }

    // jobspec2's decodeConstraint, then Constraint.Validate with validateConstraintAttribute.
    private static IEnumerable<string> ConstraintProblems(HclBody constraint)
    {
        var attribute = constraint.Text("attribute") ?? string.Empty;
        var value = constraint.Text("value") ?? string.Empty;
        var operand = constraint.Text("operator") ?? string.Empty;
        foreach (var shorthand in new[] { "version", "semver", "regexp", "set_contains" })
        {
            if (constraint.Text(shorthand) is { Length: > 0 } target)
            {
                operand = shorthand;
                value = target;
            }
        }

        if (constraint.Bool("distinct_hosts") is { } distinct)
        {
            operand = "distinct_hosts";
            value = distinct ? "true" : "false";
        }

        if (constraint.Text("distinct_property") is { Length: > 0 } property)
        {
            operand = "distinct_property";
            attribute = property;
        }

        if (operand.Length == 0)
        {
            operand = "=";
        }

        var requireAttribute = true;
        switch (operand)
        {
            case "distinct_hosts":
                requireAttribute = false;
                break;
            case "set_contains_all" or "set_contains_any" or "set_contains":
                if (value.Length == 0)
                {
                    yield return "Set contains constraint requires an RTarget";
                }

                break;
            case "regexp" or "version" or "semver":
                break; // RE2, go-version and Masterminds semver grammars are not ported
            case "distinct_property":
                if (value.Length > 0 && !(ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1))
                {
                    yield return $"Failed to convert RTarget \"{value}\" to uint64, or the count is below 1";
                }

                break;
            case "is_set" or "is_not_set":
                if (value.Length > 0)
                {
                    yield return $"Operator \"{operand}\" does not support an RTarget";
                }

                break;
            case "=" or "==" or "is" or "!=" or "not" or "<" or "<=" or ">" or ">=":
                if (value.Length == 0)
                {
                    yield return $"Operator \"{operand}\" requires an RTarget";
                }

                break;
            default:
                yield return $"Unknown constraint type \"{operand}\"";
                break;
        }

        if (!requireAttribute)
        {
            yield break;
        }

        if (attribute.Length == 0)
        {
            yield return "no attribute provided but is required by operator";
        }
        else if (attribute.StartsWith('$'))
        {
            if (!attribute.StartsWith("${", StringComparison.Ordinal))
            {
                yield return $"attribute \"{attribute}\" is missing an opening brace";
            }
            else if (!attribute.EndsWith('}'))
            {
                yield return $"attribute \"{attribute}\" is missing a closing brace";
            }
            else if (!ConstraintExactTargets.Contains(attribute) && !ConstraintPrefixTargets.Any(prefix => attribute.StartsWith(prefix, StringComparison.Ordinal)))
            {
                yield return $"unsupported attribute \"{attribute}\"";
            }
        }
    }

    private static IEnumerable<RuleFinding> PeriodicJobType(NomadJob job)
    {
        if (job.Periodic is { } periodic && periodic.Bool("enabled") != false && job.Type is not ("batch" or "sysbatch"))
        {
            yield return new(periodic.Path, "Periodic can only be used with \"batch\" or \"sysbatch\" scheduler");
        }
    }

    private static IEnumerable<RuleFinding> PeriodicSpec(NomadJob job)
    {
        if (job.Periodic is not { } periodic || periodic.Bool("enabled") == false)
        {
            yield break;
        }

        var cron = periodic.String("cron") ?? string.Empty;
        var crons = periodic.Strings("crons");
        if (cron.Length > 0 && crons.Count > 0)
        {
            yield return new(periodic.Path, "Only cron or crons may be used");
        }

        if (cron.Length == 0 && crons.Count == 0)
        {
            yield return new(periodic.Path, "Must specify a spec");
        }

        foreach (var (spec, path) in (cron.Length > 0 ? new[] { (cron, periodic.At("cron")) } : []).Concat(crons.Select(c => (c, periodic.At("crons")))))
        {
            if (!LooksLikeCron(spec))
            {
                yield return new(path, $"Invalid cron spec \"{spec}\"");
            }
        }

        if (periodic.Literal("time_zone") is { Length: > 0 } zone && zone is not ("UTC" or "Local") && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            yield return new(periodic.At("time_zone"), $"Invalid time zone \"{zone}\"");
        }
    }

    // cronexpr (github.com/hashicorp/cronexpr) takes 5 to 7 fields, or a macro; this checks the shape, not each field.
    private static bool LooksLikeCron(string spec)
    {
        var trimmed = spec.Trim();
        if (trimmed.StartsWith('@'))
        {
            return trimmed is "@yearly" or "@annually" or "@monthly" or "@weekly" or "@daily" or "@midnight" or "@hourly";
        }

        var fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length is >= 5 and <= 7 && fields.All(field => CronField().IsMatch(field));
    }

    [GeneratedRegex("^[0-9A-Za-z*,/?#-]+$")]
    private static partial Regex CronField();

    // ---------------------------------------------------------------- group

    private static IEnumerable<RuleFinding> GroupCount(NomadJob job) =>
        job.Groups.Where(group => group.Count < 0).Select(group => new RuleFinding(group.Body.At("count"), "Task group count can't be negative"));

    private static IEnumerable<RuleFinding> GroupTasks(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            if (group.Tasks.Count == 0)
            {
                yield return new(group.Body.Path, "Missing tasks for task group");
            }

            foreach (var name in group.Tasks.GroupBy(task => task.Name).Where(same => same.Count() > 1).Select(same => same.Key))
            {
                yield return new(group.Body.At($"task.{name}"), $"Task redefines '{name}'");
            }

            if (group.Tasks.Count(task => task.Body.Bool("leader") == true) > 1)
            {
                yield return new(group.Body.Path, "Only one task may be marked as leader");
            }
        }
    }

    private static IEnumerable<RuleFinding> ShutdownDelayNotNegative(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            if (group.Body.Duration("shutdown_delay") < 0)
            {
                yield return new(group.Body.At("shutdown_delay"), "ShutdownDelay must be a positive value");
            }

            foreach (var task in group.Tasks.Where(task => task.ShutdownDelay < 0))
            {
                yield return new(task.Body.At("shutdown_delay"), "ShutdownDelay must be a positive value");
            }
        }
    }

    private static IEnumerable<RuleFinding> RestartPolicy(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            var block = group.Body.Block("restart");
            var path = block?.Path ?? group.Body.At("restart");
            var service = job.IsServiceOrSystem;
            var attempts = Setting(block, "attempts", b => b.Integer("attempts"), service ? 2 : 3);
            var interval = Setting(block, "interval", b => b.Duration("interval"), service ? 30 * GoDuration.Minute : 24 * GoDuration.Hour);
            var delay = Setting(block, "delay", b => b.Duration("delay"), 15 * GoDuration.Second);
            var mode = block?.String("mode") ?? "fail";
            if (mode is not ("delay" or "fail"))
            {
                yield return new(block!.At("mode"), $"Unsupported restart mode: \"{mode}\"");
            }

            if (attempts == 0 && mode != "fail")
            {
                yield return new(path, $"Restart policy \"{mode}\" with 0 attempts is ambiguous");
            }

            if (interval < 5 * GoDuration.Second)
            {
                yield return new(path, $"Interval can not be less than 5s (got {D(interval.Value)})");
            }

            if (attempts is { } a && interval is { } i && delay is { } d && a * d > i)
            {
                yield return new(path, $"Nomad can't restart the TaskGroup {a} times in an interval of {D(i)} with a delay of {D(d)}");
            }
        }
    }

    private static T? Setting<T>(HclBody? block, string name, Func<HclBody, T?> read, T fallback)
        where T : struct =>
        block is not null && block.Has(name) ? read(block) : fallback;

    private static IEnumerable<RuleFinding> ReschedulePolicy(NomadJob job)
    {
        var jobBlock = job.Body.Block("reschedule");
        foreach (var group in job.Groups)
        {
            var groupBlock = group.Body.Block("reschedule");
            var path = groupBlock?.Path ?? jobBlock?.Path ?? group.Body.At("reschedule");
            if (job.Type is "system" or "sysbatch")
            {
                if (jobBlock is not null || groupBlock is not null)
                {
                    yield return new(path, "System or sysbatch jobs should not have a reschedule policy");
                }

                continue;
            }

            var service = job.Type == "service";
            var batch = job.Type == "batch";
            HclBody?[] chain = [jobBlock, groupBlock];
            long? Duration(string name, long fallback) => NomadGroup.Resolve<long?>(chain, name, (b, n) => b.Duration(n), fallback).Value;
            var attempts = NomadGroup.Resolve<long?>(chain, "attempts", (b, n) => b.Integer(n), batch ? 1 : 0).Value;
            var unlimited = NomadGroup.Resolve<bool?>(chain, "unlimited", (b, n) => b.Bool(n), service).Value;
            var interval = Duration("interval", batch ? 24 * GoDuration.Hour : 0);
            var delay = Duration("delay", service ? 30 * GoDuration.Second : batch ? 5 * GoDuration.Second : 0);
            var maxDelay = Duration("max_delay", service ? GoDuration.Hour : 0);
            var function = NomadGroup.Resolve<string?>(chain, "delay_function", (b, n) => b.String(n), service ? "exponential" : batch ? "constant" : string.Empty).Value;
            if (attempts is null || unlimited is null || interval is null || delay is null || maxDelay is null || function is null)
            {
                continue; // not literal values: nothing to check
            }

            foreach (var message in RescheduleProblems(attempts.Value, unlimited.Value, interval.Value, delay.Value, maxDelay.Value, function))
            {
                yield return new(path, message);
            }
        }
    }

    private static IEnumerable<string> RescheduleProblems(long attempts, bool unlimited, long interval, long delay, long maxDelay, string function)
    {
        if (!(attempts > 0 || unlimited))
        {
            yield break; // not enabled
        }

        if (attempts > 0)
        {
            if (interval <= 0)
            {
                yield return "Interval must be a non zero value if Attempts > 0";
            }

            if (unlimited)
            {
                yield return "If Attempts >0, Unlimited cannot also be set to true";
            }
        }

        var preCheck = true;
        if (delay < 5 * GoDuration.Second)
        {
            yield return $"Delay cannot be less than 5s (got {D(delay)})";
            preCheck = false;
        }

        if (function is not ("constant" or "exponential" or "fibonacci"))
        {
            yield return $"Invalid delay function \"{function}\", must be one of [\"constant\" \"exponential\" \"fibonacci\"]";
            preCheck = false;
        }

        if (function != "constant")
        {
            if (maxDelay < 5 * GoDuration.Second)
            {
                yield return $"Max Delay cannot be less than 5s (got {D(maxDelay)})";
                preCheck = false;
            }

            if (maxDelay < delay)
            {
                yield return $"Max Delay cannot be less than Delay {D(delay)} (got {D(maxDelay)})";
                preCheck = false;
            }
        }

        if (unlimited)
        {
            yield break;
        }

        if (interval < 15 * GoDuration.Second)
        {
            yield return $"Interval cannot be less than 15s (got {D(interval)})";
        }

        if (preCheck && !ViableAttempts(attempts, interval, delay, maxDelay, function))
        {
            yield return $"Nomad can't make {attempts} attempts in {D(interval)} with initial delay {D(delay)} and delay function \"{function}\"";
        }
    }

    private static bool ViableAttempts(long attempts, long interval, long delay, long maxDelay, string function)
    {
        switch (function)
        {
            case "constant":
                return interval >= attempts * delay;
            case "exponential":
                long recommended = 0;
                var possible = 0;
                for (var i = 0; i < attempts; i++)
                {
                    var next = (long)Math.Pow(2, i) * delay;
                    if (next > maxDelay)
                    {
                        recommended += maxDelay;
                    }
                    else
                    {
                        recommended = next;
                    }

                    if (recommended < interval)
                    {
                        possible++;
                    }
                }

                return possible >= attempts;
            default: // fibonacci
                var slots = new List<long> { delay, delay };
                var reachedCeiling = false;
                for (var i = 2; i < attempts; i++)
                {
                    long next;
                    if (reachedCeiling)
                    {
                        next = slots[i - 1] + maxDelay;
                    }
                    else
                    {
                        next = slots[i - 1] + slots[i - 2];
                        if (next > maxDelay)
                        {
                            next = maxDelay;
                            reachedCeiling = true;
                        }
                    }

                    slots.Add(next);
                }

                return interval >= slots[^1];
        }
    }

    private static IEnumerable<RuleFinding> EphemeralDisk(NomadJob job) =>
        job.Groups.Where(group => group.EphemeralDiskMb < 10)
            .Select(group => new RuleFinding(group.Body.At("ephemeral_disk.size"), $"minimum DiskMB value is 10; got {group.EphemeralDiskMb}"));

    private static IEnumerable<RuleFinding> UpdateJobType(NomadJob job) =>
        job.IsServiceOrSystem
            ? []
            : job.Groups.Where(group => group.Update is not null)
                .Select(group => new RuleFinding(group.Update!.Path, $"Job type \"{job.Type}\" does not allow update block"));

    private static IEnumerable<RuleFinding> UpdateValues(NomadJob job)
    {
        foreach (var update in job.Groups.Select(group => group.Update).OfType<CanonicalUpdate>())
        {
            if (update.HealthCheck.Value is { } check && !check.Contains("${", StringComparison.Ordinal) && check is not ("checks" or "task_states" or "manual"))
            {
                yield return new(update.HealthCheck.PathOr(update.Path), $"Invalid health check given: \"{check}\"");
            }

            if (update.MaxParallel.Value < 0)
            {
                yield return new(update.MaxParallel.PathOr(update.Path), $"Max parallel can not be less than zero: {update.MaxParallel.Value} < 0");
            }

            if (update.Canary.Value < 0)
            {
                yield return new(update.Canary.PathOr(update.Path), $"Canary count can not be less than zero: {update.Canary.Value} < 0");
            }

            if (update.Canary.Value == 0 && update.AutoPromote.Value == true)
            {
                yield return new(update.AutoPromote.PathOr(update.Path), "Auto Promote requires a Canary count greater than zero");
            }

            if (update.MinHealthyTime.Value < 0)
            {
                yield return new(update.MinHealthyTime.PathOr(update.Path), $"Minimum healthy time may not be less than zero: {D(update.MinHealthyTime.Value.Value)}");
            }

            if (update.HealthyDeadline.Value <= 0)
            {
                yield return new(update.HealthyDeadline.PathOr(update.Path), $"Healthy deadline must be greater than zero: {D(update.HealthyDeadline.Value.Value)}");
            }

            if (update.ProgressDeadline.Value < 0)
            {
                yield return new(update.ProgressDeadline.PathOr(update.Path), $"Progress deadline must be zero or greater: {D(update.ProgressDeadline.Value.Value)}");
            }

            if (update.Stagger.Value <= 0)
            {
                yield return new(update.Stagger.PathOr(update.Path), $"Stagger must be greater than zero: {D(update.Stagger.Value.Value)}");
            }
        }
    }

    private static IEnumerable<RuleFinding> UpdateMinHealthyBelowHealthyDeadline(NomadJob job)
    {
        foreach (var update in job.Groups.Select(group => group.Update).OfType<CanonicalUpdate>())
        {
            if (update.MinHealthyTime.Value is { } min && update.HealthyDeadline.Value is { } healthy && min >= healthy)
            {
                var where = update.MinHealthyTime.Source ?? update.HealthyDeadline.PathOr(update.Path);
                yield return new(where, $"Minimum healthy time must be less than healthy deadline: {D(min)} > {D(healthy)}"
                    + Defaults(update.MinHealthyTime, update.HealthyDeadline));
            }
        }
    }

    private static IEnumerable<RuleFinding> UpdateHealthyBelowProgressDeadline(NomadJob job)
    {
        foreach (var update in job.Groups.Select(group => group.Update).OfType<CanonicalUpdate>())
        {
            if (update.ProgressDeadline.Value is { } progress && progress != 0 && update.HealthyDeadline.Value is { } healthy && healthy >= progress)
            {
                var where = update.HealthyDeadline.Source ?? update.ProgressDeadline.PathOr(update.Path);
                yield return new(where, $"Healthy deadline must be less than progress deadline: {D(healthy)} > {D(progress)}"
                    + Defaults(update.HealthyDeadline, update.ProgressDeadline));
            }
        }
    }

    private static string Defaults(Setting<long?> first, Setting<long?> second)
    {
        var defaults = new[] { ("first", first), ("second", second) }.Where(s => s.Item2.Source is null).ToList();
        return defaults.Count == 0 ? string.Empty : " (" + string.Join(", ", defaults.Select(s => $"{D(s.Item2.Value!.Value)} is Nomad's default")) + ")";
    }

    private static IEnumerable<RuleFinding> Migrate(NomadJob job)
    {
        var jobBlock = job.Body.Block("migrate");
        foreach (var group in job.Groups)
        {
            var groupBlock = group.Body.Block("migrate");
            var path = groupBlock?.Path ?? jobBlock?.Path ?? group.Body.At("migrate");
            if (job.Type != "service")
            {
                if (jobBlock is not null || groupBlock is not null)
                {
                    yield return new(path, $"Job type \"{job.Type}\" does not allow migrate block");
                }

                continue;
            }

            HclBody?[] chain = [jobBlock, groupBlock];
            var maxParallel = NomadGroup.Resolve<long?>(chain, "max_parallel", (b, n) => b.Integer(n), 1).Value;
            var check = NomadGroup.Resolve<string?>(chain, "health_check", (b, n) => b.String(n), "checks").Value;
            var min = NomadGroup.Resolve<long?>(chain, "min_healthy_time", (b, n) => b.Duration(n), 10 * GoDuration.Second).Value;
            var healthy = NomadGroup.Resolve<long?>(chain, "healthy_deadline", (b, n) => b.Duration(n), 5 * GoDuration.Minute).Value;
            if (maxParallel < 0)
            {
                yield return new(path, $"MaxParallel must be >= 0 but found {maxParallel}");
            }

            if (check is not null && check is not ("checks" or "task_states") && !(check.Length == 0 && maxParallel <= 0))
            {
                yield return new(path, check.Length == 0 ? "Missing HealthCheck" : $"Invalid HealthCheck: \"{check}\"");
            }

            if (min < 0 || healthy < 0)
            {
                yield return new(path, "MinHealthyTime and HealthyDeadline must be >= 0");
            }

            if (min > healthy)
            {
                yield return new(path, "MinHealthyTime must be less than HealthyDeadline");
            }
        }
    }

    private static IEnumerable<RuleFinding> VolumeRequest(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            var canaries = group.Update?.Canary.Value ?? 0;
            foreach (var (name, volume) in group.Volumes)
            {
                var type = volume.String("type") ?? string.Empty;
                if (type is not ("host" or "csi"))
                {
                    yield return new(volume.At("type"), $"volume has unrecognized type {type}");
                    continue;
                }

                if ((volume.String("source") ?? string.Empty).Length == 0)
                {
                    yield return new(volume.Path, "volume has an empty source");
                }

                var readOnly = volume.Bool("read_only") == true;
                if (volume.Bool("per_alloc") == true)
                {
                    if (job.Type is "system" or "sysbatch")
                    {
                        yield return new(volume.At("per_alloc"), "volume cannot be per_alloc for system or sysbatch jobs");
                    }

                    if (canaries > 0)
                    {
                        yield return new(volume.At("per_alloc"), "volume cannot be per_alloc when canaries are in use");
                    }

                    if (volume.Bool("sticky") == true)
                    {
                        yield return new(volume.At("per_alloc"), "volume cannot be per_alloc and sticky at the same time");
                    }
                }

                var accessMode = volume.String("access_mode") ?? string.Empty;
                if (type == "host")
                {
                    if (volume.Has("mount_options"))
                    {
                        yield return new(volume.At("mount_options"), "host volumes cannot have mount options");
                    }

                    if (accessMode == "single-node-reader-only" && !readOnly)
                    {
                        yield return new(volume.At("access_mode"), $"{accessMode} volumes must be read-only");
                    }
                    else if (accessMode is not ("" or "single-node-reader-only" or "single-node-writer" or "single-node-single-writer" or "single-node-multi-writer"))
                    {
                        yield return new(volume.At("access_mode"), $"host volumes cannot be mounted with {accessMode} access mode");
                    }
                }
                else
                {
                    if ((volume.String("attachment_mode") ?? string.Empty).Length == 0)
                    {
                        yield return new(volume.Path, "CSI volumes must have an attachment mode");
                    }

                    if (accessMode.Length == 0)
                    {
                        yield return new(volume.Path, "CSI volumes must have an access mode");
                    }
                }

                _ = name;
            }
        }
    }

    private static IEnumerable<RuleFinding> NetworkPorts(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            var labels = new HashSet<string>(StringComparer.Ordinal);
            var statics = new HashSet<(string, long)>();
            foreach (var network in group.Networks)
            {
                var mode = network.String("mode") ?? string.Empty;
                foreach (var (label, port) in network.Labelled("port"))
                {
                    if (!labels.Add(label))
                    {
                        yield return new(port.Path, $"Port label {label} already in use by taskgroup network");
                    }

                    var ignoreCollision = port.Bool("ignore_collision") == true;
                    if (port.Integer("static") is { } value && value != 0)
                    {
                        var hostNetwork = port.String("host_network") is { Length: > 0 } named ? named : "default";
                        if (statics.Contains((hostNetwork, value)))
                        {
                            if (!ignoreCollision)
                            {
                                yield return new(port.At("static"), $"Static port {value} already reserved");
                            }
                        }
                        else if (value > ushort.MaxValue)
                        {
                            yield return new(port.At("static"), $"Port {label} ({value}) cannot be greater than 65535");
                        }
                        else
                        {
                            statics.Add((hostNetwork, value));
                        }
                    }

                    if (port.Integer("to") is { } to && (to < -1 || to > ushort.MaxValue))
                    {
                        yield return new(port.At("to"), to < -1
                            ? $"Port \"{label}\" cannot be mapped to negative value {to}"
                            : $"Port \"{label}\" cannot be mapped to a port ({to}) greater than 65535");
                    }

                    if (ignoreCollision && mode is not ("" or "host"))
                    {
                        yield return new(port.At("ignore_collision"), $"Port \"{label}\" collision may not be ignored on non-host network mode \"{mode}\"");
                    }
                }
            }
        }
    }

    private static IEnumerable<RuleFinding> GroupServicesUnique(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            var seen = new HashSet<(string Task, string Name, string Port)>();
            var providers = new HashSet<string>(StringComparer.Ordinal);
            foreach (var task in group.Tasks)
            {
                foreach (var service in task.Services)
                {
                    if (service.Body.String("task") is { Length: > 0 } named && named != task.Name)
                    {
                        yield return new(service.Body.At("task"), $"Service {service.Name} is invalid: may only specify task the service belongs to, got \"{named}\"");
                    }

                    foreach (var check in service.Checks.Where(check => check.Body.String("task") is { Length: > 0 } named && named != task.Name))
                    {
                        yield return new(check.Body.At("task"), $"Check {check.Name} is invalid: may only specify task the check belongs to, got \"{check.Body.String("task")}\"");
                    }

                    if (!seen.Add((task.Name, service.Name, service.PortLabel)))
                    {
                        yield return new(service.Body.Path, $"Services are not unique: {task.Name}->{service.Name}{(service.PortLabel.Length > 0 ? ":" + service.PortLabel : "")}");
                    }

                    providers.Add(service.Provider);
                }
            }

            foreach (var service in group.Services)
            {
                if (!seen.Add(("group", service.Name, service.PortLabel)))
                {
                    yield return new(service.Body.Path, $"Services are not unique: group->{service.Name}{(service.PortLabel.Length > 0 ? ":" + service.PortLabel : "")}");
                }

                providers.Add(service.Provider);
            }

            if (providers.Count > 1)
            {
                yield return new(group.Body.Path, "Multiple service providers used: task group services must use the same provider");
            }
        }
    }

    private static IEnumerable<RuleFinding> GroupServiceChecks(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            var tasks = group.Tasks.Select(task => task.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var service in group.Services)
            {
                if (service.AddressMode == "driver")
                {
                    yield return new(service.Body.At("address_mode"), $"service \"{service.Name}\" cannot use address_mode=\"driver\", only services defined in a \"task\" block can use this mode");
                }

                foreach (var check in service.Checks)
                {
                    if (check.TaskName.Length > 0)
                    {
                        if (check.AddressMode == "driver")
                        {
                            yield return new(check.Body.At("address_mode"), $"Check \"{service.Name}\" invalid: cannot use address_mode=\"driver\", only checks defined in a \"task\" service block can use this mode");
                        }

                        if (!tasks.Contains(check.TaskName))
                        {
                            yield return new(check.Body.Path, $"Check {check.Name} invalid: refers to non-existent task {check.TaskName}");
                        }
                    }

                    if (service.TaskName.Length == 0 && check.Type == "script" && check.Body.String("task") is not { Length: > 0 })
                    {
                        yield return new(check.Body.Path, $"Service [{group.Name}]->{service.Name} or Check {check.Name} must specify task parameter");
                    }
                }
            }
        }
    }

    private static IEnumerable<NomadService> AllServices(NomadJob job) =>
        job.Groups.SelectMany(group => group.Services.Concat(group.Tasks.SelectMany(task => task.Services)));

    private static IEnumerable<RuleFinding> ServiceName(NomadJob job)
    {
        foreach (var service in AllServices(job))
        {
            var stripped = Interpolation().Replace(service.Name, "ENV-VAR");
            if (!Rfc1123().IsMatch(stripped))
            {
                yield return new(service.Body.At("name"), $"Service name must be valid per RFC 1123 and can contain only alphanumeric characters or dashes and must be no longer than 63 characters: \"{service.Name}\"");
            }
        }
    }

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex("^(?i:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])$")]
    private static partial Regex Rfc1123();

    private static IEnumerable<RuleFinding> ServiceModes(NomadJob job)
    {
        foreach (var service in AllServices(job))
        {
            switch (service.AddressMode)
            {
                case "auto":
                    break;
                case "host" or "driver" or "alloc" or "alloc_ipv6":
                    if ((service.Body.String("address") ?? string.Empty).Length > 0)
                    {
                        yield return new(service.Body.At("address"), "Service address_mode must be \"auto\" if address is set");
                    }

                    break;
                default:
                    yield return new(service.Body.At("address_mode"), $"Service address_mode must be \"auto\", \"host\", or \"driver\"; not \"{service.AddressMode}\"");
                    break;
            }

            if (service.OnUpdate is not ("require_healthy" or "ignore_warnings" or "ignore"))
            {
                yield return new(service.Body.At("on_update"), $"Service on_update must be \"require_healthy\", \"ignore_warnings\", or \"ignore\"; not \"{service.OnUpdate}\"");
            }

            if (service.Provider is not ("consul" or "nomad"))
            {
                yield return new(service.Body.At("provider"), $"Service provider must be \"consul\", or \"nomad\"; not \"{service.Provider}\"");
            }

            if (service.Provider == "nomad" && service.Body.Has("connect"))
            {
                yield return new(service.Body.At("connect"), "Service with provider nomad cannot include Connect blocks");
            }
        }
    }

    private static IEnumerable<NomadCheck> AllChecks(NomadJob job) => AllServices(job).SelectMany(service => service.Checks);

    // Service.Validate skips the rest of a check's validation when its port is missing (validateCheckPort).
    private static bool PortMissing(NomadCheck check) => check.RequiresPort && check.EffectivePort.Length == 0;

    private static IEnumerable<RuleFinding> CheckTypeByProvider(NomadJob job)
    {
        foreach (var check in AllChecks(job).Where(check => !PortMissing(check)))
        {
            var allowed = check.Service.Provider == "nomad" ? new[] { "tcp", "http" } : ["grpc", "tcp", "http", "script"];
            if (check.Service.Provider is "nomad" or "consul" && !allowed.Contains(check.Type))
            {
                yield return new(check.Body.At("type"), $"invalid check type (\"{check.Type}\"), must be one of {string.Join(", ", allowed)}");
            }
        }
    }

    private static IEnumerable<RuleFinding> CheckFields(NomadJob job)
    {
        foreach (var check in AllChecks(job).Where(check => !PortMissing(check)))
        {
            if (check.Service.Provider is not ("nomad" or "consul"))
            {
                continue;
            }

            // validateCommon returns at the first problem; so does this.
            if (CheckFieldProblem(check) is { } problem)
            {
                yield return problem;
            }
        }
    }

    private static RuleFinding? CheckFieldProblem(NomadCheck check)
    {
        var body = check.Body;
        if (check.Type == "http")
        {
            var path = body.String("path") ?? string.Empty;
            if (path.Length == 0)
            {
                return new(body.Path, "http type must have http path");
            }

            var parsed = GoUrl.Parse(body.Text("path")!);
            if (parsed.Error is not null)
            {
                return new(body.At("path"), $"http type must have valid http path ({parsed.Error})");
            }

            if (parsed.IsAbsolute)
            {
                return new(body.At("path"), "http type must have relative http path");
            }
        }

        if (check.Type == "script" && (body.String("command") ?? string.Empty).Length == 0)
        {
            return new(body.Path, "script type must have a valid script path");
        }

        var interval = body.Has("interval") ? body.Duration("interval") : 0;
        if (interval == 0)
        {
            return new(body.Path, "missing required value interval. Interval cannot be less than 1s");
        }

        if (interval < GoDuration.Second)
        {
            return new(body.At("interval"), $"interval ({D(interval.Value)}) cannot be lower than 1s");
        }

        var timeout = body.Has("timeout") ? body.Duration("timeout") : 0;
        if (timeout == 0)
        {
            return new(body.Path, "missing required value timeout. Timeout cannot be less than 1s");
        }

        if (timeout < GoDuration.Second)
        {
            return new(body.At("timeout"), $"timeout ({D(timeout.Value)}) is lower than required minimum timeout 1s");
        }

        if (body.String("initial_status") is { } status && status is not ("" or "passing" or "warning" or "critical"))
        {
            return new(body.At("initial_status"), $"invalid initial check state ({status}), must be one of \"passing\", \"warning\", \"critical\" or empty");
        }

        if (check.AddressMode is not ("" or "host" or "driver" or "alloc" or "alloc_ipv6"))
        {
            return new(body.At("address_mode"), check.AddressMode == "auto"
                ? "invalid address_mode \"auto\" - auto only valid for services"
                : $"invalid address_mode \"{check.AddressMode}\"");
        }

        if (check.OnUpdate is not ("" or "ignore" or "require_healthy" or "ignore_warnings"))
        {
            return new(body.At("on_update"), $"on_update must be \"require_healthy\", \"ignore_warnings\", or \"ignore\"; got \"{check.OnUpdate}\"");
        }

        if (check.CheckRestart is { } restart)
        {
            if (check.OnUpdate == "ignore")
            {
                return new(restart.Path, "on_update value \"ignore\" is not compatible with check_restart");
            }

            if (restart.Bool("ignore_warnings") != true && check.OnUpdate == "ignore_warnings")
            {
                return new(restart.Path, "on_update value \"ignore_warnings\" not supported with check_restart ignore_warnings value \"false\"");
            }

            if (restart.Integer("limit") < 0)
            {
                return new(restart.At("limit"), "limit must be greater than or equal to 0");
            }

            if (restart.Duration("grace") < 0)
            {
                return new(restart.At("grace"), "grace period must be greater than or equal to 0");
            }
        }

        return null;
    }

    private static IEnumerable<RuleFinding> CheckNomadProviderLimits(NomadJob job)
    {
        foreach (var check in AllChecks(job).Where(check => check.Service.Provider == "nomad" && !PortMissing(check) && CheckFieldProblem(check) is null && check.Type is "http" or "tcp"))
        {
            var body = check.Body;
            var problem =
                body.Bool("expose") == true ? "expose may only be set for Consul service checks"
                : check.OnUpdate == "ignore_warnings" ? "on_update may only be set to ignore_warnings for Consul service checks"
                : check.CheckRestart?.Bool("ignore_warnings") == true ? "ignore_warnings on check_restart only supported for Consul service checks"
                : check.AddressMode == "driver" ? "address_mode = driver may only be set for Consul service checks"
                : check.Type == "http" && body.String("method") is { Length: > 0 } method && !HttpMethods.Contains(method) ? $"method type \"{method}\" not supported in Nomad http check"
                : body.Integer("success_before_passing") is { } s && s != 0 ? "success_before_passing may only be set for Consul service checks"
                : body.Integer("failures_before_critical") is { } c && c != 0 ? "failures_before_critical may only be set for Consul service checks"
                : body.Integer("failures_before_warning") is { } w && w != 0 ? "failures_before_warning may only be set for Consul service checks"
                : (body.String("tls_server_name") ?? string.Empty).Length > 0 ? "tls_server_name may only be set for Consul service checks"
                : null;
            if (problem is not null)
            {
                yield return new(body.Path, problem);
            }
        }
    }

    // helper.IsMethodHTTP: the methods of Go's net/http.
    private static readonly HashSet<string> HttpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"];

    private static IEnumerable<RuleFinding> CheckPort(NomadJob job)
    {
        foreach (var check in AllChecks(job))
        {
            if (PortMissing(check))
            {
                yield return new(check.Body.Path, $"Check {check.Name} invalid: check requires a port but neither check nor service \"{check.Service.Name}\" have a port");
                continue;
            }

            if (check.Service.Task is null || !check.RequiresPort || !NomadCheck.IsNumeric(check.EffectivePort))
            {
                continue;
            }

            var number = long.Parse(check.EffectivePort, CultureInfo.InvariantCulture);
            if (check.AddressMode != "driver")
            {
                yield return new(check.Body.Path, $"check \"{check.Name}\" cannot use a numeric port {number} without setting address_mode=\"driver\"");
            }
            else if (number <= 0)
            {
                yield return new(check.Body.Path, $"check \"{check.Name}\" has invalid numeric port {number}");
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskServicePorts(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            var labels = (task.Group.Networks.Count > 0 ? task.Group.Networks[0].Labelled("port").Select(port => port.Label) : [])
                .Concat(task.Resources?.Blocks("network").SelectMany(network => network.Labelled("port").Select(port => port.Label)) ?? [])
                .ToHashSet(StringComparer.Ordinal);
            foreach (var service in task.Services)
            {
                if (service.PortLabel.Length > 0 && !(service.AddressMode == "driver" && NomadCheck.IsNumeric(service.PortLabel)) && !labels.Contains(service.PortLabel))
                {
                    yield return new(service.Body.At("port"), $"port label \"{service.PortLabel}\" referenced by services {service.Name} does not exist");
                }

                foreach (var check in service.Checks.Where(check => check.RequiresPort && check.EffectivePort.Length > 0 && !NomadCheck.IsNumeric(check.EffectivePort)))
                {
                    if (!labels.Contains(check.EffectivePort) && check.EffectivePort != service.PortLabel)
                    {
                        yield return new(check.Body.At("port"), $"port label \"{check.EffectivePort}\" referenced by services {service.Name} does not exist");
                    }
                }
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskServices(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            var known = new HashSet<string>(StringComparer.Ordinal);
            foreach (var service in task.Services)
            {
                if (service.AddressMode is "alloc" or "alloc_ipv6")
                {
                    yield return new(service.Body.At("address_mode"), $"service \"{service.Name}\" cannot use address_mode=\"{service.AddressMode}\", only services defined in a \"group\" block can use this mode");
                }

                if (!known.Add(service.Name + service.PortLabel))
                {
                    yield return new(service.Body.Path, $"service \"{service.Name}\" is duplicate");
                }

                if (service.Body.Has("connect"))
                {
                    yield return new(service.Body.At("connect"), $"service \"{service.Name}\" cannot have \"connect\" block, only services defined in a \"group\" block can");
                }

                var checks = new HashSet<string>(StringComparer.Ordinal);
                foreach (var check in service.Checks)
                {
                    if (!checks.Add(check.Name))
                    {
                        yield return new(check.Body.Path, $"check \"{check.Name}\" is duplicate");
                    }

                    if (check.AddressMode is "alloc" or "alloc_ipv6")
                    {
                        yield return new(check.Body.At("address_mode"), $"check \"{service.Name}\" cannot use address_mode=\"{check.AddressMode}\", only checks defined in a \"group\" service block can use this mode");
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- task

    private static IEnumerable<RuleFinding> TaskName(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            if (task.Name == "alloc")
            {
                yield return new(task.Body.Path, "Task cannot be named \"alloc\"");
            }

            if (task.Name.IndexOfAny(['/', '\\']) >= 0)
            {
                yield return new(task.Body.Path, "Task name cannot include slashes");
            }
            else if (task.Name.Contains('\0', StringComparison.Ordinal))
            {
                yield return new(task.Body.Path, "Task name cannot include null characters");
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskDriver(NomadJob job) =>
        job.Tasks.Where(task => string.IsNullOrEmpty(task.Driver) && !task.Body.Has("driver"))
            .Select(task => new RuleFinding(task.Body.Path, "Missing task driver"));

    private static IEnumerable<RuleFinding> TaskKillTimeout(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            if (task.KillTimeout < 0)
            {
                yield return new(task.Body.At("kill_timeout"), "KillTimeout must be a positive value");
            }
            else if (job.Type == "service" && task.Group.Update?.ProgressDeadline.Value is { } progress && progress > 0 && task.KillTimeout > progress)
            {
                yield return new(task.Body.At("kill_timeout"), $"KillTimout ({D(task.KillTimeout.Value)}) longer than the group's ProgressDeadline ({D(progress)})");
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskResources(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            var resources = task.Resources;
            var path = resources?.Path ?? task.Body.At("resources");
            var coresSet = resources?.Has("cores") == true;
            var cores = coresSet ? resources!.Integer("cores") : 0;
            var cpu = resources?.Has("cpu") == true ? resources.Integer("cpu") : coresSet ? 0 : 100;
            var memory = resources?.Has("memory") == true ? resources.Integer("memory") : 300;
            var memoryMax = resources?.Integer("memory_max") ?? 0;
            if (cores > 0 && cpu > 0)
            {
                yield return new(path, "Task can only ask for 'cpu' or 'cores' resource, not both.");
            }

            if (cores < 0)
            {
                yield return new(resources!.At("cores"), $"cores value ({cores}) cannot be negative");
            }

            if (cpu < 1 && cores == 0)
            {
                yield return new(resources!.At("cpu"), $"minimum CPU value is 1; got {cpu}");
            }

            if (memory < 10)
            {
                yield return new(resources!.At("memory"), $"minimum MemoryMB value is 10; got {memory}");
            }

            if (resources?.Has("disk") == true && resources.Integer("disk") > 0)
            {
                yield return new(resources.At("disk"), "Task can't ask for disk resources, they have to be specified at the task group level.");
            }

            if (memoryMax != 0 && memoryMax != -1 && memory is { } mb && memoryMax < mb)
            {
                yield return new(resources!.At("memory_max"), $"MemoryMaxMB value ({memoryMax}) should be larger than MemoryMB value ({mb})");
            }

            if (resources?.Integer("secrets") is { } secrets && memory is { } m2 && (secrets > m2 || secrets < 0))
            {
                yield return new(resources.At("secrets"), secrets < 0 ? $"SecretsMB value ({secrets}) cannot be negative" : $"SecretsMB value ({secrets}) cannot be larger than MemoryMB value ({m2})");
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskLogs(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            var logs = task.Body.Block("logs");
            var files = logs is not null && logs.Has("max_files") ? logs.Integer("max_files") : 10;
            var size = logs is not null && logs.Has("max_file_size") ? logs.Integer("max_file_size") : 10;
            var path = logs?.Path ?? task.Body.At("logs");
            if (files < 1)
            {
                yield return new(path, $"minimum number of files is 1; got {files}");
            }

            if (size < 1)
            {
                yield return new(path, $"minimum file size is 1MB; got {size}");
            }

            if (files is { } f && size is { } s && task.Group.EphemeralDiskMb is { } disk && disk <= f * s)
            {
                yield return new(path, $"log storage ({f * s} MB) must be less than requested disk capacity ({disk} MB)");
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskTemplates(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            var destinations = new HashSet<string>(StringComparer.Ordinal);
            foreach (var template in task.Body.Blocks("template"))
            {
                if ((template.String("source") ?? string.Empty).Length == 0 && (template.String("data") ?? string.Empty).Length == 0)
                {
                    yield return new(template.Path, "Must specify a source path or have an embedded template");
                }

                var destination = template.String("destination") ?? string.Empty;
                if (destination.Length == 0)
                {
                    yield return new(template.Path, "Must specify a destination for the template");
                }
                else if (EscapesAllocation(destination))
                {
                    yield return new(template.At("destination"), "destination escapes allocation directory");
                }

                if (!destinations.Add(destination))
                {
                    yield return new(template.At("destination"), $"Template has same destination as another: \"{destination}\"");
                }

                var mode = template.String("change_mode") ?? "restart";
                switch (mode)
                {
                    case "noop" or "restart":
                        break;
                    case "signal":
                        // api Template.Canonicalize defaults change_signal to SIGHUP, so only env conflicts here.
                        if (template.Bool("env") == true)
                        {
                            yield return new(template.Path, "cannot use signals with env var templates");
                        }

                        break;
                    case "script":
                        if ((template.Block("change_script")?.String("command") ?? string.Empty).Length == 0)
                        {
                            yield return new(template.Path, "must specify change script configuration value when change mode is script");
                        }

                        break;
                    default:
                        yield return new(template.At("change_mode"), "Invalid change mode. Must be one of the following: noop, signal, script, restart");
                        break;
                }

                if (template.Duration("splay") < 0)
                {
                    yield return new(template.At("splay"), "Must specify positive splay value");
                }

                if (template.String("perms") is { } perms && !IsOctalPerms(perms))
                {
                    yield return new(template.At("perms"), $"Failed to parse \"{perms}\" as octal");
                }

                if (template.Block("wait") is { } wait && wait.Duration("min") is { } min && wait.Duration("max") is { } max && min > max)
                {
                    yield return new(wait.Path, $"wait min {D(min)} is greater than max {D(max)}");
                }
            }
        }
    }

    // strconv.ParseUint(perms, 8, 12): octal digits (optionally with Go's 0o prefix or _ separators not used here) up to 07777.
    private static bool IsOctalPerms(string perms)
    {
        var digits = perms.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? perms[2..] : perms;
        return digits.Length > 0 && digits.All(c => c is >= '0' and <= '7') && Convert.ToUInt64(digits, 8) <= 0xFFF;
    }

    // escapingfs.PathEscapesAllocViaRelative("task", dest): join /alloc-dir/alloc-id/task/DEST, clean it, and see whether
    // the path relative to /alloc-dir/alloc-id starts with "..".
    private static bool EscapesAllocation(string destination)
    {
        var parts = new List<string>();
        foreach (var part in ("task/" + destination).Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else
                {
                    parts.Add(".."); // would climb above /alloc-dir/alloc-id (or higher; clean keeps it at the root, still "..")
                }
            }
            else
            {
                parts.Add(part);
            }
        }

        var relative = string.Join('/', parts);
        return relative.StartsWith("..", StringComparison.Ordinal);
    }

    private static IEnumerable<RuleFinding> TaskVault(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            if (task.Body.Block("vault") is { } vault && vault.String("change_mode") is { } mode && mode is not ("noop" or "restart" or "signal"))
            {
                yield return new(vault.At("change_mode"), $"Unknown change mode \"{mode}\"");
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskLifecycle(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            if (task.Body.Block("lifecycle") is { } lifecycle)
            {
                var hook = lifecycle.String("hook") ?? string.Empty;
                if (hook.Length == 0)
                {
                    yield return new(lifecycle.Path, "no lifecycle hook provided");
                }
                else if (hook is not ("prestart" or "poststart" or "poststop"))
                {
                    yield return new(lifecycle.At("hook"), $"invalid hook: {hook}");
                }
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskVolumeMounts(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            var volumes = task.Group.Volumes.Select(volume => volume.Label).ToHashSet(StringComparer.Ordinal);
            foreach (var mount in task.Body.Blocks("volume_mount"))
            {
                var volume = mount.String("volume") ?? string.Empty;
                if (volume.Length == 0)
                {
                    yield return new(mount.Path, "volume mount references an empty volume");
                }
                else if (!volumes.Contains(volume))
                {
                    yield return new(mount.At("volume"), $"Volume Mount references undefined volume {volume}");
                }

                if (mount.String("propagation_mode") is { } propagation && propagation is not ("" or "private" or "host-to-task" or "bidirectional"))
                {
                    yield return new(mount.At("propagation_mode"), $"volume mount has an invalid propagation mode: \"{propagation}\"");
                }

                if (mount.String("selinux_label") is { } label && label is not ("" or "z" or "Z"))
                {
                    yield return new(mount.At("selinux_label"), $"volume mount has an invalid SELinux label: \"{label}\"");
                }
            }
        }
    }

    private static IEnumerable<RuleFinding> TaskConstraints(NomadJob job)
    {
        foreach (var task in job.Tasks)
        {
            foreach (var constraint in task.Body.Blocks("constraint"))
            {
                var operand = constraint.String("operator");
                if (operand is "distinct_hosts" or "distinct_property" || constraint.Has("distinct_hosts") || constraint.Has("distinct_property"))
                {
                    yield return new(constraint.Path, $"Constraint has disallowed Operand at task level: {operand ?? (constraint.Has("distinct_hosts") ? "distinct_hosts" : "distinct_property")}");
                }
            }
        }
    }

    // ---------------------------------------------------------------- docker driver

    private static IEnumerable<RuleFinding> DockerHostNetworkMode(NomadJob job)
    {
        foreach (var task in job.Tasks.Where(task => task.IsDocker && task.Group.NetworkMode == "host"))
        {
            var mode = task.Config?.String("network_mode");
            if (mode != "host")
            {
                yield return new((task.Config ?? task.Body).At("network_mode"), mode is null
                    ? "the group network is mode \"host\" but the docker task has no network_mode = \"host\": the container lands on Docker's default bridge network"
                    : $"the group network is mode \"host\" but the docker task's network_mode is \"{mode}\"");
            }
        }
    }

    private static IEnumerable<RuleFinding> DockerBridgeNetworkMode(NomadJob job)
    {
        foreach (var task in job.Tasks.Where(task => task.IsDocker && JoinsGroupNamespace(task.Group)))
        {
            if (task.Config?.String("network_mode") is { } mode)
            {
                yield return new(task.Config.At("network_mode"), $"the group network is mode \"{task.Group.NetworkMode}\" but the docker task sets network_mode = \"{mode}\": it leaves the group's network namespace");
            }
        }
    }

    // Nomad creates a network namespace for bridge and cni/* group networks; host (the default) and none share nothing.
    private static bool JoinsGroupNamespace(NomadGroup group) =>
        group.NetworkMode is { } mode && (mode == "bridge" || mode.StartsWith("cni/", StringComparison.Ordinal));

    private static IEnumerable<RuleFinding> DockerPorts(NomadJob job)
    {
        foreach (var task in job.Tasks.Where(task => task.IsDocker && task.Config is not null))
        {
            var joins = JoinsGroupNamespace(task.Group) && task.Config!.String("network_mode") is null;
            if (joins)
            {
                continue;
            }

            var labels = task.Group.Ports.Select(port => port.Label).ToHashSet(StringComparer.Ordinal);
            foreach (var port in task.Config!.Strings("ports").Where(port => !labels.Contains(port)))
            {
                yield return new(task.Config.At("ports"), $"Port \"{port}\" not found, check network block");
            }
        }
    }

    private static IEnumerable<RuleFinding> DockerMounts(NomadJob job)
    {
        foreach (var task in job.Tasks.Where(task => task.IsDocker && task.Config is not null))
        {
            foreach (var mount in task.Config!.Blocks("mount").Concat(task.Config.Blocks("mounts")))
            {
                var type = mount.String("type") ?? "volume";
                var source = mount.String("source") ?? string.Empty;
                switch (type)
                {
                    case "bind":
                        // expandPath joins a relative source to the task directory (ALLOC/TASK); the check is against ALLOC.
                        if (source.StartsWith('/') || EscapesAllocDir(source))
                        {
                            yield return new(mount.At("source"), $"volumes are not enabled; cannot mount host path: \"{source}\"");
                        }

                        break;
                    case "tmpfs":
                        if (source.Length > 0)
                        {
                            yield return new(mount.At("source"), "invalid source, must be \"\" for tmpfs");
                        }

                        break;
                    case "volume":
                        yield return new(mount.At("type"), $"volumes are not enabled; cannot mount volume: \"{source}\"");
                        break;
                    default:
                        yield return new(mount.At("type"), $"invalid mount type, must be \"bind\", \"volume\", \"tmpfs\": \"{type}\"");
                        break;
                }
            }
        }
    }

    /// <summary>Whether a path relative to ALLOC/TASK leaves ALLOC once cleaned (filepath.Clean, then the parent check).</summary>
    private static bool EscapesAllocDir(string relative)
    {
        var depth = 1; // inside ALLOC/TASK
        foreach (var part in relative.Split('/'))
        {
            if (part == "..")
            {
                depth--;
                if (depth < 0)
                {
                    return true;
                }
            }
            else if (part is not ("" or "."))
            {
                depth++;
            }
        }

        return false;
    }

    private static IEnumerable<RuleFinding> DockerPrivileged(NomadJob job) =>
        job.Tasks.Where(task => task.IsDocker && task.Config?.Bool("privileged") == true)
            .Select(task => new RuleFinding(task.Config!.At("privileged"), "Docker privileged mode is disabled on this Nomad agent (unless its docker plugin sets allow_privileged = true)"));

    private static IEnumerable<RuleFinding> DockerDns(NomadJob job)
    {
        foreach (var task in job.Tasks.Where(task => task.IsDocker && task.Config is not null))
        {
            foreach (var server in task.Config!.Strings("dns_servers").Where(server => !System.Net.IPAddress.TryParse(server, out _)))
            {
                yield return new(task.Config.At("dns_servers"), $"invalid ip address for container dns server: {server}");
            }

            if (JoinsGroupNamespace(task.Group) && task.Config.String("network_mode") is null)
            {
                foreach (var key in new[] { "dns_servers", "dns_search_domains", "dns_options" }.Where(key => task.Config.Strings(key).Count > 0))
                {
                    yield return new(task.Config.At(key), $"the docker task joins the group's {task.Group.NetworkMode} network namespace: Docker refuses DNS settings for a container in another's network (conflicting options: dns and the network mode)");
                }
            }
        }
    }

    // ---------------------------------------------------------------- warnings

    private static IEnumerable<RuleFinding> WarnMemoryMax(NomadJob job) =>
        job.Tasks.Where(task => task.Resources?.Integer("memory_max") is { } max && max != 0)
            .Select(task => new RuleFinding(task.Resources!.At("memory_max"),
                $"Memory oversubscription is not enabled; Task \"{task.Group.Name}.{task.Name}\" memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription."));

    private static IEnumerable<RuleFinding> WarnShutdownDelay(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            var unscoped = false;
            foreach (var service in group.Services)
            {
                if (service.Body.String("task") is { Length: > 0 } task)
                {
                    referenced.Add(task);
                    continue;
                }

                if (service.Body.Block("connect")?.Block("sidecar_task") is { } sidecar)
                {
                    if (!sidecar.Has("shutdown_delay"))
                    {
                        yield return new(sidecar.Path, $"service \"{service.Name}\" defines a sidecar task in Consul Connect definition, but the task has no shutdown_delay set");
                    }

                    continue;
                }

                unscoped = true;
            }

            var anyTaskDelay = false;
            foreach (var task in group.Tasks)
            {
                if (referenced.Contains(task.Name) && task.ShutdownDelay == 0)
                {
                    yield return new(task.Body.Path, $"group \"{group.Name}\" references task \"{task.Name}\" in a service definition, but the task has no shutdown_delay set");
                }

                if (task.ShutdownDelay > 0)
                {
                    anyTaskDelay = true;
                }
                else if (task.Services.Count > 0)
                {
                    yield return new(task.Body.Path, $"task \"{task.Name}\" in group \"{group.Name}\" defines services, but has no shutdown_delay set");
                }
            }

            var groupDelay = group.Body.Duration("shutdown_delay") > 0;
            if (unscoped && !groupDelay && !anyTaskDelay)
            {
                yield return new(group.Body.Path, $"group \"{group.Name}\" defines services, but neither the group nor any of its tasks have shutdown_delay set");
            }
        }
    }

    private static IEnumerable<RuleFinding> WarnMaxParallelOverCount(NomadJob job) =>
        job.Groups.Where(group => group.Update is { } update && group.Count > 1 && update.MaxParallel.Value > group.Count)
            .Select(group => new RuleFinding(group.Update!.MaxParallel.PathOr(group.Update.Path),
                $"Update max parallel count is greater than task group count ({group.Update.MaxParallel.Value} > {group.Count}). A destructive change would result in the simultaneous replacement of all allocations."));

    private static IEnumerable<RuleFinding> WarnCronDeprecated(NomadJob job)
    {
        if (job.Periodic is { } periodic && (periodic.String("cron") ?? string.Empty).Length > 0)
        {
            yield return new(periodic.At("cron"), "cron is deprecated and may be removed in a future release. Use crons instead");
        }
    }

    private static IEnumerable<RuleFinding> WarnAutoPromoteMixed(NomadJob job)
    {
        var updates = job.Groups.Select(group => group.Update).OfType<CanonicalUpdate>().ToList();
        var any = updates.Any(update => update.AutoPromote.Value == true);
        var all = updates.All(update => update.Canary.Value == 0 || update.AutoPromote.Value == true);
        if (any && !all)
        {
            yield return new(job.Body.Path, "auto_promote must be true for all groups to enable automatic promotion");
        }
    }

    private static IEnumerable<RuleFinding> WarnDeprecatedFields(NomadJob job)
    {
        foreach (var group in job.Groups)
        {
            if (group.Networks.Count > 0 && group.Networks[0].Integer("mbits") > 0)
            {
                yield return new(group.Networks[0].At("mbits"), "mbits has been deprecated as of Nomad 0.12.0. Please remove mbits from the network block");
            }

            foreach (var task in group.Tasks)
            {
                if (task.Resources?.Integer("iops") is { } iops && iops != 0)
                {
                    yield return new(task.Resources.At("iops"), "IOPS has been deprecated as of Nomad 0.9.0. Please remove IOPS from resource block.");
                }

                if (task.Resources?.Blocks("network").Count > 0)
                {
                    yield return new(task.Resources.At("network"), "task network resources have been deprecated as of Nomad 0.12.0. Please configure networking via group network block.");
                }

                foreach (var template in task.Body.Blocks("template").Where(template => template.Duration("vault_grace") is { } grace && grace != 0))
                {
                    yield return new(template.At("vault_grace"), "VaultGrace has been deprecated as of Nomad 0.11 and ignored since Vault 0.5. Please remove VaultGrace / vault_grace from template block.");
                }
            }
        }
    }
}

using System.Collections.Concurrent;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

/// <summary>The fleet defaults file, <c>nomad-db.yaml</c>: the fleet's name and its <c>defaults:</c>.</summary>
internal sealed class FleetDefaultsFileSpec
{
    /// <summary>
    /// Names the fleet: every job of a spec in this directory and below carries it in its meta (nomad_db_fleet), so
    /// that `plan` names the fleet's jobs in Nomad whose spec is gone and `run --prune` stops them. Setting or changing
    /// it changes each job's meta, which Nomad applies by replacing each allocation once.
    /// </summary>
    [SpecPattern(Rules.NamePattern)]
    public string? Fleet { get; set; }
    /// <summary>Values every job in this directory and below gets unless its spec (or its preset) says otherwise.</summary>
    public FleetDefaultsSpec? Defaults { get; set; }
}

/// <summary>
/// Fleet defaults: placement, network and update policy for every job; `app`, `postgres` and `backup` fill in keys of
/// those sections in the jobs that have them (a job without backups gets none from here). A job or its preset
/// overrides any key; `~` in a job removes a default.
/// </summary>
internal sealed class FleetDefaultsSpec : PlacementKeysSpec
{
    /// <summary>How the service jobs' host volumes are provisioned.</summary>
    public HostVolumesSpec? HostVolumes { get; set; }
    /// <summary>Defaults for the app task of each service job.</summary>
    public FleetAppDefaultsSpec? App { get; set; }
    /// <summary>Defaults for each job's PostgreSQL task (the dedicated sidecars and the shared instance).</summary>
    public PostgresServerSpec? Postgres { get; set; }
    /// <summary>Defaults for the backups of jobs that have `backup:`.</summary>
    public BackupPolicySpec? Backup { get; set; }
}

/// <summary>Fleet defaults of the app task.</summary>
internal sealed class FleetAppDefaultsSpec
{
    /// <summary>CPU and memory of each app task.</summary>
    public ResourcesSpec? Resources { get; set; }
}

/// <summary>
/// The fleet defaults that apply to a spec file: the nearest <c>nomad-db.yaml</c> in its directory or a parent
/// directory, looking no further up than a repository root (a directory holding <c>.git</c>). The defaults are laid
/// under each job after its preset, node by node (<see cref="YamlOverlay"/>), so a value from them is read, validated
/// and located like one written in the spec: a diagnostic points at the line of <c>nomad-db.yaml</c> it came from and
/// names the spec that used it.
/// </summary>
internal sealed class FleetDefaults
{
    /// <summary>The name of the fleet defaults file.</summary>
    public const string FileName = "nomad-db.yaml";

    /// <summary>The sections that defaults only fill in: a job without one does not get it from the defaults.</summary>
    private static readonly string[] Sections = ["app", "postgres", "backup"];

    /// <summary>The keys that also apply to a legacy shared instance (it has no app and no host volume provisioning).</summary>
    private static readonly string[] SharedKeys = ["datacenters", "namespace", "region", "nodePool", "priority", "constraints", "network", "update", "postgres", "backup"];

    private readonly YamlMapping _defaults;

    private FleetDefaults(string file, string? fleet, YamlMapping defaults)
    {
        File = file;
        Fleet = fleet;
        _defaults = defaults;
    }

    /// <summary>The defaults file, as a path like the spec's (relative when the spec's is).</summary>
    public string File { get; }

    /// <summary>The fleet's name (<c>fleet:</c>), or null: the jobs of every spec under the file's directory are its jobs.</summary>
    public string? Fleet { get; }

    /// <summary>The defaults file that applies to <paramref name="specFile"/>, or null.</summary>
    public static string? Locate(string specFile)
    {
        var full = Path.GetFullPath(specFile);
        var directory = Path.GetDirectoryName(full);
        while (directory is not null)
        {
            var candidate = Path.Combine(directory, FileName);
            if (System.IO.File.Exists(candidate))
            {
                return Path.IsPathRooted(specFile) ? candidate : Path.GetRelativePath(Environment.CurrentDirectory, candidate);
            }

            if (Directory.Exists(Path.Combine(directory, ".git")) || System.IO.File.Exists(Path.Combine(directory, ".git")))
            {
                return null;
            }

            directory = Path.GetDirectoryName(directory);
        }

        return null;
    }

    /// <summary>True when <paramref name="file"/> is named like a fleet defaults file (it is never read as a job spec).</summary>
    public static bool IsDefaultsFile(string file) => Path.GetFileName(file) == FileName;

    /// <summary>
    /// Reads a defaults file strictly (unknown keys, wrong types, keys that are per job); problems go to
    /// <paramref name="diagnostics"/>, and a file with an error gives no defaults.
    /// </summary>
    public static FleetDefaults? Load(string file, List<Diagnostic> diagnostics)
    {
        var (text, error) = SpecInputs.Read(file);
        if (text is null)
        {
            diagnostics.Add(error!);
            return null;
        }

        return Parse(text, file, diagnostics);
    }

    /// <summary>Reads defaults given as text; <paramref name="file"/> names it in diagnostics.</summary>
    public static FleetDefaults? Parse(string text, string file, List<Diagnostic> diagnostics)
    {
        var before = diagnostics.Count;
        YamlNode? root;
        try
        {
            root = YamlTree.Load(text, file);
        }
        catch (SpecSyntaxException exception)
        {
            diagnostics.Add(Diagnostic.Error(exception.Code, exception.Message, exception.Path, exception.Location));
            return null;
        }

        if (root is not YamlMapping mapping || mapping.Entries.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(ErrorCodes.WrongType, $"the fleet defaults file {FileName} holds a mapping: `fleet:` (the fleet's name) and `defaults:` (datacenters, namespace, network, update, postgres, backup …)",
                string.Empty, root?.Location ?? new SourceLocation(file, 1, 1)));
            return null;
        }

        if (mapping.Entries.FirstOrDefault(e => e.Key.Value is not ("fleet" or "defaults")) is { } unknown)
        {
            diagnostics.Add(Diagnostic.Error(ErrorCodes.UnknownKey, $"unknown key '{Echo.Value(unknown.Key.Value)}' in the fleet defaults file {FileName}: it holds `fleet:` (the fleet's name) and `defaults:` (the values, such as `defaults: {{ {Echo.Value(unknown.Key.Value)}: … }}`)", unknown.Key.Value, unknown.Key.Location));
            return null;
        }

        new SpecReader(new SourceMap(file), diagnostics).Read<FleetDefaultsFileSpec>(mapping, string.Empty);
        var fleet = mapping.Get("fleet") as YamlScalar;
        if (fleet is { IsNull: false } && !Rules.IsName(fleet.Value))
        {
            diagnostics.Add(Diagnostic.Error(ErrorCodes.InvalidName, PlacementValidator.FleetNameMessage(fleet.Value), "fleet", fleet.Location));
        }

        var defaults = mapping.Get("defaults") as YamlMapping ?? new YamlMapping(mapping.Location, []);
        if (diagnostics.Skip(before).Any(d => d.Severity == Severity.Error))
        {
            return null;
        }

        CheckAlone(defaults, file, diagnostics);
        return diagnostics.Skip(before).Any(d => d.Severity == Severity.Error) ? null : new FleetDefaults(file, fleet is { IsNull: false } ? fleet.Value : null, defaults);
    }

    /// <summary>Where the probe job of <see cref="CheckAlone"/> says it is: no file, so none of its own lines is reported.</summary>
    private const string ProbeFile = "<fleet defaults probe>";

    /// <summary>
    /// The smallest valid service job with every section the defaults fill in (app, postgres, backup) and no other
    /// value, so that nothing of its own hides a default.
    /// </summary>
    private const string ProbeJob = """
        name: fleet-defaults-probe
        app:
          image: example/fleet-defaults-probe:1
        postgres:
          password: { nomadVar: nomad/jobs/fleet-defaults-probe }
        backup: {}
        """;

    /// <summary>
    /// Checks the defaults on their own, with the reader, mapper and validators every job goes through: they are laid
    /// over <see cref="ProbeJob"/> (here the defaults win) and each error found at a line of the defaults file is
    /// reported there, once, as <c>defaults.PATH</c>. A default that no job uses yet (a misspelled word, a bad cron, a
    /// retention of -3) is found when the file is written, not when a job first takes it; and a value wrong with the
    /// built-in values for everything the file leaves out (a healthyDeadline beyond the default progressDeadline) is
    /// wrong for every job that does not override it, so the file says the pair. A file with such an error gives no
    /// defaults, so the jobs under it do not report it again.
    /// </summary>
    private static void CheckAlone(YamlMapping defaults, string file, List<Diagnostic> diagnostics)
    {
        if (defaults.Entries.Count == 0)
        {
            return;
        }

        var probe = (YamlMapping)YamlTree.Load(ProbeJob, ProbeFile)!;
        var merged = YamlOverlay.Merge(probe, defaults, static (node, _) => node);
        var map = new SourceMap(ProbeFile);
        map.Add(string.Empty, merged.Location);
        var found = new List<Diagnostic>();
        if (new SpecReader(map, found).Read<JobSpec>(merged, string.Empty) is { } spec)
        {
            var job = new SpecMapper(string.Empty, found, map).Map(spec);
            var readErrors = found.Select(d => d.Path).ToList();
            found.AddRange(NomadDb.Validate([new LoadedJob(job, ProbeFile, string.Empty, map) { ReadErrorPaths = readErrors }]));
        }

        diagnostics.AddRange(found
            .Where(d => d.Severity == Severity.Error && d.Location?.File == file)
            .Select(d => d with { Path = SpecReader.Join("defaults", d.Path) })
            .Distinct());
    }

    /// <summary>
    /// The job node with the defaults laid under it. <paramref name="shared"/> tells a legacy shared instance, which
    /// takes only the keys it has; <paramref name="specName"/> is named in the origin of every value taken from here.
    /// </summary>
    public YamlMapping ApplyTo(YamlMapping job, bool shared, string specName)
    {
        var applicable = _defaults.Entries
            .Where(e => (!shared || SharedKeys.Contains(e.Key.Value)) && (!Sections.Contains(e.Key.Value) || job.Get(e.Key.Value) is YamlMapping))
            .ToList();
        if (applicable.Count == 0)
        {
            return job;
        }

        var origin = $"fleet defaults, for {specName}";
        return YamlOverlay.Merge(_defaults with { Entries = applicable }, job, (node, _) => WithOrigin(node, origin));
    }

    private static YamlNode WithOrigin(YamlNode node, string origin)
    {
        var located = node with { Location = node.Location with { Origin = origin } };
        return located switch
        {
            YamlMapping m => m with { Entries = [.. m.Entries.Select(e => new YamlEntry((YamlScalar)WithOrigin(e.Key, origin), WithOrigin(e.Value, origin)))] },
            YamlSequence q => q with { Items = [.. q.Items.Select(i => WithOrigin(i, origin))] },
            _ => located,
        };
    }

    /// <summary>The defaults of each directory, read once per load (a fleet's thousand specs share one file).</summary>
    internal sealed class Cache
    {
        private readonly ConcurrentDictionary<string, Lazy<(FleetDefaults? Defaults, List<Diagnostic> Diagnostics)>> _byFile = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string?> _byDirectory = new(StringComparer.Ordinal);

        /// <summary>The defaults for <paramref name="specFile"/> and the diagnostics of reading them (the same list for every spec sharing the file).</summary>
        public (FleetDefaults? Defaults, List<Diagnostic> Diagnostics) For(string specFile)
        {
            var file = _byDirectory.GetOrAdd(Path.GetDirectoryName(Path.GetFullPath(specFile)) ?? string.Empty, _ => Locate(specFile));
            if (file is null)
            {
                return (null, []);
            }

            return _byFile.GetOrAdd(file, static f => new Lazy<(FleetDefaults?, List<Diagnostic>)>(() =>
            {
                var diagnostics = new List<Diagnostic>();
                return (Load(f, diagnostics), diagnostics);
            })).Value;
        }

        /// <summary>Every diagnostic of every defaults file read, each once.</summary>
        public IEnumerable<Diagnostic> Diagnostics => _byFile.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.Value.Diagnostics);
    }
}

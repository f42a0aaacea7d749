using NomadDbPatterns.Model;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

/// <summary>A job read from a spec file, with where it came from.</summary>
/// <param name="Job">The model.</param>
/// <param name="File">The spec file.</param>
/// <param name="BasePath">Path prefix of this job in the file (<c>jobs[2]</c>, or empty for a single-job file).</param>
/// <param name="Map">Positions of every spec path in the file.</param>
internal sealed record LoadedJob(ServiceJob Job, string File, string BasePath, SourceMap Map) : ISpecSite
{
    /// <summary>Spec paths that already had a reading error: validation does not report them a second time.</summary>
    public IReadOnlyList<string> ReadErrorPaths { get; init; } = [];

    /// <summary>The fleet defaults file laid under the job (<see cref="FleetDefaults"/>), or null.</summary>
    public string? DefaultsFile { get; init; }

    /// <summary>The full spec path of <paramref name="path"/> (relative to the job).</summary>
    public string PathOf(string path) => BasePath.Length == 0 ? path : path.Length == 0 ? BasePath : $"{BasePath}.{path}";

    /// <summary>The location of a path relative to the job.</summary>
    public SourceLocation Locate(string path) => Map.Locate(PathOf(path));
}

/// <summary>The result of loading spec files: jobs and diagnostics.</summary>
/// <param name="Jobs">Jobs that were read (possibly with diagnostics).</param>
/// <param name="Diagnostics">Everything found while reading.</param>
internal sealed record SpecLoadResult(IReadOnlyList<LoadedJob> Jobs, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when there is no error.</summary>
    public bool Success => Diagnostics.All(d => d.Severity != Severity.Error);

    /// <summary>Legacy shared PostgreSQL instances (<c>kind: shared-postgres</c>) that were read.</summary>
    public IReadOnlyList<LoadedSharedPostgres> SharedInstances { get; init; } = [];
}

/// <summary>Loads YAML spec files strictly: unknown or duplicate keys, wrong types and literal passwords are errors with positions.</summary>
internal static class SpecLoader
{
    /// <summary>File extensions read as specs.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".yaml", ".yml"];

    /// <summary>
    /// Expands files and directories (recursively, sorted) into spec files. Problems (a directory without specs, a
    /// symbolic link loop) are not reported here; <see cref="NomadDb"/> reports them as diagnostics.
    /// </summary>
    public static IReadOnlyList<string> ExpandInputs(IEnumerable<string> inputs) => SpecInputs.Expand(inputs, []);

    /// <summary>Loads every file; a file that does not exist is a diagnostic. The result is in the order of <paramref name="files"/>.</summary>
    public static SpecLoadResult LoadFiles(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var list = files as IReadOnlyList<string> ?? [.. files];
        var results = new SpecLoadResult[list.Count];
        var defaults = new FleetDefaults.Cache();
        // Files are independent: a fleet is read on every core, each result landing in its file's slot.
        if (list.Count >= ParallelThreshold && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, list.Count, i => results[i] = LoadFile(list[i], defaults));
        }
        else
        {
            for (var i = 0; i < list.Count; i++)
            {
                results[i] = LoadFile(list[i], defaults);
            }
        }

        var jobs = new List<LoadedJob>(list.Count);
        var shared = new List<LoadedSharedPostgres>();
        var diagnostics = new List<Diagnostic>(defaults.Diagnostics);
        foreach (var result in results)
        {
            jobs.AddRange(result.Jobs);
            shared.AddRange(result.SharedInstances);
            diagnostics.AddRange(result.Diagnostics);
        }

        return new SpecLoadResult(jobs, diagnostics) { SharedInstances = shared };
    }

    private const int ParallelThreshold = 32;

    private static SpecLoadResult LoadFile(string file, FleetDefaults.Cache defaults)
    {
        if (FleetDefaults.IsDefaultsFile(file) && File.Exists(file))
        {
            // Named on the command line, the defaults file is checked (its diagnostics come with the cache's); it holds no job.
            defaults.For(file);
            return new SpecLoadResult([], []);
        }

        var (text, error) = SpecInputs.Read(file);
        if (text is null)
        {
            return new SpecLoadResult([], [error!]);
        }

        return LoadText(text, file, defaults.For(file).Defaults);
    }

    /// <summary>
    /// Loads one spec document given as text; <paramref name="file"/> names it in diagnostics. <paramref name="defaults"/>,
    /// the fleet defaults that apply to it, are laid under each job after its preset.
    /// </summary>
    public static SpecLoadResult LoadText(string text, string file, FleetDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var diagnostics = new List<Diagnostic>();
        var map = new SourceMap(file);
        YamlNode? root;
        try
        {
            root = YamlTree.Load(text, file);
        }
        catch (SpecSyntaxException exception)
        {
            diagnostics.Add(Diagnostic.Error(exception.Code, exception.Message, exception.Path, exception.Location));
            return new SpecLoadResult([], diagnostics);
        }

        if (root is not YamlMapping mapping)
        {
            var location = root?.Location ?? new SourceLocation(file, 1, 1);
            diagnostics.Add(Diagnostic.Error(ErrorCodes.WrongType, "a spec file holds a job (a mapping with `name:`) or `jobs:` with a list of jobs", string.Empty, location));
            return new SpecLoadResult([], diagnostics);
        }

        map.Add(string.Empty, mapping.Location);
        var jobNodes = new List<(YamlNode Node, string Path)>();
        if (mapping.Get("jobs") is { } jobsNode)
        {
            if (mapping.Entries.Count > 1)
            {
                var extra = mapping.Entries.First(e => e.Key.Value != "jobs");
                diagnostics.Add(Diagnostic.Error(ErrorCodes.UnknownKey, $"unknown key '{Echo.Value(extra.Key.Value)}' beside `jobs:` (a file holds either one job or `jobs:`)", extra.Key.Value, extra.Key.Location));
            }

            map.Add("jobs", jobsNode.Location);
            if (jobsNode is YamlSequence sequence)
            {
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    if (sequence.Items[i] is YamlScalar { IsNull: true } empty)
                    {
                        // `- ~` or a bare `-` was silently skipped: a job lost to a stray line must be loud.
                        diagnostics.Add(Diagnostic.Error(ErrorCodes.WrongType, "an empty item in `jobs:`: write the job here or remove the `-`", $"jobs[{i}]", empty.Location));
                        continue;
                    }

                    jobNodes.Add((sequence.Items[i], $"jobs[{i}]"));
                }
            }
            else
            {
                diagnostics.Add(Diagnostic.Error(ErrorCodes.WrongType, "`jobs:` must be a list of jobs", "jobs", jobsNode.Location));
            }
        }
        else
        {
            jobNodes.Add((mapping, string.Empty));
        }

        var jobs = new List<LoadedJob>();
        var shared = new List<LoadedSharedPostgres>();
        foreach (var (node, path) in jobNodes)
        {
            var before = diagnostics.Count;
            if (SharedPostgresLoader.IsSharedPostgres(node))
            {
                if (SharedPostgresLoader.Load(defaults is not null && node is YamlMapping sharedMapping ? defaults.ApplyTo(sharedMapping, shared: true, file) : node, path, map, diagnostics) is { } instance)
                {
                    shared.Add(new LoadedSharedPostgres(instance with { Fleet = defaults?.Fleet }, file, path, map) { ReadErrorPaths = [.. diagnostics.Skip(before).Select(d => d.Path)], DefaultsFile = defaults?.File });
                }

                continue;
            }

            var job = LoadJob(node, path, map, diagnostics, defaults, file);
            if (job is not null)
            {
                jobs.Add(new LoadedJob(job with { Fleet = defaults?.Fleet }, file, path, map) { ReadErrorPaths = [.. diagnostics.Skip(before).Select(d => d.Path)], DefaultsFile = defaults?.File });
            }
        }

        return new SpecLoadResult(jobs, diagnostics) { SharedInstances = shared };
    }

    private static ServiceJob? LoadJob(YamlNode node, string path, SourceMap map, List<Diagnostic> diagnostics, FleetDefaults? defaults, string file)
    {
        map.Add(path, node.Location);
        if (node is YamlMapping jobMapping && jobMapping.Get("preset") is YamlScalar presetName && !presetName.IsNull)
        {
            var preset = PresetCatalog.Load(presetName.Value);
            if (preset is null)
            {
                diagnostics.Add(Diagnostic.Error(ErrorCodes.UnknownPreset, $"unknown preset '{Echo.Value(presetName.Value)}'; known presets: {string.Join(", ", PresetCatalog.Names)}", SpecReader.Join(path, "preset"), presetName.Location));
            }
            else
            {
                var name = (jobMapping.Get("name") as YamlScalar)?.Value ?? presetName.Value;
                node = PresetCatalog.Merge(preset, jobMapping, name, presetName.Location, presetName.Value);
            }
        }

        if (defaults is not null && node is YamlMapping merged)
        {
            node = defaults.ApplyTo(merged, shared: false, file);
        }

        var reader = new SpecReader(map, diagnostics);
        var spec = reader.Read<JobSpec>(node, path);
        if (spec is null)
        {
            return null;
        }

        return new SpecMapper(path, diagnostics, map).Map(spec);
    }
}

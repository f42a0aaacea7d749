using NomadDbPatterns.IO;
using NomadDbPatterns.Model;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns;

/// <summary>The result of loading, validating and rendering specs.</summary>
/// <param name="Files">Rendered files (empty when there is any error: bad input never yields partial output).</param>
/// <param name="Diagnostics">Errors and warnings, each with code, spec path and position.</param>
public sealed record RenderResult(IReadOnlyList<RenderedFile> Files, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when there is no error.</summary>
    public bool Success => Diagnostics.All(d => d.Severity != Severity.Error);
}

/// <summary>The result of rendering specs into a directory.</summary>
/// <param name="FileNames">Names of the files rendered, in spec order (empty when there is any error: nothing is written then).</param>
/// <param name="Diagnostics">Errors and warnings, each with code, spec path and position.</param>
public sealed record WriteResult(IReadOnlyList<string> FileNames, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>Generated files removed because no spec renders them any more (<see cref="RenderOptions.Prune"/>), in name order.</summary>
    public IReadOnlyList<string> Removed { get; init; } = [];

    /// <summary>True when there is no error.</summary>
    public bool Success => Diagnostics.All(d => d.Severity != Severity.Error);
}

/// <summary>How to render.</summary>
public sealed record RenderOptions
{
    /// <summary>Template overrides, or null for the embedded templates.</summary>
    public TemplateSet? Templates { get; init; }
    /// <summary>
    /// Directory spec paths in headers are relative to (default: each spec's root — the directory argument it was found
    /// in, or a file argument's own directory — so that the output does not depend on the working directory).
    /// </summary>
    public string? BaseDirectory { get; init; }
    /// <summary>The volume lock to check and update (<c>nomad-db.lock</c>), or null to skip the upgrade guard.</summary>
    public string? LockPath { get; init; }
    /// <summary>HCL job files (the default) or the JSON jobs of Nomad's HTTP API.</summary>
    public JobFormat Format { get; init; } = JobFormat.Hcl;
    /// <summary>
    /// Rendering into a directory: also remove the generated files there that no spec renders any more (a job file
    /// whose spec was deleted), recognised by name and by the generator's header; the lock file is never removed.
    /// </summary>
    public bool Prune { get; init; }
}

/// <summary>One-call entry points for build scripts and the CLI.</summary>
public static class NomadDb
{
    /// <summary>
    /// Validates models built in code (no file positions): each job, and the rules across them that a fleet of specs
    /// gets (job and service names, host volumes and static ports of jobs that can share a node).
    /// </summary>
    public static IReadOnlyList<Diagnostic> Validate(IEnumerable<ServiceJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var diagnostics = new List<Diagnostic>();
        var sites = new List<LoadedJob>();
        var index = 0;
        foreach (var job in jobs)
        {
            diagnostics.AddRange(ValidateJob(job, path => path, _ => null, index++));
            sites.Add(new LoadedJob(job, string.Empty, string.Empty, new SourceMap(string.Empty)));
        }

        if (sites.Count > 1)
        {
            diagnostics.AddRange(FleetValidator.Validate(sites).Select(d => d with { Location = null, Related = null }));
        }

        return diagnostics;
    }

    /// <summary>Returns <paramref name="job"/> when it has no errors; otherwise throws <see cref="Builder.JobValidationException"/> listing them.</summary>
    internal static ServiceJob EnsureValid(ServiceJob job) => ThrowOnErrors(job, Validate([job]));

    /// <summary>Returns <paramref name="job"/> when it has no errors; otherwise throws <see cref="Builder.JobValidationException"/> listing them.</summary>
    internal static SharedPostgresJob EnsureValid(SharedPostgresJob job) => ThrowOnErrors(job, ValidateShared([job]));

    private static T ThrowOnErrors<T>(T job, IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        return errors.Count == 0 ? job : throw new Builder.JobValidationException(errors);
    }

    /// <summary>Validates loaded specs, each job alone.</summary>
    internal static IReadOnlyList<Diagnostic> Validate(IReadOnlyList<LoadedJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        // Jobs are validated alone: a fleet's jobs on every core, each job's diagnostics in its slot (spec order kept).
        var perJob = new List<Diagnostic>[jobs.Count];
        void ValidateOne(int i)
        {
            var loaded = jobs[i];
            perJob[i] = [.. ValidateJob(loaded.Job, loaded.PathOf, path => loaded.Map.Locate(path), 0)
                .Where(d => !loaded.ReadErrorPaths.Any(p => d.Path == p || d.Path.StartsWith(p + ".", StringComparison.Ordinal) || d.Path.StartsWith(p + "[", StringComparison.Ordinal)))];
        }

        if (jobs.Count >= ParallelThreshold)
        {
            Parallel.For(0, jobs.Count, ValidateOne);
        }
        else
        {
            for (var i = 0; i < jobs.Count; i++)
            {
                ValidateOne(i);
            }
        }

        return [.. perJob.SelectMany(diagnostics => diagnostics)];
    }

    /// <summary>Validates legacy shared instances built in code (no file positions).</summary>
    public static IReadOnlyList<Diagnostic> ValidateShared(IEnumerable<SharedPostgresJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return [.. jobs.SelectMany(job => ToDiagnostics(SharedValidator.Validate(job), path => path, _ => null))];
    }

    /// <summary>Validates loaded legacy shared instances, each alone.</summary>
    internal static IReadOnlyList<Diagnostic> ValidateShared(IReadOnlyList<LoadedSharedPostgres> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return [.. instances.SelectMany(loaded => ToDiagnostics(SharedValidator.Validate(loaded.Job), loaded.PathOf, path => loaded.Map.Locate(path))
            .Where(d => !loaded.ReadErrorPaths.Any(p => d.Path == p || d.Path.StartsWith(p + ".", StringComparison.Ordinal) || d.Path.StartsWith(p + "[", StringComparison.Ordinal))))];
    }

    private static readonly SharedPostgresJobValidator SharedValidator = new();

    private static IEnumerable<Diagnostic> ToDiagnostics(FluentValidation.Results.ValidationResult result, Func<string, string> fullPath, Func<string, SourceLocation?> locate) =>
        result.Errors.Select(failure =>
        {
            var path = fullPath(SpecPaths.FromPropertyPath(failure.PropertyName));
            var code = string.IsNullOrEmpty(failure.ErrorCode) || !failure.ErrorCode.StartsWith("NDB", StringComparison.Ordinal) ? ErrorCodes.InvalidValue : failure.ErrorCode;
            var severity = failure.Severity == FluentValidation.Severity.Warning ? Severity.Warning : Severity.Error;
            return new Diagnostic(severity, code, failure.ErrorMessage, path, locate(path));
        });

    private static readonly ServiceJobValidator JobValidator = new();

    private static IEnumerable<Diagnostic> ValidateJob(ServiceJob job, Func<string, string> fullPath, Func<string, SourceLocation?> locate, int index)
    {
        foreach (var diagnostic in ToDiagnostics(JobValidator.Validate(job), fullPath, locate))
        {
            yield return diagnostic;
        }

        _ = index;
    }

    /// <summary>Loads spec files and directories, validates them (each job, the fleet, the volume lock), and renders them in memory.</summary>
    public static RenderResult Render(IEnumerable<string> inputs, RenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new RenderOptions();
        var prepared = Prepare(inputs, options);
        if (!prepared.Valid)
        {
            return new RenderResult([], prepared.Diagnostics);
        }

        return new RenderResult(RenderEach(prepared, options, static (name, content) => new RenderedFile(name, content.ToString())), prepared.Diagnostics);
    }

    /// <summary>
    /// Loads and validates as <see cref="Render"/> does (each job, the fleet, the volume lock) and names the files a
    /// render would write, keeping none of them: memory stays bounded by the specs, not by the output (what
    /// <c>nomad-db validate</c> runs). Each file is still rendered once into a reused buffer, so that whatever a render
    /// can refuse is refused here too.
    /// </summary>
    /// <param name="inputs">Spec files and directories.</param>
    /// <param name="options">How a render would run (templates, format, volume lock).</param>
    /// <returns>The names of the files a render would write, in spec order, and the diagnostics.</returns>
    public static WriteResult ValidateSpecs(IEnumerable<string> inputs, RenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new RenderOptions();
        var prepared = Prepare(inputs, options);
        return prepared.Valid
            ? new WriteResult(RenderEach(prepared, options, static (name, _) => name), prepared.Diagnostics)
            : new WriteResult([], prepared.Diagnostics);
    }

    /// <summary>
    /// Loads, validates and renders as <see cref="Render"/> does, writing each file into
    /// <paramref name="outputDirectory"/> as it is rendered instead of keeping it in memory (a fleet's job files can
    /// be hundreds of MB). Nothing is written when any spec is invalid; files go to temp files first and are moved into
    /// place only once all are rendered; unchanged files are left alone.
    /// </summary>
    /// <param name="inputs">Spec files and directories.</param>
    /// <param name="outputDirectory">Where the job files go (created if needed).</param>
    /// <param name="options">How to render.</param>
    /// <returns>The names of the files rendered, in spec order, and the diagnostics.</returns>
    public static WriteResult RenderToDirectory(IEnumerable<string> inputs, string outputDirectory, RenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        options ??= new RenderOptions();
        // One render of a directory at a time: the lock is read and written, and the set swapped, under an OS lock.
        using var guard = OutputLock.Acquire(outputDirectory, options.LockPath);
        var prepared = Prepare(inputs, options);
        if (!prepared.Valid)
        {
            return new WriteResult([], prepared.Diagnostics);
        }

        // The volume lock goes where it was read from: into the set when it lies in the output directory (named as
        // given), else beside the set, written first (a lock that knows a volume the jobs do not yet use only refuses
        // more; a set whose lock missed a volume would let the next render change its major unguarded).
        var lockInSet = LockNameInSet(options.LockPath, outputDirectory);
        using var output = new StagedOutput(outputDirectory, guard);
        var names = RenderEach(prepared, options, (name, content) =>
        {
            if (name == VolumeLock.FileName && options.LockPath is { } lockPath && lockInSet is null)
            {
                ReplaceFile(lockPath, content);
            }
            else
            {
                output.Write(name == VolumeLock.FileName ? lockInSet ?? name : name, content);
            }

            return name;
        });
        var removed = options.Prune ? OutputComparer.Orphans(outputDirectory, names.ToHashSet(StringComparer.Ordinal).Contains) : [];
        foreach (var name in removed)
        {
            output.Remove(name);
        }

        output.Commit();
        return new WriteResult(names, prepared.Diagnostics) { Removed = removed };
    }

    /// <summary>The lock's file name when it lies directly in the output directory, else null.</summary>
    private static string? LockNameInSet(string? lockPath, string outputDirectory)
    {
        if (lockPath is null)
        {
            return null;
        }

        var full = Path.GetFullPath(lockPath);
        return string.Equals(Path.GetDirectoryName(full), Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDirectory)), StringComparison.Ordinal)
            ? Path.GetFileName(full)
            : null;
    }

    /// <summary>Replaces one file (a lock file kept outside the output directory, a spec switched by an upgrade): a temp file beside it, then one rename.</summary>
    internal static void ReplaceFile(string path, ReadOnlySpan<char> content)
    {
        var full = Path.GetFullPath(path);
        if (StagedOutput.HoldsExactly(full, content))
        {
            return;
        }

        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        StaleTemps.CleanBeside(full);
        var temp = Path.Combine(directory, StaleTemps.Name(Path.GetFileName(full)));
        try
        {
            File.WriteAllText(temp, content.ToString());
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Renders a spec directory into <paramref name="outputDirectory"/> (with its <c>nomad-db.lock</c>), writing nothing unless every spec is valid.</summary>
    public static RenderResult RenderDirectory(string specDirectory, string outputDirectory, TemplateSet? templates = null)
    {
        using var guard = OutputLock.Acquire(outputDirectory);
        var result = Render([specDirectory], new RenderOptions { Templates = templates, LockPath = Path.Combine(outputDirectory, VolumeLock.FileName) });
        if (result.Success)
        {
            OutputWriter.WriteAll(outputDirectory, result.Files, guard);
        }

        return result;
    }

    /// <param name="Loaded">The specs.</param>
    /// <param name="VolumeLock">The volume lock, when one is kept.</param>
    /// <param name="Diagnostics">Every diagnostic, sorted.</param>
    /// <param name="Roots">Each spec file's root (see <see cref="RenderOptions.BaseDirectory"/>).</param>
    private sealed record Prepared(SpecLoadResult Loaded, VolumeLock? VolumeLock, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyDictionary<string, string> Roots)
    {
        /// <summary>
        /// The spec path a header names (and its fleet defaults file, when one applies): relative to the base directory
        /// when one is given, else to the spec's root.
        /// </summary>
        public string SourceName(ISpecSite site, RenderOptions options)
        {
            var baseDirectory = options.BaseDirectory ?? (Roots.TryGetValue(site.File, out var root) ? root : Path.GetDirectoryName(Path.GetFullPath(site.File)));
            var spec = DisplayPath(site.File, baseDirectory);
            return site.DefaultsFile is { } defaults ? $"{spec} and {DisplayPath(defaults, baseDirectory)}" : spec;
        }

        public bool Valid => Diagnostics.All(d => d.Severity != Severity.Error);

        /// <summary>Output slots in file order: one per job, one per shared instance, one for the scripts variables, one for the lock file.</summary>
        public int Slots => Loaded.Jobs.Count + Loaded.SharedInstances.Count + 2;
    }

    private delegate void SlotSink(int slot, string fileName, ReadOnlySpan<char> content);

    private delegate T PerFile<T>(string fileName, ReadOnlySpan<char> content);

    /// <summary>Renders valid specs, turning each file into a result as it renders; the results come in spec order.</summary>
    private static List<T> RenderEach<T>(Prepared prepared, RenderOptions options, PerFile<T> each)
    {
        // One list per slot, each filled by the one thread that renders its job.
        var perSlot = new List<T>?[prepared.Slots];
        RenderValid(prepared, options, (slot, name, content) => (perSlot[slot] ??= new List<T>(2)).Add(each(name, content)));
        return [.. perSlot.SelectMany(results => results ?? [])];
    }

    private static Prepared Prepare(IEnumerable<string> inputs, RenderOptions options)
    {
        var diagnostics = new List<Diagnostic>();
        var roots = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = SpecInputs.Expand(inputs, diagnostics, roots);
        var loaded = SpecLoader.LoadFiles(files);
        diagnostics.AddRange(loaded.Diagnostics);
        diagnostics.AddRange(Validate(loaded.Jobs));
        diagnostics.AddRange(ValidateShared(loaded.SharedInstances));
        diagnostics.AddRange(FleetValidator.Validate(loaded.Jobs, loaded.SharedInstances));
        var volumeLock = options.LockPath is null ? null : VolumeLock.TryLoad(options.LockPath, diagnostics);
        if (volumeLock is not null)
        {
            diagnostics.AddRange(volumeLock.Check(loaded.Jobs));
            diagnostics.AddRange(volumeLock.CheckShared(loaded.SharedInstances));
        }

        return new Prepared(loaded, volumeLock, Sorted(diagnostics), roots);
    }

    /// <summary>Renders valid specs; <paramref name="sink"/> is called from several threads for a large fleet.</summary>
    private static void RenderValid(Prepared prepared, RenderOptions options, SlotSink sink)
    {
        var jobs = prepared.Loaded.Jobs;
        var renderer = options.Templates is null ? JobRenderer.Default : new JobRenderer(options.Templates);
        // Jobs render independently; a large fleet renders in parallel (each file goes to its job's slot).
        void RenderJob(int i)
        {
            var sourceName = prepared.SourceName(jobs[i], options);
            renderer.RenderValidTo(jobs[i].Job, sourceName, options.Format, (name, content) => sink(i, name, content));
            JobRenderer.RenderVolumesAndPoliciesTo(jobs[i].Job, sourceName, options.Format, (name, content) => sink(i, name, content));
        }

        if (jobs.Count >= ParallelThreshold)
        {
            Parallel.For(0, jobs.Count, RenderJob);
        }
        else
        {
            for (var i = 0; i < jobs.Count; i++)
            {
                RenderJob(i);
            }
        }

        var legacyRenderer = new SharedPostgresRenderer(options.Templates ?? TemplateSet.Embedded);
        var slot = jobs.Count;
        foreach (var instance in prepared.Loaded.SharedInstances)
        {
            foreach (var file in legacyRenderer.RenderValid(instance.Job, prepared.SourceName(instance, options), options.Format))
            {
                sink(slot, file.FileName, file.Content);
            }

            slot++;
        }

        // The scripts, once per namespace whose jobs read them (not copied into every job file).
        foreach (var @namespace in ScriptsVariable.NamespacesOf(jobs.Select(j => j.Job), prepared.Loaded.SharedInstances.Select(s => s.Job)))
        {
            var file = renderer.RenderScripts(@namespace, options.Format);
            sink(slot, file.FileName, file.Content);
        }

        slot++;
        if (prepared.VolumeLock is { } volumeLock)
        {
            var updated = volumeLock.Update(jobs.Select(j => j.Job), prepared.Loaded.SharedInstances.Select(s => s.Job));
            if (updated.Volumes.Count > 0)
            {
                sink(slot, VolumeLock.FileName, updated.ToText());
            }
        }
    }

    /// <summary>
    /// Renders in memory and compares with the committed files in <paramref name="againstDirectory"/> (including its
    /// <c>nomad-db.lock</c>): what CI runs to catch hand-edited or stale job files.
    /// </summary>
    public static CheckResult Check(IEnumerable<string> inputs, string againstDirectory, RenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(againstDirectory);
        options ??= new RenderOptions();
        var prepared = Prepare(inputs, options with { LockPath = options.LockPath ?? Path.Combine(againstDirectory, VolumeLock.FileName) });
        if (!prepared.Valid)
        {
            return new CheckResult([], prepared.Diagnostics);
        }

        // Each file is compared as it renders (a fleet's files are never all in memory at once).
        var compared = RenderEach(prepared, options, (name, content) => (name, OutputComparer.CompareOne(againstDirectory, name, content)));
        return new CheckResult(OutputComparer.Collect(compared, againstDirectory), prepared.Diagnostics);
    }

    /// <summary>The spec path as shown in headers: relative to the base (default: the current directory), with '/'.</summary>
    public static string DisplayPath(string file, string? baseDirectory = null)
    {
        var full = Path.GetFullPath(file);
        var root = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        var relative = Path.GetRelativePath(root, full);
        var shown = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFileName(full) : relative;
        return shown.Replace('\\', '/');
    }

    /// <summary>From this many jobs on, validation and rendering run on every core (below it, threads cost more than they save).</summary>
    private const int ParallelThreshold = 32;

    private static List<Diagnostic> Sorted(List<Diagnostic> diagnostics) =>
        [.. diagnostics.OrderBy(d => d.Location?.File, StringComparer.Ordinal).ThenBy(d => d.Location?.Line).ThenBy(d => d.Location?.Column).ThenBy(d => d.Code, StringComparer.Ordinal)];
}

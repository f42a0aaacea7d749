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

/// <summary>How to render.</summary>
public sealed record RenderOptions
{
    /// <summary>Template overrides, or null for the embedded templates.</summary>
    public TemplateSet? Templates { get; init; }
    /// <summary>Directory spec paths in headers are relative to (default: the current directory).</summary>
    public string? BaseDirectory { get; init; }
    /// <summary>The volume lock to check and update (<c>nomad-db.lock</c>), or null to skip the upgrade guard.</summary>
    public string? LockPath { get; init; }
    /// <summary>HCL job files (the default) or the JSON jobs of Nomad's HTTP API.</summary>
    public JobFormat Format { get; init; } = JobFormat.Hcl;
}

/// <summary>One-call entry points for build scripts and the CLI.</summary>
public static class NomadDb
{
    /// <summary>Validates models built in code (no file positions).</summary>
    public static IReadOnlyList<Diagnostic> Validate(IEnumerable<ServiceJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var diagnostics = new List<Diagnostic>();
        var index = 0;
        foreach (var job in jobs)
        {
            diagnostics.AddRange(ValidateJob(job, path => path, _ => null, index++));
        }

        return diagnostics;
    }

    /// <summary>Validates loaded specs, each job alone.</summary>
    public static IReadOnlyList<Diagnostic> Validate(IReadOnlyList<LoadedJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var diagnostics = new List<Diagnostic>();
        foreach (var loaded in jobs)
        {
            diagnostics.AddRange(ValidateJob(loaded.Job, loaded.PathOf, path => loaded.Map.Locate(path), 0)
                .Where(d => !loaded.ReadErrorPaths.Any(p => d.Path == p || d.Path.StartsWith(p + ".", StringComparison.Ordinal) || d.Path.StartsWith(p + "[", StringComparison.Ordinal))));
        }

        return diagnostics;
    }

    /// <summary>Validates legacy shared instances built in code (no file positions).</summary>
    public static IReadOnlyList<Diagnostic> ValidateShared(IEnumerable<SharedPostgresJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return [.. jobs.SelectMany(job => ToDiagnostics(SharedValidator.Validate(job), path => path, _ => null))];
    }

    /// <summary>Validates loaded legacy shared instances, each alone.</summary>
    public static IReadOnlyList<Diagnostic> ValidateShared(IReadOnlyList<LoadedSharedPostgres> instances)
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
            return Diagnostic.Error(code, failure.ErrorMessage, path, locate(path));
        });

    private static readonly ServiceJobValidator JobValidator = new();

    private static IEnumerable<Diagnostic> ValidateJob(ServiceJob job, Func<string, string> fullPath, Func<string, SourceLocation?> locate, int index)
    {
        var result = JobValidator.Validate(job);
        foreach (var failure in result.Errors)
        {
            var path = fullPath(SpecPaths.FromPropertyPath(failure.PropertyName));
            yield return Diagnostic.Error(string.IsNullOrEmpty(failure.ErrorCode) || !failure.ErrorCode.StartsWith("NDB", StringComparison.Ordinal) ? ErrorCodes.InvalidValue : failure.ErrorCode, failure.ErrorMessage, path, locate(path));
        }

        _ = index;
    }

    /// <summary>Loads spec files and directories, validates them (each job, the fleet, the volume lock), and renders them in memory.</summary>
    public static RenderResult Render(IEnumerable<string> inputs, RenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new RenderOptions();
        var files = SpecLoader.ExpandInputs(inputs);
        var loaded = SpecLoader.LoadFiles(files);
        var diagnostics = new List<Diagnostic>(loaded.Diagnostics);
        diagnostics.AddRange(Validate(loaded.Jobs));
        diagnostics.AddRange(ValidateShared(loaded.SharedInstances));
        diagnostics.AddRange(FleetValidator.Validate(loaded.Jobs, loaded.SharedInstances));
        var volumeLock = options.LockPath is null ? null : VolumeLock.Load(options.LockPath);
        if (volumeLock is not null)
        {
            diagnostics.AddRange(volumeLock.Check(loaded.Jobs));
            diagnostics.AddRange(volumeLock.CheckShared(loaded.SharedInstances));
        }

        if (diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return new RenderResult([], Sorted(diagnostics));
        }

        var renderer = options.Templates is null ? JobRenderer.Default : new JobRenderer(options.Templates);
        var rendered = new List<RenderedFile>();
        // Jobs render independently; a large fleet renders in parallel, the files keep the specs' order.
        var perJob = new IReadOnlyList<RenderedFile>[loaded.Jobs.Count];
        if (perJob.Length >= ParallelRenderThreshold)
        {
            Parallel.For(0, perJob.Length, i => perJob[i] = renderer.Render(loaded.Jobs[i].Job, DisplayPath(loaded.Jobs[i].File, options.BaseDirectory), options.Format));
        }
        else
        {
            for (var i = 0; i < perJob.Length; i++)
            {
                perJob[i] = renderer.Render(loaded.Jobs[i].Job, DisplayPath(loaded.Jobs[i].File, options.BaseDirectory), options.Format);
            }
        }

        foreach (var jobFiles in perJob)
        {
            rendered.AddRange(jobFiles);
        }

        var legacyRenderer = new SharedPostgresRenderer(options.Templates ?? TemplateSet.Embedded);
        foreach (var instance in loaded.SharedInstances)
        {
            rendered.AddRange(legacyRenderer.Render(instance.Job, DisplayPath(instance.File, options.BaseDirectory), options.Format));
        }

        if (volumeLock is not null)
        {
            var updated = volumeLock.Update(loaded.Jobs.Select(j => j.Job), loaded.SharedInstances.Select(s => s.Job));
            if (updated.Volumes.Count > 0)
            {
                rendered.Add(new RenderedFile(VolumeLock.FileName, updated.ToText()));
            }
        }

        return new RenderResult(rendered, Sorted(diagnostics));
    }

    /// <summary>Renders a spec directory into <paramref name="outputDirectory"/> (with its <c>nomad-db.lock</c>), writing nothing unless every spec is valid.</summary>
    public static RenderResult RenderDirectory(string specDirectory, string outputDirectory, TemplateSet? templates = null)
    {
        var result = Render([specDirectory], new RenderOptions { Templates = templates, LockPath = Path.Combine(outputDirectory, VolumeLock.FileName) });
        if (result.Success)
        {
            OutputWriter.WriteAll(outputDirectory, result.Files);
        }

        return result;
    }

    /// <summary>
    /// Renders in memory and compares with the committed files in <paramref name="againstDirectory"/> (including its
    /// <c>nomad-db.lock</c>): what CI runs to catch hand-edited or stale job files.
    /// </summary>
    public static CheckResult Check(IEnumerable<string> inputs, string againstDirectory, RenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(againstDirectory);
        options ??= new RenderOptions();
        var result = Render(inputs, options with { LockPath = options.LockPath ?? Path.Combine(againstDirectory, VolumeLock.FileName) });
        return result.Success
            ? new CheckResult(OutputComparer.Compare(result.Files, againstDirectory), result.Diagnostics)
            : new CheckResult([], result.Diagnostics);
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

    private const int ParallelRenderThreshold = 32;

    private static List<Diagnostic> Sorted(List<Diagnostic> diagnostics) =>
        [.. diagnostics.OrderBy(d => d.Location?.File, StringComparer.Ordinal).ThenBy(d => d.Location?.Line).ThenBy(d => d.Location?.Column).ThenBy(d => d.Code, StringComparer.Ordinal)];
}

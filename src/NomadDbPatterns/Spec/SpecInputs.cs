using System.Runtime.InteropServices;
using System.Text;
using NomadDbPatterns.IO;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Spec;

/// <summary>
/// Turns the SPECS arguments into spec files and reads them, bounded and total: only regular files are read (a FIFO
/// would block, a device never ends), at most <see cref="MaxFileBytes"/> each; directories are walked once (a
/// symbolic link leading back to an ancestor is reported once, not followed until the kernel gives up); a directory
/// without specs, a dangling link or an unreadable file is an error naming the path.
/// </summary>
internal static class SpecInputs
{
    /// <summary>Largest spec file read, in bytes: the same limit as <see cref="InputLimits.MaxSpecChars"/>, checked before reading.</summary>
    internal const int MaxFileBytes = InputLimits.MaxSpecChars;

    /// <summary>Files in argument order (directories expanded recursively, sorted); problems go to <paramref name="diagnostics"/>.</summary>
    public static List<string> Expand(IEnumerable<string> inputs, List<Diagnostic> diagnostics) => Expand(inputs, diagnostics, roots: null);

    /// <summary>
    /// As <see cref="Expand(IEnumerable{string}, List{Diagnostic})"/>, recording each file's spec root in
    /// <paramref name="roots"/>: the directory argument it was found in, or a file argument's own directory. Headers
    /// name specs relative to their root, so the same specs render the same bytes from any working directory.
    /// </summary>
    public static List<string> Expand(IEnumerable<string> inputs, List<Diagnostic> diagnostics, Dictionary<string, string>? roots)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            var first = files.Count;
            ExpandOne(input, files, diagnostics);
            if (roots is not null)
            {
                var root = Directory.Exists(input) ? input : Path.GetDirectoryName(Path.GetFullPath(input)) ?? input;
                for (var i = first; i < files.Count; i++)
                {
                    roots.TryAdd(files[i], root);
                }
            }
        }

        return files;
    }

    private static void ExpandOne(string input, List<string> files, List<Diagnostic> diagnostics)
    {
        if (Directory.Exists(input))
        {
            var before = files.Count;
            var errors = diagnostics.Count;
            var visited = new HashSet<FileIdentity>();
            var ancestors = new List<(FileIdentity Id, string Path)>();
            Walk(input, files, diagnostics, visited, ancestors, depth: 0);
            if (files.Count == before && diagnostics.Count == errors)
            {
                diagnostics.Add(Error(input, $"no spec files (*{string.Join(", *", SpecLoader.Extensions)}) in directory '{input}'"));
            }
        }
        else
        {
            files.Add(input);
        }
    }

    /// <summary>
    /// Entries a directory walk leaves out, as git and editors do: dot-entries (<c>.github/</c>, <c>.git/</c>, an editor's
    /// <c>.swp</c>) and <c>node_modules</c>. Named explicitly on the command line they are still read.
    /// </summary>
    internal static bool Skipped(string entry)
    {
        var name = Path.GetFileName(entry);
        return name.StartsWith('.') || name == "node_modules";
    }

    private static void Walk(string directory, List<string> files, List<Diagnostic> diagnostics, HashSet<FileIdentity> visited, List<(FileIdentity Id, string Path)> ancestors, int depth)
    {
        FileIdentity self = default;
        if (NativeFs.Available && NativeFs.TryStat(directory, followLinks: true, out self, out _))
        {
            visited.Add(self);
            ancestors.Add((self, directory));
        }

        List<string> entries;
        try
        {
            entries = [.. Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal)];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(Error(directory, $"cannot read directory: {exception.Message}"));
            return;
        }

        foreach (var entry in entries)
        {
            // The fleet defaults file is read for the specs it applies to, never as a spec of its own.
            if (Skipped(entry) || FleetDefaults.IsDefaultsFile(entry))
            {
                continue;
            }

            var isSpecName = SpecLoader.Extensions.Contains(Path.GetExtension(entry), StringComparer.OrdinalIgnoreCase);
            if (NativeFs.Available)
            {
                if (!NativeFs.TryStat(entry, followLinks: true, out var id, out _))
                {
                    if (isSpecName)
                    {
                        files.Add(entry); // a dangling link or a link loop: reading it reports the exact problem once
                    }

                    continue;
                }

                if (id.Kind == FileKind.Directory)
                {
                    if (ancestors.FirstOrDefault(a => a.Id == id) is { Path: { } ancestor })
                    {
                        diagnostics.Add(Error(entry, $"symbolic link loop: '{entry}' leads back to '{ancestor}'; it is not followed"));
                    }
                    else if (!visited.Contains(id))
                    {
                        Walk(entry, files, diagnostics, visited, ancestors, depth + 1);
                    }

                    continue;
                }
            }
            else if (Directory.Exists(entry))
            {
                if (depth >= 64)
                {
                    diagnostics.Add(Error(entry, "directories nested more than 64 levels deep (a symbolic link loop?); not followed"));
                }
                else
                {
                    Walk(entry, files, diagnostics, visited, ancestors, depth + 1);
                }

                continue;
            }

            if (isSpecName)
            {
                files.Add(entry);
            }
        }

        if (ancestors.Count > 0 && ancestors[^1].Path == directory)
        {
            ancestors.RemoveAt(ancestors.Count - 1);
        }
    }

    /// <summary>Reads one spec file as text, or a diagnostic saying why it cannot be read.</summary>
    public static (string? Text, Diagnostic? Error) Read(string file)
    {
        try
        {
            return NativeFs.Available ? ReadNative(file) : ReadPortable(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (null, Error(file, $"cannot read spec file: {exception.Message}"));
        }
    }

    private static (string? Text, Diagnostic? Error) ReadNative(string file)
    {
        using var handle = NativeFs.OpenForReading(file, out var errno);
        if (handle.IsInvalid)
        {
            return (null, Error(file, errno switch
            {
                NativeFs.ENoEnt when LinkTarget(file) is { } target => $"symbolic link to '{target}', which does not exist",
                NativeFs.ENoEnt => "no such spec file or directory",
                NativeFs.ELoop => "symbolic link loop: the link never reaches a file",
                NativeFs.EAccess => "permission denied",
                _ => $"cannot open spec file: {Marshal.GetPInvokeErrorMessage(errno)}",
            }));
        }

        if (!NativeFs.TryStat(handle, out var identity) || identity.Kind != FileKind.Regular)
        {
            return (null, Error(file, $"not a regular file ({Describe(identity.Kind)}); only regular files are read as specs"));
        }

        var length = RandomAccess.GetLength(handle);
        if (length > MaxFileBytes)
        {
            return (null, TooLarge(file, length));
        }

        // The length is read again while reading: a file that grows meanwhile is still bounded.
        var buffer = new byte[Math.Min(length + 1, MaxFileBytes + 1)];
        var read = 0;
        while (read < buffer.Length)
        {
            var count = RandomAccess.Read(handle, buffer.AsSpan(read), read);
            if (count == 0)
            {
                break;
            }

            read += count;
            if (read == buffer.Length && read <= MaxFileBytes)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxFileBytes + 1));
            }
        }

        return read > MaxFileBytes ? (null, TooLarge(file, read)) : (Decode(buffer.AsSpan(0, read)), null);
    }

    private static (string? Text, Diagnostic? Error) ReadPortable(string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            return (null, Error(file, info.LinkTarget is { } target ? $"symbolic link to '{target}', which does not exist" : "no such spec file or directory"));
        }

        if (info.Length > MaxFileBytes)
        {
            return (null, TooLarge(file, info.Length));
        }

        return (File.ReadAllText(file), null);
    }

    /// <summary>Bytes as text the way <see cref="File.ReadAllText(string)"/> reads them: UTF-8 unless a byte order mark says otherwise.</summary>
    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes.ToArray()), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static string? LinkTarget(string file)
    {
        try
        {
            return new FileInfo(file).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Directory => "a directory",
        _ => "an unknown kind of file",
    };

    private static Diagnostic TooLarge(string file, long length) =>
        Diagnostic.Error(
            ErrorCodes.InputLimit,
            $"spec file is larger than {MaxFileBytes / (1024 * 1024)} MiB ({(length > MaxFileBytes ? "more than " + MaxFileBytes : length.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes); split it into several files",
            string.Empty,
            new SourceLocation(file, 1, 1));

    private static Diagnostic Error(string file, string message) =>
        Diagnostic.Error(ErrorCodes.SpecFile, message, string.Empty, new SourceLocation(file, 1, 1));
}

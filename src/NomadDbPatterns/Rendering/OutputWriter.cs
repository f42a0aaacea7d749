using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using NomadDbPatterns.IO;

namespace NomadDbPatterns.Rendering;

/// <summary>Writes rendered files so that a reader never sees a half-written file or a mixed set (see <see cref="StagedOutput"/>).</summary>
internal static class OutputWriter
{
    /// <summary>Writes every file into <paramref name="directory"/> (created if needed); unchanged files are left alone.</summary>
    public static void WriteAll(string directory, IEnumerable<RenderedFile> files) => WriteAll(directory, files, heldLock: null);

    /// <summary>Writes every file while the caller holds the directory's <see cref="OutputLock"/> (or takes it when null).</summary>
    internal static void WriteAll(string directory, IEnumerable<RenderedFile> files, OutputLock? heldLock)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(files);
        using var staged = new StagedOutput(directory, heldLock);
        foreach (var file in files)
        {
            staged.Write(file.FileName, file.Content);
        }

        staged.Commit();
    }
}

/// <summary>
/// Files written for a directory as they are rendered, and swapped in together by <see cref="Commit"/>: until then
/// no file in the directory changes, and disposing without committing removes every staged file. The directory
/// changes all at once or not at all, even if the process is killed at any instant: on Linux the new set is built in
/// a fresh sibling directory (<c>.NAME.nomad-db-PID-RANDOM.tmp</c>; files that stay, rendered or not, are hard links
/// to the old ones, so their bytes, inode and mtime are kept) and exchanged with the output directory in one
/// <c>renameat2(RENAME_EXCHANGE)</c>; the old set, now under the sibling's name, is then deleted. Where that is not
/// possible (another system, a file system without it, an output directory that is a mount point or the current
/// directory) files are moved into place one by one. Temp files and sibling directories that a killed run left are
/// removed by the next one (by name, and because their process is gone or they are over an hour old). A file whose
/// target already holds the same bytes is not rewritten. <see cref="Write"/> may be called from several threads.
/// </summary>
internal sealed class StagedOutput : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly string _directory;
    private readonly ConcurrentDictionary<string, string?> _staged = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _temps = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly OutputLock? _ownedLock;
    private string? _staging;
    private bool _committed;

    /// <summary>Stages files for <paramref name="directory"/>, which is created when the files are committed.</summary>
    public StagedOutput(string directory)
        : this(directory, heldLock: null)
    {
    }

    /// <summary>Stages files while the caller already holds the directory's <see cref="OutputLock"/>.</summary>
    internal StagedOutput(string directory, OutputLock? heldLock)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _ownedLock = heldLock is null ? OutputLock.Acquire(directory) : null;
        try
        {
            _directory = Resolve(directory);
            StaleTemps.Clean(_directory);
            if (CanExchange(_directory))
            {
                var parent = Path.GetDirectoryName(_directory)!;
                Directory.CreateDirectory(parent);
                _staging = Path.Combine(parent, StaleTemps.Name(Path.GetFileName(_directory)));
                if (Directory.Exists(_directory) && !OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(_staging, File.GetUnixFileMode(_directory));
                }
                else
                {
                    Directory.CreateDirectory(_staging);
                }
            }
            else
            {
                Directory.CreateDirectory(_directory);
            }
        }
        catch
        {
            _ownedLock?.Dispose();
            throw;
        }
    }

    /// <summary>Names of the files written so far (changed or not), in no particular order.</summary>
    public IReadOnlyCollection<string> FileNames => (IReadOnlyCollection<string>)_staged.Keys;

    /// <summary>Stages <paramref name="fileName"/> with <paramref name="content"/> (UTF-8, no byte order mark).</summary>
    /// <exception cref="InvalidOperationException">The same file name was written before.</exception>
    public void Write(string fileName, ReadOnlySpan<char> content)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (_committed)
        {
            throw new InvalidOperationException("The output was already committed.");
        }

        if (fileName.Length == 0 || fileName.IndexOfAny(['/', '\\', '\0']) >= 0 || fileName is "." or "..")
        {
            throw new ArgumentException($"'{fileName}' is not a plain file name.", nameof(fileName));
        }

        if (!_staged.TryAdd(fileName, null))
        {
            throw new InvalidOperationException($"Two jobs render to the same file '{fileName}'.");
        }

        var bytes = ArrayPool<byte>.Shared.Rent(Utf8.GetMaxByteCount(content.Length));
        try
        {
            var length = Utf8.GetBytes(content, bytes);
            var target = Path.Combine(_directory, fileName);
            if (HoldsExactly(target, bytes.AsSpan(0, length)))
            {
                return;
            }

            var temp = _staging is null ? Path.Combine(_directory, StaleTemps.Name(fileName)) : Path.Combine(_staging, fileName);
            // Recorded before the first byte: a failed write (a full disk) removes what it started.
            _temps[temp] = 0;
            try
            {
                using var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                RandomAccess.Write(handle, bytes.AsSpan(0, length), fileOffset: 0);
            }
            catch (Exception exception)
            {
                TryDelete(temp);
                _temps.TryRemove(temp, out _);
                // A file size limit (EFBIG) surfaces as an argument exception from RandomAccess: still an I/O failure.
                if (exception is ArgumentOutOfRangeException)
                {
                    throw new IOException($"cannot write '{Path.Combine(_directory, fileName)}': {exception.Message}", exception);
                }

                throw;
            }

            _staged[fileName] = temp;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Removes <paramref name="fileName"/> from the directory at <see cref="Commit"/>, in the same step as the writes.</summary>
    /// <exception cref="InvalidOperationException">The file was also written.</exception>
    public void Remove(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (_staged.ContainsKey(fileName))
        {
            throw new InvalidOperationException($"'{fileName}' is both written and removed.");
        }

        _removed.Add(fileName);
    }

    /// <summary>Moves every staged file into place (and removes what <see cref="Remove"/> named): in one step where the system allows it.</summary>
    public void Commit()
    {
        _committed = true;
        var changed = _staged.Where(f => f.Value is not null).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        if (_staging is not null)
        {
            if (changed.Count == 0 && _removed.Count == 0)
            {
                RemoveStaging();
                return;
            }

            if (CommitByExchange([.. changed, .. _removed]))
            {
                return;
            }
        }

        Directory.CreateDirectory(_directory);
        foreach (var fileName in changed.Order(StringComparer.Ordinal))
        {
            var temp = _staged[fileName]!;
            var target = Path.Combine(_directory, fileName);
            if (_staging is not null)
            {
                // From the sibling directory: a temp file beside the target first, so the rename is atomic per file.
                var beside = Path.Combine(_directory, StaleTemps.Name(fileName));
                _temps[beside] = 0;
                File.Copy(temp, beside, overwrite: true);
                temp = beside;
            }

            File.Move(temp, target, overwrite: true);
            _temps.TryRemove(temp, out _);
            _staged[fileName] = null;
        }

        foreach (var fileName in _removed.Order(StringComparer.Ordinal))
        {
            File.Delete(Path.Combine(_directory, fileName));
        }

        RemoveStaging();
    }

    /// <summary>Completes the sibling directory with everything that stays (all but <paramref name="changed"/>) and exchanges it with the output directory.</summary>
    private bool CommitByExchange(HashSet<string> changed)
    {
        var staging = _staging!;
        if (Directory.Exists(_directory))
        {
            if (!Mirror(_directory, staging, changed))
            {
                return false;
            }

            if (!NativeFs.TryExchange(staging, _directory, out _))
            {
                // EBUSY (a mount point), EINVAL/ENOSYS/ENOTSUP (no RENAME_EXCHANGE here): one by one instead.
                return false;
            }
        }
        else
        {
            Directory.Move(staging, _directory);
            _staging = null;
            _temps.Clear();
            return true;
        }

        // The sibling now holds the old set: its removal is cleanup, not part of the change.
        _temps.Clear();
        RemoveStaging();
        return true;
    }

    /// <summary>
    /// Puts into <paramref name="target"/> every entry of <paramref name="source"/> except the <paramref name="changed"/>
    /// files: files as hard links (same inode, bytes and mtime), links as links, directories recursively. False when
    /// an entry cannot be carried over faithfully (a FIFO, a socket, a device).
    /// </summary>
    private static bool Mirror(string source, string target, HashSet<string>? changed)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            var name = Path.GetFileName(entry);
            if (changed is not null && changed.Contains(name))
            {
                continue;
            }

            var destination = Path.Combine(target, name);
            if (!NativeFs.TryStat(entry, followLinks: false, out var id, out _))
            {
                return false;
            }

            switch (id.Kind)
            {
                case FileKind.Regular:
                    if (!NativeFs.TryLink(entry, destination, out _))
                    {
                        File.Copy(entry, destination);
                        File.SetLastWriteTimeUtc(destination, File.GetLastWriteTimeUtc(entry));
                    }

                    break;
                case FileKind.SymbolicLink:
                    File.CreateSymbolicLink(destination, new FileInfo(entry).LinkTarget!);
                    break;
                case FileKind.Directory:
                    Directory.CreateDirectory(destination, File.GetUnixFileMode(entry));
                    if (!Mirror(entry, destination, changed: null))
                    {
                        return false;
                    }

                    Directory.SetLastWriteTimeUtc(destination, Directory.GetLastWriteTimeUtc(entry));
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>Removes the temp files of an output that was not committed.</summary>
    public void Dispose()
    {
        try
        {
            foreach (var temp in _temps.Keys)
            {
                TryDelete(temp);
            }

            _temps.Clear();
            RemoveStaging();
            _staged.Clear();
        }
        finally
        {
            _ownedLock?.Dispose();
        }
    }

    private void RemoveStaging()
    {
        if (_staging is { } staging && Directory.Exists(staging))
        {
            try
            {
                Directory.Delete(staging, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Left for the next run, which removes it by name.
            }
        }

        _staging = null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Left for the next run, which removes it by name.
        }
    }

    /// <summary>The output directory with a final symbolic link resolved: the real directory is what gets exchanged.</summary>
    private static string Resolve(string directory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var info = new DirectoryInfo(full);
        return info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target
            ? Path.TrimEndingDirectorySeparator(target.FullName)
            : full;
    }

    /// <summary>The whole-set exchange applies on Linux unless the output directory holds the current directory (it would be left in the deleted old set).</summary>
    private static bool CanExchange(string directory)
    {
        if (!NativeFs.Available || Path.GetDirectoryName(directory) is null)
        {
            return false;
        }

        var current = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory.GetCurrentDirectory()));
        return !(current == directory || current.StartsWith(directory + "/", StringComparison.Ordinal));
    }

    /// <summary>The file at <paramref name="path"/> exists and holds exactly <paramref name="text"/> in UTF-8.</summary>
    internal static bool HoldsExactly(string path, ReadOnlySpan<char> text)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Utf8.GetMaxByteCount(text.Length));
        try
        {
            return HoldsExactly(path, bytes.AsSpan(0, Utf8.GetBytes(text, bytes)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static bool HoldsExactly(string path, ReadOnlySpan<byte> expected)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (RandomAccess.GetLength(handle) != expected.Length)
        {
            return false;
        }

        var actual = ArrayPool<byte>.Shared.Rent(expected.Length);
        try
        {
            var read = 0;
            while (read < expected.Length && RandomAccess.Read(handle, actual.AsSpan(read, expected.Length - read), read) is var count and > 0)
            {
                read += count;
            }

            return read == expected.Length && actual.AsSpan(0, expected.Length).SequenceEqual(expected);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(actual);
        }
    }
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace NomadDbPatterns.Rendering;

/// <summary>Writes rendered files so that a reader never sees a half-written file: temp file, then rename.</summary>
public static class OutputWriter
{
    /// <summary>Writes every file into <paramref name="directory"/> (created if needed); unchanged files are left alone.</summary>
    public static void WriteAll(string directory, IEnumerable<RenderedFile> files)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(files);
        using var staged = new StagedOutput(directory);
        foreach (var file in files)
        {
            staged.Write(file.FileName, file.Content);
        }

        staged.Commit();
    }
}

/// <summary>
/// Files written into a directory as they are rendered, each into a temp file beside its target, and moved into
/// place together by <see cref="Commit"/>: until then no target changes, and disposing without committing removes
/// the temp files. A file whose target already holds the same bytes is not rewritten. <see cref="Write"/> may be
/// called from several threads at once.
/// </summary>
public sealed class StagedOutput : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly string _directory;
    private readonly ConcurrentDictionary<string, string?> _staged = new(StringComparer.Ordinal);
    private bool _committed;

    /// <summary>Stages files for <paramref name="directory"/>, which is created if needed.</summary>
    public StagedOutput(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _directory = directory;
        Directory.CreateDirectory(directory);
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

            var temp = Path.Combine(_directory, $".{fileName}.{Environment.ProcessId}.tmp");
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(handle, bytes.AsSpan(0, length), fileOffset: 0);
            }

            _staged[fileName] = temp;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Moves every staged file into place.</summary>
    public void Commit()
    {
        _committed = true;
        foreach (var (fileName, temp) in _staged.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (temp is not null)
            {
                File.Move(temp, Path.Combine(_directory, fileName), overwrite: true);
                _staged[fileName] = null;
            }
        }
    }

    /// <summary>Removes the temp files of an output that was not committed.</summary>
    public void Dispose()
    {
        foreach (var temp in _staged.Values)
        {
            if (temp is not null)
            {
                File.Delete(temp);
            }
        }

        _staged.Clear();
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

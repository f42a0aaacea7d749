using Microsoft.Win32.SafeHandles;

namespace NomadDbPatterns.IO;

/// <summary>
/// Serialises the renders that write one output directory (and one volume lock file): an exclusive <c>flock</c> on
/// the directory that holds it (the output directory's parent, which is never swapped), held from reading the lock
/// to the last rename. A second render waits, then reads what the first one wrote, so no lock entry or job file is
/// lost. The kernel releases the lock when the process ends, even by SIGKILL. Where the parent does not exist yet,
/// its nearest existing ancestor is locked, and the lock is taken again if that changed while waiting. Elsewhere than
/// Linux this is a no-op.
/// </summary>
internal sealed class OutputLock : IDisposable
{
    private readonly List<SafeFileHandle> _handles;

    private OutputLock(List<SafeFileHandle> handles) => _handles = handles;

    /// <summary>Locks for writing <paramref name="outputDirectory"/> and, when it lies elsewhere, <paramref name="lockFile"/>.</summary>
    public static OutputLock Acquire(string outputDirectory, string? lockFile = null)
    {
        if (!NativeFs.Available)
        {
            return new OutputLock([]);
        }

        var output = Path.GetFullPath(outputDirectory);
        var targets = new List<string> { Parent(output) };
        if (lockFile is not null && Parent(Path.GetFullPath(lockFile)) is var lockParent && !string.Equals(lockParent.TrimEnd('/'), output.TrimEnd('/'), StringComparison.Ordinal))
        {
            targets.Add(lockParent);
        }

        for (var attempt = 0; ; attempt++)
        {
            var opened = new List<(FileIdentity Id, SafeFileHandle Handle)>();
            foreach (var target in targets)
            {
                var existing = NearestExisting(target);
                var handle = NativeFs.OpenDirectory(existing, out _);
                if (handle.IsInvalid || !NativeFs.TryStat(handle, out var id) || opened.Any(o => o.Id == id))
                {
                    handle.Dispose(); // unreadable (then unlocked, as before) or the same directory twice
                    continue;
                }

                opened.Add((id, handle));
            }

            // One order for every process: no two renders wait for each other.
            opened.Sort((a, b) => a.Id.Device != b.Id.Device ? a.Id.Device.CompareTo(b.Id.Device) : a.Id.Inode.CompareTo(b.Id.Inode));
            foreach (var (_, handle) in opened)
            {
                NativeFs.LockExclusive(handle);
            }

            var still = targets.All(t => NativeFs.TryStat(NearestExisting(t), followLinks: true, out var now, out _) && opened.Any(o => o.Id == now))
                || opened.Count == 0;
            if (still || attempt >= 20)
            {
                return new OutputLock([.. opened.Select(o => o.Handle)]);
            }

            foreach (var (_, handle) in opened)
            {
                handle.Dispose();
            }
        }
    }

    private static string Parent(string path) => Path.GetDirectoryName(path.TrimEnd('/')) ?? "/";

    private static string NearestExisting(string directory)
    {
        var current = directory;
        while (!Directory.Exists(current) && Path.GetDirectoryName(current) is { } parent)
        {
            current = parent;
        }

        return current;
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }

        _handles.Clear();
    }
}

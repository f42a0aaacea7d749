using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NomadDbPatterns.IO;

/// <summary>What a path is, as the kernel reports it (<c>statx</c>).</summary>
internal enum FileKind
{
    Unknown,
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
}

/// <summary>A file's identity and kind: device and inode tell two paths to the same directory apart from two directories.</summary>
internal readonly record struct FileIdentity(FileKind Kind, ulong Device, ulong Inode);

/// <summary>
/// The few POSIX calls .NET does not expose: <c>statx</c> (file kind and identity, with an architecture-independent
/// layout), <c>open(O_NONBLOCK)</c> (a FIFO must not block the reader), <c>flock</c> on a directory, <c>link</c> and
/// <c>renameat2(RENAME_EXCHANGE)</c> (two directories swapped in one step). Linux only; every caller has a portable
/// fallback for other systems.
/// </summary>
internal static partial class NativeFs
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const int ORdOnly = 0;
    private const int ONonBlock = 0x800;
    private const int ODirectory = 0x10000;
    private const int OCloExec = 0x80000;
    private const int LockEx = 2;
    private const int LockUn = 8;
    private const uint RenameExchange = 2;

    /// <summary>errno values this code tells apart.</summary>
    internal const int ENoEnt = 2;
    internal const int EIntr = 4;
    internal const int EAccess = 13;
    internal const int EBusy = 16;
    internal const int EXDev = 18;
    internal const int EInval = 22;
    internal const int ENoSys = 38;
    internal const int ELoop = 40;
    internal const int ENotSup = 95;

    /// <summary>True where these calls exist (Linux with glibc 2.28+ or a musl with statx/renameat2).</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() && Probe();

    private static bool Probe()
    {
        try
        {
            return TryStat(".", followLinks: true, out _, out _);
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The kind and identity of <paramref name="path"/>; false with the errno when it cannot be examined.</summary>
    public static bool TryStat(string path, bool followLinks, out FileIdentity identity, out int errno)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxIno, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            identity = default;
            return false;
        }

        errno = 0;
        identity = Decode(buffer);
        return true;
    }

    /// <summary>The kind and identity of an open file.</summary>
    public static bool TryStat(SafeFileHandle handle, out FileIdentity identity)
    {
        Span<byte> buffer = stackalloc byte[256];
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxType | StatxIno, ref MemoryMarshal.GetReference(buffer)) != 0)
            {
                identity = default;
                return false;
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        identity = Decode(buffer);
        return true;
    }

    private static FileIdentity Decode(ReadOnlySpan<byte> statx)
    {
        // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_dev_major/minor (u32) at 136/140.
        var mode = BitConverter.ToUInt16(statx[28..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
        var device = ((ulong)BitConverter.ToUInt32(statx[136..]) << 32) | BitConverter.ToUInt32(statx[140..]);
        return new FileIdentity(kind, device, BitConverter.ToUInt64(statx[32..]));
    }

    /// <summary>Opens a file for reading without blocking on a FIFO; an invalid handle and the errno on failure.</summary>
    public static SafeFileHandle OpenForReading(string path, out int errno)
    {
        var fd = Open(path, ORdOnly | ONonBlock | OCloExec, 0);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens a directory (for <see cref="LockExclusive"/>); an invalid handle on failure.</summary>
    public static SafeFileHandle OpenDirectory(string path, out int errno)
    {
        var fd = Open(path, ORdOnly | ODirectory | OCloExec, 0);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Takes an exclusive advisory lock, waiting for it; released when the handle is closed (or the process dies).</summary>
    public static bool LockExclusive(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            while (true)
            {
                if (Flock((int)handle.DangerousGetHandle(), LockEx) == 0)
                {
                    return true;
                }

                if (Marshal.GetLastPInvokeError() != EIntr)
                {
                    return false;
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Releases a lock taken by <see cref="LockExclusive"/> before the handle is closed.</summary>
    public static void Unlock(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            _ = Flock((int)handle.DangerousGetHandle(), LockUn);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>A hard link <paramref name="newPath"/> to <paramref name="existing"/> (same inode: same bytes and mtime).</summary>
    public static bool TryLink(string existing, string newPath, out int errno)
    {
        var ok = Link(existing, newPath) == 0;
        errno = ok ? 0 : Marshal.GetLastPInvokeError();
        return ok;
    }

    /// <summary>Swaps two directory entries in one step: at every instant each name refers to one complete directory.</summary>
    public static bool TryExchange(string a, string b, out int errno)
    {
        var ok = RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0;
        errno = ok ? 0 : Marshal.GetLastPInvokeError();
        return ok;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string newPath);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
}

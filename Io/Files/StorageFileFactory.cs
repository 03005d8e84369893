using System.Runtime.InteropServices;
using ThunderDb.Io.Native;
using ThunderDb.Io.Uring;

namespace ThunderDb.Io.Files;

/// <summary>Chooses the backend and the open flags for a <see cref="StorageFile"/>.</summary>
internal static class StorageFileFactory
{
    public static StorageFile Open(string path, FileOpenOptions options) =>
        Open(path, options, options.Backend == IoBackendKind.Posix ? null : IoBackendProbe.SharedRing, IoBackendProbe.Result);

    /// <summary>Opens with an explicit ring (null: io_uring unavailable for the reason in <paramref name="probe"/>).</summary>
    internal static StorageFile Open(string path, FileOpenOptions options, IoUringRing? availableRing, IoBackendProbeResult probe)
    {
        var ring = options.Backend switch
        {
            IoBackendKind.Posix => null,
            IoBackendKind.IoUring => availableRing ?? throw new IoException(
                $"io_uring backend was requested for '{path}' but is unavailable: {probe.Reason}. " +
                "Set storage.io_backend = \"auto\" or \"posix\" to use pread/pwrite.",
                path,
                probe.Errno),
            _ => availableRing,
        };

        var (fd, direct) = OpenFd(path, options);
        return ring is null ? new PosixStorageFile(path, fd, direct) : new IoUringStorageFile(path, fd, direct, ring);
    }

    internal static (SafeFdHandle Fd, bool Direct) OpenFd(string path, FileOpenOptions options)
    {
        var flags = (options.ReadOnly ? Libc.O_RDONLY : Libc.O_RDWR) | Libc.O_CLOEXEC |
                    (options.CreateIfMissing && !options.ReadOnly ? Libc.O_CREAT : 0);
        if (options.DirectIo)
        {
            var fd = Libc.Open(path, flags | OpenFlags.Direct, 0x1A4 /* 0644 */);
            if (fd >= 0)
            {
                return (new SafeFdHandle(fd), true);
            }

            var errno = Marshal.GetLastSystemError();
            if (errno != Libc.EINVAL)
            {
                throw new IoException("open(O_DIRECT)", path, 0, 0, errno);
            }

            options.Warn?.Invoke($"O_DIRECT refused by the filesystem for '{path}' (EINVAL); using buffered I/O");
        }

        var plain = Libc.Open(path, flags, 0x1A4);
        if (plain < 0)
        {
            throw new IoException("open", path, 0, 0, Marshal.GetLastSystemError());
        }

        return (new SafeFdHandle(plain), false);
    }
}

/// <summary>Architecture-dependent open(2) flags.</summary>
internal static class OpenFlags
{
    /// <summary>O_DIRECT: 0x4000 on x86-64, 0x10000 on arm64.</summary>
    public static int Direct => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x10000 : 0x4000;
}

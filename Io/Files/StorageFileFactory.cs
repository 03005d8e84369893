using System.Runtime.InteropServices;
using ThunderDb.Io.Native;

namespace ThunderDb.Io.Files;

/// <summary>Chooses the backend and the open flags for a <see cref="StorageFile"/>.</summary>
internal static class StorageFileFactory
{
    public static StorageFile Open(string path, FileOpenOptions options)
    {
        var (fd, direct) = OpenFd(path, options);
        return options.Backend switch
        {
            IoBackendKind.Posix => new PosixStorageFile(path, fd, direct),
            IoBackendKind.IoUring => throw new IoException($"io_uring backend is not supported yet for '{path}'", path, Libc.ENOSYS),
            _ => new PosixStorageFile(path, fd, direct),
        };
    }

    internal static (SafeFdHandle Fd, bool Direct) OpenFd(string path, FileOpenOptions options)
    {
        var flags = Libc.O_RDWR | Libc.O_CLOEXEC | (options.CreateIfMissing ? Libc.O_CREAT : 0);
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

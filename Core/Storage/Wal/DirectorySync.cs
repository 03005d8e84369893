using System.Runtime.InteropServices;
using ThunderDb.Io;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// fsync on a directory, so that a created, renamed or deleted segment file survives a crash.
/// (Belongs in the Io layer; kept here until Io exposes it.)
/// </summary>
internal static partial class DirectorySync
{
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;
    private const int EIntr = 4;

    /// <summary>O_DIRECTORY: 0x10000 on x86-64, 0x4000 on arm64.</summary>
    private static int DirectoryFlag => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;

    /// <summary>Tests: sees every directory fsynced (to check that creating a file syncs its directory).</summary>
    internal static Action<string>? Synced { get; set; }

    /// <summary>Creates <paramref name="directory"/> and any missing parents, fsyncing the parent of each one created.</summary>
    public static void CreateDurably(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (Directory.Exists(full))
        {
            return;
        }

        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDurably(parent);
        }

        Directory.CreateDirectory(full);
        if (parent is not null)
        {
            Sync(parent);
        }
    }

    /// <summary>fsync of the directory holding <paramref name="path"/> (a file or directory just created).</summary>
    public static void SyncParent(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path).TrimEnd('/')) is { Length: > 0 } parent)
        {
            Sync(parent);
        }
    }

    public static void Sync(string directory)
    {
        Synced?.Invoke(directory);
        var fd = Open(directory, ORdOnly | DirectoryFlag | OCloExec, 0);
        if (fd < 0)
        {
            throw new IoException("open(directory)", directory, 0, 0, Marshal.GetLastSystemError());
        }

        try
        {
            while (FSync(fd) != 0)
            {
                var errno = Marshal.GetLastSystemError();
                if (errno != EIntr)
                {
                    throw new IoException("fsync(directory)", directory, 0, 0, errno);
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

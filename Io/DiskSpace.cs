using System.Runtime.InteropServices;

namespace ThunderDb.Io;

/// <summary>Free and total bytes of the filesystem holding a path (statvfs).</summary>
public readonly record struct DiskSpaceInfo(ulong TotalBytes, ulong FreeBytes, ulong AvailableBytes)
{
    /// <summary>Free space available to unprivileged writers, in percent of the total.</summary>
    public double AvailablePercent => TotalBytes == 0 ? 0 : 100.0 * AvailableBytes / TotalBytes;
}

public static unsafe partial class DiskSpace
{
    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfs
    {
        public ulong f_bsize;
        public ulong f_frsize;
        public ulong f_blocks;
        public ulong f_bfree;
        public ulong f_bavail;
        public ulong f_files;
        public ulong f_ffree;
        public ulong f_favail;
        public ulong f_fsid;
        public ulong f_flag;
        public ulong f_namemax;
        public fixed int __spare[6];
    }

    [LibraryImport("libc", EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatVfsNative(string path, StatVfs* buf);

    /// <summary>Probes the filesystem of <paramref name="path"/>.</summary>
    public static DiskSpaceInfo Probe(string path)
    {
        StatVfs s;
        if (StatVfsNative(path, &s) != 0)
        {
            throw new IoException("statvfs", path, 0, 0, Marshal.GetLastSystemError());
        }

        var unit = s.f_frsize != 0 ? s.f_frsize : s.f_bsize;
        return new DiskSpaceInfo(s.f_blocks * unit, s.f_bfree * unit, s.f_bavail * unit);
    }
}

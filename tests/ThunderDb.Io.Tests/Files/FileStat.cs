using System.Runtime.InteropServices;

namespace ThunderDb.Io.Tests.Files;

/// <summary>Reads a file's allocated size with statx(2), whose layout is the same on every architecture.</summary>
internal static unsafe partial class FileStat
{
    private const int AtFdCwd = -100;
    private const uint StatxBlocks = 0x400;
    private const int StatxSize = 256;
    private const int BlocksOffset = 48; // struct statx: stx_blocks, in 512-byte units

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    public static long AllocatedBytes(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, 0, StatxBlocks, buffer) != 0)
        {
            throw new InvalidOperationException($"statx({path}) failed: errno {Marshal.GetLastSystemError()}");
        }

        return *(long*)(buffer + BlocksOffset) * 512;
    }
}

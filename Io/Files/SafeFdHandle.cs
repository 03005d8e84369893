using Microsoft.Win32.SafeHandles;
using ThunderDb.Io.Native;

namespace ThunderDb.Io.Files;

/// <summary>An owned POSIX file descriptor.</summary>
public sealed class SafeFdHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeFdHandle(int fd) : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    /// <summary>
    /// Takes a reference for the duration of one operation (pair with <see cref="SafeHandle.DangerousRelease"/>),
    /// so a concurrent Dispose cannot close the descriptor, or let its number be reused, mid-operation.
    /// </summary>
    internal int Acquire(string path)
    {
        var added = false;
        try
        {
            DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new IoException($"'{path}' is closed", path, Libc.EBADF);
        }

        return (int)handle;
    }

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}

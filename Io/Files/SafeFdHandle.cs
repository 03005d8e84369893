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

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}

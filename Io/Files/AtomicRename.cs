using System.Runtime.InteropServices;
using ThunderDb.Io.Native;

namespace ThunderDb.Io.Files;

/// <summary>
/// rename(2): replaces <c>target</c> atomically whatever the two are (a symbolic link to a directory included, which
/// <see cref="File.Move(string, string, bool)"/> refuses because it follows the link).
/// </summary>
public static class AtomicRename
{
    public static void Replace(string source, string target)
    {
        if (Libc.Rename(source, target) != 0)
        {
            var errno = Marshal.GetLastSystemError();
            throw new IoException($"rename '{source}' -> '{target}' failed: {Libc.ErrorText(errno)} (errno {errno})", target, errno);
        }
    }
}

using System.Runtime.InteropServices;
using ThunderDb.Io.Native;

namespace ThunderDb.Io.Files;

/// <summary>
/// Blocking pread/pwrite/fdatasync/fallocate loops shared by both backends: the posix backend uses
/// them for everything, the io_uring backend for its synchronous methods (a caller that blocks
/// anyway is served best by one syscall and one wake-up; see <see cref="IoUringStorageFile"/>).
/// </summary>
internal static unsafe class PosixIo
{
    public static int Read(int fd, string path, long offset, Span<byte> buffer)
    {
        var total = 0;
        fixed (byte* p = buffer)
        {
            while (total < buffer.Length)
            {
                var n = Libc.PRead(fd, p + total, (nuint)(buffer.Length - total), offset + total);
                if (n < 0)
                {
                    var errno = Marshal.GetLastSystemError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw new IoException("pread", path, offset, buffer.Length, errno);
                }

                if (n == 0)
                {
                    break; // end of file
                }

                total += (int)n;
            }
        }

        return total;
    }

    public static void Write(int fd, string path, long offset, ReadOnlySpan<byte> data)
    {
        var total = 0;
        fixed (byte* p = data)
        {
            while (total < data.Length)
            {
                var n = Libc.PWrite(fd, p + total, (nuint)(data.Length - total), offset + total);
                if (n < 0)
                {
                    var errno = Marshal.GetLastSystemError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw new IoException("pwrite", path, offset, data.Length, errno);
                }

                if (n == 0)
                {
                    throw new IoException("pwrite", path, offset, data.Length, Libc.ENOSPC);
                }

                total += (int)n;
            }
        }
    }

    public static void DataSync(int fd, string path)
    {
        while (Libc.FDataSync(fd) != 0)
        {
            var errno = Marshal.GetLastSystemError();
            if (errno != Libc.EINTR)
            {
                throw new IoException("fdatasync", path, 0, 0, errno);
            }
        }
    }

    public static void Truncate(int fd, string path, long length)
    {
        if (Libc.FTruncate(fd, length) != 0)
        {
            throw new IoException("ftruncate", path, length, 0, Marshal.GetLastSystemError());
        }
    }

    public static long Length(int fd, string path)
    {
        var end = Libc.LSeek(fd, 0, 2 /* SEEK_END */);
        return end >= 0 ? end : throw new IoException("lseek", path, 0, 0, Marshal.GetLastSystemError());
    }

    /// <summary>fallocate(fd, 0, offset, length): reserves blocks, grows the size if the range passes the end, keeps data.</summary>
    public static void Preallocate(int fd, string path, long offset, long length)
    {
        while (Libc.FAllocate(fd, 0, offset, length) != 0)
        {
            var errno = Marshal.GetLastSystemError();
            if (errno != Libc.EINTR)
            {
                throw new IoException("fallocate", path, offset, length, errno);
            }
        }
    }
}

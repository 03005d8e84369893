using System.Runtime.InteropServices;
using ThunderDb.Io.Native;

namespace ThunderDb.Io.Files;

/// <summary>The fallback backend: pread/pwrite/fdatasync on a file descriptor.</summary>
public sealed unsafe class PosixStorageFile : StorageFile
{
    private readonly SafeFdHandle _fd;

    internal PosixStorageFile(string path, SafeFdHandle fd, bool isDirectIo) : base(path, isDirectIo)
    {
        _fd = fd;
    }

    public override string BackendName => "posix";

    public override long Length
    {
        get
        {
            var end = Libc.LSeek(Fd, 0, 2 /* SEEK_END */);
            if (end < 0)
            {
                throw new IoException("lseek", Path, 0, 0, Marshal.GetLastSystemError());
            }

            return end;
        }
    }

    internal int Fd => (int)_fd.DangerousGetHandle();

    public override int Read(long offset, Span<byte> buffer)
    {
        var total = 0;
        fixed (byte* p = buffer)
        {
            while (total < buffer.Length)
            {
                var n = Libc.PRead(Fd, p + total, (nuint)(buffer.Length - total), offset + total);
                if (n < 0)
                {
                    var errno = Marshal.GetLastSystemError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw new IoException("pread", Path, offset, buffer.Length, errno);
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

    public override void Write(long offset, ReadOnlySpan<byte> data)
    {
        var total = 0;
        fixed (byte* p = data)
        {
            while (total < data.Length)
            {
                var n = Libc.PWrite(Fd, p + total, (nuint)(data.Length - total), offset + total);
                if (n < 0)
                {
                    var errno = Marshal.GetLastSystemError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw new IoException("pwrite", Path, offset, data.Length, errno);
                }

                if (n == 0)
                {
                    throw new IoException("pwrite", Path, offset, data.Length, Libc.ENOSPC);
                }

                total += (int)n;
            }
        }
    }

    public override ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(offset, buffer.Span));
    }

    public override ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(offset, data.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
        while (Libc.FDataSync(Fd) != 0)
        {
            var errno = Marshal.GetLastSystemError();
            if (errno != Libc.EINTR)
            {
                throw new IoException("fdatasync", Path, 0, 0, errno);
            }
        }
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Flush();
        return ValueTask.CompletedTask;
    }

    public override void SetLength(long length)
    {
        if (Libc.FTruncate(Fd, length) != 0)
        {
            throw new IoException("ftruncate", Path, length, 0, Marshal.GetLastSystemError());
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fd.Dispose();
        }
    }
}

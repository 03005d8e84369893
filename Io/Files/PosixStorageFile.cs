using System.Runtime.InteropServices;
using ThunderDb.Io.Native;

namespace ThunderDb.Io.Files;

/// <summary>
/// The fallback backend: pread/pwrite/fdatasync on a file descriptor. Its async methods complete
/// synchronously (the call blocks the calling thread), so concurrency comes from concurrent callers.
/// </summary>
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
            var fd = _fd.Acquire(Path);
            try
            {
                var end = Libc.LSeek(fd, 0, 2 /* SEEK_END */);
                return end >= 0 ? end : throw new IoException("lseek", Path, 0, 0, Marshal.GetLastSystemError());
            }
            finally
            {
                _fd.DangerousRelease();
            }
        }
    }

    public override int Read(long offset, Span<byte> buffer)
    {
        var fd = _fd.Acquire(Path);
        try
        {
            return ReadCore(fd, offset, buffer);
        }
        finally
        {
            _fd.DangerousRelease();
        }
    }

    private int ReadCore(int fd, long offset, Span<byte> buffer)
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
        var fd = _fd.Acquire(Path);
        try
        {
            WriteCore(fd, offset, data);
        }
        finally
        {
            _fd.DangerousRelease();
        }
    }

    private void WriteCore(int fd, long offset, ReadOnlySpan<byte> data)
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
        var fd = _fd.Acquire(Path);
        try
        {
            while (Libc.FDataSync(fd) != 0)
            {
                var errno = Marshal.GetLastSystemError();
                if (errno != Libc.EINTR)
                {
                    throw new IoException("fdatasync", Path, 0, 0, errno);
                }
            }
        }
        finally
        {
            _fd.DangerousRelease();
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
        var fd = _fd.Acquire(Path);
        try
        {
            if (Libc.FTruncate(fd, length) != 0)
            {
                throw new IoException("ftruncate", Path, length, 0, Marshal.GetLastSystemError());
            }
        }
        finally
        {
            _fd.DangerousRelease();
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

namespace ThunderDb.Io.Files;

/// <summary>
/// The fallback backend: pread/pwrite/fdatasync on a file descriptor. Its async methods complete
/// synchronously (the call blocks the calling thread), so concurrency comes from concurrent callers.
/// </summary>
public sealed class PosixStorageFile : StorageFile
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
                return PosixIo.Length(fd, Path);
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
            return PosixIo.Read(fd, Path, offset, buffer);
        }
        finally
        {
            _fd.DangerousRelease();
        }
    }

    public override void Write(long offset, ReadOnlySpan<byte> data)
    {
        var fd = _fd.Acquire(Path);
        try
        {
            PosixIo.Write(fd, Path, offset, data);
        }
        finally
        {
            _fd.DangerousRelease();
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
            PosixIo.DataSync(fd, Path);
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
            PosixIo.Truncate(fd, Path, length);
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

    private protected override SafeFdHandle Handle => _fd;
}

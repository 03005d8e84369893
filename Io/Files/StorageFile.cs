namespace ThunderDb.Io.Files;

/// <summary>Which kernel interface carries a file's reads, writes and syncs.</summary>
public enum IoBackendKind
{
    /// <summary>io_uring when the kernel allows it, else pread/pwrite (see <see cref="IoBackendProbe"/>).</summary>
    Auto,

    /// <summary>io_uring only; opening fails when the kernel refuses it.</summary>
    IoUring,

    /// <summary>pread/pwrite/fdatasync.</summary>
    Posix,
}

/// <summary>How to open a <see cref="StorageFile"/>.</summary>
public sealed record FileOpenOptions
{
    /// <summary>Open with O_DIRECT; falls back to buffered I/O (with a warning) where the filesystem refuses it.</summary>
    public bool DirectIo { get; init; }

    /// <summary>The backend; the host maps <c>storage.io_backend = "auto" | "io_uring" | "posix"</c> onto it.</summary>
    public IoBackendKind Backend { get; init; } = IoBackendKind.Auto;

    /// <summary>Open read-only (O_RDONLY); writes fail with EBADF. Implies not creating the file.</summary>
    public bool ReadOnly { get; init; }

    public bool CreateIfMissing { get; init; } = true;

    /// <summary>Receives warnings such as "O_DIRECT refused, using buffered I/O".</summary>
    public Action<string>? Warn { get; init; }
}

/// <summary>
/// A data or log file addressed by offset. Buffers passed with <see cref="IsDirectIo"/> set must be
/// aligned (see <see cref="Buffers.AlignedBuffer"/>) in address, offset and length.
/// Every failure is an <see cref="IoException"/> naming the file, offset and length.
/// </summary>
public abstract class StorageFile : IDisposable
{
    protected StorageFile(string path, bool isDirectIo)
    {
        Path = path;
        IsDirectIo = isDirectIo;
    }

    public string Path { get; }

    public bool IsDirectIo { get; }

    /// <summary>"io_uring" or "posix".</summary>
    public abstract string BackendName { get; }

    public abstract long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; fewer only at end of file.</summary>
    public abstract int Read(long offset, Span<byte> buffer);

    /// <summary>Writes all of <paramref name="data"/>.</summary>
    public abstract void Write(long offset, ReadOnlySpan<byte> data);

    public abstract ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    public abstract ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>fdatasync: data and the metadata needed to read it back are durable on return.</summary>
    public abstract void Flush();

    public abstract ValueTask FlushAsync(CancellationToken cancellationToken = default);

    public abstract void SetLength(long length);

    /// <summary>
    /// Reserves disk blocks for [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>)
    /// with fallocate(2) (mode 0): the length grows when the range passes the end, existing data is kept,
    /// new bytes read as zeros. Call it when a file is created or grown in large steps (a WAL segment
    /// at creation, the data file by an extent at a time) rather than per write.
    /// </summary>
    /// <remarks>
    /// Why: an O_DIRECT write into a hole or past the end must allocate blocks first. ext4 then takes
    /// the inode lock exclusively, so such writes run one at a time on either backend, and io_uring
    /// cannot issue them without blocking, so it hands each to a kernel worker thread (3653 of 4096
    /// writes to a sparse file in docs/perf.md "## Io"). Preallocated blocks are "unwritten" extents: the first write to each still converts it
    /// (a small journal update) but needs no allocation; rewrites are plain overwrites.
    /// Fails with an <see cref="IoException"/> (EOPNOTSUPP) on filesystems without fallocate.
    /// </remarks>
    public virtual void Preallocate(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var handle = Handle ?? throw new NotSupportedException($"{GetType().Name} does not support Preallocate");
        var fd = handle.Acquire(Path);
        try
        {
            PosixIo.Preallocate(fd, Path, offset, length);
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    /// <summary>The descriptor, for operations both backends do the same way.</summary>
    private protected virtual SafeFdHandle? Handle => null;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);

    /// <summary>Opens <paramref name="path"/> with the backend the options ask for.</summary>
    public static StorageFile Open(string path, FileOpenOptions options) => StorageFileFactory.Open(path, options);
}

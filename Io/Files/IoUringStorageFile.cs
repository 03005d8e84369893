using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ThunderDb.Io.Native;
using ThunderDb.Io.Uring;
using static ThunderDb.Io.Native.IoUringNative;

namespace ThunderDb.Io.Files;

/// <summary>
/// The io_uring backend: async reads, writes and fdatasync go through a shared <see cref="IoUringRing"/>
/// (IORING_OP_READ / WRITE / FSYNC with IORING_FSYNC_DATASYNC), so many callers keep the device
/// queue full from few threads. Short transfers are continued and -EINTR/-EAGAIN results are
/// resubmitted. The sync methods use pread/pwrite/fdatasync on the same descriptor (see below).
/// </summary>
public sealed unsafe partial class IoUringStorageFile : StorageFile
{
    private readonly SafeFdHandle _fd;
    private readonly IoUringRing _ring;

    internal IoUringStorageFile(string path, SafeFdHandle fd, bool isDirectIo, IoUringRing ring) : base(path, isDirectIo)
    {
        _fd = fd;
        _ring = ring;
    }

    public override string BackendName => "io_uring";

    public override long Length
    {
        get
        {
            var fd = AddRef();
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

    // The synchronous methods call pread/pwrite/fdatasync directly. A caller that blocks until its
    // one operation is done gains nothing from the ring, and through it pays extra hand-offs (the
    // kernel's task_work kick to the submitter, the completion thread, then the event back to the
    // caller): 16 KiB O_DIRECT writes at QD 1 ran 0.68-0.71x the speed of pwrite in every run
    // (docs/perf.md "## Io"). The ring serves the async methods, where many operations in flight
    // from few threads is the point.

    public override int Read(long offset, Span<byte> buffer)
    {
        var fd = AddRef();
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
        var fd = AddRef();
        try
        {
            PosixIo.Write(fd, Path, offset, data);
        }
        finally
        {
            _fd.DangerousRelease();
        }
    }

    public override void Flush()
    {
        var fd = AddRef();
        try
        {
            PosixIo.DataSync(fd, Path);
        }
        finally
        {
            _fd.DangerousRelease();
        }
    }

    public override void SetLength(long length)
    {
        // IORING_OP_FTRUNCATE only exists from Linux 6.9; truncation is rare, so call ftruncate directly.
        var fd = AddRef();
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
            // Operations still in flight hold a reference, so the descriptor closes after the last one.
            _fd.Dispose();
        }
    }

    private protected override SafeFdHandle Handle => _fd;

    private int AddRef() => _fd.Acquire(Path);

    private static nint AddressOf(in MemoryHandle pin) => (nint)pin.Pointer;

    private static bool IsRetryable(int res) => res == -Libc.EINTR || res == -Libc.EAGAIN;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowIo(string operation, long offset, long length, int negativeErrno) =>
        throw new IoException(operation, Path, offset, length, -negativeErrno);
}

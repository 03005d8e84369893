using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ThunderDb.Io.Native;
using ThunderDb.Io.Uring;
using static ThunderDb.Io.Native.IoUringNative;

namespace ThunderDb.Io.Files;

/// <summary>
/// The io_uring backend: reads, writes and fdatasync go through a shared <see cref="IoUringRing"/>
/// (IORING_OP_READ / WRITE / FSYNC with IORING_FSYNC_DATASYNC). Sync methods submit and wait;
/// async methods leave the operation in flight, so many callers keep the device queue full.
/// Short transfers are continued and -EINTR/-EAGAIN results are resubmitted.
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
        var fd = AddRef();
        try
        {
            fixed (byte* p = buffer)
            {
                var total = 0;
                while (total < buffer.Length)
                {
                    var res = _ring.SubmitAndWait(OpRead, fd, p + total, (uint)(buffer.Length - total), offset + total, 0);
                    if (res > 0)
                    {
                        total += res;
                    }
                    else if (res == 0)
                    {
                        break; // end of file
                    }
                    else if (!IsRetryable(res))
                    {
                        ThrowIo("read", offset, buffer.Length, res);
                    }
                }

                return total;
            }
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
            fixed (byte* p = data)
            {
                var total = 0;
                while (total < data.Length)
                {
                    var res = _ring.SubmitAndWait(OpWrite, fd, p + total, (uint)(data.Length - total), offset + total, 0);
                    if (res > 0)
                    {
                        total += res;
                    }
                    else if (res == 0)
                    {
                        ThrowIo("write", offset, data.Length, -Libc.ENOSPC);
                    }
                    else if (!IsRetryable(res))
                    {
                        ThrowIo("write", offset, data.Length, res);
                    }
                }
            }
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
            int res;
            do
            {
                res = _ring.SubmitAndWait(OpFsync, fd, null, 0, 0, FsyncDataSync);
            }
            while (IsRetryable(res));

            if (res < 0)
            {
                ThrowIo("fdatasync", 0, 0, res);
            }
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
            // Operations still in flight hold a reference, so the descriptor closes after the last one.
            _fd.Dispose();
        }
    }

    private int AddRef() => _fd.Acquire(Path);

    private static nint AddressOf(in MemoryHandle pin) => (nint)pin.Pointer;

    private static bool IsRetryable(int res) => res == -Libc.EINTR || res == -Libc.EAGAIN;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowIo(string operation, long offset, long length, int negativeErrno) =>
        throw new IoException(operation, Path, offset, length, -negativeErrno);
}

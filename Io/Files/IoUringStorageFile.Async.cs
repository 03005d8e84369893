using System.Buffers;
using System.Runtime.CompilerServices;
using ThunderDb.Io.Native;
using static ThunderDb.Io.Native.IoUringNative;

namespace ThunderDb.Io.Files;

// The async operations live in this part because C# forbids await inside an unsafe context.
public sealed partial class IoUringStorageFile
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Cancellation is honoured before submission only: a submitted read owns the buffer until it completes.
        cancellationToken.ThrowIfCancellationRequested();
        var fd = AddRef();
        try
        {
            using var pin = buffer.Pin();
            var total = 0;
            while (total < buffer.Length)
            {
                var res = await _ring.SubmitAsync(OpRead, fd, AddressOf(pin) + total, (uint)(buffer.Length - total), offset + total, 0)
                    .ConfigureAwait(false);
                if (res > 0)
                {
                    total += res;
                }
                else if (res == 0)
                {
                    break;
                }
                else if (!IsRetryable(res))
                {
                    ThrowIo("read", offset, buffer.Length, res);
                }
            }

            return total;
        }
        finally
        {
            _fd.DangerousRelease();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var fd = AddRef();
        try
        {
            using var pin = data.Pin();
            var total = 0;
            while (total < data.Length)
            {
                var res = await _ring.SubmitAsync(OpWrite, fd, AddressOf(pin) + total, (uint)(data.Length - total), offset + total, 0)
                    .ConfigureAwait(false);
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
        finally
        {
            _fd.DangerousRelease();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var fd = AddRef();
        try
        {
            int res;
            do
            {
                res = await _ring.SubmitAsync(OpFsync, fd, 0, 0, 0, FsyncDataSync).ConfigureAwait(false);
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
}

using System.Buffers;

namespace ThunderDb.Net.Transport;

/// <summary>
/// Buffers beyond a connection's pooled 16 KiB (a large frame being received, a large reply being sent). Up to
/// <see cref="PooledMaxBytes"/> they come from <see cref="ArrayPool{T}.Shared"/>; larger ones are allocated for the
/// one request and dropped afterwards, because the shared pool would keep a 512 MB array for the life of the
/// process. Once enough large buffers were dropped, one compacting collection gives the memory back to the OS.
/// </summary>
public static class LargeBuffers
{
    /// <summary>Largest buffer kept in the shared pool for reuse.</summary>
    public const int PooledMaxBytes = 1 << 20;

    /// <summary>Dropped bytes that make a collection worth its pause (a few milliseconds on this heap).</summary>
    private const long ReclaimAfterBytes = 32L << 20;

    private static long _droppedBytes;
    private static int _reclaimScheduled;
    private static long _outstandingBytes;

    /// <summary>Bytes of unpooled large buffers rented and not yet returned (zero when no large request is in flight).</summary>
    public static long OutstandingBytes => Volatile.Read(ref _outstandingBytes);

    /// <summary>Compacting collections run to give dropped large buffers back to the OS.</summary>
    public static int Reclaims { get; private set; }

    public static byte[] Rent(long minimum)
    {
        int size = (int)Math.Min(minimum, Array.MaxLength);
        if (size <= PooledMaxBytes)
        {
            return ArrayPool<byte>.Shared.Rent(size);
        }

        Interlocked.Add(ref _outstandingBytes, size);
        return GC.AllocateUninitializedArray<byte>(size);
    }

    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= PooledMaxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        Interlocked.Add(ref _outstandingBytes, -buffer.Length);
        if (Interlocked.Add(ref _droppedBytes, buffer.Length) >= ReclaimAfterBytes &&
            Interlocked.CompareExchange(ref _reclaimScheduled, 1, 0) == 0)
        {
            _ = Task.Run(ReclaimAsync);
        }
    }

    private static async Task ReclaimAsync()
    {
        do
        {
            // A short wait lets a burst of large requests end first, so one collection serves all of them.
            await Task.Delay(100).ConfigureAwait(false);
            Interlocked.Exchange(ref _droppedBytes, 0);
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Reclaims++;
            await Task.Delay(1000).ConfigureAwait(false); // at most one such pause a second
        }
        while (Volatile.Read(ref _droppedBytes) >= ReclaimAfterBytes);

        Volatile.Write(ref _reclaimScheduled, 0);
        if (Volatile.Read(ref _droppedBytes) >= ReclaimAfterBytes && Interlocked.CompareExchange(ref _reclaimScheduled, 1, 0) == 0)
        {
            _ = Task.Run(ReclaimAsync);
        }
    }
}

using System.Buffers;

namespace ThunderDb.Io.Buffers;

/// <summary>
/// Buffers sized by one request: a large frame being received, a large reply, a large commit record. Up to
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

    public static byte[] Rent(long minimum)
    {
        int size = (int)Math.Min(minimum, Array.MaxLength);
        if (size <= PooledMaxBytes)
        {
            return ArrayPool<byte>.Shared.Rent(size);
        }

        return GC.AllocateUninitializedArray<byte>(size);
    }

    /// <summary>Gives a buffer from <see cref="Rent"/> back; a large one is dropped (never used again by the caller).</summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= PooledMaxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

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

namespace ThunderDb.Core.Storage.Buffers;

/// <summary>
/// A counter split over cache-line-padded stripes chosen by thread id, so concurrent readers on different
/// cores do not bounce one cache line (the buffer pool counts a hit on every page access). Reading the
/// total sums the stripes; it is exact once the incrementing threads are quiet.
/// </summary>
internal sealed class StripedCounter
{
    private const int Stripes = 16;
    private const int Stride = 8; // 8 longs = 64 bytes per stripe
    private readonly long[] _cells = new long[Stripes * Stride];

    public void Increment() => Interlocked.Increment(ref _cells[(Environment.CurrentManagedThreadId & (Stripes - 1)) * Stride]);

    public void Add(long value) => Interlocked.Add(ref _cells[(Environment.CurrentManagedThreadId & (Stripes - 1)) * Stride], value);

    public long Sum()
    {
        long total = 0;
        for (var i = 0; i < Stripes; i++)
        {
            total += Volatile.Read(ref _cells[i * Stride]);
        }

        return total;
    }
}

namespace ThunderDb.Core.Storage;

/// <summary>
/// Keeps freed pages from being reused while a reader may still be looking at them, without a lock on the
/// read path. A page the writer frees (copied away, merged away) can still be reached by a reader that
/// started before; it only returns to the free list after the checkpoint has called <see cref="WaitForOlderReaders"/>.
/// <para>Readers count themselves into one of two generations on a striped, padded counter (one interlocked
/// add on a mostly core-local cache line per operation). The reclaimer flips the generation and waits until
/// the old generation drains: every reader still counted there began before the flip.</para>
/// </summary>
internal sealed class ReaderGate
{
    private const int Stripes = 16;
    private const int Stride = 8;
    private readonly long[] _counts = new long[2 * Stripes * Stride];
    private long _generation;

    /// <summary>Returns the token to pass to <see cref="Exit"/>.</summary>
    public int Enter()
    {
        var stripe = Environment.CurrentManagedThreadId & (Stripes - 1);
        while (true)
        {
            var generation = (int)(Volatile.Read(ref _generation) & 1);
            var slot = ((generation * Stripes) + stripe) * Stride;
            Interlocked.Increment(ref _counts[slot]);

            // Interlocked operations are full fences: either the reclaimer sees our count, or we see its flip.
            if ((int)(Volatile.Read(ref _generation) & 1) == generation)
            {
                return slot;
            }

            Interlocked.Decrement(ref _counts[slot]);
        }
    }

    public void Exit(int token) => Interlocked.Decrement(ref _counts[token]);

    /// <summary>Returns once every reader that entered before this call has exited. One caller at a time.</summary>
    public void WaitForOlderReaders()
    {
        var old = (int)(Interlocked.Increment(ref _generation) - 1) & 1;
        var spin = new SpinWait();
        while (true)
        {
            long active = 0;
            for (var i = 0; i < Stripes; i++)
            {
                active += Volatile.Read(ref _counts[((old * Stripes) + i) * Stride]);
            }

            if (active == 0)
            {
                return;
            }

            spin.SpinOnce();
        }
    }
}

using System.Diagnostics;
using ThunderDb.Core.Diagnostics;

namespace ThunderDb.Core.Txn;

/// <summary>
/// The per-transaction metrics (<c>thunderdb_transactions_started_total</c>, <c>_committed_total</c>,
/// <c>_aborted_total</c>, <c>thunderdb_active_transactions</c>, <c>thunderdb_transaction_duration_seconds</c>),
/// counted in plain per-thread cells and handed to Prometheus when it collects (<see cref="Publish"/>).
/// <para>
/// Why: RESP runs one transaction per command, and feeding prometheus-net directly (three counter/gauge
/// interlocked updates on shared lines plus a histogram observe with its exemplar check) was ~3-4% of a GET.
/// Here a transaction costs a few plain stores to its own thread's cells. The histogram keeps its meaning:
/// every transaction lands in the bucket of its own duration and adds its exact duration to the sum. On
/// collect, each bucket's new transactions are observed at once at their mean duration, which lies inside the
/// bucket (a mean of values in (a, b] is in (a, b]), so _bucket, _count and _sum are what per-transaction
/// observes would have produced.
/// </para>
/// </summary>
internal static class TransactionMetrics
{
    private static readonly double[] Bounds = ThunderMetrics.TransactionBuckets;
    private static readonly long[] BoundTicks = ToTicks(Bounds);
    private static readonly List<Cells> Live = [];
    private static readonly Cells Retired = new(null); // what threads that have ended counted
    private static readonly Cells Published = new(null); // what Prometheus has been given so far

    [ThreadStatic]
    private static Cells? t_cells;

    private static bool s_registered; // under the Live lock

    public static void Started()
    {
        var cells = t_cells ?? Attach();
        Volatile.Write(ref cells.Started, cells.Started + 1);
    }

    /// <summary>
    /// Counts a transaction that started at the <see cref="Stopwatch"/> timestamp <paramref name="startedAt"/> and
    /// ended at <paramref name="endedAt"/> (0: now).
    /// </summary>
    public static void Ended(bool committed, long startedAt, long endedAt = 0)
    {
        var elapsed = (endedAt != 0 ? endedAt : Stopwatch.GetTimestamp()) - startedAt;
        var cells = t_cells ?? Attach();
        var bucket = 0;
        var bounds = BoundTicks;
        while (bucket < bounds.Length && elapsed > bounds[bucket])
        {
            bucket++;
        }

        // A sequence lock: Publish retries while a thread is between the odd and even stores, so it never reads a
        // bucket's count without its ticks. Only this thread writes its cells; every store is a release (in order).
        var version = cells.Version;
        Volatile.Write(ref cells.Version, version + 1);
        Volatile.Write(ref cells.BucketTicks[bucket], cells.BucketTicks[bucket] + elapsed);
        Volatile.Write(ref cells.BucketCounts[bucket], cells.BucketCounts[bucket] + 1);
        if (committed)
        {
            Volatile.Write(ref cells.Committed, cells.Committed + 1);
        }
        else
        {
            Volatile.Write(ref cells.Aborted, cells.Aborted + 1);
        }

        Volatile.Write(ref cells.Version, version + 2);
    }

    /// <summary>Hands what was counted since the last call to the Prometheus metrics (before every collect).</summary>
    public static void Publish()
    {
        lock (Live)
        {
            // Ends first, starts second: a transaction may end on another thread than the one that began it, and
            // its start happened before its end, so every end read here has its start counted too.
            var total = new Cells(null);
            total.AddEnds(Retired);
            var dead = new List<Cells>();
            foreach (var cells in Live)
            {
                if (!cells.Owner!.IsAlive)
                {
                    dead.Add(cells); // decided before reading: a dead thread's cells no longer change
                }

                total.AddEnds(cells);
            }

            total.Started = Retired.Started;
            foreach (var cells in Live)
            {
                total.Started += Volatile.Read(ref cells.Started);
            }

            foreach (var cells in dead)
            {
                Retired.AddEnds(cells);
                Retired.Started += cells.Started;
                Live.Remove(cells);
            }

            ThunderMetrics.TransactionsStartedTotal.Inc(total.Started - Published.Started);
            ThunderMetrics.TransactionsCommittedTotal.Inc(total.Committed - Published.Committed);
            ThunderMetrics.TransactionsAbortedTotal.Inc(total.Aborted - Published.Aborted);
            ThunderMetrics.ActiveTransactions.Set(Math.Max(0, total.Started - total.Committed - total.Aborted));
            for (var b = 0; b < total.BucketCounts.Length; b++)
            {
                var seconds = (double)(total.BucketTicks[b] - Published.BucketTicks[b]) / Stopwatch.Frequency;
                BucketedObserve.Observe(ThunderMetrics.TransactionDurationSeconds, Bounds, b, seconds, total.BucketCounts[b] - Published.BucketCounts[b]);
            }

            Published.Started = total.Started;
            Published.Committed = total.Committed;
            Published.Aborted = total.Aborted;
            total.BucketCounts.CopyTo(Published.BucketCounts);
            total.BucketTicks.CopyTo(Published.BucketTicks);
        }
    }

    private static Cells Attach()
    {
        var cells = new Cells(Thread.CurrentThread);
        lock (Live)
        {
            if (!s_registered)
            {
                s_registered = true;
                ThunderMetrics.AddPublisher(Publish);
            }

            Live.Add(cells);
        }

        t_cells = cells;
        return cells;
    }

    /// <summary>The largest tick count whose duration in seconds is still at or below each bound.</summary>
    private static long[] ToTicks(double[] bounds)
    {
        var ticks = new long[bounds.Length];
        for (var i = 0; i < bounds.Length; i++)
        {
            var t = (long)(bounds[i] * Stopwatch.Frequency);
            while ((double)(t + 1) / Stopwatch.Frequency <= bounds[i])
            {
                t++;
            }

            while (t > 0 && (double)t / Stopwatch.Frequency > bounds[i])
            {
                t--;
            }

            ticks[i] = t;
        }

        return ticks;
    }

    /// <summary>One thread's counts: written only by that thread, read by <see cref="Publish"/>.</summary>
    private sealed class Cells(Thread? owner)
    {
        public readonly Thread? Owner = owner;
        public long Started;
        public long Version; // odd while the owner is updating the end counts below
        public long Committed;
        public long Aborted;
        public readonly long[] BucketCounts = new long[Bounds.Length + 1]; // the last one is +Inf
        public readonly long[] BucketTicks = new long[Bounds.Length + 1];

        /// <summary>Adds a consistent copy of <paramref name="other"/>'s end counts.</summary>
        public void AddEnds(Cells other)
        {
            Span<long> copy = stackalloc long[2 + BucketCounts.Length * 2];
            while (true)
            {
                var version = Volatile.Read(ref other.Version);
                if ((version & 1) == 0)
                {
                    copy[0] = Volatile.Read(ref other.Committed);
                    copy[1] = Volatile.Read(ref other.Aborted);
                    for (var b = 0; b < BucketCounts.Length; b++)
                    {
                        copy[2 + b] = Volatile.Read(ref other.BucketCounts[b]);
                        copy[2 + BucketCounts.Length + b] = Volatile.Read(ref other.BucketTicks[b]);
                    }

                    if (Volatile.Read(ref other.Version) == version)
                    {
                        break;
                    }
                }

                Thread.SpinWait(8); // the owner is a few stores away from done
            }

            Committed += copy[0];
            Aborted += copy[1];
            for (var b = 0; b < BucketCounts.Length; b++)
            {
                BucketCounts[b] += copy[2 + b];
                BucketTicks[b] += copy[2 + BucketCounts.Length + b];
            }
        }
    }
}

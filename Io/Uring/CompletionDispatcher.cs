using System.Collections.Concurrent;

namespace ThunderDb.Io.Uring;

/// <summary>
/// Hands completed operations to their async waiters on the thread pool, many per work item: the
/// ring thread enqueues every completion it reaps, and one pool work item drains the queue,
/// running the continuations one after another (the design of Kestrel's IOQueue).
/// </summary>
/// <remarks>
/// Why: one pool work item per completion made every completion wake or signal a pool worker, and
/// the pool's workers spin (sched_yield) while they wait for work. At QD 32 on 2 CPUs that was 37-64
/// context switches and 26-120 us of CPU per 16 KiB write, against 1 switch and 8-10 us for a thread
/// blocked in pwrite (docs/perf.md "## Io"). The ring keeps several dispatchers (one per CPU) so a
/// continuation that blocks holds up only the completions queued behind it on its dispatcher.
/// </remarks>
internal sealed class CompletionDispatcher : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<UringOperation> _completed = new();
    private int _scheduled;

    /// <summary>Ring thread: queue one completed operation (call <see cref="Schedule"/> after the batch).</summary>
    public void Enqueue(UringOperation op) => _completed.Enqueue(op);

    /// <summary>Ring thread, after a batch: make sure a work item will drain the queue.</summary>
    public void Schedule()
    {
        if (!_completed.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        while (true)
        {
            while (_completed.TryDequeue(out var op))
            {
                op.CompleteWaiter();
            }

            // Unschedule, then look again: a completion enqueued meanwhile either is seen here or
            // sees _scheduled == 0 and schedules a new work item.
            Volatile.Write(ref _scheduled, 0);
            Interlocked.MemoryBarrier();
            if (_completed.IsEmpty || Interlocked.Exchange(ref _scheduled, 1) != 0)
            {
                return;
            }
        }
    }
}

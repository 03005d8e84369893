namespace ThunderDb.Net.Transport;

/// <summary>
/// A non-reentrant async mutex whose uncontended acquire and release are one interlocked operation each
/// (<see cref="SemaphoreSlim"/> takes a monitor on both). Waiters queue in FIFO order; release hands the lock
/// straight to the first waiter.
/// </summary>
/// <remarks>
/// The lock-free paths meet the queued path Dekker-style: a waiter increments <c>_waiting</c> (a full fence) and
/// then tries the lock once more; a releaser clears <c>_held</c>, fences, and then reads <c>_waiting</c>. One of
/// the two always sees the other, so a waiter cannot sleep while the lock is free.
/// </remarks>
public sealed class AsyncLock
{
    private Lock? _gateLazy;
    private Queue<TaskCompletionSource<bool>>? _queueLazy;
    private int _held;
    private int _waiting;

    // Created on first contention: a server keeps thousands of stripe locks, most never contended.
    private Lock Gate
    {
        get
        {
            if (Volatile.Read(ref _gateLazy) is { } gate)
            {
                return gate;
            }

            var created = new Lock();
            return Interlocked.CompareExchange(ref _gateLazy, created, null) ?? created;
        }
    }

    private Queue<TaskCompletionSource<bool>> Queue => _queueLazy ??= new Queue<TaskCompletionSource<bool>>(); // under Gate

    /// <summary>Takes the lock if it is free; never waits.</summary>
    public bool TryEnter() => Interlocked.CompareExchange(ref _held, 1, 0) == 0;

    /// <summary>
    /// Takes the lock if it becomes free within a short spin (without sleeping); never queues. For holders that run
    /// without waiting on anything (a pipeline group on another event-loop thread), a brief spin is far cheaper
    /// than an asynchronous wait, whose continuation moves to the thread pool. Queued waiters keep priority:
    /// a release with waiters hands the lock to the first of them, so a spinner cannot overtake them.
    /// </summary>
    public bool TryEnterSpinning(int spins)
    {
        var spinner = default(SpinWait);
        for (int i = 0; i < spins; i++)
        {
            if (TryEnter())
            {
                return true;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return TryEnter();
    }

    /// <summary>Takes the lock, waiting asynchronously (in arrival order) while another holder has it.</summary>
    public ValueTask EnterAsync(CancellationToken cancellationToken = default) =>
        TryEnter() ? ValueTask.CompletedTask : EnterSlowAsync(cancellationToken);

    private async ValueTask EnterSlowAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        lock (Gate)
        {
            Interlocked.Increment(ref _waiting);
            if (TryEnter())
            {
                Interlocked.Decrement(ref _waiting);
                return;
            }

            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Queue.Enqueue(waiter);
        }

        using (cancellationToken.UnsafeRegister(static (state, token) => ((AsyncLock)((object[])state!)[0]).Cancel((TaskCompletionSource<bool>)((object[])state!)[1], token), new object[] { this, waiter }))
        {
            // True: the releaser handed the lock over. Cancelled: still in the queue when the token fired, removed.
            await waiter.Task.ConfigureAwait(false);
        }
    }

    private void Cancel(TaskCompletionSource<bool> waiter, CancellationToken token)
    {
        lock (Gate)
        {
            if (waiter.Task.IsCompleted || !Remove(waiter))
            {
                return; // already handed the lock: the awaiting code owns it and will release it
            }

            Interlocked.Decrement(ref _waiting);
        }

        waiter.TrySetCanceled(token);
    }

    private bool Remove(TaskCompletionSource<bool> waiter)
    {
        int n = Queue.Count;
        bool found = false;
        for (int i = 0; i < n; i++)
        {
            TaskCompletionSource<bool> w = Queue.Dequeue();
            if (ReferenceEquals(w, waiter))
            {
                found = true;
            }
            else
            {
                Queue.Enqueue(w);
            }
        }

        return found;
    }

    /// <summary>Releases the lock: to the first waiter if there is one, otherwise it becomes free.</summary>
    public void Release()
    {
        if (Volatile.Read(ref _waiting) == 0)
        {
            Volatile.Write(ref _held, 0);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _waiting) == 0)
            {
                return;
            }

            // A waiter queued between our two reads. If nobody took the free lock meanwhile, take it for the first waiter.
            if (!TryEnter())
            {
                return;
            }
        }

        TaskCompletionSource<bool>? next = null;
        lock (Gate)
        {
            if (Queue.Count > 0)
            {
                next = Queue.Dequeue();
                Interlocked.Decrement(ref _waiting);
            }
            else
            {
                Volatile.Write(ref _held, 0);
            }
        }

        next?.TrySetResult(true);
    }
}

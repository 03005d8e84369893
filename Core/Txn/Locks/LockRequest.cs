using System.Threading.Tasks.Sources;

namespace ThunderDb.Core.Txn.Locks;

internal enum LockRequestState : byte
{
    Granted,
    Waiting,
    Failed,
}

/// <summary>
/// One owner's hold on, or wait for, one key's lock. Pooled by the stripe, like <see cref="LockEntry"/>: a request
/// that waited keeps its <see cref="ManualResetValueTaskSourceCore{TResult}"/> and its timer for the next wait, so
/// a waiter allocates nothing once the pool is warm. Fields are guarded by the stripe lock of <see cref="Entry"/>,
/// except what only the owner's thread touches (the wait's completion, read in <see cref="GetResult"/>).
/// </summary>
internal sealed class LockRequest(KeyLockManager manager) : IValueTaskSource
{
    private readonly KeyLockManager _manager = manager;
    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;
    private Timer? _timer;

    public LockOwner Owner = null!;
    public LockEntry Entry = null!;
    public KeyLockMode Mode;
    public LockRequestState State;

    /// <summary>Set when the owner ended (released everything) while this wait was pending: nobody will consume the wait.</summary>
    public bool Abandoned;

    /// <summary>Owner data kept with the grant (the transaction stores the timestamp its reads of the key use), valid once <see cref="TagSet"/>.</summary>
    public ulong Tag;
    public bool TagSet;

    /// <summary>Next in the entry's queue, or in the stripe's free list.</summary>
    public LockRequest? Next;
    public LockRequest? PrevGranted;
    public LockRequest? NextGranted;

    /// <summary>The wait's milestones in <see cref="Environment.TickCount64"/> milliseconds.</summary>
    public long DeadlockCheckAt;
    public long Deadline;
    public bool DeadlockChecked;

    public void Init(LockOwner owner, LockEntry entry, KeyLockMode mode)
    {
        Owner = owner;
        Entry = entry;
        Mode = mode;
        Abandoned = false;
        Tag = 0;
        TagSet = false;
    }

    /// <summary>Starts a wait: the returned task completes when the lock is granted or the wait fails. Under the stripe lock.</summary>
    private long _waitStarted;

    public ValueTask BeginWait(long now, long deadline)
    {
        State = LockRequestState.Waiting;
        _waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        _completion.Reset();
        Deadline = deadline;
        DeadlockCheckAt = now + _manager.DeadlockCheckDelayMs;
        DeadlockChecked = false;
        _timer ??= new Timer(static state => ((LockRequest)state!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
        ArmTimer(now);
        return new ValueTask(this, _completion.Version);
    }

    /// <summary>Sets the timer for the wait's next milestone: the deadlock check, then the timeout. Under the stripe lock.</summary>
    public void ArmTimer(long now)
    {
        var due = DeadlockChecked ? Deadline : Math.Min(DeadlockCheckAt, Deadline);
        _timer!.Change(due == long.MaxValue ? Timeout.Infinite : Math.Clamp(due - now, 1, uint.MaxValue - 1), Timeout.Infinite);
    }

    /// <summary>Registers for cancellation, outside the stripe lock (a token already cancelled runs the callback at once).</summary>
    public void WatchCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((LockRequest)state!)._manager.CancelWait((LockRequest)state!, token), this);
        }
    }

    /// <summary>Ends the wait with the lock. Under the stripe lock; the owner's continuation runs on the thread pool.</summary>
    public void CompleteGranted()
    {
        State = LockRequestState.Granted;
        Diagnostics.ThunderMetrics.LockWaitSeconds.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(_waitStarted).TotalSeconds);
        _timer?.Change(Timeout.Infinite, Timeout.Infinite);
        _completion.SetResult(true);
    }

    /// <summary>Ends the wait without the lock. Under the stripe lock. The request is dropped, not pooled: its timer goes with it.</summary>
    public void CompleteFailed(Exception error)
    {
        State = LockRequestState.Failed;
        Diagnostics.ThunderMetrics.LockWaitSeconds.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(_waitStarted).TotalSeconds);
        _timer?.Dispose();
        _timer = null;
        _completion.SetException(error);
    }

    private void OnTimer() => _manager.OnWaitTimer(this);

    public void GetResult(short token)
    {
        try
        {
            _completion.GetResult(token);
            _manager.CollectWait(this, granted: true);
        }
        catch
        {
            _manager.CollectWait(this, granted: false);
            throw;
        }
        finally
        {
            _cancellation.Dispose();
            _cancellation = default;
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _completion.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    /// <summary>A request the pool has no room for is dropped; its timer goes with it.</summary>
    public void DisposeTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }
}

using System.Threading.Tasks.Sources;

namespace ThunderDb.Io.Uring;

/// <summary>
/// One submission slot of an <see cref="IoUringRing"/>, reused for every operation that takes the
/// slot, so submitting allocates nothing. The waiter gets a <see cref="ValueTask{TResult}"/> over the slot.
/// </summary>
internal sealed class UringOperation : IValueTaskSource<int>, IThreadPoolWorkItem
{
    private readonly IoUringRing _ring;
    private ManualResetValueTaskSourceCore<int> _core;
    private int _result;

    public UringOperation(IoUringRing ring, int slot)
    {
        _ring = ring;
        Slot = slot;

        // Continuations must never run on the completion thread (a continuation that blocks, or
        // issues a sync I/O, there would stall every other completion). The completion thread
        // queues this slot itself to the thread pool (no allocation, unlike
        // RunContinuationsAsynchronously, which boxes a work item per completion), and the
        // continuation then runs inline on that pool thread.
        _core.RunContinuationsAsynchronously = false;
    }

    public int Slot { get; }

    public ValueTask<int> AsValueTask() => new(this, _core.Version);

    /// <summary>Called on the completion thread with the CQE result.</summary>
    public void Complete(int result)
    {
        _result = result;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Runs on a thread-pool thread: completes the async waiter.</summary>
    void IThreadPoolWorkItem.Execute() => _core.SetResult(_result);

    public int GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _ring.Release(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

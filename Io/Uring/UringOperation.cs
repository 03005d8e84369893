using System.Threading.Tasks.Sources;

namespace ThunderDb.Io.Uring;

/// <summary>
/// One submission slot of an <see cref="IoUringRing"/>, reused for every operation that takes the
/// slot, so submitting allocates nothing. The waiter gets a <see cref="ValueTask{TResult}"/> over the slot.
/// </summary>
internal sealed class UringOperation : IValueTaskSource<int>
{
    private readonly IoUringRing _ring;
    private ManualResetValueTaskSourceCore<int> _core;
    private int _result;

    public UringOperation(IoUringRing ring, int slot)
    {
        _ring = ring;
        Slot = slot;

        // Continuations must never run on the ring thread (a continuation that blocks, or waits
        // for another ring operation, there would stall every completion). The ring thread hands
        // this slot to a CompletionDispatcher (no allocation, unlike RunContinuationsAsynchronously,
        // which boxes a work item per completion), and the continuation runs inline on its pool thread.
        _core.RunContinuationsAsynchronously = false;
    }

    public int Slot { get; }

    public ValueTask<int> AsValueTask() => new(this, _core.Version);

    /// <summary>Called on the ring thread with the CQE result, before the slot goes to a dispatcher.</summary>
    public void Complete(int result) => _result = result;

    /// <summary>Runs on a dispatcher's pool thread: completes the async waiter (its continuation runs inline).</summary>
    public void CompleteWaiter() => _core.SetResult(_result);

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

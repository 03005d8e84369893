using System.Threading.Tasks.Sources;
using ThunderDb.Core.Errors;

namespace ThunderDb.Core.Storage.Wal;

public sealed partial class WriteAheadLog
{
    private readonly Lock _waiterLock = new();
    private readonly List<FlushWaiter> _waiters = [];
    private readonly Stack<FlushWaiter> _waiterPool = new();

    private ValueTask WaitSlow(ulong lsn)
    {
        FlushWaiter waiter;
        lock (_waiterLock)
        {
            // Re-check under the lock: the flusher advances _flushed before it takes the lock to complete waiters.
            if (FlushedLsn >= lsn)
            {
                return ValueTask.CompletedTask;
            }

            if (_failure is { } failure)
            {
                return ValueTask.FromException(failure);
            }

            if (_abandoned)
            {
                return ValueTask.FromException(new StorageReadOnlyException("the WAL was abandoned"));
            }

            waiter = _waiterPool.Count > 0 ? _waiterPool.Pop() : new FlushWaiter(this);
            waiter.Lsn = lsn;
            _waiters.Add(waiter);
        }

        return new ValueTask(waiter, waiter.Version);
    }

    private void CompleteWaiters(ulong flushed)
    {
        lock (_waiterLock)
        {
            var kept = 0;
            for (var i = 0; i < _waiters.Count; i++)
            {
                var waiter = _waiters[i];
                if (waiter.Lsn <= flushed)
                {
                    waiter.Complete(null);
                }
                else
                {
                    _waiters[kept++] = waiter;
                }
            }

            _waiters.RemoveRange(kept, _waiters.Count - kept);
        }
    }

    private void FailWaiters(Exception failure)
    {
        lock (_waiterLock)
        {
            foreach (var waiter in _waiters)
            {
                waiter.Complete(failure);
            }

            _waiters.Clear();
        }
    }

    private void ReturnWaiter(FlushWaiter waiter)
    {
        lock (_waiterLock)
        {
            if (_waiterPool.Count < 1024)
            {
                _waiterPool.Push(waiter);
            }
        }
    }

    /// <summary>A pooled, reusable awaitable for "the flushed LSN has passed mine".</summary>
    private sealed class FlushWaiter(WriteAheadLog owner) : IValueTaskSource
    {
        // Continuations run on the thread pool, never on the flusher thread, so a slow committer cannot delay the next flush.
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

        public ulong Lsn { get; set; }

        public short Version => _core.Version;

        public void Complete(Exception? failure)
        {
            if (failure is null)
            {
                _core.SetResult(true);
            }
            else
            {
                _core.SetException(failure);
            }
        }

        public void GetResult(short token)
        {
            try
            {
                _core.GetResult(token);
            }
            finally
            {
                _core.Reset();
                owner.ReturnWaiter(this);
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}

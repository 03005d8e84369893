using ThunderDb.Core.Sql.Functions;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// The session's advisory locks (<see cref="AdvisoryLocks"/>): every hold it took, so that transaction-level ones go at
/// the end of their transaction and all of them when the session ends (a killed client leaves no lock behind).
/// </summary>
public sealed partial class SqlSession
{
    private static int s_nextLockOwner;

    /// <summary>This session as an advisory-lock holder (unique even for sessions of no server, whose backend pid is 0).</summary>
    private readonly int _lockOwner = Interlocked.Increment(ref s_nextLockOwner);

    private List<(AdvisoryKey Key, bool Shared, bool Transaction)>? _advisoryHolds;

    bool ISessionServices.AdvisoryLock(AdvisoryKey key, bool shared, bool transaction, bool wait, CancellationToken cancellationToken)
    {
        if (wait)
        {
            _engine.AdvisoryLocks.Acquire(key, _lockOwner, shared, Settings.LockTimeout, cancellationToken);
        }
        else if (!_engine.AdvisoryLocks.TryAcquire(key, _lockOwner, shared))
        {
            return false;
        }

        (_advisoryHolds ??= []).Add((key, shared, transaction));
        return true;
    }

    bool ISessionServices.AdvisoryUnlock(AdvisoryKey key, bool shared)
    {
        // a transaction-level hold is not released early, as in PostgreSQL
        int at = _advisoryHolds?.FindLastIndex(h => h.Key == key && h.Shared == shared && !h.Transaction) ?? -1;
        if (at < 0)
        {
            return false;
        }

        _advisoryHolds!.RemoveAt(at);
        return _engine.AdvisoryLocks.Release(key, _lockOwner, shared);
    }

    void ISessionServices.AdvisoryUnlockAll() => ReleaseAdvisoryLocks(h => !h.Transaction);

    /// <summary>At commit or rollback: the transaction-level holds end.</summary>
    private void ReleaseTransactionAdvisoryLocks() => ReleaseAdvisoryLocks(h => h.Transaction);

    private void ReleaseAdvisoryLocks(Predicate<(AdvisoryKey Key, bool Shared, bool Transaction)> which)
    {
        if (_advisoryHolds is not { Count: > 0 } holds)
        {
            return;
        }

        for (int i = holds.Count - 1; i >= 0; i--)
        {
            if (which(holds[i]))
            {
                _engine.AdvisoryLocks.Release(holds[i].Key, _lockOwner, holds[i].Shared);
                holds.RemoveAt(i);
            }
        }
    }
}

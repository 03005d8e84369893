using ThunderDb.Core.Sql.Functions;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// The server's advisory locks (pg_advisory_lock and its family), which applications take around their own critical
/// sections and migration tools around a schema change. A lock is held by a session, exclusive or shared, and
/// re-entrant: a session's holds are counted and never conflict with each other; an exclusive hold excludes other
/// sessions' holds of either kind. Waiters poll under one gate, woken on every release; a wait ends when granted, at the
/// session's <c>lock_timeout</c> (55P03) or when its statement is cancelled. In memory only: like PostgreSQL's, the
/// locks end with their sessions and with the server.
/// </summary>
public sealed class AdvisoryLocks
{
    private readonly object _gate = new(); // a monitor: waiters sleep on it until a release pulses
    private readonly Dictionary<AdvisoryKey, Holders> _held = [];

    /// <summary>Who holds one key: each session's exclusive and shared counts.</summary>
    private sealed class Holders
    {
        public readonly Dictionary<int, (int Exclusive, int Shared)> BySession = [];

        public bool Admits(int session, bool shared) =>
            BySession.All(h => h.Key == session || (shared ? h.Value.Exclusive == 0 : h.Value.Exclusive == 0 && h.Value.Shared == 0));
    }

    /// <summary>Takes the lock if no other session's hold conflicts; false (nothing taken) otherwise.</summary>
    public bool TryAcquire(AdvisoryKey key, int session, bool shared)
    {
        lock (_gate)
        {
            return TryAcquireLocked(key, session, shared);
        }
    }

    /// <summary>Waits for the lock; <paramref name="timeout"/> zero waits until granted or cancelled.</summary>
    public void Acquire(AdvisoryKey key, int session, bool shared, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = timeout > TimeSpan.Zero ? Environment.TickCount64 + (long)timeout.TotalMilliseconds : long.MaxValue;
        lock (_gate)
        {
            while (!TryAcquireLocked(key, session, shared))
            {
                cancellationToken.ThrowIfCancellationRequested();
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    throw new SqlException(SqlState.LockNotAvailable, "canceling statement due to lock timeout",
                        detail: $"advisory lock {Describe(key)} is held by another session");
                }

                // woken by a release; the slice bounds how late a cancellation is noticed
                Monitor.Wait(_gate, (int)Math.Min(left, 100));
            }
        }
    }

    /// <summary>Releases one hold of the session; false when it held none of that kind.</summary>
    public bool Release(AdvisoryKey key, int session, bool shared)
    {
        lock (_gate)
        {
            if (!_held.TryGetValue(key, out Holders? holders) || !holders.BySession.TryGetValue(session, out var counts)
                || (shared ? counts.Shared : counts.Exclusive) == 0)
            {
                return false;
            }

            counts = shared ? (counts.Exclusive, counts.Shared - 1) : (counts.Exclusive - 1, counts.Shared);
            if (counts is (0, 0))
            {
                holders.BySession.Remove(session);
                if (holders.BySession.Count == 0)
                {
                    _held.Remove(key);
                }
            }
            else
            {
                holders.BySession[session] = counts;
            }

            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>How many locks are held across the server (for tests and diagnostics).</summary>
    public int HeldKeys
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    private bool TryAcquireLocked(AdvisoryKey key, int session, bool shared)
    {
        if (!_held.TryGetValue(key, out Holders? holders))
        {
            holders = new Holders();
            _held[key] = holders;
        }
        else if (!holders.Admits(session, shared))
        {
            return false;
        }

        (int exclusive, int sharedCount) = holders.BySession.GetValueOrDefault(session);
        holders.BySession[session] = shared ? (exclusive, sharedCount + 1) : (exclusive + 1, sharedCount);
        return true;
    }

    private static string Describe(AdvisoryKey key) => key.TwoKeys ? $"({key.Key >> 32}, {(int)key.Key})" : key.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

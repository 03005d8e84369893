using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>The keys a command wrote: WATCH versions and blocked-client wake-ups after its commit.</summary>
internal sealed partial class RespSession
{
    /// <summary>
    /// Remembers a key the running command wrote (a copy of its bytes; no hashing, no allocation unless some
    /// connection WATCHes). WATCH versions are bumped now and again after the commit, blocked clients are told after
    /// the commit (<see cref="WakeBlockedClients"/>).
    /// </summary>
    void IKeyspaceObserver.KeyWritten(int db, ReadOnlySpan<byte> key)
    {
        _touched.Add(db, key);
        if (_server.Signals.HasWatchers)
        {
            // Also before the commit: an EXEC whose snapshot sees this commit then sees a moved version when it
            // re-checks after taking its snapshot. The bump after the commit covers a WATCH taken in between.
            _server.Signals.Bump(KeyspaceSignals.Bucket(db, key));
        }
    }

    /// <summary>Forgets the keys written by an attempt that did not commit.</summary>
    private void ResetTouched()
    {
        _touched.Clear();
        _wakeKeys?.Clear();
    }

    /// <summary>
    /// After a commit: bumps the WATCH version of every key written and wakes clients blocked on them.
    /// Doing it after the commit (with a full fence between the commit becoming visible and reading the watcher and
    /// blocked counts) closes two races: a WATCH that read a key's version before a concurrent commit became
    /// visible always sees the version move afterwards, and a client that blocked after our write but before our
    /// commit is woken rather than left waiting for a push that already happened.
    /// </summary>
    private void WakeBlockedClients()
    {
        if (_touched.Count == 0)
        {
            return;
        }

        Interlocked.MemoryBarrier();
        KeyspaceSignals signals = _server.Signals;
        if (signals.HasWatchers)
        {
            for (int i = 0; i < _touched.Count; i++)
            {
                signals.Bump(KeyspaceSignals.Bucket(_touched.Db(i), _touched.Key(i)));
            }
        }

        if (signals.HasBlockedClients)
        {
            _wakeKeys ??= [];
            for (int i = 0; i < _touched.Count; i++)
            {
                _wakeKeys.Add(KeyspaceSignals.WaitKey(_touched.Db(i), _touched.Key(i)));
            }

            signals.Wake(_wakeKeys);
        }

        ResetTouched();
    }
}

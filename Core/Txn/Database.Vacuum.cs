using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Core.Txn;

public sealed partial class Database
{
    private readonly Lock _vacuumLock = new();
    private byte[] _vacuumNext = [];

    /// <summary>
    /// Removes, for every user key in [<paramref name="startInclusive"/>, <paramref name="endExclusive"/>)
    /// (empty end = no bound), the versions no snapshot can see: everything older than the newest version
    /// at or below the vacuum horizon, and that version too when it is a tombstone. Works in batches of
    /// <see cref="DatabaseOptions.VacuumBatchKeys"/> keys, each under the commit lock. Returns the versions removed.
    /// </summary>
    public long Vacuum(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive)
    {
        var start = startInclusive.ToArray();
        var end = endExclusive.ToArray();
        long removed = 0;
        while (true)
        {
            var (count, next) = VacuumBatch(start, end);
            removed += count;
            if (next is null)
            {
                return removed;
            }

            start = next;
        }
    }

    /// <summary>One batch; returns the versions removed and where to continue (null when the range is done).</summary>
    private (long Removed, byte[]? Next) VacuumBatch(byte[] start, byte[] end)
    {
        var doomed = new List<byte[]>();
        byte[]? next = null;
        lock (_commitLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfReadOnly();
            var horizon = VacuumHorizon();
            var prefixBuffer = new byte[MvccKey.PrefixLength(start)];
            MvccKey.WritePrefix(start, prefixBuffer);
            using (var cursor = _store.OpenCursor())
            {
                if (cursor.Seek(prefixBuffer))
                {
                    next = CollectDeadVersions(cursor, end, horizon, doomed);
                }
            }

            foreach (var key in doomed)
            {
                _store.Delete(key);
            }
        }

        return (doomed.Count, next);
    }

    /// <summary>Collects the dead versions of up to one batch of user keys from the cursor's position; returns where the next batch starts (null at the end).</summary>
    private byte[]? CollectDeadVersions(IStoreCursor cursor, byte[] end, ulong horizon, List<byte[]> doomed)
    {
        var valid = true;
        var keys = 0;
        var userKey = new byte[64];
        while (valid)
        {
            var key = cursor.Key;
            if (userKey.Length < key.Length)
            {
                userKey = new byte[key.Length];
            }

            var userKeyLength = MvccKey.DecodeUserKey(key, userKey);
            if (end.Length > 0 && userKey.AsSpan(0, userKeyLength).SequenceCompareTo(end) >= 0)
            {
                return null;
            }

            if (keys == _options.VacuumBatchKeys)
            {
                return userKey.AsSpan(0, userKeyLength).ToArray();
            }

            keys++;
            var prefix = MvccKey.Prefix(key).ToArray();
            var keptVisible = false;
            while (true)
            {
                var ts = MvccKey.ReadTimestamp(cursor.Key);
                if (ts <= horizon)
                {
                    if (keptVisible)
                    {
                        doomed.Add(cursor.Key.ToArray());
                    }
                    else
                    {
                        keptVisible = true;
                        if (MvccKey.IsTombstone(cursor.Value))
                        {
                            doomed.Add(cursor.Key.ToArray());
                        }
                    }
                }

                valid = cursor.Next();
                if (!valid || !MvccKey.IsVersionOf(cursor.Key, prefix))
                {
                    break;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A compaction worker: every <see cref="DatabaseOptions.VacuumInterval"/> it walks the whole keyspace in
    /// batches, continuing from where any worker left off. Page defragmentation and freeing of empty pages
    /// is the B+tree's business (deletes there); this worker only drops dead versions.
    /// </summary>
    private void CompactionLoop()
    {
        while (!_stopWorkers.IsCancellationRequested)
        {
            if (_stopWorkers.Token.WaitHandle.WaitOne(_options.VacuumInterval))
            {
                return;
            }

            // Commit-time pruning handles what commits supersede; a full walk is only needed for what may have
            // escaped it. A pass that starts from the beginning clears the flag; one resumed mid-way does not.
            var needTs = Volatile.Read(ref _fullVacuumNeededTs);
            if (needTs == 0 && Volatile.Read(ref _vacuumNext).Length == 0)
            {
                continue;
            }

            try
            {
                // A pass from the beginning satisfies the request only when every snapshot already sees the
                // commit that asked for it; otherwise it runs now and again at the next interval.
                if (needTs != 0 && Volatile.Read(ref _vacuumNext).Length == 0 && VacuumHorizon() >= (ulong)needTs)
                {
                    Interlocked.CompareExchange(ref _fullVacuumNeededTs, 0, needTs);
                }

                long removed = 0;
                while (!_stopWorkers.IsCancellationRequested && !IsReadOnly)
                {
                    byte[]? next;
                    lock (_vacuumLock)
                    {
                        (var count, next) = VacuumBatch(_vacuumNext, []);
                        removed += count;
                        _vacuumNext = next ?? [];
                    }

                    if (next is null)
                    {
                        break;
                    }
                }

                if (removed > 0)
                {
                    _logger.LogDebug("Vacuum pass removed {Versions} dead versions", removed);
                }
            }
            catch (Exception ex) when (ex is IOException or StorageReadOnlyException or ObjectDisposedException)
            {
                _logger.LogWarning(ex, "Vacuum batch failed");
            }
        }
    }

    /// <summary>Open transactions (for tests and admin).</summary>
    public int ActiveTransactionCount => _snapshots.Count;
}

using System.Text;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Server-wide key change tracking: a version per hash bucket for WATCH (a collision can only make EXEC fail
/// spuriously, never succeed wrongly), and the clients blocked on list keys (BLPOP and friends).
/// </summary>
internal sealed class KeyspaceSignals
{
    private const int BucketBits = 16;
    private readonly long[] _versions = new long[1 << BucketBits];
    private readonly Dictionary<string, List<TaskCompletionSource>> _blocked = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _flushEpoch;
    private int _blockedCount;

    private int _watchers;

    public bool HasBlockedClients => Volatile.Read(ref _blockedCount) > 0;

    /// <summary>True while any connection has WATCHed keys: only then do commits bump key versions.</summary>
    public bool HasWatchers => Volatile.Read(ref _watchers) > 0;

    public void AddWatcher() => Interlocked.Increment(ref _watchers);

    public void RemoveWatcher() => Interlocked.Decrement(ref _watchers);

    public long FlushEpoch => Volatile.Read(ref _flushEpoch);

    /// <summary>The WATCH-version bucket of a key (also picks its write stripe): the engine's seeded key hash, mixed with the database.</summary>
    public static int Bucket(int db, ReadOnlySpan<byte> key)
    {
        ulong h = KeyHash.Hash64(key) + ((ulong)(uint)db * 0x9E3779B97F4A7C15);
        h ^= h >> 32;
        return (int)(h & ((1UL << BucketBits) - 1));
    }

    public long Version(int bucket) => Volatile.Read(ref _versions[bucket]);

    public void Bump(int bucket) => Interlocked.Increment(ref _versions[bucket]);

    public void BumpFlush() => Interlocked.Increment(ref _flushEpoch);

    public static string WaitKey(int db, ReadOnlySpan<byte> key) => db.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Encoding.Latin1.GetString(key);

    /// <summary>Registers a waiter on the given keys; the task completes when any of them is written (after the commit).</summary>
    public TaskCompletionSource Block(IReadOnlyList<string> waitKeys)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (string key in waitKeys)
            {
                if (!_blocked.TryGetValue(key, out List<TaskCompletionSource>? list))
                {
                    _blocked[key] = list = [];
                }

                list.Add(signal);
            }

            Interlocked.Increment(ref _blockedCount);
        }

        return signal;
    }

    public void Unblock(IReadOnlyList<string> waitKeys, TaskCompletionSource signal)
    {
        lock (_gate)
        {
            foreach (string key in waitKeys)
            {
                if (_blocked.TryGetValue(key, out List<TaskCompletionSource>? list))
                {
                    list.Remove(signal);
                    if (list.Count == 0)
                    {
                        _blocked.Remove(key);
                    }
                }
            }

            Interlocked.Decrement(ref _blockedCount);
        }
    }

    /// <summary>Wakes the clients blocked on any of <paramref name="waitKeys"/>; they retry their pop.</summary>
    public void Wake(List<string> waitKeys)
    {
        lock (_gate)
        {
            foreach (string key in waitKeys)
            {
                if (_blocked.TryGetValue(key, out List<TaskCompletionSource>? list))
                {
                    foreach (TaskCompletionSource signal in list)
                    {
                        signal.TrySetResult();
                    }
                }
            }
        }
    }
}

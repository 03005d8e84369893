using System.Buffers;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Tests.Support;

/// <summary>
/// A small MVCC key-value store for tests: version chains per key, snapshot reads, first-committer-wins
/// conflict detection at commit. Stands in for the storage engine behind <see cref="IKvDatabase"/>.
/// </summary>
public sealed class InMemoryKvDatabase : IKvDatabase
{
    private readonly Lock _gate = new();
    private readonly SortedSet<byte[]> _keys = new(ByteComparer.Instance);
    private readonly Dictionary<byte[], List<(long Ts, byte[]? Value)>> _versions = new(ByteComparer.Instance);
    private long _commitTs;

    public bool IsReadOnly { get; set; }

    /// <summary>Commits visible at apply (sync_commit = false): pipeline groups then skip write stripes.</summary>
    public bool CommitsVisibleAtApply { get; set; }

    public int CommitCount { get; private set; }

    /// <summary>When set, every read blocks until the gate opens (a command stuck in the engine, ignoring kills).</summary>
    public ManualResetEventSlim? ReadGate { get; set; }

    /// <summary>Reads currently held at <see cref="ReadGate"/> (so a test knows a command is really inside the store).</summary>
#pragma warning disable CA1051 // a field so tests can Volatile.Read it
    public int ReadsAtGate;
#pragma warning restore CA1051

    /// <summary>The next this-many commits with writes fail with a write-write conflict (nothing applied).</summary>
    public int FailNextCommits { get; set; }

    /// <summary>When set, the next commit with writes throws this (an engine failure: too large, I/O error...); nothing is applied.</summary>
    public Exception? FailNextCommitWith { get; set; }

    /// <summary>Writes to a longer (encoded) key throw <see cref="KeyTooLargeException"/>, as the real store's page-size limit does.</summary>
    public int MaxKeyLength { get; set; } = int.MaxValue;

    /// <summary>When set, commits with writes complete asynchronously after this delay (a slow fsync).</summary>
    public TimeSpan CommitDelay { get; set; }

    public IKvTransaction Begin(TransactionOptions options, IKvTransaction? reuse = null) => Begin(options.Isolation);

    public IKvTransaction Begin(IsolationLevel isolation = IsolationLevel.RepeatableRead)
    {
        lock (_gate)
        {
            return new Transaction(this, _commitTs);
        }
    }

    /// <summary>Latest committed value of a raw store key (for tests that look at the layout).</summary>
    public byte[]? ReadCommitted(byte[] key)
    {
        lock (_gate)
        {
            return Visible(key, long.MaxValue, out byte[]? v) ? v : null;
        }
    }

    public int CountCommittedKeys()
    {
        lock (_gate)
        {
            int n = 0;
            foreach (byte[] k in _keys)
            {
                if (Visible(k, long.MaxValue, out _))
                {
                    n++;
                }
            }

            return n;
        }
    }

    private bool Visible(byte[] key, long snapshot, out byte[]? value)
    {
        value = null;
        if (!_versions.TryGetValue(key, out List<(long Ts, byte[]? Value)>? chain))
        {
            return false;
        }

        for (int i = chain.Count - 1; i >= 0; i--)
        {
            if (chain[i].Ts <= snapshot)
            {
                value = chain[i].Value;
                return value is not null;
            }
        }

        return false;
    }

    private sealed class Transaction(InMemoryKvDatabase db, long snapshot) : IKvTransaction
    {
        private static long s_ids;
        private readonly SortedDictionary<byte[], byte[]?> _writes = new(ByteComparer.Instance);
        private bool _done;

        public long Id { get; } = Interlocked.Increment(ref s_ids);

        public bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value)
        {
            if (db.ReadGate is { } gate)
            {
                Interlocked.Increment(ref db.ReadsAtGate);
                gate.Wait();
                Interlocked.Decrement(ref db.ReadsAtGate);
            }
            byte[] k = key.ToArray();
            byte[]? found;
            if (_writes.TryGetValue(k, out byte[]? own))
            {
                found = own;
            }
            else
            {
                lock (db._gate)
                {
                    db.Visible(k, snapshot, out found);
                }
            }

            if (found is null)
            {
                return false;
            }

            value.Write(found);
            return true;
        }

        public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            if (db.IsReadOnly)
            {
                throw new StorageReadOnlyException("read-only");
            }

            ThrowIfKeyTooLarge(key);
            _writes[key.ToArray()] = value.ToArray();
        }

        public void Delete(ReadOnlySpan<byte> key)
        {
            ThrowIfKeyTooLarge(key);
            _writes[key.ToArray()] = null;
        }

        private void ThrowIfKeyTooLarge(ReadOnlySpan<byte> key)
        {
            if (key.Length > db.MaxKeyLength)
            {
                throw new KeyTooLargeException($"key too large: {key.Length} bytes");
            }
        }

        public IKvCursor Scan(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive, bool reverse = false)
        {
            byte[] start = startInclusive.ToArray();
            byte[]? end = endExclusive.IsEmpty ? null : endExclusive.ToArray();
            var merged = new SortedDictionary<byte[], byte[]?>(ByteComparer.Instance);
            lock (db._gate)
            {
                IEnumerable<byte[]> candidates = db._keys.Max is { } max && ByteComparer.Instance.Compare(start, max) <= 0
                    ? db._keys.GetViewBetween(start, max)
                    : [];
                foreach (byte[] k in candidates)
                {
                    if (end is not null && ByteComparer.Instance.Compare(k, end) >= 0)
                    {
                        break;
                    }

                    if (db.Visible(k, snapshot, out byte[]? v))
                    {
                        merged[k] = v;
                    }
                }
            }

            foreach (KeyValuePair<byte[], byte[]?> w in _writes)
            {
                if (ByteComparer.Instance.Compare(w.Key, start) >= 0 && (end is null || ByteComparer.Instance.Compare(w.Key, end) < 0))
                {
                    merged[w.Key] = w.Value;
                }
            }

            var rows = new List<(byte[], byte[])>();
            foreach (KeyValuePair<byte[], byte[]?> e in merged)
            {
                if (e.Value is not null)
                {
                    rows.Add((e.Key, e.Value));
                }
            }

            if (reverse)
            {
                rows.Reverse();
            }

            return new Cursor(rows);
        }

        public void BeginStatement()
        {
        }

        // The wire tests drive one writer at a time: a key lock is always free. Concurrency is tested on the real engine.
        public ValueTask LockAsync(ReadOnlySpan<byte> key, ThunderDb.Core.Txn.Locks.KeyLockMode mode = ThunderDb.Core.Txn.Locks.KeyLockMode.Exclusive, CancellationToken cancellationToken = default) =>
            ValueTask.CompletedTask;

        public bool TryLock(ReadOnlySpan<byte> key, ThunderDb.Core.Txn.Locks.KeyLockMode mode = ThunderDb.Core.Txn.Locks.KeyLockMode.Exclusive) => true;

        public void AdvanceSnapshot()
        {
            lock (db._gate)
            {
                snapshot = db._commitTs;
            }
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            if (_done)
            {
                throw new InvalidOperationException("transaction finished");
            }

            _done = true;
            if (_writes.Count == 0)
            {
                return ValueTask.CompletedTask;
            }

            lock (db._gate)
            {
                if (db.FailNextCommitWith is { } failure)
                {
                    db.FailNextCommitWith = null;
                    throw failure;
                }

                if (db.FailNextCommits > 0)
                {
                    db.FailNextCommits--;
                    throw new TransactionConflictException("injected conflict");
                }

                foreach (byte[] k in _writes.Keys)
                {
                    if (db._versions.TryGetValue(k, out List<(long Ts, byte[]? Value)>? chain) && chain[^1].Ts > snapshot)
                    {
                        throw new TransactionConflictException("could not serialize access due to concurrent update");
                    }
                }

                long ts = ++db._commitTs;
                foreach (KeyValuePair<byte[], byte[]?> w in _writes)
                {
                    if (!db._versions.TryGetValue(w.Key, out List<(long Ts, byte[]? Value)>? chain))
                    {
                        db._versions[w.Key] = chain = [];
                        db._keys.Add(w.Key);
                    }

                    chain.Add((ts, w.Value));
                    if (chain.Count > 4)
                    {
                        chain.RemoveAt(0); // tests keep few versions; long-running snapshots are not exercised
                    }
                }

                db.CommitCount++;
            }

            return db.CommitDelay > TimeSpan.Zero ? new ValueTask(Task.Delay(db.CommitDelay, cancellationToken)) : ValueTask.CompletedTask;
        }

        public void Rollback()
        {
            _done = true;
            _writes.Clear();
        }

        public void Dispose() => _done = true;
    }

    private sealed class Cursor(List<(byte[] Key, byte[] Value)> rows) : IKvCursor
    {
        private int _index = -1;

        public bool MoveNext() => ++_index < rows.Count;

        public ReadOnlySpan<byte> Key => rows[_index].Key;

        public ReadOnlySpan<byte> Value => rows[_index].Value;

        public void Dispose()
        {
        }
    }
}

public sealed class ByteComparer : IComparer<byte[]>, IEqualityComparer<byte[]>
{
    public static readonly ByteComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var h = new HashCode();
        h.AddBytes(obj);
        return h.ToHashCode();
    }
}

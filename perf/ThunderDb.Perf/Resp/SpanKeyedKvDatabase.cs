using System.Buffers;
using ThunderDb.Core.Txn.Locks;
using ThunderDb.Core.Txn;

namespace ThunderDb.Perf.Resp;

/// <summary>
/// A deliberately tiny <see cref="IKvDatabase"/> for measuring the RESP layer alone: writes apply immediately,
/// a value of unchanged length is overwritten in place, and each thread reuses one transaction object, so the
/// store allocates nothing per GET/SET. Whatever the benchmark allocates is the protocol layer's.
/// Not a database: no isolation, no Scan.
/// </summary>
internal sealed class SpanKeyedKvDatabase : IKvDatabase
{
    [ThreadStatic]
    private static Transaction? t_transaction;

    private readonly Dictionary<byte[], byte[]> _data = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly Lock _gate = new();

    public SpanKeyedKvDatabase() => _bySpan = _data.GetAlternateLookup<ReadOnlySpan<byte>>();

    public bool IsReadOnly => false;

    /// <summary>Every write is in the dictionary at once: nothing waits for a flush.</summary>
    public bool CommitsVisibleAtApply => true;

    public IKvTransaction Begin(IsolationLevel isolation = IsolationLevel.RepeatableRead)
    {
        Transaction txn = t_transaction ??= new Transaction();
        txn.Database = this;
        return txn;
    }

    private sealed class Transaction : IKvTransaction
    {
        public SpanKeyedKvDatabase Database { get; set; } = null!;

        public long Id => 0;

        public bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value)
        {
            lock (Database._gate)
            {
                if (!Database._bySpan.TryGetValue(key, out byte[]? found))
                {
                    return false;
                }

                value.Write(found);
                return true;
            }
        }

        public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            lock (Database._gate)
            {
                if (Database._bySpan.TryGetValue(key, out byte[]? existing) && existing.Length == value.Length)
                {
                    value.CopyTo(existing);
                    return;
                }

                Database._bySpan[key] = value.ToArray();
            }
        }

        public void Delete(ReadOnlySpan<byte> key)
        {
            lock (Database._gate)
            {
                Database._bySpan.Remove(key);
            }
        }

        public IKvCursor Scan(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive, bool reverse = false) =>
            throw new NotSupportedException("the benchmark store has no ordered scans");

        public void BeginStatement()
        {
        }

        // No isolation: a write stripe (the lock-manager name a RESP write takes) has nothing to guard here, and every
        // write is already the newest state.
        public bool TryLock(ReadOnlySpan<byte> key, KeyLockMode mode = KeyLockMode.Exclusive) => true;

        public ValueTask LockAsync(ReadOnlySpan<byte> key, KeyLockMode mode = KeyLockMode.Exclusive, CancellationToken cancellationToken = default) =>
            ValueTask.CompletedTask;

        public void AdvanceSnapshot()
        {
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public void Rollback()
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteKeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}

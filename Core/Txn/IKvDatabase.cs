using System.Buffers;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Txn;

public enum IsolationLevel
{
    /// <summary>A fresh snapshot for every statement (<see cref="IKvTransaction.BeginStatement"/>).</summary>
    ReadCommitted,

    /// <summary>One snapshot for the whole transaction (snapshot isolation).</summary>
    RepeatableRead,
}

/// <summary>The transactional key-value API that the SQL engine, the Redis layer and the tests use.</summary>
public interface IKvDatabase
{
    IKvTransaction Begin(IsolationLevel isolation = IsolationLevel.RepeatableRead);

    /// <summary>
    /// Begins a transaction, recycling <paramref name="reuse"/> when it is a finished transaction of this database
    /// that the caller owns and will not touch again through any other reference (a session's per-command
    /// transaction). Implementations without recycling begin a new one.
    /// </summary>
    IKvTransaction Begin(IsolationLevel isolation, IKvTransaction? reuse) => Begin(isolation);

    /// <summary>Begins a transaction with <paramref name="options"/> (key locks, lock timeout), recycling <paramref name="reuse"/> as above.</summary>
    IKvTransaction Begin(TransactionOptions options, IKvTransaction? reuse = null) =>
        options.LockWrites ? throw new NotSupportedException("key locks are not supported by this database") : Begin(options.Isolation, reuse);

    /// <summary>True once a disk error or the disk monitor has switched the store to read-only.</summary>
    bool IsReadOnly { get; }

    /// <summary>
    /// True while a checkpoint holds commits back (waiting for or holding the commit lock to freeze its content; the
    /// page writes run outside it): a commit started now may block its thread briefly, so an event-loop thread may
    /// hand the commit to the thread pool.
    /// </summary>
    bool IsCheckpointing => false;

    /// <summary>
    /// True when a commit is visible to new snapshots as soon as it is applied (sync_commit = false); false when
    /// visibility waits for durability, so that two back-to-back writers of one key overlap (and conflict)
    /// unless they queue.
    /// </summary>
    bool CommitsVisibleAtApply => false;

    /// <summary>
    /// The MVCC vacuum over [<paramref name="startInclusive"/>, <paramref name="endExclusive"/>): removes the versions
    /// no snapshot can see any more; returns how many. VACUUM and <c>POST /admin/vacuum/&lt;table&gt;</c> run it per table.
    /// </summary>
    long Vacuum(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive) =>
        throw new NotSupportedException("vacuum is not supported by this database");
}

/// <summary>
/// A transaction over user keys. Reads see the snapshot plus the transaction's own writes.
/// Writes are buffered privately until <see cref="CommitAsync"/>. Not thread-safe: one user at a time.
/// Dispose without commit rolls back.
/// </summary>
public interface IKvTransaction : IDisposable
{
    long Id { get; }

    /// <summary>
    /// The wall-clock time (Unix milliseconds) the transaction began. The engine derives it from the clock read it
    /// already makes at begin, so a caller that needs "now" for the command it runs in the transaction (key expiry)
    /// can use it instead of reading the clock again (one clock read is ~25-50 ns, a tenth of a bare transaction).
    /// </summary>
    long StartedAtUnixMilliseconds => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// Reads a key: this transaction's own write, else the snapshot's version. Under READ COMMITTED a key this
    /// transaction has locked is read at the newest version committed when the lock was granted (a "current read"),
    /// which may be newer than the statement's snapshot.
    /// </summary>
    bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value);

    /// <summary>
    /// Buffers a write. In a transaction begun with <see cref="TransactionOptions.LockWrites"/> the key must be
    /// exclusively locked first: a free key is locked here, but a key another transaction holds throws
    /// <see cref="InvalidOperationException"/> — await <see cref="LockAsync"/> before writing such keys. A key locked
    /// only here is checked at commit against the statement snapshot (the value may come from a read made before the
    /// lock); to build on the newest committed version, lock with <see cref="LockAsync"/> and read after it.
    /// </summary>
    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>Buffers a delete; the lock rule of <see cref="Put"/> applies.</summary>
    void Delete(ReadOnlySpan<byte> key);

    /// <summary>
    /// <see cref="Put"/> (or, with a null <paramref name="value"/>, <see cref="Delete"/>) of arrays the caller hands
    /// over and never changes again (bulk key builds). The write set copies them into its native slab like any write;
    /// the arrays are garbage at once and die young.
    /// </summary>
    void WriteOwned(byte[] key, byte[]? value)
    {
        if (value is null)
        {
            Delete(key);
        }
        else
        {
            Put(key, value);
        }
    }

    /// <summary>
    /// Locks <paramref name="key"/> until the transaction ends, waiting (asynchronously, first come first served) while
    /// other transactions hold it. Fails with <see cref="LockWaitTimeoutException"/> after the transaction's lock
    /// timeout, <see cref="DeadlockDetectedException"/> when the wait would never end; the transaction stays open either
    /// way (the caller fails the statement, or rolls back). Afterwards, READ COMMITTED reads the key's newest committed
    /// version (see <see cref="TryGet"/>); REPEATABLE READ throws <see cref="TransactionConflictException"/> when a
    /// version newer than its snapshot has committed, since it could neither see nor overwrite it.
    /// </summary>
    ValueTask LockAsync(ReadOnlySpan<byte> key, KeyLockMode mode = KeyLockMode.Exclusive, CancellationToken cancellationToken = default) =>
        ValueTask.FromException(new NotSupportedException("key locks are not supported by this database"));

    /// <summary>How long the next <see cref="LockAsync"/> waits (PostgreSQL's lock_timeout changed inside the transaction).</summary>
    void ChangeLockTimeout(TimeSpan timeout) => throw new NotSupportedException("key locks are not supported by this database");

    /// <summary>Locks <paramref name="key"/> if that needs no wait (never queues); as <see cref="LockAsync"/> otherwise.</summary>
    bool TryLock(ReadOnlySpan<byte> key, KeyLockMode mode = KeyLockMode.Exclusive) =>
        throw new NotSupportedException("key locks are not supported by this database");

    /// <summary>
    /// Moves a transaction that has read and written nothing yet to the newest commit a current read may see (with
    /// sync_commit the newest applied one, which the transaction then depends on: it is acknowledged only once that is
    /// durable too). For a caller that queued behind other transactions on a lock and must build on what they applied,
    /// the way <see cref="LockAsync"/> does for the locked key itself.
    /// </summary>
    void AdvanceSnapshot() => throw new NotSupportedException("advancing a snapshot is not supported by this database");

    /// <summary>
    /// Marks the write set (SQL SAVEPOINT, or the start of a statement that must be atomic): <see cref="RollbackTo"/>
    /// undoes only the writes made after the mark. Marks nest; the returned number names this one.
    /// </summary>
    int Savepoint() => throw new NotSupportedException("savepoints are not supported by this database");

    /// <summary>Undoes the writes made since <paramref name="savepoint"/>, which stays set (SQL ROLLBACK TO SAVEPOINT). Key locks taken since are kept.</summary>
    void RollbackTo(int savepoint) => throw new NotSupportedException("savepoints are not supported by this database");

    /// <summary>Forgets <paramref name="savepoint"/> and every mark set after it, keeping their writes (SQL RELEASE SAVEPOINT).</summary>
    void Release(int savepoint) => throw new NotSupportedException("savepoints are not supported by this database");

    /// <summary>Keys in [<paramref name="startInclusive"/>, <paramref name="endExclusive"/>) (empty end = no bound), ascending or descending.</summary>
    IKvCursor Scan(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive, bool reverse = false);

    /// <summary>
    /// Deletes every key in [<paramref name="startInclusive"/>, <paramref name="endExclusive"/>) (empty end = no bound)
    /// that this transaction sees: the same as a <see cref="Scan"/> and a <see cref="Delete"/> of each key, without
    /// merging the write set into a sorted scan (DROP TABLE, TRUNCATE).
    /// </summary>
    void DeleteRange(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive)
    {
        var keys = new List<byte[]>();
        using (var cursor = Scan(startInclusive, endExclusive))
        {
            while (cursor.MoveNext())
            {
                keys.Add(cursor.Key.ToArray());
            }
        }

        foreach (var key in keys)
        {
            Delete(key);
        }
    }

    /// <summary>
    /// Like <see cref="Scan"/>, but at the newest commit visible now instead of the snapshot (merged with this
    /// transaction's writes): what a foreign-key check needs to find rows that transactions it waited for committed
    /// after its snapshot was taken (PostgreSQL's RI checks read with a fresh snapshot too).
    /// </summary>
    IKvCursor ScanLatest(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive) => Scan(startInclusive, endExclusive);

    /// <summary>READ COMMITTED: take a new snapshot for the next statement. No-op under REPEATABLE READ.</summary>
    void BeginStatement();

    /// <summary>
    /// Makes the writes visible and, with sync_commit, durable before completing.
    /// Throws <see cref="TransactionConflictException"/> on a write-write conflict and
    /// <see cref="StorageReadOnlyException"/> when the store is read-only.
    /// </summary>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);

    void Rollback();
}

public interface IKvCursor : IDisposable
{
    bool MoveNext();

    ReadOnlySpan<byte> Key { get; }

    ReadOnlySpan<byte> Value { get; }
}

/// <summary>
/// A key the store cannot hold (longer than the page-size limit once encoded). Raised when the write is
/// made, before anything is logged or applied, so it fails only the statement that made it.
/// </summary>
public sealed class KeyTooLargeException(string message) : Exception(message);

/// <summary>
/// A transaction whose write set would exceed <c>storage.max_transaction_size</c> (raised by the write that would
/// cross it), or holding one value larger than a WAL record (<c>storage.wal_buffer_size</c>, raised at commit before
/// anything is applied). Either way nothing of the transaction is visible; it should be rolled back.
/// </summary>
public sealed class TransactionTooLargeException(string message) : Exception(message);

/// <summary>A write-write conflict under snapshot isolation (SQLSTATE 40001).</summary>
public sealed class TransactionConflictException(string message) : Exception(message);

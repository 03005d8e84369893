using System.Buffers;

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

    /// <summary>True once a disk error or the disk monitor has switched the store to read-only.</summary>
    bool IsReadOnly { get; }

    /// <summary>
    /// True while a checkpoint holds commits back (its store flush runs under the commit lock): a commit started now
    /// blocks its thread until the flush ends, so an event-loop thread should hand the commit to the thread pool.
    /// </summary>
    bool IsCheckpointing => false;

    /// <summary>
    /// True when a commit is visible to new snapshots as soon as it is applied (sync_commit = false); false when
    /// visibility waits for durability, so that two back-to-back writers of one key overlap (and conflict)
    /// unless they queue.
    /// </summary>
    bool CommitsVisibleAtApply => false;
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

    bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value);

    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    void Delete(ReadOnlySpan<byte> key);

    /// <summary>Keys in [<paramref name="startInclusive"/>, <paramref name="endExclusive"/>) (empty end = no bound), ascending or descending.</summary>
    IKvCursor Scan(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive, bool reverse = false);

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
/// A transaction whose write set does not fit one WAL record (storage.wal_buffer_size). Raised at commit, before
/// anything is logged or applied: the client's statement fails, the store is unharmed.
/// </summary>
public sealed class TransactionTooLargeException(string message) : Exception(message);

/// <summary>A write-write conflict under snapshot isolation (SQLSTATE 40001).</summary>
public sealed class TransactionConflictException(string message) : Exception(message);

/// <summary>The store refuses writes (disk full, I/O error); reads still work.</summary>
public sealed class StorageReadOnlyException(string message, Exception? inner = null) : Exception(message, inner);

using ThunderDb.Core.Errors;
using ThunderDb.Core.Txn;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Session;

/// <summary>What kind of engine outcome failed a statement or command, independent of the protocol that reports it.</summary>
public enum EngineFailureKind
{
    /// <summary>A write-write conflict the engine did not resolve by retrying (PostgreSQL 40001).</summary>
    Conflict,

    /// <summary>The lock wait closed a cycle; this transaction was chosen to give way (40P01, MySQL 1213).</summary>
    Deadlock,

    /// <summary>A timed lock wait ran out (lock_timeout: 55P03, MySQL 1205).</summary>
    LockTimeout,

    /// <summary>A lock not waited for at all was held (NOWAIT, a zero timeout).</summary>
    LockNotAvailable,

    /// <summary>The store refuses writes (disk full, I/O error); reads still work.</summary>
    ReadOnly,

    /// <summary>One key is longer than the engine stores.</summary>
    KeyTooLarge,

    /// <summary>The write set passed <c>storage.max_transaction_size</c>, or one value exceeds a WAL record.</summary>
    TransactionTooLarge,

    /// <summary>The statement ran past its deadline (<c>query_timeout</c>) and changed nothing.</summary>
    DeadlineExceeded,

    /// <summary>Cancelled by request or because the connection is closing.</summary>
    Cancelled,

    /// <summary>Anything else: an engine fault, worth a log line with its stack trace.</summary>
    Fault,
}

/// <summary>A statement ran past its deadline (the <c>query_timeout</c>) and was stopped; whatever it wrote is rolled back.</summary>
public sealed class DeadlineExceededException() : Exception("query_timeout exceeded: the statement was stopped and changed nothing");

/// <summary>
/// The one mapping from the exceptions the engine raises to a protocol-neutral failure. Each protocol renders the
/// kind in its own terms (a Redis error text, a SQLSTATE, a MySQL errno) and logs only <see cref="EngineFailureKind.Fault"/>.
/// </summary>
public readonly record struct EngineFailure(EngineFailureKind Kind, Exception Exception)
{
    /// <summary>The engine's own text for the failure (what the client reads after the protocol's prefix).</summary>
    public string Message => Exception.Message;

    /// <summary>What the client caused or must retry, as opposed to a fault in the engine.</summary>
    public bool IsFault => Kind == EngineFailureKind.Fault;

    /// <summary>The failure an exception stands for.</summary>
    public static EngineFailure Of(Exception exception) => new(KindOf(exception), exception);

    private static EngineFailureKind KindOf(Exception exception) => exception switch
    {
        TransactionConflictException => EngineFailureKind.Conflict,
        DeadlockDetectedException => EngineFailureKind.Deadlock,
        LockWaitTimeoutException { Waited: true } => EngineFailureKind.LockTimeout,
        LockWaitTimeoutException => EngineFailureKind.LockNotAvailable,
        StorageReadOnlyException => EngineFailureKind.ReadOnly,
        KeyTooLargeException => EngineFailureKind.KeyTooLarge,
        TransactionTooLargeException => EngineFailureKind.TransactionTooLarge,
        DeadlineExceededException => EngineFailureKind.DeadlineExceeded,
        OperationCanceledException => EngineFailureKind.Cancelled,
        _ => EngineFailureKind.Fault,
    };
}

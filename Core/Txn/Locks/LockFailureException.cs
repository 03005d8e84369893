namespace ThunderDb.Core.Txn.Locks;

/// <summary>
/// A key-lock wait that ended without the lock. The transaction stays open with the locks it already holds; the
/// caller fails the statement (or rolls back). Each protocol maps the codes it speaks: <see cref="SqlState"/> for
/// PostgreSQL, <see cref="MySqlErrorCode"/> for MySQL.
/// </summary>
public abstract class LockFailureException(string message) : Exception(message)
{
    /// <summary>The SQLSTATE class and code (PostgreSQL's error field C).</summary>
    public abstract string SqlState { get; }

    /// <summary>The MySQL server error number.</summary>
    public abstract int MySqlErrorCode { get; }
}

/// <summary>The lock was still held by others when the wait's timeout ran out (PostgreSQL lock_timeout, MySQL innodb_lock_wait_timeout).</summary>
public sealed class LockWaitTimeoutException(string message, bool waited = true) : LockFailureException(message)
{
    /// <summary>False for a lock not waited for at all (NOWAIT, a zero timeout); true when a timed wait ran out.</summary>
    public bool Waited { get; } = waited;

    /// <summary>lock_not_available.</summary>
    public override string SqlState => "55P03";

    /// <summary>ER_LOCK_WAIT_TIMEOUT.</summary>
    public override int MySqlErrorCode => 1205;
}

/// <summary>The wait closed a cycle of transactions waiting for each other; this one was chosen to give way.</summary>
public sealed class DeadlockDetectedException(string message) : LockFailureException(message)
{
    /// <summary>deadlock_detected.</summary>
    public override string SqlState => "40P01";

    /// <summary>ER_LOCK_DEADLOCK.</summary>
    public override int MySqlErrorCode => 1213;
}

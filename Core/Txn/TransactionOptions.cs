namespace ThunderDb.Core.Txn;

/// <summary>
/// How a transaction runs. Kept as shared instances (the presets, or one per session): beginning a transaction
/// with them allocates nothing.
/// </summary>
public sealed record TransactionOptions
{
    /// <summary>REPEATABLE READ without key locks (the RESP server's transactions).</summary>
    public static readonly TransactionOptions RepeatableRead = new() { Isolation = IsolationLevel.RepeatableRead };

    /// <summary>READ COMMITTED without key locks.</summary>
    public static readonly TransactionOptions ReadCommitted = new() { Isolation = IsolationLevel.ReadCommitted };

    /// <summary>Locking writers at READ COMMITTED, the SQL default (PostgreSQL's and MySQL's row-lock behaviour).</summary>
    public static readonly TransactionOptions ReadCommittedLocking = new() { Isolation = IsolationLevel.ReadCommitted, LockWrites = true };

    /// <summary>Locking writers at REPEATABLE READ.</summary>
    public static readonly TransactionOptions RepeatableReadLocking = new() { Isolation = IsolationLevel.RepeatableRead, LockWrites = true };

    public IsolationLevel Isolation { get; init; } = IsolationLevel.RepeatableRead;

    /// <summary>
    /// Writers lock each key exclusively before writing it (<see cref="IKvTransaction.LockAsync"/>, held to commit or
    /// rollback), so concurrent writers of one key queue instead of failing at commit: under READ COMMITTED the second
    /// reads the first one's committed value and both succeed. Opt-in because the RESP server already serializes its
    /// writes of one key with its own write stripes and needs no more: for it, locking would only add a stripe-locked
    /// table lookup per written key to its hottest path.
    /// </summary>
    public bool LockWrites { get; init; }

    /// <summary>How long a lock wait may last (<see cref="Timeout.InfiniteTimeSpan"/>: no limit; zero: NOWAIT). MySQL's default, 50 s.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(50);

    internal static TransactionOptions For(IsolationLevel isolation) =>
        isolation == IsolationLevel.ReadCommitted ? ReadCommitted : RepeatableRead;
}

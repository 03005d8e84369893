using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Txn;

public sealed partial class Database
{
    /// <summary>The key locks of this database's transactions (<see cref="TransactionOptions.LockWrites"/>, <see cref="IKvTransaction.LockAsync"/>).</summary>
    public KeyLockManager Locks { get; } = new();
}

namespace ThunderDb.Core.Txn.Locks;

/// <summary>How a key is locked: shared locks (SELECT ... FOR SHARE) coexist; an exclusive lock (a write, FOR UPDATE) excludes all others.</summary>
public enum KeyLockMode : byte
{
    Shared,
    Exclusive,
}

namespace ThunderDb.Core.Txn;

public sealed partial class Database
{
    /// <summary>
    /// Makes every commit applied so far durable, without taking the commit lock (usable while a command is
    /// stuck holding other locks: the forced-shutdown path). False when the WAL did not get there within
    /// <paramref name="timeout"/>.
    /// </summary>
    public bool FlushLog(TimeSpan timeout) => _wal.FlushTo(Volatile.Read(ref _appliedEndLsn), timeout);
}

namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// What a checkpoint needs from the page store: make everything applied so far durable and record,
/// in the same durable step (the meta page), the WAL LSN from which redo must start and the highest
/// commit timestamp contained. Called under the commit lock, after the WAL is durable up to <paramref name="walLsn"/>.
/// </summary>
public interface ICheckpointTarget
{
    void Checkpoint(ulong walLsn, ulong maxCommitTs);
}

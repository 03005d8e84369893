namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// What a checkpoint records in the same durable step as the pages (the meta page): the WAL LSN from which redo
/// must start, the highest commit timestamp contained, the highest transaction id handed out (ids stay unique across
/// restarts even when no WAL is left to replay) and the latest commit wall-clock time (commit times never go back,
/// even when the system clock did across a restart). Zeros for a new store.
/// </summary>
public readonly record struct CheckpointState(ulong WalLsn, ulong MaxCommitTs, long MaxTxnId = 0, long MaxWallClockMs = 0);

/// <summary>
/// What a checkpoint needs from the page store: make everything applied so far durable and record
/// <see cref="CheckpointState"/> in the same durable step. Called under the commit lock, after the WAL is durable up to its LSN.
/// </summary>
public interface ICheckpointTarget
{
    void Checkpoint(CheckpointState state);
}

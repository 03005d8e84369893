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
/// <see cref="CheckpointState"/> in the same durable step.
/// </summary>
public interface ICheckpointTarget
{
    /// <summary>The whole checkpoint in one call, under the commit lock, after the WAL is durable up to its LSN.</summary>
    void Checkpoint(CheckpointState state);

    /// <summary>
    /// A checkpoint in two steps, so commits need not wait for the page writes: called under the commit lock, this
    /// fixes what the checkpoint contains (the store as it is now) in microseconds and lets writes go on; the caller
    /// then makes the WAL durable up to the LSN and calls <see cref="IPendingCheckpoint.Complete"/> outside the lock.
    /// Null when the target cannot do that: then <see cref="Checkpoint"/> is called under the lock instead.
    /// </summary>
    IPendingCheckpoint? Freeze(CheckpointState state) => null;
}

/// <summary>A checkpoint whose content is fixed, still to be written (see <see cref="ICheckpointTarget.Freeze"/>).</summary>
public interface IPendingCheckpoint
{
    /// <summary>Writes the frozen pages and the meta page (fdatasync'ed); throws on any I/O failure, leaving the old meta page in force.</summary>
    void Complete();
}

namespace ThunderDb.Core.Storage.Wal;

/// <summary>Keeps WAL segments that checkpoints no longer need but point-in-time recovery does (see <c>Backup/WalArchive</c>).</summary>
public interface IWalArchiver
{
    /// <summary>
    /// Called before the complete segment at <paramref name="path"/> (LSNs [start, start + size)) is deleted. True when it
    /// is safely archived (or not needed by any backup); false keeps it in the WAL directory for now.
    /// </summary>
    bool Archive(string path, ulong segmentStart, long segmentSize);
}

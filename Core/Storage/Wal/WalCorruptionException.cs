namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// A damaged WAL record followed by valid ones: the log cannot be replayed past it without losing
/// acknowledged commits, so startup stops. Names the segment file and the offset inside it.
/// </summary>
public sealed class WalCorruptionException : Exception
{
    public WalCorruptionException(string segmentPath, long offsetInSegment, ulong lsn, string reason)
        : base($"WAL corruption in segment '{segmentPath}' at offset {offsetInSegment} (LSN {lsn}): {reason}. " +
               "Valid records follow the damaged one, so the log cannot be truncated there without losing acknowledged commits.")
    {
        SegmentPath = segmentPath;
        OffsetInSegment = offsetInSegment;
        Lsn = lsn;
    }

    public string SegmentPath { get; }

    public long OffsetInSegment { get; }

    public ulong Lsn { get; }
}

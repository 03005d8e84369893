using System.Buffers.Binary;
using ThunderDb.Io.Buffers;

namespace ThunderDb.Core.Storage;

/// <summary>
/// A durable checkpoint held for a backup: its meta page as written, and the page count it covers. While a pin is held
/// no page id that checkpoint's tree (or its free-list chain) uses is handed out again, so copying the data file's first
/// <see cref="PageCount"/> pages and then putting <see cref="MetaPage"/> in its slot yields exactly that checkpoint.
/// </summary>
internal sealed record PinnedCheckpoint(ulong Sequence, ulong PageCount, int PageSize, byte[] MetaPage, Wal.CheckpointState State)
{
    /// <summary>The meta page slot (0 or 1) the pinned checkpoint was written to.</summary>
    public int MetaSlot => (int)(Sequence % 2);
}

internal sealed unsafe partial class Pager
{
    // Under WriterLock. Ids a checkpoint released while a pin was held: free on disk (every later meta page lists
    // them), but not reused until the last pin goes, because the pinned (older) checkpoint's tree may reference them.
    private readonly List<ulong> _heldForBackup = [];
    private int _backupPins;

    /// <summary>
    /// Pins the durable checkpoint (the caller keeps checkpoints out meanwhile, so none is in flight) and returns its
    /// meta page. Pages of a later epoch never overwrite the pinned tree's pages (shadow paging); ids they free are held
    /// until <see cref="UnpinCheckpoint"/>.
    /// </summary>
    public PinnedCheckpoint PinCheckpoint()
    {
        lock (WriterLock)
        {
            if (_checkpointInFlight)
            {
                throw new InvalidOperationException("a checkpoint is being written; pin the durable one between checkpoints");
            }

            using var buffer = new AlignedBuffer((nuint)PageSize);
            var slot = _checkpointSeq % 2;
            if (_file.File.Read((long)slot * PageSize, buffer.Span) != PageSize)
            {
                throw new PageCorruptedException(FilePath, slot, "short read of the meta page");
            }

            var meta = buffer.Span.ToArray();
            var pageCount = BinaryPrimitives.ReadUInt64LittleEndian(meta.AsSpan(MetaBody + 32));
            _backupPins++;
            return new PinnedCheckpoint(_checkpointSeq, pageCount, PageSize, meta, CheckpointState);
        }
    }

    /// <summary>Releases a pin; with the last one the held ids become reusable.</summary>
    public void UnpinCheckpoint()
    {
        lock (WriterLock)
        {
            if (--_backupPins == 0)
            {
                _free.AddRange(_heldForBackup);
                _heldForBackup.Clear();
            }
        }
    }
}

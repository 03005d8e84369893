using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn;

/// <summary>
/// Large transactions. A write set too big for one record (more than a quarter of the WAL ring) is logged as
/// <see cref="WalRecordType.Chunk"/> records of about <see cref="ChunkBytes"/> each, before the commit lock is
/// taken and in parallel with other committers; the last operations go into the commit record, which counts the
/// chunks. Chunks go through the same ring and flusher as commits, so a writer that outruns the disk waits for
/// ring space (back-pressure) instead of buffering. Recovery applies chunks only when their commit record is found.
/// <para>While a transaction's chunks are logged but its commit is not applied, checkpoints start redo no later than
/// its first chunk (<see cref="OldestChunkedLsn"/>), so its chunks stay in the WAL for as long as recovery may need them.</para>
/// </summary>
public sealed partial class Database
{
    private readonly Lock _chunkLock = new();
    private readonly List<(long TxnId, ulong FirstLsn)> _chunked = [];

    /// <summary>Target size of one chunk record: big enough that per-record costs vanish, small enough that many fit the ring.</summary>
    private int ChunkBytes => (int)Math.Min(1L << 20, _wal.BufferCapacity / 8);

    /// <summary>Tests: runs after a large transaction's chunks are logged, before its commit lock is taken.</summary>
    internal Action? AfterChunksLogged { get; set; }

    /// <summary>storage.max_transaction_size.</summary>
    internal long MaxTransactionSize => _options.Storage.MaxTransactionSize;

    /// <summary>Logs all but the last chunk's worth of <paramref name="txn"/>'s write set; the rest is left in <paramref name="builder"/> for the commit record.</summary>
    private uint LogChunks(KvTransaction txn, WalRecordBuilder builder)
    {
        var chunkBytes = ChunkBytes;
        uint chunks = 0;
        try
        {
            foreach (var (key, entry) in txn.Writes.Entries)
            {
                var size = WriteSet.SizeOf(key.Length, entry.Value);
                if (builder.OperationCount > 0 && builder.Length + size > chunkBytes)
                {
                    PublishChunk(txn.Id, builder, first: chunks == 0);
                    chunks++;
                }

                if (entry.IsDelete)
                {
                    builder.AddDelete(key);
                }
                else
                {
                    builder.AddPut(key, entry.Value);
                }
            }
        }
        catch
        {
            ForgetChunked(txn.Id); // also when the first chunk was registered but failed to publish
            throw;
        }

        return chunks;
    }

    private void PublishChunk(long txnId, WalRecordBuilder builder, bool first)
    {
        ThrowIfReadOnly();
        var record = builder.Complete();
        if (record.Length > _wal.BufferCapacity)
        {
            ThrowRecordTooLarge(record.Length);
        }

        ulong lsn;
        if (first)
        {
            // Registered in the same step as the reservation: a checkpoint either sees it or takes its LSN after it.
            lock (_chunkLock)
            {
                lsn = _wal.Reserve(record.Length);
                _chunked.Add((txnId, lsn));
            }
        }
        else
        {
            lsn = _wal.Reserve(record.Length);
        }

        WalRecord.Seal(record, WalRecordType.Chunk, lsn, txnId, 0, 0, _wal.FlushedLsn);
        _wal.Publish(lsn, record); // waits for ring space when the flusher is behind
        builder.Reset();
    }

    /// <summary>The transaction's chunks are no longer needed by recovery beyond what <see cref="_appliedEndLsn"/> says (applied, or never to commit).</summary>
    private void ForgetChunked(long txnId)
    {
        lock (_chunkLock)
        {
            var index = _chunked.FindIndex(c => c.TxnId == txnId);
            if (index >= 0)
            {
                _chunked.RemoveAt(index);
            }
        }
    }

    /// <summary>The first chunk LSN of the oldest large transaction still committing (<see cref="ulong.MaxValue"/>: none). Under the commit lock.</summary>
    private ulong OldestChunkedLsn()
    {
        lock (_chunkLock)
        {
            var oldest = ulong.MaxValue;
            foreach (var (_, lsn) in _chunked)
            {
                oldest = Math.Min(oldest, lsn);
            }

            return oldest;
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowRecordTooLarge(int length) =>
        throw new TransactionTooLargeException(
            $"transaction too large: one of its values needs a {length}-byte WAL record, more than storage.wal_buffer_size ({_wal.BufferCapacity} bytes)");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal void ThrowTransactionTooLarge(long bytes, int keys) =>
        throw new TransactionTooLargeException(
            $"transaction too large: its write set ({keys} keys, {bytes} bytes) would exceed storage.max_transaction_size ({MaxTransactionSize} bytes); " +
            "split the work into several transactions or raise the limit");
}

using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// Recovery's bookkeeping for large transactions logged as <see cref="WalRecordType.Chunk"/> records before their
/// commit record: it remembers only where each chunk is (never its bytes), and when the commit record comes reads
/// the chunks back and hands them to the replay handler, right before the commit record, with the commit
/// timestamp written into their header. Chunks whose commit record never came (a crash mid-commit, a failed or
/// conflicting commit) are dropped at the end.
/// </summary>
internal sealed class WalChunkReplay(WalSegmentSet segments, string directory, ulong checkpointCommitTs) : IDisposable
{
    private readonly Dictionary<long, List<ulong>> _chunks = [];
    private WalWindowReader? _reader;
    private byte[] _scratch = [];

    public long ChunksReplayed { get; private set; }

    public void Remember(long txnId, ulong lsn)
    {
        if (!_chunks.TryGetValue(txnId, out var list))
        {
            _chunks[txnId] = list = [];
        }

        list.Add(lsn);
    }

    /// <summary>
    /// Before a commit record is replayed: replays its transaction's chunks in LSN order. A commit the checkpoint
    /// already contains may have chunks before the redo start; anything else missing stops recovery.
    /// </summary>
    public void ReplayChunksOf(ReadOnlySpan<byte> commit, ulong commitLsn, WalReplayHandler? replay)
    {
        var expected = WalRecord.ReadChunkCount(commit);
        var txnId = WalRecord.ReadTxnId(commit);
        _chunks.Remove(txnId, out var list);
        if (expected == 0)
        {
            return;
        }

        var commitTs = WalRecord.ReadCommitTs(commit);
        if (list is null || list.Count != expected)
        {
            if (commitTs <= checkpointCommitTs)
            {
                // Already in the checkpoint's tree: redo started after its first chunks because another large
                // transaction was still logging chunks at the checkpoint (redo starts at the oldest one).
                return;
            }

            throw new WalMissingException(
                $"the commit record at LSN {commitLsn} in '{directory}' belongs to a transaction logged in {expected} chunk records, " +
                $"but only {list?.Count ?? 0} were found after the redo start; refusing to start rather than apply part of a transaction");
        }

        _reader ??= new WalWindowReader(segments);
        foreach (var lsn in list)
        {
            var chunk = WriteAheadLog.ReadRecordAt(_reader, lsn);
            if (chunk.IsEmpty)
            {
                throw new WalMissingException($"the chunk record at LSN {lsn} in '{directory}' could not be read back during recovery");
            }

            if (_scratch.Length < chunk.Length)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = ArrayPool<byte>.Shared.Rent(chunk.Length);
            }

            var copy = _scratch.AsSpan(0, chunk.Length);
            chunk.CopyTo(copy);
            BinaryPrimitives.WriteUInt64LittleEndian(copy[32..], commitTs);
            replay?.Invoke(copy);
            ChunksReplayed++;
        }
    }

    /// <summary>Logs what was dropped: chunks of transactions that never committed.</summary>
    public void LogDropped(ILogger logger)
    {
        if (_chunks.Count > 0)
        {
            logger.LogInformation(
                "WAL recovery dropped {Chunks} chunk records of {Transactions} large transactions that never committed",
                _chunks.Values.Sum(l => l.Count), _chunks.Count);
        }
    }

    public void Dispose()
    {
        _reader?.Dispose();
        if (_scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }
}

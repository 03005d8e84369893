using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Errors;

namespace ThunderDb.Core.Storage.Wal;

public sealed unsafe partial class WriteAheadLog
{
    private long _lastSizeAlert;
    private long _flushCount;

    /// <summary>How many write + fdatasync rounds the flusher has done (commits per flush = group commit factor).</summary>
    public long FlushCount => Volatile.Read(ref _flushCount);

    /// <summary>
    /// The one flusher: collects the contiguous published prefix, writes it with at most two writes
    /// (ring wrap) plus one per segment boundary, fdatasyncs once, then advances the flushed LSN and
    /// completes waiters. Everything published while it syncs goes into the next batch: group commit.
    /// </summary>
    private void FlusherLoop()
    {
        var idleWait = _options.SyncCommit ? TimeSpan.FromMilliseconds(50) : _options.FlushDelay;
        while (true)
        {
            _wake.Wait(idleWait);
            _wake.Reset();
            if (_abandoned)
            {
                return;
            }

            var start = Volatile.Read(ref _flushed);
            var (end, maxCommitTs) = ScanPublished(start);
            if (end == start)
            {
                if (_stopping && Volatile.Read(ref _reserved) == start)
                {
                    return;
                }

                continue;
            }

            try
            {
                WriteAndSync(start, end);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Fail(start, ex);
                return;
            }

            // Free the ring region for reuse: later records start at arbitrary aligned positions inside it
            // and the scan needs their first word to read zero until they are published.
            ClearRing(start, end);
            if (maxCommitTs > _durableCommitTs)
            {
                Volatile.Write(ref _durableCommitTs, maxCommitTs);
                CommitsDurable?.Invoke(maxCommitTs);
            }

            Volatile.Write(ref _flushed, end);
            CompleteWaiters((ulong)end);
        }
    }

    private (long End, ulong MaxCommitTs) ScanPublished(long start)
    {
        var position = start;
        var limit = start + _capacity;
        ulong maxCommitTs = 0;
        while (position < limit)
        {
            var word = Volatile.Read(ref *(ulong*)(_ring + (position & _mask)));
            if (word == 0)
            {
                break;
            }

            var length = (long)(word >> 32);
            if (ReadRingByte(position + 8) == (byte)WalRecordType.Commit)
            {
                var commitTs = ReadRingUInt64(position + 32);
                if (commitTs > maxCommitTs)
                {
                    maxCommitTs = commitTs;
                }
            }

            position += length;
        }

        return (position, maxCommitTs);
    }

    private byte ReadRingByte(long lsn) => _ring[lsn & _mask];

    private ulong ReadRingUInt64(long lsn)
    {
        // Fields are 8-byte aligned within an 8-byte aligned record, so they never wrap.
        return BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(_ring + (lsn & _mask), 8));
    }

    private void WriteAndSync(long start, long end)
    {
        lock (_segmentLock)
        {
            var position = start;
            while (position < end)
            {
                var offset = position & _mask;
                var count = (int)Math.Min(end - position, _capacity - offset);
                _segments.Write((ulong)position, new ReadOnlySpan<byte>(_ring + offset, count));
                position += count;
            }

            _segments.Sync();
            _flushCount++;
            var size = _segments.BytesOnDisk;
            ThunderMetrics.WalSizeBytes.Set(size);
            if (SizeAlertBytes > 0 && size / SizeAlertBytes > _lastSizeAlert)
            {
                _lastSizeAlert = size / SizeAlertBytes;
                SizeAlert?.Invoke();
            }
            else if (SizeAlertBytes > 0)
            {
                _lastSizeAlert = size / SizeAlertBytes;
            }
        }
    }

    private void ClearRing(long start, long end)
    {
        var position = start;
        while (position < end)
        {
            var offset = position & _mask;
            var count = Math.Min(end - position, _capacity - offset);
            NativeMemory.Clear(_ring + offset, (nuint)count);
            position += count;
        }
    }

    private void Fail(long durableEnd, Exception ex)
    {
        var failure = new StorageReadOnlyException(
            $"writing the WAL failed ({ex.Message}); the database is now read-only. Commits up to LSN {durableEnd} are durable; later ones failed.", ex);
        _failure = failure;
        _logger.LogCritical(ex, "WAL write failed at LSN {Lsn}; switching to read-only", durableEnd);
        lock (_segmentLock)
        {
            // Cut off what the failed batch wrote (in this segment and any it crossed into), so a restart does not
            // replay commits that were reported as failed.
            _segments.TryDiscardFrom((ulong)durableEnd);
        }

        FailWaiters(failure);
    }
}

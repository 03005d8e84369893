using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>Receives each valid record during recovery, in LSN order.</summary>
public delegate void WalReplayHandler(ReadOnlySpan<byte> record);

/// <summary>What recovery found and did.</summary>
public sealed record WalRecoveryResult(
    ulong StartLsn,
    ulong EndLsn,
    long RecordsReplayed,
    long BytesReplayed,
    TimeSpan Elapsed,
    ulong MaxCommitTs,
    long DiscardedTailBytes)
{
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? BytesReplayed / 1e6 / Elapsed.TotalSeconds : 0;
}

public sealed partial class WriteAheadLog
{
    /// <summary>
    /// Opens the WAL in <see cref="WalOptions.Directory"/>: replays every valid record from
    /// <paramref name="startLsn"/> (the last checkpoint's redo point) through <paramref name="replay"/>,
    /// cuts a torn or corrupt tail, and starts appending right after the last valid record.
    /// A damaged record followed by records appended after it was durable is a
    /// <see cref="WalCorruptionException"/> naming the segment and offset.
    /// </summary>
    public static WriteAheadLog Open(WalOptions options, ulong startLsn, ulong checkpointCommitTs, WalReplayHandler? replay, ILogger logger, out WalRecoveryResult result)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (startLsn % WalRecord.Alignment != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(startLsn), "LSNs are 8-byte aligned");
        }

        var segments = new WalSegmentSet(options.Directory, options.SegmentSize, options.IoBackend);
        try
        {
            result = Recover(segments, startLsn, checkpointCommitTs, replay, logger);
            return new WriteAheadLog(options, segments, result.EndLsn, result.MaxCommitTs, logger);
        }
        catch
        {
            segments.Dispose();
            throw;
        }
    }

    private static WalRecoveryResult Recover(WalSegmentSet segments, ulong startLsn, ulong checkpointCommitTs, WalReplayHandler? replay, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        if (segments.FirstStart is { } first && first > segments.SegmentStartOf(startLsn))
        {
            throw new InvalidDataException(
                $"the WAL segment holding the redo start LSN {startLsn} ({segments.PathOf(segments.SegmentStartOf(startLsn))}) is missing; the oldest segment starts at {first}");
        }

        var dataEnd = segments.DataEnd;
        var position = startLsn;
        var maxCommitTs = checkpointCommitTs;
        long records = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(64 << 10);
        try
        {
            while (true)
            {
                var length = TryReadRecord(segments, position, ref buffer);
                if (length == 0)
                {
                    break;
                }

                var record = buffer.AsSpan(0, length);
                if (WalRecord.ReadType(record) == WalRecordType.Commit)
                {
                    maxCommitTs = Math.Max(maxCommitTs, WalRecord.ReadCommitTs(record));
                }

                replay?.Invoke(record);
                records++;
                position += (ulong)length;
            }

            long discarded = 0;
            if (position < dataEnd)
            {
                EnsureOnlyTornTail(segments, position, dataEnd, ref buffer);
                discarded = (long)(dataEnd - position);
                logger.LogWarning(
                    "WAL ends with a torn or corrupt record at LSN {Lsn} ({Segment} offset {Offset}); discarding {Bytes} bytes of unacknowledged tail",
                    position, segments.PathOf(segments.SegmentStartOf(position)), position - segments.SegmentStartOf(position), discarded);
                segments.TruncateAt(position);
            }

            // Replayed bytes may still sit only in the page cache (the previous process died, the kernel did not).
            // Make them durable before anything new is acknowledged on top of them.
            segments.SyncFrom(startLsn);
            segments.CloseReaders();
            var replayed = (long)(position - startLsn);
            var result = new WalRecoveryResult(startLsn, position, records, replayed, clock.Elapsed, maxCommitTs, discarded);
            logger.LogInformation(
                "WAL recovery replayed {Records} records, {Bytes} bytes from LSN {Start} to {End} in {Ms:F1} ms ({MBps:F1} MB/s)",
                records, replayed, startLsn, position, result.Elapsed.TotalMilliseconds, result.MegabytesPerSecond);
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads and validates the record at <paramref name="lsn"/> into <paramref name="buffer"/>; returns its length, or 0 when there is no valid record there.</summary>
    private static int TryReadRecord(WalSegmentSet segments, ulong lsn, ref byte[] buffer)
    {
        Span<byte> header = stackalloc byte[WalRecord.HeaderSize];
        if (segments.ReadAt(lsn, header) < WalRecord.HeaderSize)
        {
            return 0;
        }

        var length = WalRecord.ReadLength(header);
        if (length < WalRecord.HeaderSize || length > WalRecord.MaxRecordSize || length % WalRecord.Alignment != 0 || WalRecord.ReadLsn(header) != lsn)
        {
            return 0;
        }

        if (buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent((int)length);
        }

        var record = buffer.AsSpan(0, (int)length);
        if (segments.ReadAt(lsn, record) < length || !WalRecord.IsValid(record, lsn))
        {
            return 0;
        }

        return (int)length;
    }

    /// <summary>
    /// After a bad record at <paramref name="bad"/>: look for a valid record further on that was appended
    /// when <paramref name="bad"/> was already durable (its durableLsnAtAppend is past it). If there is one,
    /// the bad record is corruption of acknowledged data, not a torn tail.
    /// </summary>
    private static void EnsureOnlyTornTail(WalSegmentSet segments, ulong bad, ulong dataEnd, ref byte[] buffer)
    {
        const int chunkSize = 1 << 20;
        var chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            var chunkStart = bad + WalRecord.Alignment;
            while (chunkStart < dataEnd)
            {
                var got = segments.ReadAt(chunkStart, chunk.AsSpan(0, chunkSize));
                if (got == 0)
                {
                    // A hole (missing or short segment): continue in the next segment.
                    chunkStart = segments.SegmentStartOf(chunkStart) + (ulong)segments.SegmentSize;
                    continue;
                }

                for (var offset = 0; offset + 24 <= got; offset += WalRecord.Alignment)
                {
                    var candidate = chunkStart + (ulong)offset;
                    if (BinaryPrimitives.ReadUInt64LittleEndian(chunk.AsSpan(offset + 16)) != candidate)
                    {
                        continue;
                    }

                    var length = TryReadRecord(segments, candidate, ref buffer);
                    if (length > 0 && WalRecord.ReadDurableLsnAtAppend(buffer) > bad)
                    {
                        var segment = segments.SegmentStartOf(bad);
                        throw new WalCorruptionException(segments.PathOf(segment), (long)(bad - segment), bad,
                            $"bad record, while the record at LSN {candidate} was appended after LSN {WalRecord.ReadDurableLsnAtAppend(buffer)} was durable");
                    }
                }

                chunkStart += (ulong)Math.Max(WalRecord.Alignment, got - 24 - ((got - 24) % WalRecord.Alignment));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}

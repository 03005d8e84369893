using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// Receives each valid record during recovery, in LSN order; a committed large transaction's
/// <see cref="WalRecordType.Chunk"/> records come right before its commit record, with its commit timestamp in their header.
/// </summary>
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
    /// <summary>The highest transaction id in the replayed records (0 when none).</summary>
    public long MaxTxnId { get; init; }

    /// <summary>The latest wall-clock time of a replayed commit record (0 when none).</summary>
    public long MaxWallClockMs { get; init; }

    /// <summary>The same in unix 100 ns ticks.</summary>
    public long MaxWallClockTicks { get; init; }

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

        // Before the segment set creates the directory: a mistyped wal_dir is refused, not created.
        if (options.SystemId != 0)
        {
            WalDirectoryMarker.Verify(options.Directory, options.SystemId, WalMarkerMode.Verify, startLsn);
        }

        var segments = new WalSegmentSet(options.Directory, options.SegmentSize, options.IoBackend, options.FileDecorator);
        try
        {
            if (options.SystemId != 0 && !options.AdoptExisting)
            {
                EnsureRedoSegment(segments, options.Directory, startLsn);
            }

            result = Recover(segments, startLsn, checkpointCommitTs, replay, logger);
            segments.OpenWriterAt(result.EndLsn);
            return new WriteAheadLog(options, segments, result.EndLsn, result.MaxCommitTs, logger);
        }
        catch
        {
            segments.Dispose();
            throw;
        }
    }

    /// <summary>The segment holding the redo start (or, at a segment boundary, the full one before it) is always kept; its absence means lost WAL.</summary>
    private static void EnsureRedoSegment(WalSegmentSet segments, string directory, ulong startLsn)
    {
        var start = segments.SegmentStartOf(startLsn);
        if (segments.Holds(start) || (start == startLsn && start > 0 && segments.Holds(start - (ulong)segments.SegmentSize)))
        {
            return;
        }

        throw new WalMissingException(
            $"the WAL directory '{directory}' lacks the segment {Path.GetFileName(segments.PathOf(start))} holding the redo start LSN {startLsn} " +
            $"that the data directory needs ({segments.Count} segment files present); refusing to start rather than lose the commits after the last checkpoint");
    }

    private static WalRecoveryResult Recover(WalSegmentSet segments, ulong startLsn, ulong checkpointCommitTs, WalReplayHandler? replay, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        if (segments.FirstStart is { } first && first > segments.SegmentStartOf(startLsn))
        {
            throw new InvalidDataException(
                $"the WAL segment holding the redo start LSN {startLsn} ({segments.PathOf(segments.SegmentStartOf(startLsn))}) is missing; the oldest segment starts at {first}");
        }

        if (segments.FindGap(startLsn) is { } gap)
        {
            throw new WalMissingException(
                $"the WAL segment '{segments.PathOf(gap)}' is missing while later segments exist; the log cannot be replayed past LSN {gap} " +
                "without losing acknowledged commits, so startup stops");
        }

        var dataEnd = segments.DataEnd;
        var position = startLsn;
        var maxCommitTs = checkpointCommitTs;
        long records = 0;
        long maxTxnId = 0;
        long maxWallClockMs = 0;
        long maxWallClockTicks = 0;
        using var chunks = new WalChunkReplay(segments, segments.DirectoryPath, checkpointCommitTs);
        using (var reader = new WalWindowReader(segments))
        {
            while (true)
            {
                var record = TryReadRecord(reader, position);
                if (record.IsEmpty)
                {
                    break;
                }

                var length = record.Length;
                maxTxnId = Math.Max(maxTxnId, WalRecord.ReadTxnId(record));
                var type = WalRecord.ReadType(record);
                if (type == WalRecordType.Commit)
                {
                    maxCommitTs = Math.Max(maxCommitTs, WalRecord.ReadCommitTs(record));
                    maxWallClockMs = Math.Max(maxWallClockMs, WalRecord.ReadWallClockMs(record));
                    maxWallClockTicks = Math.Max(maxWallClockTicks, WalRecord.ReadWallClockTicks(record));
                    chunks.ReplayChunksOf(record, position, replay);
                }

                if (type == WalRecordType.Chunk)
                {
                    chunks.Remember(WalRecord.ReadTxnId(record), position);
                }
                else
                {
                    replay?.Invoke(record);
                }

                records++;
                position += (ulong)length;
            }

            chunks.LogDropped(logger);
            long discarded = 0;
            if (position < dataEnd)
            {
                EnsureOnlyTornTail(segments, position, dataEnd);
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
            var result = new WalRecoveryResult(startLsn, position, records, replayed, clock.Elapsed, maxCommitTs, discarded)
            {
                MaxTxnId = maxTxnId,
                MaxWallClockMs = maxWallClockMs,
                MaxWallClockTicks = maxWallClockTicks,
            };
            logger.LogInformation(
                "WAL recovery replayed {Records} records, {Bytes} bytes from LSN {Start} to {End} in {Ms:F1} ms ({MBps:F1} MB/s)",
                records, replayed, startLsn, position, result.Elapsed.TotalMilliseconds, result.MegabytesPerSecond);
            return result;
        }
    }

    internal static ReadOnlySpan<byte> ReadRecordAt(WalWindowReader reader, ulong lsn) => TryReadRecord(reader, lsn);

    /// <summary>Reads and validates the record at <paramref name="lsn"/>; empty when there is no valid record there.</summary>
    private static ReadOnlySpan<byte> TryReadRecord(WalWindowReader reader, ulong lsn)
    {
        var header = reader.Read(lsn, WalRecord.HeaderSize);
        if (header.Length < WalRecord.HeaderSize)
        {
            return default;
        }

        var length = WalRecord.ReadLength(header);
        if (length < WalRecord.HeaderSize || length > WalRecord.MaxRecordSize || length % WalRecord.Alignment != 0 || WalRecord.ReadLsn(header) != lsn)
        {
            return default;
        }

        var record = reader.Read(lsn, (int)length);
        return record.Length == length && WalRecord.IsValid(record, lsn) ? record : default;
    }

    /// <summary>
    /// After a bad record at <paramref name="bad"/>: look for a valid record further on that was appended
    /// when <paramref name="bad"/> was already durable (its durableLsnAtAppend is past it). If there is one,
    /// the bad record is corruption of acknowledged data, not a torn tail.
    /// </summary>
    private static void EnsureOnlyTornTail(WalSegmentSet segments, ulong bad, ulong dataEnd)
    {
        const int chunkSize = 1 << 20;
        var chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
        using var reader = new WalWindowReader(segments);
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

                    var record = TryReadRecord(reader, candidate);
                    if (!record.IsEmpty && WalRecord.ReadDurableLsnAtAppend(record) > bad)
                    {
                        var segment = segments.SegmentStartOf(bad);
                        throw new WalCorruptionException(segments.PathOf(segment), (long)(bad - segment), bad,
                            $"bad record, while the record at LSN {candidate} was appended after LSN {WalRecord.ReadDurableLsnAtAppend(record)} was durable");
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

/// <summary>Sequential reads of the log through a 1 MiB window, so replay costs one pread per window, not two per record.</summary>
internal sealed class WalWindowReader(WalSegmentSet segments) : IDisposable
{
    private byte[] _window = ArrayPool<byte>.Shared.Rent(1 << 20);
    private ulong _start;
    private int _length;

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="lsn"/>; fewer where the log ends. Valid until the next call.</summary>
    public ReadOnlySpan<byte> Read(ulong lsn, int count)
    {
        if (lsn >= _start && lsn + (ulong)count <= _start + (ulong)_length)
        {
            return _window.AsSpan((int)(lsn - _start), count);
        }

        if (_window.Length < count)
        {
            ArrayPool<byte>.Shared.Return(_window);
            _window = ArrayPool<byte>.Shared.Rent(count);
        }

        _start = lsn;
        _length = segments.ReadAt(lsn, _window);
        return _window.AsSpan(0, Math.Min(count, _length));
    }

    public void Dispose()
    {
        if (_window.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_window);
            _window = [];
        }
    }
}

using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Errors;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// The write-ahead log: a ring buffer that committers append into without a lock, one flusher thread
/// that writes the filled prefix to the segment files and fdatasyncs it, and the recovery scan.
/// <para>
/// Append protocol: <see cref="Reserve"/> hands out [lsn, lsn + length) with one atomic add;
/// the caller seals its record (header + CRC) and calls <see cref="Publish"/>, which copies all but
/// the first 8 bytes into the ring and then stores the first word (CRC + length, never zero) with
/// release semantics. The flusher reads first words from its flushed position on: a zero word is a
/// record not yet published, so it writes exactly the contiguous published prefix.
/// </para>
/// </summary>
public sealed unsafe partial class WriteAheadLog : IDisposable
{
    private readonly WalOptions _options;
    private readonly WalSegmentSet _segments;
    private readonly Lock _segmentLock = new();
    private readonly ILogger _logger;

    private readonly byte* _ring;
    private readonly long _capacity; // power of two
    private readonly long _mask;

    private long _reserved; // next LSN to hand out
    private long _flushed; // every byte below is durable; the ring is free below it
    private ulong _durableCommitTs;

    private readonly Thread _flusher;
    private readonly ManualResetEventSlim _wake = new(false);
    private volatile bool _stopping;
    private volatile bool _abandoned;
    private volatile StorageReadOnlyException? _failure;

    private readonly byte* _ringBase;

    private WriteAheadLog(WalOptions options, WalSegmentSet segments, ulong startLsn, ulong durableCommitTs, ILogger logger)
    {
        _options = options;
        _segments = segments;
        _logger = logger;
        _capacity = (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(options.BufferSize, 64 << 10));
        _mask = _capacity - 1;
        // The ring must start zeroed (a zero first word means "not published yet"). calloc gets fresh
        // anonymous pages for a block this size and skips the memset, so the 64 MiB default ring costs
        // nothing until the log reaches it (clearing it up front cost ~80 ms of startup and 64 MiB RSS).
        _ringBase = (byte*)NativeMemory.AllocZeroed((nuint)_capacity + 4096);
        _ring = (byte*)(((nuint)_ringBase + 4095) & ~(nuint)4095);
        _reserved = (long)startLsn;
        _flushed = (long)startLsn;
        _durableCommitTs = durableCommitTs;
        ThunderMetrics.WalSizeBytes.Set(segments.BytesOnDisk);
        _flusher = new Thread(FlusherLoop) { IsBackground = true, Name = "wal-flusher" };
        _flusher.Start();
    }

    /// <summary>Called on the flusher thread with the highest commit timestamp made durable by a flush.</summary>
    public Action<ulong>? CommitsDurable { get; set; }

    /// <summary>Called on the flusher thread when the WAL on disk grows past a multiple of this many bytes (0 = never).</summary>
    public long SizeAlertBytes { get; set; }

    public Action? SizeAlert { get; set; }

    /// <summary>Every LSN below this is on disk (fdatasync'ed).</summary>
    public ulong FlushedLsn => (ulong)Volatile.Read(ref _flushed);

    /// <summary>The next LSN an append would get.</summary>
    public ulong ReservedLsn => (ulong)Volatile.Read(ref _reserved);

    /// <summary>The highest commit timestamp whose record is durable.</summary>
    public ulong DurableCommitTs => Volatile.Read(ref _durableCommitTs);

    /// <summary>The ring capacity; a record may not be longer.</summary>
    public long BufferCapacity => _capacity;

    public bool IsFailed => _failure is not null;

    public StorageReadOnlyException? Failure => _failure;

    /// <summary>Bytes in the segment files (what thunderdb_wal_size_bytes reports).</summary>
    public long SizeOnDisk
    {
        get
        {
            lock (_segmentLock)
            {
                return _segments.BytesOnDisk;
            }
        }
    }

    public int SegmentCount
    {
        get
        {
            lock (_segmentLock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>
    /// Hands out the LSN range for a record of <paramref name="length"/> bytes (a multiple of 8).
    /// Callers that need LSN order to follow another order (commit timestamps) call this under their lock.
    /// </summary>
    public ulong Reserve(int length)
    {
        if (length < WalRecord.HeaderSize || length % WalRecord.Alignment != 0 || length > _capacity)
        {
            ThrowBadLength(length);
        }

        if (_failure is { } failure)
        {
            throw failure;
        }

        return (ulong)(Interlocked.Add(ref _reserved, length) - length);
    }

    /// <summary>Copies a sealed record into its reserved place and makes it visible to the flusher.</summary>
    public void Publish(ulong lsn, ReadOnlySpan<byte> record)
    {
        var end = (long)lsn + record.Length;
        if (end - Volatile.Read(ref _flushed) > _capacity)
        {
            WaitForRingSpace(end);
        }

        var position = (long)lsn & _mask;
        var body = record[8..];
        var bodyStart = (position + 8) & _mask;
        var first = (int)Math.Min(body.Length, _capacity - bodyStart);
        body[..first].CopyTo(new Span<byte>(_ring + bodyStart, first));
        if (first < body.Length)
        {
            body[first..].CopyTo(new Span<byte>(_ring, body.Length - first));
        }

        Volatile.Write(ref *(ulong*)(_ring + position), MemoryMarshal.Read<ulong>(record));

        if (_options.SyncCommit || end - Volatile.Read(ref _flushed) > _capacity / 2)
        {
            _wake.Set();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void WaitForRingSpace(long end)
    {
        var spinner = new SpinWait();
        while (end - Volatile.Read(ref _flushed) > _capacity)
        {
            if (_failure is { } failure)
            {
                throw failure;
            }

            if (_abandoned)
            {
                throw new ObjectDisposedException(nameof(WriteAheadLog));
            }

            _wake.Set();
            spinner.SpinOnce(sleep1Threshold: 20);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowBadLength(int length) =>
        throw new ArgumentOutOfRangeException(nameof(length), $"a WAL record must be 8-byte aligned, at least {WalRecord.HeaderSize} and at most wal_buffer_size ({_capacity}) bytes; got {length}");

    /// <summary>Completes when every byte below <paramref name="lsn"/> is durable; throws <see cref="StorageReadOnlyException"/> if the WAL failed first.</summary>
    public ValueTask WaitForDurableAsync(ulong lsn)
    {
        if ((ulong)Volatile.Read(ref _flushed) >= lsn)
        {
            return ValueTask.CompletedTask;
        }

        return WaitSlow(lsn);
    }

    /// <summary>Blocks until every byte below <paramref name="lsn"/> is durable (checkpoints, shutdown).</summary>
    public void FlushTo(ulong lsn)
    {
        if (FlushedLsn >= lsn)
        {
            return;
        }

        _wake.Set();
        WaitSlow(lsn).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Like <see cref="FlushTo(ulong)"/> but gives up after <paramref name="timeout"/>; false then.</summary>
    public bool FlushTo(ulong lsn, TimeSpan timeout)
    {
        if (FlushedLsn >= lsn)
        {
            return true;
        }

        _wake.Set();
        return WaitSlow(lsn).AsTask().Wait(timeout);
    }

    /// <summary>
    /// Segments holding LSNs at or above this are never removed: the hook for backups and PITR archiving,
    /// which pin the WAL they still have to copy. Open transactions need no pin (nothing of theirs is in the WAL before commit).
    /// </summary>
    public ulong RetainFromLsn { get; set; } = ulong.MaxValue;

    /// <summary>
    /// Where segments go before <see cref="RemoveSegmentsBelow"/> deletes them (the PITR archive); null = deleted outright.
    /// </summary>
    public IWalArchiver? Archiver { get; set; }

    /// <summary>
    /// Deletes the segment files that lie wholly below <paramref name="lsn"/> (the last checkpoint's redo start) and below
    /// <see cref="RetainFromLsn"/>. With an <see cref="Archiver"/> each is archived first (outside the segment lock: they
    /// are complete and immutable, and the flusher must not wait for a copy); one that cannot be archived stays, with
    /// every later one, until the next checkpoint tries again.
    /// </summary>
    public int RemoveSegmentsBelow(ulong lsn)
    {
        var bound = Math.Min(Math.Min(lsn, FlushedLsn), RetainFromLsn);
        if (Archiver is { } archiver)
        {
            List<(ulong Start, string Path)> candidates;
            lock (_segmentLock)
            {
                candidates = _segments.SegmentsWhollyBelow(bound);
            }

            foreach (var (start, path) in candidates)
            {
                if (!archiver.Archive(path, start, _segments.SegmentSize))
                {
                    bound = start;
                    break;
                }
            }
        }

        int removed;
        lock (_segmentLock)
        {
            removed = _segments.DeleteBelow(bound);
            ThunderMetrics.WalSizeBytes.Set(_segments.BytesOnDisk);
        }

        return removed;
    }

    /// <summary>The segment files holding LSNs from the one containing <paramref name="fromLsn"/> on, oldest first (a backup copies them).</summary>
    public List<(ulong Start, string Path)> SegmentsFrom(ulong fromLsn)
    {
        lock (_segmentLock)
        {
            return _segments.SegmentsFrom(fromLsn);
        }
    }

    public long SegmentSize => _segments.SegmentSize;

    public string DirectoryPath => _segments.DirectoryPath;

    /// <summary>Flushes everything appended, stops the flusher and closes the files.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        _flusher.Join();

        // The flusher only exits once everything reserved was published and flushed: no committer touches the ring any more.
        Close(freeRing: true);
    }

    /// <summary>
    /// Simulates a crash for tests: stops the flusher without writing what is still in the ring and
    /// closes the files. Bytes already written stay as the kernel has them.
    /// </summary>
    internal void Abandon()
    {
        _abandoned = true;
        _stopping = true;
        _wake.Set();
        _flusher.Join();
        FailWaiters(new StorageReadOnlyException("the WAL was abandoned"));

        // A committer that reserved before the crash may still be copying into the ring: leave it allocated (tests only).
        Close(freeRing: false);
    }

    private void Close(bool freeRing)
    {
        lock (_segmentLock)
        {
            _segments.Dispose();
        }

        if (freeRing)
        {
            NativeMemory.Free(_ringBase);
        }

        // _wake is deliberately not disposed: a committer that just published may still call Set() on it.
    }
}

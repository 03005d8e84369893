using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Storage.Pages;

namespace ThunderDb.Core.Storage.Buffers;

/// <summary>
/// Page frames in one native, page-aligned allocation of <c>buffer_pool_size</c> bytes (never GC memory).
/// A page is used by pinning it (<see cref="Pin"/>, which loads it on a miss), latching its frame shared or
/// exclusive, and unpinning it. Only unpinned frames can be evicted.
/// <para>Eviction is CLOCK-sweep: a hand walks the frames, clearing each frame's reference bit and taking the
/// first unpinned frame whose bit is already clear. A page touched once by a scan has its bit cleared on the
/// next pass and goes first, while pages hit repeatedly (the upper B+tree levels) keep getting their bit set
/// and survive; all that costs one byte store per hit and no list maintenance, unlike LRU.</para>
/// <para>Dirty victims are written back right away: with shadow paging a dirty page is always a copy no
/// durable meta page refers to, so stealing is safe at any time.</para>
/// <para>The hit path is lock free (a concurrent dictionary lookup and a CAS on the pin count). Misses take
/// the pool lock and do their I/O under it; on the two cores we target that keeps the code simple.</para>
/// </summary>
internal sealed unsafe class BufferPool : IDisposable
{
    public const ulong NoPage = ulong.MaxValue;
    private const int WriterWaiting = 1 << 30;
    private const int ExclusivelyHeld = -1;

    private readonly PageFile _file;
    private readonly int _pageSize;
    private readonly byte* _memory;
    private readonly Frame[] _frames;
    private readonly ConcurrentDictionary<ulong, int> _table;

    /// <summary>
    /// A direct-mapped guess in front of <see cref="_table"/>: frame + 1 per hashed page id, 0 for none. Plain
    /// array reads instead of a dictionary probe on every level of every descent. A guess is only returned when the
    /// frame's page id matches, and every use re-checks it anyway (pinning and optimistic reads both do), which is
    /// the same guarantee a dictionary result has: the frame may be evicted the moment after either lookup.
    /// </summary>
    private readonly int[] _hint;
    private readonly int _hintShift;
    private readonly Lock _missLock = new();
    private readonly StripedCounter _hits = new();
    private long _misses;
    private long _publishedHits;
    private long _publishedMisses;
    private int _clockHand;
    private bool _disposed;

    public BufferPool(PageFile file, long poolBytes)
    {
        _file = file;
        _pageSize = file.PageSize;
        var count = (int)Math.Clamp(poolBytes / _pageSize, MinFrames, int.MaxValue / 2);
        _frames = new Frame[count];
        // Not cleared: a frame is always filled from disk or zeroed when a new page is allocated into it,
        // so the pool's memory is only touched (and only becomes resident) as frames come into use.
        _memory = (byte*)NativeMemory.AlignedAlloc(((nuint)count * (nuint)_pageSize) + GuardBytes, 4096);
        for (var i = 0; i < count; i++)
        {
            _frames[i].PageId = NoPage;
        }

        _table = new ConcurrentDictionary<ulong, int>(Environment.ProcessorCount, count);
        var hintBits = Math.Max(6, BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(count, 1) * 2)));
        _hint = new int[1 << hintBits];
        _hintShift = 64 - hintBits;
        BufferPoolMetrics.Register(this);
    }

    /// <summary>
    /// Slack after the last frame so that an optimistic read of a page being overwritten, following any u16
    /// slot offset and u16 key length it finds (page + 2 * 64 KiB at most), stays inside the allocation.
    /// </summary>
    private const int GuardBytes = 3 * 65536;

    /// <summary>The deepest write path pins a root-to-leaf path plus siblings and new pages; keep room for readers too.</summary>
    public const int MinFrames = 64;

    public int FrameCount => _frames.Length;

    public long Hits => _hits.Sum();

    public long Misses => Volatile.Read(ref _misses);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* FramePointer(int frame) => _memory + ((nint)frame * _pageSize);

    /// <summary>Pins <paramref name="pageId"/>, reading it from disk (checksum verified) on a miss.</summary>
    public int Pin(ulong pageId)
    {
        if (TryFindFrame(pageId, out var frame) && TryPinFrame(frame, pageId))
        {
            _hits.Increment();
            return frame;
        }

        return PinSlow(pageId, load: true);
    }

    /// <summary>The frame caching <paramref name="pageId"/> right now: only a hint (not pinned, may change any time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFindFrame(ulong pageId, out int frame)
    {
        var slot = HintSlot(pageId);
        frame = Volatile.Read(ref _hint[slot]) - 1;
        if (frame >= 0 && Volatile.Read(ref _frames[frame].PageId) == pageId)
        {
            return true;
        }

        if (_table.TryGetValue(pageId, out frame))
        {
            Volatile.Write(ref _hint[slot], frame + 1);
            return true;
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int HintSlot(ulong pageId) => (int)((pageId * 0x9E3779B97F4A7C15UL) >> _hintShift);

    /// <summary>Counts page accesses served from the pool without <see cref="Pin"/> (optimistic reads), once per operation.</summary>
    public void CountHits(int hits) => _hits.Add(hits);

    /// <summary>
    /// Starts an optimistic read of <paramref name="frame"/>, taking no pin and no latch: false when it does not
    /// hold <paramref name="pageId"/>, is being loaded, or is latched exclusively. Whatever is read from the page
    /// afterwards may be torn and is only trusted once <see cref="ValidateOptimistic"/> returns true. The page
    /// memory stays mapped while the caller is inside the reader gate (the pool is freed only after it drains).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryBeginOptimistic(int frame, ulong pageId, out long version)
    {
        ref var f = ref _frames[frame];
        version = Volatile.Read(ref f.Version);

        // Loading a page bumps the version before the read overwrites the memory, and the pin count stays
        // -1 until the read finished: a version read during the load is caught here by the pin count.
        if (Volatile.Read(ref f.Pins) < 0 || Volatile.Read(ref f.Latch) == ExclusivelyHeld || Volatile.Read(ref f.PageId) != pageId)
        {
            return false;
        }

        if (f.Referenced == 0)
        {
            f.Referenced = 1;
        }

        return true;
    }

    /// <summary>
    /// True when the frame was neither latched exclusively nor reloaded since <see cref="TryBeginOptimistic"/>
    /// returned <paramref name="version"/>: everything read from it in between came from one consistent state.
    /// A writer holds the exclusive latch while it changes a page and bumps the version before releasing it;
    /// a load bumps it before overwriting the memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ValidateOptimistic(int frame, long version)
    {
        Volatile.ReadBarrier(); // the page reads above complete before the checks below
        ref var f = ref _frames[frame];
        return Volatile.Read(ref f.Latch) != ExclusivelyHeld && Volatile.Read(ref f.Version) == version;
    }

    /// <summary>Pins a frame for a newly allocated page: zeroed, not read, marked dirty.</summary>
    public int PinNew(ulong pageId) => PinSlow(pageId, load: false);

    /// <summary>Pins <paramref name="frame"/> only if it still holds <paramref name="pageId"/>.</summary>
    public bool TryPinFrame(int frame, ulong pageId)
    {
        ref var f = ref _frames[frame];
        while (true)
        {
            var pins = Volatile.Read(ref f.Pins);
            if (pins < 0)
            {
                return false; // being evicted or loaded
            }

            if (Interlocked.CompareExchange(ref f.Pins, pins + 1, pins) == pins)
            {
                break;
            }
        }

        if (Volatile.Read(ref f.PageId) != pageId)
        {
            Unpin(frame);
            return false;
        }

        if (f.Referenced == 0)
        {
            f.Referenced = 1;
        }

        return true;
    }

    public void Unpin(int frame)
    {
        var pins = Interlocked.Decrement(ref _frames[frame].Pins);
        Debug.Assert(pins >= 0);
    }

    public ulong PageIdOf(int frame) => Volatile.Read(ref _frames[frame].PageId);

    public long VersionOf(int frame) => Volatile.Read(ref _frames[frame].Version);

    public void MarkDirty(int frame)
    {
        Debug.Assert(_frames[frame].Pins > 0);
        _frames[frame].Dirty = 1;
    }

    private int PinSlow(ulong pageId, bool load)
    {
        lock (_missLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int frame;
            if (_table.TryGetValue(pageId, out var existing) && !load)
            {
                // A reused page id whose stale frame is still cached: recycle that frame for the new page.
                if (Interlocked.CompareExchange(ref _frames[existing].Pins, -1, 0) != 0)
                {
                    throw new InvalidOperationException($"page {pageId} is allocated while a stale copy of it is still pinned");
                }

                _table.TryRemove(pageId, out _);
                _frames[existing].Dirty = 0;
                Volatile.Write(ref _frames[existing].PageId, NoPage);
                frame = existing;
            }
            else if (load && _table.TryGetValue(pageId, out existing) && TryPinFrame(existing, pageId))
            {
                _hits.Increment();
                return existing;
            }
            else
            {
                frame = TakeVictim();
            }

            ref var f = ref _frames[frame];
            var pointer = FramePointer(frame);
            if (f.PageId != NoPage)
            {
                if (f.Dirty != 0)
                {
                    try
                    {
                        _file.WritePage(f.PageId, pointer);
                    }
                    catch
                    {
                        Volatile.Write(ref f.Pins, 0); // the victim stays cached and dirty
                        throw;
                    }

                    f.Dirty = 0;
                }

                _table.TryRemove(f.PageId, out _);
            }

            Volatile.Write(ref f.PageId, pageId);
            Interlocked.Increment(ref f.Version);
            if (load)
            {
                try
                {
                    _file.ReadPage(pageId, pointer);
                }
                catch
                {
                    Volatile.Write(ref f.PageId, NoPage);
                    Volatile.Write(ref f.Pins, 0);
                    throw;
                }

                Interlocked.Increment(ref _misses);
                if ((_misses & 1023) == 0)
                {
                    PublishMetrics();
                }
            }
            else
            {
                NativeMemory.Clear(pointer, (nuint)_pageSize);
                f.Dirty = 1;
            }

            f.Referenced = 1;
            Volatile.Write(ref f.Pins, 1);
            _table[pageId] = frame;
            Volatile.Write(ref _hint[HintSlot(pageId)], frame + 1);
            return frame;
        }
    }

    /// <summary>CLOCK sweep under the miss lock; the chosen frame is left with Pins = -1 so nobody can pin it.</summary>
    private int TakeVictim()
    {
        var n = _frames.Length;
        for (var step = 0; step < 3 * n; step++)
        {
            var i = _clockHand;
            _clockHand = i + 1 == n ? 0 : i + 1;
            ref var f = ref _frames[i];
            if (Volatile.Read(ref f.Pins) != 0)
            {
                continue;
            }

            if (f.Referenced != 0 && f.PageId != NoPage)
            {
                f.Referenced = 0;
                continue;
            }

            if (Interlocked.CompareExchange(ref f.Pins, -1, 0) == 0)
            {
                return i;
            }
        }

        throw new BufferPoolExhaustedException(
            $"all {n} buffer pool frames are pinned; storage.buffer_pool_size is too small for the current load");
    }

    /// <summary>
    /// Drops a freed page from the pool (its stale content must never be written back or read as live).
    /// A cursor may hold a short pin while it notices the page changed; wait for it, outside the miss
    /// lock (the pin holder may itself need that lock for an overflow page).
    /// </summary>
    public void Invalidate(ulong pageId)
    {
        var spin = new SpinWait();
        while (true)
        {
            lock (_missLock)
            {
                if (!_table.TryGetValue(pageId, out var frame))
                {
                    return;
                }

                ref var f = ref _frames[frame];
                if (Interlocked.CompareExchange(ref f.Pins, -1, 0) == 0)
                {
                    _table.TryRemove(pageId, out _);
                    f.Dirty = 0;
                    Volatile.Write(ref f.PageId, NoPage);
                    Interlocked.Increment(ref f.Version);
                    Volatile.Write(ref f.Pins, 0);
                    return;
                }
            }

            spin.SpinOnce();
        }
    }

    /// <summary>Forgets that a page is dirty (the writer freed it: its content will never be needed).</summary>
    public void DiscardIfCached(ulong pageId)
    {
        if (_table.TryGetValue(pageId, out var frame) && TryPinFrame(frame, pageId))
        {
            _frames[frame].Dirty = 0;
            Unpin(frame);
        }
    }

    /// <summary>Lists the frames that hold a dirty page now (a checkpoint's freeze, with writers kept out).</summary>
    public void CollectDirty(List<(int Frame, ulong PageId)> dirty)
    {
        for (var i = 0; i < _frames.Length; i++)
        {
            ref var f = ref _frames[i];
            if (Volatile.Read(ref f.Dirty) == 0)
            {
                continue;
            }

            var pageId = Volatile.Read(ref f.PageId);
            if (pageId != NoPage)
            {
                dirty.Add((i, pageId));
            }
        }
    }

    /// <summary>
    /// Writes the pages of <paramref name="frames"/> that are still cached there and dirty, and lists them in
    /// <paramref name="written"/>. Nobody may change these pages meanwhile (writers kept out, or the pages belong to
    /// a frozen checkpoint epoch), but they may be evicted: the eviction then writes them itself. The pages stay
    /// dirty: only <see cref="MarkClean"/>, once the data file's fdatasync succeeded, clears them, so a failed write or
    /// sync (the kernel may drop the page from its cache and report the error once) never leaves a page whose only
    /// current copy was lost marked clean.
    /// </summary>
    public void WriteBack(List<(int Frame, ulong PageId)> frames, List<(int Frame, ulong PageId)> written)
    {
        List<(int Frame, ulong PageId)>? inFlight = null;
        foreach (var (frame, pageId) in frames)
        {
            ref var f = ref _frames[frame];
            if (Volatile.Read(ref f.Dirty) != 0 && !TryWriteBack(frame, pageId, written))
            {
                (inFlight ??= []).Add((frame, pageId));
            }
        }

        // A frame being evicted is being written back right now, and that write may not have reached the file yet.
        // The checkpoint's fdatasync must come after it: wait until the eviction let go of the frame (it clears the
        // dirty flag after its write and changes the page id after that), and write the page ourselves if the
        // eviction's write failed and left it dirty.
        var spin = new SpinWait();
        while (inFlight is { Count: > 0 })
        {
            for (var k = inFlight.Count - 1; k >= 0; k--)
            {
                var (frame, pageId) = inFlight[k];
                ref var f = ref _frames[frame];
                if (Volatile.Read(ref f.PageId) != pageId || Volatile.Read(ref f.Dirty) == 0 || TryWriteBack(frame, pageId, written))
                {
                    inFlight.RemoveAt(k);
                }
            }

            if (inFlight.Count > 0)
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>Writes the frame's page if it can pin it (true); false while someone holds it with Pins = -1 (evicting or loading).</summary>
    private bool TryWriteBack(int frame, ulong pageId, List<(int Frame, ulong PageId)> written)
    {
        if (!TryPinFrame(frame, pageId))
        {
            return Volatile.Read(ref _frames[frame].PageId) != pageId; // re-used for another page: the old one was written first
        }

        try
        {
            if (_frames[frame].Dirty != 0)
            {
                _file.WritePage(pageId, FramePointer(frame));
                written.Add((frame, pageId));
            }
        }
        finally
        {
            Unpin(frame);
        }

        return true;
    }

    /// <summary>After the fdatasync that made them durable: clears the dirty flag of frames <see cref="WriteBack"/> wrote, if they still hold that page.</summary>
    public void MarkClean(List<(int Frame, ulong PageId)> written)
    {
        lock (_missLock) // no eviction is rewriting the frames meanwhile
        {
            foreach (var (frame, pageId) in written)
            {
                if (Volatile.Read(ref _frames[frame].PageId) == pageId)
                {
                    _frames[frame].Dirty = 0;
                }
            }
        }
    }

    // ---- per-frame reader/writer latch ------------------------------------------------------------------
    // State: >= 0 readers (plus the WriterWaiting bit while a writer waits, which keeps new readers out so
    // a stream of readers cannot starve the single writer); -1 held exclusively.

    public void LatchShared(int frame)
    {
        ref var latch = ref _frames[frame].Latch;
        var spin = new SpinWait();
        while (true)
        {
            var state = Volatile.Read(ref latch);
            if (state >= 0 && (state & WriterWaiting) == 0 && Interlocked.CompareExchange(ref latch, state + 1, state) == state)
            {
                return;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    public void UnlatchShared(int frame)
    {
        var state = Interlocked.Decrement(ref _frames[frame].Latch);
        Debug.Assert(state >= 0 && (state & ~WriterWaiting) >= 0);
    }

    public void LatchExclusive(int frame)
    {
        ref var latch = ref _frames[frame].Latch;
        Interlocked.Or(ref latch, WriterWaiting);
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref latch, ExclusivelyHeld, WriterWaiting) != WriterWaiting)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Releases the exclusive latch and bumps the frame version, telling cursors the page may have changed.</summary>
    public void UnlatchExclusive(int frame)
    {
        ref var f = ref _frames[frame];
        Debug.Assert(f.Latch == ExclusivelyHeld);
        Interlocked.Increment(ref f.Version);
        Volatile.Write(ref f.Latch, 0);
    }

    // ---- metrics -----------------------------------------------------------------------------------------

    /// <summary>Pushes hit/miss deltas and the hit ratio to the Prometheus registry (on scrape, every 1024 misses, at checkpoint).</summary>
    public void PublishMetrics()
    {
        lock (_hits)
        {
            var hits = Hits;
            var misses = Misses;
            ThunderMetrics.BufferPoolHitsTotal.Inc(hits - _publishedHits);
            ThunderMetrics.BufferPoolMissesTotal.Inc(misses - _publishedMisses);
            _publishedHits = hits;
            _publishedMisses = misses;
            if (hits + misses > 0)
            {
                ThunderMetrics.BufferPoolHitRatio.Set((double)hits / (hits + misses));
            }
        }
    }

    public void Dispose()
    {
        lock (_missLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        PublishMetrics();
        BufferPoolMetrics.Unregister(this);
        NativeMemory.AlignedFree(_memory);
    }

    /// <summary>Frame bookkeeping, padded to a cache line so frames do not false-share.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Frame
    {
        [FieldOffset(0)] public ulong PageId;
        [FieldOffset(8)] public long Version;
        [FieldOffset(16)] public int Pins;
        [FieldOffset(20)] public int Latch;
        [FieldOffset(24)] public int Dirty;
        [FieldOffset(28)] public int Referenced;
    }
}

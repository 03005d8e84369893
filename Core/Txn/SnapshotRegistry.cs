namespace ThunderDb.Core.Txn;

/// <summary>
/// The snapshots of the open transactions, as one cache-line-padded slot per open transaction, so that
/// beginning and ending a transaction is one atomic write to a line that (with recycled transactions) only
/// its own session touches, instead of a global lock around a hash set (profiled at ~12% of a RESP GET).
/// A transaction keeps the index of its last slot and tries it first when it begins again.
/// <para>
/// <b>The invariant.</b> <see cref="Horizon"/> never returns a timestamp above the snapshot of a transaction
/// that is open or being opened, so vacuum and pruning never remove a version a reader may still need.
/// Why it holds:
/// <list type="number">
/// <item><see cref="Enter"/> publishes a candidate c (a read of visibleTs) in a free slot with a
/// compare-exchange (a full fence), then reads visibleTs again as the snapshot s, and c ≤ s (visibleTs only
/// grows). The slot holds c, then s: never more than the snapshot, and never empty while the transaction is open.</item>
/// <item><see cref="Horizon"/> reads visibleTs as h, fences, then reads every slot and returns the minimum.</item>
/// <item>If the horizon scan read a slot after its publication, it returns at most c ≤ s. If it read the slot
/// before the publication, then (fences on both sides: store slot; fence; load visibleTs against
/// load visibleTs; fence; load slot) the horizon's load of visibleTs comes before the beginner's second load,
/// so h ≤ s because visibleTs only grows. Either way the result is ≤ s.</item>
/// <item>A read-committed statement only raises its own occupied slot (<see cref="Raise"/>); a horizon
/// reading the old value returns less than the new snapshot. The slot never rises above the snapshot of the
/// transaction's first write: commit checks that write against every version committed since that snapshot, so
/// vacuum must keep them (a tombstone removed early would hide a concurrent delete from the check).</item>
/// <item>The slot storage only grows, in segments that never move, published before any slot in them is used
/// (the growth is ordered before the publication by the same compare-exchange), so a scan that misses a
/// segment or a high-water increment also missed the slot's publication and falls under case 3.</item>
/// </list>
/// A returned horizon may be lower than an earlier one (a beginner's candidate read before the earlier scan):
/// that is only conservative.
/// </para>
/// </summary>
internal sealed class SnapshotRegistry
{
    private const ulong Free = ulong.MaxValue;
    private const int Stride = 8; // 8 ulongs = one 64-byte cache line per slot: concurrent sessions do not false-share
    private const int SegmentShift = 6;
    private const int SegmentSlots = 1 << SegmentShift;
    private const int MaxSegments = 4096; // 262,144 transactions open at once

    private readonly ulong[]?[] _segments = new ulong[]?[MaxSegments];
    private int _highWater; // slot indexes handed out so far are below this

    /// <summary>
    /// Publishes a snapshot for a transaction being opened and returns it (the current visible timestamp read
    /// by <paramref name="visibleTs"/>). <paramref name="slot"/> is the transaction's last slot (-1: none), which
    /// is tried first; on return it is the slot now held.
    /// </summary>
    public ulong Enter(ref int slot, ref ulong visibleTs)
    {
        var candidate = Volatile.Read(ref visibleTs);
        if (slot < 0 || !TryClaim(slot, candidate))
        {
            slot = ClaimFreeSlot(candidate);
        }

        // The claim was a full fence: this read comes after the publication (see the class comment).
        var snapshot = Volatile.Read(ref visibleTs);
        if (snapshot != candidate)
        {
            Volatile.Write(ref Cell(slot), snapshot);
        }

        return snapshot;
    }

    /// <summary>
    /// Moves an open transaction's snapshot forward (read committed: a new snapshot per statement) and returns it.
    /// The slot itself rises no higher than <paramref name="holdAt"/> (the snapshot of the transaction's first write,
    /// <see cref="ulong.MaxValue"/> when it wrote nothing), so the horizon keeps what its commit check will read.
    /// </summary>
    public ulong Raise(int slot, ref ulong visibleTs, ulong holdAt = ulong.MaxValue)
    {
        var snapshot = Volatile.Read(ref visibleTs);
        Volatile.Write(ref Cell(slot), Math.Min(snapshot, holdAt));
        return snapshot;
    }

    /// <summary>Ends the transaction holding <paramref name="slot"/>; the slot is free for the next one.</summary>
    public void Exit(int slot) => Volatile.Write(ref Cell(slot), Free);

    /// <summary>The oldest snapshot any open (or opening) transaction reads at, or the visible timestamp when none is older.</summary>
    public ulong Horizon(ref ulong visibleTs)
    {
        var horizon = Volatile.Read(ref visibleTs);
        Interlocked.MemoryBarrier();
        var segments = Math.Min(MaxSegments, (Volatile.Read(ref _highWater) + SegmentSlots - 1) >> SegmentShift);
        for (var s = 0; s < segments; s++)
        {
            var segment = Volatile.Read(ref _segments[s]);
            if (segment is null)
            {
                continue;
            }

            for (var i = 0; i < segment.Length; i += Stride)
            {
                var snapshot = Volatile.Read(ref segment[i]);
                if (snapshot < horizon)
                {
                    horizon = snapshot;
                }
            }
        }

        return horizon;
    }

    /// <summary>Slots held right now (tests and admin; a moment's count, not synchronized with beginners).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var segment in _segments)
            {
                if (segment is null)
                {
                    continue; // segments are published in claim order, not index order
                }

                for (var i = 0; i < segment.Length; i += Stride)
                {
                    if (Volatile.Read(ref segment[i]) != Free)
                    {
                        count++;
                    }
                }
            }

            return count;
        }
    }

    private ref ulong Cell(int slot) => ref _segments[slot >> SegmentShift]![(slot & (SegmentSlots - 1)) * Stride];

    private bool TryClaim(int slot, ulong snapshot)
    {
        ref var cell = ref Cell(slot);
        return Volatile.Read(ref cell) == Free && Interlocked.CompareExchange(ref cell, snapshot, Free) == Free;
    }

    /// <summary>
    /// A transaction without a slot (new, or its old one was taken): the lowest free slot, so the slots in use stay
    /// dense and a horizon scan short; past the high-water mark, a new one.
    /// </summary>
    private int ClaimFreeSlot(ulong snapshot)
    {
        var high = Math.Min(Volatile.Read(ref _highWater), MaxSegments * SegmentSlots);
        for (var slot = 0; slot < high; slot++)
        {
            if (Volatile.Read(ref _segments[slot >> SegmentShift]) is not null && TryClaim(slot, snapshot))
            {
                return slot;
            }
        }

        while (true)
        {
            var slot = Interlocked.Increment(ref _highWater) - 1;
            if (slot >= MaxSegments * SegmentSlots)
            {
                throw new InvalidOperationException($"too many open transactions (more than {MaxSegments * SegmentSlots})");
            }

            EnsureSegment(slot >> SegmentShift);
            if (TryClaim(slot, snapshot))
            {
                return slot;
            }
        }
    }

    private void EnsureSegment(int index)
    {
        if (Volatile.Read(ref _segments[index]) is null)
        {
            var segment = new ulong[SegmentSlots * Stride];
            Array.Fill(segment, Free);
            Interlocked.CompareExchange(ref _segments[index], segment, null);
        }
    }
}

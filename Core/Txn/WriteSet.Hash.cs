using System.Runtime.CompilerServices;

namespace ThunderDb.Core.Txn;

/// <summary>
/// The hash table for keys that fit no run (WriteSet.Run.cs): chained buckets over an array of slots, like
/// <see cref="Dictionary{TKey, TValue}"/>, but the slots hold slab slices and no managed reference, so the GC never
/// scans or copies them, and the bucket comes from the key's <see cref="KeyHash.Hash64"/> that the entry keeps anyway
/// (one hash per write). Slots are used in insertion order until a key is removed (a savepoint rollback), after which
/// freed slots are reused first.
/// </summary>
internal sealed partial class WriteSet
{
    private struct HashSlot
    {
        public SlabSpan Key;
        public Entry Entry;

        /// <summary>The next slot in the bucket's chain (-1: end); for a free slot, the next free one.</summary>
        public int Next;

        public bool Free;
    }

    private int[] _buckets = new int[16]; // slot index + 1; 0 = empty bucket
    private HashSlot[] _slots = new HashSlot[16];
    private int _slotCount; // slots in use or freed, from the start
    private int _freeList = -1;
    private int _freeCount;

    private int HashedCount => _slotCount - _freeCount;

    private static int BucketOf(ulong hash, int bucketCount) => (int)((uint)(hash ^ (hash >> 32)) & (uint)(bucketCount - 1));

    /// <summary>The slot holding <paramref name="key"/>, or -1.</summary>
    private int FindHashed(ReadOnlySpan<byte> key, ulong hash)
    {
        if (HashedCount == 0)
        {
            return -1;
        }

        for (var i = _buckets[BucketOf(hash, _buckets.Length)] - 1; i >= 0; i = _slots[i].Next)
        {
            ref var slot = ref _slots[i];
            if (slot.Entry.Hash == hash && key.SequenceEqual(slot.Key.Span))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A new slot for <paramref name="key"/> (not in the table), its entry zeroed but for the hash.</summary>
    private int AddHashed(SlabSpan key, ulong hash)
    {
        int index;
        if (_freeList >= 0)
        {
            index = _freeList;
            _freeList = _slots[index].Next;
            _freeCount--;
        }
        else
        {
            if (_slotCount == _slots.Length)
            {
                GrowHashed();
            }

            index = _slotCount++;
        }

        ref var bucket = ref _buckets[BucketOf(hash, _buckets.Length)];
        _slots[index] = new HashSlot { Key = key, Entry = new Entry { Hash = hash }, Next = bucket - 1 };
        bucket = index + 1;
        return index;
    }

    private void GrowHashed()
    {
        var size = _slots.Length * 2;
        Array.Resize(ref _slots, size);
        _buckets = new int[size];
        for (var i = 0; i < _slotCount; i++)
        {
            if (!_slots[i].Free)
            {
                ref var bucket = ref _buckets[BucketOf(_slots[i].Entry.Hash, size)];
                _slots[i].Next = bucket - 1;
                bucket = i + 1;
            }
        }
    }

    private void RemoveHashed(ReadOnlySpan<byte> key)
    {
        var hash = KeyHash.Hash64(key);
        ref var bucket = ref _buckets[BucketOf(hash, _buckets.Length)];
        var previous = -1;
        for (var i = bucket - 1; i >= 0; previous = i, i = _slots[i].Next)
        {
            ref var slot = ref _slots[i];
            if (slot.Entry.Hash != hash || !key.SequenceEqual(slot.Key.Span))
            {
                continue;
            }

            if (previous < 0)
            {
                bucket = slot.Next + 1;
            }
            else
            {
                _slots[previous].Next = slot.Next;
            }

            slot = new HashSlot { Free = true, Next = _freeList };
            _freeList = i;
            _freeCount++;
            return;
        }
    }

    /// <summary>The hashed keys from slot <paramref name="from"/> on, in slot order (insertion order while nothing was removed).</summary>
    private SlabSpan[] HashedKeys(int from)
    {
        var keys = new SlabSpan[HashedCount - from];
        var at = 0;
        for (var i = from; i < _slotCount; i++)
        {
            if (!_slots[i].Free)
            {
                keys[at++] = _slots[i].Key;
            }
        }

        return keys;
    }

    /// <summary>The entry of <paramref name="key"/>, in the table or a run (a null ref when absent).</summary>
    private ref Entry FindRef(ReadOnlySpan<byte> key)
    {
        var slot = FindHashed(key, KeyHash.Hash64(key));
        if (slot >= 0)
        {
            return ref _slots[slot].Entry;
        }

        var run = FindInRun(key, out var index);
        if (run is null)
        {
            return ref Unsafe.NullRef<Entry>();
        }

        return ref run.Entries[index];
    }

    private void ClearHashed()
    {
        if (_slotCount == 0)
        {
            return;
        }

        // A reused transaction keeps its table; one that grew big (a large MULTI) gives the memory back.
        if (_slots.Length > 1024)
        {
            _slots = new HashSlot[16];
            _buckets = new int[16];
        }
        else
        {
            Array.Clear(_buckets);
        }

        _slotCount = 0;
        _freeList = -1;
        _freeCount = 0;
    }
}

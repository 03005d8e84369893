using ThunderDb.Core.Keys;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>
/// List storage: elements live at sortable 64-bit slots between the metadata's head (first) and tail (one past the
/// last), so pushes and pops at either end touch one record; inserts and removals in the middle renumber. Every slot
/// key is built here; callers address elements by list index.
/// </summary>
public static partial class RedisLists
{
    private static ReadOnlySpan<byte> Slot(Span<byte> buffer, long slot)
    {
        KeyCodec.WriteInt64(buffer, slot);
        return buffer[..8];
    }

    /// <summary>The slot of list index <paramref name="index"/> (negative = from the tail); false when out of range.</summary>
    public static bool TryResolveIndex(in KeyMeta meta, long index, out long slot)
    {
        if (index < 0)
        {
            index += meta.Count;
        }

        slot = meta.Head + index;
        return index >= 0 && index < meta.Count;
    }

    /// <summary>Adds one element at an end; the caller writes the metadata once after its pushes.</summary>
    public static void Push(RedisKeyspace ks, ReadOnlySpan<byte> key, ref KeyMeta meta, bool left, ReadOnlySpan<byte> value)
    {
        Span<byte> slot = stackalloc byte[8];
        meta.Type = RedisType.List;
        if (left)
        {
            meta.Head--;
            ks.PutElement(key, Slot(slot, meta.Head), default, value);
        }
        else
        {
            ks.PutElement(key, Slot(slot, meta.Tail), default, value);
            meta.Tail++;
        }

        meta.Count = meta.Tail - meta.Head;
    }

    /// <summary>Removes the element at one end and saves the metadata (an emptied list is deleted); the value stays valid until the next element read.</summary>
    public static bool Pop(RedisKeyspace ks, ReadOnlySpan<byte> key, ref KeyMeta meta, bool left, out ReadOnlySpan<byte> value)
    {
        Span<byte> slot = stackalloc byte[8];
        long at = left ? meta.Head : meta.Tail - 1;
        bool found = ks.TryGetElement(key, Slot(slot, at), default, out value);
        ks.DeleteElement(key, Slot(slot, at));
        if (left)
        {
            meta.Head++;
        }
        else
        {
            meta.Tail--;
        }

        meta.Count = meta.Tail - meta.Head;
        ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        return found;
    }

    /// <summary>The element at an end without removing it.</summary>
    public static bool Peek(RedisKeyspace ks, ReadOnlySpan<byte> key, in KeyMeta meta, bool left, out ReadOnlySpan<byte> value)
    {
        Span<byte> slot = stackalloc byte[8];
        return ks.TryGetElement(key, Slot(slot, left ? meta.Head : meta.Tail - 1), default, out value);
    }

    /// <summary>LINDEX: the element at a list index.</summary>
    public static bool TryGet(RedisKeyspace ks, ReadOnlySpan<byte> key, in KeyMeta meta, long index, out ReadOnlySpan<byte> value)
    {
        value = default;
        Span<byte> slot = stackalloc byte[8];
        return TryResolveIndex(meta, index, out long at) && ks.TryGetElement(key, Slot(slot, at), default, out value);
    }

    /// <summary>LSET: replaces the element at a list index; false when the index is out of range.</summary>
    public static bool Set(RedisKeyspace ks, ReadOnlySpan<byte> key, in KeyMeta meta, long index, ReadOnlySpan<byte> value)
    {
        if (!TryResolveIndex(meta, index, out long at))
        {
            return false;
        }

        Span<byte> slot = stackalloc byte[8];
        ks.PutElement(key, Slot(slot, at), default, value);
        ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs); // touches the key for WATCH
        return true;
    }

    /// <summary>The elements from list index <paramref name="from"/> to <paramref name="to"/> (inclusive, already normalized) in order.</summary>
    public static IKvCursor OpenRange(RedisKeyspace ks, ReadOnlySpan<byte> key, in KeyMeta meta, long from, long to)
    {
        Span<byte> start = stackalloc byte[8];
        Span<byte> end = stackalloc byte[8];
        return ks.ScanElements(key, Slot(start, meta.Head + from), Slot(end, meta.Head + to + 1));
    }

    /// <summary>LTRIM: keeps list indexes [<paramref name="from"/>, <paramref name="to"/>] (normalized; from &gt; to empties the list).</summary>
    public static void Trim(RedisKeyspace ks, ReadOnlySpan<byte> key, ref KeyMeta meta, long from, long to)
    {
        Span<byte> slot = stackalloc byte[8];
        long keepFrom = meta.Head + from, keepTo = meta.Head + to; // inclusive
        for (long i = meta.Head; i < meta.Tail; i++)
        {
            if (from > to || i < keepFrom || i > keepTo)
            {
                ks.DeleteElement(key, Slot(slot, i));
            }
        }

        if (from > to || from >= meta.Count)
        {
            meta.Count = 0;
        }
        else
        {
            meta.Head = keepFrom;
            meta.Tail = keepTo + 1;
            meta.Count = meta.Tail - meta.Head;
        }

        ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
    }

    /// <summary>Every element, in order (copies).</summary>
    public static List<byte[]> Items(RedisKeyspace ks, ReadOnlySpan<byte> key)
    {
        var items = new List<byte[]>();
        using IKvCursor cursor = ks.ScanElements(key, default, default);
        while (cursor.MoveNext())
        {
            items.Add(cursor.Value.ToArray());
        }

        return items;
    }

    /// <summary>Replaces the list with <paramref name="items"/> at slots 0..n-1 (after a middle insert or removal) and saves the metadata.</summary>
    public static void Rewrite(RedisKeyspace ks, ReadOnlySpan<byte> key, ref KeyMeta meta, List<byte[]> items)
    {
        Span<byte> slot = stackalloc byte[8];
        ks.DeleteElements(key);
        for (int i = 0; i < items.Count; i++)
        {
            ks.PutElement(key, Slot(slot, i), default, items[i]);
        }

        meta.Head = 0;
        meta.Tail = items.Count;
        meta.Count = items.Count;
        ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using ThunderDb.Core.Storage.Pages;

namespace ThunderDb.Core.Storage.BTree;

/// <summary>
/// A B+tree node (branch or leaf) read and written in place in a buffer-pool frame: the
/// <see cref="PageHeader"/>, then an array of u16 slot offsets growing up from the header, and cells growing
/// down from the end of the page. Slots are kept in key order; cells are in any order.
/// <para>Leaf cell: u16 key length, u8 flags, u32 value length, key, value (inline bytes, or an
/// <see cref="OverflowRef"/> when <see cref="LeafCellFlags.Overflow"/> is set).</para>
/// <para>Branch cell: u16 key length, u64 child page id, key. Child i holds keys in [key i, key i+1); the
/// key of cell 0 is empty and stands for minus infinity.</para>
/// </summary>
internal readonly unsafe struct NodePage
{
    public const int LeafCellHeader = 7;
    public const int BranchCellHeader = 10;
    public const int SlotSize = 2;

    private readonly byte* _page;
    private readonly int _pageSize;

    public NodePage(byte* page, int pageSize)
    {
        _page = page;
        _pageSize = pageSize;
    }

    public byte* Pointer => _page;

    public PageHeader* Header => (PageHeader*)_page;

    public bool IsLeaf => Header->Type == PageType.Leaf;

    public int Count => Header->ItemCount;

    public int Usable => _pageSize - PageHeader.Size;

    public int ContiguousFree => (int)(Header->Upper - Header->Lower);

    /// <summary>The largest cell (plus its slot) a node accepts; a quarter of the usable space so a split always fits.</summary>
    public static int MaxCellSize(int pageSize) => ((pageSize - PageHeader.Size) / 4) - SlotSize;

    public void Init(PageType type, ulong pageId, ulong epoch)
    {
        Debug.Assert(type is PageType.Leaf or PageType.Branch);
        new Span<byte>(_page, PageHeader.Size).Clear();
        Header->PageId = pageId;
        Header->Epoch = epoch;
        Header->Type = type;
        Header->Lower = PageHeader.Size;
        Header->Upper = (uint)_pageSize;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int CellOffset(int index)
    {
        Debug.Assert((uint)index < (uint)Count);
        int offset = ((ushort*)(_page + PageHeader.Size))[index];
        Debug.Assert(offset >= Header->Upper && offset < _pageSize);
        return offset;
    }

    public ReadOnlySpan<byte> Key(int index)
    {
        var cell = _page + CellOffset(index);
        int keyLength = *(ushort*)cell;
        return new ReadOnlySpan<byte>(cell + (IsLeaf ? LeafCellHeader : BranchCellHeader), keyLength);
    }

    public LeafCellFlags LeafFlags(int index)
    {
        Debug.Assert(IsLeaf);
        return (LeafCellFlags)_page[CellOffset(index) + 2];
    }

    /// <summary>The inline value bytes, or the encoded <see cref="OverflowRef"/> when the value is on overflow pages.</summary>
    public ReadOnlySpan<byte> LeafValue(int index)
    {
        Debug.Assert(IsLeaf);
        var cell = _page + CellOffset(index);
        int keyLength = *(ushort*)cell;
        var valueLength = *(int*)(cell + 3);
        return new ReadOnlySpan<byte>(cell + LeafCellHeader + keyLength, valueLength);
    }

    public ulong Child(int index)
    {
        Debug.Assert(!IsLeaf);
        return *(ulong*)(_page + CellOffset(index) + 2);
    }

    public void SetChild(int index, ulong child)
    {
        Debug.Assert(!IsLeaf && child >= 2);
        *(ulong*)(_page + CellOffset(index) + 2) = child;
    }

    public int CellSize(int index)
    {
        var cell = _page + CellOffset(index);
        int keyLength = *(ushort*)cell;
        return IsLeaf ? LeafCellHeader + keyLength + *(int*)(cell + 3) : BranchCellHeader + keyLength;
    }

    /// <summary>Bytes taken by live cells and their slots (O(1): the header tracks fragmentation).</summary>
    public int UsedBytes
    {
        get
        {
            var used = Usable - ContiguousFree - (int)Header->FragmentedBytes;
            Debug.Assert(used == CountUsedBytes(), "fragmentation accounting is off");
            return used;
        }
    }

    private int CountUsedBytes()
    {
        var used = Count * SlotSize;
        for (var i = 0; i < Count; i++)
        {
            used += CellSize(i);
        }

        return used;
    }

    /// <summary>Index of the first key &gt;= <paramref name="key"/> (Count when none); found when equal.</summary>
    public int LowerBound(ReadOnlySpan<byte> key, out bool found)
    {
        Debug.Assert(IsLeaf);
        fixed (byte* k = key)
        {
            return Search(k, key.Length, 0, out found);
        }
    }

    /// <summary>Index of the first key &gt; <paramref name="key"/> (Count when none).</summary>
    public int UpperBound(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            var index = Search(k, key.Length, IsLeaf ? 0 : 1, out var found);
            return found ? index + 1 : index;
        }
    }

    /// <summary>The child slot whose range holds <paramref name="key"/>: the last cell with key &lt;= it.</summary>
    public int ChildIndexFor(ReadOnlySpan<byte> key)
    {
        Debug.Assert(!IsLeaf && Count >= 1);
        return UpperBound(key) - 1;
    }

    /// <summary>The last child slot whose range holds keys strictly less than <paramref name="key"/>.</summary>
    public int ChildIndexBefore(ReadOnlySpan<byte> key)
    {
        Debug.Assert(!IsLeaf && Count >= 1);
        fixed (byte* k = key)
        {
            return Search(k, key.Length, 1, out _) - 1;
        }
    }

    /// <summary>
    /// Binary search of slots [<paramref name="lo"/>, Count): the slot holding <paramref name="key"/> (found),
    /// else the slot of the first larger key. Keys in a node are unique, so an equal probe ends the search.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Search(byte* key, int keyLength, int lo, out bool found)
    {
        var page = _page;
        var slots = (ushort*)(page + PageHeader.Size);
        var cellHeader = ((PageHeader*)page)->Type == PageType.Leaf ? LeafCellHeader : BranchCellHeader;
        int hi = ((PageHeader*)page)->ItemCount;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var cell = page + slots[mid];
            var order = KeyComparer.Compare(cell + cellHeader, *(ushort*)cell, key, keyLength);
            if (order < 0)
            {
                lo = mid + 1;
            }
            else if (order > 0)
            {
                hi = mid;
            }
            else
            {
                found = true;
                return mid;
            }
        }

        found = false;
        return lo;
    }

    // ---- reads without a latch (optimistic descent) ---------------------------------------------------------
    // The page may be changing underneath: no assertions, and every offset and length read is a u16, so the
    // pool's guard bytes keep each access inside its memory. Results are used only after version validation.

    /// <summary>The child slot to follow in a branch read without a latch.</summary>
    public int UnlatchedChildIndex(ReadOnlySpan<byte> key, ChildChoice choice)
    {
        switch (choice)
        {
            case ChildChoice.First:
                return 0;
            case ChildChoice.Last:
                return Math.Max(Count - 1, 0);
        }

        fixed (byte* k = key)
        {
            var index = Search(k, key.Length, 1, out var found);
            return choice == ChildChoice.Before || !found ? index - 1 : index;
        }
    }

    public ulong UnlatchedChild(int index) => *(ulong*)(_page + ((ushort*)(_page + PageHeader.Size))[index] + 2);

    public ReadOnlySpan<byte> UnlatchedBranchKey(int index)
    {
        var cell = _page + ((ushort*)(_page + PageHeader.Size))[index];
        return new ReadOnlySpan<byte>(cell + BranchCellHeader, *(ushort*)cell);
    }

    public static int LeafCellSize(int keyLength, int valueLength) => LeafCellHeader + keyLength + valueLength;

    public static int BranchCellSize(int keyLength) => BranchCellHeader + keyLength;

    /// <summary>True when a cell of <paramref name="cellSize"/> fits, possibly after <see cref="Compact"/>.</summary>
    public bool HasRoomFor(int cellSize) => Usable - UsedBytes >= cellSize + SlotSize;

    public void InsertLeaf(int index, ReadOnlySpan<byte> key, LeafCellFlags flags, ReadOnlySpan<byte> value, byte* scratch)
    {
        var cell = Reserve(index, LeafCellSize(key.Length, value.Length), scratch);
        *(ushort*)cell = (ushort)key.Length;
        cell[2] = (byte)flags;
        *(int*)(cell + 3) = value.Length;
        key.CopyTo(new Span<byte>(cell + LeafCellHeader, key.Length));
        value.CopyTo(new Span<byte>(cell + LeafCellHeader + key.Length, value.Length));
    }

    public void InsertBranch(int index, ReadOnlySpan<byte> key, ulong child, byte* scratch)
    {
        Debug.Assert(index > 0 || key.IsEmpty);
        var cell = Reserve(index, BranchCellSize(key.Length), scratch);
        *(ushort*)cell = (ushort)key.Length;
        *(ulong*)(cell + 2) = child;
        key.CopyTo(new Span<byte>(cell + BranchCellHeader, key.Length));
    }

    /// <summary>Makes room for a cell and a slot at <paramref name="index"/>; the caller checked <see cref="HasRoomFor"/>.</summary>
    private byte* Reserve(int index, int cellSize, byte* scratch)
    {
        Debug.Assert((uint)index <= (uint)Count);
        if (ContiguousFree < cellSize + SlotSize)
        {
            Compact(scratch);
        }

        Debug.Assert(ContiguousFree >= cellSize + SlotSize, "caller must check HasRoomFor");
        var slots = (ushort*)(_page + PageHeader.Size);
        var count = Count;
        Buffer.MemoryCopy(slots + index, slots + index + 1, (count - index) * SlotSize, (count - index) * SlotSize);
        Header->Upper -= (uint)cellSize;
        slots[index] = (ushort)Header->Upper;
        Header->ItemCount = (ushort)(count + 1);
        Header->Lower += SlotSize;
        return _page + Header->Upper;
    }

    /// <summary>Drops slot <paramref name="index"/>; its cell bytes become fragmentation until the next compaction.</summary>
    public void Remove(int index)
    {
        Debug.Assert((uint)index < (uint)Count);
        var slots = (ushort*)(_page + PageHeader.Size);
        var count = Count;
        var size = (uint)CellSize(index);
        if (CellOffset(index) == Header->Upper)
        {
            Header->Upper += size; // cheap reclaim of the lowest cell
        }
        else
        {
            Header->FragmentedBytes += size;
        }

        Buffer.MemoryCopy(slots + index + 1, slots + index, (count - index - 1) * SlotSize, (count - index - 1) * SlotSize);
        Header->ItemCount = (ushort)(count - 1);
        Header->Lower -= SlotSize;
        if (count == 1)
        {
            Header->Upper = (uint)_pageSize;
            Header->FragmentedBytes = 0;
        }
    }

    /// <summary>Rewrites the cells contiguously at the end of the page, squeezing out deleted cells.</summary>
    public void Compact(byte* scratch)
    {
        Buffer.MemoryCopy(_page, scratch, _pageSize, _pageSize);
        var source = new NodePage(scratch, _pageSize);
        var slots = (ushort*)(_page + PageHeader.Size);
        var upper = _pageSize;
        for (var i = 0; i < Count; i++)
        {
            var size = source.CellSize(i);
            upper -= size;
            Buffer.MemoryCopy(scratch + source.CellOffset(i), _page + upper, size, size);
            slots[i] = (ushort)upper;
        }

        Header->Upper = (uint)upper;
        Header->FragmentedBytes = 0;
        Debug.Assert(Header->Upper >= Header->Lower);
    }

    /// <summary>Appends the raw cell <paramref name="index"/> of <paramref name="source"/> at the end of this node.</summary>
    public void AppendCellFrom(NodePage source, int index, byte* scratch)
    {
        Debug.Assert(source.IsLeaf == IsLeaf);
        var size = source.CellSize(index);
        var cell = Reserve(Count, size, scratch);
        Buffer.MemoryCopy(source._page + source.CellOffset(index), cell, size, size);
    }

    /// <summary>Keeps the first <paramref name="count"/> cells.</summary>
    public void Truncate(int count, byte* scratch)
    {
        Debug.Assert(count <= Count);
        Header->ItemCount = (ushort)count;
        Header->Lower = (uint)(PageHeader.Size + (count * SlotSize));
        Compact(scratch);
    }

    /// <summary>Copies cells [from, Count) of this node to the end of <paramref name="target"/>, then truncates this node to <paramref name="from"/> cells.</summary>
    public void MoveTailTo(NodePage target, int from, byte* scratch)
    {
        for (var i = from; i < Count; i++)
        {
            target.AppendCellFrom(this, i, scratch);
        }

        Truncate(from, scratch);
    }
}

/// <summary>Which child a descent follows in a branch.</summary>
internal enum ChildChoice : byte
{
    /// <summary>The child whose range holds the key (<see cref="NodePage.ChildIndexFor"/>).</summary>
    Covering,

    /// <summary>The last child holding keys strictly less than the key (<see cref="NodePage.ChildIndexBefore"/>).</summary>
    Before,

    First,
    Last,
}

/// <summary>Which separator next to the chosen child a cursor keeps, to step to the neighbouring leaf.</summary>
internal enum FenceSide : byte
{
    None,

    /// <summary>The key of the next cell (lower bound of the right neighbour).</summary>
    Right,

    /// <summary>The key of the chosen cell (lower bound of this subtree, above everything on the left).</summary>
    Left,
}

[Flags]
internal enum LeafCellFlags : byte
{
    None = 0,

    /// <summary>The value lives on overflow pages; the cell holds an <see cref="OverflowRef"/>.</summary>
    Overflow = 1,
}

/// <summary>Where a large value lives: first overflow page, stored (maybe compressed) length, original length, codec.</summary>
internal readonly record struct OverflowRef(ulong FirstPage, int StoredLength, int RawLength, byte Codec)
{
    public const int Size = 17;
    public const byte CodecNone = 0;
    public const byte CodecLz4 = 1;
    public const byte CodecZstd = 2;

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, FirstPage);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], StoredLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], RawLength);
        destination[16] = Codec;
    }

    public static OverflowRef Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(source),
        BinaryPrimitives.ReadInt32LittleEndian(source[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(source[12..]),
        source[16]);
}

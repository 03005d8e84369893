using System.Runtime.InteropServices;

namespace ThunderDb.Core.Storage.Pages;

public enum PageType : byte
{
    Free = 0,
    Meta = 1,
    Branch = 2,
    Leaf = 3,
    Overflow = 4,
    FreeList = 5,
}

/// <summary>
/// The fixed 64-byte header at the start of every page, read in place through a pointer into a buffer-pool
/// frame (never copied into a managed object). Multi-byte fields are little-endian (the host order on the
/// x86-64 and arm64 targets we build for).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct PageHeader
{
    public const int Size = 64;

    /// <summary>Offset of <see cref="Checksum"/>; the CRC covers the page with these 4 bytes skipped.</summary>
    public const int ChecksumOffset = 16;

    /// <summary>The page's own id: a page read back from another offset is caught as corruption.</summary>
    [FieldOffset(0)] public ulong PageId;

    /// <summary>
    /// The checkpoint epoch the page was written in (our page LSN). A page whose epoch is older than the
    /// current one is reachable from the durable meta page and is copied before it is modified.
    /// </summary>
    [FieldOffset(8)] public ulong Epoch;

    [FieldOffset(16)] public uint Checksum;

    [FieldOffset(20)] public PageType Type;

    [FieldOffset(21)] public byte Flags;

    /// <summary>Slots in a B+tree node; ids in a free-list page.</summary>
    [FieldOffset(22)] public ushort ItemCount;

    /// <summary>End of the slot array (B+tree nodes).</summary>
    [FieldOffset(24)] public uint Lower;

    /// <summary>Start of the cell area, which grows down from the end of the page (B+tree nodes).</summary>
    [FieldOffset(28)] public uint Upper;

    /// <summary>Next page of an overflow or free-list chain; 0 = end.</summary>
    [FieldOffset(32)] public ulong Next;

    /// <summary>Overflow: payload bytes on this page.</summary>
    [FieldOffset(40)] public ulong PayloadLength;

    /// <summary>B+tree nodes: bytes of removed cells not yet squeezed out by compaction, so free space is O(1).</summary>
    [FieldOffset(48)] public uint FragmentedBytes;
}

/// <summary>Page checksums: CRC32C over the whole page with the checksum field itself skipped.</summary>
internal static unsafe class PageChecksum
{
    public static uint Compute(byte* page, int pageSize)
    {
        var state = Crc32C.Append(~0u, new ReadOnlySpan<byte>(page, PageHeader.ChecksumOffset));
        var rest = PageHeader.ChecksumOffset + sizeof(uint);
        state = Crc32C.Append(state, new ReadOnlySpan<byte>(page + rest, pageSize - rest));
        return ~state;
    }

    public static void Seal(byte* page, int pageSize) => ((PageHeader*)page)->Checksum = Compute(page, pageSize);

    public static bool Verify(byte* page, int pageSize) => ((PageHeader*)page)->Checksum == Compute(page, pageSize);
}

using K4os.Compression.LZ4;
using ThunderDb.Core.Storage.Pages;
using ThunderDb.Io.Buffers;
using ZstdSharp;

namespace ThunderDb.Core.Storage.BTree;

/// <summary>
/// Values too big to sit in a leaf cell (cell larger than a quarter of a page) go to a chain of overflow
/// pages; the leaf keeps an <see cref="OverflowRef"/>. With <c>storage.compression</c> on, such values are
/// compressed first (LZ4 or Zstd) and stored compressed when that is smaller. Overflow pages are written
/// once and never modified: an update writes a new chain and frees the old one.
/// </summary>
public sealed unsafe partial class BTreeStore
{
    [ThreadStatic]
    private static Decompressor? t_zstdDecompressor;

    private Compressor? _zstdCompressor;

    private int OverflowPayload => _pageSize - PageHeader.Size;

    internal static int ValueLength(NodePage node, int index)
    {
        var stored = node.LeafValue(index);
        return (node.LeafFlags(index) & LeafCellFlags.Overflow) != 0 ? OverflowRef.Read(stored).RawLength : stored.Length;
    }

    /// <summary>Copies the value of leaf cell <paramref name="index"/> into <paramref name="destination"/> (exactly its length).</summary>
    internal void CopyValue(NodePage node, int index, Span<byte> destination)
    {
        var stored = node.LeafValue(index);
        if ((node.LeafFlags(index) & LeafCellFlags.Overflow) == 0)
        {
            stored.CopyTo(destination);
            return;
        }

        ReadOverflow(OverflowRef.Read(stored), destination);
    }

    private void ReadOverflow(OverflowRef reference, Span<byte> destination)
    {
        if (reference.Codec == OverflowRef.CodecNone)
        {
            ReadChain(reference.FirstPage, destination[..reference.StoredLength]);
            return;
        }

        var compressed = LargeBuffers.Rent(reference.StoredLength);
        try
        {
            var source = compressed.AsSpan(0, reference.StoredLength);
            ReadChain(reference.FirstPage, source);
            var decoded = reference.Codec switch
            {
                OverflowRef.CodecLz4 => LZ4Codec.Decode(source, destination),
                OverflowRef.CodecZstd => (t_zstdDecompressor ??= new Decompressor()).Unwrap(source, destination),
                _ => -1,
            };

            if (decoded != reference.RawLength)
            {
                throw new PageCorruptedException(_pager.FilePath, reference.FirstPage,
                    $"compressed value (codec {reference.Codec}) decoded to {decoded} bytes, expected {reference.RawLength}");
            }
        }
        finally
        {
            LargeBuffers.Return(compressed);
        }
    }

    private void ReadChain(ulong page, Span<byte> destination)
    {
        var done = 0;
        while (done < destination.Length)
        {
            if (page == 0)
            {
                throw new PageCorruptedException(_pager.FilePath, page, "overflow chain ends before the value does");
            }

            var frame = _pool.Pin(page);
            try
            {
                var header = (PageHeader*)_pool.FramePointer(frame);
                var length = (int)header->PayloadLength;
                if (header->Type != PageType.Overflow || length > OverflowPayload || length > destination.Length - done)
                {
                    throw new PageCorruptedException(_pager.FilePath, page, $"bad overflow page (type {header->Type}, payload {length})");
                }

                new ReadOnlySpan<byte>(_pool.FramePointer(frame) + PageHeader.Size, length).CopyTo(destination[done..]);
                done += length;
                page = header->Next;
            }
            finally
            {
                _pool.Unpin(frame);
            }
        }
    }

    /// <summary>Writes <paramref name="value"/> to a new overflow chain (compressed when enabled and worth it).</summary>
    private OverflowRef WriteOverflow(ReadOnlySpan<byte> value)
    {
        byte[]? rented = null;
        try
        {
            var codec = OverflowRef.CodecNone;
            var stored = value;
            if (_options.Compression)
            {
                int bound;
                int written;
                if (_options.CompressionAlgorithm == CompressionAlgorithm.Zstd)
                {
                    bound = Compressor.GetCompressBound(value.Length);
                    rented = LargeBuffers.Rent(bound);
                    written = (_zstdCompressor ??= new Compressor(3)).Wrap(value, rented);
                    codec = OverflowRef.CodecZstd;
                }
                else
                {
                    bound = LZ4Codec.MaximumOutputSize(value.Length);
                    rented = LargeBuffers.Rent(bound);
                    written = LZ4Codec.Encode(value, rented);
                    codec = OverflowRef.CodecLz4;
                }

                if (written > 0 && written < value.Length)
                {
                    stored = rented.AsSpan(0, written);
                }
                else
                {
                    codec = OverflowRef.CodecNone;
                }
            }

            return new OverflowRef(WriteChain(stored), stored.Length, value.Length, codec);
        }
        finally
        {
            if (rented is not null)
            {
                LargeBuffers.Return(rented);
            }
        }
    }

    private ulong WriteChain(ReadOnlySpan<byte> data)
    {
        var pages = (data.Length + OverflowPayload - 1) / OverflowPayload;
        Span<ulong> ids = pages <= 256 ? stackalloc ulong[pages] : new ulong[pages];
        for (var i = 0; i < pages; i++)
        {
            ids[i] = _pager.Allocate();
        }

        for (var i = 0; i < pages; i++)
        {
            var frame = _pool.PinNew(ids[i]);
            try
            {
                var p = _pool.FramePointer(frame);
                var header = (PageHeader*)p;
                header->PageId = ids[i];
                header->Epoch = _pager.CurrentEpoch;
                header->Type = PageType.Overflow;
                header->Next = i + 1 < pages ? ids[i + 1] : 0;
                var chunk = data.Slice(i * OverflowPayload, Math.Min(OverflowPayload, data.Length - (i * OverflowPayload)));
                header->PayloadLength = (ulong)chunk.Length;
                chunk.CopyTo(new Span<byte>(p + PageHeader.Size, chunk.Length));
            }
            finally
            {
                _pool.Unpin(frame);
            }
        }

        return ids[0];
    }

    /// <summary>Frees every page of an overflow chain (reusable after the next checkpoint).</summary>
    private void FreeOverflow(OverflowRef reference)
    {
        var remaining = reference.StoredLength;
        var page = reference.FirstPage;
        while (remaining > 0 && page != 0)
        {
            var frame = _pool.Pin(page);
            ulong next;
            try
            {
                var header = (PageHeader*)_pool.FramePointer(frame);
                next = header->Next;
                remaining -= (int)header->PayloadLength;
            }
            finally
            {
                _pool.Unpin(frame);
            }

            _pager.Free(page);
            page = next;
        }
    }
}

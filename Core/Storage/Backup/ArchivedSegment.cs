using System.Buffers.Binary;
using System.Globalization;
using K4os.Compression.LZ4;
using ThunderDb.Core.Storage.Wal;
using ZstdSharp;

namespace ThunderDb.Core.Storage.Backup;

/// <summary>
/// One WAL segment in the archive (<see cref="WalArchive"/>): the plain segment file (<c>&lt;start&gt;.wal</c>, as
/// <c>storage.compression = false</c> writes it and as every archive before compression held), or a compressed copy
/// (<c>&lt;start&gt;.wal.lz4</c> / <c>&lt;start&gt;.wal.zst</c>, <c>storage.compression_algorithm</c>). Only the archive is
/// compressed: a backup's <c>data/</c> and <c>wal/</c> and the live WAL stay plain files, and a point-in-time restore
/// decompresses what it takes from the archive into <c>wal_dir</c> (<see cref="CopyOut"/>).
/// <para>
/// Compressed layout, little-endian: a 48-byte header (magic <c>TWAZ</c>, version 1, algorithm, segment start LSN, raw
/// length, block size, block count, CRC32C of the header), then one block per 1 MiB of the segment: raw length, stored
/// length, codec (0 stored as is when compressing did not shrink it, 1 LZ4, 2 Zstd), CRC32C of the raw bytes, then the
/// stored bytes. The raw length in the header is what pruning and <c>/metrics</c> count without decompressing; the
/// per-block CRC32C makes a damaged file an error naming it, never a segment of garbage.
/// </para>
/// </summary>
internal static class ArchivedSegment
{
    public enum Form
    {
        Plain,
        Lz4,
        Zstd,
    }

    public const string Lz4Extension = ".lz4";
    public const string ZstdExtension = ".zst";
    public const int HeaderSize = 48;
    private const int BlockHeaderSize = 16;
    private const int BlockSize = BackupCopy.ChunkSize;
    private const uint Magic = 0x5A415754; // "TWAZ"
    private const ushort Version = 1;
    private const int ZstdLevel = 3;

    public static string FileName(ulong segmentStart, CompressionAlgorithm? compression) =>
        WalSegmentSet.FileNameOf(segmentStart) + compression switch
        {
            null => "",
            CompressionAlgorithm.Zstd => ZstdExtension,
            _ => Lz4Extension,
        };

    /// <summary>Every name a copy of the segment at <paramref name="segmentStart"/> may have in the archive.</summary>
    public static string[] AllFileNames(ulong segmentStart) =>
        [FileName(segmentStart, null), FileName(segmentStart, CompressionAlgorithm.Lz4), FileName(segmentStart, CompressionAlgorithm.Zstd)];

    /// <summary>Parses <c>&lt;16 hex digits&gt;.wal[.lz4|.zst]</c>; false for anything else (temporary files included).</summary>
    public static bool TryParse(string fileName, out ulong segmentStart, out Form form)
    {
        segmentStart = 0;
        form = Form.Plain;
        var name = fileName.AsSpan();
        if (name.EndsWith(Lz4Extension, StringComparison.Ordinal))
        {
            form = Form.Lz4;
            name = name[..^Lz4Extension.Length];
        }
        else if (name.EndsWith(ZstdExtension, StringComparison.Ordinal))
        {
            form = Form.Zstd;
            name = name[..^ZstdExtension.Length];
        }

        return name.Length == 16 + WalSegmentSet.Extension.Length
            && name.EndsWith(WalSegmentSet.Extension, StringComparison.Ordinal)
            && ulong.TryParse(name[..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out segmentStart);
    }

    /// <summary>The segment's uncompressed length: the file's length when plain, the header's when compressed (checked).</summary>
    public static long RawLength(string path, Form form)
    {
        if (form == Form.Plain)
        {
            return new FileInfo(path).Length;
        }

        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        return ReadHeader(path, input).RawLength;
    }

    /// <summary>
    /// Writes the segment file <paramref name="source"/> compressed to <paramref name="target"/> durably (temporary name,
    /// fdatasync, rename, directory fsync); returns the compressed file's length.
    /// </summary>
    public static long WriteCompressed(string source, string target, ulong segmentStart, CompressionAlgorithm algorithm)
    {
        var temp = target + ".tmp";
        File.Delete(temp);
        long written;
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan))
        using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            Compress(input, output, segmentStart, algorithm);
            output.Flush(flushToDisk: true);
            written = output.Length;
        }

        File.Move(temp, target, overwrite: true);
        DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(target))!);
        return written;
    }

    /// <summary>Writes the compressed form of the segment read from <paramref name="input"/> (to its end) to <paramref name="output"/>.</summary>
    internal static void Compress(Stream input, Stream output, ulong segmentStart, CompressionAlgorithm algorithm)
    {
        var raw = new byte[BlockSize];
        var packed = new byte[Math.Max(LZ4Codec.MaximumOutputSize(BlockSize), Compressor.GetCompressBound(BlockSize))];
        var blockHeader = new byte[BlockHeaderSize];
        using var zstd = algorithm == CompressionAlgorithm.Zstd ? new Compressor(ZstdLevel) : null;
        var length = input.Length - input.Position;
        var blocks = (uint)((length + BlockSize - 1) / BlockSize);
        output.Write(Header(algorithm == CompressionAlgorithm.Zstd ? Form.Zstd : Form.Lz4, segmentStart, length, blocks));
        long done = 0;
        while (done < length)
        {
            var want = (int)Math.Min(BlockSize, length - done);
            input.ReadExactly(raw, 0, want);
            var block = raw.AsSpan(0, want);
            var size = zstd is not null ? zstd.Wrap(block, packed) : LZ4Codec.Encode(block, packed);
            var codec = zstd is not null ? (byte)Form.Zstd : (byte)Form.Lz4;
            var stored = packed.AsSpan(0, Math.Max(size, 0));
            if (size <= 0 || size >= want)
            {
                codec = (byte)Form.Plain;
                stored = block;
            }

            BinaryPrimitives.WriteInt32LittleEndian(blockHeader, want);
            BinaryPrimitives.WriteInt32LittleEndian(blockHeader.AsSpan(4), stored.Length);
            blockHeader[8] = codec;
            BinaryPrimitives.WriteUInt32LittleEndian(blockHeader.AsSpan(12), Crc32C.Compute(block));
            output.Write(blockHeader);
            output.Write(stored);
            done += want;
        }
    }

    /// <summary>
    /// Copies the archived segment <paramref name="source"/> durably to the plain segment file <paramref name="target"/>,
    /// decompressing it when compressed; a damaged compressed file is a <see cref="BackupInvalidException"/> naming it.
    /// </summary>
    public static void CopyOut(string source, Form form, string target)
    {
        if (form == Form.Plain)
        {
            BackupCopy.CopyDurably(source, target);
            return;
        }

        var temp = target + ".tmp";
        File.Delete(temp);
        try
        {
            using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan))
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                Decompress(source, input, output);
                output.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(target))!);
    }

    /// <summary>Decodes and checks the whole compressed file <paramref name="path"/> read from <paramref name="input"/> into <paramref name="output"/>.</summary>
    internal static void Decompress(string path, Stream input, Stream output)
    {
        var header = ReadHeader(path, input);
        var raw = new byte[BlockSize];
        var packed = new byte[Math.Max(LZ4Codec.MaximumOutputSize(BlockSize), Compressor.GetCompressBound(BlockSize))];
        var blockHeader = new byte[BlockHeaderSize];
        using var zstd = new Decompressor();
        long done = 0;
        for (var i = 0u; i < header.Blocks; i++)
        {
            var at = input.Position;
            if (input.ReadAtLeast(blockHeader, BlockHeaderSize, throwOnEndOfStream: false) < BlockHeaderSize)
            {
                throw Corrupt(path, $"it ends inside block {i} of {header.Blocks} (offset {at}): the file is truncated");
            }

            var rawLength = BinaryPrimitives.ReadInt32LittleEndian(blockHeader);
            var storedLength = BinaryPrimitives.ReadInt32LittleEndian(blockHeader.AsSpan(4));
            var codec = (Form)blockHeader[8];
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(blockHeader.AsSpan(12));
            if (rawLength <= 0 || rawLength > BlockSize || storedLength < 0 || storedLength > packed.Length || codec is not (Form.Plain or Form.Lz4 or Form.Zstd)
                || (codec == Form.Plain && storedLength != rawLength) || done + rawLength > header.RawLength)
            {
                throw Corrupt(path, $"block {i} (offset {at}) has a bad header (raw {rawLength} bytes, stored {storedLength}, codec {(int)codec})");
            }

            var stored = codec == Form.Plain ? raw.AsSpan(0, storedLength) : packed.AsSpan(0, storedLength);
            if (input.ReadAtLeast(stored, storedLength, throwOnEndOfStream: false) < storedLength)
            {
                throw Corrupt(path, $"it ends inside block {i} of {header.Blocks} (offset {at}): the file is truncated");
            }

            var decoded = codec switch
            {
                Form.Plain => rawLength,
                Form.Lz4 => LZ4Codec.Decode(stored, raw.AsSpan(0, rawLength)),
                _ => UnwrapZstd(zstd, stored, raw.AsSpan(0, rawLength)),
            };
            if (decoded != rawLength || Crc32C.Compute(raw.AsSpan(0, rawLength)) != crc)
            {
                throw Corrupt(path, $"block {i} (offset {at}, segment bytes {done}..{done + rawLength}) fails its CRC32C check");
            }

            output.Write(raw, 0, rawLength);
            done += rawLength;
        }

        if (done != header.RawLength || input.Position != input.Length)
        {
            throw Corrupt(path, $"its blocks hold {done} of {header.RawLength} bytes and end at offset {input.Position} of {input.Length}");
        }
    }

    private static int UnwrapZstd(Decompressor zstd, ReadOnlySpan<byte> stored, Span<byte> raw)
    {
        try
        {
            return zstd.Unwrap(stored, raw);
        }
        catch (ZstdException)
        {
            return -1;
        }
    }

    private static byte[] Header(Form algorithm, ulong segmentStart, long rawLength, uint blocks)
    {
        var header = new byte[HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), Version);
        header[6] = (byte)algorithm;
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), segmentStart);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), rawLength);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), blocks);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(HeaderSize - 4), Crc32C.Compute(header.AsSpan(0, HeaderSize - 4)));
        return header;
    }

    private static (ulong Start, long RawLength, uint Blocks) ReadHeader(string path, Stream input)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        if (input.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
        {
            throw Corrupt(path, $"it is shorter than its {HeaderSize}-byte header");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || BinaryPrimitives.ReadUInt32LittleEndian(header[(HeaderSize - 4)..]) != Crc32C.Compute(header[..(HeaderSize - 4)]))
        {
            throw Corrupt(path, "its header fails its magic number or CRC32C check");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        var start = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        var rawLength = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        var blockSize = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        var blocks = BinaryPrimitives.ReadUInt32LittleEndian(header[28..]);
        if (version != Version || blockSize != BlockSize)
        {
            throw Corrupt(path, $"it has format version {version} / block size {blockSize}; this ThunderDB reads version {Version} with {BlockSize}-byte blocks");
        }

        if (!TryParse(Path.GetFileName(path), out var named, out _) || named != start)
        {
            throw Corrupt(path, $"its header says it holds the segment starting at LSN {start}, not the one its name says");
        }

        if (rawLength < 0 || blocks != (ulong)((rawLength + BlockSize - 1) / BlockSize))
        {
            throw Corrupt(path, $"its header says {rawLength} bytes in {blocks} blocks");
        }

        return (start, rawLength, blocks);
    }

    private static BackupInvalidException Corrupt(string path, string why) =>
        new($"WAL archive segment '{path}' is damaged: {why}. Move it out of the archive to restore only up to the segment before it");
}

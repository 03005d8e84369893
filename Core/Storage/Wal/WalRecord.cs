using System.Buffers;
using System.Buffers.Binary;
using ThunderDb.Io.Buffers;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>Record types in the WAL.</summary>
public enum WalRecordType : byte
{
    /// <summary>The whole write set of one committed transaction.</summary>
    Commit = 1,

    /// <summary>Fills a reservation whose commit failed before its record was published; replay skips it.</summary>
    Padding = 2,

    /// <summary>
    /// Part of a large transaction's write set, logged before its commit record (same transaction id, same payload
    /// layout as a commit record). Recovery applies a transaction's chunks only when its commit record follows, and
    /// drops them otherwise: a transaction killed mid-commit leaves nothing.
    /// </summary>
    Chunk = 3,
}

/// <summary>The kind of one operation in a commit record's write set.</summary>
public enum WalOpKind : byte
{
    Put = 1,
    Delete = 2,
}

/// <summary>
/// Layout of a WAL record. Records start at 8-byte aligned LSNs and their length is a multiple of 8,
/// so the first word (CRC + length) never straddles the end of the ring buffer and can be published
/// with one atomic store.
/// <code>
///  0 uint  crc      CRC32C over bytes [4, length)
///  4 uint  length   whole record including header and padding
///  8 byte  type     WalRecordType
///  9 byte  reserved (zero)
/// 10 ushort wallClockSubMsTicks  100 ns ticks within the millisecond of wallClockUnixMs (0..9999; 0 in older records)
/// 12 uint  chunks   commit record: how many chunk records of the same transaction precede it (0 for most)
/// 16 ulong lsn      byte position of the record in the log; a stale or misplaced record fails this check
/// 24 long  txnId
/// 32 ulong commitTs
/// 40 long  wallClockUnixMs
/// 48 ulong durableLsnAtAppend  the flushed LSN when the record was appended (tells a torn tail from corruption)
/// 56 payload (commit: uint opCount, then per op: byte kind, uint keyLength, key, [uint valueLength, value])
/// </code>
/// </summary>
public static class WalRecord
{
    public const int HeaderSize = 56;
    public const int Alignment = 8;

    /// <summary>Records longer than this are rejected as corrupt when reading.</summary>
    public const int MaxRecordSize = 1 << 30;

    public static int Align(int length) => (length + (Alignment - 1)) & ~(Alignment - 1);

    public static uint ReadLength(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);

    public static WalRecordType ReadType(ReadOnlySpan<byte> record) => (WalRecordType)record[8];

    public static ulong ReadLsn(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt64LittleEndian(record[16..]);

    public static long ReadTxnId(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[24..]);

    public static ulong ReadCommitTs(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt64LittleEndian(record[32..]);

    public static long ReadWallClockMs(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[40..]);

    /// <summary>The commit's wall-clock time in unix 100 ns ticks (milliseconds plus the sub-millisecond ticks).</summary>
    public static long ReadWallClockTicks(ReadOnlySpan<byte> record) =>
        (ReadWallClockMs(record) * TimeSpan.TicksPerMillisecond) + BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);

    public static ulong ReadDurableLsnAtAppend(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt64LittleEndian(record[48..]);

    /// <summary>A commit record's count of <see cref="WalRecordType.Chunk"/> records logged before it.</summary>
    public static uint ReadChunkCount(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);

    /// <summary>True when the CRC matches and the stored LSN is <paramref name="expectedLsn"/>.</summary>
    public static bool IsValid(ReadOnlySpan<byte> record, ulong expectedLsn)
    {
        if (record.Length < HeaderSize)
        {
            return false;
        }

        var length = ReadLength(record);
        if (length < HeaderSize || length > record.Length || (length % Alignment) != 0)
        {
            return false;
        }

        if (ReadLsn(record) != expectedLsn)
        {
            return false;
        }

        var crc = BinaryPrimitives.ReadUInt32LittleEndian(record);
        return crc == Crc32C.Compute(record[4..(int)length]);
    }

    /// <summary>Fills the header fields of a record whose payload is already in place, and sets its CRC.</summary>
    public static void Seal(Span<byte> record, WalRecordType type, ulong lsn, long txnId, ulong commitTs, long wallClockMs, ulong durableLsnAtAppend, uint chunks = 0, ushort wallClockSubMsTicks = 0)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)record.Length);
        record[8] = (byte)type;
        record[9] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(record[10..], wallClockSubMsTicks);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], chunks);
        BinaryPrimitives.WriteUInt64LittleEndian(record[16..], lsn);
        BinaryPrimitives.WriteInt64LittleEndian(record[24..], txnId);
        BinaryPrimitives.WriteUInt64LittleEndian(record[32..], commitTs);
        BinaryPrimitives.WriteInt64LittleEndian(record[40..], wallClockMs);
        BinaryPrimitives.WriteUInt64LittleEndian(record[48..], durableLsnAtAppend);
        BinaryPrimitives.WriteUInt32LittleEndian(record, Crc32C.Compute(record[4..]));
    }
}

/// <summary>
/// Builds one commit record's payload in a reusable (pooled) buffer, leaving room for the header.
/// </summary>
public sealed class WalRecordBuilder : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _opCount;

    public WalRecordBuilder(int initialCapacity = 512)
    {
        _buffer = LargeBuffers.Rent(Math.Max(initialCapacity, WalRecord.HeaderSize + 8));
        Reset();
    }

    public int OperationCount => _opCount;

    /// <summary>The record length <see cref="Complete"/> would return now (before alignment).</summary>
    public int Length => _length;

    /// <summary>Bytes an operation adds to a record: kind, key length, key, and for a put the value length and value.</summary>
    public static long OperationSize(int keyLength, int valueLength, bool isPut) => 1 + 4 + (long)keyLength + (isPut ? 4 + (long)valueLength : 0);

    public void Reset()
    {
        _length = WalRecord.HeaderSize + 4;
        _opCount = 0;
        if (_buffer.Length > LargeBuffers.PooledMaxBytes)
        {
            // A builder recycled with its session's transaction must not keep one large commit's memory for good.
            LargeBuffers.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(512);
        }
    }

    public void AddPut(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var span = Grow(1 + 4 + key.Length + 4 + value.Length);
        span[0] = (byte)WalOpKind.Put;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], key.Length);
        key.CopyTo(span[5..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[(5 + key.Length)..], value.Length);
        value.CopyTo(span[(9 + key.Length)..]);
        _opCount++;
    }

    public void AddDelete(ReadOnlySpan<byte> key)
    {
        var span = Grow(1 + 4 + key.Length);
        span[0] = (byte)WalOpKind.Delete;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], key.Length);
        key.CopyTo(span[5..]);
        _opCount++;
    }

    /// <summary>Pads to the record alignment and returns the record (header still to be sealed).</summary>
    public Span<byte> Complete()
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(WalRecord.HeaderSize), _opCount);
        var aligned = WalRecord.Align(_length);
        Grow(aligned - _length).Clear();
        return _buffer.AsSpan(0, _length);
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            var bigger = LargeBuffers.Rent(Math.Max((long)_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            LargeBuffers.Return(_buffer);
            _buffer = bigger;
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            LargeBuffers.Return(_buffer);
            _buffer = [];
        }
    }
}

/// <summary>Walks the operations of a commit record's payload in place.</summary>
public ref struct WalOpReader
{
    private ReadOnlySpan<byte> _rest;
    private int _remaining;

    public WalOpReader(ReadOnlySpan<byte> record)
    {
        var length = (int)WalRecord.ReadLength(record);
        _rest = record[(WalRecord.HeaderSize + 4)..length];
        _remaining = BinaryPrimitives.ReadInt32LittleEndian(record[WalRecord.HeaderSize..]);
    }

    public WalOpKind Kind { get; private set; }

    public ReadOnlySpan<byte> Key { get; private set; }

    public ReadOnlySpan<byte> Value { get; private set; }

    /// <summary>Advances to the next operation; throws <see cref="InvalidDataException"/> when the payload is malformed.</summary>
    public bool MoveNext()
    {
        if (_remaining == 0)
        {
            return false;
        }

        _remaining--;
        Kind = (WalOpKind)_rest[0];
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(_rest[1..]);
        Key = _rest.Slice(5, keyLength);
        _rest = _rest[(5 + keyLength)..];
        if (Kind == WalOpKind.Put)
        {
            var valueLength = BinaryPrimitives.ReadInt32LittleEndian(_rest);
            Value = _rest.Slice(4, valueLength);
            _rest = _rest[(4 + valueLength)..];
        }
        else if (Kind == WalOpKind.Delete)
        {
            Value = default;
        }
        else
        {
            throw new InvalidDataException($"unknown WAL operation kind {(byte)Kind}");
        }

        return true;
    }
}

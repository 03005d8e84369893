using System.Buffers.Binary;

namespace ThunderDb.Core.Keys;

/// <summary>
/// The one order-preserving key codec of the store (Redis keys, MVCC versions, and SQL rows and indexes use it):: for values of one type, comparing the encoded bytes as unsigned strings
/// (the store's order) gives the same order as comparing the values. Composite keys are the concatenation
/// of their parts; every part is either fixed-width or self-terminating, so a prefix of parts sorts first.
/// Writers return the number of bytes written; readers return the number consumed.
/// </summary>
public static class KeyCodec
{
    /// <summary>Bytes a <see cref="WriteString"/> of <paramref name="value"/> takes.</summary>
    public static int EscapedLength(ReadOnlySpan<byte> value)
    {
        var zeros = value.Count((byte)0);
        return value.Length + zeros + 2;
    }

    /// <summary>
    /// Writes <paramref name="value"/> with each 0x00 turned into 0x00 0xFF and no terminator; the caller ends the
    /// part with 0x00 and a byte other than 0xFF (0x00 for <see cref="WriteString"/>). Returns bytes written.
    /// </summary>
    public static int WriteEscaped(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        var written = 0;
        while (true)
        {
            var zero = value.IndexOf((byte)0);
            var chunk = zero < 0 ? value : value[..zero];
            chunk.CopyTo(destination[written..]);
            written += chunk.Length;
            if (zero < 0)
            {
                return written;
            }

            destination[written++] = 0x00;
            destination[written++] = 0xFF;
            value = value[(zero + 1)..];
        }
    }

    /// <summary>Big-endian with the sign bit flipped, so negative numbers sort before positive ones.</summary>
    public static int WriteInt64(Span<byte> destination, long value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, (ulong)value ^ 0x8000_0000_0000_0000UL);
        return 8;
    }

    public static long ReadInt64(ReadOnlySpan<byte> source) =>
        (long)(BinaryPrimitives.ReadUInt64BigEndian(source) ^ 0x8000_0000_0000_0000UL);

    public static int WriteInt32(Span<byte> destination, int value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)value ^ 0x8000_0000U);
        return 4;
    }

    public static int ReadInt32(ReadOnlySpan<byte> source) => (int)(BinaryPrimitives.ReadUInt32BigEndian(source) ^ 0x8000_0000U);

    public static int WriteUInt64(Span<byte> destination, ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, value);
        return 8;
    }

    public static ulong ReadUInt64(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt64BigEndian(source);

    public static int WriteUInt32(Span<byte> destination, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        return 4;
    }

    public static uint ReadUInt32(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32BigEndian(source);

    /// <summary>
    /// A byte string as a self-terminating part: each 0x00 becomes 0x00 0xFF and the part ends with 0x00 0x00.
    /// "a" &lt; "a\0" &lt; "ab" holds after encoding, and the part never runs into the next one.
    /// </summary>
    public static int WriteString(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        var written = WriteEscaped(destination, value);
        destination[written++] = 0x00;
        destination[written++] = 0x00;
        return written;
    }

    /// <summary>Decodes a <see cref="WriteString"/> part; returns bytes consumed, the value goes to <paramref name="value"/>.</summary>
    public static int ReadString(ReadOnlySpan<byte> source, Span<byte> value, out int valueLength)
    {
        var read = 0;
        valueLength = 0;
        while (true)
        {
            var zero = source[read..].IndexOf((byte)0);
            if (zero < 0 || read + zero + 1 >= source.Length)
            {
                throw new FormatException("escaped key part is not terminated");
            }

            source.Slice(read, zero).CopyTo(value[valueLength..]);
            valueLength += zero;
            read += zero;
            var marker = source[read + 1];
            read += 2;
            if (marker == 0x00)
            {
                return read;
            }

            if (marker != 0xFF)
            {
                throw new FormatException($"bad escape 0x00 0x{marker:X2} in key part");
            }

            value[valueLength++] = 0x00;
        }
    }

    /// <summary>True, then false, as one byte (false sorts first).</summary>
    public static int WriteBool(Span<byte> destination, bool value)
    {
        destination[0] = value ? (byte)1 : (byte)0;
        return 1;
    }

    /// <summary>IEEE double with the usual trick: flip all bits of negatives, only the sign bit of positives.</summary>
    public static int WriteDouble(Span<byte> destination, double value)
    {
        var bits = (ulong)BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value); // -0 sorts as +0
        bits = (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits ^ 0x8000_0000_0000_0000UL;
        BinaryPrimitives.WriteUInt64BigEndian(destination, bits);
        return 8;
    }

    public static double ReadDouble(ReadOnlySpan<byte> source)
    {
        var bits = BinaryPrimitives.ReadUInt64BigEndian(source);
        bits = (bits & 0x8000_0000_0000_0000UL) != 0 ? bits ^ 0x8000_0000_0000_0000UL : ~bits;
        return BitConverter.Int64BitsToDouble((long)bits);
    }
}

using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>BITCOUNT and BITPOS, with Redis 7.0's order of checks (the key is looked up before the range is parsed).</summary>
public static partial class RedisBitmaps
{
    /// <summary>BITCOUNT key [start end [BYTE|BIT]]: <paramref name="range"/> is what follows the key (0, 2 or 3 arguments).</summary>
    public static RedisError Count(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisArgs range, out long count)
    {
        count = 0;
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error; // a missing key counts 0 whatever the arguments
        }

        ReadOnlySpan<byte> value = ks.StringValue;
        long start, end;
        byte firstMask = 0, lastMask = 0;
        if (range.Count is 2 or 3)
        {
            long total = value.Length;
            if (!RedisNumbers.ParseLong(range[0], out start) || !RedisNumbers.ParseLong(range[1], out end))
            {
                return RedisError.NotInteger;
            }

            if (start < 0 && end < 0 && start > end)
            {
                return RedisError.None;
            }

            bool bits = false;
            if (range.Count == 3 && !TryParseUnit(range[2], out bits))
            {
                return RedisError.Syntax;
            }

            ClampToBytes(ref start, ref end, bits, total, ref firstMask, ref lastMask);
        }
        else if (range.Count == 0)
        {
            start = 0;
            end = value.Length - 1;
        }
        else
        {
            return RedisError.Syntax;
        }

        if (start > end)
        {
            return RedisError.None;
        }

        count = PopCount(value[(int)start..(int)(end + 1)]);
        // The edge bytes were counted whole: take off the bits outside the range.
        count -= BitOperations.PopCount((uint)(value[(int)start] & firstMask)) + BitOperations.PopCount((uint)(value[(int)end] & lastMask));
        return RedisError.None;
    }

    /// <summary>BITPOS key bit [start [end [BYTE|BIT]]]: <paramref name="range"/> is what follows the bit (0 to 3 arguments).</summary>
    public static RedisError Position(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> bitText, RedisArgs range, out long position)
    {
        position = -1;
        if (!RedisNumbers.ParseLong(bitText, out long bitValue))
        {
            return RedisError.NotInteger;
        }

        if (bitValue is not 0 and not 1)
        {
            return RedisError.BitArgument;
        }

        int bit = (int)bitValue;
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        if (meta.Type == RedisType.None)
        {
            position = bit == 1 ? -1 : 0; // a missing key is an endless run of zeros
            return RedisError.None;
        }

        ReadOnlySpan<byte> value = ks.StringValue;
        long start, end;
        bool endGiven = false;
        byte firstMask = 0, lastMask = 0;
        if (range.Count is >= 1 and <= 3)
        {
            long total = value.Length;
            if (!RedisNumbers.ParseLong(range[0], out start))
            {
                return RedisError.NotInteger;
            }

            bool bits = false;
            if (range.Count == 3 && !TryParseUnit(range[2], out bits))
            {
                return RedisError.Syntax;
            }

            if (range.Count >= 2)
            {
                if (!RedisNumbers.ParseLong(range[1], out end))
                {
                    return RedisError.NotInteger;
                }

                endGiven = true;
            }
            else
            {
                end = total - 1;
            }

            ClampToBytes(ref start, ref end, bits, total, ref firstMask, ref lastMask);
        }
        else if (range.Count == 0)
        {
            start = 0;
            end = value.Length - 1;
        }
        else
        {
            return RedisError.Syntax;
        }

        if (start > end)
        {
            return RedisError.None; // an empty range holds neither a 0 nor a 1
        }

        long bytes = end - start + 1;
        long pos = FindInRange(value, bit, ref start, ref bytes, end, firstMask, lastMask);

        // With an explicit end the right of the range is not zero-padded: a clear bit found past it is no answer.
        if (endGiven && bit == 0 && pos == bytes << 3)
        {
            position = -1;
            return RedisError.None;
        }

        position = pos == -1 ? -1 : pos + (start << 3);
        return RedisError.None;
    }

    /// <summary>
    /// Redis's three-step search (masked first byte, whole bytes, masked last byte); returns the position relative to
    /// <paramref name="start"/>, which it advances past the bytes it consumed, as <paramref name="bytes"/> shrinks.
    /// </summary>
    private static long FindInRange(ReadOnlySpan<byte> value, int bit, ref long start, ref long bytes, long end, byte firstMask, byte lastMask)
    {
        long pos;
        if (firstMask != 0)
        {
            byte edge = bit == 1 ? (byte)(value[(int)start] & ~firstMask) : (byte)(value[(int)start] | firstMask);
            if (lastMask != 0 && bytes == 1)
            {
                edge = bit == 1 ? (byte)(edge & ~lastMask) : (byte)(edge | lastMask);
            }

            pos = FirstBit([edge], bit);
            if (bytes == 1 || (pos != -1 && pos != 8))
            {
                return pos;
            }

            start++;
            bytes--;
        }

        long whole = bytes - (lastMask != 0 ? 1 : 0);
        if (whole > 0)
        {
            pos = FirstBit(value.Slice((int)start, (int)whole), bit);
            if (bytes == whole || (pos != -1 && pos != whole << 3))
            {
                return pos;
            }

            start += whole;
            bytes -= whole;
        }

        byte last = bit == 1 ? (byte)(value[(int)end] & ~lastMask) : (byte)(value[(int)end] | lastMask);
        return FirstBit([last], bit);
    }

    /// <summary>
    /// Redis <c>redisBitpos</c>: the first <paramref name="bit"/> in <paramref name="bytes"/>; for 1 none is -1, for 0
    /// the bytes are taken as zero-padded on the right (all ones answers the bit just past them).
    /// </summary>
    public static long FirstBit(ReadOnlySpan<byte> bytes, int bit)
    {
        byte skip = bit == 1 ? (byte)0 : (byte)0xFF;
        int i = bytes.IndexOfAnyExcept(skip);
        if (i < 0)
        {
            return bit == 1 ? -1 : (long)bytes.Length << 3;
        }

        uint b = bit == 1 ? bytes[i] : (uint)(~bytes[i] & 0xFF);
        return ((long)i << 3) + BitOperations.LeadingZeroCount(b) - 24;
    }

    /// <summary>Set bits in <paramref name="bytes"/>, eight bytes at a time.</summary>
    public static long PopCount(ReadOnlySpan<byte> bytes)
    {
        long count = 0;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong w in words)
        {
            count += BitOperations.PopCount(w);
        }

        foreach (byte b in bytes[(words.Length * 8)..])
        {
            count += BitOperations.PopCount(b);
        }

        return count;
    }

    private static bool TryParseUnit(ReadOnlySpan<byte> text, out bool bits)
    {
        bits = Ascii.EqualsIgnoreCase(text, "bit"u8);
        return bits || Ascii.EqualsIgnoreCase(text, "byte"u8);
    }

    /// <summary>Negative indexes from the end, then clamped into [0, total-1], as BITCOUNT and BITPOS do.</summary>
    /// <summary>
    /// Clamps a BYTE range, or a BIT range, to a value of <paramref name="total"/> bytes; a BIT range becomes the bytes it
    /// touches plus the masks of the bits outside it in its first and last byte (left unchanged for a BYTE or empty range).
    /// </summary>
    private static void ClampToBytes(ref long start, ref long end, bool bits, long total, ref byte firstMask, ref byte lastMask)
    {
        ClampRange(ref start, ref end, bits ? total << 3 : total);
        if (bits && start <= end)
        {
            (firstMask, lastMask) = EdgeMasks(start, end);
            start >>= 3;
            end >>= 3;
        }
    }

    private static void ClampRange(ref long start, ref long end, long total)
    {
        if (start < 0)
        {
            start = total + start;
        }

        if (end < 0)
        {
            end = total + end;
        }

        start = Math.Max(start, 0);
        end = Math.Max(end, 0);
        if (end >= total)
        {
            end = total - 1;
        }
    }

    /// <summary>The bits of the first and last byte that lie outside a bit range [start, end].</summary>
    private static (byte First, byte Last) EdgeMasks(long start, long end) =>
        ((byte)(~((1 << (8 - (int)(start & 7))) - 1) & 0xFF), (byte)((1 << (7 - (int)(end & 7))) - 1));
}

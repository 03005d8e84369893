using System.Buffers;

namespace ThunderDb.Core.Redis;

/// <summary>Bitmaps over string values as Redis 7.0 does them: bit 0 is the most significant bit of byte 0.</summary>
public static partial class RedisBitmaps
{
    /// <summary>A bit offset as Redis accepts it: a non-negative integer whose byte lies below the 512 MB string limit.</summary>
    public static RedisError ParseOffset(ReadOnlySpan<byte> text, out long offset)
    {
        if (!RedisNumbers.ParseLong(text, out offset) || offset < 0 || (offset >> 3) >= RedisKeyspace.MaxStringLength)
        {
            return RedisError.BitOffset;
        }

        return RedisError.None;
    }

    /// <summary>GETBIT: the bit at <paramref name="offset"/>, 0 past the end or for a missing key.</summary>
    public static RedisError GetBit(RedisKeyspace ks, ReadOnlySpan<byte> key, long offset, out int bit)
    {
        bit = 0;
        RedisError error = RedisStrings.Get(ks, key, out bool found, out ReadOnlySpan<byte> value);
        long index = offset >> 3;
        if (found && index < value.Length)
        {
            bit = (value[(int)index] >> (7 - (int)(offset & 7))) & 1;
        }

        return error;
    }

    /// <summary>SETBIT: sets or clears one bit (zero-extending the string, keeping its expiry); the previous bit.</summary>
    public static RedisError SetBit(RedisKeyspace ks, ReadOnlySpan<byte> key, long offset, ReadOnlySpan<byte> bitText, out int old)
    {
        old = 0;
        if (bitText.Length != 1 || (bitText[0] != (byte)'0' && bitText[0] != (byte)'1'))
        {
            return RedisError.BitValue;
        }

        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        long index = offset >> 3;
        ReadOnlySpan<byte> current = meta.Type == RedisType.None ? default : ks.StringValue;
        error = ks.CheckStringLength(Math.Max(current.Length, index + 1));
        if (error != RedisError.None)
        {
            return error;
        }

        int total = (int)Math.Max(current.Length, index + 1);
        ArrayBufferWriter<byte> compose = ks.Compose;
        Span<byte> target = compose.GetSpan(total)[..total];
        target.Clear();
        current.CopyTo(target);
        int mask = 1 << (7 - (int)(offset & 7));
        old = (target[(int)index] & mask) != 0 ? 1 : 0;
        target[(int)index] = (byte)(bitText[0] == (byte)'1' ? target[(int)index] | mask : target[(int)index] & ~mask);
        compose.Advance(total);
        ks.WriteString(key, compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
        return RedisError.None;
    }
}

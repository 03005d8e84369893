using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>Which existing state SET requires (NX, XX).</summary>
public enum SetCondition : byte
{
    Always,
    IfMissing,
    IfExists,
}

/// <summary>SET's options, parsed by the protocol.</summary>
public struct SetOptions
{
    public SetCondition Condition;

    /// <summary>GET: the old value is wanted, so a key of another type is WRONGTYPE instead of being replaced.</summary>
    public bool ReturnOld;

    /// <summary>KEEPTTL: the key keeps its expiry.</summary>
    public bool KeepTtl;

    /// <summary>Unix ms; 0 = no expiry.</summary>
    public long ExpireAtMs;
}

/// <summary>What GETEX does to the key's expiry.</summary>
public enum ExpiryChange : byte
{
    Keep,
    Persist,
    ExpireAt,
}

/// <summary>
/// String operations over one <see cref="RedisKeyspace"/> (attached to the caller's transaction). Values returned as
/// spans point into the keyspace's reused buffers and are valid until its next read. GET and SET allocate nothing.
/// </summary>
public static class RedisStrings
{
    public static RedisError Get(RedisKeyspace ks, ReadOnlySpan<byte> key, out bool found, out ReadOnlySpan<byte> value)
    {
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        found = meta.Type == RedisType.String;
        value = found ? ks.StringValue : default;
        return error;
    }

    /// <summary>MGET's read: a missing key and a key of another type both read as missing.</summary>
    public static bool TryGet(RedisKeyspace ks, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        bool found = ks.Lookup(key, out _) == RedisType.String;
        value = found ? ks.StringValue : default;
        return found;
    }

    /// <summary>
    /// SET. <paramref name="written"/> is false when NX/XX refused; <paramref name="oldFound"/>/<paramref name="old"/>
    /// are the previous string (meaningful with <see cref="SetOptions.ReturnOld"/>).
    /// </summary>
    public static RedisError Set(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in SetOptions options,
        out bool written, out bool oldFound, out ReadOnlySpan<byte> old)
    {
        RedisType type = ks.Lookup(key, out KeyMeta meta);
        written = false;
        oldFound = type == RedisType.String;
        old = oldFound ? ks.StringValue : default;
        if (options.ReturnOld && type is not RedisType.None and not RedisType.String)
        {
            return RedisError.WrongType;
        }

        if ((options.Condition == SetCondition.IfMissing && type != RedisType.None) ||
            (options.Condition == SetCondition.IfExists && type == RedisType.None))
        {
            return RedisError.None;
        }

        long expireAt = options.KeepTtl ? meta.ExpireAtMs : options.ExpireAtMs;
        if (type is not RedisType.None and not RedisType.String)
        {
            ks.DeleteKey(key, meta);
            meta = default;
        }

        ks.WriteString(key, value, expireAt, meta.ExpireAtMs);
        written = true;
        return RedisError.None;
    }

    /// <summary>SET's plain form: replaces whatever the key held (any type) with a string and a new expiry.</summary>
    public static void Overwrite(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs)
    {
        RedisType old = ks.Lookup(key, out KeyMeta meta);
        if (old is not RedisType.None and not RedisType.String)
        {
            ks.DeleteKey(key, meta);
            meta = default;
        }

        ks.WriteString(key, value, expireAtMs, meta.ExpireAtMs);
    }

    /// <summary>SETNX: writes only a missing key; true when it wrote.</summary>
    public static bool SetIfMissing(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (ks.Lookup(key, out _) != RedisType.None)
        {
            return false;
        }

        ks.WriteString(key, value, 0, 0);
        return true;
    }

    /// <summary>GETSET: the old string, then the new value without expiry.</summary>
    public static RedisError GetSet(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out bool found, out ReadOnlySpan<byte> old)
    {
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        found = meta.Type == RedisType.String;
        old = found ? ks.StringValue : default;
        if (error != RedisError.None)
        {
            return error;
        }

        ks.WriteString(key, value, 0, meta.ExpireAtMs);
        return RedisError.None;
    }

    public static RedisError GetDel(RedisKeyspace ks, ReadOnlySpan<byte> key, out bool found, out ReadOnlySpan<byte> value)
    {
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        found = meta.Type == RedisType.String;
        value = found ? ks.StringValue : default;
        if (found)
        {
            ks.DeleteKey(key, meta);
        }

        return error;
    }

    /// <summary>GETEX: the value, and the expiry changed as asked (a deadline already past deletes the key).</summary>
    public static RedisError GetEx(RedisKeyspace ks, ReadOnlySpan<byte> key, ExpiryChange change, long expireAtMs, out bool found,
        out ReadOnlySpan<byte> value)
    {
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        found = meta.Type == RedisType.String;
        value = found ? ks.StringValue : default;
        if (!found)
        {
            return error;
        }

        if (change == ExpiryChange.Persist && meta.ExpireAtMs != 0)
        {
            ks.SetExpire(key, ref meta, 0);
        }
        else if (change == ExpiryChange.ExpireAt)
        {
            if (expireAtMs <= ks.NowMs)
            {
                ks.DeleteKey(key, meta);
            }
            else
            {
                ks.SetExpire(key, ref meta, expireAtMs);
            }
        }

        return RedisError.None;
    }

    /// <summary>MSET over key/value pairs.</summary>
    public static void MSet(RedisKeyspace ks, RedisArgs pairs)
    {
        for (int i = 0; i + 1 < pairs.Count; i += 2)
        {
            Overwrite(ks, pairs[i], pairs[i + 1], 0);
        }
    }

    /// <summary>MSETNX: writes every pair only when none of the keys exists; true when it wrote.</summary>
    public static bool MSetIfNoneExist(RedisKeyspace ks, RedisArgs pairs)
    {
        for (int i = 0; i + 1 < pairs.Count; i += 2)
        {
            if (ks.Lookup(pairs[i], out _) != RedisType.None)
            {
                return false;
            }
        }

        MSet(ks, pairs);
        return true;
    }

    /// <summary>INCR, DECR, INCRBY, DECRBY: the value as a decimal long plus <paramref name="by"/>, without overflow.</summary>
    public static RedisError IncrBy(RedisKeyspace ks, ReadOnlySpan<byte> key, long by, out long result)
    {
        result = 0;
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        long value = 0;
        if (meta.Type != RedisType.None && !RedisNumbers.ParseLong(ks.StringValue, out value))
        {
            return RedisError.NotInteger;
        }

        if ((by > 0 && value > long.MaxValue - by) || (by < 0 && value < long.MinValue - by))
        {
            return RedisError.Overflow;
        }

        result = value + by;
        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(result, digits, out int n);
        ks.WriteString(key, digits[..n], meta.ExpireAtMs, meta.ExpireAtMs);
        return RedisError.None;
    }

    /// <summary>INCRBYFLOAT in x87 long double arithmetic, stored and returned as <c>%.17Lf</c> trimmed, as Redis does.</summary>
    public static RedisError IncrByFloat(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> by, out byte[] result)
    {
        result = [];
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        ExtendedReal value = default;
        if ((meta.Type != RedisType.None && !RedisNumbers.ParseLongDouble(ks.StringValue, out value)) ||
            !RedisNumbers.ParseLongDouble(by, out ExtendedReal increment))
        {
            return RedisError.NotFloat;
        }

        ExtendedReal sum = ExtendedReal.Add(value, increment);
        if (ExtendedReal.SumIsNaN(value, increment) || sum.IsInfinity)
        {
            return RedisError.NaNOrInfinity;
        }

        result = Encoding.ASCII.GetBytes(sum.ToHumanString());
        ks.WriteString(key, result, meta.ExpireAtMs, meta.ExpireAtMs);
        return RedisError.None;
    }

    /// <summary>APPEND: the new length, checked against the string and commit limits before the value is built.</summary>
    public static RedisError Append(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> suffix, out long length)
    {
        length = 0;
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        ReadOnlySpan<byte> current = meta.Type == RedisType.None ? default : ks.StringValue;
        error = ks.CheckStringLength((long)current.Length + suffix.Length);
        if (error != RedisError.None)
        {
            return error;
        }

        ArrayBufferWriter<byte> compose = ks.Compose;
        compose.Write(current);
        compose.Write(suffix);
        ks.WriteString(key, compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
        length = compose.WrittenCount;
        return RedisError.None;
    }

    public static RedisError StrLen(RedisKeyspace ks, ReadOnlySpan<byte> key, out long length)
    {
        RedisError error = Get(ks, key, out _, out ReadOnlySpan<byte> value);
        length = value.Length;
        return error;
    }

    /// <summary>GETRANGE: the inclusive byte range (negative = from the end), empty when out of range.</summary>
    public static RedisError GetRange(RedisKeyspace ks, ReadOnlySpan<byte> key, long start, long end, out ReadOnlySpan<byte> slice)
    {
        slice = default;
        RedisError error = Get(ks, key, out bool found, out ReadOnlySpan<byte> value);
        if (!found || (start < 0 && end < 0 && start > end))
        {
            return error;
        }

        (long from, long to) = RedisRange.Normalize(start, end, value.Length);
        to = Math.Max(to, 0); // Redis clamps a still-negative end to 0 for GETRANGE
        slice = from > to || value.IsEmpty ? default : value[(int)from..(int)(to + 1)];
        return RedisError.None;
    }

    /// <summary>SETRANGE: overwrites from <paramref name="offset"/> (zero-padding a gap); the new length.</summary>
    public static RedisError SetRange(RedisKeyspace ks, ReadOnlySpan<byte> key, long offset, ReadOnlySpan<byte> patch, out long length)
    {
        length = 0;
        if (offset < 0)
        {
            return RedisError.OffsetOutOfRange;
        }

        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        ReadOnlySpan<byte> current = meta.Type == RedisType.None ? default : ks.StringValue;
        if (patch.IsEmpty)
        {
            length = current.Length;
            return RedisError.None;
        }

        // Before anything of that size is allocated.
        error = ks.CheckStringLength(Math.Min(offset, RedisKeyspace.MaxStringLength) + patch.Length);
        if (error != RedisError.None)
        {
            return error;
        }

        int total = (int)Math.Max(current.Length, offset + patch.Length);
        ArrayBufferWriter<byte> compose = ks.Compose;
        Span<byte> target = compose.GetSpan(total)[..total];
        target.Clear();
        current.CopyTo(target);
        patch.CopyTo(target[(int)offset..]);
        compose.Advance(total);
        ks.WriteString(key, compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
        length = total;
        return RedisError.None;
    }
}

using System.Buffers.Text;
using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>Hash operations: one element record per field (<c>prefix field -> value</c>), the field count in the metadata.</summary>
public static class RedisHashes
{
    /// <summary>HSET/HMSET over field/value pairs; <paramref name="added"/> counts new fields (a field repeated in the call once).</summary>
    public static RedisError Set(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisArgs fieldValues, out long added)
    {
        added = 0;
        RedisError error = ks.Find(key, RedisType.Hash, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        bool existed = meta.Type == RedisType.Hash;
        long oldExpire = meta.ExpireAtMs;
        meta.Type = RedisType.Hash;
        for (int i = 0; i + 1 < fieldValues.Count; i += 2)
        {
            if (!existed || !ks.TryGetElement(key, fieldValues[i], default, out _))
            {
                added++;
            }

            ks.PutElement(key, fieldValues[i], default, fieldValues[i + 1]);
        }

        meta.Count += added;
        if (added > 1 && !existed)
        {
            // Duplicate fields in one call count once: recount only when that could have happened.
            meta.Count = RedisCollections.CountRecords(ks, key);
            added = meta.Count;
        }

        ks.WriteCollectionMeta(key, meta, oldExpire);
        return RedisError.None;
    }

    /// <summary>HSETNX: sets the field only when it is missing.</summary>
    public static RedisError SetIfMissing(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, out bool written)
    {
        written = false;
        RedisError error = ks.Find(key, RedisType.Hash, out KeyMeta meta);
        if (error != RedisError.None || (meta.Type == RedisType.Hash && ks.TryGetElement(key, field, default, out _)))
        {
            return error;
        }

        long oldExpire = meta.ExpireAtMs;
        meta.Type = RedisType.Hash;
        meta.Count++;
        ks.PutElement(key, field, default, value);
        ks.WriteCollectionMeta(key, meta, oldExpire);
        written = true;
        return RedisError.None;
    }

    /// <summary>HGET (and HSTRLEN, HMGET per field): the field's value, valid until the next element read.</summary>
    public static RedisError Get(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, out bool found, out ReadOnlySpan<byte> value)
    {
        RedisError error = ks.Find(key, RedisType.Hash, out KeyMeta meta);
        value = default;
        found = meta.Type == RedisType.Hash && ks.TryGetElement(key, field, default, out value);
        return error;
    }

    /// <summary>HINCRBY: the field as a decimal long plus <paramref name="by"/>.</summary>
    public static RedisError IncrBy(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, long by, out long result)
    {
        result = 0;
        RedisError error = ks.Find(key, RedisType.Hash, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        ReadOnlySpan<byte> current = default;
        bool exists = meta.Type == RedisType.Hash && ks.TryGetElement(key, field, default, out current);
        long value = 0;
        if (exists && !RedisNumbers.ParseLong(current, out value))
        {
            return RedisError.HashNotInteger;
        }

        if ((by > 0 && value > long.MaxValue - by) || (by < 0 && value < long.MinValue - by))
        {
            return RedisError.Overflow;
        }

        result = value + by;
        Span<byte> text = stackalloc byte[24];
        Utf8Formatter.TryFormat(result, text, out int n);
        PutField(ks, key, ref meta, exists, field, text[..n]);
        return RedisError.None;
    }

    /// <summary>HINCRBYFLOAT in long double arithmetic and <c>%.17Lf</c>, as Redis computes and stores it.</summary>
    public static RedisError IncrByFloat(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ExtendedReal by, out byte[] result)
    {
        result = [];
        RedisError error = ks.Find(key, RedisType.Hash, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        ReadOnlySpan<byte> current = default;
        bool exists = meta.Type == RedisType.Hash && ks.TryGetElement(key, field, default, out current);
        ExtendedReal value = default;
        if (exists && !RedisNumbers.ParseLongDouble(current, out value))
        {
            return RedisError.HashNotFloat;
        }

        ExtendedReal sum = ExtendedReal.Add(value, by);
        if (ExtendedReal.SumIsNaN(value, by) || sum.IsInfinity)
        {
            return RedisError.NaNOrInfinity;
        }

        result = Encoding.ASCII.GetBytes(sum.ToHumanString());
        PutField(ks, key, ref meta, exists, field, result);
        return RedisError.None;
    }

    private static void PutField(RedisKeyspace ks, ReadOnlySpan<byte> key, ref KeyMeta meta, bool exists, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        long oldExpire = meta.ExpireAtMs;
        meta.Type = RedisType.Hash;
        if (!exists)
        {
            meta.Count++;
        }

        ks.PutElement(key, field, default, value);
        ks.WriteCollectionMeta(key, meta, oldExpire);
    }
}

using System.Buffers;

namespace ThunderDb.Core.Redis;

/// <summary>
/// PFADD, PFCOUNT and PFMERGE over string values in Redis's own HyperLogLog format (<see cref="HyperLogLogFormat"/>),
/// so a value copied from Redis works here and GET returns the bytes Redis would hold. A string that is not an HLL is
/// <see cref="RedisError.HllWrongType"/>; an HLL whose sparse opcodes do not add up is <see cref="RedisError.HllCorrupt"/>.
/// PFCOUNT of one key answers the cached count when it is fresh (no write, nothing allocated) and otherwise stores the
/// new count in the header, as Redis does.
/// </summary>
public static partial class RedisHyperLogLog
{
    /// <summary>Redis's <c>hll-sparse-max-bytes</c> default: a sparse value that would grow past it turns dense.</summary>
    public const long DefaultSparseMaxBytes = 3000;

    /// <summary>PFADD key element...: <paramref name="changed"/> when the key was created or a register rose.</summary>
    public static RedisError Add(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisArgs elements, long sparseMaxBytes, out bool changed)
    {
        changed = false;
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        ReadOnlySpan<byte> current = meta.Type == RedisType.None ? HyperLogLogFormat.Empty : ks.StringValue;
        if (!HyperLogLogFormat.IsValid(current))
        {
            return RedisError.HllWrongType;
        }

        int updated = meta.Type == RedisType.None ? 1 : 0;
        ArrayBufferWriter<byte> compose = ks.Compose;
        Span<byte> b = compose.GetSpan(HyperLogLogFormat.WorkCapacity(current.Length));
        current.CopyTo(b);
        int length = current.Length;
        for (int i = 0; i < elements.Count; i++)
        {
            int count = HyperLogLogFormat.PatternLength(elements[i], out int register);
            int result = b[4] == HyperLogLogFormat.Dense
                ? HyperLogLogFormat.DenseSet(b[HyperLogLogFormat.HeaderSize..HyperLogLogFormat.DenseSize], register, count)
                : HyperLogLogFormat.SparseSet(b, ref length, register, count, sparseMaxBytes);
            if (result < 0)
            {
                return RedisError.HllCorrupt;
            }

            updated += result;
        }

        if (updated > 0)
        {
            HyperLogLogFormat.InvalidateCache(b);
            compose.Advance(length);
            ks.WriteString(key, compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
            changed = true;
        }

        return RedisError.None;
    }

    /// <summary>PFCOUNT key: the estimated cardinality (0 for a missing key).</summary>
    public static RedisError Count(RedisKeyspace ks, ReadOnlySpan<byte> key, out long count)
    {
        count = 0;
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        ReadOnlySpan<byte> value = ks.StringValue;
        if (!HyperLogLogFormat.IsValid(value))
        {
            return RedisError.HllWrongType;
        }

        if (HyperLogLogFormat.CacheValid(value))
        {
            count = HyperLogLogFormat.CachedCount(value);
            return RedisError.None;
        }

        if (!HyperLogLogFormat.TryCount(value, out count))
        {
            return RedisError.HllCorrupt;
        }

        // Redis keeps the count in the value (PFCOUNT is a read that writes its cache).
        ArrayBufferWriter<byte> compose = ks.Compose;
        Span<byte> b = compose.GetSpan(value.Length)[..value.Length];
        value.CopyTo(b);
        HyperLogLogFormat.SetCachedCount(b, count);
        compose.Advance(value.Length);
        ks.WriteString(key, compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
        return RedisError.None;
    }

    /// <summary>PFCOUNT key key...: the cardinality of the union (missing keys are empty HLLs), nothing written.</summary>
    public static RedisError CountUnion(RedisKeyspace ks, RedisArgs keys, out long count)
    {
        count = 0;
        Span<byte> raw = stackalloc byte[HyperLogLogFormat.Registers];
        raw.Clear();
        RedisError error = MergeSources(ks, keys, raw, out _);
        if (error != RedisError.None)
        {
            return error;
        }

        count = HyperLogLogFormat.CountRaw(raw);
        return RedisError.None;
    }

    /// <summary>
    /// PFMERGE destkey [sourcekey...]: <paramref name="keys"/> starts with the destination, which is merged too (as in
    /// Redis). The destination turns dense when any input is dense and keeps its expiry.
    /// </summary>
    public static RedisError Merge(RedisKeyspace ks, RedisArgs keys, long sparseMaxBytes)
    {
        Span<byte> raw = stackalloc byte[HyperLogLogFormat.Registers];
        raw.Clear();
        RedisError error = MergeSources(ks, keys, raw, out bool anyDense);
        if (error != RedisError.None)
        {
            return error;
        }

        ReadOnlySpan<byte> destination = keys[0];
        ks.Find(destination, RedisType.String, out KeyMeta meta); // checked by MergeSources
        ReadOnlySpan<byte> current = meta.Type == RedisType.None ? HyperLogLogFormat.Empty : ks.StringValue;
        ArrayBufferWriter<byte> compose = ks.Compose;
        Span<byte> b = compose.GetSpan(HyperLogLogFormat.WorkCapacity(current.Length));
        current.CopyTo(b);
        int length = current.Length;
        if (anyDense && !HyperLogLogFormat.SparseToDense(b, ref length))
        {
            return RedisError.HllCorrupt;
        }

        for (int i = 0; i < HyperLogLogFormat.Registers; i++)
        {
            if (raw[i] == 0)
            {
                continue;
            }

            if (b[4] == HyperLogLogFormat.Dense)
            {
                HyperLogLogFormat.DenseSet(b[HyperLogLogFormat.HeaderSize..HyperLogLogFormat.DenseSize], i, raw[i]);
            }
            else
            {
                HyperLogLogFormat.SparseSet(b, ref length, i, raw[i], sparseMaxBytes);
            }
        }

        HyperLogLogFormat.InvalidateCache(b);
        compose.Advance(length);
        ks.WriteString(destination, compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
        return RedisError.None;
    }

    /// <summary>Raises <paramref name="raw"/> to every HLL among <paramref name="keys"/> (missing keys count as empty).</summary>
    private static RedisError MergeSources(RedisKeyspace ks, RedisArgs keys, Span<byte> raw, out bool anyDense)
    {
        anyDense = false;
        for (int i = 0; i < keys.Count; i++)
        {
            RedisError error = ks.Find(keys[i], RedisType.String, out KeyMeta meta);
            if (error != RedisError.None)
            {
                return error;
            }

            if (meta.Type == RedisType.None)
            {
                continue;
            }

            ReadOnlySpan<byte> value = ks.StringValue;
            if (!HyperLogLogFormat.IsValid(value))
            {
                return RedisError.HllWrongType;
            }

            anyDense |= value[4] == HyperLogLogFormat.Dense;
            if (!HyperLogLogFormat.MergeInto(raw, value))
            {
                return RedisError.HllCorrupt;
            }
        }

        return RedisError.None;
    }
}

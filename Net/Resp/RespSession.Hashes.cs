using ThunderDb.Core.Kv;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>Hash commands: one element record per field (<c>prefix field -> value</c>), the field count in the metadata.</summary>
internal sealed partial class RespSession
{
    private void ExecuteHash(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        switch (id)
        {
            case CommandId.HSet:
            case CommandId.HMSet:
                {
                    if (_argc % 2 != 0)
                    {
                        throw Error($"ERR wrong number of arguments for '{Lower(id.ToString())}' command");
                    }

                    RedisType type = Find(key, RedisType.Hash, out KeyMeta meta);
                    long oldExpire = meta.ExpireAtMs;
                    meta.Type = RedisType.Hash;
                    long added = 0;
                    for (int i = 2; i < _argc; i += 2)
                    {
                        if (type == RedisType.None || !_keyspace.TryGetElement(key, Arg(i), default, out _))
                        {
                            added++;
                        }

                        _keyspace.PutElement(key, Arg(i), default, Arg(i + 1));
                    }

                    // Duplicate fields in one call count once: recount only when that could have happened.
                    meta.Count += added;
                    if (added > 1 && type == RedisType.None)
                    {
                        meta.Count = CountElements(key);
                        added = meta.Count;
                    }

                    _keyspace.WriteCollectionMeta(key, meta, oldExpire);
                    if (id == CommandId.HSet)
                    {
                        _out.WriteInteger(added);
                    }
                    else
                    {
                        _out.WriteOk();
                    }

                    break;
                }

            case CommandId.HSetNx:
                {
                    RedisType type = Find(key, RedisType.Hash, out KeyMeta meta);
                    if (type != RedisType.None && _keyspace.TryGetElement(key, Arg(2), default, out _))
                    {
                        _out.WriteInteger(0);
                        break;
                    }

                    long oldExpire = meta.ExpireAtMs;
                    meta.Type = RedisType.Hash;
                    meta.Count++;
                    _keyspace.PutElement(key, Arg(2), default, Arg(3));
                    _keyspace.WriteCollectionMeta(key, meta, oldExpire);
                    _out.WriteInteger(1);
                    break;
                }

            case CommandId.HGet:
                if (Find(key, RedisType.Hash, out _) != RedisType.None && _keyspace.TryGetElement(key, Arg(2), default, out ReadOnlySpan<byte> value))
                {
                    _out.WriteBulk(value);
                }
                else
                {
                    _out.WriteNull();
                }

                break;
            case CommandId.HStrLen:
                _out.WriteInteger(Find(key, RedisType.Hash, out _) != RedisType.None && _keyspace.TryGetElement(key, Arg(2), default, out ReadOnlySpan<byte> v)
                    ? v.Length
                    : 0);
                break;
            case CommandId.HMGet:
                {
                    bool exists = Find(key, RedisType.Hash, out _) != RedisType.None;
                    _out.WriteArrayHeader(_argc - 2);
                    for (int i = 2; i < _argc; i++)
                    {
                        if (exists && _keyspace.TryGetElement(key, Arg(i), default, out ReadOnlySpan<byte> fv))
                        {
                            _out.WriteBulk(fv);
                        }
                        else
                        {
                            _out.WriteNull();
                        }
                    }

                    break;
                }

            case CommandId.HGetAll:
            case CommandId.HKeys:
            case CommandId.HVals:
                {
                    Find(key, RedisType.Hash, out KeyMeta meta);
                    int prefix = _keyspace.ElementPrefixLength(key);
                    if (id == CommandId.HGetAll)
                    {
                        _out.WriteMapHeader(meta.Count);
                    }
                    else
                    {
                        _out.WriteArrayHeader(meta.Count);
                    }

                    if (meta.Count == 0)
                    {
                        break;
                    }

                    using IKvCursor cursor = _keyspace.ScanElements(key, default, default);
                    while (cursor.MoveNext())
                    {
                        if (id != CommandId.HVals)
                        {
                            _out.WriteBulk(cursor.Key[prefix..]);
                        }

                        if (id != CommandId.HKeys)
                        {
                            _out.WriteBulk(cursor.Value);
                        }
                    }

                    break;
                }

            case CommandId.HDel:
                {
                    if (Find(key, RedisType.Hash, out KeyMeta meta) == RedisType.None)
                    {
                        _out.WriteInteger(0);
                        break;
                    }

                    long removed = 0;
                    for (int i = 2; i < _argc; i++)
                    {
                        if (_keyspace.TryGetElement(key, Arg(i), default, out _))
                        {
                            _keyspace.DeleteElement(key, Arg(i));
                            removed++;
                        }
                    }

                    meta.Count -= removed;
                    if (removed > 0)
                    {
                        _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
                    }

                    _out.WriteInteger(removed);
                    break;
                }

            case CommandId.HExists:
                _out.WriteInteger(Find(key, RedisType.Hash, out _) != RedisType.None && _keyspace.TryGetElement(key, Arg(2), default, out _) ? 1 : 0);
                break;
            case CommandId.HLen:
                Find(key, RedisType.Hash, out KeyMeta lenMeta);
                _out.WriteInteger(lenMeta.Count);
                break;
            case CommandId.HIncrBy:
            case CommandId.HIncrByFloat:
                HashIncrement(id == CommandId.HIncrByFloat);
                break;
            case CommandId.HScan:
                ScanElementsCommand(RedisType.Hash);
                break;
            case CommandId.HRandField:
                RandomElements(RedisType.Hash);
                break;
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    private long CountElements(ReadOnlySpan<byte> key)
    {
        long n = 0;
        using IKvCursor cursor = _keyspace.ScanElements(key, default, default);
        while (cursor.MoveNext())
        {
            n++;
        }

        return n;
    }

    private void HashIncrement(bool floating)
    {
        ReadOnlySpan<byte> key = Arg(1);
        long byInt = floating ? 0 : ArgLong(3);
        ExtendedReal byFloat = default;
        if (floating && !RedisParseLongDouble(Arg(3), out byFloat))
        {
            throw Error(Errors.NotFloat);
        }

        if (floating && byFloat.IsInfinity)
        {
            throw Error("ERR value is NaN or Infinity");
        }

        RedisType type = Find(key, RedisType.Hash, out KeyMeta meta);
        ReadOnlySpan<byte> current = default;
        bool exists = type != RedisType.None && _keyspace.TryGetElement(key, Arg(2), default, out current);
        Span<byte> text = stackalloc byte[40];
        int n;
        if (floating)
        {
            // long double arithmetic and %.17Lf, as Redis computes and stores it
            ExtendedReal value = default;
            if (exists && !RedisParseLongDouble(current, out value))
            {
                throw Error(Errors.HashNotFloat);
            }

            ExtendedReal result = ExtendedReal.Add(value, byFloat);
            if (ExtendedReal.SumIsNaN(value, byFloat) || result.IsInfinity)
            {
                throw Error(Errors.NaNOrInfinity);
            }

            text = System.Text.Encoding.ASCII.GetBytes(result.ToHumanString());
            n = text.Length;
        }
        else
        {
            long value = 0;
            if (exists && !ParseLong(current, out value))
            {
                throw Error(Errors.HashNotInteger);
            }

            long result;
            try
            {
                result = checked(value + byInt);
            }
            catch (OverflowException)
            {
                throw Error(Errors.Overflow);
            }

            System.Buffers.Text.Utf8Formatter.TryFormat(result, text, out n);
        }

        long oldExpire = meta.ExpireAtMs;
        meta.Type = RedisType.Hash;
        if (!exists)
        {
            meta.Count++;
        }

        _keyspace.PutElement(key, Arg(2), default, text[..n]);
        _keyspace.WriteCollectionMeta(key, meta, oldExpire);
        if (floating)
        {
            _out.WriteBulk(text[..n]);
        }
        else
        {
            _out.WriteInteger(ParseLong(text[..n], out long r) ? r : 0);
        }
    }

    /// <summary>HSCAN, SSCAN, ZSCAN: a resumable cursor over the element records.</summary>
    private void ScanElementsCommand(RedisType type)
    {
        byte[] resume = ResolveCursor(2);
        (byte[]? pattern, long count, _) = ScanOptions(3, allowType: false);
        ReadOnlySpan<byte> key = Arg(1);
        var items = new List<byte[]>();
        long visited = 0;
        byte[]? last = null;
        bool more = false;
        Span<byte> scoreText = stackalloc byte[40];
        if (Find(key, type, out _) != RedisType.None)
        {
            int prefix = _keyspace.ElementPrefixLength(key);
            byte[] tag = type == RedisType.ZSet ? [RedisKeyCodec.ZSetMemberTag] : [];
            byte[] from = [.. tag, .. resume];
            ReadOnlySpan<byte> to = type == RedisType.ZSet ? [RedisKeyCodec.ZSetMemberTag + 1] : default;
            using IKvCursor cursor = _keyspace.ScanElements(key, from, to);
            while (cursor.MoveNext())
            {
                if (visited == count)
                {
                    more = true;
                    break;
                }

                visited++;
                ReadOnlySpan<byte> element = cursor.Key[(prefix + tag.Length)..];
                last = element.ToArray();
                if (pattern is not null && !GlobPattern.IsMatch(pattern, element))
                {
                    continue;
                }

                items.Add(last);
                if (type == RedisType.Hash)
                {
                    items.Add(cursor.Value.ToArray());
                }
                else if (type == RedisType.ZSet)
                {
                    int n = RespWriter.FormatDouble(ReadScore(cursor.Value), scoreText);
                    items.Add(scoreText[..n].ToArray());
                }
            }
        }

        _out.WriteArrayHeader(2);
        _out.WriteBulk(more ? _server.ScanCursors.Register(last!) : 0);
        WriteBulkArray(items);
    }

    /// <summary>All element records of a key as (suffix, value) pairs, in key order.</summary>
    private List<(byte[] Element, byte[] Value)> LoadElements(ReadOnlySpan<byte> key, ReadOnlySpan<byte> from = default, ReadOnlySpan<byte> to = default)
    {
        var list = new List<(byte[], byte[])>();
        int prefix = _keyspace.ElementPrefixLength(key) + from.Length;
        using IKvCursor cursor = _keyspace.ScanElements(key, from, to);
        while (cursor.MoveNext())
        {
            list.Add((cursor.Key[prefix..].ToArray(), cursor.Value.ToArray()));
        }

        return list;
    }

    /// <summary>HRANDFIELD, SRANDMEMBER: one random element, or a count (negative = repeats allowed).</summary>
    private void RandomElements(RedisType type)
    {
        ReadOnlySpan<byte> key = Arg(1);
        if (type == RedisType.Set && _argc > 3)
        {
            throw Error(Errors.Syntax); // SRANDMEMBER checks its arity before its count
        }

        long? count = null;
        if (_argc >= 3)
        {
            // Redis: the count first, within [-LONG_MAX, LONG_MAX], then the options (HRANDFIELD).
            count = ArgLong(2);
            if (count == long.MinValue)
            {
                throw Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
            }
        }

        bool withValues = type == RedisType.Hash && _argc == 4 && ArgIs(3, "WITHVALUES"u8);
        if (_argc > (type == RedisType.Hash ? (withValues ? 4 : 3) : 3))
        {
            throw Error(Errors.Syntax);
        }

        if (withValues && (count < -long.MaxValue / 2 || count > long.MaxValue / 2))
        {
            throw Error("ERR value is out of range");
        }

        // A negative count repeats picks: Redis would build the whole reply (and run out of memory for a huge one);
        // past this many picks the answer is an error instead.
        if (count < -MaxRandomPicks)
        {
            throw Error("ERR value is out of range");
        }

        if (Find(key, type, out _) == RedisType.None)
        {
            if (count is null)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteArrayHeader(0);
            }

            return;
        }

        List<(byte[] Element, byte[] Value)> all = LoadElements(key);
        if (count is null)
        {
            _out.WriteBulk(all[Random.Shared.Next(all.Count)].Element);
            return;
        }

        var picked = new List<(byte[] Element, byte[] Value)>();
        if (count < 0)
        {
            for (long i = 0; i < -count.Value; i++)
            {
                picked.Add(all[Random.Shared.Next(all.Count)]);
            }
        }
        else
        {
            Shuffle(all);
            picked.AddRange(all.Take((int)Math.Min(count.Value, all.Count)));
        }

        if (withValues && _out.Protocol == 3)
        {
            _out.WriteArrayHeader(picked.Count);
            foreach ((byte[] e, byte[] v) in picked)
            {
                _out.WriteArrayHeader(2);
                _out.WriteBulk(e);
                _out.WriteBulk(v);
            }

            return;
        }

        _out.WriteArrayHeader(withValues ? picked.Count * 2 : picked.Count);
        foreach ((byte[] e, byte[] v) in picked)
        {
            _out.WriteBulk(e);
            if (withValues)
            {
                _out.WriteBulk(v);
            }
        }
    }

    private const long MaxRandomPicks = 16 * 1024 * 1024;

    private static void Shuffle<T>(List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = Random.Shared.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}

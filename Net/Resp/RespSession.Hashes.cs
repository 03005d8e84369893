using ThunderDb.Core.Redis;
using ThunderDb.Core.Session;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>Hash commands: one element record per field (<c>prefix field -> value</c>), the field count in the metadata.</summary>
internal sealed partial class RespSession
{
    private RedisError ExecuteHash(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        RedisError error;
        switch (id)
        {
            case CommandId.HSet:
            case CommandId.HMSet:
                {
                    if (_argc % 2 != 0)
                    {
                        return RedisError.WrongArgumentCount;
                    }

                    error = RedisHashes.Set(_keyspace, key, Args(2), out long added);
                    if (id == CommandId.HSet)
                    {
                        _out.WriteInteger(added);
                    }
                    else
                    {
                        _out.WriteOk();
                    }

                    return error;
                }

            case CommandId.HSetNx:
                {
                    error = RedisHashes.SetIfMissing(_keyspace, key, Arg(2), Arg(3), out bool written);
                    _out.WriteInteger(written ? 1 : 0);
                    return error;
                }

            case CommandId.HGet:
                {
                    error = RedisHashes.Get(_keyspace, key, Arg(2), out bool found, out ReadOnlySpan<byte> value);
                    WriteBulkOrNull(found, value);
                    return error;
                }

            case CommandId.HStrLen:
                {
                    error = RedisHashes.Get(_keyspace, key, Arg(2), out _, out ReadOnlySpan<byte> value);
                    _out.WriteInteger(value.Length);
                    return error;
                }

            case CommandId.HMGet:
                _out.WriteArrayHeader(_argc - 2);
                for (int i = 2; i < _argc; i++)
                {
                    error = RedisHashes.Get(_keyspace, key, Arg(i), out bool found, out ReadOnlySpan<byte> value);
                    if (error != RedisError.None)
                    {
                        return error;
                    }

                    WriteBulkOrNull(found, value);
                }

                return RedisError.None;
            case CommandId.HGetAll:
            case CommandId.HKeys:
            case CommandId.HVals:
                {
                    error = RedisCollections.Read(_keyspace, key, RedisType.Hash, out long count, out ElementReader reader);
                    using (reader)
                    {
                        if (id == CommandId.HGetAll)
                        {
                            _out.WriteMapHeader(count);
                        }
                        else
                        {
                            _out.WriteArrayHeader(count);
                        }

                        while (reader.MoveNext())
                        {
                            if (id != CommandId.HVals)
                            {
                                _out.WriteBulk(reader.Element);
                            }

                            if (id != CommandId.HKeys)
                            {
                                _out.WriteBulk(reader.Value);
                            }
                        }
                    }

                    return error;
                }

            case CommandId.HDel:
                {
                    error = RedisCollections.Remove(_keyspace, key, RedisType.Hash, Args(2), out long removed);
                    _out.WriteInteger(removed);
                    return error;
                }

            case CommandId.HExists:
                {
                    error = RedisCollections.Contains(_keyspace, key, RedisType.Hash, Arg(2), out bool exists);
                    _out.WriteInteger(exists ? 1 : 0);
                    return error;
                }

            case CommandId.HLen:
                {
                    error = RedisCollections.Count(_keyspace, key, RedisType.Hash, out long count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.HIncrBy:
                {
                    if (ArgLong(3, out long by) is RedisError bad)
                    {
                        return bad;
                    }

                    error = RedisHashes.IncrBy(_keyspace, key, Arg(2), by, out long result);
                    _out.WriteInteger(result);
                    return error;
                }

            case CommandId.HIncrByFloat:
                {
                    if (!RedisNumbers.ParseLongDouble(Arg(3), out ExtendedReal by))
                    {
                        return RedisError.NotFloat;
                    }

                    if (by.IsInfinity)
                    {
                        throw Error("ERR value is NaN or Infinity");
                    }

                    error = RedisHashes.IncrByFloat(_keyspace, key, Arg(2), by, out byte[] text);
                    _out.WriteBulk(text);
                    return error;
                }

            case CommandId.HScan:
                return ScanElementsCommand(RedisType.Hash);
            case CommandId.HRandField:
                return RandomElements(RedisType.Hash);
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    /// <summary>All element records of a key as (suffix, value) pairs, in key order.</summary>
    private List<(byte[] Element, byte[] Value)> LoadElements(ReadOnlySpan<byte> key, ReadOnlySpan<byte> from = default, ReadOnlySpan<byte> to = default)
    {
        var list = new List<(byte[], byte[])>();
        if (RedisCollections.Load(_keyspace, key, list, from, to) == RedisError.DeadlineExceeded)
        {
            throw new DeadlineExceededException();
        }

        return list;
    }

    /// <summary>HRANDFIELD, SRANDMEMBER: one random element, or a count (negative = repeats allowed).</summary>
    private RedisError RandomElements(RedisType type)
    {
        ReadOnlySpan<byte> key = Arg(1);
        if (type == RedisType.Set && _argc > 3)
        {
            return RedisError.Syntax; // SRANDMEMBER checks its arity before its count
        }

        long? count = null;
        if (_argc >= 3)
        {
            // Redis: the count first, within [-LONG_MAX, LONG_MAX], then the options (HRANDFIELD).
            if (ArgLong(2, out long parsed) is RedisError bad)
            {
                return bad;
            }

            count = parsed;
            if (count == long.MinValue)
            {
                return RedisError.CountOutOfRange;
            }
        }

        bool withValues = type == RedisType.Hash && _argc == 4 && ArgIs(3, "WITHVALUES"u8);
        if (_argc > (type == RedisType.Hash ? (withValues ? 4 : 3) : 3))
        {
            return RedisError.Syntax;
        }

        if (withValues && (count < -long.MaxValue / 2 || count > long.MaxValue / 2))
        {
            return RedisError.ValueOutOfRange;
        }

        // A negative count repeats picks: Redis would build the whole reply (and run out of memory for a huge one);
        // past this many picks the answer is an error instead.
        if (count < -MaxRandomPicks)
        {
            return RedisError.ValueOutOfRange;
        }

        RedisError error = _keyspace.Find(key, type, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        if (meta.Type == RedisType.None)
        {
            if (count is null)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteArrayHeader(0);
            }

            return RedisError.None;
        }

        List<(byte[] Element, byte[] Value)> all = LoadElements(key);
        if (count is null)
        {
            _out.WriteBulk(all[Random.Shared.Next(all.Count)].Element);
            return RedisError.None;
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
            RedisSets.Shuffle(all);
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

            return RedisError.None;
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

        return RedisError.None;
    }

    private const long MaxRandomPicks = RedisSortedSets.MaxRandomPicks;
}

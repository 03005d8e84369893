using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>Sorted-set commands: argument checks and replies over <see cref="RedisSortedSets"/>.</summary>
internal sealed partial class RespSession
{
    private RedisError ExecuteSortedSet(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        RedisError error;
        switch (id)
        {
            case CommandId.ZAdd:
                return ZAdd();
            case CommandId.ZRem:
                {
                    error = RedisSortedSets.Remove(_keyspace, key, Args(2), out long removed);
                    _out.WriteInteger(removed);
                    return error;
                }

            case CommandId.ZScore:
                {
                    error = RedisSortedSets.Score(_keyspace, key, Arg(2), out bool found, out double score);
                    WriteDoubleOrNull(found, score);
                    return error;
                }

            case CommandId.ZMScore:
                {
                    error = RedisSortedSets.Open(_keyspace, key, out bool exists);
                    _out.WriteArrayHeader(_argc - 2);
                    for (int i = 2; i < _argc; i++)
                    {
                        double score = 0;
                        WriteDoubleOrNull(exists && RedisSortedSets.TryGetScore(_keyspace, key, Arg(i), out score), score);
                    }

                    return error;
                }

            case CommandId.ZIncrBy:
                {
                    error = RedisSortedSets.ParseScore(Arg(2), out double by);
                    if (error != RedisError.None)
                    {
                        return error;
                    }

                    error = RedisSortedSets.IncrBy(_keyspace, key, by, Arg(3), out double score);
                    if (error == RedisError.None)
                    {
                        _out.WriteDouble(score);
                    }

                    return error;
                }

            case CommandId.ZCard:
                {
                    error = RedisCollections.Count(_keyspace, key, RedisType.ZSet, out long count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.ZCount:
                {
                    if ((error = ScoreBound.Parse(Arg(2), out ScoreBound min)) != RedisError.None ||
                        (error = ScoreBound.Parse(Arg(3), out ScoreBound max)) != RedisError.None)
                    {
                        return error;
                    }

                    error = RedisSortedSets.CountByScore(_keyspace, key, min, max, out long count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.ZRange:
            case CommandId.ZRangeByScore:
            case CommandId.ZRevRangeByScore:
            case CommandId.ZRevRange:
                return ZRange(id);
            case CommandId.ZRank:
            case CommandId.ZRevRank:
                {
                    error = RedisSortedSets.Rank(_keyspace, key, Arg(2), id == CommandId.ZRevRank, out long rank);
                    if (rank < 0)
                    {
                        _out.WriteNull();
                    }
                    else
                    {
                        _out.WriteInteger(rank);
                    }

                    return error;
                }

            case CommandId.ZPopMin:
            case CommandId.ZPopMax:
                return ZPop(id == CommandId.ZPopMax);
            case CommandId.ZScan:
                return ScanElementsCommand(RedisType.ZSet);
            default:
                return ExecuteSortedSetExtension(id);
        }
    }

    private void WriteDoubleOrNull(bool found, double value)
    {
        if (found)
        {
            _out.WriteDouble(value);
        }
        else
        {
            _out.WriteNull();
        }
    }

    private RedisError ZAdd()
    {
        RedisError error = RedisSortedSets.ParseAddFlags(Args(2), out ZAddFlags flags, out int consumed);
        if (error != RedisError.None)
        {
            return error;
        }

        error = RedisSortedSets.Add(_keyspace, Arg(1), flags, Args(2 + consumed), out ZAddResult result);
        if ((flags & ZAddFlags.Incr) != 0)
        {
            WriteDoubleOrNull(result.Performed, result.LastScore);
        }
        else
        {
            _out.WriteInteger((flags & ZAddFlags.Ch) != 0 ? result.Added + result.Changed : result.Added);
        }

        return error;
    }

    private RedisError ZPop(bool max)
    {
        if (_argc > 3)
        {
            return RedisError.Syntax;
        }

        long count = 1;
        if (_argc == 3 && (!RedisNumbers.ParseLong(Arg(2), out count) || count < 0))
        {
            return RedisError.NotPositive;
        }

        var popped = new List<(byte[] Member, double Score)>();
        RedisError error = RedisSortedSets.Pop(_keyspace, Arg(1), max, count, popped);
        WriteScored(popped, withScores: true, nestPairs: _out.Protocol == 3 && _argc == 3);
        return error;
    }

    private void WriteScored(List<(byte[] Member, double Score)> items, bool withScores, bool nestPairs)
    {
        if (!withScores)
        {
            _out.WriteArrayHeader(items.Count);
            foreach ((byte[] m, _) in items)
            {
                _out.WriteBulk(m);
            }

            return;
        }

        _out.WriteArrayHeader(nestPairs ? items.Count : items.Count * 2);
        foreach ((byte[] m, double s) in items)
        {
            if (nestPairs)
            {
                _out.WriteArrayHeader(2);
            }

            _out.WriteBulk(m);
            _out.WriteDouble(s);
        }
    }
}

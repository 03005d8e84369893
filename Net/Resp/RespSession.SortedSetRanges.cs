using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Sorted-set range commands: the ZRANGE family (by rank, BYSCORE, BYLEX, REV, LIMIT), the lexicographical family
/// (ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT), the range removals and ZRANDMEMBER: options and replies over
/// <see cref="RedisSortedSets"/>.
/// </summary>
internal sealed partial class RespSession
{
    private RedisError ExecuteSortedSetExtension(CommandId id)
    {
        switch (id)
        {
            case CommandId.ZRangeByLex:
            case CommandId.ZRevRangeByLex:
                return ZRangeByLex(id == CommandId.ZRevRangeByLex);
            case CommandId.ZLexCount:
                {
                    RedisError error;
                    if ((error = LexBound.Parse(Arg(2), out LexBound min)) != RedisError.None ||
                        (error = LexBound.Parse(Arg(3), out LexBound max)) != RedisError.None)
                    {
                        return error;
                    }

                    error = RedisSortedSets.CountByLex(_keyspace, Arg(1), min, max, out long count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.ZRemRangeByScore:
            case CommandId.ZRemRangeByRank:
            case CommandId.ZRemRangeByLex:
                return ZRemRange(id);
            case CommandId.ZUnionStore:
            case CommandId.ZInterStore:
            case CommandId.ZDiffStore:
            case CommandId.ZUnion:
            case CommandId.ZInter:
            case CommandId.ZDiff:
                return ZSetAlgebra(id);
            case CommandId.ZRangeStore:
                return ZRange(id);
            case CommandId.ZRandMember:
                return ZRandMember();
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    /// <summary>ZRANGE and its older forms; ZRANGESTORE (<c>ZRANGESTORE dst src ...</c>: every argument one further) stores instead of replying.</summary>
    private RedisError ZRange(CommandId id)
    {
        bool store = id == CommandId.ZRangeStore;
        int at = store ? 1 : 0; // ZRANGESTORE's source and bounds sit one argument further
        if (store)
        {
            id = CommandId.ZRange; // the same options as ZRANGE, without WITHSCORES
        }

        bool byScore = id is CommandId.ZRangeByScore or CommandId.ZRevRangeByScore, byLex = false;
        bool reverse = id is CommandId.ZRevRange or CommandId.ZRevRangeByScore, withScores = false;
        long offset = 0, limit = -1;
        bool hasLimit = false;
        for (int i = 4 + at; i < _argc; i++)
        {
            if (!store && ArgIs(i, "WITHSCORES"u8))
            {
                withScores = true;
            }
            else if (id == CommandId.ZRange && ArgIs(i, "BYSCORE"u8))
            {
                byScore = true;
            }
            else if (id == CommandId.ZRange && ArgIs(i, "BYLEX"u8))
            {
                byLex = true;
            }
            else if (id == CommandId.ZRange && ArgIs(i, "REV"u8))
            {
                reverse = true;
            }
            else if (id != CommandId.ZRevRange && ArgIs(i, "LIMIT"u8) && i + 2 < _argc)
            {
                if (!RedisNumbers.ParseLong(Arg(i + 1), out offset) || !RedisNumbers.ParseLong(Arg(i + 2), out limit))
                {
                    return RedisError.NotInteger;
                }

                hasLimit = true;
                i += 2;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        if (byScore && byLex)
        {
            return RedisError.Syntax;
        }

        if (hasLimit && !byScore && !byLex)
        {
            return RedisError.ZRangeLimit;
        }

        if (withScores && byLex)
        {
            return RedisError.ZRangeWithScoresLex;
        }

        // With REV the first bound is the maximum (ZRANGE ... BYSCORE REV max min, ZREVRANGEBYSCORE key max min).
        int minArg = at + (reverse && (byScore || byLex) ? 3 : 2), maxArg = at + (reverse && (byScore || byLex) ? 2 : 3);
        var result = new List<(byte[] Member, double Score)>();
        RedisError error;
        if (byScore)
        {
            if ((error = ScoreBound.Parse(Arg(minArg), out ScoreBound min)) != RedisError.None ||
                (error = ScoreBound.Parse(Arg(maxArg), out ScoreBound max)) != RedisError.None)
            {
                return error;
            }

            error = RedisSortedSets.RangeByScore(_keyspace, Arg(1 + at), min, max, reverse, offset, limit, result);
        }
        else if (byLex)
        {
            if ((error = LexBound.Parse(Arg(minArg), out LexBound min)) != RedisError.None ||
                (error = LexBound.Parse(Arg(maxArg), out LexBound max)) != RedisError.None)
            {
                return error;
            }

            error = RedisSortedSets.RangeByLex(_keyspace, Arg(1 + at), min, max, reverse, offset, limit, result);
        }
        else
        {
            if (ArgLong(2 + at, out long start) is RedisError badStart)
            {
                return badStart;
            }

            if (ArgLong(3 + at, out long stop) is RedisError badStop)
            {
                return badStop;
            }

            error = RedisSortedSets.RangeByRank(_keyspace, Arg(1 + at), start, stop, reverse, result);
        }

        if (store && error == RedisError.None)
        {
            error = RedisSortedSets.Replace(_keyspace, Arg(1), result.ConvertAll(e => KeyValuePair.Create(e.Member, e.Score)));
            _out.WriteInteger(result.Count);
            return error;
        }

        WriteScored(result, withScores, nestPairs: _out.Protocol == 3);
        return error;
    }

    private RedisError ZRangeByLex(bool reverse)
    {
        long offset = 0, limit = -1;
        bool withScores = false;
        for (int i = 4; i < _argc; i++)
        {
            if (ArgIs(i, "WITHSCORES"u8))
            {
                withScores = true;
            }
            else if (ArgIs(i, "LIMIT"u8) && i + 2 < _argc)
            {
                if (!RedisNumbers.ParseLong(Arg(i + 1), out offset) || !RedisNumbers.ParseLong(Arg(i + 2), out limit))
                {
                    return RedisError.NotInteger;
                }

                i += 2;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        if (withScores)
        {
            return RedisError.ZRangeWithScoresLex;
        }

        // ZREVRANGEBYLEX key max min
        RedisError error;
        if ((error = LexBound.Parse(Arg(reverse ? 3 : 2), out LexBound min)) != RedisError.None ||
            (error = LexBound.Parse(Arg(reverse ? 2 : 3), out LexBound max)) != RedisError.None)
        {
            return error;
        }

        var result = new List<(byte[] Member, double Score)>();
        error = RedisSortedSets.LexRange(_keyspace, Arg(1), min, max, reverse, offset, limit, result);
        WriteScored(result, withScores: false, nestPairs: false);
        return error;
    }

    private RedisError ZRemRange(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        RedisError error;
        long removed;
        switch (id)
        {
            case CommandId.ZRemRangeByRank:
                {
                    if (ArgLong(2, out long start) is RedisError badStart)
                    {
                        return badStart;
                    }

                    if (ArgLong(3, out long end) is RedisError badEnd)
                    {
                        return badEnd;
                    }

                    error = RedisSortedSets.RemoveRangeByRank(_keyspace, key, start, end, out removed);
                    break;
                }

            case CommandId.ZRemRangeByScore:
                {
                    if ((error = ScoreBound.Parse(Arg(2), out ScoreBound min)) != RedisError.None ||
                        (error = ScoreBound.Parse(Arg(3), out ScoreBound max)) != RedisError.None)
                    {
                        return error;
                    }

                    error = RedisSortedSets.RemoveRangeByScore(_keyspace, key, min, max, out removed);
                    break;
                }

            default:
                {
                    if ((error = LexBound.Parse(Arg(2), out LexBound min)) != RedisError.None ||
                        (error = LexBound.Parse(Arg(3), out LexBound max)) != RedisError.None)
                    {
                        return error;
                    }

                    error = RedisSortedSets.RemoveRangeByLex(_keyspace, key, min, max, out removed);
                    break;
                }
        }

        _out.WriteInteger(removed);
        return error;
    }

    private RedisError ZRandMember()
    {
        RedisError error;
        if (_argc == 2)
        {
            error = RedisSortedSets.RandomMember(_keyspace, Arg(1), out byte[]? member);
            WriteBulkOrNull(member is not null, member);
            return error;
        }

        // Redis: the count within [-LONG_MAX, LONG_MAX], then the arity, then the WITHSCORES range.
        if (ArgLong(2, out long count) is RedisError bad)
        {
            return bad;
        }

        if (count == long.MinValue)
        {
            return RedisError.CountOutOfRange;
        }

        if (_argc > 4 || (_argc == 4 && !ArgIs(3, "WITHSCORES"u8)))
        {
            return RedisError.Syntax;
        }

        bool withScores = _argc == 4;
        if (withScores && (count < -long.MaxValue / 2 || count > long.MaxValue / 2))
        {
            return RedisError.ValueOutOfRange;
        }

        var picked = new List<(byte[] Member, double Score)>();
        error = RedisSortedSets.RandomMembers(_keyspace, Arg(1), count, picked);
        WriteScored(picked, withScores, nestPairs: _out.Protocol == 3);
        return error;
    }
}

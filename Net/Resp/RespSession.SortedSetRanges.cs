using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Sorted-set range commands beyond ZRANGE: the lexicographical family (ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT),
/// the range removals (ZREMRANGEBYSCORE, ZREMRANGEBYRANK, ZREMRANGEBYLEX) and ZRANDMEMBER.
/// </summary>
/// <remarks>
/// A lex range is walked the way Redis walks a small (listpack-encoded) zset: from the first member in score order
/// that is &gt;= min, on while members stay &lt;= max. With equal scores (the only case Redis defines) that is the lex
/// range; with mixed scores it reproduces what Redis answers for zsets of up to 128 members.
/// </remarks>
internal sealed partial class RespSession
{
    private void ExecuteSortedSetExtension(CommandId id)
    {
        switch (id)
        {
            case CommandId.ZRangeByLex:
            case CommandId.ZRevRangeByLex:
                ZRangeByLex(id == CommandId.ZRevRangeByLex);
                break;
            case CommandId.ZLexCount:
                {
                    LexBound min = ParseLexBound(2), max = ParseLexBound(3);
                    long n = 0;
                    if (Find(Arg(1), RedisType.ZSet, out _) != RedisType.None)
                    {
                        n = LexRun(Ordered(ArgBytes(1), false).ToList(), min, max, reverse: false).Count;
                    }

                    _out.WriteInteger(n);
                    break;
                }

            case CommandId.ZRemRangeByScore:
            case CommandId.ZRemRangeByRank:
            case CommandId.ZRemRangeByLex:
                ZRemRange(id);
                break;
            case CommandId.ZUnionStore:
            case CommandId.ZInterStore:
                ZStore(union: id == CommandId.ZUnionStore);
                break;
            case CommandId.ZRandMember:
                ZRandMember();
                break;
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    /// <summary>
    /// The members of a lex range in walk order, as Redis finds them in a listpack zset (<c>zzlFirstInLexRange</c>,
    /// <c>zzlLastInLexRange</c>): <paramref name="ordered"/> is the whole zset in ascending score order.
    /// </summary>
    private static List<(byte[] Member, double Score)> LexRun(List<(byte[] Member, double Score)> ordered, LexBound min, LexBound max, bool reverse)
    {
        var run = new List<(byte[] Member, double Score)>();
        // zzlIsInLexRange: a range entirely past either end of the zset selects nothing (an empty range such as
        // min > max needs no test of its own: no member can be both >= min and <= max).
        if (ordered.Count == 0 || !min.AboveMin(ordered[^1].Member) || !max.BelowMax(ordered[0].Member))
        {
            return run;
        }

        if (!reverse)
        {
            int i = ordered.FindIndex(e => min.AboveMin(e.Member));
            for (; i >= 0 && i < ordered.Count && max.BelowMax(ordered[i].Member); i++)
            {
                run.Add(ordered[i]);
            }
        }
        else
        {
            int i = ordered.FindLastIndex(e => max.BelowMax(e.Member));
            for (; i >= 0 && min.AboveMin(ordered[i].Member); i--)
            {
                run.Add(ordered[i]);
            }
        }

        return run;
    }

    private void ZRangeByLex(bool reverse)
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
                offset = ArgLong(i + 1);
                limit = ArgLong(i + 2);
                i += 2;
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        if (withScores)
        {
            throw Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }

        // ZREVRANGEBYLEX key max min
        LexBound min = ParseLexBound(reverse ? 3 : 2), max = ParseLexBound(reverse ? 2 : 3);
        var result = new List<(byte[] Member, double Score)>();
        if (Find(Arg(1), RedisType.ZSet, out _) != RedisType.None && offset >= 0)
        {
            List<(byte[] Member, double Score)> run = LexRun(Ordered(ArgBytes(1), false).ToList(), min, max, reverse);
            for (long i = offset; i < run.Count && (limit < 0 || result.Count < limit); i++)
            {
                result.Add(run[(int)i]);
            }
        }

        WriteScored(result, withScores: false, nestPairs: false);
    }

    private void ZRemRange(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        long start = 0, end = 0;
        ScoreBound minScore = default, maxScore = default;
        LexBound minLex = default, maxLex = default;
        switch (id)
        {
            case CommandId.ZRemRangeByRank:
                start = ArgLong(2);
                end = ArgLong(3);
                break;
            case CommandId.ZRemRangeByScore:
                minScore = ParseScoreBound(2);
                maxScore = ParseScoreBound(3);
                break;
            default:
                minLex = ParseLexBound(2);
                maxLex = ParseLexBound(3);
                break;
        }

        if (Find(key, RedisType.ZSet, out KeyMeta meta) == RedisType.None)
        {
            _out.WriteInteger(0);
            return;
        }

        List<(byte[] Member, double Score)> ordered = Ordered(key.ToArray(), false).ToList();
        List<(byte[] Member, double Score)> doomed;
        if (id == CommandId.ZRemRangeByRank)
        {
            long length = ordered.Count;
            if (start < 0)
            {
                start = Math.Max(0, length + start);
            }

            if (end < 0)
            {
                end = length + end;
            }

            if (start > end || start >= length)
            {
                _out.WriteInteger(0);
                return;
            }

            end = Math.Min(end, length - 1);
            doomed = ordered.GetRange((int)start, (int)(end - start + 1));
        }
        else if (id == CommandId.ZRemRangeByScore)
        {
            doomed = ordered.FindAll(e => minScore.AboveMin(e.Score) && maxScore.BelowMax(e.Score));
        }
        else
        {
            doomed = LexRun(ordered, minLex, maxLex, reverse: false);
        }

        foreach ((byte[] member, double score) in doomed)
        {
            RemoveMember(key, member, score);
        }

        if (doomed.Count > 0)
        {
            meta.Count -= doomed.Count;
            _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        }

        _out.WriteInteger(doomed.Count);
    }

    private void ZRandMember()
    {
        ReadOnlySpan<byte> key = Arg(1);
        if (_argc == 2)
        {
            if (Find(key, RedisType.ZSet, out _) == RedisType.None)
            {
                _out.WriteNull();
                return;
            }

            List<(byte[] Member, double Score)> all = Ordered(key.ToArray(), false).ToList();
            _out.WriteBulk(all[Random.Shared.Next(all.Count)].Member);
            return;
        }

        // Redis: the count within [-LONG_MAX, LONG_MAX], then the arity, then the WITHSCORES range.
        long count = ArgLong(2);
        if (count == long.MinValue)
        {
            throw Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        }

        if (_argc > 4 || (_argc == 4 && !ArgIs(3, "WITHSCORES"u8)))
        {
            throw Error(RedisErrors.Syntax);
        }

        bool withScores = _argc == 4;
        if (withScores && (count < -long.MaxValue / 2 || count > long.MaxValue / 2))
        {
            throw Error("ERR value is out of range");
        }

        if (Find(key, RedisType.ZSet, out _) == RedisType.None || count == 0)
        {
            _out.WriteArrayHeader(0);
            return;
        }

        // Repeated picks: Redis would build the whole reply (and run out of memory for a huge count).
        if (count < -MaxRandomPicks)
        {
            throw Error("ERR value is out of range");
        }

        List<(byte[] Member, double Score)> members = Ordered(key.ToArray(), false).ToList();
        var picked = new List<(byte[] Member, double Score)>();
        if (count < 0)
        {
            for (long i = 0; i < -count; i++)
            {
                picked.Add(members[Random.Shared.Next(members.Count)]);
            }
        }
        else if (count >= members.Count)
        {
            members.Reverse(); // the whole zset, from the highest score down, as Redis 7.0 replies
            picked = members;
        }
        else
        {
            RedisSets.Shuffle(members);
            picked = members.GetRange(0, (int)count);
        }

        WriteScored(picked, withScores, nestPairs: _out.Protocol == 3);
    }
}

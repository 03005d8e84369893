namespace ThunderDb.Core.Redis;

/// <summary>A score range end (ZRANGEBYSCORE, ZCOUNT...): a number, <c>-inf</c>/<c>+inf</c>, or <c>(</c> for exclusive.</summary>
public readonly struct ScoreBound(double value, bool exclusive)
{
    public double Value { get; } = value;

    public bool Exclusive { get; } = exclusive;

    public bool AboveMin(double score) => Exclusive ? score > Value : score >= Value;

    public bool BelowMax(double score) => Exclusive ? score < Value : score <= Value;

    public static RedisError Parse(ReadOnlySpan<byte> text, out ScoreBound bound)
    {
        bool exclusive = text.Length > 0 && text[0] == '(';
        if (exclusive)
        {
            text = text[1..];
        }

        bool ok = RedisNumbers.ParseRangeBound(text, out double v);
        bound = new ScoreBound(v, exclusive);
        return ok ? RedisError.None : RedisError.MinMaxNotFloat;
    }
}

/// <summary>A lexicographical range end (ZRANGEBYLEX...): <c>-</c>, <c>+</c>, <c>[member</c> or <c>(member</c>.</summary>
public readonly struct LexBound(byte[]? value, bool exclusive, int infinity)
{
    public bool AboveMin(ReadOnlySpan<byte> m) => infinity < 0 || (infinity == 0 && (exclusive ? Cmp(m) > 0 : Cmp(m) >= 0));

    public bool BelowMax(ReadOnlySpan<byte> m) => infinity > 0 || (infinity == 0 && (exclusive ? Cmp(m) < 0 : Cmp(m) <= 0));

    private int Cmp(ReadOnlySpan<byte> m) => m.SequenceCompareTo(value);

    public static RedisError Parse(ReadOnlySpan<byte> text, out LexBound bound)
    {
        bound = default;
        if (text.SequenceEqual("-"u8))
        {
            bound = new LexBound(null, false, -1);
        }
        else if (text.SequenceEqual("+"u8))
        {
            bound = new LexBound(null, false, 1);
        }
        else if (text.Length == 0 || (text[0] != '[' && text[0] != '('))
        {
            return RedisError.MinMaxLex;
        }
        else
        {
            bound = new LexBound(text[1..].ToArray(), text[0] == '(', 0);
        }

        return RedisError.None;
    }
}

/// <summary>
/// Sorted-set ranges: by rank, by score and by lex (with LIMIT), their counts and removals, and random members.
/// </summary>
/// <remarks>
/// ZRANGEBYLEX, ZLEXCOUNT and ZREMRANGEBYLEX walk the way Redis walks a small (listpack-encoded) zset
/// (<see cref="LexRun"/>): from the first member in score order that is &gt;= min, on while members stay &lt;= max.
/// With equal scores (the only case Redis defines) that is the lex range; with mixed scores it reproduces what Redis
/// answers for zsets of up to 128 members. ZRANGE ... BYLEX filters every member against both ends instead.
/// </remarks>
public static partial class RedisSortedSets
{
    /// <summary>Repeated picks past this (ZRANDMEMBER with a huge negative count) are refused instead of built.</summary>
    public const long MaxRandomPicks = 16 * 1024 * 1024;

    /// <summary>ZRANGE by rank (ZREVRANGE with <paramref name="reverse"/>): ranks [start, stop], negative from the end.</summary>
    public static RedisError RangeByRank(RedisKeyspace ks, ReadOnlySpan<byte> key, long start, long stop, bool reverse, List<(byte[] Member, double Score)> into)
    {
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        (long from, long to) = RedisRange.Normalize(start, stop, meta.Count);
        if (from > to)
        {
            return RedisError.None;
        }

        long rank = 0;
        using var walk = new ScoreWalk(ks, key, reverse);
        while (walk.MoveNext() && rank <= to)
        {
            if (rank++ >= from)
            {
                into.Add((walk.Member.ToArray(), walk.Score));
            }
        }

        return walk.Error;
    }

    /// <summary>
    /// ZRANGE BYSCORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE: members within [min, max] in (reverse) score order, skipping
    /// <paramref name="offset"/> and keeping at most <paramref name="limit"/> (negative = all). A negative offset selects nothing.
    /// </summary>
    public static RedisError RangeByScore(RedisKeyspace ks, ReadOnlySpan<byte> key, ScoreBound min, ScoreBound max, bool reverse,
        long offset, long limit, List<(byte[] Member, double Score)> into)
    {
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None || offset < 0)
        {
            return error;
        }

        long skipped = 0;
        using var walk = new ScoreWalk(ks, key, reverse);
        while (walk.MoveNext())
        {
            double score = walk.Score;
            if (reverse ? !min.AboveMin(score) : !max.BelowMax(score))
            {
                break;
            }

            if (!min.AboveMin(score) || !max.BelowMax(score) || skipped++ < offset)
            {
                continue;
            }

            if (limit >= 0 && into.Count >= limit)
            {
                break;
            }

            into.Add((walk.Member.ToArray(), score));
        }

        return walk.Error;
    }

    /// <summary>ZRANGE BYLEX: every member (in score order, or its reverse) within both ends, with LIMIT as in <see cref="RangeByScore"/>.</summary>
    public static RedisError RangeByLex(RedisKeyspace ks, ReadOnlySpan<byte> key, LexBound min, LexBound max, bool reverse,
        long offset, long limit, List<(byte[] Member, double Score)> into)
    {
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None || offset < 0)
        {
            return error;
        }

        long skipped = 0;
        using var walk = new ScoreWalk(ks, key, reverse);
        while (walk.MoveNext())
        {
            ReadOnlySpan<byte> member = walk.Member;
            if (!min.AboveMin(member) || !max.BelowMax(member) || skipped++ < offset)
            {
                continue;
            }

            if (limit >= 0 && into.Count >= limit)
            {
                break;
            }

            into.Add((member.ToArray(), walk.Score));
        }

        return walk.Error;
    }

    /// <summary>ZRANGEBYLEX, ZREVRANGEBYLEX: the listpack walk (<see cref="LexRun"/>) with LIMIT; a negative offset selects nothing.</summary>
    public static RedisError LexRange(RedisKeyspace ks, ReadOnlySpan<byte> key, LexBound min, LexBound max, bool reverse,
        long offset, long limit, List<(byte[] Member, double Score)> into)
    {
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None || offset < 0)
        {
            return error;
        }

        var ordered = new List<(byte[] Member, double Score)>();
        error = LoadOrdered(ks, key, false, ordered);
        List<(byte[] Member, double Score)> run = LexRun(ordered, min, max, reverse);
        for (long i = offset; i < run.Count && (limit < 0 || into.Count < limit); i++)
        {
            into.Add(run[(int)i]);
        }

        return error;
    }

    /// <summary>ZCOUNT: members with a score within [min, max].</summary>
    public static RedisError CountByScore(RedisKeyspace ks, ReadOnlySpan<byte> key, ScoreBound min, ScoreBound max, out long count)
    {
        count = 0;
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        using var walk = new ScoreWalk(ks, key, false);
        while (walk.MoveNext())
        {
            double score = walk.Score;
            if (!max.BelowMax(score))
            {
                break;
            }

            if (min.AboveMin(score))
            {
                count++;
            }
        }

        return walk.Error;
    }

    /// <summary>ZLEXCOUNT: the length of the listpack lex walk.</summary>
    public static RedisError CountByLex(RedisKeyspace ks, ReadOnlySpan<byte> key, LexBound min, LexBound max, out long count)
    {
        count = 0;
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        var ordered = new List<(byte[] Member, double Score)>();
        error = LoadOrdered(ks, key, false, ordered);
        count = LexRun(ordered, min, max, reverse: false).Count;
        return error;
    }

    /// <summary>ZREMRANGEBYRANK: removes ranks [start, stop] (negative from the end); how many went.</summary>
    public static RedisError RemoveRangeByRank(RedisKeyspace ks, ReadOnlySpan<byte> key, long start, long end, out long removed) =>
        RemoveRange(ks, key, ordered =>
        {
            long length = ordered.Count;
            long from = start < 0 ? Math.Max(0, length + start) : start, to = end < 0 ? length + end : end;
            if (from > to || from >= length)
            {
                return [];
            }

            to = Math.Min(to, length - 1);
            return ordered.GetRange((int)from, (int)(to - from + 1));
        }, out removed);

    /// <summary>ZREMRANGEBYSCORE: removes the members with a score within [min, max].</summary>
    public static RedisError RemoveRangeByScore(RedisKeyspace ks, ReadOnlySpan<byte> key, ScoreBound min, ScoreBound max, out long removed) =>
        RemoveRange(ks, key, ordered => ordered.FindAll(e => min.AboveMin(e.Score) && max.BelowMax(e.Score)), out removed);

    /// <summary>ZREMRANGEBYLEX: removes the members of the listpack lex walk.</summary>
    public static RedisError RemoveRangeByLex(RedisKeyspace ks, ReadOnlySpan<byte> key, LexBound min, LexBound max, out long removed) =>
        RemoveRange(ks, key, ordered => LexRun(ordered, min, max, reverse: false), out removed);

    private static RedisError RemoveRange(RedisKeyspace ks, ReadOnlySpan<byte> key,
        Func<List<(byte[] Member, double Score)>, List<(byte[] Member, double Score)>> select, out long removed)
    {
        removed = 0;
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        var ordered = new List<(byte[] Member, double Score)>();
        error = LoadOrdered(ks, key, false, ordered);
        if (error != RedisError.None)
        {
            return error;
        }

        List<(byte[] Member, double Score)> doomed = select(ordered);
        foreach ((byte[] member, double score) in doomed)
        {
            RemoveMember(ks, key, member, score);
        }

        if (doomed.Count > 0)
        {
            meta.Count -= doomed.Count;
            ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        }

        removed = doomed.Count;
        return RedisError.None;
    }

    /// <summary>
    /// The members of a lex range in walk order, as Redis finds them in a listpack zset (<c>zzlFirstInLexRange</c>,
    /// <c>zzlLastInLexRange</c>): <paramref name="ordered"/> is the whole zset in ascending score order.
    /// </summary>
    public static List<(byte[] Member, double Score)> LexRun(List<(byte[] Member, double Score)> ordered, LexBound min, LexBound max, bool reverse)
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

    /// <summary>ZRANDMEMBER without a count: one random member; <paramref name="member"/> is null for a missing key.</summary>
    public static RedisError RandomMember(RedisKeyspace ks, ReadOnlySpan<byte> key, out byte[]? member)
    {
        member = null;
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        var all = new List<(byte[] Member, double Score)>();
        error = LoadOrdered(ks, key, false, all);
        member = all.Count > 0 ? all[Random.Shared.Next(all.Count)].Member : null;
        return error;
    }

    /// <summary>
    /// ZRANDMEMBER with a count: distinct members (positive), or picks with repeats (negative). A count covering the
    /// whole zset answers it from the highest score down, as Redis 7.0 does.
    /// </summary>
    public static RedisError RandomMembers(RedisKeyspace ks, ReadOnlySpan<byte> key, long count, List<(byte[] Member, double Score)> picked)
    {
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None || count == 0)
        {
            return error;
        }

        if (count < -MaxRandomPicks)
        {
            return RedisError.ValueOutOfRange; // Redis would build the whole reply (and run out of memory)
        }

        var members = new List<(byte[] Member, double Score)>();
        error = LoadOrdered(ks, key, false, members);
        if (error != RedisError.None)
        {
            return error;
        }

        if (count < 0)
        {
            for (long i = 0; i < -count; i++)
            {
                picked.Add(members[Random.Shared.Next(members.Count)]);
            }
        }
        else if (count >= members.Count)
        {
            members.Reverse();
            picked.AddRange(members);
        }
        else
        {
            RedisSets.Shuffle(members);
            picked.AddRange(members.GetRange(0, (int)count));
        }

        return RedisError.None;
    }
}

using ThunderDb.Core.Keys;
using System.Buffers.Binary;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Sorted-set commands. Two records per member: <c>'m' member -> score</c> for lookups and
/// <c>'s' sortable(score) member</c> as the score index, which the store keeps in (score, member) order.
/// </summary>
internal sealed partial class RespSession
{
    private static ReadOnlySpan<byte> MemberTag => [RedisKeyCodec.ZSetMemberTag];

    private static double ReadScore(ReadOnlySpan<byte> value) => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(value));

    private readonly struct ScoreBound(double value, bool exclusive)
    {
        public double Value { get; } = value;

        public bool Exclusive { get; } = exclusive;

        public bool AboveMin(double score) => Exclusive ? score > Value : score >= Value;

        public bool BelowMax(double score) => Exclusive ? score < Value : score <= Value;
    }

    private readonly struct LexBound(byte[]? value, bool exclusive, int infinity)
    {
        public bool AboveMin(byte[] m) => infinity < 0 || (infinity == 0 && (exclusive ? Cmp(m) > 0 : Cmp(m) >= 0));

        public bool BelowMax(byte[] m) => infinity > 0 || (infinity == 0 && (exclusive ? Cmp(m) < 0 : Cmp(m) <= 0));

        private int Cmp(byte[] m) => m.AsSpan().SequenceCompareTo(value);
    }

    private ScoreBound ParseScoreBound(int i)
    {
        ReadOnlySpan<byte> text = Arg(i);
        bool exclusive = text.Length > 0 && text[0] == '(';
        if (exclusive)
        {
            text = text[1..];
        }

        return RedisNumbers.ParseRangeBound(text, out double v) ? new ScoreBound(v, exclusive) : throw Error(RedisErrors.MinMaxNotFloat);
    }

    private LexBound ParseLexBound(int i)
    {
        ReadOnlySpan<byte> text = Arg(i);
        if (text.SequenceEqual("-"u8))
        {
            return new LexBound(null, false, -1);
        }

        if (text.SequenceEqual("+"u8))
        {
            return new LexBound(null, false, 1);
        }

        if (text.Length == 0 || (text[0] != '[' && text[0] != '('))
        {
            throw Error(RedisErrors.MinMaxLex);
        }

        return new LexBound(text[1..].ToArray(), text[0] == '(', 0);
    }

    private bool TryGetScore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, out double score)
    {
        if (_keyspace.TryGetElement(key, MemberTag, member, out ReadOnlySpan<byte> value))
        {
            score = ReadScore(value);
            return true;
        }

        score = 0;
        return false;
    }

    private void WriteScoreIndex(ReadOnlySpan<byte> key, double score, ReadOnlySpan<byte> member, bool delete)
    {
        Span<byte> index = stackalloc byte[9];
        index[0] = RedisKeyCodec.ZSetScoreTag;
        KeyCodec.WriteDouble(index[1..], score);
        if (delete)
        {
            _keyspace.DeleteElement(key, index, member);
        }
        else
        {
            _keyspace.PutElement(key, index, member, default);
        }
    }

    /// <summary>Sets a member's score (both records); returns true when the member is new.</summary>
    private bool SetScore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, double score, bool existed, double oldScore)
    {
        if (existed)
        {
            WriteScoreIndex(key, oldScore, member, delete: true);
        }

        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, BitConverter.DoubleToInt64Bits(score == 0 ? 0 : score));
        _keyspace.PutElement(key, MemberTag, member, value);
        WriteScoreIndex(key, score, member, delete: false);
        return !existed;
    }

    private void RemoveMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, double score)
    {
        _keyspace.DeleteElement(key, MemberTag, member);
        WriteScoreIndex(key, score, member, delete: true);
    }

    /// <summary>(member, score) in score order, ascending or descending.</summary>
    private IEnumerable<(byte[] Member, double Score)> Ordered(byte[] key, bool reverse)
    {
        int prefix = _keyspace.ElementPrefixLength(key) + 1;
        using IKvCursor cursor = _keyspace.ScanElements(key, [RedisKeyCodec.ZSetScoreTag], [RedisKeyCodec.ZSetScoreTag + 1], reverse);
        while (cursor.MoveNext())
        {
            if (_keyspace.DeadlinePassed())
            {
                throw new QueryTimeoutException(); // a ZUNIONSTORE over a huge input: the caller rolls back
            }

            ReadOnlySpan<byte> suffix = cursor.Key[prefix..];
            yield return (suffix[8..].ToArray(), KeyCodec.ReadDouble(suffix));
        }
    }

    private void ExecuteSortedSet(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        switch (id)
        {
            case CommandId.ZAdd:
                ZAdd();
                break;
            case CommandId.ZRem:
                {
                    if (Find(key, RedisType.ZSet, out KeyMeta meta) == RedisType.None)
                    {
                        _out.WriteInteger(0);
                        break;
                    }

                    long removed = 0;
                    for (int i = 2; i < _argc; i++)
                    {
                        if (TryGetScore(key, Arg(i), out double score))
                        {
                            RemoveMember(key, Arg(i), score);
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

            case CommandId.ZScore:
                if (Find(key, RedisType.ZSet, out _) != RedisType.None && TryGetScore(key, Arg(2), out double s))
                {
                    _out.WriteDouble(s);
                }
                else
                {
                    _out.WriteNull();
                }

                break;
            case CommandId.ZMScore:
                {
                    bool exists = Find(key, RedisType.ZSet, out _) != RedisType.None;
                    _out.WriteArrayHeader(_argc - 2);
                    for (int i = 2; i < _argc; i++)
                    {
                        if (exists && TryGetScore(key, Arg(i), out double ms))
                        {
                            _out.WriteDouble(ms);
                        }
                        else
                        {
                            _out.WriteNull();
                        }
                    }

                    break;
                }

            case CommandId.ZIncrBy:
                {
                    double by = RedisNumbers.ParseDouble(Arg(2), out double parsed) ? parsed : throw Error(RedisErrors.NotFloat);
                    RedisType type = Find(key, RedisType.ZSet, out KeyMeta meta);
                    double current = 0;
                    bool existed = type != RedisType.None && TryGetScore(key, Arg(3), out current);
                    double score = current + by;
                    if (double.IsNaN(score))
                    {
                        throw Error("ERR resulting score is not a number (NaN)");
                    }

                    meta.Type = RedisType.ZSet;
                    if (SetScore(key, Arg(3), score, existed, current))
                    {
                        meta.Count++;
                    }

                    _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
                    _out.WriteDouble(score);
                    break;
                }

            case CommandId.ZCard:
                Find(key, RedisType.ZSet, out KeyMeta cardMeta);
                _out.WriteInteger(cardMeta.Count);
                break;
            case CommandId.ZCount:
                {
                    ScoreBound min = ParseScoreBound(2), max = ParseScoreBound(3);
                    long n = 0;
                    if (Find(key, RedisType.ZSet, out _) != RedisType.None)
                    {
                        foreach ((_, double score) in Ordered(key.ToArray(), false))
                        {
                            if (!max.BelowMax(score))
                            {
                                break;
                            }

                            if (min.AboveMin(score))
                            {
                                n++;
                            }
                        }
                    }

                    _out.WriteInteger(n);
                    break;
                }

            case CommandId.ZRange:
            case CommandId.ZRangeByScore:
            case CommandId.ZRevRangeByScore:
            case CommandId.ZRevRange:
                ZRange(id);
                break;
            case CommandId.ZRank:
            case CommandId.ZRevRank:
                {
                    if (Find(key, RedisType.ZSet, out _) == RedisType.None || !TryGetScore(key, Arg(2), out _))
                    {
                        _out.WriteNull();
                        break;
                    }

                    long rank = 0;
                    foreach ((byte[] member, _) in Ordered(key.ToArray(), id == CommandId.ZRevRank))
                    {
                        if (member.AsSpan().SequenceEqual(Arg(2)))
                        {
                            break;
                        }

                        rank++;
                    }

                    _out.WriteInteger(rank);
                    break;
                }

            case CommandId.ZPopMin:
            case CommandId.ZPopMax:
                ZPop(id == CommandId.ZPopMax);
                break;
            case CommandId.ZScan:
                ScanElementsCommand(RedisType.ZSet);
                break;
            default:
                ExecuteSortedSetExtension(id);
                break;
        }
    }

    private void ZAdd()
    {
        bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
        int i = 2;
        for (; i < _argc; i++)
        {
            if (ArgIs(i, "NX"u8))
            {
                nx = true;
            }
            else if (ArgIs(i, "XX"u8))
            {
                xx = true;
            }
            else if (ArgIs(i, "GT"u8))
            {
                gt = true;
            }
            else if (ArgIs(i, "LT"u8))
            {
                lt = true;
            }
            else if (ArgIs(i, "CH"u8))
            {
                ch = true;
            }
            else if (ArgIs(i, "INCR"u8))
            {
                incr = true;
            }
            else
            {
                break;
            }
        }

        int pairs = _argc - i;
        if (pairs == 0 || pairs % 2 != 0)
        {
            throw Error(RedisErrors.Syntax);
        }

        if (nx && xx)
        {
            throw Error("ERR XX and NX options at the same time are not compatible");
        }

        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            throw Error("ERR GT, LT, and/or NX options at the same time are not compatible");
        }

        if (incr && pairs > 2)
        {
            throw Error("ERR INCR option supports a single increment-element pair");
        }

        var scores = new double[pairs / 2];
        for (int p = 0; p < scores.Length; p++)
        {
            scores[p] = RedisNumbers.ParseDouble(Arg(i + (2 * p)), out double parsed) ? parsed : throw Error(RedisErrors.NotFloat);
        }

        ReadOnlySpan<byte> key = Arg(1);
        RedisType type = Find(key, RedisType.ZSet, out KeyMeta meta);
        if (type == RedisType.None && xx)
        {
            if (incr)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteInteger(0);
            }

            return;
        }

        meta.Type = RedisType.ZSet;
        long added = 0, changed = 0;
        double lastScore = 0;
        bool performed = false;
        for (int p = 0; p < scores.Length; p++)
        {
            ReadOnlySpan<byte> member = Arg(i + (2 * p) + 1);
            bool exists = TryGetScore(key, member, out double current);
            double score = scores[p];
            if (incr && exists)
            {
                score = current + score;
                if (double.IsNaN(score))
                {
                    throw Error("ERR resulting score is not a number (NaN)");
                }
            }

            if ((nx && exists) || (xx && !exists) || (exists && gt && score <= current) || (exists && lt && score >= current))
            {
                continue;
            }

            performed = true;
            lastScore = score;
            if (!exists)
            {
                SetScore(key, member, score, false, 0);
                added++;
                meta.Count++;
            }
            else if (current != score)
            {
                SetScore(key, member, score, true, current);
                changed++;
            }
        }

        if (added + changed > 0)
        {
            _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        }

        if (incr)
        {
            if (performed)
            {
                _out.WriteDouble(lastScore);
            }
            else
            {
                _out.WriteNull();
            }
        }
        else
        {
            _out.WriteInteger(ch ? added + changed : added);
        }
    }

    private void ZRange(CommandId id)
    {
        bool byScore = id is CommandId.ZRangeByScore or CommandId.ZRevRangeByScore, byLex = false;
        bool reverse = id is CommandId.ZRevRange or CommandId.ZRevRangeByScore, withScores = false;
        long offset = 0, limit = -1;
        bool hasLimit = false;
        for (int i = 4; i < _argc; i++)
        {
            if (ArgIs(i, "WITHSCORES"u8))
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
                offset = ArgLong(i + 1);
                limit = ArgLong(i + 2);
                hasLimit = true;
                i += 2;
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        if (byScore && byLex)
        {
            throw Error(RedisErrors.Syntax);
        }

        if (hasLimit && !byScore && !byLex)
        {
            throw Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        }

        if (withScores && byLex)
        {
            throw Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }

        // With REV the first bound is the maximum (ZRANGE ... BYSCORE REV max min, ZREVRANGEBYSCORE key max min).
        int minArg = reverse && (byScore || byLex) ? 3 : 2, maxArg = reverse && (byScore || byLex) ? 2 : 3;
        var result = new List<(byte[] Member, double Score)>();
        if (byScore)
        {
            ScoreBound min = ParseScoreBound(minArg), max = ParseScoreBound(maxArg);
            if (Find(Arg(1), RedisType.ZSet, out _) != RedisType.None)
            {
                long skipped = 0;
                foreach ((byte[] member, double score) in Ordered(ArgBytes(1), reverse))
                {
                    if (reverse ? !min.AboveMin(score) : !max.BelowMax(score))
                    {
                        break;
                    }

                    if (!min.AboveMin(score) || !max.BelowMax(score))
                    {
                        continue;
                    }

                    if (skipped++ < offset)
                    {
                        continue;
                    }

                    if (limit >= 0 && result.Count >= limit)
                    {
                        break;
                    }

                    result.Add((member, score));
                }
            }
        }
        else if (byLex)
        {
            LexBound min = ParseLexBound(minArg), max = ParseLexBound(maxArg);
            if (Find(Arg(1), RedisType.ZSet, out _) != RedisType.None)
            {
                long skipped = 0;
                foreach ((byte[] member, double score) in Ordered(ArgBytes(1), reverse))
                {
                    if (!min.AboveMin(member) || !max.BelowMax(member))
                    {
                        continue;
                    }

                    if (skipped++ < offset)
                    {
                        continue;
                    }

                    if (limit >= 0 && result.Count >= limit)
                    {
                        break;
                    }

                    result.Add((member, score));
                }
            }
        }
        else
        {
            long start = ArgLong(2), stop = ArgLong(3);
            if (Find(Arg(1), RedisType.ZSet, out KeyMeta meta) != RedisType.None)
            {
                (long from, long to) = RedisRange.Normalize(start, stop, meta.Count);
                long rank = 0;
                if (from <= to)
                {
                    foreach ((byte[] member, double score) in Ordered(ArgBytes(1), reverse))
                    {
                        if (rank > to)
                        {
                            break;
                        }

                        if (rank++ >= from)
                        {
                            result.Add((member, score));
                        }
                    }
                }
            }
        }

        if (hasLimit && offset < 0)
        {
            result.Clear(); // Redis: a negative LIMIT offset selects nothing
        }

        WriteScored(result, withScores, nestPairs: _out.Protocol == 3);
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

    private void ZPop(bool max)
    {
        if (_argc > 3)
        {
            throw Error(RedisErrors.Syntax);
        }

        long count = 1;
        if (_argc == 3)
        {
            count = RedisNumbers.ParseLong(Arg(2), out long parsed) ? parsed : -1;
            if (count < 0)
            {
                throw Error(RedisErrors.NotPositive);
            }
        }

        var popped = new List<(byte[] Member, double Score)>();
        ReadOnlySpan<byte> key = Arg(1);
        if (Find(key, RedisType.ZSet, out KeyMeta meta) != RedisType.None)
        {
            foreach ((byte[] member, double score) in Ordered(key.ToArray(), max))
            {
                if (popped.Count >= count)
                {
                    break;
                }

                popped.Add((member, score));
            }

            foreach ((byte[] member, double score) in popped)
            {
                RemoveMember(key, member, score);
            }

            meta.Count -= popped.Count;
            if (popped.Count > 0)
            {
                _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
            }
        }

        WriteScored(popped, withScores: true, nestPairs: _out.Protocol == 3 && _argc == 3);
    }
}

using System.Buffers.Binary;
using ThunderDb.Core.Keys;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>ZADD's options (NX, XX, GT, LT, CH, INCR).</summary>
[Flags]
public enum ZAddFlags : byte
{
    None = 0,
    Nx = 1,
    Xx = 2,
    Gt = 4,
    Lt = 8,
    Ch = 16,
    Incr = 32,
}

/// <summary>What a ZADD did: members added, scores changed, and for INCR whether it ran and the member's new score.</summary>
public struct ZAddResult
{
    public long Added;
    public long Changed;
    public bool Performed;
    public double LastScore;
}

/// <summary>
/// Sorted sets. Two records per member: <c>'m' member -> score</c> for lookups and <c>'s' sortable(score) member</c>
/// as the score index, which the store keeps in (score, member) order, so score order is a range scan.
/// </summary>
public static partial class RedisSortedSets
{
    private static ReadOnlySpan<byte> MemberTag => [RedisKeyCodec.ZSetMemberTag];

    /// <summary>A score as the member record holds it (8 bytes, big-endian IEEE bits).</summary>
    public static double ReadScore(ReadOnlySpan<byte> value) => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(value));

    /// <summary>A score argument (ZADD, ZINCRBY): Redis's strtod rules, NaN refused.</summary>
    public static RedisError ParseScore(ReadOnlySpan<byte> text, out double score) =>
        RedisNumbers.ParseDouble(text, out score) ? RedisError.None : RedisError.NotFloat;

    /// <summary>
    /// ZADD's options from the front of <paramref name="args"/> (the arguments after the key); <paramref name="consumed"/>
    /// says where the score/member pairs start. Redis's checks in Redis's order: pairs, then NX+XX, GT/LT/NX, INCR arity.
    /// </summary>
    public static RedisError ParseAddFlags(RedisArgs args, out ZAddFlags flags, out int consumed)
    {
        flags = ZAddFlags.None;
        int i = 0;
        for (; i < args.Count; i++)
        {
            ZAddFlags flag = Flag(args[i]);
            if (flag == ZAddFlags.None)
            {
                break;
            }

            flags |= flag;
        }

        consumed = i;
        int pairs = args.Count - i;
        if (pairs == 0 || pairs % 2 != 0)
        {
            return RedisError.Syntax;
        }

        bool nx = (flags & ZAddFlags.Nx) != 0, xx = (flags & ZAddFlags.Xx) != 0, gt = (flags & ZAddFlags.Gt) != 0, lt = (flags & ZAddFlags.Lt) != 0;
        if (nx && xx)
        {
            return RedisError.ZAddNxXx;
        }

        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            return RedisError.ZAddGtLtNx;
        }

        return (flags & ZAddFlags.Incr) != 0 && pairs > 2 ? RedisError.ZAddIncrPair : RedisError.None;
    }

    private static ZAddFlags Flag(ReadOnlySpan<byte> arg) =>
        System.Text.Ascii.EqualsIgnoreCase(arg, "NX"u8) ? ZAddFlags.Nx :
        System.Text.Ascii.EqualsIgnoreCase(arg, "XX"u8) ? ZAddFlags.Xx :
        System.Text.Ascii.EqualsIgnoreCase(arg, "GT"u8) ? ZAddFlags.Gt :
        System.Text.Ascii.EqualsIgnoreCase(arg, "LT"u8) ? ZAddFlags.Lt :
        System.Text.Ascii.EqualsIgnoreCase(arg, "CH"u8) ? ZAddFlags.Ch :
        System.Text.Ascii.EqualsIgnoreCase(arg, "INCR"u8) ? ZAddFlags.Incr : ZAddFlags.None;

    /// <summary>
    /// ZADD: <paramref name="pairs"/> is score, member, score, member... (flags already checked by
    /// <see cref="ParseAddFlags"/>). Every score is parsed before the key is looked up, as Redis does; nothing is
    /// allocated, so a WRONGTYPE ZADD costs no garbage.
    /// </summary>
    public static RedisError Add(RedisKeyspace ks, ReadOnlySpan<byte> key, ZAddFlags flags, RedisArgs pairs, out ZAddResult result)
    {
        result = default;
        for (int p = 0; p < pairs.Count; p += 2)
        {
            if (ParseScore(pairs[p], out _) != RedisError.None)
            {
                return RedisError.NotFloat;
            }
        }

        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        bool nx = (flags & ZAddFlags.Nx) != 0, xx = (flags & ZAddFlags.Xx) != 0, gt = (flags & ZAddFlags.Gt) != 0, lt = (flags & ZAddFlags.Lt) != 0;
        if (error != RedisError.None || (meta.Type == RedisType.None && xx))
        {
            return error;
        }

        meta.Type = RedisType.ZSet;
        for (int p = 0; p < pairs.Count; p += 2)
        {
            ParseScore(pairs[p], out double score);
            ReadOnlySpan<byte> member = pairs[p + 1];
            bool exists = TryGetScore(ks, key, member, out double current);
            if ((flags & ZAddFlags.Incr) != 0 && exists)
            {
                score = current + score;
                if (double.IsNaN(score))
                {
                    return RedisError.ScoreNaN;
                }
            }

            if ((nx && exists) || (xx && !exists) || (exists && gt && score <= current) || (exists && lt && score >= current))
            {
                continue;
            }

            result.Performed = true;
            result.LastScore = score;
            if (!exists)
            {
                SetScore(ks, key, member, score, false, 0);
                result.Added++;
                meta.Count++;
            }
            else if (current != score)
            {
                SetScore(ks, key, member, score, true, current);
                result.Changed++;
            }
        }

        if (result.Added + result.Changed > 0)
        {
            ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        }

        return RedisError.None;
    }

    /// <summary>ZINCRBY: the member's new score (a missing member starts at 0).</summary>
    public static RedisError IncrBy(RedisKeyspace ks, ReadOnlySpan<byte> key, double by, ReadOnlySpan<byte> member, out double score)
    {
        score = 0;
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        double current = 0;
        bool existed = meta.Type != RedisType.None && TryGetScore(ks, key, member, out current);
        score = current + by;
        if (double.IsNaN(score))
        {
            return RedisError.ScoreNaN;
        }

        meta.Type = RedisType.ZSet;
        if (SetScore(ks, key, member, score, existed, current))
        {
            meta.Count++;
        }

        ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        return RedisError.None;
    }

    /// <summary>ZREM: how many of the members were there (and are gone); an emptied zset is deleted.</summary>
    public static RedisError Remove(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisArgs members, out long removed)
    {
        removed = 0;
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        for (int i = 0; i < members.Count; i++)
        {
            if (TryGetScore(ks, key, members[i], out double score))
            {
                RemoveMember(ks, key, members[i], score);
                removed++;
            }
        }

        if (removed > 0)
        {
            meta.Count -= removed;
            ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        }

        return RedisError.None;
    }

    /// <summary>ZSCORE: the member's score; <paramref name="found"/> is false for a missing key or member.</summary>
    public static RedisError Score(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, out bool found, out double score)
    {
        score = 0;
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        found = error == RedisError.None && meta.Type != RedisType.None && TryGetScore(ks, key, member, out score);
        return error;
    }

    /// <summary>Type-checks a zset key for a command that then reads members one by one (ZMSCORE).</summary>
    public static RedisError Open(RedisKeyspace ks, ReadOnlySpan<byte> key, out bool exists)
    {
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        exists = error == RedisError.None && meta.Type != RedisType.None;
        return error;
    }

    /// <summary>ZRANK/ZREVRANK: the member's 0-based rank in (reverse) score order; -1 when the key or member is missing.</summary>
    public static RedisError Rank(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, bool reverse, out long rank)
    {
        rank = -1;
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None || !TryGetScore(ks, key, member, out _))
        {
            return error;
        }

        long at = 0;
        using var walk = new ScoreWalk(ks, key, reverse);
        while (walk.MoveNext())
        {
            if (walk.Member.SequenceEqual(member))
            {
                rank = at;
                break;
            }

            at++;
        }

        return walk.Error;
    }

    /// <summary>ZPOPMIN/ZPOPMAX: removes up to <paramref name="count"/> members from the low (or high) end into <paramref name="popped"/>.</summary>
    public static RedisError Pop(RedisKeyspace ks, ReadOnlySpan<byte> key, bool max, long count, List<(byte[] Member, double Score)> popped)
    {
        RedisError error = ks.Find(key, RedisType.ZSet, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        using (var walk = new ScoreWalk(ks, key, max))
        {
            while (popped.Count < count && walk.MoveNext())
            {
                popped.Add((walk.Member.ToArray(), walk.Score));
            }

            if (walk.Error != RedisError.None)
            {
                return walk.Error;
            }
        }

        foreach ((byte[] member, double score) in popped)
        {
            RemoveMember(ks, key, member, score);
        }

        if (popped.Count > 0)
        {
            meta.Count -= popped.Count;
            ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        }

        return RedisError.None;
    }

    // ---- the two records --------------------------------------------------------------------------

    /// <summary>A member's score; false when the member is not there (the key is assumed to be a zset or missing).</summary>
    public static bool TryGetScore(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, out double score)
    {
        if (ks.TryGetElement(key, MemberTag, member, out ReadOnlySpan<byte> value))
        {
            score = ReadScore(value);
            return true;
        }

        score = 0;
        return false;
    }

    private static void WriteScoreIndex(RedisKeyspace ks, ReadOnlySpan<byte> key, double score, ReadOnlySpan<byte> member, bool delete)
    {
        Span<byte> index = stackalloc byte[9];
        index[0] = RedisKeyCodec.ZSetScoreTag;
        KeyCodec.WriteDouble(index[1..], score);
        if (delete)
        {
            ks.DeleteElement(key, index, member);
        }
        else
        {
            ks.PutElement(key, index, member, default);
        }
    }

    /// <summary>Sets a member's score (both records); true when the member is new. The caller keeps the count.</summary>
    public static bool SetScore(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, double score, bool existed, double oldScore)
    {
        if (existed)
        {
            WriteScoreIndex(ks, key, oldScore, member, delete: true);
        }

        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, BitConverter.DoubleToInt64Bits(score == 0 ? 0 : score));
        ks.PutElement(key, MemberTag, member, value);
        WriteScoreIndex(ks, key, score, member, delete: false);
        return !existed;
    }

    private static void RemoveMember(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, double score)
    {
        ks.DeleteElement(key, MemberTag, member);
        WriteScoreIndex(ks, key, score, member, delete: true);
    }

    /// <summary>The whole zset in ascending (or descending) score order; stops with an error when the deadline passes.</summary>
    public static RedisError LoadOrdered(RedisKeyspace ks, ReadOnlySpan<byte> key, bool reverse, List<(byte[] Member, double Score)> into)
    {
        using var walk = new ScoreWalk(ks, key, reverse);
        while (walk.MoveNext())
        {
            into.Add((walk.Member.ToArray(), walk.Score));
        }

        return walk.Error;
    }

    /// <summary>
    /// The score index of one zset in (score, member) order, or its reverse, polling the deadline per member so a
    /// walk over a huge zset stops with <see cref="RedisError.DeadlineExceeded"/> (the caller rolls back).
    /// </summary>
    private struct ScoreWalk : IDisposable
    {
        private readonly RedisKeyspace _ks;
        private readonly IKvCursor _cursor;
        private readonly int _prefix;

        public ScoreWalk(RedisKeyspace ks, ReadOnlySpan<byte> key, bool reverse)
        {
            _ks = ks;
            _prefix = ks.ElementPrefixLength(key) + 1;
            _cursor = ks.ScanElements(key, [RedisKeyCodec.ZSetScoreTag], [RedisKeyCodec.ZSetScoreTag + 1], reverse);
        }

        public RedisError Error { get; private set; }

        public bool MoveNext()
        {
            if (!_cursor.MoveNext())
            {
                return false;
            }

            if (_ks.DeadlinePassed())
            {
                Error = RedisError.DeadlineExceeded;
                return false;
            }

            return true;
        }

        public readonly ReadOnlySpan<byte> Member => _cursor.Key[(_prefix + 8)..];

        public readonly double Score => KeyCodec.ReadDouble(_cursor.Key[_prefix..]);

        public readonly void Dispose() => _cursor.Dispose();
    }
}

namespace ThunderDb.Core.Redis;

/// <summary>How ZUNIONSTORE/ZINTERSTORE combine the scores of one member (AGGREGATE).</summary>
public enum ScoreAggregate : byte
{
    Sum,
    Min,
    Max,
}

/// <summary>One input of ZUNIONSTORE/ZINTERSTORE: its members with their scores (looked up by member), and its weight.</summary>
public sealed class ZStoreInput
{
    internal ZStoreInput(List<(byte[] Member, double Score)> members)
    {
        Members = members;
        foreach ((byte[] m, double s) in members)
        {
            ByMember[m] = s;
        }
    }

    public List<(byte[] Member, double Score)> Members { get; }

    internal SortedDictionary<byte[], double> ByMember { get; } = new(ByteOrder.Instance);

    /// <summary>WEIGHTS: every score of this input is multiplied by it (1 by default).</summary>
    public double Weight { get; set; } = 1.0;
}

/// <summary>ZUNIONSTORE and ZINTERSTORE: weighted union or intersect of sorted sets (and plain sets, score 1) into a key.</summary>
public static partial class RedisSortedSets
{
    /// <summary>
    /// Reads every input (a zset, a set with score 1 per member, or nothing) and type-checks it, before the options
    /// are parsed, as Redis does.
    /// </summary>
    public static RedisError LoadInputs(RedisKeyspace ks, RedisArgs keys, List<ZStoreInput> inputs)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            ReadOnlySpan<byte> key = keys[i];
            RedisType type = ks.Lookup(key, out _);
            var members = new List<(byte[] Member, double Score)>();
            RedisError error = RedisError.None;
            if (type == RedisType.ZSet)
            {
                error = LoadOrdered(ks, key, false, members);
            }
            else if (type == RedisType.Set)
            {
                var loaded = new List<(byte[] Element, byte[] Value)>();
                error = RedisCollections.Load(ks, key, loaded);
                foreach ((byte[] member, _) in loaded)
                {
                    members.Add((member, 1.0));
                }
            }
            else if (type != RedisType.None)
            {
                error = RedisError.WrongType;
            }

            if (error != RedisError.None)
            {
                return error;
            }

            inputs.Add(new ZStoreInput(members));
        }

        return RedisError.None;
    }

    /// <summary>Redis <c>zunionInterAggregate</c>: a sum that turns NaN (inf + -inf) into 0.</summary>
    private static double Aggregate(double target, double value, ScoreAggregate how) => how switch
    {
        ScoreAggregate.Min => value < target ? value : target,
        ScoreAggregate.Max => value > target ? value : target,
        _ => double.IsNaN(target + value) ? 0 : target + value,
    };

    /// <summary>The union (or intersection) of <paramref name="inputs"/> by member, in member byte order.</summary>
    public static SortedDictionary<byte[], double> Combine(List<ZStoreInput> inputs, bool union, ScoreAggregate how)
    {
        // Smallest input first (a stable sort, like glibc's qsort on small arrays): it fixes the order scores are summed in.
        List<ZStoreInput> bySize = [.. inputs.OrderBy(s => s.Members.Count)];
        var result = new SortedDictionary<byte[], double>(ByteOrder.Instance);
        if (union)
        {
            foreach (ZStoreInput input in bySize)
            {
                foreach ((byte[] member, double score) in input.Members)
                {
                    double weighted = input.Weight * score;
                    if (double.IsNaN(weighted))
                    {
                        weighted = 0;
                    }

                    result[member] = result.TryGetValue(member, out double existing) ? Aggregate(existing, weighted, how) : weighted;
                }
            }

            return result;
        }

        if (bySize.Count == 0 || bySize[0].Members.Count == 0)
        {
            return result;
        }

        foreach ((byte[] member, double score) in bySize[0].Members)
        {
            double total = bySize[0].Weight * score;
            if (double.IsNaN(total))
            {
                total = 0;
            }

            bool everywhere = true;
            for (int i = 1; i < bySize.Count && everywhere; i++)
            {
                everywhere = bySize[i].ByMember.TryGetValue(member, out double other);
                if (everywhere)
                {
                    total = Aggregate(total, other * bySize[i].Weight, how);
                }
            }

            if (everywhere)
            {
                result[member] = total;
            }
        }

        return result;
    }

    /// <summary>ZUNIONSTORE/ZINTERSTORE: replaces <paramref name="destination"/> with the combined inputs; its size.</summary>
    public static RedisError Store(RedisKeyspace ks, ReadOnlySpan<byte> destination, List<ZStoreInput> inputs, bool union, ScoreAggregate how, out long count)
    {
        SortedDictionary<byte[], double> result = Combine(inputs, union, how);
        count = 0;
        if (ks.Lookup(destination, out KeyMeta old) != RedisType.None)
        {
            ks.DeleteKey(destination, old);
        }

        foreach ((byte[] member, double score) in result)
        {
            if (ks.DeadlinePassed())
            {
                return RedisError.DeadlineExceeded; // the caller rolls back: nothing of the store remains
            }

            SetScore(ks, destination, member, score, existed: false, oldScore: 0);
        }

        if (result.Count > 0)
        {
            ks.WriteCollectionMeta(destination, new KeyMeta { Type = RedisType.ZSet, Count = result.Count }, 0);
        }

        count = result.Count;
        return RedisError.None;
    }
}

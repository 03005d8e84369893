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

/// <summary>
/// ZUNION, ZINTER, ZDIFF and their STORE forms: weighted union, intersection or difference of sorted sets (and plain
/// sets, score 1), replied or stored; and ZRANGESTORE's write.
/// </summary>
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

    /// <summary>The union, intersection or difference of <paramref name="inputs"/> by member, in member byte order.</summary>
    public static SortedDictionary<byte[], double> Combine(List<ZStoreInput> inputs, SetOperation operation, ScoreAggregate how)
    {
        if (operation == SetOperation.Difference)
        {
            return Difference(inputs);
        }

        bool union = operation == SetOperation.Union;
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

    /// <summary>ZDIFF: the members of the first input found in no other, with the first input's scores.</summary>
    private static SortedDictionary<byte[], double> Difference(List<ZStoreInput> inputs)
    {
        var result = new SortedDictionary<byte[], double>(ByteOrder.Instance);
        foreach ((byte[] member, double score) in inputs[0].Members)
        {
            bool elsewhere = false;
            for (int i = 1; i < inputs.Count && !elsewhere; i++)
            {
                elsewhere = inputs[i].ByMember.ContainsKey(member);
            }

            if (!elsewhere)
            {
                result[member] = score;
            }
        }

        return result;
    }

    /// <summary>ZUNION, ZINTER, ZDIFF: the combined members in zset order (score, then member bytes), as Redis replies them.</summary>
    public static List<(byte[] Member, double Score)> CombineOrdered(List<ZStoreInput> inputs, SetOperation operation, ScoreAggregate how)
    {
        var ordered = new List<(byte[] Member, double Score)>();
        foreach ((byte[] member, double score) in Combine(inputs, operation, how))
        {
            ordered.Add((member, score == 0 ? 0 : score)); // -0 is stored (and so replied) as 0
        }

        ordered.Sort(static (x, y) => x.Score != y.Score ? x.Score.CompareTo(y.Score) : x.Member.AsSpan().SequenceCompareTo(y.Member));
        return ordered;
    }

    /// <summary>ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE: replaces <paramref name="destination"/> with the combined inputs; its size.</summary>
    public static RedisError Store(RedisKeyspace ks, ReadOnlySpan<byte> destination, List<ZStoreInput> inputs, SetOperation operation, ScoreAggregate how,
        out long count)
    {
        SortedDictionary<byte[], double> result = Combine(inputs, operation, how);
        count = 0;
        RedisError error = Replace(ks, destination, result);
        count = error == RedisError.None ? result.Count : 0;
        return error;
    }

    /// <summary>
    /// Replaces <paramref name="destination"/> (of any type) with a zset of <paramref name="members"/>; an empty result
    /// just deletes it, as Redis does (ZRANGESTORE, the STORE forms of the set algebra).
    /// </summary>
    public static RedisError Replace(RedisKeyspace ks, ReadOnlySpan<byte> destination, IReadOnlyCollection<KeyValuePair<byte[], double>> members)
    {
        if (ks.Lookup(destination, out KeyMeta old) != RedisType.None)
        {
            ks.DeleteKey(destination, old);
        }

        foreach ((byte[] member, double score) in members)
        {
            if (ks.DeadlinePassed())
            {
                return RedisError.DeadlineExceeded; // the caller rolls back: nothing of the store remains
            }

            SetScore(ks, destination, member, score, existed: false, oldScore: 0);
        }

        if (members.Count > 0)
        {
            ks.WriteCollectionMeta(destination, new KeyMeta { Type = RedisType.ZSet, Count = members.Count }, 0);
        }

        return RedisError.None;
    }
}

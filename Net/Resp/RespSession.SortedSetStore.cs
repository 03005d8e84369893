using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>ZUNIONSTORE and ZINTERSTORE: weighted union or intersect of sorted sets (and plain sets, score 1) into a key.</summary>
internal sealed partial class RespSession
{
    private enum ScoreAggregate
    {
        Sum,
        Min,
        Max,
    }

    /// <summary>One input of a store: its members with their scores (looked up by member), and its weight.</summary>
    private sealed class StoreSource(List<(byte[] Member, double Score)> members)
    {
        public List<(byte[] Member, double Score)> Members { get; } = members;

        public SortedDictionary<byte[], double> ByMember { get; } = ToDictionary(members);

        public double Weight { get; set; } = 1.0;

        private static SortedDictionary<byte[], double> ToDictionary(List<(byte[] Member, double Score)> members)
        {
            var byMember = new SortedDictionary<byte[], double>(ByteOrder.Instance);
            foreach ((byte[] m, double s) in members)
            {
                byMember[m] = s;
            }

            return byMember;
        }
    }

    /// <summary>Redis <c>zunionInterAggregate</c>: a sum that turns NaN (inf + -inf) into 0.</summary>
    private static double Aggregate(double target, double value, ScoreAggregate how) => how switch
    {
        ScoreAggregate.Min => value < target ? value : target,
        ScoreAggregate.Max => value > target ? value : target,
        _ => double.IsNaN(target + value) ? 0 : target + value,
    };

    private void ZStore(bool union)
    {
        string name = union ? "zunionstore" : "zinterstore";
        long numKeys = ArgLong(2);
        if (numKeys < 1)
        {
            throw Error($"ERR at least 1 input key is needed for '{name}' command");
        }

        if (numKeys > _argc - 3)
        {
            throw Error(RedisErrors.Syntax);
        }

        // Every input is looked up and type-checked before the options are parsed, as Redis does.
        int keys = (int)numKeys;
        var sources = new List<StoreSource>(keys);
        for (int i = 0; i < keys; i++)
        {
            ReadOnlySpan<byte> key = Arg(3 + i);
            RedisType type = _keyspace.Lookup(key, out _);
            var members = new List<(byte[] Member, double Score)>();
            if (type == RedisType.ZSet)
            {
                members.AddRange(Ordered(key.ToArray(), false));
            }
            else if (type == RedisType.Set)
            {
                foreach ((byte[] member, _) in LoadElements(key))
                {
                    members.Add((member, 1.0));
                }
            }
            else if (type != RedisType.None)
            {
                throw Error(RedisErrors.WrongType);
            }

            sources.Add(new StoreSource(members));
        }

        ScoreAggregate how = ScoreAggregate.Sum;
        for (int j = 3 + keys; j < _argc;)
        {
            int remaining = _argc - j;
            if (remaining >= keys + 1 && ArgIs(j, "WEIGHTS"u8))
            {
                j++;
                for (int i = 0; i < keys; i++, j++)
                {
                    sources[i].Weight = RedisNumbers.ParseDouble(Arg(j), out double weight) ? weight : throw Error("ERR weight value is not a float");
                }
            }
            else if (remaining >= 2 && ArgIs(j, "AGGREGATE"u8))
            {
                how = ArgIs(j + 1, "SUM"u8) ? ScoreAggregate.Sum : ArgIs(j + 1, "MIN"u8) ? ScoreAggregate.Min :
                    ArgIs(j + 1, "MAX"u8) ? ScoreAggregate.Max : throw Error(RedisErrors.Syntax);
                j += 2;
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        // Smallest input first (a stable sort, like glibc's qsort on small arrays): it fixes the order scores are summed in.
        List<StoreSource> bySize = [.. sources.OrderBy(s => s.Members.Count)];
        var result = new SortedDictionary<byte[], double>(ByteOrder.Instance);
        if (union)
        {
            foreach (StoreSource source in bySize)
            {
                foreach ((byte[] member, double score) in source.Members)
                {
                    double weighted = source.Weight * score;
                    if (double.IsNaN(weighted))
                    {
                        weighted = 0;
                    }

                    result[member] = result.TryGetValue(member, out double existing) ? Aggregate(existing, weighted, how) : weighted;
                }
            }
        }
        else if (bySize[0].Members.Count > 0)
        {
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
        }

        ReadOnlySpan<byte> destination = Arg(1);
        if (_keyspace.Lookup(destination, out KeyMeta old) != RedisType.None)
        {
            _keyspace.DeleteKey(destination, old);
        }

        if (result.Count > 0)
        {
            foreach ((byte[] member, double score) in result)
            {
                if (_keyspace.DeadlinePassed())
                {
                    throw new QueryTimeoutException();
                }

                SetScore(destination, member, score, existed: false, oldScore: 0);
            }

            _keyspace.WriteCollectionMeta(destination, new KeyMeta { Type = RedisType.ZSet, Count = result.Count }, 0);
        }

        _out.WriteInteger(result.Count);
    }
}

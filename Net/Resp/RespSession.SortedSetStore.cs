using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>ZUNIONSTORE and ZINTERSTORE: numkeys, WEIGHTS and AGGREGATE over <see cref="RedisSortedSets.Store"/>.</summary>
internal sealed partial class RespSession
{
    private RedisError ZStore(bool union)
    {
        if (ArgLong(2, out long numKeys) is RedisError bad)
        {
            return bad;
        }

        if (numKeys < 1)
        {
            throw Error($"ERR at least 1 input key is needed for '{(union ? "zunionstore" : "zinterstore")}' command");
        }

        if (numKeys > _argc - 3)
        {
            return RedisError.Syntax;
        }

        // Every input is looked up and type-checked before the options are parsed, as Redis does.
        int keys = (int)numKeys;
        var inputs = new List<ZStoreInput>(keys);
        RedisError error = RedisSortedSets.LoadInputs(_keyspace, Args(3).Slice(0, keys), inputs);
        if (error != RedisError.None)
        {
            return error;
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
                    if (!RedisNumbers.ParseDouble(Arg(j), out double weight))
                    {
                        return RedisError.WeightNotFloat;
                    }

                    inputs[i].Weight = weight;
                }
            }
            else if (remaining >= 2 && ArgIs(j, "AGGREGATE"u8))
            {
                if (ArgIs(j + 1, "SUM"u8))
                {
                    how = ScoreAggregate.Sum;
                }
                else if (ArgIs(j + 1, "MIN"u8))
                {
                    how = ScoreAggregate.Min;
                }
                else if (ArgIs(j + 1, "MAX"u8))
                {
                    how = ScoreAggregate.Max;
                }
                else
                {
                    return RedisError.Syntax;
                }

                j += 2;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        error = RedisSortedSets.Store(_keyspace, Arg(1), inputs, union, how, out long count);
        _out.WriteInteger(count);
        return error;
    }
}

using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>
/// ZUNION, ZINTER, ZDIFF and ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE: numkeys, WEIGHTS, AGGREGATE and WITHSCORES over
/// <see cref="RedisSortedSets.Combine"/>, in Redis's order of checks (every input type-checked before the options).
/// </summary>
internal sealed partial class RespSession
{
    private RedisError ZSetAlgebra(CommandId id)
    {
        bool store = id is CommandId.ZUnionStore or CommandId.ZInterStore or CommandId.ZDiffStore;
        SetOperation operation = id is CommandId.ZUnion or CommandId.ZUnionStore ? SetOperation.Union :
            id is CommandId.ZInter or CommandId.ZInterStore ? SetOperation.Intersect : SetOperation.Difference;
        int numKeysAt = store ? 2 : 1;
        if (ArgLong(numKeysAt, out long numKeys) is RedisError bad)
        {
            return bad;
        }

        if (numKeys < 1)
        {
            throw Error($"ERR at least 1 input key is needed for '{_running!.Name.ToLowerInvariant()}' command");
        }

        if (numKeys > _argc - numKeysAt - 1)
        {
            return RedisError.Syntax;
        }

        int keys = (int)numKeys;
        var inputs = new List<ZStoreInput>(keys);
        RedisError error = RedisSortedSets.LoadInputs(_keyspace, Args(numKeysAt + 1).Slice(0, keys), inputs);
        if (error != RedisError.None)
        {
            return error;
        }

        ScoreAggregate how = ScoreAggregate.Sum;
        bool withScores = false;
        for (int j = numKeysAt + 1 + keys; j < _argc;)
        {
            int remaining = _argc - j;
            if (operation != SetOperation.Difference && remaining >= keys + 1 && ArgIs(j, "WEIGHTS"u8))
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
            else if (operation != SetOperation.Difference && remaining >= 2 && ArgIs(j, "AGGREGATE"u8))
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
            else if (!store && ArgIs(j, "WITHSCORES"u8))
            {
                withScores = true;
                j++;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        if (!store)
        {
            WriteScored(RedisSortedSets.CombineOrdered(inputs, operation, how), withScores, nestPairs: _out.Protocol == 3);
            return RedisError.None;
        }

        error = RedisSortedSets.Store(_keyspace, Arg(1), inputs, operation, how, out long count);
        _out.WriteInteger(count);
        return error;
    }
}

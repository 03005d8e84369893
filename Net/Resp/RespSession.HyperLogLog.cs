using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>PFADD, PFCOUNT, PFMERGE around <see cref="RedisHyperLogLog"/>; PFCOUNT of one key with a fresh cached count allocates nothing.</summary>
internal sealed partial class RespSession
{
    private RedisError ExecuteHyperLogLog(CommandId id)
    {
        RedisError error;
        switch (id)
        {
            case CommandId.PfAdd:
                {
                    error = RedisHyperLogLog.Add(_keyspace, Arg(1), Args(2), _server.Tuning.HllSparseMaxBytes, out bool changed);
                    _out.WriteInteger(changed ? 1 : 0);
                    return error;
                }

            case CommandId.PfCount:
                {
                    long count;
                    error = _argc == 2
                        ? RedisHyperLogLog.Count(_keyspace, Arg(1), out count)
                        : RedisHyperLogLog.CountUnion(_keyspace, Args(1), out count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.PfMerge:
                error = RedisHyperLogLog.Merge(_keyspace, Args(1), _server.Tuning.HllSparseMaxBytes);
                if (error == RedisError.None)
                {
                    _out.WriteOk();
                }

                return error;
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }
}

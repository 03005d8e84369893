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
            case CommandId.PfDebug:
                return PfDebug();
            case CommandId.PfSelfTest:
                if (RedisHyperLogLog.SelfTest(_server.Tuning.HllSparseMaxBytes, _keyspace.DeadlinePassed) is { } failure)
                {
                    throw Error("ERR " + failure);
                }

                _out.WriteOk();
                return RedisError.None;
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    /// <summary>PFDEBUG GETREG|DECODE|ENCODING|TODENSE key, with Redis's order: the key is checked before the subcommand.</summary>
    private RedisError PfDebug()
    {
        Span<byte> registers = stackalloc byte[16384];
        RedisHyperLogLog.DebugCommand? command = ArgIs(1, "getreg"u8) ? RedisHyperLogLog.DebugCommand.GetRegisters
            : ArgIs(1, "decode"u8) ? RedisHyperLogLog.DebugCommand.Decode
            : ArgIs(1, "encoding"u8) ? RedisHyperLogLog.DebugCommand.Encoding
            : ArgIs(1, "todense"u8) ? RedisHyperLogLog.DebugCommand.ToDense
            : null;
        RedisError error = RedisHyperLogLog.Debug(_keyspace, RedisHyperLogLog.DebugCommand.Encoding, Arg(2), registers, out _, out bool dense, out _);
        if (error != RedisError.None)
        {
            return error;
        }

        if (command is not { } sub)
        {
            throw Error($"ERR Unknown PFDEBUG subcommand '{ArgString(1)}'");
        }

        error = RedisHyperLogLog.Debug(_keyspace, sub, Arg(2), registers, out long result, out dense, out string decoded);
        if (error != RedisError.None)
        {
            return error;
        }

        switch (sub)
        {
            case RedisHyperLogLog.DebugCommand.GetRegisters:
                _out.WriteArrayHeader(registers.Length);
                foreach (byte register in registers)
                {
                    _out.WriteInteger(register);
                }

                break;
            case RedisHyperLogLog.DebugCommand.Decode:
                _out.WriteBulk(decoded);
                break;
            case RedisHyperLogLog.DebugCommand.Encoding:
                _out.WriteSimple(dense ? "dense"u8 : "sparse"u8);
                break;
            default:
                _out.WriteInteger(result);
                break;
        }

        return RedisError.None;
    }
}

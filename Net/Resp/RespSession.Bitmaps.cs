using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Bitmap commands (BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO) and LCS: replies around <see cref="RedisBitmaps"/>,
/// <see cref="RedisBitfield"/> and <see cref="RedisLcs"/>. BITCOUNT and BITPOS allocate nothing.
/// </summary>
internal sealed partial class RespSession
{
    private List<long?>? _bitfieldResults;

    private RedisError ExecuteBitmap(CommandId id)
    {
        RedisError error;
        switch (id)
        {
            case CommandId.BitCount:
                {
                    error = RedisBitmaps.Count(_keyspace, Arg(1), Args(2), out long count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.BitPos:
                {
                    error = RedisBitmaps.Position(_keyspace, Arg(1), Arg(2), Args(3), out long position);
                    _out.WriteInteger(position);
                    return error;
                }

            case CommandId.BitOp:
                {
                    error = RedisBitmaps.Operate(_keyspace, Arg(1), Arg(2), Args(3), out long length);
                    _out.WriteInteger(length);
                    return error;
                }

            case CommandId.BitField:
            case CommandId.BitFieldRo:
                {
                    List<long?> results = _bitfieldResults ??= [];
                    results.Clear();
                    error = RedisBitfield.Run(_keyspace, Arg(1), Args(2), id == CommandId.BitFieldRo, results);
                    if (error != RedisError.None)
                    {
                        return error;
                    }

                    _out.WriteArrayHeader(results.Count);
                    foreach (long? result in results)
                    {
                        if (result is { } value)
                        {
                            _out.WriteInteger(value);
                        }
                        else
                        {
                            _out.WriteNull();
                        }
                    }

                    return RedisError.None;
                }

            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    /// <summary>LCS: the sequence as a bulk string, LEN as an integer, or IDX as a map of "matches" and "len".</summary>
    private RedisError Lcs()
    {
        var matches = new List<LcsMatch>();
        RedisError error = RedisLcs.Run(_keyspace, Arg(1), Arg(2), Args(3), out LcsMode mode, out bool withMatchLength,
            out long length, out byte[] sequence, matches);
        if (error != RedisError.None)
        {
            return error;
        }

        switch (mode)
        {
            case LcsMode.Length:
                _out.WriteInteger(length);
                break;
            case LcsMode.Sequence:
                _out.WriteBulk(sequence);
                break;
            default:
                _out.WriteMapHeader(2);
                _out.WriteBulk("matches"u8);
                _out.WriteArrayHeader(matches.Count);
                foreach (LcsMatch match in matches)
                {
                    _out.WriteArrayHeader(withMatchLength ? 3 : 2);
                    _out.WriteArrayHeader(2);
                    _out.WriteInteger(match.AStart);
                    _out.WriteInteger(match.AEnd);
                    _out.WriteArrayHeader(2);
                    _out.WriteInteger(match.BStart);
                    _out.WriteInteger(match.BEnd);
                    if (withMatchLength)
                    {
                        _out.WriteInteger(match.Length);
                    }
                }

                _out.WriteBulk("len"u8);
                _out.WriteInteger(length);
                break;
        }

        return RedisError.None;
    }
}

using ThunderDb.Core.Redis;
using ThunderDb.Core.Session;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>Set commands: one empty-valued element record per member, so members come back in byte order.</summary>
internal sealed partial class RespSession
{
    private RedisError ExecuteSet(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        RedisError error;
        switch (id)
        {
            case CommandId.SAdd:
                {
                    error = RedisSets.Add(_keyspace, key, Args(2), out long added);
                    _out.WriteInteger(added);
                    return error;
                }

            case CommandId.SRem:
                {
                    error = RedisCollections.Remove(_keyspace, key, RedisType.Set, Args(2), out long removed);
                    _out.WriteInteger(removed);
                    return error;
                }

            case CommandId.SMembers:
                {
                    error = RedisCollections.Read(_keyspace, key, RedisType.Set, out long count, out ElementReader reader);
                    using (reader)
                    {
                        _out.WriteSetHeader(count);
                        while (reader.MoveNext())
                        {
                            _out.WriteBulk(reader.Element);
                        }
                    }

                    return error;
                }

            case CommandId.SIsMember:
                {
                    error = RedisCollections.Contains(_keyspace, key, RedisType.Set, Arg(2), out bool member);
                    _out.WriteInteger(member ? 1 : 0);
                    return error;
                }

            case CommandId.SMIsMember:
                _out.WriteArrayHeader(_argc - 2);
                for (int i = 2; i < _argc; i++)
                {
                    error = RedisCollections.Contains(_keyspace, key, RedisType.Set, Arg(i), out bool member);
                    if (error != RedisError.None)
                    {
                        return error;
                    }

                    _out.WriteInteger(member ? 1 : 0);
                }

                return RedisError.None;
            case CommandId.SCard:
                {
                    error = RedisCollections.Count(_keyspace, key, RedisType.Set, out long count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.SPop:
                return SetPop();
            case CommandId.SRandMember:
                return RandomElements(RedisType.Set);
            case CommandId.SInter:
            case CommandId.SUnion:
            case CommandId.SDiff:
                {
                    error = RedisSets.Combine(_keyspace, Operation(id), Args(1), out SortedSet<byte[]> result);
                    if (error == RedisError.None)
                    {
                        _out.WriteSetHeader(result.Count);
                        foreach (byte[] m in result)
                        {
                            _out.WriteBulk(m);
                        }
                    }

                    return error;
                }

            case CommandId.SInterStore:
            case CommandId.SUnionStore:
            case CommandId.SDiffStore:
                {
                    error = RedisSets.Store(_keyspace, key, Operation(id), Args(2), out long count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.SMove:
                {
                    error = RedisSets.Move(_keyspace, key, Arg(2), Arg(3), out bool moved);
                    _out.WriteInteger(moved ? 1 : 0);
                    return error;
                }

            case CommandId.SScan:
                return ScanElementsCommand(RedisType.Set);
            default:
                ExecuteSetExtension(id);
                return RedisError.None;
        }
    }

    private static SetOperation Operation(CommandId id) => id switch
    {
        CommandId.SInter or CommandId.SInterStore => SetOperation.Intersect,
        CommandId.SUnion or CommandId.SUnionStore => SetOperation.Union,
        _ => SetOperation.Difference,
    };

    private SortedSet<byte[]> Members(ReadOnlySpan<byte> key)
    {
        RedisError error = RedisSets.Members(_keyspace, key, out SortedSet<byte[]> members);
        return error switch
        {
            RedisError.None => members,
            RedisError.DeadlineExceeded => throw new DeadlineExceededException(),
            _ => throw Error(RedisErrors.Text(error)),
        };
    }

    private RedisError SetPop()
    {
        if (_argc > 3)
        {
            return RedisError.Syntax;
        }

        long? count = null;
        if (_argc == 3)
        {
            count = RedisNumbers.ParseLong(Arg(2), out long parsed) ? parsed : -1;
            if (count < 0)
            {
                return RedisError.NotPositive;
            }
        }

        var popped = new List<byte[]>();
        RedisError error = RedisSets.Pop(_keyspace, Arg(1), count, popped);
        if (count is null)
        {
            WriteBulkOrNull(popped.Count > 0, popped.Count > 0 ? popped[0] : default);
            return error;
        }

        _out.WriteSetHeader(popped.Count);
        foreach (byte[] m in popped)
        {
            _out.WriteBulk(m);
        }

        return error;
    }
}

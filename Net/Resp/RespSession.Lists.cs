using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>List commands: argument checks and replies over <see cref="RedisLists"/>.</summary>
internal sealed partial class RespSession
{
    private RedisError ExecuteList(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        RedisError error;
        switch (id)
        {
            case CommandId.LPush:
            case CommandId.RPush:
            case CommandId.LPushX:
            case CommandId.RPushX:
                {
                    error = RedisLists.Push(_keyspace, key, id is CommandId.LPush or CommandId.LPushX, id is CommandId.LPushX or CommandId.RPushX,
                        Args(2), out long length);
                    _out.WriteInteger(length);
                    return error;
                }

            case CommandId.LPop:
            case CommandId.RPop:
                return ListPop(id == CommandId.LPop);
            case CommandId.LLen:
                {
                    error = RedisCollections.Count(_keyspace, key, RedisType.List, out long count);
                    _out.WriteInteger(count);
                    return error;
                }

            case CommandId.LRange:
                {
                    if (ArgLong(2, out long start) is RedisError badStart)
                    {
                        return badStart;
                    }

                    if (ArgLong(3, out long stop) is RedisError badStop)
                    {
                        return badStop;
                    }

                    error = RedisLists.Open(_keyspace, key, out KeyMeta meta);
                    (long from, long to) = RedisRange.Normalize(start, stop, meta.Count);
                    if (error != RedisError.None || meta.Type == RedisType.None || from > to || from >= meta.Count)
                    {
                        _out.WriteArrayHeader(0);
                        return error;
                    }

                    _out.WriteArrayHeader(to - from + 1);
                    using IKvCursor cursor = RedisLists.OpenRange(_keyspace, key, meta, from, to);
                    while (cursor.MoveNext())
                    {
                        _out.WriteBulk(cursor.Value);
                    }

                    return RedisError.None;
                }

            case CommandId.LIndex:
                {
                    // Redis looks the key up (missing: nil) and type-checks it before it parses the index (LINDEX and
                    // LSET; LRANGE parses first).
                    error = RedisLists.Open(_keyspace, key, out KeyMeta meta);
                    if (error != RedisError.None || meta.Type == RedisType.None)
                    {
                        _out.WriteNull();
                        return error;
                    }

                    if (ArgLong(2, out long index) is RedisError bad)
                    {
                        return bad;
                    }

                    scoped ReadOnlySpan<byte> value = default;
                    WriteBulkOrNull(RedisLists.TryGet(_keyspace, key, meta, index, out value), value);
                    return RedisError.None;
                }

            case CommandId.LSet:
                {
                    error = RedisLists.Open(_keyspace, key, out KeyMeta meta);
                    if (error != RedisError.None)
                    {
                        return error;
                    }

                    if (meta.Type == RedisType.None)
                    {
                        return RedisError.NoSuchKey;
                    }

                    if (ArgLong(2, out long index) is RedisError bad)
                    {
                        return bad;
                    }

                    if (!RedisLists.Set(_keyspace, key, meta, index, Arg(3)))
                    {
                        return RedisError.IndexOutOfRange;
                    }

                    _out.WriteOk();
                    return RedisError.None;
                }

            case CommandId.LInsert:
                {
                    bool before = ArgIs(2, "BEFORE"u8);
                    if (!before && !ArgIs(2, "AFTER"u8))
                    {
                        return RedisError.Syntax;
                    }

                    error = RedisLists.Insert(_keyspace, key, before, Arg(3), Arg(4), out long length);
                    _out.WriteInteger(length);
                    return error;
                }

            case CommandId.LRem:
                {
                    if (ArgLong(2, out long count) is RedisError bad)
                    {
                        return bad;
                    }

                    error = RedisLists.RemoveMatching(_keyspace, key, count, Arg(3), out long removed);
                    _out.WriteInteger(removed);
                    return error;
                }

            case CommandId.LTrim:
                {
                    if (ArgLong(2, out long start) is RedisError badStart)
                    {
                        return badStart;
                    }

                    if (ArgLong(3, out long stop) is RedisError badStop)
                    {
                        return badStop;
                    }

                    error = RedisLists.Open(_keyspace, key, out KeyMeta meta);
                    if (error == RedisError.None && meta.Type != RedisType.None)
                    {
                        (long from, long to) = RedisRange.Normalize(start, stop, meta.Count);
                        RedisLists.Trim(_keyspace, key, ref meta, from, to);
                    }

                    _out.WriteOk();
                    return error;
                }

            case CommandId.LPos:
                return ListPosition();
            case CommandId.LMove:
                if (!IsSide(3) || !IsSide(4))
                {
                    return RedisError.Syntax;
                }

                return ListMove(Arg(1), Arg(2), ArgIs(3, "LEFT"u8), ArgIs(4, "LEFT"u8));
            case CommandId.RPopLPush:
                return ListMove(Arg(1), Arg(2), fromLeft: false, toLeft: true);
            default:
                return ExecuteListExtension(id);
        }
    }

    private RedisError ListPop(bool left)
    {
        if (_argc > 3)
        {
            return RedisError.WrongArgumentCount;
        }

        long count = -1; // no count: one bulk reply, not an array
        if (_argc == 3 && (!RedisNumbers.ParseLong(Arg(2), out count) || count < 0))
        {
            return RedisError.NotPositive;
        }

        ReadOnlySpan<byte> key = Arg(1);
        RedisError error = RedisLists.Open(_keyspace, key, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            if (count < 0)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteNullArray();
            }

            return error;
        }

        long n = count < 0 ? 1 : Math.Min(count, meta.Count);
        if (count >= 0)
        {
            _out.WriteArrayHeader(n);
        }

        for (long i = 0; i < n; i++)
        {
            bool found = RedisLists.Pop(_keyspace, key, ref meta, left, out ReadOnlySpan<byte> value);
            WriteBulkOrNull(found, value);
        }

        return RedisError.None;
    }

    private RedisError ListMove(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool fromLeft, bool toLeft)
    {
        RedisError error = RedisLists.Move(_keyspace, source, destination, fromLeft, toLeft, out byte[]? moved);
        WriteBulkOrNull(moved is not null, moved);
        return error;
    }

    private RedisError ListPosition()
    {
        long rank = 1, count = -1, maxLen = 0;
        for (int i = 3; i < _argc; i++)
        {
            if (i + 1 >= _argc)
            {
                return RedisError.Syntax;
            }

            if (ArgIs(i, "RANK"u8))
            {
                if (ArgLong(++i, out rank) is RedisError bad)
                {
                    return bad;
                }

                if (rank == long.MinValue)
                {
                    rank = -1; // Redis 7.0 negates it in place (overflow): it ends up meaning "the first match from the tail"
                }

                if (rank == 0)
                {
                    return RedisError.LposRankZero;
                }
            }
            else if (ArgIs(i, "COUNT"u8))
            {
                if (ArgLong(++i, out count) is RedisError bad)
                {
                    return bad;
                }

                if (count < 0)
                {
                    return RedisError.LposCountNegative;
                }
            }
            else if (ArgIs(i, "MAXLEN"u8))
            {
                if (ArgLong(++i, out maxLen) is RedisError bad)
                {
                    return bad;
                }

                if (maxLen < 0)
                {
                    return RedisError.LposMaxLenNegative;
                }
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        RedisError error = RedisLists.Position(_keyspace, Arg(1), Arg(2), rank, count, maxLen, out long first, out List<long>? all);
        if (all is null)
        {
            if (first < 0)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteInteger(first);
            }

            return error;
        }

        _out.WriteArrayHeader(all.Count);
        foreach (long m in all)
        {
            _out.WriteInteger(m);
        }

        return error;
    }
}

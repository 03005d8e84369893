using ThunderDb.Core.Keys;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>
/// List commands. Elements live at sortable 64-bit slots between the metadata's head (first) and tail (one past
/// the last), so pushes and pops at either end touch one record; inserts and removals in the middle renumber.
/// </summary>
internal sealed partial class RespSession
{
    private RedisType GetList(ReadOnlySpan<byte> key, out KeyMeta meta) => Find(key, RedisType.List, out meta);

    private void ExecuteList(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        switch (id)
        {
            case CommandId.LPush:
            case CommandId.RPush:
            case CommandId.LPushX:
            case CommandId.RPushX:
                {
                    RedisType type = GetList(key, out KeyMeta meta);
                    if (type == RedisType.None && id is CommandId.LPushX or CommandId.RPushX)
                    {
                        _out.WriteInteger(0);
                        break;
                    }

                    bool left = id is CommandId.LPush or CommandId.LPushX;
                    for (int i = 2; i < _argc; i++)
                    {
                        RedisLists.Push(_keyspace, key, ref meta, left, Arg(i));
                    }

                    _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
                    _out.WriteInteger(meta.Count);
                    break;
                }

            case CommandId.LPop:
            case CommandId.RPop:
                {
                    long? count = null;
                    if (_argc > 3)
                    {
                        throw Error($"ERR wrong number of arguments for '{(id == CommandId.LPop ? "lpop" : "rpop")}' command");
                    }

                    if (_argc == 3)
                    {
                        count = RedisNumbers.ParseLong(Arg(2), out long parsed) ? parsed : -1;
                        if (count < 0)
                        {
                            throw Error(RedisErrors.NotPositive);
                        }
                    }

                    if (GetList(key, out KeyMeta meta) == RedisType.None)
                    {
                        if (count is null)
                        {
                            _out.WriteNull();
                        }
                        else
                        {
                            _out.WriteNullArray();
                        }

                        break;
                    }

                    if (count is null)
                    {
                        PopOne(key, ref meta, id == CommandId.LPop, writeReply: true);
                        break;
                    }

                    long n = Math.Min(count.Value, meta.Count);
                    _out.WriteArrayHeader(n);
                    for (long i = 0; i < n; i++)
                    {
                        PopOne(key, ref meta, id == CommandId.LPop, writeReply: true);
                    }

                    break;
                }

            case CommandId.LLen:
                GetList(key, out KeyMeta lenMeta);
                _out.WriteInteger(lenMeta.Count);
                break;
            case CommandId.LRange:
                {
                    long start = ArgLong(2), stop = ArgLong(3);
                    if (GetList(key, out KeyMeta meta) == RedisType.None)
                    {
                        _out.WriteArrayHeader(0);
                        break;
                    }

                    (long from, long to) = RedisRange.Normalize(start, stop, meta.Count);
                    if (from > to || from >= meta.Count)
                    {
                        _out.WriteArrayHeader(0);
                        break;
                    }

                    _out.WriteArrayHeader(to - from + 1);
                    using IKvCursor cursor = RedisLists.OpenRange(_keyspace, key, meta, from, to);
                    while (cursor.MoveNext())
                    {
                        _out.WriteBulk(cursor.Value);
                    }

                    break;
                }

            case CommandId.LIndex:
                {
                    long index = ArgLong(2);
                    if (GetList(key, out KeyMeta meta) == RedisType.None || !RedisLists.TryGet(_keyspace, key, meta, index, out ReadOnlySpan<byte> value))
                    {
                        _out.WriteNull();
                        break;
                    }

                    _out.WriteBulk(value);
                    break;
                }

            case CommandId.LSet:
                {
                    long index = ArgLong(2);
                    if (GetList(key, out KeyMeta meta) == RedisType.None)
                    {
                        throw Error(RedisErrors.NoSuchKey);
                    }

                    if (!RedisLists.Set(_keyspace, key, meta, index, Arg(3)))
                    {
                        throw Error(RedisErrors.IndexOutOfRange);
                    }

                    _out.WriteOk();
                    break;
                }

            case CommandId.LInsert:
                {
                    bool before = ArgIs(2, "BEFORE"u8);
                    if (!before && !ArgIs(2, "AFTER"u8))
                    {
                        throw Error(RedisErrors.Syntax);
                    }

                    if (GetList(key, out KeyMeta meta) == RedisType.None)
                    {
                        _out.WriteInteger(0);
                        break;
                    }

                    List<byte[]> items = RedisLists.Items(_keyspace, key);
                    int pivot = items.FindIndex(x => x.AsSpan().SequenceEqual(Arg(3)));
                    if (pivot < 0)
                    {
                        _out.WriteInteger(-1);
                        break;
                    }

                    items.Insert(before ? pivot : pivot + 1, ArgBytes(4));
                    RedisLists.Rewrite(_keyspace, key, ref meta, items);
                    _out.WriteInteger(meta.Count);
                    break;
                }

            case CommandId.LRem:
                {
                    long count = ArgLong(2);
                    if (GetList(key, out KeyMeta meta) == RedisType.None)
                    {
                        _out.WriteInteger(0);
                        break;
                    }

                    List<byte[]> items = RedisLists.Items(_keyspace, key);
                    long removed = 0;
                    ReadOnlySpan<byte> element = Arg(3);
                    if (count >= 0)
                    {
                        for (int i = 0; i < items.Count && (count == 0 || removed < count);)
                        {
                            if (items[i].AsSpan().SequenceEqual(element))
                            {
                                items.RemoveAt(i);
                                removed++;
                            }
                            else
                            {
                                i++;
                            }
                        }
                    }
                    else
                    {
                        for (int i = items.Count - 1; i >= 0 && removed < -count; i--)
                        {
                            if (items[i].AsSpan().SequenceEqual(element))
                            {
                                items.RemoveAt(i);
                                removed++;
                            }
                        }
                    }

                    if (removed > 0)
                    {
                        RedisLists.Rewrite(_keyspace, key, ref meta, items);
                    }

                    _out.WriteInteger(removed);
                    break;
                }

            case CommandId.LTrim:
                {
                    long start = ArgLong(2), stop = ArgLong(3);
                    if (GetList(key, out KeyMeta meta) == RedisType.None)
                    {
                        _out.WriteOk();
                        break;
                    }

                    (long from, long to) = RedisRange.Normalize(start, stop, meta.Count);
                    RedisLists.Trim(_keyspace, key, ref meta, from, to);
                    _out.WriteOk();
                    break;
                }

            case CommandId.LPos:
                ListPosition();
                break;
            case CommandId.LMove:
                if (!IsSide(3) || !IsSide(4))
                {
                    throw Error(RedisErrors.Syntax);
                }

                ListMove(Arg(1), Arg(2), ArgIs(3, "LEFT"u8), ArgIs(4, "LEFT"u8));
                break;
            case CommandId.RPopLPush:
                ListMove(Arg(1), Arg(2), fromLeft: false, toLeft: true);
                break;
            default:
                ExecuteListExtension(id);
                break;
        }
    }

    /// <summary>Removes one element from an end, optionally writing it as a bulk reply; the metadata is saved.</summary>
    private void PopOne(ReadOnlySpan<byte> key, ref KeyMeta meta, bool left, bool writeReply)
    {
        bool found = RedisLists.Pop(_keyspace, key, ref meta, left, out ReadOnlySpan<byte> value);
        if (writeReply)
        {
            WriteBulkOrNull(found, value);
        }
    }

    private void ListMove(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool fromLeft, bool toLeft)
    {
        if (GetList(source, out KeyMeta meta) == RedisType.None)
        {
            _out.WriteNull();
            return;
        }

        GetList(destination, out _); // WRONGTYPE before anything changes
        RedisLists.Peek(_keyspace, source, meta, fromLeft, out ReadOnlySpan<byte> found);
        byte[] value = found.ToArray();
        PopOne(source, ref meta, fromLeft, writeReply: false);
        GetList(destination, out KeyMeta target);
        RedisLists.Push(_keyspace, destination, ref target, toLeft, value);
        _keyspace.WriteCollectionMeta(destination, target, target.ExpireAtMs);
        _out.WriteBulk(value);
    }

    private void ListPosition()
    {
        long rank = 1, count = -1, maxLen = 0;
        for (int i = 3; i < _argc; i++)
        {
            if (i + 1 >= _argc)
            {
                throw Error(RedisErrors.Syntax);
            }

            if (ArgIs(i, "RANK"u8))
            {
                rank = ArgLong(++i);
                if (rank == long.MinValue)
                {
                    rank = -1; // Redis 7.0 negates it in place (overflow): it ends up meaning "the first match from the tail"
                }

                if (rank == 0)
                {
                    throw Error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
                }
            }
            else if (ArgIs(i, "COUNT"u8))
            {
                count = ArgLong(++i);
                if (count < 0)
                {
                    throw Error("ERR COUNT can't be negative");
                }
            }
            else if (ArgIs(i, "MAXLEN"u8))
            {
                maxLen = ArgLong(++i);
                if (maxLen < 0)
                {
                    throw Error("ERR MAXLEN can't be negative");
                }
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        var matches = new List<long>();
        if (GetList(Arg(1), out KeyMeta meta) != RedisType.None)
        {
            bool reverse = rank < 0;
            long skip = Math.Abs(rank) - 1, scanned = 0, index = reverse ? meta.Count - 1 : 0;
            using IKvCursor cursor = _keyspace.ScanElements(Arg(1), default, default, reverse);
            while (cursor.MoveNext() && (maxLen == 0 || scanned < maxLen))
            {
                scanned++;
                if (cursor.Value.SequenceEqual(Arg(2)))
                {
                    if (skip > 0)
                    {
                        skip--;
                    }
                    else
                    {
                        matches.Add(index);
                        if (count >= 0 && (count == 0 ? false : matches.Count >= count))
                        {
                            break;
                        }

                        if (count < 0)
                        {
                            break;
                        }
                    }
                }

                index += reverse ? -1 : 1;
            }
        }

        if (count < 0)
        {
            if (matches.Count == 0)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteInteger(matches[0]);
            }

            return;
        }

        _out.WriteArrayHeader(matches.Count);
        foreach (long m in matches)
        {
            _out.WriteInteger(m);
        }
    }
}

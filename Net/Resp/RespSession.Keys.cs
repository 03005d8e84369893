using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>Generic key commands (DEL, EXPIRE, SCAN, RENAME...) and the database-wide ones (DBSIZE, FLUSHDB).</summary>
internal sealed partial class RespSession
{
    private static ReadOnlySpan<byte> TypeName(RedisType type) => type switch
    {
        RedisType.String => "string"u8,
        RedisType.List => "list"u8,
        RedisType.Set => "set"u8,
        RedisType.ZSet => "zset"u8,
        RedisType.Hash => "hash"u8,
        RedisType.Stream => "stream"u8,
        _ => "none"u8,
    };

    private RedisError ExecuteKeys(CommandId id)
    {
        switch (id)
        {
            case CommandId.DbSize:
                _out.WriteInteger(RedisKeys.Count(_keyspace).Keys);
                break;
            case CommandId.FlushDb:
            case CommandId.FlushAll:
                if (_argc > 2 || (_argc == 2 && !ArgIs(1, "ASYNC"u8) && !ArgIs(1, "SYNC"u8)))
                {
                    return RedisError.Syntax;
                }

                if (id == CommandId.FlushDb)
                {
                    _keyspace.FlushDb();
                }
                else
                {
                    for (int db = 0; db < RedisKeyCodec.DatabaseCount; db++)
                    {
                        _keyspace.Db = db;
                        _keyspace.FlushDb();
                    }

                    _keyspace.Db = _db;
                }

                _server.Signals.BumpFlush();
                _out.WriteOk();
                break;
            case CommandId.Del:
            case CommandId.Unlink:
                _out.WriteInteger(RedisKeys.Delete(_keyspace, Args(1)));
                break;
            case CommandId.Exists:
                _out.WriteInteger(RedisKeys.Exists(_keyspace, Args(1)));
                break;
            case CommandId.Type:
                _out.WriteSimple(TypeName(_keyspace.Lookup(Arg(1), out _)));
                break;
            case CommandId.Keys:
                {
                    var keys = new List<byte[]>();
                    RedisError error = RedisKeys.Match(_keyspace, Arg(1), keys);
                    if (error != RedisError.None)
                    {
                        return error;
                    }

                    WriteBulkArray(keys);
                    break;
                }

            case CommandId.Scan:
                return Scan();
            case CommandId.Rename:
            case CommandId.RenameNx:
                return Rename(id == CommandId.RenameNx);
            case CommandId.Expire:
            case CommandId.PExpire:
            case CommandId.ExpireAt:
            case CommandId.PExpireAt:
                return Expire(id);
            case CommandId.Ttl:
            case CommandId.PTtl:
            case CommandId.ExpireTime:
            case CommandId.PExpireTime:
                _out.WriteInteger(RedisKeys.TimeToLive(_keyspace, Arg(1), absolute: id is CommandId.ExpireTime or CommandId.PExpireTime,
                    milliseconds: id is CommandId.PTtl or CommandId.PExpireTime));
                break;
            case CommandId.Persist:
                _out.WriteInteger(RedisKeys.Persist(_keyspace, Arg(1)) ? 1 : 0);
                break;
            case CommandId.RandomKey:
                {
                    byte[]? key = RedisKeys.RandomKey(_keyspace);
                    WriteBulkOrNull(key is not null, key);
                    break;
                }

            case CommandId.Copy:
                return Copy();
            default:
                return ExecuteKeysExtension(id);
        }

        return RedisError.None;
    }

    private void WriteBulkArray(List<byte[]> items)
    {
        _out.WriteArrayHeader(items.Count);
        foreach (byte[] item in items)
        {
            _out.WriteBulk(item);
        }
    }

    /// <summary>The position a SCAN-family cursor names: empty for 0 (start), else the bytes to resume strictly after.</summary>
    private RedisError ResolveCursor(int argIndex, out byte[] from)
    {
        from = [];
        if (!ulong.TryParse(Arg(argIndex), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong cursor))
        {
            return RedisError.InvalidCursor;
        }

        if (cursor == 0)
        {
            return RedisError.None;
        }

        if (cursor > long.MaxValue || !_server.ScanCursors.TryResolve((long)cursor, out byte[] position))
        {
            return RedisError.InvalidCursor;
        }

        from = [.. position, 0]; // the smallest key after the last one returned
        return RedisError.None;
    }

    /// <summary>The reply of a SCAN-family command: the next cursor (0 when done) and the items.</summary>
    private void WriteScanReply(byte[]? resumeAfter, List<byte[]> items)
    {
        _out.WriteArrayHeader(2);
        _out.WriteBulk(resumeAfter is null ? 0 : _server.ScanCursors.Register(resumeAfter));
        WriteBulkArray(items);
    }

    private RedisError Scan()
    {
        RedisError error = ResolveCursor(1, out byte[] from);
        if (error != RedisError.None || (error = ScanOptions(2, allowType: true, out byte[]? pattern, out long count, out RedisType? type)) != RedisError.None)
        {
            return error;
        }

        var found = new List<byte[]>();
        RedisKeys.Scan(_keyspace, from, pattern, count, type, found, out byte[]? resumeAfter);
        WriteScanReply(resumeAfter, found);
        return RedisError.None;
    }

    /// <summary>HSCAN, SSCAN, ZSCAN: a resumable cursor over the element records.</summary>
    private RedisError ScanElementsCommand(RedisType type)
    {
        RedisError error = ResolveCursor(2, out byte[] from);
        if (error != RedisError.None || (error = ScanOptions(3, allowType: false, out byte[]? pattern, out long count, out _)) != RedisError.None)
        {
            return error;
        }

        var items = new List<byte[]>();
        error = RedisKeys.ScanElements(_keyspace, Arg(1), type, from, pattern, count, items, out byte[]? resumeAfter);
        WriteScanReply(resumeAfter, items);
        return error;
    }

    private RedisError ScanOptions(int from, bool allowType, out byte[]? pattern, out long count, out RedisType? type)
    {
        pattern = null;
        count = 10;
        type = null;
        for (int i = from; i < _argc; i++)
        {
            if (ArgIs(i, "MATCH"u8) && i + 1 < _argc)
            {
                pattern = ArgBytes(++i);
            }
            else if (ArgIs(i, "COUNT"u8) && i + 1 < _argc)
            {
                if (ArgLong(++i, out count) is RedisError bad)
                {
                    return bad;
                }

                if (count < 1)
                {
                    return RedisError.Syntax;
                }
            }
            else if (allowType && ArgIs(i, "TYPE"u8) && i + 1 < _argc)
            {
                i++;
                type = ArgIs(i, "string"u8) ? RedisType.String : ArgIs(i, "list"u8) ? RedisType.List : ArgIs(i, "set"u8) ? RedisType.Set :
                    ArgIs(i, "zset"u8) ? RedisType.ZSet : ArgIs(i, "hash"u8) ? RedisType.Hash :
                    ArgIs(i, "stream"u8) ? RedisType.Stream : RedisType.None;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        return RedisError.None;
    }

    private RedisError Expire(CommandId id)
    {
        if (ArgLong(2, out long amount) is RedisError bad)
        {
            return bad;
        }

        ExpireCondition condition = ExpireCondition.None;
        for (int i = 3; i < _argc; i++)
        {
            ExpireCondition option = ArgIs(i, "NX"u8) ? ExpireCondition.Nx : ArgIs(i, "XX"u8) ? ExpireCondition.Xx :
                ArgIs(i, "GT"u8) ? ExpireCondition.Gt : ArgIs(i, "LT"u8) ? ExpireCondition.Lt : ExpireCondition.None;
            if (option == ExpireCondition.None)
            {
                throw Error($"ERR Unsupported option {ArgString(i)}");
            }

            condition |= option;
        }

        if ((condition & ExpireCondition.Nx) != 0 && condition != ExpireCondition.Nx)
        {
            throw Error("ERR NX and XX, GT or LT options at the same time are not compatible");
        }

        if ((condition & (ExpireCondition.Gt | ExpireCondition.Lt)) == (ExpireCondition.Gt | ExpireCondition.Lt))
        {
            throw Error("ERR GT and LT options at the same time are not compatible");
        }

        bool seconds = id is CommandId.Expire or CommandId.ExpireAt, absolute = id is CommandId.ExpireAt or CommandId.PExpireAt;
        if (!RedisExpiry.TryCommandDeadline(amount, seconds, absolute, _keyspace.NowMs, out long when))
        {
            throw Error($"ERR invalid expire time in '{id.ToString().ToLowerInvariant()}' command");
        }

        _out.WriteInteger(RedisKeys.Expire(_keyspace, Arg(1), when, condition) ? 1 : 0);
        return RedisError.None;
    }

    private RedisError Rename(bool onlyIfNew)
    {
        RedisError error = RedisKeys.Rename(_keyspace, Arg(1), Arg(2), onlyIfNew, out bool renamed);
        if (onlyIfNew)
        {
            _out.WriteInteger(renamed ? 1 : 0);
        }
        else
        {
            _out.WriteOk();
        }

        return error;
    }

    private RedisError Copy()
    {
        int targetDb = _db;
        bool replace = false;
        for (int i = 3; i < _argc; i++)
        {
            if (ArgIs(i, "REPLACE"u8))
            {
                replace = true;
            }
            else if (ArgIs(i, "DB"u8) && i + 1 < _argc)
            {
                if (ArgLong(++i, out long db) is RedisError bad)
                {
                    return bad;
                }

                if (db is < 0 or >= RedisKeyCodec.DatabaseCount)
                {
                    return RedisError.DbIndex;
                }

                targetDb = (int)db;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        RedisError error = RedisKeys.Copy(_keyspace, Arg(1), Arg(2), targetDb, replace, out bool copied);
        _out.WriteInteger(copied ? 1 : 0);
        return error;
    }

    private static string Lower(string s) => s.ToLowerInvariant();
}

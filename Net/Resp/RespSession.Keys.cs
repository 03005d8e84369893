using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>Generic key commands (DEL, EXPIRE, SCAN, RENAME...) and the database-wide ones (DBSIZE, FLUSHDB).</summary>
internal sealed partial class RespSession
{
    /// <summary>The throwing form of <see cref="RedisKeyspace.Find"/>, for the command families not yet returning error values (lists, sorted sets).</summary>
    private RedisType Find(ReadOnlySpan<byte> key, RedisType expected, out KeyMeta meta) =>
        _keyspace.Find(key, expected, out meta) == RedisError.None ? meta.Type : throw Error(RedisErrors.WrongType);

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
                _out.WriteInteger(CountKeys(_keyspace).Keys);
                break;
            case CommandId.FlushDb:
            case CommandId.FlushAll:
                if (_argc > 2 || (_argc == 2 && !ArgIs(1, "ASYNC"u8) && !ArgIs(1, "SYNC"u8)))
                {
                    throw Error(RedisErrors.Syntax);
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
                Scan();
                break;
            case CommandId.Rename:
            case CommandId.RenameNx:
                Rename(id == CommandId.RenameNx);
                break;
            case CommandId.Expire:
            case CommandId.PExpire:
            case CommandId.ExpireAt:
            case CommandId.PExpireAt:
                Expire(id);
                break;
            case CommandId.Ttl:
            case CommandId.PTtl:
            case CommandId.ExpireTime:
            case CommandId.PExpireTime:
                {
                    if (_keyspace.Lookup(Arg(1), out KeyMeta meta) == RedisType.None)
                    {
                        _out.WriteInteger(-2);
                    }
                    else if (meta.ExpireAtMs == 0)
                    {
                        _out.WriteInteger(-1);
                    }
                    else
                    {
                        bool absolute = id is CommandId.ExpireTime or CommandId.PExpireTime;
                        long ms = Math.Max(absolute ? meta.ExpireAtMs : meta.ExpireAtMs - _keyspace.NowMs, 0);
                        _out.WriteInteger(id is CommandId.PTtl or CommandId.PExpireTime ? ms : (ms + 500) / 1000);
                    }

                    break;
                }

            case CommandId.Persist:
                {
                    if (_keyspace.Lookup(Arg(1), out KeyMeta meta) == RedisType.None || meta.ExpireAtMs == 0)
                    {
                        _out.WriteInteger(0);
                    }
                    else
                    {
                        _keyspace.SetExpire(Arg(1), ref meta, 0);
                        _out.WriteInteger(1);
                    }

                    break;
                }

            case CommandId.RandomKey:
                RandomKey();
                break;
            case CommandId.Copy:
                Copy();
                break;
            default:
                ExecuteKeysExtension(id);
                break;
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
    private byte[] ResolveCursor(int argIndex)
    {
        if (!ulong.TryParse(Arg(argIndex), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong cursor))
        {
            throw Error("ERR invalid cursor");
        }

        if (cursor == 0)
        {
            return [];
        }

        if (cursor > long.MaxValue || !_server.ScanCursors.TryResolve((long)cursor, out byte[] position))
        {
            throw Error("ERR invalid cursor");
        }

        return [.. position, 0]; // the smallest key after the last one returned
    }

    private void Scan()
    {
        byte[] from = ResolveCursor(1);
        (byte[]? pattern, long count, RedisType? type) = ScanOptions(2, allowType: true);
        var found = new List<byte[]>();
        long visited = 0;
        byte[]? last = null;
        bool more = false;
        using (IKvCursor cursor = _keyspace.ScanKeys(from))
        {
            while (cursor.MoveNext())
            {
                if (!_keyspace.IsLive(cursor.Value))
                {
                    continue;
                }

                if (visited == count)
                {
                    more = true;
                    break;
                }

                visited++;
                ReadOnlySpan<byte> key = cursor.Key[3..];
                last = key.ToArray();
                if ((pattern is null || GlobPattern.IsMatch(pattern, key)) && (type is null || (RedisType)cursor.Value[0] == type))
                {
                    found.Add(last);
                }
            }
        }

        _out.WriteArrayHeader(2);
        _out.WriteBulk(more ? _server.ScanCursors.Register(last!) : 0);
        WriteBulkArray(found);
    }

    private (byte[]? Pattern, long Count, RedisType? Type) ScanOptions(int from, bool allowType)
    {
        byte[]? pattern = null;
        long count = 10;
        RedisType? type = null;
        for (int i = from; i < _argc; i++)
        {
            if (ArgIs(i, "MATCH"u8) && i + 1 < _argc)
            {
                pattern = ArgBytes(++i);
            }
            else if (ArgIs(i, "COUNT"u8) && i + 1 < _argc)
            {
                count = ArgLong(++i);
                if (count < 1)
                {
                    throw Error(RedisErrors.Syntax);
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
                throw Error(RedisErrors.Syntax);
            }
        }

        return (pattern, count, type);
    }

    private void Expire(CommandId id)
    {
        long amount = ArgLong(2);
        bool nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < _argc; i++)
        {
            if (ArgIs(i, "NX"u8))
            {
                nx = true;
            }
            else if (ArgIs(i, "XX"u8))
            {
                xx = true;
            }
            else if (ArgIs(i, "GT"u8))
            {
                gt = true;
            }
            else if (ArgIs(i, "LT"u8))
            {
                lt = true;
            }
            else
            {
                throw Error($"ERR Unsupported option {ArgString(i)}");
            }
        }

        if (nx && (xx || gt || lt))
        {
            throw Error("ERR NX and XX, GT or LT options at the same time are not compatible");
        }

        if (gt && lt)
        {
            throw Error("ERR GT and LT options at the same time are not compatible");
        }

        string name = id.ToString().ToLowerInvariant();
        long now = _keyspace.NowMs;
        long when;
        try
        {
            when = id switch
            {
                CommandId.Expire => checked(now + checked(amount * 1000)),
                CommandId.PExpire => checked(now + amount),
                CommandId.ExpireAt => checked(amount * 1000),
                _ => amount,
            };
        }
        catch (OverflowException)
        {
            throw Error($"ERR invalid expire time in '{name}' command");
        }

        if (_keyspace.Lookup(Arg(1), out KeyMeta meta) == RedisType.None)
        {
            _out.WriteInteger(0);
            return;
        }

        long current = meta.ExpireAtMs;
        if ((nx && current != 0) || (xx && current == 0) || (gt && (current == 0 || when <= current)) || (lt && current != 0 && when >= current))
        {
            _out.WriteInteger(0);
            return;
        }

        if (when <= now)
        {
            _keyspace.DeleteKey(Arg(1), meta);
        }
        else
        {
            _keyspace.SetExpire(Arg(1), ref meta, when);
        }

        _out.WriteInteger(1);
    }

    private void RandomKey()
    {
        Span<byte> start = stackalloc byte[8];
        Random.Shared.NextBytes(start);
        for (int pass = 0; pass < 2; pass++)
        {
            using IKvCursor cursor = _keyspace.ScanKeys(pass == 0 ? start : default);
            while (cursor.MoveNext())
            {
                if (_keyspace.IsLive(cursor.Value))
                {
                    _out.WriteBulk(cursor.Key[3..]);
                    return;
                }
            }
        }

        _out.WriteNull();
    }

    /// <summary>A key's whole content, read out so it can be written under another name (RENAME, COPY, MOVE-like moves).</summary>
    private sealed class KeySnapshot
    {
        public KeyMeta Meta;
        public byte[]? StringValue;
        public List<(byte[] Suffix, byte[] Value)> Elements { get; } = [];
    }

    private KeySnapshot? Snapshot(ReadOnlySpan<byte> key)
    {
        RedisType type = _keyspace.Lookup(key, out KeyMeta meta);
        if (type == RedisType.None)
        {
            return null;
        }

        var snapshot = new KeySnapshot { Meta = meta };
        if (type == RedisType.String)
        {
            snapshot.StringValue = _keyspace.StringValue.ToArray();
            return snapshot;
        }

        int prefix = _keyspace.ElementPrefixLength(key);
        using IKvCursor cursor = _keyspace.ScanElements(key, default, default);
        while (cursor.MoveNext())
        {
            snapshot.Elements.Add((cursor.Key[prefix..].ToArray(), cursor.Value.ToArray()));
        }

        return snapshot;
    }

    private void Restore(ReadOnlySpan<byte> key, KeySnapshot snapshot)
    {
        if (snapshot.StringValue is not null)
        {
            _keyspace.WriteString(key, snapshot.StringValue, snapshot.Meta.ExpireAtMs, 0);
            return;
        }

        foreach ((byte[] suffix, byte[] value) in snapshot.Elements)
        {
            _keyspace.PutElement(key, suffix, default, value);
        }

        _keyspace.WriteCollectionMeta(key, snapshot.Meta, 0);
    }

    private void Rename(bool onlyIfNew)
    {
        KeySnapshot snapshot = Snapshot(Arg(1)) ?? throw Error(RedisErrors.NoSuchKey);
        if (Arg(1).SequenceEqual(Arg(2)))
        {
            if (onlyIfNew)
            {
                _out.WriteInteger(0);
            }
            else
            {
                _out.WriteOk();
            }

            return;
        }

        RedisType existing = _keyspace.Lookup(Arg(2), out KeyMeta target);
        if (existing != RedisType.None)
        {
            if (onlyIfNew)
            {
                _out.WriteInteger(0);
                return;
            }

            _keyspace.DeleteKey(Arg(2), target);
        }

        _keyspace.DeleteKey(Arg(1), snapshot.Meta);
        Restore(Arg(2), snapshot);
        if (onlyIfNew)
        {
            _out.WriteInteger(1);
        }
        else
        {
            _out.WriteOk();
        }
    }

    private void Copy()
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
                long db = ArgLong(++i);
                if (db is < 0 or >= RedisKeyCodec.DatabaseCount)
                {
                    throw Error(RedisErrors.DbIndex);
                }

                targetDb = (int)db;
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        if (targetDb == _db && Arg(1).SequenceEqual(Arg(2)))
        {
            throw Error("ERR source and destination objects are the same");
        }

        KeySnapshot? snapshot = Snapshot(Arg(1));
        if (snapshot is null)
        {
            _out.WriteInteger(0);
            return;
        }

        _keyspace.Db = targetDb;
        try
        {
            RedisType existing = _keyspace.Lookup(Arg(2), out KeyMeta target);
            if (existing != RedisType.None)
            {
                if (!replace)
                {
                    _out.WriteInteger(0);
                    return;
                }

                _keyspace.DeleteKey(Arg(2), target);
            }

            Restore(Arg(2), snapshot);
            _out.WriteInteger(1);
        }
        finally
        {
            _keyspace.Db = _db;
        }
    }

    private static string Lower(string s) => s.ToLowerInvariant();
}

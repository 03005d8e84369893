using System.Text;
using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>String commands: argument checks and replies around <see cref="RedisStrings"/>. GET and SET allocate nothing.</summary>
internal sealed partial class RespSession
{
    private RedisError ExecuteString(CommandId id)
    {
        RedisError error;
        switch (id)
        {
            case CommandId.Get:
                {
                    error = RedisStrings.Get(_keyspace, Arg(1), out bool found, out ReadOnlySpan<byte> value);
                    WriteBulkOrNull(found, value);
                    return error;
                }

            case CommandId.Set:
                return Set();
            case CommandId.SetNx:
                _out.WriteInteger(RedisStrings.SetIfMissing(_keyspace, Arg(1), Arg(2)) ? 1 : 0);
                return RedisError.None;
            case CommandId.SetEx:
            case CommandId.PSetEx:
                {
                    error = ExpireAt(2, seconds: id == CommandId.SetEx, absolute: false, id == CommandId.SetEx ? "setex" : "psetex", out long when);
                    if (error == RedisError.None)
                    {
                        RedisStrings.Overwrite(_keyspace, Arg(1), Arg(3), when);
                        _out.WriteOk();
                    }

                    return error;
                }

            case CommandId.GetSet:
                {
                    error = RedisStrings.GetSet(_keyspace, Arg(1), Arg(2), out bool found, out ReadOnlySpan<byte> old);
                    WriteBulkOrNull(found, old);
                    return error;
                }

            case CommandId.GetDel:
                {
                    error = RedisStrings.GetDel(_keyspace, Arg(1), out bool found, out ReadOnlySpan<byte> value);
                    WriteBulkOrNull(found, value);
                    return error;
                }

            case CommandId.GetEx:
                return GetEx();
            case CommandId.MGet:
                _out.WriteArrayHeader(_argc - 1);
                for (int i = 1; i < _argc; i++)
                {
                    bool found = RedisStrings.TryGet(_keyspace, Arg(i), out ReadOnlySpan<byte> value);
                    WriteBulkOrNull(found, value);
                }

                return RedisError.None;
            case CommandId.MSet:
            case CommandId.MSetNx:
                if (_argc % 2 == 0)
                {
                    return RedisError.WrongArgumentCount;
                }

                if (id == CommandId.MSet)
                {
                    RedisStrings.MSet(_keyspace, Args(1));
                    _out.WriteOk();
                }
                else
                {
                    _out.WriteInteger(RedisStrings.MSetIfNoneExist(_keyspace, Args(1)) ? 1 : 0);
                }

                return RedisError.None;
            case CommandId.Incr:
                return IncrBy(1);
            case CommandId.Decr:
                return IncrBy(-1);
            case CommandId.IncrBy:
                return ArgLong(2, out long by) ?? IncrBy(by);
            case CommandId.DecrBy:
                {
                    if (ArgLong(2, out long decrement) is RedisError bad)
                    {
                        return bad;
                    }

                    if (decrement == long.MinValue)
                    {
                        throw Error("ERR decrement would overflow");
                    }

                    return IncrBy(-decrement);
                }

            case CommandId.IncrByFloat:
                {
                    error = RedisStrings.IncrByFloat(_keyspace, Arg(1), Arg(2), out byte[] text);
                    if (error == RedisError.None)
                    {
                        _out.WriteBulk(text);
                    }

                    return error;
                }

            case CommandId.Append:
                {
                    error = RedisStrings.Append(_keyspace, Arg(1), Arg(2), out long length);
                    _out.WriteInteger(length);
                    return error;
                }

            case CommandId.StrLen:
                {
                    error = RedisStrings.StrLen(_keyspace, Arg(1), out long length);
                    _out.WriteInteger(length);
                    return error;
                }

            case CommandId.GetRange:
                {
                    if (ArgLong(2, out long start) is RedisError badStart)
                    {
                        return badStart;
                    }

                    if (ArgLong(3, out long end) is RedisError badEnd)
                    {
                        return badEnd;
                    }

                    error = RedisStrings.GetRange(_keyspace, Arg(1), start, end, out ReadOnlySpan<byte> slice);
                    _out.WriteBulk(slice);
                    return error;
                }

            case CommandId.SetRange:
                {
                    if (ArgLong(2, out long offset) is RedisError bad)
                    {
                        return bad;
                    }

                    error = RedisStrings.SetRange(_keyspace, Arg(1), offset, Arg(3), out long length);
                    _out.WriteInteger(length);
                    return error;
                }

            case CommandId.SetBit:
                {
                    if (RedisBitmaps.ParseOffset(Arg(2), out long offset) is not RedisError.None and var bad)
                    {
                        return bad;
                    }

                    error = RedisBitmaps.SetBit(_keyspace, Arg(1), offset, Arg(3), out int old);
                    _out.WriteInteger(old);
                    return error;
                }

            case CommandId.GetBit:
                {
                    if (RedisBitmaps.ParseOffset(Arg(2), out long offset) is not RedisError.None and var bad)
                    {
                        return bad;
                    }

                    error = RedisBitmaps.GetBit(_keyspace, Arg(1), offset, out int bit);
                    _out.WriteInteger(bit);
                    return error;
                }

            case CommandId.Lcs:
                return Lcs();
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    private void WriteBulkOrNull(bool found, ReadOnlySpan<byte> value)
    {
        if (found)
        {
            _out.WriteBulk(value);
        }
        else
        {
            _out.WriteNull();
        }
    }

    private RedisError IncrBy(long by)
    {
        RedisError error = RedisStrings.IncrBy(_keyspace, Arg(1), by, out long result);
        _out.WriteInteger(result);
        return error;
    }

    private RedisError Set()
    {
        var options = default(SetOptions);
        int expiryArg = 0; // Redis: one kind of expiry (repeating the same option is allowed, the last one counts)
        ReadOnlySpan<byte> expiryKind = default;
        for (int i = 3; i < _argc; i++)
        {
            if (ArgIs(i, "NX"u8) && options.Condition != SetCondition.IfExists)
            {
                options.Condition = SetCondition.IfMissing;
            }
            else if (ArgIs(i, "XX"u8) && options.Condition != SetCondition.IfMissing)
            {
                options.Condition = SetCondition.IfExists;
            }
            else if (ArgIs(i, "GET"u8))
            {
                options.ReturnOld = true;
            }
            else if (ArgIs(i, "KEEPTTL"u8) && expiryArg == 0)
            {
                options.KeepTtl = true;
            }
            else if (i + 1 < _argc && !options.KeepTtl && IsExpiryOption(i) && (expiryArg == 0 || Ascii.EqualsIgnoreCase(Arg(i), expiryKind)))
            {
                expiryKind = Arg(i);
                expiryArg = ++i;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        if (expiryArg > 0)
        {
            RedisError bad = ExpireAt(expiryArg, IsSecondsOption(expiryArg - 1), IsAbsoluteOption(expiryArg - 1), "set", out options.ExpireAtMs);
            if (bad != RedisError.None)
            {
                return bad;
            }
        }

        RedisError error = RedisStrings.Set(_keyspace, Arg(1), Arg(2), options, out bool written, out bool oldFound, out ReadOnlySpan<byte> old);
        if (error != RedisError.None)
        {
            return error;
        }

        if (options.ReturnOld)
        {
            WriteBulkOrNull(oldFound, old);
        }
        else if (written)
        {
            _out.WriteOk();
        }
        else
        {
            _out.WriteNull();
        }

        return RedisError.None;
    }

    private RedisError GetEx()
    {
        ExpiryChange change = ExpiryChange.Keep;
        long expireAt = 0;
        int expiryArg = 0;
        ReadOnlySpan<byte> expiryKind = default;
        for (int i = 2; i < _argc; i++)
        {
            if (ArgIs(i, "PERSIST"u8) && expiryArg == 0)
            {
                change = ExpiryChange.Persist;
            }
            else if (i + 1 < _argc && change != ExpiryChange.Persist && IsExpiryOption(i) && (expiryArg == 0 || Ascii.EqualsIgnoreCase(Arg(i), expiryKind)))
            {
                expiryKind = Arg(i);
                expiryArg = ++i;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        if (expiryArg > 0)
        {
            RedisError bad = ExpireAt(expiryArg, IsSecondsOption(expiryArg - 1), IsAbsoluteOption(expiryArg - 1), "getex", out expireAt);
            if (bad != RedisError.None)
            {
                return bad;
            }

            change = ExpiryChange.ExpireAt;
        }

        RedisError error = RedisStrings.GetEx(_keyspace, Arg(1), change, expireAt, out bool found, out ReadOnlySpan<byte> value);
        WriteBulkOrNull(found, value);
        return error;
    }

    private bool IsExpiryOption(int i) => ArgIs(i, "EX"u8) || ArgIs(i, "PX"u8) || ArgIs(i, "EXAT"u8) || ArgIs(i, "PXAT"u8);

    private bool IsSecondsOption(int i) => ArgIs(i, "EX"u8) || ArgIs(i, "EXAT"u8);

    private bool IsAbsoluteOption(int i) => ArgIs(i, "EXAT"u8) || ArgIs(i, "PXAT"u8);

    /// <summary>The expire argument of SET/GETEX/SETEX/PSETEX as a deadline (Redis's overflow checks in <see cref="RedisExpiry"/>).</summary>
    private RedisError ExpireAt(int argIndex, bool seconds, bool absolute, string command, out long expireAtMs)
    {
        expireAtMs = 0;
        if (ArgLong(argIndex, out long amount) is RedisError bad)
        {
            return bad;
        }

        return RedisExpiry.TryDeadline(amount, seconds, absolute, _keyspace.NowMs, out expireAtMs)
            ? RedisError.None
            : throw Error($"ERR invalid expire time in '{command}' command");
    }
}

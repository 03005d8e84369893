using System.Buffers;
using System.Buffers.Text;
using System.Text;
using ThunderDb.Core.Kv;

namespace ThunderDb.Net.Resp;

/// <summary>String commands. GET and SET are the hot path: one lookup, one put, no allocation.</summary>
internal sealed partial class RespSession
{
    private readonly ArrayBufferWriter<byte> _compose = new(256);

    private void ExecuteString(CommandId id)
    {
        switch (id)
        {
            case CommandId.Get:
                if (Find(Arg(1), RedisType.String, out _) == RedisType.None)
                {
                    _out.WriteNull();
                }
                else
                {
                    _out.WriteBulk(_keyspace.StringValue);
                }

                break;
            case CommandId.Set:
                Set();
                break;
            case CommandId.SetNx:
                if (_keyspace.Lookup(Arg(1), out _) != RedisType.None)
                {
                    _out.WriteInteger(0);
                }
                else
                {
                    _keyspace.WriteString(Arg(1), Arg(2), 0, 0);
                    _out.WriteInteger(1);
                }

                break;
            case CommandId.SetEx:
            case CommandId.PSetEx:
                {
                    long when = ExpireAt(2, seconds: id == CommandId.SetEx, absolute: false, id == CommandId.SetEx ? "setex" : "psetex");
                    Overwrite(Arg(1), Arg(3), when);
                    _out.WriteOk();
                    break;
                }

            case CommandId.GetSet:
                {
                    RedisType type = Find(Arg(1), RedisType.String, out KeyMeta meta);
                    if (type == RedisType.None)
                    {
                        _out.WriteNull();
                    }
                    else
                    {
                        _out.WriteBulk(_keyspace.StringValue);
                    }

                    _keyspace.WriteString(Arg(1), Arg(2), 0, meta.ExpireAtMs);
                    break;
                }

            case CommandId.GetDel:
                if (Find(Arg(1), RedisType.String, out KeyMeta old) == RedisType.None)
                {
                    _out.WriteNull();
                }
                else
                {
                    _out.WriteBulk(_keyspace.StringValue);
                    _keyspace.DeleteKey(Arg(1), old);
                }

                break;
            case CommandId.GetEx:
                GetEx();
                break;
            case CommandId.MGet:
                _out.WriteArrayHeader(_argc - 1);
                for (int i = 1; i < _argc; i++)
                {
                    if (_keyspace.Lookup(Arg(i), out _) == RedisType.String)
                    {
                        _out.WriteBulk(_keyspace.StringValue);
                    }
                    else
                    {
                        _out.WriteNull();
                    }
                }

                break;
            case CommandId.MSet:
            case CommandId.MSetNx:
                {
                    if (_argc % 2 == 0)
                    {
                        throw Error($"ERR wrong number of arguments for '{Lower(id.ToString())}' command");
                    }

                    if (id == CommandId.MSetNx)
                    {
                        for (int i = 1; i < _argc; i += 2)
                        {
                            if (_keyspace.Lookup(Arg(i), out _) != RedisType.None)
                            {
                                _out.WriteInteger(0);
                                return;
                            }
                        }
                    }

                    for (int i = 1; i < _argc; i += 2)
                    {
                        Overwrite(Arg(i), Arg(i + 1), 0);
                    }

                    if (id == CommandId.MSet)
                    {
                        _out.WriteOk();
                    }
                    else
                    {
                        _out.WriteInteger(1);
                    }

                    break;
                }

            case CommandId.Incr:
                IncrBy(1);
                break;
            case CommandId.Decr:
                IncrBy(-1);
                break;
            case CommandId.IncrBy:
                IncrBy(ArgLong(2));
                break;
            case CommandId.DecrBy:
                {
                    long by = ArgLong(2);
                    if (by == long.MinValue)
                    {
                        throw Error("ERR decrement would overflow");
                    }

                    IncrBy(-by);
                    break;
                }

            case CommandId.IncrByFloat:
                IncrByFloat();
                break;
            case CommandId.Append:
                {
                    RedisType type = Find(Arg(1), RedisType.String, out KeyMeta meta);
                    _compose.ResetWrittenCount();
                    if (type != RedisType.None)
                    {
                        _compose.Write(_keyspace.StringValue);
                    }

                    CheckStringLength((long)_compose.WrittenCount + Arg(2).Length);

                    _compose.Write(Arg(2));
                    _keyspace.WriteString(Arg(1), _compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
                    _out.WriteInteger(_compose.WrittenCount);
                    break;
                }

            case CommandId.StrLen:
                _out.WriteInteger(Find(Arg(1), RedisType.String, out _) == RedisType.None ? 0 : _keyspace.StringValue.Length);
                break;
            case CommandId.GetRange:
                {
                    long start = ArgLong(2), end = ArgLong(3);
                    if (Find(Arg(1), RedisType.String, out _) == RedisType.None)
                    {
                        _out.WriteBulk(default(ReadOnlySpan<byte>));
                        break;
                    }

                    ReadOnlySpan<byte> value = _keyspace.StringValue;
                    if (start < 0 && end < 0 && start > end)
                    {
                        _out.WriteBulk(default(ReadOnlySpan<byte>));
                        break;
                    }

                    (long from, long to) = NormalizeRange(start, end, value.Length);
                    to = Math.Max(to, 0); // Redis clamps a still-negative end to 0 for GETRANGE
                    _out.WriteBulk(from > to || value.IsEmpty ? default : value[(int)from..(int)(to + 1)]);
                    break;
                }

            case CommandId.SetRange:
                SetRange();
                break;
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    /// <summary>Clamps a Redis inclusive index range (negative = from the end) to [0, length-1]; from &gt; to means empty.</summary>
    private static (long From, long To) NormalizeRange(long start, long end, long length)
    {
        if (start < 0)
        {
            start = Math.Max(0, length + start);
        }

        if (end < 0)
        {
            end = length + end;
        }

        if (end >= length)
        {
            end = length - 1;
        }

        return (start, end);
    }

    /// <summary>SET semantics: replaces whatever the key held (any type), with a new expiry.</summary>
    private void Overwrite(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs)
    {
        RedisType old = _keyspace.Lookup(key, out KeyMeta meta);
        if (old is not RedisType.None and not RedisType.String)
        {
            _keyspace.DeleteKey(key, meta);
            meta = default;
        }

        _keyspace.WriteString(key, value, expireAtMs, meta.ExpireAtMs);
    }

    private void Set()
    {
        bool nx = false, xx = false, get = false, keepTtl = false;
        long expireAt = 0;
        int expiryArg = 0; // Redis: one kind of expiry (repeating the same option is allowed, the last one counts)
        ReadOnlySpan<byte> expiryKind = default;
        for (int i = 3; i < _argc; i++)
        {
            if (ArgIs(i, "NX"u8) && !xx)
            {
                nx = true;
            }
            else if (ArgIs(i, "XX"u8) && !nx)
            {
                xx = true;
            }
            else if (ArgIs(i, "GET"u8))
            {
                get = true;
            }
            else if (ArgIs(i, "KEEPTTL"u8) && expiryArg == 0)
            {
                keepTtl = true;
            }
            else if (i + 1 < _argc && !keepTtl && IsExpiryOption(i) && (expiryArg == 0 || Ascii.EqualsIgnoreCase(Arg(i), expiryKind)))
            {
                expiryKind = Arg(i);
                expiryArg = ++i;
            }
            else
            {
                throw Error(Errors.Syntax);
            }
        }

        if (expiryArg > 0)
        {
            expireAt = ExpireAt(expiryArg, IsSecondsOption(expiryArg - 1), IsAbsoluteOption(expiryArg - 1), "set");
        }

        ReadOnlySpan<byte> key = Arg(1);
        RedisType old = _keyspace.Lookup(key, out KeyMeta meta);
        if (get)
        {
            if (old is not RedisType.None and not RedisType.String)
            {
                throw Error(Errors.WrongType);
            }

            if (old == RedisType.None)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteBulk(_keyspace.StringValue);
            }
        }

        if ((nx && old != RedisType.None) || (xx && old == RedisType.None))
        {
            if (!get)
            {
                _out.WriteNull();
            }

            return;
        }

        if (keepTtl)
        {
            expireAt = meta.ExpireAtMs;
        }

        if (old is not RedisType.None and not RedisType.String)
        {
            _keyspace.DeleteKey(key, meta);
            meta = default;
        }

        _keyspace.WriteString(key, Arg(2), expireAt, meta.ExpireAtMs);
        if (!get)
        {
            _out.WriteOk();
        }
    }

    private void GetEx()
    {
        long? expireAt = null;
        bool persist = false;
        int expiryArg = 0;
        ReadOnlySpan<byte> expiryKind = default;
        for (int i = 2; i < _argc; i++)
        {
            if (ArgIs(i, "PERSIST"u8) && expiryArg == 0)
            {
                persist = true;
            }
            else if (i + 1 < _argc && !persist && IsExpiryOption(i) && (expiryArg == 0 || Ascii.EqualsIgnoreCase(Arg(i), expiryKind)))
            {
                expiryKind = Arg(i);
                expiryArg = ++i;
            }
            else
            {
                throw Error(Errors.Syntax);
            }
        }

        if (expiryArg > 0)
        {
            expireAt = ExpireAt(expiryArg, IsSecondsOption(expiryArg - 1), IsAbsoluteOption(expiryArg - 1), "getex");
        }

        if (Find(Arg(1), RedisType.String, out KeyMeta meta) == RedisType.None)
        {
            _out.WriteNull();
            return;
        }

        _out.WriteBulk(_keyspace.StringValue);
        if (persist && meta.ExpireAtMs != 0)
        {
            _keyspace.SetExpire(Arg(1), ref meta, 0);
        }
        else if (expireAt is long when)
        {
            if (when <= _keyspace.NowMs)
            {
                _keyspace.DeleteKey(Arg(1), meta);
            }
            else
            {
                _keyspace.SetExpire(Arg(1), ref meta, when);
            }
        }
    }

    private bool IsExpiryOption(int i) => ArgIs(i, "EX"u8) || ArgIs(i, "PX"u8) || ArgIs(i, "EXAT"u8) || ArgIs(i, "PXAT"u8);

    private bool IsSecondsOption(int i) => ArgIs(i, "EX"u8) || ArgIs(i, "EXAT"u8);

    private bool IsAbsoluteOption(int i) => ArgIs(i, "EXAT"u8) || ArgIs(i, "PXAT"u8);

    /// <summary>Redis's expire argument check for SET/GETEX/SETEX/PSETEX: positive, and no overflow in ms or when added to now.</summary>
    private long ExpireAt(int argIndex, bool seconds, bool absolute, string command)
    {
        long amount = ArgLong(argIndex);
        if (amount <= 0 || (seconds && amount > long.MaxValue / 1000))
        {
            throw Error($"ERR invalid expire time in '{command}' command");
        }

        long ms = seconds ? amount * 1000 : amount;
        if (!absolute)
        {
            if (ms > long.MaxValue - _keyspace.NowMs)
            {
                throw Error($"ERR invalid expire time in '{command}' command");
            }

            ms += _keyspace.NowMs;
        }

        return ms;
    }

    private void IncrBy(long by)
    {
        RedisType type = Find(Arg(1), RedisType.String, out KeyMeta meta);
        long value = 0;
        if (type != RedisType.None && !ParseLong(_keyspace.StringValue, out value))
        {
            throw Error(Errors.NotInteger);
        }

        long result;
        try
        {
            result = checked(value + by);
        }
        catch (OverflowException)
        {
            throw Error(Errors.Overflow);
        }

        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(result, digits, out int n);
        _keyspace.WriteString(Arg(1), digits[..n], meta.ExpireAtMs, meta.ExpireAtMs);
        _out.WriteInteger(result);
    }

    /// <summary>INCRBYFLOAT in x87 long double arithmetic and <c>%.17Lf</c>, as Redis computes and stores it.</summary>
    private void IncrByFloat()
    {
        RedisType type = Find(Arg(1), RedisType.String, out KeyMeta meta);
        ExtendedReal value = default;
        if ((type != RedisType.None && !RedisParseLongDouble(_keyspace.StringValue, out value)) || !RedisParseLongDouble(Arg(2), out ExtendedReal by))
        {
            throw Error(Errors.NotFloat);
        }

        if (ExtendedReal.SumIsNaN(value, by))
        {
            throw Error(Errors.NaNOrInfinity);
        }

        ExtendedReal result = ExtendedReal.Add(value, by);
        if (result.IsInfinity)
        {
            throw Error(Errors.NaNOrInfinity);
        }

        byte[] text = System.Text.Encoding.ASCII.GetBytes(result.ToHumanString());
        _keyspace.WriteString(Arg(1), text, meta.ExpireAtMs, meta.ExpireAtMs);
        _out.WriteBulk(text);
    }

    private void SetRange()
    {
        long offset = ArgLong(2);
        if (offset < 0)
        {
            throw Error("ERR offset is out of range");
        }

        ReadOnlySpan<byte> patch = Arg(3);
        RedisType type = Find(Arg(1), RedisType.String, out KeyMeta meta);
        if (patch.IsEmpty)
        {
            _out.WriteInteger(type == RedisType.None ? 0 : _keyspace.StringValue.Length);
            return;
        }

        CheckStringLength(Math.Min(offset, RespParser.MaxBulkLength) + patch.Length); // before anything of that size is allocated

        ReadOnlySpan<byte> current = type == RedisType.None ? default : _keyspace.StringValue;
        int length = (int)Math.Max(current.Length, offset + patch.Length);
        _compose.ResetWrittenCount();
        Span<byte> target = _compose.GetSpan(length)[..length];
        target.Clear();
        current.CopyTo(target);
        patch.CopyTo(target[(int)offset..]);
        _compose.Advance(length);
        _keyspace.WriteString(Arg(1), _compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
        _out.WriteInteger(length);
    }

    /// <summary>Refuses a string result longer than Redis allows or than one write can commit (storage.wal_buffer_size).</summary>
    private void CheckStringLength(long length)
    {
        if (length > RespParser.MaxBulkLength)
        {
            throw Error(Errors.StringTooLong);
        }

        if (length > _server.Options.MaxValueBytes)
        {
            throw Error("ERR " + RespParser.ValueTooLarge(_server.Options.MaxValueBytes));
        }
    }
}

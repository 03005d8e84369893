using System.Buffers;
using System.Buffers.Text;
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
                    long amount = ArgLong(2);
                    if (amount <= 0 || (id == CommandId.SetEx && amount > long.MaxValue / 1000 - _keyspace.NowMs))
                    {
                        throw Error($"ERR invalid expire time in '{Lower(id.ToString())}' command");
                    }

                    long when = _keyspace.NowMs + (id == CommandId.SetEx ? amount * 1000 : amount);
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

                    if ((long)_compose.WrittenCount + Arg(2).Length > RespParser.MaxBulkLength)
                    {
                        throw Error(Errors.StringTooLong);
                    }

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
                    _out.WriteBulk(from > to ? default : value[(int)from..(int)(to + 1)]);
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
        int expiryOptions = 0;
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
            else if (ArgIs(i, "KEEPTTL"u8))
            {
                keepTtl = true;
                expiryOptions++;
            }
            else if (i + 1 < _argc && (ArgIs(i, "EX"u8) || ArgIs(i, "PX"u8) || ArgIs(i, "EXAT"u8) || ArgIs(i, "PXAT"u8)))
            {
                bool seconds = ArgIs(i, "EX"u8) || ArgIs(i, "EXAT"u8);
                bool absolute = ArgIs(i, "EXAT"u8) || ArgIs(i, "PXAT"u8);
                long amount = ArgLong(++i);
                if (amount <= 0 || (seconds && amount > long.MaxValue / 1000) || (!absolute && (seconds ? amount * 1000 : amount) > long.MaxValue - _keyspace.NowMs))
                {
                    throw Error("ERR invalid expire time in 'set' command");
                }

                long ms = seconds ? amount * 1000 : amount;
                expireAt = absolute ? ms : _keyspace.NowMs + ms;
                expiryOptions++;
            }
            else
            {
                throw Error(Errors.Syntax);
            }
        }

        if (expiryOptions > 1)
        {
            throw Error(Errors.Syntax);
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
        for (int i = 2; i < _argc; i++)
        {
            if (ArgIs(i, "PERSIST"u8) && expireAt is null && !persist)
            {
                persist = true;
            }
            else if (i + 1 < _argc && expireAt is null && !persist && (ArgIs(i, "EX"u8) || ArgIs(i, "PX"u8) || ArgIs(i, "EXAT"u8) || ArgIs(i, "PXAT"u8)))
            {
                bool seconds = ArgIs(i, "EX"u8) || ArgIs(i, "EXAT"u8);
                bool absolute = ArgIs(i, "EXAT"u8) || ArgIs(i, "PXAT"u8);
                long amount = ArgLong(++i);
                if (amount <= 0 || (seconds && amount > long.MaxValue / 1000))
                {
                    throw Error("ERR invalid expire time in 'getex' command");
                }

                long ms = seconds ? amount * 1000 : amount;
                expireAt = absolute ? ms : _keyspace.NowMs + ms;
            }
            else
            {
                throw Error(Errors.Syntax);
            }
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

    private void IncrByFloat()
    {
        double by = ArgDouble(2);
        RedisType type = Find(Arg(1), RedisType.String, out KeyMeta meta);
        double value = 0;
        if (type != RedisType.None && !ParseDouble(_keyspace.StringValue, out value))
        {
            throw Error(Errors.NotFloat);
        }

        double result = value + by;
        if (double.IsNaN(result) || double.IsInfinity(result))
        {
            throw Error(Errors.NaNOrInfinity);
        }

        Span<byte> text = stackalloc byte[40];
        int n = RespWriter.FormatDouble(result, text);
        _keyspace.WriteString(Arg(1), text[..n], meta.ExpireAtMs, meta.ExpireAtMs);
        _out.WriteBulk(text[..n]);
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

        if (offset > RespParser.MaxBulkLength - patch.Length)
        {
            throw Error(Errors.StringTooLong);
        }

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
}

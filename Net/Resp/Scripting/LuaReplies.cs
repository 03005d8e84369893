using System.Buffers.Text;
using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp.Scripting;

/// <summary>
/// The conversions Redis documents between replies and Lua values. A command's RESP reply becomes a Lua value
/// (integer, string, false for a nil, a table for an array, <c>{ok=...}</c>, <c>{err=...}</c>, and in RESP3
/// <c>{map=...}</c>, <c>{set=...}</c>, <c>{double=...}</c>, booleans, nil); a script's Lua result becomes the
/// client's reply (a number truncated to an integer, false/nil a nil bulk, true 1, a table an array up to its first nil).
/// </summary>
internal static class LuaReplies
{
    /// <summary>Pushes the Lua value of one RESP reply (well formed: our own writer produced it).</summary>
    public static void Push(IntPtr l, ReadOnlySpan<byte> reply)
    {
        int at = 0;
        PushValue(l, reply, ref at);
    }

    private static void PushValue(IntPtr l, ReadOnlySpan<byte> r, ref int at)
    {
        LuaNative.lua_checkstack(l, 4);
        byte type = r[at];
        ReadOnlySpan<byte> line = Line(r, ref at);
        switch (type)
        {
            case (byte)'+':
                PushSingleField(l, "ok"u8, line);
                break;
            case (byte)'-':
                PushSingleField(l, "err"u8, line);
                break;
            case (byte)':':
                LuaNative.lua_pushinteger(l, ParseLong(line));
                break;
            case (byte)'$':
                {
                    long length = ParseLong(line);
                    if (length < 0)
                    {
                        LuaNative.lua_pushboolean(l, 0);
                        break;
                    }

                    LuaNative.PushBytes(l, r.Slice(at, (int)length));
                    at += (int)length + 2;
                    break;
                }

            case (byte)'*':
            case (byte)'>':
                {
                    long count = ParseLong(line);
                    if (count < 0)
                    {
                        LuaNative.lua_pushboolean(l, 0);
                        break;
                    }

                    LuaNative.lua_createtable(l, (int)count, 0);
                    for (int i = 1; i <= count; i++)
                    {
                        PushValue(l, r, ref at);
                        LuaNative.lua_rawseti(l, -2, i);
                    }

                    break;
                }

            case (byte)'%':
            case (byte)'~':
                {
                    long count = ParseLong(line);
                    LuaNative.lua_createtable(l, 0, 1);
                    LuaNative.PushBytes(l, type == (byte)'%' ? "map"u8 : "set"u8);
                    LuaNative.lua_createtable(l, 0, (int)count);
                    for (int i = 0; i < count; i++)
                    {
                        PushValue(l, r, ref at);
                        if (type == (byte)'%')
                        {
                            PushValue(l, r, ref at);
                        }
                        else
                        {
                            LuaNative.lua_pushboolean(l, 1);
                        }

                        LuaNative.lua_rawset(l, -3);
                    }

                    LuaNative.lua_rawset(l, -3);
                    break;
                }

            case (byte)'_':
                LuaNative.lua_pushnil(l);
                break;
            case (byte)'#':
                LuaNative.lua_pushboolean(l, line.Length > 0 && line[0] == (byte)'t' ? 1 : 0);
                break;
            case (byte)',':
                {
                    RedisNumbers.ParseDouble(line, out double d);
                    LuaNative.lua_createtable(l, 0, 1);
                    LuaNative.PushBytes(l, "double"u8);
                    LuaNative.lua_pushnumber(l, d);
                    LuaNative.lua_rawset(l, -3);
                    break;
                }

            case (byte)'(':
                PushSingleField(l, "big_number"u8, line);
                break;
            case (byte)'=':
                {
                    long length = ParseLong(line);
                    ReadOnlySpan<byte> body = r.Slice(at, (int)length);
                    at += (int)length + 2;
                    LuaNative.lua_createtable(l, 0, 1);
                    LuaNative.PushBytes(l, "verbatim_string"u8);
                    LuaNative.lua_createtable(l, 0, 2);
                    LuaNative.PushBytes(l, "format"u8);
                    LuaNative.PushBytes(l, body[..Math.Min(3, body.Length)]);
                    LuaNative.lua_rawset(l, -3);
                    LuaNative.PushBytes(l, "string"u8);
                    LuaNative.PushBytes(l, body.Length > 4 ? body[4..] : default);
                    LuaNative.lua_rawset(l, -3);
                    LuaNative.lua_rawset(l, -3);
                    break;
                }

            default:
                LuaNative.lua_pushnil(l);
                break;
        }
    }

    private static void PushSingleField(IntPtr l, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        LuaNative.lua_createtable(l, 0, 1);
        LuaNative.PushBytes(l, name);
        LuaNative.PushBytes(l, value);
        LuaNative.lua_rawset(l, -3);
    }

    /// <summary>The rest of the line after the type byte; <paramref name="at"/> moves past its CRLF.</summary>
    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> r, ref int at)
    {
        int start = at + 1;
        int end = r[start..].IndexOf((byte)'\r') + start;
        at = end + 2;
        return r[start..end];
    }

    private static long ParseLong(ReadOnlySpan<byte> text) => Utf8Parser.TryParse(text, out long v, out _) ? v : 0;

    // ---- Lua result -> client reply -----------------------------------------------------------------

    /// <summary>Writes the Lua value on top of the stack as the client's reply (the value stays on the stack).</summary>
    public static void Write(IntPtr l, RespWriter output, int scriptResp)
    {
        if (LuaNative.lua_checkstack(l, 4) == 0)
        {
            output.WriteError("ERR reached lua stack limit");
            return;
        }

        int index = LuaNative.lua_gettop(l);
        switch (LuaNative.lua_type(l, index))
        {
            case LuaNative.TString:
                LuaNative.TryGetBytes(l, index, out ReadOnlySpan<byte> s);
                output.WriteBulk(s);
                break;
            case LuaNative.TBoolean:
                bool value = LuaNative.lua_toboolean(l, index) != 0;
                if (scriptResp == 2)
                {
                    if (value)
                    {
                        output.WriteInteger(1);
                    }
                    else
                    {
                        output.WriteNull();
                    }
                }
                else
                {
                    output.WriteBoolean(value);
                }

                break;
            case LuaNative.TNumber:
                output.WriteInteger(LuaNative.lua_isinteger(l, index) != 0
                    ? LuaNative.lua_tointegerx(l, index, IntPtr.Zero)
                    : (long)LuaNative.lua_tonumberx(l, index, IntPtr.Zero));
                break;
            case LuaNative.TTable:
                WriteTable(l, index, output, scriptResp);
                break;
            default:
                output.WriteNull();
                break;
        }
    }

    private static void WriteTable(IntPtr l, int table, RespWriter output, int scriptResp)
    {
        if (FieldType(l, table, "err"u8) == LuaNative.TString)
        {
            LuaNative.TryGetBytes(l, -1, out ReadOnlySpan<byte> err);
            output.WriteError(System.Text.Encoding.UTF8.GetString(err));
            LuaNative.Pop(l, 1);
            return;
        }

        LuaNative.Pop(l, 1);
        if (FieldType(l, table, "ok"u8) == LuaNative.TString)
        {
            LuaNative.TryGetBytes(l, -1, out ReadOnlySpan<byte> ok);
            output.WriteSimple(OneLine(ok));
            LuaNative.Pop(l, 1);
            return;
        }

        LuaNative.Pop(l, 1);
        if (FieldType(l, table, "double"u8) == LuaNative.TNumber)
        {
            output.WriteDouble(LuaNative.lua_tonumberx(l, -1, IntPtr.Zero));
            LuaNative.Pop(l, 1);
            return;
        }

        LuaNative.Pop(l, 1);
        if (FieldType(l, table, "big_number"u8) == LuaNative.TString)
        {
            LuaNative.TryGetBytes(l, -1, out ReadOnlySpan<byte> big);
            if (output.Protocol == 3)
            {
                output.WriteRaw("("u8);
                output.WriteRaw(OneLine(big));
                output.WriteRaw("\r\n"u8);
            }
            else
            {
                output.WriteBulk(OneLine(big));
            }

            LuaNative.Pop(l, 1);
            return;
        }

        LuaNative.Pop(l, 1);
        if (FieldType(l, table, "verbatim_string"u8) == LuaNative.TTable && WriteVerbatim(l, output))
        {
            LuaNative.Pop(l, 1);
            return;
        }

        LuaNative.Pop(l, 1);
        if (FieldType(l, table, "map"u8) == LuaNative.TTable)
        {
            WritePairs(l, output, scriptResp, map: true);
            LuaNative.Pop(l, 1);
            return;
        }

        LuaNative.Pop(l, 1);
        if (FieldType(l, table, "set"u8) == LuaNative.TTable)
        {
            WritePairs(l, output, scriptResp, map: false);
            LuaNative.Pop(l, 1);
            return;
        }

        LuaNative.Pop(l, 1);
        int count = 0;
        while (LuaNative.lua_rawgeti(l, table, count + 1) != LuaNative.TNil)
        {
            LuaNative.Pop(l, 1);
            count++;
        }

        LuaNative.Pop(l, 1);
        output.WriteArrayHeader(count);
        for (int i = 1; i <= count; i++)
        {
            LuaNative.lua_rawgeti(l, table, i);
            Write(l, output, scriptResp);
            LuaNative.Pop(l, 1);
        }
    }

    private static bool WriteVerbatim(IntPtr l, RespWriter output)
    {
        int v = LuaNative.lua_gettop(l);
        if (FieldType(l, v, "format"u8) != LuaNative.TString || FieldType(l, v, "string"u8) != LuaNative.TString)
        {
            LuaNative.lua_settop(l, v);
            return false;
        }

        LuaNative.TryGetBytes(l, -2, out ReadOnlySpan<byte> format);
        LuaNative.TryGetBytes(l, -1, out ReadOnlySpan<byte> text);
        if (output.Protocol == 3)
        {
            Span<byte> header = stackalloc byte[24];
            header[0] = (byte)'=';
            Utf8Formatter.TryFormat(text.Length + 4, header[1..], out int n);
            output.WriteRaw(header[..(n + 1)]);
            output.WriteRaw("\r\n"u8);
            output.WriteRaw(format.Length >= 3 ? format[..3] : "txt"u8);
            output.WriteRaw(":"u8);
            output.WriteRaw(text);
            output.WriteRaw("\r\n"u8);
        }
        else
        {
            output.WriteBulk(text);
        }

        LuaNative.lua_settop(l, v);
        return true;
    }

    private static void WritePairs(IntPtr l, RespWriter output, int scriptResp, bool map)
    {
        int t = LuaNative.lua_gettop(l);
        int count = 0;
        LuaNative.lua_pushnil(l);
        while (LuaNative.lua_next(l, t) != 0)
        {
            LuaNative.Pop(l, 1);
            count++;
        }

        if (map)
        {
            output.WriteMapHeader(count);
        }
        else
        {
            output.WriteSetHeader(count);
        }

        LuaNative.lua_pushnil(l);
        while (LuaNative.lua_next(l, t) != 0)
        {
            LuaNative.lua_pushvalue(l, -2); // the key, copied: writing a number key must not convert the iteration key
            Write(l, output, scriptResp);
            LuaNative.Pop(l, 1);
            if (map)
            {
                Write(l, output, scriptResp);
            }

            LuaNative.Pop(l, 1);
        }
    }

    /// <summary>Pushes field <paramref name="name"/> of the table at <paramref name="table"/> (raw) and returns its type.</summary>
    private static int FieldType(IntPtr l, int table, ReadOnlySpan<byte> name) => LuaNative.RawGetField(l, table, name);

    private static byte[] OneLine(ReadOnlySpan<byte> text)
    {
        byte[] copy = text.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            if (copy[i] is (byte)'\r' or (byte)'\n')
            {
                copy[i] = (byte)' ';
            }
        }

        return copy;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ThunderDb.Net.Resp.Scripting;

/// <summary>
/// The few Lua C API entry points used with spans and unmanaged callbacks, over the same native library KeraLua
/// loads (<c>liblua54.so</c>, shipped beside the binary). KeraLua's managed wrappers copy every string into a
/// <c>byte[]</c> and pass callbacks as marshalled delegates; these take spans and <c>[UnmanagedCallersOnly]</c>
/// function pointers, so <c>redis.call</c> moves its arguments and replies without allocating.
/// </summary>
/// <remarks>
/// None of these may raise a Lua error through managed frames (a longjmp over them is undefined): callbacks never
/// call <c>lua_error</c>; the Lua-side wrappers in <see cref="LuaSandbox"/> raise on their behalf, and the kill hook
/// stops a script by yielding its coroutine (a hook may yield without a longjmp).
/// </remarks>
internal static unsafe partial class LuaNative
{
    public const string Library = "lua54";

    public const int TNil = 0;
    public const int TBoolean = 1;
    public const int TNumber = 3;
    public const int TString = 4;
    public const int TTable = 5;
    public const int TFunction = 6;

    public const int StatusOk = 0;
    public const int StatusYield = 1;

    public const int MaskCount = 1 << 3;

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_pushlstring(IntPtr l, byte* s, nuint len);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial byte* lua_tolstring(IntPtr l, int index, out nuint len);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_pushcclosure(IntPtr l, delegate* unmanaged[Cdecl]<IntPtr, int> fn, int n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_sethook(IntPtr l, delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void> fn, int mask, int count);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_yieldk(IntPtr l, int nresults, IntPtr ctx, IntPtr k);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_resume(IntPtr l, IntPtr from, int nargs, out int nresults);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_gettop(IntPtr l);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_settop(IntPtr l, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_type(IntPtr l, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_isinteger(IntPtr l, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial long lua_tointegerx(IntPtr l, int index, IntPtr isnum);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial double lua_tonumberx(IntPtr l, int index, IntPtr isnum);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_toboolean(IntPtr l, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_pushinteger(IntPtr l, long n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_pushnumber(IntPtr l, double n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_pushboolean(IntPtr l, int b);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_pushnil(IntPtr l);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_createtable(IntPtr l, int narr, int nrec);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_rawseti(IntPtr l, int index, long n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_rawgeti(IntPtr l, int index, long n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_rawset(IntPtr l, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_rawget(IntPtr l, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_next(IntPtr l, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_checkstack(IntPtr l, int n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_pushvalue(IntPtr l, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void lua_rotate(IntPtr l, int index, int n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int lua_getinfo(IntPtr l, byte* what, IntPtr ar);

    /// <summary>Offset of <c>currentline</c> in Lua 5.4's <c>lua_Debug</c> on 64-bit: event, 4 pointers, source, srclen.</summary>
    public const int DebugCurrentLineOffset = 48;

    public static void Pop(IntPtr l, int n) => lua_settop(l, -n - 1);

    public static void Remove(IntPtr l, int index)
    {
        lua_rotate(l, index, -1);
        Pop(l, 1);
    }

    public static void PushBytes(IntPtr l, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            lua_pushlstring(l, p, (nuint)bytes.Length);
        }
    }

    public static void PushAscii(IntPtr l, string text)
    {
        Span<byte> bytes = text.Length <= 256 ? stackalloc byte[text.Length] : new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            bytes[i] = (byte)text[i];
        }

        PushBytes(l, bytes);
    }

    /// <summary>The string (or number, converted in place as Lua does) at <paramref name="index"/>; empty and false when neither.</summary>
    public static bool TryGetBytes(IntPtr l, int index, out ReadOnlySpan<byte> bytes)
    {
        byte* p = lua_tolstring(l, index, out nuint len);
        if (p == null)
        {
            bytes = default;
            return false;
        }

        bytes = new ReadOnlySpan<byte>(p, checked((int)len));
        return true;
    }

    /// <summary>Field <paramref name="name"/> of the table at <paramref name="index"/> (raw), pushed.</summary>
    public static int RawGetField(IntPtr l, int index, ReadOnlySpan<byte> name)
    {
        int absolute = index < 0 ? lua_gettop(l) + index + 1 : index;
        PushBytes(l, name);
        return lua_rawget(l, absolute);
    }
}

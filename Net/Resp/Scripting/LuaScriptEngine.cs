using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using KeraLua;
using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp.Scripting;

/// <summary>What a script's <c>redis.call</c> and <c>redis.log</c> reach: the session that runs it.</summary>
internal interface IScriptHost
{
    /// <summary>
    /// Runs one command for <c>redis.call</c>/<c>redis.pcall</c> inside the script's transaction and returns its reply in
    /// RESP <paramref name="resp"/> (valid until the next call); a refusal (unknown command, a write in a read-only
    /// script...) is an error reply too.
    /// </summary>
    ReadOnlySpan<byte> RunScriptCommand(byte[] buffer, ArgSlice[] args, int argc, int resp);

    void ScriptLog(int level, string message);
}

/// <summary>Lua could not be started (liblua54.so missing or unloadable): EVAL and FCALL answer this, the server runs on.</summary>
internal sealed class ScriptingUnavailableException(string message) : Exception(message);

/// <summary>
/// One Lua 5.4 state (KeraLua) with the Redis sandbox, the scripts and function libraries compiled in it, and the run
/// of one script: a coroutine with an instruction-count hook (SCRIPT KILL / FUNCTION KILL), KEYS/ARGV, the reply
/// converted to RESP. One per session that scripts, so states never need locking; the server's script cache and
/// libraries hold the sources (<see cref="ScriptRegistry"/>).
/// </summary>
internal sealed unsafe class LuaScriptEngine : IDisposable
{
    private const int HookInstructions = 100_000;

    [ThreadStatic]
    private static LuaScriptEngine? t_running;

    private readonly Lua _lua;
    private readonly IScriptHost _host;
    private readonly int _api;
    private readonly Dictionary<string, int> _scripts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _functions = new(StringComparer.Ordinal);
    private byte[] _argBuffer = new byte[256];
    private ArgSlice[] _argSlices = new ArgSlice[16];
    private IntPtr _thread;
    private volatile bool _killRequested;
    private bool _abortRequested;
    private int _killedAtLine;

    private LuaScriptEngine(IScriptHost host)
    {
        _host = host;
        _lua = new Lua(openLibs: true);
        IntPtr l = _lua.Handle;
        if (_lua.LoadString(LuaSandbox.Prelude, "=thunder") != LuaStatus.OK)
        {
            throw new InvalidOperationException("Lua prelude: " + _lua.ToString(-1));
        }

        LuaNative.lua_createtable(l, 0, 4);
        SetHostFunction(l, "cmd"u8, &Cmd);
        SetHostFunction(l, "sha1"u8, &Sha1);
        SetHostFunction(l, "log"u8, &Log);
        SetHostFunction(l, "setresp"u8, &SetResp);
        if (_lua.PCall(1, 1, 0) != LuaStatus.OK)
        {
            throw new InvalidOperationException("Lua prelude: " + _lua.ToString(-1));
        }

        _api = _lua.Ref(LuaRegistry.Index);
    }

    /// <summary>The RESP version <c>redis.call</c> replies are converted from (<c>redis.setresp</c>); 2 at each script start.</summary>
    public int Resp { get; private set; } = 2;

    /// <summary>The script library generation this state's compiled scripts belong to (SCRIPT FLUSH starts a new one).</summary>
    public long ScriptGeneration { get; set; }

    /// <summary>The function library generation this state's functions belong to.</summary>
    public long FunctionGeneration { get; set; } = -1;

    public static LuaScriptEngine Create(IScriptHost host)
    {
        try
        {
            return new LuaScriptEngine(host);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new ScriptingUnavailableException("ERR Lua scripting is unavailable: the Lua library (liblua54.so, expected beside the thunderdb binary) could not be loaded (" + ex.GetType().Name + ")");
        }
    }

    /// <summary>Asks the running script to stop at its next hook (SCRIPT KILL / FUNCTION KILL from another session).</summary>
    public void RequestKill() => _killRequested = true;

    /// <summary>The script's transaction failed under it (a write conflict, an engine error): the script stops at once, unseen.</summary>
    public void RequestAbort() => _abortRequested = true;

    public void Dispose() => _lua.Dispose();

    private static void SetHostFunction(IntPtr l, ReadOnlySpan<byte> name, delegate* unmanaged[Cdecl]<IntPtr, int> fn)
    {
        LuaNative.PushBytes(l, name);
        LuaNative.lua_pushcclosure(l, fn, 0);
        LuaNative.lua_rawset(l, -3);
    }

    // ---- compiling ----------------------------------------------------------------------------------

    public bool TryGetScript(string sha, out int fn) => _scripts.TryGetValue(sha, out fn);

    public void ClearScripts()
    {
        foreach (int r in _scripts.Values)
        {
            _lua.Unref(LuaRegistry.Index, r);
        }

        _scripts.Clear();
    }

    /// <summary>Compiles an EVAL body (the shebang line blanked, so line numbers stay) as chunk <c>@user_script</c>; null or Redis's error text.</summary>
    public string? CompileScript(string sha, ReadOnlySpan<byte> body, out int fn)
    {
        IntPtr l = _lua.Handle;
        int top = LuaNative.lua_gettop(l);
        PushApi(l, "compile"u8);
        LuaNative.PushBytes(l, body);
        LuaNative.PushBytes(l, "@user_script"u8);
        LuaStatus status = _lua.PCall(2, 2, 0);
        if (status != LuaStatus.OK || LuaNative.lua_type(l, -2) != LuaNative.TFunction)
        {
            string message = _lua.ToString(-1);
            LuaNative.lua_settop(l, top);
            fn = 0;
            return "ERR Error compiling script (new function): " + message;
        }

        LuaNative.Pop(l, 1);
        fn = _lua.Ref(LuaRegistry.Index);
        _scripts[sha] = fn;
        LuaNative.lua_settop(l, top);
        return null;
    }

    /// <summary>A function loaded by <see cref="LoadLibraries"/>, by name.</summary>
    public bool TryGetFunction(string name, out int fn) => _functions.TryGetValue(name, out fn);

    /// <summary>
    /// Runs a library's code with <c>redis.register_function</c>; the registered functions are kept in this state when
    /// <paramref name="keep"/>. Returns null or the error text of FUNCTION LOAD.
    /// </summary>
    public string? LoadLibrary(ReadOnlySpan<byte> code, bool keep, List<(string Name, string[] Flags)> registered)
    {
        IntPtr l = _lua.Handle;
        int top = LuaNative.lua_gettop(l);
        try
        {
            PushApi(l, "loadlibrary"u8);
            LuaNative.PushBytes(l, code);
            if (_lua.PCall(1, 2, 0) != LuaStatus.OK)
            {
                return "ERR " + _lua.ToString(-1);
            }

            if (LuaNative.lua_type(l, -2) != LuaNative.TTable)
            {
                return "ERR " + _lua.ToString(-1);
            }

            int list = LuaNative.lua_gettop(l) - 1;
            for (long i = 1; LuaNative.lua_rawgeti(l, list, i) == LuaNative.TTable; i++)
            {
                int entry = LuaNative.lua_gettop(l);
                LuaNative.RawGetField(l, entry, "name"u8);
                string name = _lua.ToString(-1);
                LuaNative.Pop(l, 1);
                var flags = new List<string>();
                LuaNative.RawGetField(l, entry, "flags"u8);
                for (long f = 1; LuaNative.lua_rawgeti(l, -1, f) == LuaNative.TString; f++)
                {
                    flags.Add(_lua.ToString(-1));
                    LuaNative.Pop(l, 1);
                }

                LuaNative.Pop(l, 2);
                registered.Add((name, [.. flags]));
                if (keep)
                {
                    LuaNative.RawGetField(l, entry, "callback"u8);
                    _functions[name] = _lua.Ref(LuaRegistry.Index);
                }

                LuaNative.Pop(l, 1);
            }

            return registered.Count == 0 ? "ERR No functions registered" : null;
        }
        finally
        {
            LuaNative.lua_settop(l, top);
        }
    }

    public void ClearFunctions()
    {
        foreach (int r in _functions.Values)
        {
            _lua.Unref(LuaRegistry.Index, r);
        }

        _functions.Clear();
    }

    private void PushApi(IntPtr l, ReadOnlySpan<byte> name)
    {
        LuaNative.lua_rawgeti(l, (int)LuaRegistry.Index, _api);
        LuaNative.RawGetField(l, -1, name);
        LuaNative.Remove(l, -2);
    }

    // ---- running ------------------------------------------------------------------------------------

    /// <summary>
    /// Runs compiled function <paramref name="fn"/> (an EVAL script: KEYS/ARGV globals; a function: keys and args as
    /// its two arguments) and writes its reply (or its error, located as Redis does) to <paramref name="output"/>.
    /// </summary>
    public void Run(int fn, bool isFunction, string name, RedisArgs keys, RedisArgs argv, RespWriter output)
    {
        IntPtr l = _lua.Handle;
        int top = LuaNative.lua_gettop(l);
        Resp = 2;
        _killRequested = false;
        _abortRequested = false;
        IntPtr co = _lua.NewThread().Handle; // left on the main stack until the end, so it is not collected
        LuaNative.lua_sethook(co, &Hook, LuaNative.MaskCount, HookInstructions);
        PushApi(co, isFunction ? "fcall"u8 : "eval"u8);
        LuaNative.lua_rawgeti(co, (int)LuaRegistry.Index, fn);
        PushArray(co, keys);
        PushArray(co, argv);
        LuaScriptEngine? outer = t_running;
        t_running = this;
        _thread = co;
        int status;
        int results;
        try
        {
            status = LuaNative.lua_resume(co, l, 3, out results);
        }
        finally
        {
            t_running = outer;
            _thread = IntPtr.Zero;
        }

        try
        {
            if (_abortRequested)
            {
                // nothing is written: the caller rethrows the transaction's failure
            }
            else if (status == LuaNative.StatusYield)
            {
                output.WriteError($"ERR Script killed by user with {(isFunction ? "FUNCTION" : "SCRIPT")} KILL... script: {name}, on @user_{(isFunction ? "function" : "script")}:{_killedAtLine}.");
            }
            else if (status != LuaNative.StatusOk || results < 2)
            {
                output.WriteError($"ERR Error running script {name}, {ErrorText(co)}");
            }
            else if (LuaNative.lua_toboolean(co, -2) != 0)
            {
                LuaReplies.Write(co, output, Resp);
            }
            else
            {
                WriteScriptError(co, name, output);
            }
        }
        finally
        {
            LuaNative.lua_settop(l, top);
        }
    }

    private static string ErrorText(IntPtr co) =>
        LuaNative.TryGetBytes(co, -1, out ReadOnlySpan<byte> text) ? Encoding.UTF8.GetString(text) : "execution failure";

    /// <summary>An error out of the script: <c>{err=..., source=..., line=...}</c> becomes "-msg script: name, on source:line."</summary>
    private static void WriteScriptError(IntPtr co, string name, RespWriter output)
    {
        if (LuaNative.lua_type(co, -1) != LuaNative.TTable)
        {
            output.WriteError($"ERR Error running script {name}, {ErrorText(co)}");
            return;
        }

        string message = Field(co, "err"u8) ?? "ERR unknown error";
        string? source = Field(co, "source"u8);
        string? line = Field(co, "line"u8);
        output.WriteError(source is not null && line is not null ? $"{message} script: {name}, on {source}:{line}." : message);
    }

    private static string? Field(IntPtr l, ReadOnlySpan<byte> name)
    {
        LuaNative.RawGetField(l, -1, name);
        string? value = LuaNative.lua_type(l, -1) is LuaNative.TString or LuaNative.TNumber && LuaNative.TryGetBytes(l, -1, out ReadOnlySpan<byte> text)
            ? Encoding.UTF8.GetString(text)
            : null;
        LuaNative.Pop(l, 1);
        return value;
    }

    private static void PushArray(IntPtr l, RedisArgs args)
    {
        LuaNative.lua_createtable(l, args.Count, 0);
        for (int i = 0; i < args.Count; i++)
        {
            LuaNative.PushBytes(l, args[i]);
            LuaNative.lua_rawseti(l, -2, i + 1);
        }
    }

    // ---- callbacks from Lua (never raise: the Lua wrappers do) ---------------------------------------

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Hook(IntPtr l, IntPtr debug)
    {
        if (t_running is { _killRequested: true } engine)
        {
            byte* what = stackalloc byte[] { (byte)'l', 0 };
            engine._killedAtLine = LuaNative.lua_getinfo(l, what, debug) != 0 ? *(int*)((byte*)debug + LuaNative.DebugCurrentLineOffset) : 0;
            LuaNative.lua_yieldk(l, 0, IntPtr.Zero, IntPtr.Zero); // from a hook this returns; the resume reports the yield
        }
    }

    /// <summary><c>cmd(raise, name, args...)</c>: the reply as a Lua value, plus <c>true</c> when it is an error to raise.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Cmd(IntPtr l)
    {
        try
        {
            bool raise = LuaNative.lua_toboolean(l, 1) != 0;
            LuaScriptEngine? engine = t_running;
            if (engine is null)
            {
                return PushError(l, "ERR redis.call/pcall can only be called inside a script invocation", raise);
            }

            int argc = LuaNative.lua_gettop(l) - 1;
            if (argc == 0)
            {
                return PushError(l, "ERR Please specify at least one argument for this redis lib call", raise);
            }

            if (!engine.CollectArguments(l, argc))
            {
                return PushError(l, "ERR Lua redis lib command arguments must be strings or integers", raise);
            }

            ReadOnlySpan<byte> reply = engine._host.RunScriptCommand(engine._argBuffer, engine._argSlices, argc, engine.Resp);
            LuaNative.lua_settop(l, 0);
            LuaReplies.Push(l, reply);
            if (engine._abortRequested)
            {
                LuaNative.lua_pushinteger(l, 2); // the wrapper yields: the run ends without the script seeing anything
                return 2;
            }

            if (raise && reply.Length > 0 && reply[0] == (byte)'-')
            {
                LuaNative.lua_pushboolean(l, 1);
                return 2;
            }

            return 1;
        }
#pragma warning disable CA1031 // an exception must not cross into Lua's C frames: it becomes the command's error
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return PushError(l, "ERR " + ex.Message, LuaNative.lua_toboolean(l, 1) != 0);
        }
    }

    private static int PushError(IntPtr l, string message, bool raise)
    {
        LuaNative.lua_settop(l, 0);
        LuaNative.lua_createtable(l, 0, 1);
        LuaNative.PushBytes(l, "err"u8);
        LuaNative.PushBytes(l, Encoding.UTF8.GetBytes(message));
        LuaNative.lua_rawset(l, -3);
        if (raise)
        {
            LuaNative.lua_pushboolean(l, 1);
            return 2;
        }

        return 1;
    }

    /// <summary>Copies the command's arguments (stack 2..argc+1) into the argument buffer; numbers as Redis formats them (%.17g).</summary>
    private bool CollectArguments(IntPtr l, int argc)
    {
        if (_argSlices.Length < argc)
        {
            _argSlices = new ArgSlice[Math.Max(argc, _argSlices.Length * 2)];
        }

        int at = 0;
        Span<byte> number = stackalloc byte[40];
        for (int i = 0; i < argc; i++)
        {
            int index = i + 2;
            int type = LuaNative.lua_type(l, index);
            if (type == LuaNative.TNumber)
            {
                int n;
                if (LuaNative.lua_isinteger(l, index) != 0)
                {
                    System.Buffers.Text.Utf8Formatter.TryFormat(LuaNative.lua_tointegerx(l, index, IntPtr.Zero), number, out n);
                }
                else
                {
                    n = RedisNumbers.FormatDouble(LuaNative.lua_tonumberx(l, index, IntPtr.Zero), number);
                }

                at = Append(number[..n], at, i);
            }
            else if (type == LuaNative.TString && LuaNative.TryGetBytes(l, index, out ReadOnlySpan<byte> value))
            {
                at = Append(value, at, i);
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private int Append(ReadOnlySpan<byte> value, int at, int slot)
    {
        if (_argBuffer.Length - at < value.Length)
        {
            Array.Resize(ref _argBuffer, Math.Max(_argBuffer.Length * 2, at + value.Length));
        }

        value.CopyTo(_argBuffer.AsSpan(at));
        _argSlices[slot] = new ArgSlice(at, value.Length);
        return at + value.Length;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Sha1(IntPtr l)
    {
        LuaNative.TryGetBytes(l, 1, out ReadOnlySpan<byte> data);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(data, hash);
        Span<byte> hex = stackalloc byte[40];
        for (int i = 0; i < 20; i++)
        {
            hex[i * 2] = (byte)"0123456789abcdef"[hash[i] >> 4];
            hex[i * 2 + 1] = (byte)"0123456789abcdef"[hash[i] & 15];
        }

        LuaNative.PushBytes(l, hex);
        return 1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Log(IntPtr l)
    {
        try
        {
            int level = (int)LuaNative.lua_tointegerx(l, 1, IntPtr.Zero);
            LuaNative.TryGetBytes(l, 2, out ReadOnlySpan<byte> text);
            t_running?._host.ScriptLog(level, Encoding.UTF8.GetString(text));
        }
#pragma warning disable CA1031 // a logging failure must not cross into Lua's C frames
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int SetResp(IntPtr l)
    {
        if (t_running is { } engine)
        {
            engine.Resp = (int)LuaNative.lua_tointegerx(l, 1, IntPtr.Zero);
        }

        return 0;
    }
}

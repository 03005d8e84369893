using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn.Locks;
using ThunderDb.Core.Txn;
using ThunderDb.Net.Resp.Scripting;

namespace ThunderDb.Net.Resp;

/// <summary>
/// EVAL / EVALSHA / EVAL_RO / EVALSHA_RO / FCALL / FCALL_RO: a script runs in one engine transaction, as EXEC does,
/// with <c>redis.call</c> going through the same data-command dispatch as the socket (<see cref="RunScriptCommand"/>);
/// its writes commit together (durable before the reply with sync_commit = true) or not at all.
/// </summary>
internal sealed partial class RespSession : IScriptHost
{
    private const string SlowEvalError = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    private const string SlowFunctionError = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

    private LuaScriptEngine? _lua;
    private RunningScript? _script;
    private bool _scriptReadOnly;
    private Exception? _scriptAbort;

    /// <summary>A resolved script call: the compiled function, its name for errors, where its keys and arguments start.</summary>
    private readonly record struct ScriptCall(int Function, bool IsFunction, string Name, bool ReadOnly, int FirstKey, int KeyCount);

    /// <summary>Another session's script has run past busy-reply-threshold: everything but the few commands Redis allows gets -BUSY.</summary>
    private bool RefusedAsBusy(RespCommandInfo command)
    {
        if (_server.Scripts.Running is not { } running || ReferenceEquals(running.Session, this) || !running.IsBusy || AllowedWhileBusy(command))
        {
            return false;
        }

        FlagMultiError();
        _out.WriteError(running.IsEval ? SlowEvalError : SlowFunctionError);
        return true;
    }

    private bool AllowedWhileBusy(RespCommandInfo command) => command.Id switch
    {
        CommandId.Auth or CommandId.Discard or CommandId.Hello or CommandId.Multi or CommandId.Quit or CommandId.Reset
            or CommandId.Unwatch or CommandId.Watch => true,
        CommandId.Script => _argc > 1 && ArgIs(1, "KILL"u8),
        CommandId.Function => _argc > 1 && (ArgIs(1, "KILL"u8) || ArgIs(1, "STATS"u8)),
        _ => false,
    };

    private LuaScriptEngine Engine()
    {
        try
        {
            _lua ??= LuaScriptEngine.Create(this);
        }
        catch (ScriptingUnavailableException ex)
        {
            throw Error(ex.Message);
        }

        ScriptRegistry registry = _server.Scripts;
        if (_lua.ScriptGeneration != registry.ScriptGeneration)
        {
            _lua.ClearScripts();
            _lua.ScriptGeneration = registry.ScriptGeneration;
        }

        return _lua;
    }

    /// <summary>Parses and resolves EVAL* / FCALL* (compiling on first use); throws the Redis error reply when it cannot run.</summary>
    private ScriptCall ResolveScript(RespCommandInfo command)
    {
        bool isFunction = command.Id is CommandId.FCall or CommandId.FCallRo;
        bool ro = command.Id is CommandId.EvalRo or CommandId.EvalShaRo or CommandId.FCallRo;
        if (!RedisNumbers.ParseLong(Arg(2), out long numkeys))
        {
            throw Error(isFunction ? "ERR Bad number of keys provided" : RedisErrors.NotInteger);
        }

        if (numkeys > _argc - 3)
        {
            throw Error("ERR Number of keys can't be greater than number of args");
        }

        if (numkeys < 0)
        {
            throw Error("ERR Number of keys can't be negative");
        }

        LuaScriptEngine engine = Engine();
        if (isFunction)
        {
            LibraryFunction function = _server.Scripts.FindFunction(ArgString(1)) ?? throw Error("ERR Function not found");
            LoadLibrariesInto(engine);
            if (!engine.TryGetFunction(function.Name, out int fn))
            {
                throw Error("ERR Function not found");
            }

            if (ro && !function.NoWrites)
            {
                throw Error("ERR Can not execute a script with write flag using *_ro command.");
            }

            return new ScriptCall(fn, true, function.Name, ro || function.NoWrites, 3, (int)numkeys);
        }

        string sha;
        byte[]? body = null;
        if (command.Id is CommandId.Eval or CommandId.EvalRo)
        {
            sha = ScriptRegistry.Sha1Hex(Arg(1));
        }
        else
        {
            sha = Encoding.ASCII.GetString(Arg(1)).ToLowerInvariant();
        }

        if (!engine.TryGetScript(sha, out int compiled))
        {
            body = command.Id is CommandId.Eval or CommandId.EvalRo ? ArgBytes(1) : _server.Scripts.FindScript(sha);
            if (body is null)
            {
                throw Error("NOSCRIPT No matching script. Please use EVAL.");
            }

            compiled = CompileInto(engine, sha, body);
        }

        body ??= _server.Scripts.FindScript(sha) ?? [];
        ScriptFlags flags = ParseShebang(body, out _, out string? error);
        if (error is not null)
        {
            throw Error(error);
        }

        if (ro && (flags & ScriptFlags.Shebang) != 0 && (flags & ScriptFlags.NoWrites) == 0)
        {
            throw Error("ERR Can not execute a script with write flag using *_ro command.");
        }

        return new ScriptCall(compiled, false, sha, ro || (flags & ScriptFlags.NoWrites) != 0, 3, (int)numkeys);
    }

    /// <summary>Compiles an EVAL body in this session's state and records its source server-wide (SCRIPT EXISTS, EVALSHA elsewhere).</summary>
    private int CompileInto(LuaScriptEngine engine, string sha, byte[] body)
    {
        ParseShebang(body, out int shebangLength, out string? error);
        if (error is not null)
        {
            throw Error(error);
        }

        byte[] code = (byte[])body.Clone();
        code.AsSpan(0, shebangLength).Fill((byte)' '); // Redis drops the shebang but keeps its line feed: line numbers stay
        code = LuaTailCalls.Protect(code);

        string? compileError = engine.CompileScript(sha, code, out int fn);
        if (compileError is not null)
        {
            throw Error(compileError);
        }

        _server.Scripts.AddScript(sha, body);
        return fn;
    }

    /// <summary>EVAL* / FCALL* outside MULTI: one script at a time (the registry's gate), one transaction, retried on a write conflict.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ScriptCommandAsync(RespCommandInfo command)
    {
        ScriptCall call;
        try
        {
            call = ResolveScript(command);
        }
        catch (RespErrorException ex)
        {
            _out.WriteError(ex.Message);
            return;
        }

        // Off the socket event loop (sessions run inline on epoll threads): a long script must not stall the other
        // connections of its loop thread, which must still get -BUSY and be able to send SCRIPT KILL.
        await Task.Yield();
        int savedDb = _db;
        try
        {
            // One engine transaction per attempt, retried on a write conflict: the policy every data command runs under.
            // Each attempt first takes the script gate (EnterScriptGateAsync).
            await RunAttemptsAsync(command, call).ConfigureAwait(false);
        }
        finally
        {
            _db = savedDb;
        }
    }

    /// <summary>
    /// Scripts run one at a time, as in Redis: each attempt's transaction locks <see cref="ScriptRegistry.GateKey"/>
    /// in the engine's lock manager, first come first served, and then reads from the newest applied commit (the
    /// previous script's). The lock goes when the commit is applied, before its fsync (early lock release), so with
    /// sync_commit the scripts of many clients share group commits instead of taking one fsync each; a script that
    /// read an earlier one's writes is acknowledged only after those are durable.
    /// </summary>
    private async ValueTask EnterScriptGateAsync(IKvTransaction txn)
    {
        await txn.LockAsync(ScriptRegistry.GateKey, KeyLockMode.Exclusive, _connection.Killed).ConfigureAwait(false);
        txn.AdvanceSnapshot();
    }

    /// <summary>EVAL* / FCALL* queued in MULTI: runs inside EXEC's transaction (EXEC is already one atomic unit).</summary>
    private void RunQueuedScript(RespCommandInfo command)
    {
        int savedDb = _db;
        try
        {
            RunScript(ResolveScript(command), command);
        }
        finally
        {
            _db = savedDb;
            _keyspace.Db = _db;
        }
    }

    private bool RunScriptAttempt(ScriptCall call, RespCommandInfo command)
    {
        RunScript(call, command);
        return true;
    }

    /// <summary>Runs a resolved script against the attached transaction; an engine failure inside it is rethrown here.</summary>
    private void RunScript(ScriptCall call, RespCommandInfo command)
    {
        LuaScriptEngine engine = _lua!;
        var run = new RunningScript(this, engine, !call.IsFunction, call.Name, CommandLine(), BusyThresholdMs());
        _script = run;
        _scriptReadOnly = call.ReadOnly;
        _scriptAbort = null;
        _server.Scripts.Enter(run);
        byte[] savedBuffer = _argBuffer;
        ArgSlice[] savedArgs = _args;
        int savedArgc = _argc;
        try
        {
            RedisArgs keys = Args(call.FirstKey).Slice(0, call.KeyCount);
            RedisArgs argv = Args(call.FirstKey + call.KeyCount);
            engine.Run(call.Function, call.IsFunction, call.Name, keys, argv, _out);
        }
        finally
        {
            _argBuffer = savedBuffer;
            _args = savedArgs;
            _argc = savedArgc;
            _server.Scripts.Leave(run);
            _script = null;
        }

        if (_scriptAbort is { } abort)
        {
            _scriptAbort = null;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(abort);
        }
    }

    private string[] CommandLine()
    {
        var line = new string[Math.Min(_argc, 8)];
        for (int i = 0; i < line.Length; i++)
        {
            line[i] = Printable(Arg(i));
        }

        return line;
    }

    private long BusyThresholdMs() =>
        long.TryParse(_server.Tuning.Value("busy-reply-threshold"), out long ms) ? ms : 5000;

    // ---- redis.call ---------------------------------------------------------------------------------

    /// <summary><c>redis.call</c>: one command through the data-command dispatch, inside the script's transaction.</summary>
    ReadOnlySpan<byte> IScriptHost.RunScriptCommand(byte[] buffer, ArgSlice[] args, int argc, int resp)
    {
        byte[] savedBuffer = _argBuffer;
        ArgSlice[] savedArgs = _args;
        int savedArgc = _argc;
        int savedProtocol = _out.Protocol;
        int mark = _out.Position;
        _argBuffer = buffer;
        _args = args;
        _argc = argc;
        _out.Protocol = resp;
        try
        {
            if (_scriptAbort is not null)
            {
                _out.WriteError("ERR the script's transaction failed");
            }
            else
            {
                RunCommandForScript();
            }
        }
        catch (Exception ex) when (ex is TransactionConflictException || IsEngineFailure(ex))
        {
            // The transaction cannot go on: the script stops here and the whole attempt is retried or failed.
            _out.Rewind(mark);
            _scriptAbort = ex;
            _lua!.RequestAbort();
            _out.WriteError("ERR the script's transaction failed");
        }
        finally
        {
            _argBuffer = savedBuffer;
            _args = savedArgs;
            _argc = savedArgc;
            _out.Protocol = savedProtocol;
        }

        if (_script is { } run && _keyspace.HasWrites)
        {
            run.Wrote = true;
        }

        ReadOnlySpan<byte> reply = _out.Written.Span[mark..];
        _out.Rewind(mark);
        return reply;
    }

    private void RunCommandForScript()
    {
        int mark = _out.Position;
        RespCommandInfo? info = RespCommandTable.Find(Arg(0));
        string? refusal = info is null ? "ERR Unknown Redis command called from script"
            : !info.ArityOk(_argc) ? "ERR Wrong number of args calling Redis command from script"
            : !AllowedInScript(info) ? "ERR This Redis command is not allowed from script"
            : info.Has(CommandFlags.Write) && _scriptReadOnly ? "ERR Write commands are not allowed from read-only scripts."
            : null;
        if (refusal is not null)
        {
            _out.WriteError(refusal);
            return;
        }

        try
        {
            if (info!.Has(CommandFlags.Session))
            {
                ExecuteSessionCommand(info);
                _keyspace.Db = _db;
                return;
            }

            RedisError error = ExecuteDataCommand(info);
            if (error != RedisError.None)
            {
                _out.Rewind(mark);
                WriteError(error);
            }
        }
        catch (RespErrorException ex)
        {
            _out.Rewind(mark);
            _out.WriteError(ex.Message);
        }
    }

    /// <summary>What Redis 7.0 lets a script call: data commands (blocking ones refused), and a few connection commands.</summary>
    private static bool AllowedInScript(RespCommandInfo info)
    {
        if (info.Has(CommandFlags.Blocking) || info.Group is CommandGroup.Scripting or CommandGroup.Transactions)
        {
            return false;
        }

        if (info.Has(CommandFlags.Session))
        {
            return info.Id is CommandId.Ping or CommandId.Echo or CommandId.Select or CommandId.Time or CommandId.Info
                or CommandId.Role or CommandId.Publish;
        }

        return true;
    }

    void IScriptHost.ScriptLog(int level, string message)
    {
        LogLevel logLevel = level switch { 0 => LogLevel.Debug, 1 => LogLevel.Debug, 2 => LogLevel.Information, _ => LogLevel.Warning };
#pragma warning disable CA1848, CA2254 // the message is the script's own text, logged as Redis logs it
        _server.Logger.Log(logLevel, "{ScriptLog}", message);
#pragma warning restore CA1848, CA2254
    }

    // ---- shebang ------------------------------------------------------------------------------------

    [Flags]
    private enum ScriptFlags
    {
        None = 0,
        Shebang = 1,
        NoWrites = 2,
    }

    /// <summary>The <c>#!lua flags=...</c> line of an EVAL body (Redis 7.0): its flags, its length, or Redis's error text.</summary>
    private static ScriptFlags ParseShebang(ReadOnlySpan<byte> body, out int length, out string? error)
    {
        length = 0;
        error = null;
        if (!body.StartsWith("#!"u8))
        {
            return ScriptFlags.None;
        }

        int end = body.IndexOf((byte)'\n');
        if (end < 0)
        {
            error = "ERR Invalid script shebang";
            return ScriptFlags.None;
        }

        length = end;
        string[] parts = Encoding.UTF8.GetString(body[..end]).Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] != "#!lua")
        {
            error = parts.Length == 0 ? "ERR Invalid engine in script shebang" : "ERR Unexpected engine in script shebang: " + parts[0];
            return ScriptFlags.None;
        }

        ScriptFlags flags = ScriptFlags.Shebang;
        for (int i = 1; i < parts.Length; i++)
        {
            if (!parts[i].StartsWith("flags=", StringComparison.Ordinal))
            {
                error = "ERR Unknown lua shebang option: " + parts[i];
                return ScriptFlags.None;
            }

            string value = parts[i][6..];
            foreach (string flag in value.Length == 0 ? [] : value.Split(','))
            {
                if (flag == "no-writes")
                {
                    flags |= ScriptFlags.NoWrites;
                }
                else if (flag is not ("allow-oom" or "allow-stale" or "no-cluster" or "allow-cross-slot-keys"))
                {
                    error = "ERR Unexpected flag in script shebang: " + flag;
                    return ScriptFlags.None;
                }
            }
        }

        return flags;
    }
}

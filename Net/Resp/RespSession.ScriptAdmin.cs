using System.Text;
using ThunderDb.Core.Redis;
using ThunderDb.Net.Resp.Scripting;

namespace ThunderDb.Net.Resp;

/// <summary>SCRIPT LOAD / EXISTS / FLUSH / KILL and FUNCTION LOAD / LIST / DELETE / FLUSH / STATS / KILL (Redis 7.0 replies).</summary>
internal sealed partial class RespSession
{
    private void ScriptCommand()
    {
        ScriptRegistry registry = _server.Scripts;
        if (ArgIs(1, "LOAD"u8))
        {
            RequireArgs(3, "script|load");
            byte[] body = ArgBytes(2);
            string sha = ScriptRegistry.Sha1Hex(body);
            LuaScriptEngine engine = Engine();
            if (!engine.TryGetScript(sha, out _))
            {
                CompileInto(engine, sha, body);
            }

            registry.AddScript(sha, body);
            _out.WriteBulk(Encoding.ASCII.GetBytes(sha));
        }
        else if (ArgIs(1, "EXISTS"u8))
        {
            if (_argc < 3)
            {
                throw Error("ERR wrong number of arguments for 'script|exists' command");
            }

            _out.WriteArrayHeader(_argc - 2);
            for (int i = 2; i < _argc; i++)
            {
                _out.WriteInteger(registry.FindScript(Encoding.ASCII.GetString(Arg(i)).ToLowerInvariant()) is null ? 0 : 1);
            }
        }
        else if (ArgIs(1, "FLUSH"u8))
        {
            if (_argc > 3 || (_argc == 3 && !ArgIs(2, "SYNC"u8) && !ArgIs(2, "ASYNC"u8)))
            {
                throw Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            }

            registry.FlushScripts();
            _out.WriteOk();
        }
        else if (ArgIs(1, "KILL"u8))
        {
            RequireArgs(2, "script|kill");
            KillScript(isEval: true);
        }
        else if (ArgIs(1, "HELP"u8))
        {
            WriteHelp("SCRIPT", ["EXISTS <sha1> [<sha1> ...]", "FLUSH [ASYNC|SYNC]", "KILL", "LOAD <script>", "HELP"]);
        }
        else if (ArgIs(1, "DEBUG"u8))
        {
            throw Error("ERR SCRIPT DEBUG is not supported yet: ThunderDB has no Lua debugger");
        }
        else
        {
            throw Error($"ERR unknown subcommand '{Printable(Arg(1))}'. Try SCRIPT HELP.");
        }
    }

    private void RequireArgs(int count, string name)
    {
        if (_argc != count)
        {
            throw Error($"ERR wrong number of arguments for '{name}' command");
        }
    }

    private void KillScript(bool isEval)
    {
        if (_server.Scripts.Running is not { } running)
        {
            throw Error("NOTBUSY No scripts in execution right now.");
        }

        if (running.Wrote)
        {
            throw Error("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
        }

        if (isEval != running.IsEval)
        {
            throw Error(running.IsEval ? SlowEvalError : SlowFunctionError);
        }

        running.Engine.RequestKill();
        _out.WriteOk();
    }

    private void WriteHelp(string command, string[] lines)
    {
        _out.WriteArrayHeader(lines.Length + 1);
        _out.WriteSimple($"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (string line in lines)
        {
            _out.WriteSimple(line);
        }
    }

    // ---- FUNCTION -----------------------------------------------------------------------------------

    private void FunctionCommand()
    {
        ScriptRegistry registry = _server.Scripts;
        if (ArgIs(1, "LOAD"u8))
        {
            FunctionLoad();
        }
        else if (ArgIs(1, "DELETE"u8))
        {
            RequireArgs(3, "function|delete");
            if (!registry.DeleteLibrary(ArgString(2)))
            {
                throw Error("ERR Library not found");
            }

            _out.WriteOk();
        }
        else if (ArgIs(1, "FLUSH"u8))
        {
            if (_argc > 3 || (_argc == 3 && !ArgIs(2, "SYNC"u8) && !ArgIs(2, "ASYNC"u8)))
            {
                throw Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            }

            registry.FlushLibraries();
            _out.WriteOk();
        }
        else if (ArgIs(1, "LIST"u8))
        {
            FunctionList();
        }
        else if (ArgIs(1, "STATS"u8))
        {
            RequireArgs(2, "function|stats");
            FunctionStats();
        }
        else if (ArgIs(1, "KILL"u8))
        {
            RequireArgs(2, "function|kill");
            KillScript(isEval: false);
        }
        else if (ArgIs(1, "DUMP"u8) || ArgIs(1, "RESTORE"u8))
        {
            throw Error($"ERR FUNCTION {ArgString(1).ToUpperInvariant()} is not supported yet: ThunderDB has no function payload format (FUNCTION LIST WITHCODE and FUNCTION LOAD move libraries)");
        }
        else if (ArgIs(1, "HELP"u8))
        {
            WriteHelp("FUNCTION", ["LOAD [REPLACE] <FUNCTION CODE>", "DELETE <LIBRARY NAME>", "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "FLUSH [ASYNC|SYNC]", "STATS", "KILL", "HELP"]);
        }
        else
        {
            throw Error($"ERR unknown subcommand '{Printable(Arg(1))}'. Try FUNCTION HELP.");
        }
    }

    private void FunctionLoad()
    {
        if (_argc < 3)
        {
            throw Error("ERR wrong number of arguments for 'function|load' command");
        }

        bool replace = false;
        int at = 2;
        while (at < _argc - 1)
        {
            if (!ArgIs(at, "REPLACE"u8))
            {
                throw Error("ERR Unknown option given: " + ArgString(at));
            }

            replace = true;
            at++;
        }

        if (at >= _argc)
        {
            throw Error("ERR Function code is missing");
        }

        byte[] code = ArgBytes(at);
        string name = ParseLibraryMetadata(code, out int shebangLength);
        byte[] body = (byte[])code.Clone();
        body.AsSpan(0, shebangLength).Fill((byte)' ');
        body = LuaTailCalls.Protect(body);
        var registered = new List<(string Name, string[] Flags)>();
        string? error = Engine().LoadLibrary(body, keep: false, registered);
        if (error is not null)
        {
            throw Error(error);
        }

        var functions = registered.Select(f => new LibraryFunction(f.Name, f.Flags, name)).ToArray();
        string? conflict = _server.Scripts.AddLibrary(new FunctionLibrary(name, code, functions), replace);
        if (conflict is not null)
        {
            throw Error(conflict);
        }

        _out.WriteBulk(Encoding.UTF8.GetBytes(name));
    }

    /// <summary>The <c>#!lua name=lib</c> line of a library (Redis 7.0's checks and texts); returns the name.</summary>
    private static string ParseLibraryMetadata(ReadOnlySpan<byte> code, out int length)
    {
        if (!code.StartsWith("#!"u8))
        {
            throw Error("ERR Missing library metadata");
        }

        length = code.IndexOf((byte)'\n');
        if (length < 0)
        {
            throw Error("ERR Invalid library metadata");
        }

        string[] parts = Encoding.UTF8.GetString(code[..length]).Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw Error("ERR Invalid library metadata");
        }

        string? name = null;
        for (int i = 1; i < parts.Length; i++)
        {
            if (!parts[i].StartsWith("name=", StringComparison.OrdinalIgnoreCase))
            {
                throw Error("ERR Invalid metadata value given: " + parts[i]);
            }

            if (name is not null)
            {
                throw Error("ERR Invalid metadata value, name argument was given multiple times");
            }

            name = parts[i][5..];
        }

        if (name is null)
        {
            throw Error("ERR Library name was not given");
        }

        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw Error("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
        }

        if (!parts[0][2..].Equals("lua", StringComparison.OrdinalIgnoreCase))
        {
            throw Error($"ERR Engine '{parts[0][2..]}' not found");
        }

        return name;
    }

    /// <summary>Makes this session's Lua state hold every library's functions as of the registry's current generation.</summary>
    private void LoadLibrariesInto(LuaScriptEngine engine)
    {
        ScriptRegistry registry = _server.Scripts;
        long generation = registry.FunctionGeneration;
        if (engine.FunctionGeneration == generation)
        {
            return;
        }

        engine.ClearFunctions();
        foreach (FunctionLibrary library in registry.Libraries())
        {
            ParseLibraryMetadata(library.Code, out int shebangLength);
            byte[] body = (byte[])library.Code.Clone();
            body.AsSpan(0, shebangLength).Fill((byte)' ');
            engine.LoadLibrary(LuaTailCalls.Protect(body), keep: true, []);
        }

        engine.FunctionGeneration = generation;
    }

    private void FunctionList()
    {
        byte[]? pattern = null;
        bool withCode = false;
        for (int i = 2; i < _argc; i++)
        {
            if (ArgIs(i, "WITHCODE"u8))
            {
                withCode = true;
            }
            else if (ArgIs(i, "LIBRARYNAME"u8))
            {
                if (i + 1 >= _argc)
                {
                    throw Error("ERR library name argument was not given");
                }

                pattern = ArgBytes(++i);
            }
            else
            {
                throw Error("ERR Unknown argument " + ArgString(i));
            }
        }

        List<FunctionLibrary> libraries = _server.Scripts.Libraries()
            .Where(l => pattern is null || GlobPattern.IsMatch(pattern, Encoding.UTF8.GetBytes(l.Name))).ToList();
        _out.WriteArrayHeader(libraries.Count);
        foreach (FunctionLibrary library in libraries)
        {
            _out.WriteMapHeader(withCode ? 4 : 3);
            _out.WriteBulk("library_name"u8);
            _out.WriteBulk(Encoding.UTF8.GetBytes(library.Name));
            _out.WriteBulk("engine"u8);
            _out.WriteBulk("LUA"u8);
            _out.WriteBulk("functions"u8);
            _out.WriteArrayHeader(library.Functions.Length);
            foreach (LibraryFunction function in library.Functions)
            {
                _out.WriteMapHeader(3);
                _out.WriteBulk("name"u8);
                _out.WriteBulk(Encoding.UTF8.GetBytes(function.Name));
                _out.WriteBulk("description"u8);
                _out.WriteNull();
                _out.WriteBulk("flags"u8);
                _out.WriteSetHeader(function.Flags.Length);
                foreach (string flag in function.Flags)
                {
                    _out.WriteSimple(Encoding.ASCII.GetBytes(flag));
                }
            }

            if (withCode)
            {
                _out.WriteBulk("library_code"u8);
                _out.WriteBulk(library.Code);
            }
        }
    }

    private void FunctionStats()
    {
        _out.WriteMapHeader(2);
        _out.WriteBulk("running_script"u8);
        if (_server.Scripts.Running is { IsEval: false } running)
        {
            _out.WriteMapHeader(3);
            _out.WriteBulk("name"u8);
            _out.WriteBulk(Encoding.UTF8.GetBytes(running.Name));
            _out.WriteBulk("command"u8);
            _out.WriteArrayHeader(running.Command.Length);
            foreach (string part in running.Command)
            {
                _out.WriteBulk(Encoding.UTF8.GetBytes(part));
            }

            _out.WriteBulk("duration_ms"u8);
            _out.WriteInteger(Environment.TickCount64 - running.StartedTicks);
        }
        else
        {
            _out.WriteNull();
        }

        (int libraries, int functions) = _server.Scripts.Counts();
        _out.WriteBulk("engines"u8);
        _out.WriteMapHeader(1);
        _out.WriteBulk("LUA"u8);
        _out.WriteMapHeader(2);
        _out.WriteBulk("libraries_count"u8);
        _out.WriteInteger(libraries);
        _out.WriteBulk("functions_count"u8);
        _out.WriteInteger(functions);
    }
}

using System.Security.Cryptography;
using ThunderDb.Core.Keys;

namespace ThunderDb.Net.Resp.Scripting;

/// <summary>A function registered by a library (FUNCTION LOAD).</summary>
internal sealed record LibraryFunction(string Name, string[] Flags, string Library)
{
    public bool NoWrites => Flags.Contains("no-writes");
}

/// <summary>A library: its name, its code (as loaded, shebang included) and its functions.</summary>
internal sealed record FunctionLibrary(string Name, byte[] Code, LibraryFunction[] Functions);

/// <summary>The script that runs now (SCRIPT KILL, FUNCTION KILL / STATS, -BUSY).</summary>
internal sealed class RunningScript(RespSession session, LuaScriptEngine engine, bool isEval, string name, string[] command, long busyThresholdMs)
{
    public RespSession Session { get; } = session;

    public LuaScriptEngine Engine { get; } = engine;

    public bool IsEval { get; } = isEval;

    public string Name { get; } = name;

    public string[] Command { get; } = command;

    public long StartedTicks { get; } = Environment.TickCount64;

    public long BusyThresholdMs { get; } = busyThresholdMs;

    /// <summary>The script has written (a kill would be refused as UNKILLABLE, as Redis does).</summary>
    public volatile bool Wrote;

    public bool IsBusy => BusyThresholdMs > 0 && Environment.TickCount64 - StartedTicks >= BusyThresholdMs;
}

/// <summary>
/// The server's scripting state shared by every session: EVAL script sources by SHA1 (SCRIPT LOAD / EXISTS / FLUSH),
/// function libraries (FUNCTION ...), the name of the lock that runs one script at a time (Redis's atomicity: scripts never
/// interleave with each other), and the running script for SCRIPT KILL and -BUSY.
/// </summary>
internal sealed class ScriptRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, byte[]> _scripts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FunctionLibrary> _libraries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LibraryFunction> _functions = new(StringComparer.Ordinal);
    private volatile RunningScript? _running;

    /// <summary>
    /// The lock-manager name a script's transaction holds from its start until its commit is applied, so scripts are
    /// serialized as in Redis (the engine's MVCC still lets plain commands run beside).
    /// </summary>
    public static readonly byte[] GateKey = [KeyspaceTag.Lock, .. "redis-scripts"u8];

    /// <summary>Bumped by SCRIPT FLUSH: sessions drop their compiled scripts.</summary>
    public long ScriptGeneration { get; private set; }

    /// <summary>Bumped by every library change: sessions reload the libraries before their next FCALL.</summary>
    public long FunctionGeneration { get; private set; }

    public RunningScript? Running => _running;

    public void Enter(RunningScript script) => _running = script;

    public void Leave(RunningScript script)
    {
        if (ReferenceEquals(_running, script))
        {
            _running = null;
        }
    }

    public static string Sha1Hex(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA1.HashData(body));

    public void AddScript(string sha, byte[] body)
    {
        lock (_lock)
        {
            _scripts.TryAdd(sha, body);
        }
    }

    public byte[]? FindScript(string sha)
    {
        lock (_lock)
        {
            return _scripts.GetValueOrDefault(sha);
        }
    }

    public void FlushScripts()
    {
        lock (_lock)
        {
            _scripts.Clear();
            ScriptGeneration++;
        }
    }

    // ---- functions -----------------------------------------------------------------------------------

    public LibraryFunction? FindFunction(string name)
    {
        lock (_lock)
        {
            return _functions.GetValueOrDefault(name);
        }
    }

    public List<FunctionLibrary> Libraries()
    {
        lock (_lock)
        {
            return [.. _libraries.Values.OrderBy(l => l.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Adds (or with <paramref name="replace"/> replaces) a library; null or Redis's error text.</summary>
    public string? AddLibrary(FunctionLibrary library, bool replace)
    {
        lock (_lock)
        {
            _libraries.TryGetValue(library.Name, out FunctionLibrary? old);
            if (old is not null && !replace)
            {
                return $"ERR Library '{library.Name}' already exists";
            }

            foreach (LibraryFunction f in library.Functions)
            {
                if (_functions.TryGetValue(f.Name, out LibraryFunction? other) && other.Library != library.Name)
                {
                    return $"ERR Function {f.Name} already exists";
                }
            }

            if (old is not null)
            {
                foreach (LibraryFunction f in old.Functions)
                {
                    _functions.Remove(f.Name);
                }
            }

            _libraries[library.Name] = library;
            foreach (LibraryFunction f in library.Functions)
            {
                _functions[f.Name] = f;
            }

            FunctionGeneration++;
            return null;
        }
    }

    public bool DeleteLibrary(string name)
    {
        lock (_lock)
        {
            if (!_libraries.Remove(name, out FunctionLibrary? old))
            {
                return false;
            }

            foreach (LibraryFunction f in old.Functions)
            {
                _functions.Remove(f.Name);
            }

            FunctionGeneration++;
            return true;
        }
    }

    public void FlushLibraries()
    {
        lock (_lock)
        {
            _libraries.Clear();
            _functions.Clear();
            FunctionGeneration++;
        }
    }

    public (int Libraries, int Functions) Counts()
    {
        lock (_lock)
        {
            return (_libraries.Count, _functions.Count);
        }
    }
}

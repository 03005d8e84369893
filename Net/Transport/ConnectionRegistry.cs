using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using System.Net;
using ThunderDb.Core.Diagnostics;

namespace ThunderDb.Net.Transport;

/// <summary>One client connection as every protocol reports it (CLIENT LIST, /admin/connections, kills).</summary>
public sealed class ClientConnection
{
    private readonly CancellationTokenSource _kill = new();

    internal ClientConnection(long id, string protocol, EndPoint? remote, EndPoint? local)
    {
        Id = id;
        Protocol = protocol;
        Remote = remote?.ToString() ?? "?";
        Local = local?.ToString() ?? "?";
        StartedAt = DateTimeOffset.UtcNow;
    }

    public long Id { get; }

    public string Protocol { get; }

    public string Remote { get; }

    public string Local { get; }

    public DateTimeOffset StartedAt { get; }

    public string? User { get; set; }

    public string? Name { get; set; }

    /// <summary>Name of the command running now (or last run); a string constant, set without allocating.</summary>
    public string? CurrentCommand { get; set; }

    public long LastActivityTicks { get; set; } = Environment.TickCount64;

    /// <summary>
    /// <see cref="Environment.TickCount64"/> when the connection last started to need authentication (accepted, or a
    /// RESET that logged it out): the authentication timeout counts from here while <see cref="User"/> is null.
    /// </summary>
    public long AuthenticationStartedTicks { get; set; } = Environment.TickCount64;

    /// <summary>The connection is silent on purpose (a Redis subscriber waiting for messages): idle timeouts leave it open.</summary>
    public bool WaitsOnPurpose { get; set; }

    /// <summary><see cref="Environment.TickCount64"/> when the command now running started; 0 while the connection is idle.</summary>
    public long CommandStartedTicks { get; set; }

    /// <summary>Cancelled by <see cref="Kill"/>: the protocol loop closes the socket.</summary>
    public CancellationToken Killed => _kill.Token;

    public bool IsKilled => _kill.IsCancellationRequested;

    public void Kill()
    {
        try
        {
            _kill.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // already closed
        }
    }

    internal void DisposeToken() => _kill.Dispose();
}

/// <summary>
/// All open connections of every protocol, with a per-protocol limit. Feeds <c>thunderdb_active_connections</c>.
/// </summary>
public sealed class ConnectionRegistry
{
    private static long s_nextId;
    private readonly ConcurrentDictionary<long, ClientConnection> _connections = new();
    private readonly ConcurrentDictionary<string, StrongBox<int>> _perProtocol = new(StringComparer.Ordinal);

    /// <summary>Connections shared by every server of the process (Host hands the same instance to all protocols).</summary>
    public static ConnectionRegistry Shared { get; } = new();

    public int Count => _connections.Count;

    /// <summary>Registers a connection unless the protocol already has <paramref name="maxConnections"/>.</summary>
    public bool TryRegister(string protocol, EndPoint? remote, EndPoint? local, int maxConnections, out ClientConnection? connection)
    {
        StrongBox<int> count = _perProtocol.GetOrAdd(protocol, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref count.Value) > maxConnections)
        {
            Interlocked.Decrement(ref count.Value);
            connection = null;
            return false;
        }

        connection = new ClientConnection(Interlocked.Increment(ref s_nextId), protocol, remote, local);
        _connections[connection.Id] = connection;
        ThunderMetrics.ActiveConnections.Inc();
        return true;
    }

    public void Unregister(ClientConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            if (_perProtocol.TryGetValue(connection.Protocol, out StrongBox<int>? count))
            {
                Interlocked.Decrement(ref count.Value);
            }

            ThunderMetrics.ActiveConnections.Dec();
            connection.DisposeToken();
        }
    }

    public int CountOf(string protocol) => _perProtocol.TryGetValue(protocol, out StrongBox<int>? c) ? Volatile.Read(ref c.Value) : 0;

    public bool TryGet(long id, out ClientConnection? connection) => _connections.TryGetValue(id, out connection);

    /// <summary>A snapshot, ordered by id.</summary>
    public IReadOnlyList<ClientConnection> Snapshot()
    {
        var list = new List<ClientConnection>(_connections.Values);
        list.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    /// <summary>Kills matching connections; returns how many.</summary>
    public int Kill(Func<ClientConnection, bool> match)
    {
        int n = 0;
        foreach (ClientConnection c in _connections.Values)
        {
            if (match(c))
            {
                c.Kill();
                n++;
            }
        }

        return n;
    }
}

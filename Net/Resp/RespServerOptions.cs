using ThunderDb.Net.Transport.Tls;

namespace ThunderDb.Net.Resp;

public sealed class RespServerOptions
{
    /// <summary>When true, every command but AUTH/HELLO/QUIT answers <c>-NOAUTH</c> until the client authenticates.</summary>
    public bool AuthEnabled { get; init; }

    public string SuperuserName { get; init; } = "thunder";

    /// <summary>BCrypt hash of the superuser's password.</summary>
    public string? SuperuserPasswordHash { get; init; }

    /// <summary>Connections beyond this get <c>-ERR max number of clients reached</c> and are closed.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Whether the engine acknowledges only durable commits (reported by INFO persistence and CONFIG GET).</summary>
    public bool SyncCommit { get; init; } = true;

    /// <summary>How often the active expiry sweep runs; zero disables it.</summary>
    public TimeSpan ExpirySweepInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Most keys one sweep deletes (one transaction).</summary>
    public int ExpirySweepBatch { get; init; } = 200;

    /// <summary>Largest query buffer one client may fill with a single incomplete command (Redis: client-query-buffer-limit).</summary>
    public long MaxQueryBufferBytes { get; init; } = (1L << 30) + 1024;

    /// <summary>Most messages waiting for one slow subscriber before it is disconnected.</summary>
    public int MaxPendingPushMessages { get; init; } = 100_000;

    /// <summary>When set, the port speaks TLS only (as Redis's tls-port): every connection starts with a handshake.</summary>
    public TlsAcceptor? Tls { get; init; }
}

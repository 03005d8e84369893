using ThunderDb.Core.Diagnostics;
using ThunderDb.Net.Transport;
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

    /// <summary>
    /// Largest value one write may carry (Redis: proto-max-bulk-len). A commit is one WAL record, which must fit
    /// storage.wal_buffer_size, so a longer bulk argument is refused as it is parsed, before it is buffered, and
    /// SETRANGE/APPEND refuse a result longer than this before building it.
    /// </summary>
    public long MaxValueBytes { get; init; } = RespParser.MaxBulkLength;

    /// <summary>The value limit for a WAL buffer of <paramref name="walBufferBytes"/>: what is left after the record header and one key.</summary>
    public static long MaxValueBytesFor(long walBufferBytes, int pageSize) =>
        Math.Clamp(walBufferBytes - pageSize - 1024, 4096, RespParser.MaxBulkLength);

    /// <summary>
    /// With authentication on, a connection that has not authenticated this long after it was accepted is closed
    /// (PostgreSQL: authentication_timeout), so idle unauthenticated connections cannot hold every slot. Zero disables.
    /// </summary>
    public TimeSpan AuthenticationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Redis <c>timeout</c>: a client that sent nothing for this long is closed (not subscribers, not a client inside a
    /// blocking command). Zero, the default, keeps idle clients open. CONFIG SET timeout changes it.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; }

    /// <summary>
    /// <c>query_timeout</c>, read when each command (or EXEC) starts so a SIGHUP reload applies to the next command. A
    /// command past it stops at its next cooperative check with an error and changes nothing. Null or zero: no limit.
    /// </summary>
    public Func<TimeSpan>? QueryTimeout { get; init; }

    /// <summary>Statements that end slower than its threshold are logged (<c>logging.slow_query_*</c>); null: none.</summary>
    public SlowQueryLog? SlowQueries { get; init; }

    /// <summary>client-output-buffer-limit per client class (CONFIG GET/SET client-output-buffer-limit).</summary>
    public OutputBufferLimits OutputLimits { get; } = new();

    /// <summary>Most messages waiting for one slow subscriber before it is disconnected.</summary>
    public int MaxPendingPushMessages { get; init; } = 100_000;

    /// <summary>When set, the port speaks TLS only (as Redis's tls-port): every connection starts with a handshake.</summary>
    public TlsAcceptor? Tls { get; init; }
}

using ThunderDb.Core.Diagnostics;
using ThunderDb.Net.Transport;
using ThunderDb.Net.Transport.Tls;

namespace ThunderDb.Net.Postgres;

public sealed class PgServerOptions
{
    /// <summary>When true, clients authenticate with <see cref="AuthMethod"/>; when false every login is trusted.</summary>
    public bool AuthEnabled { get; init; }

    public PgAuthMethod AuthMethod { get; init; } = PgAuthMethod.ScramSha256;

    public string SuperuserName { get; init; } = "thunder";

    /// <summary>BCrypt hash of the superuser's password.</summary>
    public string? SuperuserPasswordHash { get; init; }

    /// <summary>Connections beyond this get FATAL 53300 after their startup packet.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>When set, clients must ask for TLS with SSLRequest: a plaintext startup is refused.</summary>
    public TlsAcceptor? Tls { get; init; }

    /// <summary>Startup, TLS handshake and authentication must finish within this (PostgreSQL's authentication_timeout).</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How much unsent output one connection may make the server hold (the transport's <see cref="OutputLimit"/>, with
    /// Redis's client-output-buffer-limit semantics). A buffered result passing the hard limit closes the connection; a
    /// client that leaves 8 MB of results or a streaming statement's rows unread for 60 s is closed too (PostgreSQL would
    /// wait for it forever while holding its snapshot). 0 hard bytes = the transport's ceiling (1 GiB).
    /// </summary>
    public OutputLimit OutputLimit { get; init; } = new(0, 8L << 20, 60);

    /// <summary>
    /// <c>query_timeout</c>, read when each statement starts (SIGHUP reloads it): a statement running longer is
    /// cancelled through the connection's statement hook (57014, as PostgreSQL's statement_timeout). Zero or null: none.
    /// </summary>
    public Func<TimeSpan>? QueryTimeout { get; init; }

    /// <summary>Statements that end slower than its threshold are logged (<c>logging.slow_query_*</c>); null: none.</summary>
    public SlowQueryLog? SlowQueries { get; init; }
}

using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Serilog.Events;
using ThunderDb.Core.Storage;
using ThunderDb.Io.Files;
using ThunderDb.Net.Postgres;

namespace ThunderDb.Host.Configuration;

/// <summary>Output format of the log lines.</summary>
public enum LogFormat
{
    Text,
    Json,
}

/// <summary>
/// The one immutable settings object, built as defaults &lt; TOML file &lt; CLI flags &lt; environment
/// (see <see cref="ConfigLoader"/>). Sizes are bytes, durations are <see cref="TimeSpan"/>s.
/// </summary>
public sealed record ServerSettings
{
    /// <summary>The file the settings were read from, or null when running on the built-in defaults.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Where each explicitly set key came from ("file:line", "--flag", "environment variable X").</summary>
    public IReadOnlyDictionary<string, string> Origins { get; init; } = new Dictionary<string, string>();

    /// <summary>Where <paramref name="key"/> was set, for error messages; "default" when it was not set.</summary>
    public string OriginOf(string key) => Origins.TryGetValue(key, out var o) ? o : "default";

    public long NodeId { get; init; } = 1;

    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    public int PgPort { get; init; } = 5432;

    public int MySqlPort { get; init; } = 3306;

    public int RespPort { get; init; } = 6379;

    public int HttpPort { get; init; } = 8080;

    public int GrpcPort { get; init; } = 9090;

    public string DataDir { get; init; } = "./data";

    /// <summary>WAL directory; null means <c>data_dir/wal</c>.</summary>
    public string? WalDir { get; init; }

    /// <summary>Zero means no timeout.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.Zero;

    public long MaxResultRows { get; init; } = 1_000_000;

    public int MaxConnectionsPerProtocol { get; init; } = 1000;

    /// <summary>Close a client connection that sent nothing for this long (Redis <c>timeout</c>); zero keeps idle clients.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

    public StorageSettings Storage { get; init; } = new();

    public ClusterSettings Cluster { get; init; } = new();

    public SecuritySettings Security { get; init; } = new();

    public LoggingSettings Logging { get; init; } = new();

    public string EffectiveWalDir => WalDir ?? Path.Combine(DataDir, "wal");

    public string EffectiveBackupDir => Storage.BackupDir ?? Path.Combine(DataDir, "backups");

    /// <summary>What the storage engine needs, already validated.</summary>
    public StorageOptions ToStorageOptions() => new()
    {
        DataDir = DataDir,
        WalDir = WalDir,
        PageSize = Storage.PageSize,
        BufferPoolSize = Storage.BufferPoolSize,
        WalBufferSize = Storage.WalBufferSize,
        SyncCommit = Storage.SyncCommit,
        DirectIo = Storage.DirectIo,
        IoBackend = Storage.IoBackend,
        Compression = Storage.Compression,
        CompressionAlgorithm = Storage.CompressionAlgorithm,
        CheckpointInterval = Storage.CheckpointInterval,
        MaxWalSize = Storage.MaxWalSize,
        MaxTransactionSize = Storage.MaxTransactionSize,
        CompactionThreads = Storage.CompactionThreads,
    };

    /// <summary>
    /// Every setting as "key" -> display value (secrets redacted), keyed by the TOML key path.
    /// Used to log the effective configuration and to diff it on reload.
    /// </summary>
    public SortedDictionary<string, string> Describe()
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["node_id"] = Str(NodeId),
            ["listen_addr"] = ListenAddress.ToString(),
            ["pg_port"] = Str(PgPort),
            ["mysql_port"] = Str(MySqlPort),
            ["resp_port"] = Str(RespPort),
            ["http_port"] = Str(HttpPort),
            ["grpc_port"] = Str(GrpcPort),
            ["data_dir"] = DataDir,
            ["wal_dir"] = EffectiveWalDir,
            ["query_timeout"] = Duration.Format(QueryTimeout),
            ["max_result_rows"] = Str(MaxResultRows),
            ["max_connections_per_protocol"] = Str(MaxConnectionsPerProtocol),
            ["idle_timeout"] = Duration.Format(IdleTimeout),
            ["storage.buffer_pool_size"] = Str(Storage.BufferPoolSize),
            ["storage.wal_buffer_size"] = Str(Storage.WalBufferSize),
            ["storage.page_size"] = Str(Storage.PageSize),
            ["storage.checkpoint_interval"] = Duration.Format(Storage.CheckpointInterval),
            ["storage.compaction_threads"] = Str(Storage.CompactionThreads),
            ["storage.direct_io"] = Str(Storage.DirectIo),
            ["storage.io_backend"] = Storage.IoBackend switch
            {
                IoBackendKind.IoUring => "io_uring",
                IoBackendKind.Posix => "posix",
                _ => "auto",
            },
            ["storage.compression"] = Str(Storage.Compression),
            ["storage.compression_algorithm"] = Storage.CompressionAlgorithm.ToString(),
            ["storage.max_wal_size"] = Str(Storage.MaxWalSize),
            ["storage.max_transaction_size"] = Str(Storage.MaxTransactionSize),
            ["storage.sync_commit"] = Str(Storage.SyncCommit),
            ["storage.disk_space_warn_percent"] = Str(Storage.DiskSpaceWarnPercent),
            ["storage.disk_space_critical_percent"] = Str(Storage.DiskSpaceCriticalPercent),
            ["storage.disk_check_interval"] = Duration.Format(Storage.DiskCheckInterval),
            ["storage.backup_enabled"] = Str(Storage.BackupEnabled),
            ["storage.backup_interval"] = Duration.Format(Storage.BackupInterval),
            ["storage.backup_retention_count"] = Str(Storage.BackupRetentionCount),
            ["storage.backup_dir"] = EffectiveBackupDir,
            ["cluster.cluster_name"] = Cluster.ClusterName,
            ["cluster.peers"] = "[" + string.Join(", ", Cluster.Peers) + "]",
            ["cluster.replication_factor"] = Str(Cluster.ReplicationFactor),
            ["cluster.raft_election_timeout"] = Duration.Format(Cluster.RaftElectionTimeout),
            ["cluster.raft_heartbeat_interval"] = Duration.Format(Cluster.RaftHeartbeatInterval),
            ["cluster.max_region_size"] = Str(Cluster.MaxRegionSize),
            ["cluster.min_region_size"] = Str(Cluster.MinRegionSize),
            ["cluster.auto_balance"] = Str(Cluster.AutoBalance),
            ["security.authentication_enabled"] = Str(Security.AuthenticationEnabled),
            ["security.allow_unauthenticated_network"] = Str(Security.AllowUnauthenticatedNetwork),
            ["security.authentication_timeout"] = Duration.Format(Security.AuthenticationTimeout),
            ["security.tls_enabled"] = Str(Security.TlsEnabled),
            ["security.tls_cert_path"] = Security.TlsCertPath ?? "",
            ["security.tls_key_path"] = Security.TlsKeyPath ?? "",
            ["security.superuser"] = Security.Superuser,
            ["security.superuser_password_hash"] = Security.SuperuserPasswordHash is null ? "" : "<set>",
            ["security.pg_auth_method"] = ConfigKeys.PgAuthMethodName(Security.PgAuthMethod),
            ["security.admin_token_hash"] = Security.AdminTokenHash is null ? "" : "<set>",
            ["logging.level"] = LogLevels.Name(Logging.Level),
            ["logging.format"] = Logging.Format == LogFormat.Json ? "json" : "text",
            ["logging.file"] = Logging.File ?? "",
            ["logging.slow_query_enabled"] = Str(Logging.SlowQueryEnabled),
            ["logging.slow_query_threshold"] = Duration.Format(Logging.SlowQueryThreshold),
            ["logging.otel_endpoint"] = Logging.OtelEndpoint ?? "",
            ["logging.otel_service_name"] = Logging.OtelServiceName,
        };
        return d;
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Str(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Str(bool v) => v ? "true" : "false";
}

public sealed record StorageSettings
{
    public long BufferPoolSize { get; init; } = 1L << 30;

    public long WalBufferSize { get; init; } = 64L << 20;

    public int PageSize { get; init; } = 16384;

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(5);

    public int CompactionThreads { get; init; } = 1;

    public bool DirectIo { get; init; }

    public IoBackendKind IoBackend { get; init; } = IoBackendKind.Auto;

    public bool Compression { get; init; } = true;

    public CompressionAlgorithm CompressionAlgorithm { get; init; } = CompressionAlgorithm.Lz4;

    public long MaxWalSize { get; init; } = 1L << 30;

    /// <summary>The largest write set one transaction may build (bytes of keys and values); see <see cref="StorageOptions.MaxTransactionSize"/>.</summary>
    public long MaxTransactionSize { get; init; } = StorageOptions.DefaultMaxTransactionSize;

    public bool SyncCommit { get; init; } = true;

    public double DiskSpaceWarnPercent { get; init; } = 10.0;

    public double DiskSpaceCriticalPercent { get; init; } = 5.0;

    public TimeSpan DiskCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    public bool BackupEnabled { get; init; }

    public TimeSpan BackupInterval { get; init; } = TimeSpan.FromHours(24);

    public int BackupRetentionCount { get; init; } = 7;

    /// <summary>Null means <c>data_dir/backups</c>.</summary>
    public string? BackupDir { get; init; }
}

public sealed record ClusterSettings
{
    public string ClusterName { get; init; } = "thunderdb";

    public ImmutableArray<string> Peers { get; init; } = [];

    public int ReplicationFactor { get; init; } = 1;

    public TimeSpan RaftElectionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RaftHeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public long MaxRegionSize { get; init; } = 256L << 20;

    public long MinRegionSize { get; init; } = 64L << 20;

    public bool AutoBalance { get; init; }
}

public sealed record SecuritySettings
{
    public bool AuthenticationEnabled { get; init; }

    /// <summary>Protected mode escape hatch: listen on a non-loopback address without authentication.</summary>
    public bool AllowUnauthenticatedNetwork { get; init; }

    /// <summary>A connection that has not authenticated this long after connecting is closed (zero: never).</summary>
    public TimeSpan AuthenticationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool TlsEnabled { get; init; }

    public string? TlsCertPath { get; init; }

    public string? TlsKeyPath { get; init; }

    public string Superuser { get; init; } = "admin";

    public string? SuperuserPasswordHash { get; init; }

    /// <summary>How PostgreSQL clients authenticate (security.pg_auth_method): scram-sha-256 (default), md5 or password.</summary>
    public PgAuthMethod PgAuthMethod { get; init; } = PgAuthMethod.ScramSha256;

    /// <summary>Bcrypt hash of the bearer token the token-protected <c>/admin/*</c> endpoints accept.</summary>
    public string? AdminTokenHash { get; init; }
}

public sealed record LoggingSettings
{
    public LogEventLevel Level { get; init; } = LogEventLevel.Information;

    public LogFormat Format { get; init; } = LogFormat.Text;

    /// <summary>Optional log file; rotated daily.</summary>
    public string? File { get; init; }

    public bool SlowQueryEnabled { get; init; }

    /// <summary>Statements at least this slow are logged when <see cref="SlowQueryEnabled"/>; zero logs every statement.</summary>
    public TimeSpan SlowQueryThreshold { get; init; } = TimeSpan.FromSeconds(1);

    public string? OtelEndpoint { get; init; }

    public string OtelServiceName { get; init; } = "thunderdb";
}

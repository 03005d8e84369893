using System.Collections.Frozen;
using Serilog.Events;
using ThunderDb.Core.Storage;
using ThunderDb.Io.Files;
using ThunderDb.Net.Postgres;

namespace ThunderDb.Host.Configuration;

/// <summary>
/// Every configuration key the runbook names (plus <c>storage.io_backend</c>,
/// <c>max_connections_per_protocol</c>, <c>idle_timeout</c>, <c>security.admin_token_hash</c>, <c>security.pg_auth_method</c>,
/// <c>security.allow_unauthenticated_network</c> and <c>security.authentication_timeout</c>), each with its
/// conversion and validation.
/// </summary>
internal static class ConfigKeys
{
    public delegate ServerSettings Apply(ServerSettings s, ConfigValue v);

    /// <summary>The tables a file may contain besides the top level.</summary>
    public static readonly FrozenSet<string> Sections = FrozenSet.Create(StringComparer.Ordinal, "storage", "cluster", "security", "logging");

    public static readonly FrozenDictionary<string, Apply> All = new Dictionary<string, Apply>(StringComparer.Ordinal)
    {
        ["node_id"] = (s, v) => s with { NodeId = v.AsInteger(1, long.MaxValue) },
        ["listen_addr"] = (s, v) => s with { ListenAddress = v.AsListenAddress() },
        ["pg_port"] = (s, v) => s with { PgPort = v.AsPort() },
        ["mysql_port"] = (s, v) => s with { MySqlPort = v.AsPort() },
        ["resp_port"] = (s, v) => s with { RespPort = v.AsPort() },
        ["http_port"] = (s, v) => s with { HttpPort = v.AsPort() },
        ["grpc_port"] = (s, v) => s with { GrpcPort = v.AsPort() },
        ["data_dir"] = (s, v) => s with { DataDir = v.AsNonEmptyString() },
        ["wal_dir"] = (s, v) => s with { WalDir = v.AsNonEmptyString() },
        ["query_timeout"] = (s, v) => s with { QueryTimeout = v.AsDuration(allowZero: true) },
        ["max_result_rows"] = (s, v) => s with { MaxResultRows = v.AsInteger(1, long.MaxValue) },
        ["max_connections_per_protocol"] = (s, v) => s with { MaxConnectionsPerProtocol = v.AsInteger(1, 1_000_000) },
        ["idle_timeout"] = (s, v) => s with { IdleTimeout = v.AsDuration(allowZero: true) },

        ["storage.buffer_pool_size"] = (s, v) => s with { Storage = s.Storage with { BufferPoolSize = v.AsSize(min: 1) } },
        ["storage.wal_buffer_size"] = (s, v) => s with { Storage = s.Storage with { WalBufferSize = v.AsSize(min: 1) } },
        ["storage.page_size"] = (s, v) => s with { Storage = s.Storage with { PageSize = PageSize(v) } },
        ["storage.checkpoint_interval"] = (s, v) => s with { Storage = s.Storage with { CheckpointInterval = v.AsDuration() } },
        ["storage.compaction_threads"] = (s, v) => s with { Storage = s.Storage with { CompactionThreads = v.AsInteger(1, 1024) } },
        ["storage.direct_io"] = (s, v) => s with { Storage = s.Storage with { DirectIo = v.AsBool() } },
        ["storage.io_backend"] = (s, v) => s with { Storage = s.Storage with { IoBackend = IoBackend(v) } },
        ["storage.compression"] = (s, v) => s with { Storage = s.Storage with { Compression = v.AsBool() } },
        ["storage.compression_algorithm"] = (s, v) => s with { Storage = s.Storage with { CompressionAlgorithm = Compression(v) } },
        ["storage.max_wal_size"] = (s, v) => s with { Storage = s.Storage with { MaxWalSize = v.AsSize(min: 1) } },
        ["storage.max_transaction_size"] = (s, v) => s with { Storage = s.Storage with { MaxTransactionSize = v.AsSize(min: 1) } },
        ["storage.sync_commit"] = (s, v) => s with { Storage = s.Storage with { SyncCommit = v.AsBool() } },
        ["storage.disk_space_warn_percent"] = (s, v) => s with { Storage = s.Storage with { DiskSpaceWarnPercent = v.AsPercent() } },
        ["storage.disk_space_critical_percent"] = (s, v) => s with { Storage = s.Storage with { DiskSpaceCriticalPercent = v.AsPercent() } },
        ["storage.disk_check_interval"] = (s, v) => s with { Storage = s.Storage with { DiskCheckInterval = v.AsDuration() } },
        ["storage.backup_enabled"] = (s, v) => s with { Storage = s.Storage with { BackupEnabled = v.AsBool() } },
        ["storage.backup_interval"] = (s, v) => s with { Storage = s.Storage with { BackupInterval = v.AsDuration() } },
        ["storage.backup_retention_count"] = (s, v) => s with { Storage = s.Storage with { BackupRetentionCount = v.AsInteger(1, 100_000) } },
        ["storage.backup_dir"] = (s, v) => s with { Storage = s.Storage with { BackupDir = v.AsNonEmptyString() } },

        ["cluster.cluster_name"] = (s, v) => s with { Cluster = s.Cluster with { ClusterName = v.AsNonEmptyString() } },
        ["cluster.peers"] = (s, v) => s with { Cluster = s.Cluster with { Peers = Peers(v) } },
        ["cluster.replication_factor"] = (s, v) => s with { Cluster = s.Cluster with { ReplicationFactor = v.AsInteger(1, 15) } },
        ["cluster.raft_election_timeout"] = (s, v) => s with { Cluster = s.Cluster with { RaftElectionTimeout = v.AsDuration() } },
        ["cluster.raft_heartbeat_interval"] = (s, v) => s with { Cluster = s.Cluster with { RaftHeartbeatInterval = v.AsDuration() } },
        ["cluster.max_region_size"] = (s, v) => s with { Cluster = s.Cluster with { MaxRegionSize = v.AsSize(min: 1) } },
        ["cluster.min_region_size"] = (s, v) => s with { Cluster = s.Cluster with { MinRegionSize = v.AsSize(min: 1) } },
        ["cluster.auto_balance"] = (s, v) => s with { Cluster = s.Cluster with { AutoBalance = v.AsBool() } },

        ["security.authentication_enabled"] = (s, v) => s with { Security = s.Security with { AuthenticationEnabled = v.AsBool() } },
        ["security.allow_unauthenticated_network"] = (s, v) => s with { Security = s.Security with { AllowUnauthenticatedNetwork = v.AsBool() } },
        ["security.authentication_timeout"] = (s, v) => s with { Security = s.Security with { AuthenticationTimeout = v.AsDuration(allowZero: true) } },
        ["security.tls_enabled"] = (s, v) => s with { Security = s.Security with { TlsEnabled = v.AsBool() } },
        ["security.tls_cert_path"] = (s, v) => s with { Security = s.Security with { TlsCertPath = v.AsNonEmptyString() } },
        ["security.tls_key_path"] = (s, v) => s with { Security = s.Security with { TlsKeyPath = v.AsNonEmptyString() } },
        ["security.superuser"] = (s, v) => s with { Security = s.Security with { Superuser = v.AsNonEmptyString() } },
        ["security.superuser_password_hash"] = (s, v) => s with { Security = s.Security with { SuperuserPasswordHash = v.AsBcryptHash() } },
        ["security.pg_auth_method"] = (s, v) => s with { Security = s.Security with { PgAuthMethod = AuthMethod(v) } },
        ["security.admin_token_hash"] = (s, v) => s with { Security = s.Security with { AdminTokenHash = v.AsBcryptHash() } },

        ["logging.level"] = (s, v) => s with { Logging = s.Logging with { Level = Level(v) } },
        ["logging.format"] = (s, v) => s with { Logging = s.Logging with { Format = Format(v) } },
        ["logging.file"] = (s, v) => s with { Logging = s.Logging with { File = v.AsNonEmptyString() } },
        ["logging.slow_query_enabled"] = (s, v) => s with { Logging = s.Logging with { SlowQueryEnabled = v.AsBool() } },
        ["logging.slow_query_threshold"] = (s, v) => s with { Logging = s.Logging with { SlowQueryThreshold = v.AsDuration(allowZero: true) } },
        ["logging.otel_endpoint"] = (s, v) => s with { Logging = s.Logging with { OtelEndpoint = v.AsNonEmptyString() } },
        ["logging.otel_service_name"] = (s, v) => s with { Logging = s.Logging with { OtelServiceName = v.AsNonEmptyString() } },
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The runbook's environment table (plus THUNDERDB_GRPC_PORT and THUNDERDB_ADMIN_TOKEN_HASH): variable -> key.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables =
    [
        new("THUNDERDB_LISTEN_ADDR", "listen_addr"),
        new("THUNDERDB_HTTP_PORT", "http_port"),
        new("THUNDERDB_PG_PORT", "pg_port"),
        new("THUNDERDB_MYSQL_PORT", "mysql_port"),
        new("THUNDERDB_RESP_PORT", "resp_port"),
        new("THUNDERDB_GRPC_PORT", "grpc_port"),
        new("THUNDERDB_DATA_DIR", "data_dir"),
        new("THUNDERDB_WAL_DIR", "wal_dir"),
        new("THUNDERDB_LOG_LEVEL", "logging.level"),
        new("THUNDERDB_TLS_ENABLED", "security.tls_enabled"),
        new("THUNDERDB_TLS_CERT", "security.tls_cert_path"),
        new("THUNDERDB_TLS_KEY", "security.tls_key_path"),
        new("THUNDERDB_SUPERUSER_PASSWORD_HASH", "security.superuser_password_hash"),
        new("THUNDERDB_AUTH_ENABLED", "security.authentication_enabled"),
        new("THUNDERDB_ADMIN_TOKEN_HASH", "security.admin_token_hash"),
        new("THUNDERDB_PG_AUTH_METHOD", "security.pg_auth_method"),
        new("THUNDERDB_BACKUP_ENABLED", "storage.backup_enabled"),
        new("THUNDERDB_BACKUP_INTERVAL", "storage.backup_interval"),
        new("THUNDERDB_BACKUP_RETENTION_COUNT", "storage.backup_retention_count"),
        new("THUNDERDB_BACKUP_DIR", "storage.backup_dir"),
    ];

    private static int PageSize(ConfigValue v)
    {
        var size = v.AsSize();
        return size is >= 4096 and <= 65536 && (size & (size - 1)) == 0
            ? (int)size
            : throw v.Error($"must be a power of two between 4096 and 65536 (4, 8, 16, 32 or 64 KiB), got {size}");
    }

    private static IoBackendKind IoBackend(ConfigValue v) => v.AsString().Trim().ToLowerInvariant() switch
    {
        "auto" => IoBackendKind.Auto,
        "io_uring" => IoBackendKind.IoUring,
        "posix" => IoBackendKind.Posix,
        var other => throw v.Error($"expected \"auto\", \"io_uring\" or \"posix\", got \"{other}\""),
    };

    private static CompressionAlgorithm Compression(ConfigValue v) => v.AsString().Trim().ToLowerInvariant() switch
    {
        "lz4" => CompressionAlgorithm.Lz4,
        "zstd" => CompressionAlgorithm.Zstd,
        var other => throw v.Error($"expected \"Lz4\" or \"Zstd\", got \"{other}\""),
    };

    private static LogEventLevel Level(ConfigValue v)
    {
        var text = v.AsString();
        return LogLevels.TryParse(text, out var level) ? level : throw v.Error($"expected one of {LogLevels.Accepted}, got \"{text}\"");
    }

    private static PgAuthMethod AuthMethod(ConfigValue v) => v.AsString().Trim().ToLowerInvariant() switch
    {
        "scram-sha-256" => PgAuthMethod.ScramSha256,
        "md5" => PgAuthMethod.Md5,
        "password" => PgAuthMethod.Password,
        var other => throw v.Error($"expected \"scram-sha-256\", \"md5\" or \"password\", got \"{other}\""),
    };

    public static string PgAuthMethodName(PgAuthMethod method) => method switch
    {
        PgAuthMethod.Md5 => "md5",
        PgAuthMethod.Password => "password",
        _ => "scram-sha-256",
    };

    private static LogFormat Format(ConfigValue v) => v.AsString().Trim().ToLowerInvariant() switch
    {
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        var other => throw v.Error($"expected \"text\" or \"json\", got \"{other}\""),
    };

    private static System.Collections.Immutable.ImmutableArray<string> Peers(ConfigValue v)
    {
        var peers = v.AsStringArray();
        foreach (var p in peers)
        {
            var colon = p.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(p.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw v.Error($"peer \"{p}\" is not host:port");
            }
        }

        return peers;
    }
}

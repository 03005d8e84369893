using System.Net;
using Serilog.Events;
using ThunderDb.Core.Storage;
using ThunderDb.Host.Cli;
using ThunderDb.Host.Configuration;
using ThunderDb.Io.Files;

namespace ThunderDb.Host.Tests.Configuration;

public class ConfigLoaderTests
{
    private static readonly Dictionary<string, string> NoEnv = [];
    private static readonly CommandLineOptions NoCli = new();

    private static ServerSettings Load(string toml, CommandLineOptions? cli = null, Dictionary<string, string>? env = null) =>
        ConfigLoader.Load(toml, "/etc/thunderdb/test.toml", cli ?? NoCli, env ?? NoEnv);

    private static ConfigException LoadError(string toml, CommandLineOptions? cli = null, Dictionary<string, string>? env = null)
    {
        try
        {
            Load(toml, cli, env);
        }
        catch (ConfigException e)
        {
            return e;
        }

        throw new InvalidOperationException("expected a ConfigException for:\n" + toml);
    }

    [Test]
    public async Task Defaults_follow_the_runbook()
    {
        var s = ConfigLoader.Load(null, null, NoCli, NoEnv);
        await Assert.That(s.ConfigPath).IsNull();
        await Assert.That(s.NodeId).IsEqualTo(1);
        await Assert.That(s.ListenAddress).IsEqualTo(IPAddress.Loopback);
        await Assert.That(s.PgPort).IsEqualTo(5432);
        await Assert.That(s.MySqlPort).IsEqualTo(3306);
        await Assert.That(s.RespPort).IsEqualTo(6379);
        await Assert.That(s.HttpPort).IsEqualTo(8080);
        await Assert.That(s.GrpcPort).IsEqualTo(9090);
        await Assert.That(s.DataDir).IsEqualTo("./data");
        await Assert.That(s.EffectiveWalDir).IsEqualTo(Path.Combine("./data", "wal"));
        await Assert.That(s.QueryTimeout).IsEqualTo(TimeSpan.Zero);
        await Assert.That(s.MaxResultRows).IsEqualTo(1_000_000);
        await Assert.That(s.MaxConnectionsPerProtocol).IsEqualTo(1000);

        var st = s.Storage;
        await Assert.That(st.BufferPoolSize).IsEqualTo(1L << 30);
        await Assert.That(st.WalBufferSize).IsEqualTo(64L << 20);
        await Assert.That(st.PageSize).IsEqualTo(16384);
        await Assert.That(st.CheckpointInterval).IsEqualTo(TimeSpan.FromMinutes(5));
        await Assert.That(st.CompactionThreads).IsEqualTo(1);
        await Assert.That(st.DirectIo).IsFalse();
        await Assert.That(st.IoBackend).IsEqualTo(IoBackendKind.Auto);
        await Assert.That(st.Compression).IsTrue();
        await Assert.That(st.CompressionAlgorithm).IsEqualTo(CompressionAlgorithm.Lz4);
        await Assert.That(st.MaxWalSize).IsEqualTo(1L << 30);
        await Assert.That(st.SyncCommit).IsTrue();
        await Assert.That(st.DiskSpaceWarnPercent).IsEqualTo(10.0);
        await Assert.That(st.DiskSpaceCriticalPercent).IsEqualTo(5.0);
        await Assert.That(st.DiskCheckInterval).IsEqualTo(TimeSpan.FromSeconds(30));
        await Assert.That(st.BackupEnabled).IsFalse();
        await Assert.That(st.BackupInterval).IsEqualTo(TimeSpan.FromHours(24));
        await Assert.That(st.BackupRetentionCount).IsEqualTo(7);
        await Assert.That(s.EffectiveBackupDir).IsEqualTo(Path.Combine("./data", "backups"));

        var c = s.Cluster;
        await Assert.That(c.ClusterName).IsEqualTo("thunderdb");
        await Assert.That(c.Peers.IsEmpty).IsTrue();
        await Assert.That(c.ReplicationFactor).IsEqualTo(1);
        await Assert.That(c.RaftElectionTimeout).IsEqualTo(TimeSpan.FromSeconds(1));
        await Assert.That(c.RaftHeartbeatInterval).IsEqualTo(TimeSpan.FromMilliseconds(100));
        await Assert.That(c.MaxRegionSize).IsEqualTo(256L << 20);
        await Assert.That(c.MinRegionSize).IsEqualTo(64L << 20);
        await Assert.That(c.AutoBalance).IsFalse();

        var sec = s.Security;
        await Assert.That(sec.AuthenticationEnabled).IsFalse();
        await Assert.That(sec.AllowUnauthenticatedNetwork).IsFalse();
        await Assert.That(sec.TlsEnabled).IsFalse();
        await Assert.That(sec.Superuser).IsEqualTo("admin");
        await Assert.That(sec.SuperuserPasswordHash).IsNull();
        await Assert.That(sec.AdminTokenHash).IsNull();

        var l = s.Logging;
        await Assert.That(l.Level).IsEqualTo(LogEventLevel.Information);
        await Assert.That(l.Format).IsEqualTo(LogFormat.Text);
        await Assert.That(l.File).IsNull();
        await Assert.That(l.SlowQueryEnabled).IsFalse();
        await Assert.That(l.SlowQueryThreshold).IsEqualTo(TimeSpan.FromSeconds(1));
        await Assert.That(l.OtelEndpoint).IsNull();
        await Assert.That(l.OtelServiceName).IsEqualTo("thunderdb");
    }

    [Test]
    public async Task The_production_template_in_config_loads_as_is()
    {
        var path = Path.Combine(RepoRoot.Find(), "config", "thunderdb.toml");
        var s = ConfigLoader.Load(NoCli with { ConfigPath = path }, NoEnv);
        await Assert.That(s.ListenAddress).IsEqualTo(IPAddress.Any);
        await Assert.That(s.DataDir).IsEqualTo("/var/lib/thunderdb/data");
        await Assert.That(s.WalDir).IsEqualTo("/var/lib/thunderdb/wal");
        await Assert.That(s.QueryTimeout).IsEqualTo(TimeSpan.FromSeconds(30));
        await Assert.That(s.Storage.BufferPoolSize).IsEqualTo(8589934592L);
        await Assert.That(s.Storage.WalBufferSize).IsEqualTo(134217728L);
        await Assert.That(s.Storage.CompactionThreads).IsEqualTo(4);
        await Assert.That(s.Storage.DirectIo).IsTrue();
        await Assert.That(s.Storage.MaxWalSize).IsEqualTo(2147483648L);
        await Assert.That(s.Storage.BackupEnabled).IsTrue();
        await Assert.That(s.Storage.BackupDir).IsEqualTo("/mnt/backups/thunderdb");
        await Assert.That(s.Cluster.ClusterName).IsEqualTo("thunderdb-prod");
        await Assert.That(s.Security.AuthenticationEnabled).IsTrue();
        await Assert.That(s.Security.TlsEnabled).IsTrue();
        await Assert.That(s.Security.TlsCertPath).IsEqualTo("/etc/thunderdb/tls/tls.crt");
        await Assert.That(s.Logging.Format).IsEqualTo(LogFormat.Json);
        await Assert.That(s.Logging.SlowQueryEnabled).IsTrue();
        await Assert.That(s.OriginOf("storage.page_size")).StartsWith(path + ":");
    }

    [Test]
    public async Task An_ipv4_mapped_listen_address_means_the_ipv4_address()
    {
        var fromFile = Load("listen_addr = \"::ffff:127.0.0.1\"\n");
        await Assert.That(fromFile.ListenAddress).IsEqualTo(System.Net.IPAddress.Loopback);
        await Assert.That(fromFile.ListenAddress.AddressFamily).IsEqualTo(System.Net.Sockets.AddressFamily.InterNetwork);
        var fromCli = Load("", new CommandLineOptions { Listen = "::FFFF:10.0.0.7" }, new Dictionary<string, string> { ["THUNDERDB_LISTEN_ADDR"] = "" });
        await Assert.That(fromCli.ListenAddress).IsEqualTo(System.Net.IPAddress.Parse("10.0.0.7"));
        await Assert.That(Load("listen_addr = \"::1\"\n").ListenAddress).IsEqualTo(System.Net.IPAddress.IPv6Loopback);
    }

    private const string Hash = "$2b$12$L3ypUdyohuWlWgp0H57OEer/fTlTGX2jsryb1YICJZK6GvuuZAT7G";

    [Test]
    public async Task Every_key_is_read()
    {
        var s = Load($$"""
            node_id = 7
            listen_addr = "10.1.2.3"
            pg_port = 15432
            mysql_port = 13306
            resp_port = 16379
            http_port = 18080
            grpc_port = 19090
            data_dir = "/srv/data"
            wal_dir = "/srv/wal"
            query_timeout = "1m30s"
            max_result_rows = 500
            max_connections_per_protocol = 64
            idle_timeout = "5m"

            [storage]
            buffer_pool_size = 4294967296
            wal_buffer_size = 1048576
            page_size = 4096
            checkpoint_interval = "1m"
            compaction_threads = 8
            direct_io = true
            io_backend = "io_uring"
            compression = false
            compression_algorithm = "Zstd"
            max_wal_size = 4294967296
            max_transaction_size = 268435456
            sync_commit = false
            disk_space_warn_percent = 20
            disk_space_critical_percent = 2.5
            disk_check_interval = "10s"
            backup_enabled = true
            backup_interval = "12h"
            backup_retention_count = 3
            backup_dir = "/srv/backups"

            [cluster]
            cluster_name = "c1"
            peers = ["node2:9090", "node3:9090"]
            replication_factor = 3
            raft_election_timeout = "2s"
            raft_heartbeat_interval = "250ms"
            max_region_size = 1000
            min_region_size = 10
            auto_balance = true

            [security]
            authentication_enabled = true
            allow_unauthenticated_network = true
            authentication_timeout = "30s"
            tls_enabled = true
            tls_cert_path = "/tls/c.crt"
            tls_key_path = "/tls/c.key"
            superuser = "root"
            superuser_password_hash = "{{Hash}}"
            admin_token_hash = "{{Hash}}"
            pg_auth_method = "md5"

            [logging]
            level = "trace"
            format = "json"
            file = "/var/log/t.log"
            slow_query_enabled = true
            slow_query_threshold = "250ms"
            otel_endpoint = "http://otel:4317"
            otel_service_name = "tdb"
            """);
        await Assert.That(s.NodeId).IsEqualTo(7);
        await Assert.That(s.ListenAddress).IsEqualTo(IPAddress.Parse("10.1.2.3"));
        await Assert.That(s.PgPort).IsEqualTo(15432);
        await Assert.That(s.MySqlPort).IsEqualTo(13306);
        await Assert.That(s.RespPort).IsEqualTo(16379);
        await Assert.That(s.HttpPort).IsEqualTo(18080);
        await Assert.That(s.GrpcPort).IsEqualTo(19090);
        await Assert.That(s.DataDir).IsEqualTo("/srv/data");
        await Assert.That(s.EffectiveWalDir).IsEqualTo("/srv/wal");
        await Assert.That(s.QueryTimeout).IsEqualTo(TimeSpan.FromSeconds(90));
        await Assert.That(s.MaxResultRows).IsEqualTo(500);
        await Assert.That(s.MaxConnectionsPerProtocol).IsEqualTo(64);
        await Assert.That(s.IdleTimeout).IsEqualTo(TimeSpan.FromMinutes(5));

        var o = s.ToStorageOptions();
        await Assert.That(o.DataDir).IsEqualTo("/srv/data");
        await Assert.That(o.WalDir).IsEqualTo("/srv/wal");
        await Assert.That(o.BufferPoolSize).IsEqualTo(4294967296L);
        await Assert.That(o.WalBufferSize).IsEqualTo(1048576L);
        await Assert.That(o.PageSize).IsEqualTo(4096);
        await Assert.That(o.CheckpointInterval).IsEqualTo(TimeSpan.FromMinutes(1));
        await Assert.That(o.CompactionThreads).IsEqualTo(8);
        await Assert.That(o.DirectIo).IsTrue();
        await Assert.That(o.IoBackend).IsEqualTo(IoBackendKind.IoUring);
        await Assert.That(o.Compression).IsFalse();
        await Assert.That(o.CompressionAlgorithm).IsEqualTo(CompressionAlgorithm.Zstd);
        await Assert.That(o.MaxWalSize).IsEqualTo(4294967296L);
        await Assert.That(o.MaxTransactionSize).IsEqualTo(268435456L);
        await Assert.That(o.SyncCommit).IsFalse();

        var st = s.Storage;
        await Assert.That(st.DiskSpaceWarnPercent).IsEqualTo(20.0);
        await Assert.That(st.DiskSpaceCriticalPercent).IsEqualTo(2.5);
        await Assert.That(st.DiskCheckInterval).IsEqualTo(TimeSpan.FromSeconds(10));
        await Assert.That(st.BackupEnabled).IsTrue();
        await Assert.That(st.BackupInterval).IsEqualTo(TimeSpan.FromHours(12));
        await Assert.That(st.BackupRetentionCount).IsEqualTo(3);
        await Assert.That(s.EffectiveBackupDir).IsEqualTo("/srv/backups");

        var c = s.Cluster;
        await Assert.That(c.ClusterName).IsEqualTo("c1");
        await Assert.That(string.Join(",", c.Peers)).IsEqualTo("node2:9090,node3:9090");
        await Assert.That(c.ReplicationFactor).IsEqualTo(3);
        await Assert.That(c.RaftElectionTimeout).IsEqualTo(TimeSpan.FromSeconds(2));
        await Assert.That(c.RaftHeartbeatInterval).IsEqualTo(TimeSpan.FromMilliseconds(250));
        await Assert.That(c.MaxRegionSize).IsEqualTo(1000);
        await Assert.That(c.MinRegionSize).IsEqualTo(10);
        await Assert.That(c.AutoBalance).IsTrue();

        var sec = s.Security;
        await Assert.That(sec.AuthenticationEnabled).IsTrue();
        await Assert.That(sec.AllowUnauthenticatedNetwork).IsTrue();
        await Assert.That(sec.AuthenticationTimeout).IsEqualTo(TimeSpan.FromSeconds(30));
        await Assert.That(sec.TlsEnabled).IsTrue();
        await Assert.That(sec.TlsCertPath).IsEqualTo("/tls/c.crt");
        await Assert.That(sec.TlsKeyPath).IsEqualTo("/tls/c.key");
        await Assert.That(sec.Superuser).IsEqualTo("root");
        await Assert.That(sec.SuperuserPasswordHash).IsEqualTo(Hash);
        await Assert.That(sec.AdminTokenHash).IsEqualTo(Hash);
        await Assert.That(sec.PgAuthMethod).IsEqualTo(ThunderDb.Net.Postgres.PgAuthMethod.Md5);

        var l = s.Logging;
        await Assert.That(l.Level).IsEqualTo(LogEventLevel.Verbose);
        await Assert.That(l.Format).IsEqualTo(LogFormat.Json);
        await Assert.That(l.File).IsEqualTo("/var/log/t.log");
        await Assert.That(l.SlowQueryEnabled).IsTrue();
        await Assert.That(l.SlowQueryThreshold).IsEqualTo(TimeSpan.FromMilliseconds(250));
        await Assert.That(l.OtelEndpoint).IsEqualTo("http://otel:4317");
        await Assert.That(l.OtelServiceName).IsEqualTo("tdb");

        // Every key of the table was exercised, and every one reports the line it came from.
        await Assert.That(s.Origins.Count).IsEqualTo(ConfigKeys.All.Count);
        await Assert.That(s.OriginOf("logging.otel_service_name")).IsEqualTo("/etc/thunderdb/test.toml:65");
    }

    [Test]
    [Arguments("auto", IoBackendKind.Auto)]
    [Arguments("posix", IoBackendKind.Posix)]
    [Arguments("io_uring", IoBackendKind.IoUring)]
    public async Task Io_backend_values(string text, IoBackendKind expected)
    {
        var s = Load($"[storage]\nio_backend = \"{text}\"\n");
        await Assert.That(s.Storage.IoBackend).IsEqualTo(expected);
        await Assert.That(s.ToStorageOptions().IoBackend).IsEqualTo(expected);
    }

    [Test]
    [Arguments("trace", LogEventLevel.Verbose)]
    [Arguments("debug", LogEventLevel.Debug)]
    [Arguments("info", LogEventLevel.Information)]
    [Arguments("warn", LogEventLevel.Warning)]
    [Arguments("error", LogEventLevel.Error)]
    public async Task Log_levels(string text, LogEventLevel expected)
    {
        var s = Load($"[logging]\nlevel = \"{text}\"\n");
        await Assert.That(s.Logging.Level).IsEqualTo(expected);
    }

    [Test]
    [Arguments(4096)]
    [Arguments(8192)]
    [Arguments(16384)]
    [Arguments(32768)]
    [Arguments(65536)]
    public async Task Valid_page_sizes(int size)
    {
        var s = Load($"[storage]\npage_size = {size}\n");
        await Assert.That(s.Storage.PageSize).IsEqualTo(size);
    }

    [Test]
    public async Task Dotted_keys_and_inline_tables_are_the_same_keys()
    {
        var s = Load("storage.page_size = 8192\nlogging = { level = \"warn\", format = \"json\" }\n");
        await Assert.That(s.Storage.PageSize).IsEqualTo(8192);
        await Assert.That(s.Logging.Level).IsEqualTo(LogEventLevel.Warning);
        await Assert.That(s.Logging.Format).IsEqualTo(LogFormat.Json);
    }

    [Test]
    [Arguments("bogus = 1\n", 1, "bogus", "unknown key")]
    [Arguments("page_size = 4096\n", 1, "page_size", "under [storage]")]
    [Arguments("[storage]\nbogus = 1\n", 2, "storage.bogus", "unknown key")]
    [Arguments("[nope]\nx = 1\n", 1, "[nope]", "unknown section")]
    [Arguments("[[storage]]\n", 1, "[[storage]]", "arrays of tables")]
    [Arguments("pg_port = \"5432\"\n", 1, "pg_port", "expected an integer, got the string \"5432\"")]
    [Arguments("pg_port = 70000\n", 1, "pg_port", "between 1 and 65535")]
    [Arguments("pg_port = 0\n", 1, "pg_port", "between 1 and 65535")]
    [Arguments("node_id = 0\n", 1, "node_id", "between 1")]
    [Arguments("data_dir = 5\n", 1, "data_dir", "expected a string")]
    [Arguments("data_dir = \"\"\n", 1, "data_dir", "must not be empty")]
    [Arguments("listen_addr = \"my-host\"\n", 1, "listen_addr", "expected an IP address")]
    [Arguments("query_timeout = 30\n", 1, "query_timeout", "expected a duration string")]
    [Arguments("query_timeout = \"30 seconds\"\n", 1, "query_timeout", "cannot parse duration '30 seconds'")]
    [Arguments("max_result_rows = -5\n", 1, "max_result_rows", "between 1")]
    [Arguments("\n[storage]\nbuffer_pool_size = -1\n", 3, "storage.buffer_pool_size", "must not be negative")]
    [Arguments("[storage]\nwal_buffer_size = -64\n", 2, "storage.wal_buffer_size", "must not be negative")]
    [Arguments("[storage]\nmax_wal_size = -1\n", 2, "storage.max_wal_size", "must not be negative")]
    [Arguments("[storage]\npage_size = 1000\n", 2, "storage.page_size", "power of two between 4096 and 65536")]
    [Arguments("[storage]\npage_size = 2048\n", 2, "storage.page_size", "power of two")]
    [Arguments("[storage]\npage_size = 131072\n", 2, "storage.page_size", "power of two")]
    [Arguments("[storage]\npage_size = 12288\n", 2, "storage.page_size", "power of two")]
    [Arguments("[storage]\npage_size = -16384\n", 2, "storage.page_size", "must not be negative")]
    [Arguments("[storage]\ncheckpoint_interval = \"5 min\"\n", 2, "storage.checkpoint_interval", "cannot parse duration")]
    [Arguments("[storage]\ncheckpoint_interval = \"0s\"\n", 2, "storage.checkpoint_interval", "greater than zero")]
    [Arguments("[storage]\ndirect_io = \"yes\"\n", 2, "storage.direct_io", "expected a boolean")]
    [Arguments("[storage]\nio_backend = \"aio\"\n", 2, "storage.io_backend", "\"auto\", \"io_uring\" or \"posix\"")]
    [Arguments("[storage]\ncompression_algorithm = \"gzip\"\n", 2, "storage.compression_algorithm", "\"Lz4\" or \"Zstd\"")]
    [Arguments("[storage]\ndisk_space_warn_percent = 120.0\n", 2, "storage.disk_space_warn_percent", "between 0 and 100")]
    [Arguments("[storage]\ndisk_space_critical_percent = 12.0\n", 2, "storage.disk_space_critical_percent", "must be below disk_space_warn_percent")]
    [Arguments("[storage]\ncompaction_threads = 0\n", 2, "storage.compaction_threads", "between 1")]
    [Arguments("[storage]\nbackup_retention_count = 0\n", 2, "storage.backup_retention_count", "between 1")]
    [Arguments("[storage]\nbuffer_pool_size = 4096\n", 2, "storage.buffer_pool_size", "at least 16 pages")]
    [Arguments("[cluster]\npeers = \"node2\"\n", 2, "cluster.peers", "expected an array of strings")]
    [Arguments("[cluster]\npeers = [\"node2\"]\n", 2, "cluster.peers", "not host:port")]
    [Arguments("[cluster]\nreplication_factor = 0\n", 2, "cluster.replication_factor", "between 1")]
    [Arguments("[cluster]\nmin_region_size = 999999999999\n", 2, "cluster.min_region_size", "must not exceed max_region_size")]
    [Arguments("[cluster]\nraft_heartbeat_interval = \"5s\"\n", 2, "cluster.raft_heartbeat_interval", "shorter than raft_election_timeout")]
    [Arguments("[security]\nsuperuser_password_hash = \"plaintext\"\n", 2, "security.superuser_password_hash", "bcrypt hash")]
    [Arguments("[security]\nadmin_token_hash = \"$2b$12$short\"\n", 2, "security.admin_token_hash", "bcrypt hash")]
    [Arguments("[security]\ntls_enabled = true\n", 2, "security.tls_enabled", "tls_cert_path and tls_key_path")]
    [Arguments("[logging]\nlevel = \"verbose\"\n", 2, "logging.level", "trace, debug, info, warn, error")]
    [Arguments("[logging]\nformat = \"xml\"\n", 2, "logging.format", "\"text\" or \"json\"")]
    [Arguments("[logging]\nslow_query_threshold = \"fast\"\n", 2, "logging.slow_query_threshold", "cannot parse duration")]
    [Arguments("http_port = 5432\n", 1, "http_port", "every protocol needs its own port")]
    [Arguments("pg_port = 1\npg_port = 2\n", 2, "syntax", "pg_port")]
    [Arguments("[storage]\n[storage]\n", 2, "syntax", "storage")]
    [Arguments("pg_port = \n", 1, "syntax", "")]
    [Arguments("[storage\n", 1, "syntax", "")]
    public async Task File_errors_name_file_line_and_key(string toml, int line, string key, string problem)
    {
        var e = LoadError(toml);
        await Assert.That(e.Origin).IsEqualTo($"/etc/thunderdb/test.toml:{line}");
        await Assert.That(e.Key).IsEqualTo(key);
        await Assert.That(e.Problem).Contains(problem);
        await Assert.That(e.Message).StartsWith($"/etc/thunderdb/test.toml:{line}: {key}: ");
    }

    [Test]
    public async Task Missing_config_file_names_the_flag()
    {
        var e = (ConfigException?)null;
        try
        {
            ConfigLoader.Load(NoCli with { ConfigPath = "/nonexistent/thunderdb.toml" }, NoEnv);
        }
        catch (ConfigException x)
        {
            e = x;
        }

        await Assert.That(e).IsNotNull();
        await Assert.That(e!.Message).IsEqualTo("--config: /nonexistent/thunderdb.toml: file not found");
    }

    [Test]
    public async Task Precedence_is_defaults_then_file_then_cli_then_environment()
    {
        const string toml = "data_dir = \"/file/data\"\nlisten_addr = \"10.0.0.1\"\n[logging]\nlevel = \"warn\"\n";
        var fileOnly = Load(toml);
        await Assert.That(fileOnly.DataDir).IsEqualTo("/file/data");
        await Assert.That(fileOnly.Logging.Level).IsEqualTo(LogEventLevel.Warning);

        var cli = NoCli with { DataDir = "/cli/data", Listen = "10.0.0.2", Verbose = true };
        var withCli = Load(toml, cli);
        await Assert.That(withCli.DataDir).IsEqualTo("/cli/data");
        await Assert.That(withCli.ListenAddress).IsEqualTo(IPAddress.Parse("10.0.0.2"));
        await Assert.That(withCli.Logging.Level).IsEqualTo(LogEventLevel.Debug);
        await Assert.That(withCli.OriginOf("data_dir")).IsEqualTo("--data-dir");

        var env = new Dictionary<string, string>
        {
            ["THUNDERDB_DATA_DIR"] = "/env/data",
            ["THUNDERDB_LISTEN_ADDR"] = "10.0.0.3",
            ["THUNDERDB_LOG_LEVEL"] = "error",
        };
        var withEnv = Load(toml, cli, env);
        await Assert.That(withEnv.DataDir).IsEqualTo("/env/data");
        await Assert.That(withEnv.ListenAddress).IsEqualTo(IPAddress.Parse("10.0.0.3"));
        await Assert.That(withEnv.Logging.Level).IsEqualTo(LogEventLevel.Error);
        await Assert.That(withEnv.OriginOf("data_dir")).IsEqualTo("environment variable THUNDERDB_DATA_DIR");

        // An empty variable counts as unset.
        var emptyEnv = Load(toml, cli, new Dictionary<string, string> { ["THUNDERDB_DATA_DIR"] = "" });
        await Assert.That(emptyEnv.DataDir).IsEqualTo("/cli/data");
    }

    [Test]
    public async Task Every_environment_variable_of_the_runbook_table()
    {
        var env = new Dictionary<string, string>
        {
            ["THUNDERDB_LISTEN_ADDR"] = "0.0.0.0",
            ["THUNDERDB_HTTP_PORT"] = "18080",
            ["THUNDERDB_PG_PORT"] = "15432",
            ["THUNDERDB_MYSQL_PORT"] = "13306",
            ["THUNDERDB_RESP_PORT"] = "16379",
            ["THUNDERDB_GRPC_PORT"] = "19090",
            ["THUNDERDB_DATA_DIR"] = "/env/data",
            ["THUNDERDB_WAL_DIR"] = "/env/wal",
            ["THUNDERDB_LOG_LEVEL"] = "debug",
            ["THUNDERDB_TLS_ENABLED"] = "true",
            ["THUNDERDB_TLS_CERT"] = "/env/tls.crt",
            ["THUNDERDB_TLS_KEY"] = "/env/tls.key",
            ["THUNDERDB_SUPERUSER_PASSWORD_HASH"] = Hash,
            ["THUNDERDB_AUTH_ENABLED"] = "true",
            ["THUNDERDB_ADMIN_TOKEN_HASH"] = Hash,
        };
        var s = Load("", env: env);
        await Assert.That(s.ListenAddress).IsEqualTo(IPAddress.Any);
        await Assert.That(s.HttpPort).IsEqualTo(18080);
        await Assert.That(s.PgPort).IsEqualTo(15432);
        await Assert.That(s.MySqlPort).IsEqualTo(13306);
        await Assert.That(s.RespPort).IsEqualTo(16379);
        await Assert.That(s.GrpcPort).IsEqualTo(19090);
        await Assert.That(s.DataDir).IsEqualTo("/env/data");
        await Assert.That(s.WalDir).IsEqualTo("/env/wal");
        await Assert.That(s.Logging.Level).IsEqualTo(LogEventLevel.Debug);
        await Assert.That(s.Security.TlsEnabled).IsTrue();
        await Assert.That(s.Security.TlsCertPath).IsEqualTo("/env/tls.crt");
        await Assert.That(s.Security.TlsKeyPath).IsEqualTo("/env/tls.key");
        await Assert.That(s.Security.SuperuserPasswordHash).IsEqualTo(Hash);
        await Assert.That(s.Security.AuthenticationEnabled).IsTrue();
        await Assert.That(s.Security.AdminTokenHash).IsEqualTo(Hash);
    }

    [Test]
    [Arguments("THUNDERDB_PG_PORT", "abc", "pg_port", "expected an integer")]
    [Arguments("THUNDERDB_HTTP_PORT", "99999", "http_port", "between 1 and 65535")]
    [Arguments("THUNDERDB_AUTH_ENABLED", "maybe", "security.authentication_enabled", "expected true or false")]
    [Arguments("THUNDERDB_LOG_LEVEL", "loud", "logging.level", "expected one of")]
    [Arguments("THUNDERDB_LISTEN_ADDR", "not-an-ip", "listen_addr", "expected an IP address")]
    [Arguments("THUNDERDB_SUPERUSER_PASSWORD_HASH", "secret", "security.superuser_password_hash", "bcrypt hash")]
    public async Task Environment_errors_name_the_variable(string variable, string value, string key, string problem)
    {
        var e = LoadError("", env: new Dictionary<string, string> { [variable] = value });
        await Assert.That(e.Origin).IsEqualTo($"environment variable {variable}");
        await Assert.That(e.Key).IsEqualTo(key);
        await Assert.That(e.Problem).Contains(problem);
    }

    [Test]
    public async Task Cli_errors_name_the_flag()
    {
        var e = LoadError("", NoCli with { Listen = "everywhere" });
        await Assert.That(e.Message).StartsWith("--listen: listen_addr: expected an IP address");
    }

    [Test]
    public async Task Describe_covers_every_key_and_redacts_secrets()
    {
        var s = Load($"[security]\nsuperuser_password_hash = \"{Hash}\"\n");
        var d = s.Describe();
        foreach (var key in ConfigKeys.All.Keys)
        {
            await Assert.That(d.ContainsKey(key)).IsTrue().Because(key);
        }

        await Assert.That(d["security.superuser_password_hash"]).IsEqualTo("<set>");
    }

    [Test]
    public async Task Pg_auth_method_defaults_to_scram_and_takes_md5_or_password_from_the_file_or_the_environment()
    {
        await Assert.That(Load("").Security.PgAuthMethod).IsEqualTo(ThunderDb.Net.Postgres.PgAuthMethod.ScramSha256);
        await Assert.That(Load("[security]\npg_auth_method = \"md5\"\n").Security.PgAuthMethod).IsEqualTo(ThunderDb.Net.Postgres.PgAuthMethod.Md5);
        var env = Load("[security]\npg_auth_method = \"md5\"\n", env: new Dictionary<string, string> { ["THUNDERDB_PG_AUTH_METHOD"] = "password" });
        await Assert.That(env.Security.PgAuthMethod).IsEqualTo(ThunderDb.Net.Postgres.PgAuthMethod.Password);
        await Assert.That(env.Describe()["security.pg_auth_method"]).IsEqualTo("password");
        var e = LoadError("", env: new Dictionary<string, string> { ["THUNDERDB_PG_AUTH_METHOD"] = "trust" });
        await Assert.That(e.Key).IsEqualTo("security.pg_auth_method");
        await Assert.That(e.Problem).Contains("expected \"scram-sha-256\", \"md5\" or \"password\"");
    }
}

using System.Globalization;
using System.Text;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>INFO: the sections redis-cli and client libraries read, from the server's counters and the keyspace.</summary>
internal sealed partial class RespSession
{
    private void Info()
    {
        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < _argc; i++)
        {
            sections.Add(ArgString(i));
        }

        bool all = sections.Count == 0 || sections.Contains("all") || sections.Contains("everything") || sections.Contains("default");
        bool Want(string s) => all || sections.Contains(s);
        var text = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        if (Want("server"))
        {
            TimeSpan up = DateTimeOffset.UtcNow - _server.StartedAt;
            text.Append("# Server\r\n")
                .Append("redis_version:").Append(ReportedRedisVersion).Append("\r\n")
                .Append("thunderdb_version:").Append(typeof(RespServer).Assembly.GetName().Version).Append("\r\n")
                .Append("redis_mode:standalone\r\n")
                .Append("os:").Append(Environment.OSVersion.VersionString).Append("\r\n")
                .Append("arch_bits:64\r\n")
                .Append("process_id:").Append(Environment.ProcessId.ToString(c)).Append("\r\n")
                .Append("tcp_port:").Append(_server.LocalEndPoint?.Port.ToString(c) ?? "0").Append("\r\n")
                .Append("uptime_in_seconds:").Append(((long)up.TotalSeconds).ToString(c)).Append("\r\n")
                .Append("uptime_in_days:").Append(((long)up.TotalDays).ToString(c)).Append("\r\n")
                .Append("\r\n");
        }

        if (Want("clients"))
        {
            text.Append("# Clients\r\n")
                .Append("connected_clients:").Append(_server.Registry.CountOf(RespServer.ProtocolName).ToString(c)).Append("\r\n")
                .Append("maxclients:").Append(_server.Options.MaxConnections.ToString(c)).Append("\r\n")
                .Append("blocked_clients:").Append(_server.Signals.HasBlockedClients ? "1" : "0").Append("\r\n")
                .Append("\r\n");
        }

        if (Want("memory"))
        {
            long managed = GC.GetTotalMemory(false);
            long ws = Environment.WorkingSet;
            text.Append("# Memory\r\n")
                .Append("used_memory:").Append(managed.ToString(c)).Append("\r\n")
                .Append("used_memory_human:").Append((managed / (1024.0 * 1024)).ToString("0.00", c)).Append("M\r\n")
                .Append("used_memory_rss:").Append(ws.ToString(c)).Append("\r\n")
                .Append("maxmemory:0\r\n")
                .Append("maxmemory_policy:noeviction\r\n")
                .Append("\r\n");
        }

        if (Want("persistence"))
        {
            text.Append("# Persistence\r\n")
                .Append("loading:0\r\n")
                .Append("rdb_bgsave_in_progress:0\r\n")
                .Append("aof_enabled:1\r\n")
                .Append("aof_rewrite_in_progress:0\r\n")
                .Append("thunderdb_wal:1\r\n")
                .Append("thunderdb_sync_commit:").Append(_server.Options.SyncCommit ? "1" : "0").Append("\r\n")
                .Append("thunderdb_storage_read_only:").Append(_server.Database.IsReadOnly ? "1" : "0").Append("\r\n")
                .Append("\r\n");
        }

        if (Want("stats"))
        {
            text.Append("# Stats\r\n")
                .Append("total_connections_received:").Append(Interlocked.Read(ref _server.TotalConnections).ToString(c)).Append("\r\n")
                .Append("total_commands_processed:").Append(Interlocked.Read(ref _server.TotalCommands).ToString(c)).Append("\r\n")
                .Append("rejected_connections:").Append(Interlocked.Read(ref _server.RejectedConnections).ToString(c)).Append("\r\n")
                .Append("expired_keys:").Append(Interlocked.Read(ref _server.ExpiredKeys).ToString(c)).Append("\r\n")
                .Append("pubsub_channels:").Append(_server.PubSub.Channels(default, true).Count.ToString(c)).Append("\r\n")
                .Append("pubsub_patterns:").Append(_server.PubSub.PatternCount().ToString(c)).Append("\r\n")
                .Append("\r\n");
        }

        if (Want("replication"))
        {
            text.Append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\r\n");
        }

        if (Want("keyspace"))
        {
            text.Append("# Keyspace\r\n");
            using IKvTransaction txn = _server.Database.Begin();
            var keyspace = new RedisKeyspace();
            keyspace.Attach(txn, 0, NowMs());
            for (int db = 0; db < RedisKeyCodec.DatabaseCount; db++)
            {
                keyspace.Db = db;
                (long keys, long expires) = RedisKeys.Count(keyspace);
                if (keys > 0)
                {
                    text.Append("db").Append(db.ToString(c)).Append(":keys=").Append(keys.ToString(c)).Append(",expires=")
                        .Append(expires.ToString(c)).Append(",avg_ttl=0\r\n");
                }
            }

            keyspace.Detach();
            text.Append("\r\n");
        }

        _out.WriteBulk(text.ToString());
    }
}

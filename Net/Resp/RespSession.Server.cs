using System.Globalization;
using System.Text;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>Connection and server commands: they run outside a storage transaction.</summary>
internal sealed partial class RespSession
{
    internal const string ReportedRedisVersion = "7.0.0";
    private string? _libName;
    private string? _libVersion;

    private void ExecuteSessionCommand(RespCommandInfo command)
    {
        switch (command.Id)
        {
            case CommandId.Ping:
                Ping();
                break;
            case CommandId.Echo:
                _out.WriteBulk(Arg(1));
                break;
            case CommandId.Quit:
                _out.WriteOk();
                _closing = true;
                break;
            case CommandId.Select:
                {
                    long db = RedisNumbers.ParseLong(Arg(1), out long v) ? v : throw Error(RedisErrors.NotInteger);
                    if (db is < 0 or >= RedisKeyCodec.DatabaseCount)
                    {
                        throw Error(RedisErrors.DbIndex);
                    }

                    _db = (int)db;
                    _out.WriteOk();
                    break;
                }

            case CommandId.Info:
                Info();
                break;
            case CommandId.Config:
                Config();
                break;
            case CommandId.Client:
                Client();
                break;
            case CommandId.Command:
                Command();
                break;
            case CommandId.Time:
                {
                    long micros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 + (DateTime.UtcNow.Ticks / 10 % 1000);
                    _out.WriteArrayHeader(2);
                    _out.WriteBulk(micros / 1_000_000);
                    _out.WriteBulk(micros % 1_000_000);
                    break;
                }

            case CommandId.Reset:
                _multi = null;
                ClearWatches();
                LeaveAllSubscriptions();
                _db = 0;
                _out.Protocol = 2;
                _connection.Name = null;
                if (_server.Options.AuthEnabled)
                {
                    _authenticated = false;
                    _connection.User = null;
                    _connection.AuthenticationStartedTicks = Environment.TickCount64;
                }

                _out.WriteSimple("RESET"u8);
                break;
            case CommandId.Role:
                _out.WriteArrayHeader(3);
                _out.WriteBulk("master"u8);
                _out.WriteInteger(0);
                _out.WriteArrayHeader(0);
                break;
            case CommandId.Multi:
                if (_multi is not null)
                {
                    throw Error("ERR MULTI calls can not be nested");
                }

                _multi = [];
                _multiDirty = false;
                _out.WriteOk();
                break;
            case CommandId.Discard:
                if (_multi is null)
                {
                    throw Error("ERR DISCARD without MULTI");
                }

                _multi = null;
                ClearWatches();
                _out.WriteOk();
                break;
            case CommandId.Watch:
                Watch();
                break;
            case CommandId.Unwatch:
                ClearWatches();
                _out.WriteOk();
                break;
            case CommandId.Subscribe:
            case CommandId.PSubscribe:
                Subscribe(command.Id == CommandId.PSubscribe);
                break;
            case CommandId.Unsubscribe:
            case CommandId.PUnsubscribe:
                Unsubscribe(command.Id == CommandId.PUnsubscribe);
                break;
            case CommandId.Publish:
                _out.WriteInteger(_server.PubSub.Publish(Arg(1), Arg(2)));
                break;
            case CommandId.PubSubCmd:
                PubSubCommand();
                break;
            case CommandId.Script:
                ScriptCommand();
                break;
            case CommandId.Function:
                FunctionCommand();
                break;
            default:
                throw Error($"ERR '{command.Name}' is not supported");
        }
    }

    private void Ping()
    {
        if (_out.Protocol == 2 && SubscriptionCount > 0)
        {
            _out.WriteArrayHeader(2);
            _out.WriteBulk("pong"u8);
            _out.WriteBulk(_argc > 1 ? Arg(1) : default);
            return;
        }

        if (_argc > 2)
        {
            throw Error("ERR wrong number of arguments for 'ping' command");
        }

        if (_argc == 2)
        {
            _out.WriteBulk(Arg(1));
        }
        else
        {
            _out.WriteRaw("+PONG\r\n"u8);
        }
    }

    // ---- INFO -------------------------------------------------------------------------------------

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

    // ---- CONFIG -----------------------------------------------------------------------------------

    private void Config()
    {
        if (ArgIs(1, "GET"u8) && _argc >= 3)
        {
            var pairs = new List<(string, string)>();
            foreach ((string name, string value) in ConfigValues().Concat(_server.Tuning.Snapshot()))
            {
                for (int i = 2; i < _argc; i++)
                {
                    if (GlobPattern.IsMatch(Arg(i), Encoding.ASCII.GetBytes(name), ignoreCase: true))
                    {
                        pairs.Add((name, value));
                        break;
                    }
                }
            }

            _out.WriteMapHeader(pairs.Count);
            foreach ((string name, string value) in pairs)
            {
                _out.WriteBulk(name);
                _out.WriteBulk(value);
            }
        }
        else if (ArgIs(1, "SET"u8) && _argc >= 4 && _argc % 2 == 0)
        {
            var tuning = new List<(string, string)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 2; i < _argc; i += 2)
            {
                // Redis 7.0 treats an alias as its own parameter here: only the same name twice is a duplicate.
                if (!seen.Add(ArgString(i).ToLowerInvariant()))
                {
                    throw Error($"ERR CONFIG SET failed (possibly related to argument '{ArgString(i)}') - duplicate parameter");
                }
            }

            for (int i = 2; i < _argc; i += 2)
            {
                if (RedisTuningConfig.Canonical(ArgString(i)) is { } tuned)
                {
                    if (!RedisTuningConfig.TryNormalize(tuned, ArgString(i + 1), out string normalized, out string why))
                    {
                        throw Error($"ERR CONFIG SET failed (possibly related to argument '{ArgString(i)}') - {why}");
                    }

                    tuning.Add((tuned, normalized));
                    continue;
                }

                if (ArgIs(i, "client-output-buffer-limit"u8))
                {
                    if (!_server.Options.OutputLimits.TryApply(ArgString(i + 1), out string? why))
                    {
                        throw Error($"ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - {why}");
                    }

                    continue;
                }

                if (ArgIs(i, "timeout"u8))
                {
                    if (!RedisNumbers.ParseLong(Arg(i + 1), out long seconds) || seconds < 0 || seconds > int.MaxValue)
                    {
                        throw Error("ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer");
                    }

                    _server.Options.IdleTimeout = TimeSpan.FromSeconds(seconds);
                    continue;
                }

                if (!ArgIs(i, "maxclients"u8))
                {
                    throw Error($"ERR CONFIG SET '{ArgString(i)}' is not supported by ThunderDB (settings live in thunderdb.toml)");
                }

                if (!RedisNumbers.ParseLong(Arg(i + 1), out long max) || max < 1 || max > int.MaxValue)
                {
                    throw Error($"ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer");
                }

                _server.Options.MaxConnections = (int)max;
            }

            _server.Tuning.Apply(tuning);
            _out.WriteOk();
        }
        else if (ArgIs(1, "RESETSTAT"u8) && _argc == 2)
        {
            Interlocked.Exchange(ref _server.TotalCommands, 0);
            Interlocked.Exchange(ref _server.RejectedConnections, 0);
            Interlocked.Exchange(ref _server.ExpiredKeys, 0);
            _out.WriteOk();
        }
        else if (ArgIs(1, "SET"u8) && _argc >= 4)
        {
            throw Error(RedisErrors.Syntax);
        }
        else if (ArgIs(1, "REWRITE"u8) && _argc == 2)
        {
            throw Error("ERR CONFIG REWRITE is not supported by ThunderDB: settings live in thunderdb.toml (edit it and send SIGHUP)");
        }
        else if (ArgIs(1, "GET"u8) || ArgIs(1, "SET"u8))
        {
            throw Error($"ERR wrong number of arguments for 'config|{ArgString(1).ToLowerInvariant()}' command");
        }
        else
        {
            throw Error($"ERR unknown subcommand '{ArgString(1)}'. Try CONFIG HELP.");
        }
    }

    /// <summary>
    /// The parameters CONFIG GET reports. Persistence is always on through the WAL, so <c>appendonly</c> says yes and
    /// <c>save</c> is empty (no RDB snapshots): that is how redis-benchmark and clients learn the durability mode.
    /// </summary>
    private IEnumerable<(string Name, string Value)> ConfigValues()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        yield return ("databases", RedisKeyCodec.DatabaseCount.ToString(c));
        yield return ("maxclients", _server.Options.MaxConnections.ToString(c));
        yield return ("port", (_server.LocalEndPoint?.Port ?? 0).ToString(c));
        yield return ("bind", _server.LocalEndPoint?.Address.ToString() ?? "");
        yield return ("timeout", ((long)_server.Options.IdleTimeout.TotalSeconds).ToString(c));
        yield return ("proto-max-bulk-len", _server.Options.MaxValueBytes.ToString(c));
        yield return ("client-query-buffer-limit", _server.Options.MaxQueryBufferBytes.ToString(c));
        yield return ("client-output-buffer-limit", _server.Options.OutputLimits.Format());
        yield return ("requirepass", "");
        yield return ("protected-mode", "no");
        yield return ("cluster-enabled", "no");
    }

    // ---- CLIENT -----------------------------------------------------------------------------------

    private void Client()
    {
        if (ArgIs(1, "ID"u8) && _argc == 2)
        {
            _out.WriteInteger(_connection.Id);
        }
        else if (ArgIs(1, "SETNAME"u8) && _argc == 3)
        {
            ReadOnlySpan<byte> name = Arg(2);
            foreach (byte b in name)
            {
                if (b is <= (byte)' ' or > (byte)'~')
                {
                    throw Error("ERR Client names cannot contain spaces, newlines or special characters.");
                }
            }

            _connection.Name = name.IsEmpty ? null : Encoding.ASCII.GetString(name);
            _out.WriteOk();
        }
        else if (ArgIs(1, "GETNAME"u8) && _argc == 2)
        {
            if (_connection.Name is null)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteBulk(_connection.Name);
            }
        }
        else if (ArgIs(1, "SETINFO"u8) && _argc == 4)
        {
            if (ArgIs(2, "LIB-NAME"u8))
            {
                _libName = ArgString(3);
            }
            else if (ArgIs(2, "LIB-VER"u8))
            {
                _libVersion = ArgString(3);
            }
            else
            {
                throw Error($"ERR Unrecognized option '{ArgString(2)}'");
            }

            _out.WriteOk();
        }
        else if (ArgIs(1, "LIST"u8))
        {
            var text = new StringBuilder();
            foreach (ClientConnection c in _server.Registry.Snapshot())
            {
                AppendClientLine(text, c);
            }

            _out.WriteBulk(text.ToString());
        }
        else if (ArgIs(1, "INFO"u8) && _argc == 2)
        {
            var text = new StringBuilder();
            AppendClientLine(text, _connection);
            _out.WriteBulk(text.ToString());
        }
        else if (ArgIs(1, "KILL"u8) && _argc >= 3)
        {
            ClientKill();
        }
        else
        {
            throw SubcommandError("CLIENT", ["ID", "SETNAME", "GETNAME", "SETINFO", "LIST", "INFO", "KILL"]);
        }
    }

    /// <summary>
    /// Redis 7's error for a container command: a known subcommand with the wrong arguments names it
    /// (<c>'client|setname'</c>), anything else is an unknown subcommand.
    /// </summary>
    private RespErrorException SubcommandError(string container, string[] known)
    {
        foreach (string name in known)
        {
            if (Ascii.EqualsIgnoreCase(Arg(1), Encoding.ASCII.GetBytes(name)))
            {
                return Error($"ERR wrong number of arguments for '{container.ToLowerInvariant()}|{name.ToLowerInvariant()}' command");
            }
        }

        return Error($"ERR unknown subcommand '{Printable(Arg(1))}'. Try {container} HELP.");
    }

    private void AppendClientLine(StringBuilder text, ClientConnection c)
    {
        CultureInfo ci = CultureInfo.InvariantCulture;
        long age = (long)(DateTimeOffset.UtcNow - c.StartedAt).TotalSeconds;
        long idle = (Environment.TickCount64 - c.LastActivityTicks) / 1000;
        text.Append("id=").Append(c.Id.ToString(ci))
            .Append(" addr=").Append(c.Remote)
            .Append(" laddr=").Append(c.Local)
            .Append(" name=").Append(c.Name)
            .Append(" age=").Append(age.ToString(ci))
            .Append(" idle=").Append(idle.ToString(ci))
            .Append(" flags=N")
            .Append(" db=").Append(ReferenceEquals(c, _connection) ? _db.ToString(ci) : "0")
            .Append(" cmd=").Append(c.CurrentCommand?.ToLowerInvariant() ?? "NULL")
            .Append(" user=").Append(c.User ?? "(none)")
            .Append(" protocol=").Append(c.Protocol);
        if (ReferenceEquals(c, _connection))
        {
            text.Append(" lib-name=").Append(_libName).Append(" lib-ver=").Append(_libVersion).Append(" resp=").Append(_out.Protocol.ToString(ci));
        }

        text.Append('\n');
    }

    private void ClientKill()
    {
        if (_argc == 3)
        {
            string addr = ArgString(2);
            int n = _server.Registry.Kill(c => c.Remote == addr);
            if (n == 0)
            {
                throw Error("ERR No such client");
            }

            _out.WriteOk();
            return;
        }

        long? id = null;
        string? address = null, laddr = null, user = null;
        bool skipMe = true;
        for (int i = 2; i + 1 < _argc; i += 2)
        {
            if (ArgIs(i, "ID"u8))
            {
                id = ArgLong(i + 1);
            }
            else if (ArgIs(i, "ADDR"u8))
            {
                address = ArgString(i + 1);
            }
            else if (ArgIs(i, "LADDR"u8))
            {
                laddr = ArgString(i + 1);
            }
            else if (ArgIs(i, "USER"u8))
            {
                user = ArgString(i + 1);
            }
            else if (ArgIs(i, "SKIPME"u8))
            {
                skipMe = !ArgIs(i + 1, "no"u8);
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        if (_argc % 2 != 0)
        {
            throw Error(RedisErrors.Syntax);
        }

        int killed = _server.Registry.Kill(c =>
            (id is null || c.Id == id) && (address is null || c.Remote == address) && (laddr is null || c.Local == laddr) &&
            (user is null || c.User == user) && !(skipMe && c.Id == _connection.Id));
        _out.WriteInteger(killed);
    }

    // ---- COMMAND ----------------------------------------------------------------------------------

    private void Command()
    {
        if (_argc == 1)
        {
            _out.WriteArrayHeader(RespCommandTable.All.Length);
            foreach (RespCommandInfo info in RespCommandTable.All)
            {
                WriteCommandInfo(info);
            }
        }
        else if (ArgIs(1, "COUNT"u8) && _argc == 2)
        {
            _out.WriteInteger(RespCommandTable.All.Length);
        }
        else if (ArgIs(1, "INFO"u8))
        {
            if (_argc == 2)
            {
                _out.WriteArrayHeader(RespCommandTable.All.Length);
                foreach (RespCommandInfo info in RespCommandTable.All)
                {
                    WriteCommandInfo(info);
                }

                return;
            }

            _out.WriteArrayHeader(_argc - 2);
            for (int i = 2; i < _argc; i++)
            {
                RespCommandInfo? info = RespCommandTable.Find(Arg(i));
                if (info is null)
                {
                    _out.WriteNullArray();
                }
                else
                {
                    WriteCommandInfo(info);
                }
            }
        }
        else if (ArgIs(1, "DOCS"u8))
        {
            var infos = new List<RespCommandInfo>();
            if (_argc == 2)
            {
                infos.AddRange(RespCommandTable.All);
            }
            else
            {
                for (int i = 2; i < _argc; i++)
                {
                    if (RespCommandTable.Find(Arg(i)) is { } info)
                    {
                        infos.Add(info);
                    }
                }
            }

            _out.WriteMapHeader(infos.Count);
            foreach (RespCommandInfo info in infos)
            {
                _out.WriteBulk(info.LowerName);
                _out.WriteMapHeader(3);
                _out.WriteBulk("summary"u8);
                _out.WriteBulk(info.Summary);
                _out.WriteBulk("since"u8);
                _out.WriteBulk("1.0.0"u8);
                _out.WriteBulk("group"u8);
                _out.WriteBulk(GroupName(info.Group));
            }
        }
        else
        {
            throw SubcommandError("COMMAND", ["COUNT"]);
        }
    }

    private static string GroupName(CommandGroup group) => group switch
    {
        CommandGroup.SortedSet => "sorted-set",
        CommandGroup.PubSub => "pubsub",
        CommandGroup.Scripting => "scripting",
        _ => group.ToString().ToLowerInvariant(),
    };

    private void WriteCommandInfo(RespCommandInfo info)
    {
        _out.WriteArrayHeader(10);
        _out.WriteBulk(info.LowerName);
        _out.WriteInteger(info.Arity);
        var flags = new List<string>();
        if (info.Has(CommandFlags.Write))
        {
            flags.Add("write");
        }

        if (info.Has(CommandFlags.ReadOnly))
        {
            flags.Add("readonly");
        }

        if (info.Has(CommandFlags.Fast))
        {
            flags.Add("fast");
        }

        if (info.Has(CommandFlags.Admin))
        {
            flags.Add("admin");
        }

        if (info.Has(CommandFlags.PubSub))
        {
            flags.Add("pubsub");
        }

        if (info.Has(CommandFlags.NoAuth))
        {
            flags.Add("no_auth");
        }

        if (info.Has(CommandFlags.Blocking))
        {
            flags.Add("blocking");
        }

        if (info.Has(CommandFlags.MovableKeys))
        {
            flags.Add("movablekeys");
        }

        _out.WriteSetHeader(flags.Count);
        foreach (string f in flags)
        {
            _out.WriteSimple(f);
        }

        _out.WriteInteger(info.FirstKey);
        _out.WriteInteger(info.LastKey);
        _out.WriteInteger(info.Step);
        _out.WriteSetHeader(1);
        _out.WriteSimple("@" + GroupName(info.Group));
        _out.WriteArrayHeader(0);
        _out.WriteArrayHeader(0);
        _out.WriteArrayHeader(0);
    }
}

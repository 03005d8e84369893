using Tomlyn.Parsing;
using Tomlyn.Syntax;
using ThunderDb.Host.Cli;

namespace ThunderDb.Host.Configuration;

/// <summary>
/// Builds <see cref="ServerSettings"/> as defaults &lt; TOML file &lt; CLI flags &lt; environment variables.
/// Pure: reads the config file and nothing else; filesystem and policy checks are <see cref="StartupChecks"/>.
/// Every failure is a <see cref="ConfigException"/> naming the file and line, the flag or the variable.
/// </summary>
public static class ConfigLoader
{
    public static ServerSettings Load(CommandLineOptions cli, IReadOnlyDictionary<string, string> environment)
    {
        string? text = null;
        if (cli.ConfigPath is not null)
        {
            try
            {
                text = File.ReadAllText(cli.ConfigPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var problem = e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message;
                throw new ConfigException("--config", cli.ConfigPath, problem);
            }
        }

        return Load(text, cli.ConfigPath, cli, environment);
    }

    /// <summary>Loads from TOML text (null = no file). <paramref name="path"/> names the file in messages.</summary>
    public static ServerSettings Load(string? tomlText, string? path, CommandLineOptions cli, IReadOnlyDictionary<string, string> environment)
    {
        var settings = new ServerSettings { ConfigPath = path is null ? null : Path.GetFullPath(path) };
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);

        if (tomlText is not null)
        {
            settings = ApplyToml(settings, tomlText, path ?? "config", origins);
        }

        if (cli.DataDir is not null)
        {
            settings = Set(settings, ConfigValue.FromText("data_dir", "--data-dir", cli.DataDir), origins);
        }

        if (cli.Listen is not null)
        {
            settings = Set(settings, ConfigValue.FromText("listen_addr", "--listen", cli.Listen), origins);
        }

        if (cli.Verbose)
        {
            settings = Set(settings, ConfigValue.FromText("logging.level", "--verbose", "debug"), origins);
        }

        foreach (var (variable, key) in ConfigKeys.EnvironmentVariables)
        {
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value))
            {
                settings = Set(settings, ConfigValue.FromText(key, $"environment variable {variable}", value), origins);
            }
        }

        Validate(settings, origins);
        return settings with { Origins = origins };
    }

    private static ServerSettings Set(ServerSettings settings, ConfigValue value, Dictionary<string, string> origins)
    {
        settings = ConfigKeys.All[value.Key](settings, value);
        origins[value.Key] = value.Origin;
        return settings;
    }

    private static ServerSettings ApplyToml(ServerSettings settings, string text, string path, Dictionary<string, string> origins)
    {
        var doc = SyntaxParser.Parse(text, path);
        foreach (var diagnostic in doc.Diagnostics)
        {
            if (diagnostic.Kind == DiagnosticMessageKind.Error)
            {
                throw new ConfigException(Where(path, diagnostic.Span), "syntax", diagnostic.Message);
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kv in doc.KeyValues)
        {
            settings = ApplyKeyValue(settings, kv, "", path, seen, origins);
        }

        foreach (var table in doc.Tables)
        {
            var name = table.Name is null ? "" : KeyPath(table.Name);
            var origin = Where(path, table.Span);
            if (table is TableArraySyntax)
            {
                throw new ConfigException(origin, $"[[{name}]]", "arrays of tables are not used by ThunderDB");
            }

            if (!ConfigKeys.Sections.Contains(name))
            {
                throw new ConfigException(origin, $"[{name}]", "unknown section (expected [storage], [cluster], [security] or [logging])");
            }

            if (!seen.Add("[" + name + "]"))
            {
                throw new ConfigException(origin, $"[{name}]", "section defined twice");
            }

            foreach (var item in table.Items)
            {
                if (item is KeyValueSyntax kv)
                {
                    settings = ApplyKeyValue(settings, kv, name + ".", path, seen, origins);
                }
            }
        }

        return settings;
    }

    private static ServerSettings ApplyKeyValue(ServerSettings settings, KeyValueSyntax kv, string prefix, string path, HashSet<string> seen, Dictionary<string, string> origins)
    {
        var origin = Where(path, kv.Span);
        var key = prefix + (kv.Key is null ? "" : KeyPath(kv.Key));
        if (kv.Value is InlineTableSyntax inline)
        {
            if (prefix.Length != 0 || !ConfigKeys.Sections.Contains(key))
            {
                throw new ConfigException(origin, key, prefix.Length == 0 ? "unknown section" : "unknown key");
            }

            foreach (var item in inline.Items)
            {
                if (item.KeyValue is { } inner)
                {
                    settings = ApplyKeyValue(settings, inner, key + ".", path, seen, origins);
                }
            }

            return settings;
        }

        if (!ConfigKeys.All.TryGetValue(key, out var apply))
        {
            var hint = ConfigKeys.Sections.Contains(key) ? " (it is a section: write [" + key + "])" : SuggestSection(key);
            throw new ConfigException(origin, key, "unknown key" + hint);
        }

        if (!seen.Add(key))
        {
            throw new ConfigException(origin, key, "key defined twice");
        }

        origins[key] = origin;
        return apply(settings, new ConfigValue(key, origin, kv.Value, null));
    }

    /// <summary>A top-level key that belongs to a section, e.g. <c>page_size</c> outside <c>[storage]</c>.</summary>
    private static string SuggestSection(string key)
    {
        foreach (var section in ConfigKeys.Sections)
        {
            if (ConfigKeys.All.ContainsKey(section + "." + key))
            {
                return $" (did you mean {key} under [{section}]?)";
            }
        }

        return "";
    }

    private static string KeyPath(KeySyntax key)
    {
        var parts = new List<string> { Part(key.Key) };
        foreach (var dot in key.DotKeys)
        {
            parts.Add(Part(dot.Key));
        }

        return string.Join('.', parts);
    }

    private static string Part(BareKeyOrStringValueSyntax? part) => part switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? "",
        StringValueSyntax s => s.Value ?? "",
        _ => "",
    };

    private static string Where(string path, SourceSpan span) => $"{path}:{span.Start.Line + 1}";

    /// <summary>Rules across keys; the error names where the later of the two keys was set.</summary>
    private static void Validate(ServerSettings s, Dictionary<string, string> origins)
    {
        ConfigException Error(string key, string problem) => new(origins.GetValueOrDefault(key, "defaults"), key, problem);

        string PickLater(string a, string b) => origins.ContainsKey(b) ? b : a;

        var st = s.Storage;
        if (st.DiskSpaceCriticalPercent >= st.DiskSpaceWarnPercent)
        {
            var key = PickLater("storage.disk_space_warn_percent", "storage.disk_space_critical_percent");
            throw Error(key, $"disk_space_critical_percent ({st.DiskSpaceCriticalPercent}) must be below disk_space_warn_percent ({st.DiskSpaceWarnPercent})");
        }

        if (st.BufferPoolSize < 16L * st.PageSize)
        {
            throw Error(PickLater("storage.page_size", "storage.buffer_pool_size"), $"buffer_pool_size ({st.BufferPoolSize}) must hold at least 16 pages of page_size ({st.PageSize})");
        }

        if (st.WalBufferSize < st.PageSize)
        {
            throw Error(PickLater("storage.page_size", "storage.wal_buffer_size"), $"wal_buffer_size ({st.WalBufferSize}) must be at least page_size ({st.PageSize})");
        }

        if (st.MaxWalSize < st.WalBufferSize)
        {
            throw Error(PickLater("storage.wal_buffer_size", "storage.max_wal_size"), $"max_wal_size ({st.MaxWalSize}) must be at least wal_buffer_size ({st.WalBufferSize})");
        }

        var c = s.Cluster;
        if (c.MinRegionSize > c.MaxRegionSize)
        {
            throw Error(PickLater("cluster.max_region_size", "cluster.min_region_size"), $"min_region_size ({c.MinRegionSize}) must not exceed max_region_size ({c.MaxRegionSize})");
        }

        if (c.RaftHeartbeatInterval >= c.RaftElectionTimeout)
        {
            throw Error(PickLater("cluster.raft_election_timeout", "cluster.raft_heartbeat_interval"), "raft_heartbeat_interval must be shorter than raft_election_timeout");
        }

        if (s.Security.TlsEnabled && (s.Security.TlsCertPath is null || s.Security.TlsKeyPath is null))
        {
            throw Error("security.tls_enabled", "tls_enabled = true needs both tls_cert_path and tls_key_path (or THUNDERDB_TLS_CERT and THUNDERDB_TLS_KEY)");
        }

        (string Key, int Port)[] ports = [("pg_port", s.PgPort), ("mysql_port", s.MySqlPort), ("resp_port", s.RespPort), ("http_port", s.HttpPort), ("grpc_port", s.GrpcPort)];
        for (var i = 0; i < ports.Length; i++)
        {
            for (var j = i + 1; j < ports.Length; j++)
            {
                if (ports[i].Port == ports[j].Port)
                {
                    throw Error(PickLater(ports[i].Key, ports[j].Key), $"{ports[j].Key} and {ports[i].Key} are both {ports[i].Port}; every protocol needs its own port");
                }
            }
        }
    }
}

using System.Globalization;
using System.Text;
using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>CONFIG GET/SET/RESETSTAT/REWRITE: the Redis-visible parameters and the hot tunables (settings live in thunderdb.toml).</summary>
internal sealed partial class RespSession
{
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
            _server.SlowLog.Configure(long.Parse(_server.Tuning.Value("slowlog-log-slower-than")!, CultureInfo.InvariantCulture),
                long.Parse(_server.Tuning.Value("slowlog-max-len")!, CultureInfo.InvariantCulture));
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
}

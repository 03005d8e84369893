using System.Globalization;
using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>
/// Redis's tuning parameters that have no effect on this engine (encoding thresholds, RDB/AOF, eviction, lazy free):
/// CONFIG SET validates them exactly as Redis 7.0 does (same error texts) and remembers the value per server, CONFIG
/// GET answers what was set. Thread-safe: the values are swapped under one lock.
/// </summary>
public sealed class RedisTuningConfig
{
    private enum Kind { Integer, Memory, Bool, Enum, Save, KeyspaceEvents }

    private sealed record Parameter(string Name, string? Alias, Kind Kind, long Min, long Max, string[]? Choices);

    private static readonly string[] Policies =
        ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"];

    private static readonly Parameter[] Parameters =
    [
        new("hash-max-listpack-entries", "hash-max-ziplist-entries", Kind.Integer, 0, long.MaxValue, null),
        new("hash-max-listpack-value", "hash-max-ziplist-value", Kind.Memory, 0, long.MaxValue, null),
        new("zset-max-listpack-entries", "zset-max-ziplist-entries", Kind.Integer, 0, long.MaxValue, null),
        new("zset-max-listpack-value", "zset-max-ziplist-value", Kind.Memory, 0, long.MaxValue, null),
        new("list-max-listpack-size", "list-max-ziplist-size", Kind.Integer, int.MinValue, int.MaxValue, null),
        new("list-compress-depth", null, Kind.Integer, 0, int.MaxValue, null),
        new("set-max-intset-entries", null, Kind.Integer, 0, long.MaxValue, null),
        new("stream-node-max-bytes", null, Kind.Memory, 0, long.MaxValue, null),
        new("stream-node-max-entries", null, Kind.Integer, 0, long.MaxValue, null),
        new("hll-sparse-max-bytes", null, Kind.Memory, 0, long.MaxValue, null),
        new("activerehashing", null, Kind.Bool, 0, 0, null),
        new("active-expire-effort", null, Kind.Integer, 1, 10, null),
        new("lfu-log-factor", null, Kind.Integer, 0, int.MaxValue, null),
        new("lfu-decay-time", null, Kind.Integer, 0, int.MaxValue, null),
        new("maxmemory", null, Kind.Memory, 0, long.MaxValue, null),
        new("maxmemory-policy", null, Kind.Enum, 0, 0, Policies),
        new("maxmemory-samples", null, Kind.Integer, 1, int.MaxValue, null),
        new("maxmemory-eviction-tenacity", null, Kind.Integer, 0, 100, null),
        new("lazyfree-lazy-eviction", null, Kind.Bool, 0, 0, null),
        new("lazyfree-lazy-expire", null, Kind.Bool, 0, 0, null),
        new("lazyfree-lazy-server-del", null, Kind.Bool, 0, 0, null),
        new("lazyfree-lazy-user-del", null, Kind.Bool, 0, 0, null),
        new("lazyfree-lazy-user-flush", null, Kind.Bool, 0, 0, null),
        new("appendonly", null, Kind.Bool, 0, 0, null),
        new("appendfsync", null, Kind.Enum, 0, 0, ["everysec", "always", "no"]),
        new("save", null, Kind.Save, 0, 0, null),
        new("notify-keyspace-events", null, Kind.KeyspaceEvents, 0, 0, null),
        new("busy-reply-threshold", "lua-time-limit", Kind.Integer, 0, long.MaxValue, null),
        new("slowlog-log-slower-than", null, Kind.Integer, -1, long.MaxValue, null),
        new("slowlog-max-len", null, Kind.Integer, 0, long.MaxValue, null),
    ];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    /// <param name="syncCommit">Reported as appendfsync always (true) or everysec; appendonly starts as yes (the WAL).</param>
    public RedisTuningConfig(bool syncCommit)
    {
        (string, string)[] defaults =
        [
            ("hash-max-listpack-entries", "512"), ("hash-max-listpack-value", "64"), ("zset-max-listpack-entries", "128"),
            ("zset-max-listpack-value", "64"), ("list-max-listpack-size", "-2"), ("list-compress-depth", "0"),
            ("set-max-intset-entries", "512"), ("stream-node-max-bytes", "4096"), ("stream-node-max-entries", "100"),
            ("hll-sparse-max-bytes", "3000"), ("activerehashing", "yes"), ("active-expire-effort", "1"),
            ("lfu-log-factor", "10"), ("lfu-decay-time", "1"), ("maxmemory", "0"), ("maxmemory-policy", "noeviction"),
            ("maxmemory-samples", "5"), ("maxmemory-eviction-tenacity", "10"), ("lazyfree-lazy-eviction", "no"),
            ("lazyfree-lazy-expire", "no"), ("lazyfree-lazy-server-del", "no"), ("lazyfree-lazy-user-del", "no"),
            ("lazyfree-lazy-user-flush", "no"), ("appendonly", "yes"), ("appendfsync", syncCommit ? "always" : "everysec"),
            ("save", ""), ("notify-keyspace-events", ""), ("busy-reply-threshold", "5000"),
            ("slowlog-log-slower-than", "10000"), ("slowlog-max-len", "128"),
        ];
        foreach ((string name, string value) in defaults)
        {
            _values[name] = value;
        }
    }

    /// <summary>The canonical name of a parameter (aliases resolved), or null when this table does not hold it.</summary>
    public static string? Canonical(string name)
    {
        foreach (Parameter p in Parameters)
        {
            if (name.Equals(p.Name, StringComparison.OrdinalIgnoreCase) || (p.Alias is not null && name.Equals(p.Alias, StringComparison.OrdinalIgnoreCase)))
            {
                return p.Name;
            }
        }

        return null;
    }

    /// <summary>
    /// Validates <paramref name="value"/> for the canonical parameter <paramref name="name"/>; on success gives the
    /// value as CONFIG GET will report it, otherwise Redis's reason text (after "... - ").
    /// </summary>
    public static bool TryNormalize(string name, string value, out string normalized, out string error)
    {
        Parameter p = Array.Find(Parameters, x => x.Name == name) ?? throw new ArgumentException("unknown parameter", nameof(name));
        normalized = "";
        error = "";
        switch (p.Kind)
        {
            case Kind.Bool:
                if (value.Equals("yes", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase))
                {
                    normalized = value.ToLowerInvariant();
                    return true;
                }

                error = "argument must be 'yes' or 'no'";
                return false;
            case Kind.Enum:
                foreach (string choice in p.Choices!)
                {
                    if (value.Equals(choice, StringComparison.OrdinalIgnoreCase))
                    {
                        normalized = choice;
                        return true;
                    }
                }

                error = "argument(s) must be one of the following: " + string.Join(", ", p.Choices);
                return false;
            case Kind.Save:
                return TryNormalizeSave(value, out normalized, out error);
            case Kind.KeyspaceEvents:
                return TryNormalizeEvents(value, out normalized, out error);
        }

        long n;
        if (p.Kind == Kind.Memory)
        {
            if (!TryParseMemory(value, out ulong u))
            {
                error = "argument must be a memory value";
                return false;
            }

            if (u > (ulong)p.Max)
            {
                error = Range(p);
                return false;
            }

            n = (long)u;
        }
        else if (!RedisNumbers.ParseLong(Encoding.UTF8.GetBytes(value), out n))
        {
            error = "argument couldn't be parsed into an integer";
            return false;
        }

        if (n < p.Min || n > p.Max)
        {
            error = Range(p);
            return false;
        }

        normalized = n.ToString(CultureInfo.InvariantCulture);
        return true;
    }

    private static string Range(Parameter p) =>
        string.Create(CultureInfo.InvariantCulture, $"argument must be between {p.Min} and {p.Max} inclusive");

    /// <summary>Redis's memtoull: digits with an optional b, k, kb, m, mb, g, gb unit (k = 1000, kb = 1024).</summary>
    public static bool TryParseMemory(string text, out ulong value)
    {
        value = 0;
        int end = text.Length;
        while (end > 0 && char.IsAsciiLetter(text[end - 1]))
        {
            end--;
        }

        ulong mul = text[end..].ToLowerInvariant() switch
        {
            "" or "b" => 1,
            "k" => 1000,
            "kb" => 1024,
            "m" => 1000 * 1000,
            "mb" => 1024 * 1024,
            "g" => 1000UL * 1000 * 1000,
            "gb" => 1024UL * 1024 * 1024,
            _ => 0,
        };
        if (mul == 0 || end == 0 || end > 128 || text.Contains('-'))
        {
            return false;
        }

        for (int i = 0; i < end; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        if (!ulong.TryParse(text.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out ulong digits))
        {
            return false;
        }

        if (digits != 0 && mul > ulong.MaxValue / digits)
        {
            return false;
        }

        value = digits * mul;
        return true;
    }

    /// <summary>save: pairs of "seconds changes" (seconds at least 1, changes at least 0), or empty to disable.</summary>
    private static bool TryNormalizeSave(string value, out string normalized, out string error)
    {
        normalized = "";
        error = "Invalid save parameters";
        string[] parts = value.Length == 0 ? [] : value.Split(' ');
        if (parts.Length % 2 == 1)
        {
            return false;
        }

        var sb = new StringBuilder();
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) || (i % 2 == 0 ? v < 1 : v < 0))
            {
                return false;
            }

            sb.Append(i == 0 ? "" : " ").Append(v.ToString(CultureInfo.InvariantCulture));
        }

        normalized = sb.ToString();
        error = "";
        return true;
    }

    /// <summary>notify-keyspace-events: Redis's flag letters and error text; only the empty set (no notifications) is accepted.</summary>
    private static bool TryNormalizeEvents(string value, out string normalized, out string error)
    {
        normalized = "";
        error = "";
        foreach (char c in value)
        {
            if (!"Ag$lshzxeKEtmdn".Contains(c))
            {
                error = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
                return false;
            }
        }

        if (value.Length > 0)
        {
            // A non-empty value would promise notifications this server does not publish.
            error = "keyspace notifications are not supported yet by ThunderDB";
            return false;
        }

        return true;
    }

    /// <summary>Stores already-normalized values (all or nothing is the caller's part: validate every pair first).</summary>
    public void Apply(IEnumerable<(string Name, string Value)> values)
    {
        lock (_lock)
        {
            foreach ((string name, string value) in values)
            {
                _values[name] = value;
                if (name == "hll-sparse-max-bytes" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes))
                {
                    HllSparseMaxBytes = bytes;
                }
            }
        }
    }

    /// <summary><c>hll-sparse-max-bytes</c>, the one parameter here that changes results: where PFADD turns an HLL dense.</summary>
    public long HllSparseMaxBytes { get; private set; } = RedisHyperLogLog.DefaultSparseMaxBytes;

    /// <summary>The current value of parameter <paramref name="name"/> (canonical name).</summary>
    public string Value(string name)
    {
        lock (_lock)
        {
            return _values[name];
        }
    }

    /// <summary>Every parameter under its name and its alias, as CONFIG GET matches them.</summary>
    public List<(string Name, string Value)> Snapshot()
    {
        var list = new List<(string, string)>();
        lock (_lock)
        {
            foreach (Parameter p in Parameters)
            {
                string v = _values[p.Name];
                list.Add((p.Name, v));
                if (p.Alias is not null)
                {
                    list.Add((p.Alias, v));
                }
            }
        }

        return list;
    }
}

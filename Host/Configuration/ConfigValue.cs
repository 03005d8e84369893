using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Tomlyn.Syntax;

namespace ThunderDb.Host.Configuration;

/// <summary>
/// One raw setting before conversion: a TOML value node (from the file) or a text (from a CLI flag
/// or an environment variable), plus where it came from for error messages.
/// </summary>
public readonly record struct ConfigValue(string Key, string Origin, ValueSyntax? Toml, string? Text)
{
    public static ConfigValue FromText(string key, string origin, string text) => new(key, origin, null, text);

    public ConfigException Error(string problem) => new(Origin, Key, problem);

    public string AsString()
    {
        if (Text is not null)
        {
            return Text;
        }

        return Toml is StringValueSyntax s && s.Value is not null ? s.Value : throw WrongType("a string");
    }

    public string AsNonEmptyString()
    {
        var s = AsString();
        return string.IsNullOrWhiteSpace(s) ? throw Error("must not be empty") : s;
    }

    public bool AsBool()
    {
        if (Text is not null)
        {
            return Text.Trim().ToLowerInvariant() switch
            {
                "true" or "1" or "yes" or "on" => true,
                "false" or "0" or "no" or "off" => false,
                _ => throw Error($"expected true or false, got '{Text}'"),
            };
        }

        return Toml is BooleanValueSyntax b ? b.Value : throw WrongType("a boolean (true or false)");
    }

    public long AsInteger()
    {
        if (Text is not null)
        {
            return long.TryParse(Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw Error($"expected an integer, got '{Text}'");
        }

        return Toml is IntegerValueSyntax i ? i.Value : throw WrongType("an integer");
    }

    public int AsInteger(long min, long max)
    {
        var v = AsInteger();
        return v < min || v > max ? throw Error($"must be between {min} and {max}, got {v}") : (int)v;
    }

    public int AsPort() => AsInteger(1, 65535);

    /// <summary>A size in bytes: an integer, never negative.</summary>
    public long AsSize(long min = 0)
    {
        var v = AsInteger();
        if (v < 0)
        {
            throw Error($"a size must not be negative, got {v}");
        }

        return v < min ? throw Error($"must be at least {min} bytes, got {v}") : v;
    }

    public double AsPercent()
    {
        double v;
        if (Text is not null)
        {
            if (!double.TryParse(Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out v))
            {
                throw Error($"expected a number, got '{Text}'");
            }
        }
        else
        {
            v = Toml switch
            {
                FloatValueSyntax f => f.Value,
                IntegerValueSyntax i => i.Value,
                _ => throw WrongType("a number"),
            };
        }

        return double.IsFinite(v) && v is >= 0 and <= 100 ? v : throw Error($"must be a percentage between 0 and 100, got {v.ToString(CultureInfo.InvariantCulture)}");
    }

    public TimeSpan AsDuration(bool allowZero = false)
    {
        var text = Text ?? (Toml is StringValueSyntax s ? s.Value : null) ?? throw WrongType("a duration string such as \"100ms\", \"30s\", \"5m\" or \"24h\"");
        if (!Duration.TryParse(text, out var d))
        {
            throw Error($"cannot parse duration '{text}' (use a number with a unit: ms, s, m, h, d, e.g. \"100ms\", \"30s\", \"5m\", \"24h\")");
        }

        return d == TimeSpan.Zero && !allowZero ? throw Error("must be greater than zero") : d;
    }

    public ImmutableArray<string> AsStringArray()
    {
        if (Text is not null)
        {
            return [.. Text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        if (Toml is not ArraySyntax array)
        {
            throw WrongType("an array of strings");
        }

        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var item in array.Items)
        {
            if (item.Value is StringValueSyntax s && s.Value is not null)
            {
                builder.Add(s.Value);
            }
            else
            {
                throw WrongType("an array of strings");
            }
        }

        return builder.ToImmutable();
    }

    public IPAddress AsListenAddress()
    {
        var text = AsNonEmptyString().Trim();
        if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        if (!IPAddress.TryParse(text, out var ip))
        {
            throw Error($"expected an IP address such as 127.0.0.1, 0.0.0.0 or ::, got '{text}'");
        }

        // "::ffff:a.b.c.d" names the IPv4 address a.b.c.d; an IPv6-only socket cannot bind it, an IPv4 one can.
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
    }

    public string AsBcryptHash()
    {
        var s = AsNonEmptyString().Trim();
        var ok = s.Length == 60 && s[0] == '$' && s[3] == '$' && s[6] == '$'
            && (s.StartsWith("$2a$", StringComparison.Ordinal) || s.StartsWith("$2b$", StringComparison.Ordinal) || s.StartsWith("$2y$", StringComparison.Ordinal));
        return ok ? s : throw Error("expected a bcrypt hash ($2b$12$... , 60 characters); generate one with: thunderdb --hash-password <secret>");
    }

    private ConfigException WrongType(string expected) => Error($"expected {expected}, got {Describe(Toml)}");

    private static string Describe(ValueSyntax? v) => v switch
    {
        null => "nothing",
        StringValueSyntax s => $"the string \"{s.Value}\"",
        IntegerValueSyntax i => $"the integer {i.Value}",
        FloatValueSyntax f => $"the number {f.Value.ToString(CultureInfo.InvariantCulture)}",
        BooleanValueSyntax b => b.Value ? "true" : "false",
        ArraySyntax => "an array",
        InlineTableSyntax => "a table",
        DateTimeValueSyntax => "a date/time",
        _ => "an unsupported value",
    };
}

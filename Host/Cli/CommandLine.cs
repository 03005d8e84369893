using System.Globalization;
using System.Text;

namespace ThunderDb.Host.Cli;

/// <summary>What the user asked for on the command line.</summary>
public sealed record CommandLineOptions
{
    public string? ConfigPath { get; init; }

    public string? DataDir { get; init; }

    public string? Listen { get; init; }

    public bool Verbose { get; init; }

    public string? HashPassword { get; init; }

    public DateTimeOffset? RestorePitr { get; init; }

    /// <summary>The timestamp exactly as given, for messages.</summary>
    public string? RestorePitrText { get; init; }

    public string? RestoreBackup { get; init; }

    public bool Help { get; init; }

    public bool Version { get; init; }
}

/// <summary>A command-line mistake: the message is printed with the usage, and the exit code is 2.</summary>
public sealed class CommandLineException : Exception
{
    public CommandLineException(string message)
        : base(message)
    {
    }

    public CommandLineException()
    {
    }

    public CommandLineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Parses the runbook's flags. Both <c>--flag value</c> and <c>--flag=value</c> are accepted.</summary>
public static class CommandLine
{
    public const string Usage = """
        Usage: thunderdb [options]

        Starts the ThunderDB server. With no options it runs a single node with its data under
        ./data, listening on 127.0.0.1 only (admin HTTP on port 8080).

        Options:
          --config PATH            Read settings from a TOML file (see config/thunderdb.toml).
          --data-dir DIR           Data directory (overrides data_dir).
          --listen ADDR            Bind address for all protocols (overrides listen_addr).
          --verbose                Debug-level logging.
          --hash-password PW       Print a bcrypt hash of PW (for security.superuser_password_hash
                                   or security.admin_token_hash) and exit. PW: at most 72 bytes.
          --restore-pitr RFC3339   Point-in-time restore to this timestamp (needs --restore-backup).
          --restore-backup DIR     Base backup to restore from.
          --help                   Show this help and exit.
          --version                Show the version and exit.

        Precedence: built-in defaults < config file < command-line flags < THUNDERDB_* environment variables.
        Signals: SIGHUP reloads logging.level and query_timeout; SIGTERM/SIGINT shut down gracefully.
        """;

    public static CommandLineOptions Parse(IReadOnlyList<string> args)
    {
        var o = new CommandLineOptions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string name = arg;
            string? inlineValue = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 2)
            {
                name = arg[..eq];
                inlineValue = arg[(eq + 1)..];
            }

            if (!seen.Add(name) && name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"{name} given more than once");
            }

            switch (name)
            {
                case "--config":
                    o = o with { ConfigPath = NonEmpty(name, Value(args, ref i, name, inlineValue)) };
                    break;
                case "--data-dir":
                    o = o with { DataDir = NonEmpty(name, Value(args, ref i, name, inlineValue)) };
                    break;
                case "--listen":
                    o = o with { Listen = NonEmpty(name, Value(args, ref i, name, inlineValue)) };
                    break;
                case "--hash-password":
                    o = o with { HashPassword = BcryptSecret(name, NonEmpty(name, Value(args, ref i, name, inlineValue))) };
                    break;
                case "--restore-backup":
                    o = o with { RestoreBackup = NonEmpty(name, Value(args, ref i, name, inlineValue)) };
                    break;
                case "--restore-pitr":
                    var text = Value(args, ref i, name, inlineValue);
                    o = o with { RestorePitr = ParseRfc3339(text), RestorePitrText = text };
                    break;
                case "--verbose":
                    o = o with { Verbose = Flag(name, inlineValue) };
                    break;
                case "--help" or "-h":
                    o = o with { Help = Flag(name, inlineValue) };
                    break;
                case "--version":
                    o = o with { Version = Flag(name, inlineValue) };
                    break;
                default:
                    throw new CommandLineException(arg.StartsWith('-') ? $"unknown option '{arg}'" : $"unexpected argument '{arg}'");
            }
        }

        if (o.RestorePitr is not null && o.RestoreBackup is null)
        {
            throw new CommandLineException("--restore-pitr requires --restore-backup DIR (the base backup to restore from)");
        }

        return o;
    }

    /// <summary>bcrypt reads at most 72 bytes of a secret: refuse longer ones rather than hash a secret whose tail is ignored.</summary>
    private static string BcryptSecret(string name, string secret)
    {
        const int BcryptMaxBytes = 72;
        int bytes = Encoding.UTF8.GetByteCount(secret);
        if (bytes > BcryptMaxBytes)
        {
            throw new CommandLineException(
                $"{name}: the secret is {bytes} bytes, bcrypt uses only the first {BcryptMaxBytes} (anything starting with them would be accepted); use at most {BcryptMaxBytes} bytes");
        }

        return secret;
    }

    /// <summary>RFC 3339: date, 'T' (or 't'/space), time with optional fraction, and a mandatory offset (Z or ±hh:mm).</summary>
    public static DateTimeOffset ParseRfc3339(string text)
    {
        string[] formats =
        [
            "yyyy-MM-dd'T'HH:mm:ssK",
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
            "yyyy-MM-dd't'HH:mm:ssK",
            "yyyy-MM-dd't'HH:mm:ss.FFFFFFFK",
            "yyyy-MM-dd HH:mm:ssK",
            "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        ];
        var trimmed = text.Trim();
        var hasOffset = trimmed.EndsWith('Z') || trimmed.EndsWith('z')
            || (trimmed.Length > 6 && (trimmed[^6] == '+' || trimmed[^6] == '-') && trimmed[^3] == ':');
        if (hasOffset && DateTimeOffset.TryParseExact(trimmed.Replace('z', 'Z'), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }

        throw new CommandLineException($"--restore-pitr: '{text}' is not an RFC 3339 timestamp (e.g. 2025-01-15T12:30:00Z)");
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string name, string? inlineValue)
    {
        if (inlineValue is not null)
        {
            return inlineValue;
        }

        if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
        {
            throw new CommandLineException($"{name} needs a value");
        }

        i++;
        return args[i];
    }

    private static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new CommandLineException($"{name} needs a non-empty value") : value;

    private static bool Flag(string name, string? inlineValue) =>
        inlineValue is null ? true : throw new CommandLineException($"{name} takes no value");
}

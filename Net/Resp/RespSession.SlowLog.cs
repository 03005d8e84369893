using System.Text;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Session;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Slow RESP commands: Redis's SLOWLOG (GET / LEN / RESET) and the runbook's slow-query log see the same arguments, kept
/// as Redis keeps them (at most 32, each cut at 128 bytes) with the ones that carry secrets redacted. Commands that block
/// waiting for data (BLPOP, XREAD BLOCK ...) are not logged: their time is spent waiting, not working.
/// </summary>
internal sealed partial class RespSession
{
    /// <summary>
    /// Records the command in the argument buffer when it ran for at least a threshold (<paramref name="elapsed"/> in
    /// <see cref="System.Diagnostics.Stopwatch"/> ticks): Redis's SLOWLOG (slowlog-log-slower-than) and the runbook's
    /// slow-query log (logging.slow_query_threshold).
    /// </summary>
    private void ObserveSlowCommand(long elapsed, RespCommandInfo? command)
    {
        bool forRunbook = _tally.IsSlow(elapsed);
        bool forSlowLog = _server.SlowLog.IsSlow(elapsed);
        if ((!forRunbook && !forSlowLog) || command is null || WaitsForData(command))
        {
            return; // an unknown command never ran (and its arguments could be anything)
        }

        byte[][] arguments = SlowLogArguments(command);
        if (forSlowLog)
        {
            _server.SlowLog.Add(elapsed, arguments, _connection.Remote, _connection.Name);
        }

        if (forRunbook)
        {
            _tally.ReportSlow(elapsed, _connection.Id, _connection.User, Describe(arguments));
        }
    }

    /// <summary>SLOWLOG GET [count] | LEN | RESET | HELP, with redis-server's replies and errors.</summary>
    private void SlowLogCommand()
    {
        if (ArgIs(1, "GET"u8) && _argc <= 3)
        {
            long count = 10;
            if (_argc == 3 && (!RedisNumbers.ParseLong(Arg(2), out count) || count < -1))
            {
                throw Error("ERR count should be greater than or equal to -1");
            }

            RedisSlowLog.Entry[] entries = _server.SlowLog.Newest(count);
            _out.WriteArrayHeader(entries.Length);
            foreach (RedisSlowLog.Entry e in entries)
            {
                _out.WriteArrayHeader(6);
                _out.WriteInteger(e.Id);
                _out.WriteInteger(e.UnixSeconds);
                _out.WriteInteger(e.Microseconds);
                _out.WriteArrayHeader(e.Arguments.Length);
                foreach (byte[] arg in e.Arguments)
                {
                    _out.WriteBulk(arg);
                }

                _out.WriteBulk(Encoding.UTF8.GetBytes(e.Client));
                _out.WriteBulk(Encoding.UTF8.GetBytes(e.Name));
            }
        }
        else if (ArgIs(1, "LEN"u8) && _argc == 2)
        {
            _out.WriteInteger(_server.SlowLog.Count);
        }
        else if (ArgIs(1, "RESET"u8) && _argc == 2)
        {
            _server.SlowLog.Reset();
            _out.WriteOk();
        }
        else if (ArgIs(1, "HELP"u8) && _argc == 2)
        {
            string[] help =
            [
                "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET [<count>]",
                "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                "    Entries are made of:",
                "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                "    client name",
                "LEN",
                "    Return the length of the slowlog.",
                "RESET",
                "    Reset the slowlog.",
                "HELP",
                "    Prints this help.",
            ];
            _out.WriteArrayHeader(help.Length);
            foreach (string line in help)
            {
                _out.WriteSimple(Encoding.ASCII.GetBytes(line));
            }
        }
        else if (ArgIs(1, "GET"u8))
        {
            throw Error("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.");
        }
        else
        {
            throw SubcommandError("SLOWLOG", ["LEN", "RESET", "HELP"]);
        }
    }

    /// <summary>A group of pipelined commands whose commit made its last command slow: one line for the group.</summary>
    private void ObserveSlowGroupCommit(long now)
    {
        if (_groupCommands > 0 && now - _groupStarted[_groupCommands - 1] is long elapsed && _tally.IsSlow(elapsed))
        {
            _tally.ReportSlow(elapsed, _connection.Id, _connection.User,
                $"(commit of {_groupCommands} pipelined commands)");
        }
    }

    private bool WaitsForData(RespCommandInfo? command) => command is not null &&
        (command.Has(CommandFlags.Blocking) || (command.Id is CommandId.XRead or CommandId.XReadGroup && HasArg("BLOCK"u8)));

    private bool HasArg(ReadOnlySpan<byte> token)
    {
        for (int i = 1; i < _argc; i++)
        {
            if (ArgIs(i, token))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly byte[] Redacted = "(redacted)"u8.ToArray();

    /// <summary>The arguments as Redis's slow log keeps them, secrets replaced by "(redacted)" as Redis replaces them.</summary>
    private byte[][] SlowLogArguments(RespCommandInfo? command)
    {
        byte[][] arguments = RedisSlowLog.Shorten(_argc, i => Arg(i));
        for (int i = 1; i < arguments.Length; i++)
        {
            if (IsSecret(command, i))
            {
                arguments[i] = Redacted;
            }
        }

        return arguments;
    }

    /// <summary>The arguments that carry passwords: all of AUTH's, HELLO's after AUTH, CONFIG SET's values.</summary>
    private bool IsSecret(RespCommandInfo? command, int i) => command?.Id switch
    {
        CommandId.Auth => true,
        CommandId.Hello => PrecededBy(i, "AUTH"u8, 2),
        CommandId.Config => ArgIs(1, "SET"u8) && i > 2 && i % 2 == 1,
        _ => false,
    };

    /// <summary>Whether one of the <paramref name="span"/> arguments before <paramref name="i"/> is <paramref name="token"/>.</summary>
    private bool PrecededBy(int i, ReadOnlySpan<byte> token, int span)
    {
        for (int j = Math.Max(1, i - span); j < i; j++)
        {
            if (ArgIs(j, token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The runbook log's text of a command: its arguments as redis-cli shows them, space-separated.</summary>
    private static string Describe(byte[][] arguments)
    {
        var text = new StringBuilder();
        foreach (byte[] arg in arguments)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            if (ReferenceEquals(arg, Redacted))
            {
                text.Append("(redacted)");
            }
            else
            {
                AppendArgument(text, arg);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// An argument as redis-cli shows one: bare when it is printable ASCII without spaces or quotes, else in double quotes
    /// with <c>\n</c>, <c>\"</c> and <c>\xHH</c> escapes, so a log line stays one line and binary values stay readable.
    /// </summary>
    private static void AppendArgument(StringBuilder text, ReadOnlySpan<byte> arg)
    {
        if (arg.Length > 0 && !arg.ContainsAnyExceptInRange((byte)'!', (byte)'~') && !arg.ContainsAny((byte)'"', (byte)'\\'))
        {
            text.Append(Encoding.ASCII.GetString(arg));
            return;
        }

        text.Append('"');
        foreach (byte b in arg)
        {
            _ = b switch
            {
                (byte)'"' => text.Append("\\\""),
                (byte)'\\' => text.Append("\\\\"),
                (byte)'\n' => text.Append("\\n"),
                (byte)'\r' => text.Append("\\r"),
                (byte)'\t' => text.Append("\\t"),
                >= (byte)' ' and <= (byte)'~' => text.Append((char)b),
                _ => text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)),
            };
        }

        text.Append('"');
    }
}

using System.Text;

namespace ThunderDb.Net.Resp;

/// <summary>
/// The slow-query log's view of a RESP command: its text is rendered as Redis's SLOWLOG shows arguments (at most 32,
/// each cut at 128 bytes), with the arguments of commands that carry secrets redacted. Commands that block waiting for
/// data (BLPOP, XREAD BLOCK ...) are not logged: their time is spent waiting, not working (Redis's SLOWLOG leaves it out too).
/// </summary>
internal sealed partial class RespSession
{
    private const int SlowLogMaxArgs = 32;
    private const int SlowLogMaxArgBytes = 128;

    /// <summary>Logs the command in the argument buffer when it ran since <paramref name="started"/> for at least the threshold.</summary>
    private void ObserveSlowCommand(long started, RespCommandInfo? command)
    {
        if (_server.Options.SlowQueries is { } slow && slow.IsSlow(started) && !WaitsForData(command))
        {
            slow.Report(started, RespServer.ProtocolName, _connection.Id, _connection.User, DescribeCommand(command));
        }
    }

    /// <summary>A group of pipelined commands whose commit made its last command slow: one line for the group.</summary>
    private void ObserveSlowGroupCommit()
    {
        if (_groupCommands > 0 && _server.Options.SlowQueries is { } slow && slow.IsSlow(_groupStarted[_groupCommands - 1]))
        {
            slow.Report(_groupStarted[_groupCommands - 1], RespServer.ProtocolName, _connection.Id, _connection.User,
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

    private string DescribeCommand(RespCommandInfo? command)
    {
        var text = new StringBuilder(command?.Name ?? Encoding.UTF8.GetString(Arg(0)));
        if (command is not null && CarriesSecrets(command))
        {
            return _argc > 1 ? text.Append(" (redacted)").ToString() : text.ToString();
        }

        int shown = Math.Min(_argc, SlowLogMaxArgs);
        for (int i = 1; i < shown; i++)
        {
            ReadOnlySpan<byte> arg = Arg(i);
            AppendArgument(text.Append(' '), arg[..Math.Min(arg.Length, SlowLogMaxArgBytes)]);
            if (arg.Length > SlowLogMaxArgBytes)
            {
                text.Append("... (").Append(arg.Length - SlowLogMaxArgBytes).Append(" more bytes)");
            }
        }

        if (_argc > shown)
        {
            text.Append(" ... (").Append(_argc - shown).Append(" more arguments)");
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

    /// <summary>AUTH and HELLO carry passwords; CONFIG SET and ACL may carry one (requirepass, user rules); MIGRATE has AUTH.</summary>
    private static bool CarriesSecrets(RespCommandInfo command) =>
        command.Name is "AUTH" or "HELLO" or "CONFIG" or "ACL" or "MIGRATE";
}

using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>Consumer-group and introspection stream commands: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO.</summary>
internal sealed partial class RespSession
{
    private RedisError ExecuteStreamGroup(CommandId id)
    {
        switch (id)
        {
            case CommandId.XGroup:
                return StreamGroupCommand();
            case CommandId.XAck:
                {
                    RedisError error = RedisStreams.Ack(_keyspace, Arg(1), Arg(2), Args(3), out long acked);
                    _out.WriteInteger(acked);
                    return error;
                }

            case CommandId.XPending:
                return StreamPending();
            case CommandId.XClaim:
                return StreamClaim();
            case CommandId.XAutoClaim:
                return StreamAutoClaim();
            default:
                return StreamInfo();
        }
    }

    private RespErrorException NoGroupForKey(int groupArg, int keyArg) =>
        Error($"NOGROUP No such consumer group '{Printable(Arg(groupArg))}' for key name '{Printable(Arg(keyArg))}'");

    private RespErrorException NoKeyOrGroup() =>
        Error($"NOGROUP No such key '{Printable(Arg(1))}' or consumer group '{Printable(Arg(2))}'");

    private RespErrorException StreamSubcommandSyntax() =>
        Error($"ERR unknown subcommand or wrong number of arguments for '{Printable(Arg(1))}'. Try {Printable(Arg(0)).ToUpperInvariant()} HELP.");

    private RedisError StreamGroupCommand()
    {
        (string Name, int Arity)[] subcommands = [("CREATE", -5), ("SETID", -5), ("DESTROY", 4), ("CREATECONSUMER", 5), ("DELCONSUMER", 5), ("HELP", 2)];
        int arity = 0;
        foreach ((string name, int a) in subcommands)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(Arg(1), System.Text.Encoding.ASCII.GetBytes(name)))
            {
                arity = a;
            }
        }

        if (arity == 0 || (arity > 0 ? _argc != arity : _argc < -arity))
        {
            throw SubcommandError("XGROUP", arity == 0 ? [] : [Printable(Arg(1)).ToUpperInvariant()]);
        }

        if (ArgIs(1, "HELP"u8))
        {
            WriteHelp(["CREATE <key> <groupname> <id|$> [option]", "    Create a new consumer group. Options are:", "    * MKSTREAM",
                "      Create the empty stream if it does not exist.", "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).", "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.", "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.", "DESTROY <key> <groupname>", "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]", "    Set the current group ID and entries_read counter."]);
            return RedisError.None;
        }

        bool create = ArgIs(1, "CREATE"u8), setId = ArgIs(1, "SETID"u8), mkStream = false;
        long entriesRead = RedisStreams.InvalidEntriesRead;
        for (int i = 5; i < _argc; i++)
        {
            if (create && ArgIs(i, "MKSTREAM"u8))
            {
                mkStream = true;
            }
            else if ((create || setId) && ArgIs(i, "ENTRIESREAD"u8) && i + 1 < _argc)
            {
                if (ArgLong(++i, out entriesRead) is { } bad)
                {
                    return bad;
                }

                if (entriesRead < 0 && entriesRead != RedisStreams.InvalidEntriesRead)
                {
                    return RedisError.StreamEntriesReadNegative;
                }
            }
            else
            {
                throw StreamSubcommandSyntax();
            }
        }

        if (setId && _argc is not (5 or 7))
        {
            throw StreamSubcommandSyntax();
        }

        ReadOnlySpan<byte> key = Arg(2), group = Arg(3);
        RedisError error;
        if (create)
        {
            error = RedisStreams.CreateGroup(_keyspace, key, group, Arg(4), mkStream, entriesRead);
            if (error == RedisError.None)
            {
                _out.WriteOk();
            }

            return error;
        }

        if (setId)
        {
            error = RedisStreams.SetGroupId(_keyspace, key, group, Arg(4), entriesRead);
            if (error == RedisError.None)
            {
                _out.WriteOk();
            }
        }
        else if (ArgIs(1, "DESTROY"u8))
        {
            error = RedisStreams.DestroyGroup(_keyspace, key, group, out bool destroyed);
            _out.WriteInteger(destroyed ? 1 : 0);
        }
        else if (ArgIs(1, "CREATECONSUMER"u8))
        {
            error = RedisStreams.CreateConsumer(_keyspace, key, group, Arg(4), out bool created);
            _out.WriteInteger(created ? 1 : 0);
        }
        else
        {
            error = RedisStreams.DeleteConsumer(_keyspace, key, group, Arg(4), out long pending);
            _out.WriteInteger(pending);
        }

        return error == RedisError.StreamNoGroup ? throw NoGroupForKey(3, 2) : error;
    }

    /// <summary>Redis's <c>addReplyHelp</c>: a header line, the lines, and HELP's own two.</summary>
    private void WriteHelp(string[] lines)
    {
        _out.WriteArrayHeader(lines.Length + 3);
        _out.WriteSimple($"{Printable(Arg(0)).ToUpperInvariant()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (string line in lines)
        {
            _out.WriteSimple(line);
        }

        _out.WriteSimple("HELP");
        _out.WriteSimple("    Prints this help.");
    }

    private RedisError StreamPending()
    {
        if (_argc != 3 && (_argc < 6 || _argc > 9))
        {
            return RedisError.Syntax;
        }

        long minIdle = 0, count = 0;
        StreamId start = default, end = default;
        int first = 3;
        if (_argc >= 6)
        {
            if (ArgIs(3, "IDLE"u8))
            {
                minIdle = ArgLong(4);
                if (_argc < 8)
                {
                    return RedisError.Syntax;
                }

                first += 2;
            }

            count = Math.Max(0, ArgLong(first + 2));
            if (!StreamId.TryParseInterval(Arg(first), 0, out start, out bool startExclusive)
                || !StreamId.TryParseInterval(Arg(first + 1), ulong.MaxValue, out end, out bool endExclusive))
            {
                return RedisError.StreamInvalidId;
            }

            if (startExclusive && !start.TryIncrement(out start))
            {
                return RedisError.StreamInvalidStart;
            }

            if (endExclusive && !end.TryDecrement(out end))
            {
                return RedisError.StreamInvalidEnd;
            }
        }

        ReadOnlySpan<byte> key = Arg(1), group = Arg(2);
        if (_argc == 3)
        {
            var consumers = new List<(byte[] Consumer, long Pending)>();
            RedisError error = RedisStreams.PendingSummary(_keyspace, key, group, out long total, out StreamId low, out StreamId high, consumers);
            if (error != RedisError.None)
            {
                return error == RedisError.StreamNoGroup ? throw NoKeyOrGroup() : error;
            }

            _out.WriteArrayHeader(4);
            _out.WriteInteger(total);
            if (total == 0)
            {
                _out.WriteNull();
                _out.WriteNull();
                _out.WriteNullArray();
                return RedisError.None;
            }

            WriteStreamId(low);
            WriteStreamId(high);
            _out.WriteArrayHeader(consumers.Count);
            foreach ((byte[] name, long pending) in consumers)
            {
                _out.WriteArrayHeader(2);
                _out.WriteBulk(name);
                _out.WriteBulk(pending);
            }

            return RedisError.None;
        }

        bool byConsumer = first + 3 < _argc;
        var entries = new List<StreamPendingEntry>();
        RedisError found = RedisStreams.FindGroup(_keyspace, key, group, out _);
        if (found != RedisError.None)
        {
            return found == RedisError.StreamNoGroup ? throw NoKeyOrGroup() : found;
        }

        RedisError read = RedisStreams.Pending(_keyspace, key, group, start, end, count, byConsumer ? Arg(first + 3) : default, byConsumer, minIdle, entries);
        _out.WriteArrayHeader(entries.Count);
        foreach (StreamPendingEntry e in entries)
        {
            _out.WriteArrayHeader(4);
            WriteStreamId(e.Id);
            _out.WriteBulk(e.Consumer);
            _out.WriteInteger(Math.Max(0, _keyspace.NowMs - e.DeliveryTimeMs));
            _out.WriteInteger(e.DeliveryCount);
        }

        return read;
    }

    private RedisError StreamClaim()
    {
        RedisError found = RedisStreams.FindGroup(_keyspace, Arg(1), Arg(2), out _);
        if (found != RedisError.None)
        {
            return found == RedisError.StreamNoGroup ? throw NoKeyOrGroup() : found;
        }

        if (!RedisNumbers.ParseLong(Arg(4), out long minIdle))
        {
            throw Error("ERR Invalid min-idle-time argument for XCLAIM");
        }

        var args = new StreamClaimArgs { MinIdleMs = Math.Max(0, minIdle), RetryCount = -1 };
        var ids = new List<StreamId>();
        int i = 5;
        for (; i < _argc && StreamId.TryParse(Arg(i), 0, strict: true, out StreamId id); i++)
        {
            ids.Add(id);
        }

        long now = _keyspace.NowMs;
        for (; i < _argc; i++)
        {
            bool more = i + 1 < _argc;
            if (ArgIs(i, "FORCE"u8))
            {
                args.Force = true;
            }
            else if (ArgIs(i, "JUSTID"u8))
            {
                args.JustId = true;
            }
            else if (more && ArgIs(i, "IDLE"u8))
            {
                args.DeliveryTimeMs = now - ClaimNumber(++i, "IDLE");
            }
            else if (more && ArgIs(i, "TIME"u8))
            {
                args.DeliveryTimeMs = ClaimNumber(++i, "TIME");
            }
            else if (more && ArgIs(i, "RETRYCOUNT"u8))
            {
                args.RetryCount = ClaimNumber(++i, "RETRYCOUNT");
            }
            else if (more && ArgIs(i, "LASTID"u8))
            {
                if (!StreamId.TryParse(Arg(++i), 0, strict: true, out args.LastId))
                {
                    return RedisError.StreamInvalidId;
                }
            }
            else
            {
                throw Error($"ERR Unrecognized XCLAIM option '{Printable(Arg(i))}'");
            }
        }

        var claimed = new List<StreamEntry>();
        RedisError error = RedisStreams.Claim(_keyspace, Arg(1), Arg(2), Arg(3), ids, args, claimed);
        WriteClaimed(claimed, args.JustId);
        return error;
    }

    private long ClaimNumber(int i, string option) =>
        RedisNumbers.ParseLong(Arg(i), out long v) ? v : throw Error($"ERR Invalid {option} option argument for XCLAIM");

    private void WriteClaimed(List<StreamEntry> claimed, bool justId)
    {
        _out.WriteArrayHeader(claimed.Count);
        foreach (StreamEntry e in claimed)
        {
            if (justId)
            {
                WriteStreamId(e.Id);
            }
            else
            {
                WriteStreamEntry(e);
            }
        }
    }

    private RedisError StreamAutoClaim()
    {
        if (!RedisNumbers.ParseLong(Arg(4), out long minIdle))
        {
            throw Error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
        }

        if (!StreamId.TryParseInterval(Arg(5), 0, out StreamId start, out bool exclusive))
        {
            return RedisError.StreamInvalidId;
        }

        if (exclusive && !start.TryIncrement(out start))
        {
            return RedisError.StreamInvalidStart;
        }

        long count = 100;
        bool justId = false;
        for (int i = 6; i < _argc; i++)
        {
            if (ArgIs(i, "COUNT"u8) && i + 1 < _argc)
            {
                if (!RedisNumbers.ParseLong(Arg(++i), out count) || count < 1 || count > long.MaxValue / 16)
                {
                    throw Error("ERR COUNT must be > 0");
                }
            }
            else if (ArgIs(i, "JUSTID"u8))
            {
                justId = true;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        var claimed = new List<StreamEntry>();
        var deleted = new List<StreamId>();
        RedisError error = RedisStreams.AutoClaim(_keyspace, Arg(1), Arg(2), Arg(3), Math.Max(0, minIdle), start, count, justId, claimed, deleted, out StreamId next);
        if (error != RedisError.None)
        {
            return error == RedisError.StreamNoGroup ? throw NoKeyOrGroup() : error;
        }

        _out.WriteArrayHeader(3);
        WriteStreamId(next);
        WriteClaimed(claimed, justId);
        _out.WriteArrayHeader(deleted.Count);
        foreach (StreamId id in deleted)
        {
            WriteStreamId(id);
        }

        return RedisError.None;
    }
}

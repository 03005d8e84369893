using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Stream commands: argument parsing and replies here, the algorithms and layout in <c>Core/Redis/Types/RedisStreams*.cs</c>.
/// XREAD/XREADGROUP with BLOCK wait through the blocking-pop loop (<see cref="BlockUntilServedAsync"/>).
/// </summary>
internal sealed partial class RespSession
{
    private StreamNodeLimits NodeLimits() => new(
        long.TryParse(_server.Tuning.Value("stream-node-max-entries"), out long entries) ? entries : 100,
        long.TryParse(_server.Tuning.Value("stream-node-max-bytes"), out long bytes) ? bytes : 4096);

    private RedisError ExecuteStream(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        switch (id)
        {
            case CommandId.XAdd:
                {
                    RedisArgs all = Args(0);
                    StreamNodeLimits limits = NodeLimits();
                    RedisError error = RedisStreams.ParseTrimArgs(all, xadd: true, limits, out StreamTrimArgs args, out int idIndex);
                    if (error != RedisError.None)
                    {
                        return error;
                    }

                    int fields = _argc - idIndex - 1;
                    if (fields < 2 || fields % 2 != 0)
                    {
                        return RedisError.WrongArgumentCount;
                    }

                    error = RedisStreams.Add(_keyspace, key, args, all.Slice(idIndex + 1), limits, out StreamId? added);
                    if (error == RedisError.None)
                    {
                        if (added is { } a)
                        {
                            WriteStreamId(a);
                        }
                        else
                        {
                            _out.WriteNull();
                        }
                    }

                    return error;
                }

            case CommandId.XLen:
                {
                    RedisError error = RedisStreams.Length(_keyspace, key, out long length);
                    _out.WriteInteger(length);
                    return error;
                }

            case CommandId.XRange:
            case CommandId.XRevRange:
                return StreamRange(key, id == CommandId.XRevRange);
            case CommandId.XDel:
                {
                    RedisError error = RedisStreams.Length(_keyspace, key, out _);
                    if (error != RedisError.None || _keyspace.Lookup(key, out _) == RedisType.None)
                    {
                        _out.WriteInteger(0);
                        return error;
                    }

                    if (!RedisStreams.TryParseIds(Args(2), out List<StreamId> ids))
                    {
                        return RedisError.StreamInvalidId;
                    }

                    error = RedisStreams.Delete(_keyspace, key, ids, out long deleted);
                    _out.WriteInteger(deleted);
                    return error;
                }

            case CommandId.XTrim:
                {
                    RedisError error = RedisStreams.ParseTrimArgs(Args(0), xadd: false, NodeLimits(), out StreamTrimArgs args, out _);
                    if (error == RedisError.None)
                    {
                        error = RedisStreams.Trim(_keyspace, key, args, out long deleted);
                        _out.WriteInteger(deleted);
                    }

                    return error;
                }

            case CommandId.XSetId:
                return StreamSetId(key);
            case CommandId.XRead:
            case CommandId.XReadGroup:
                {
                    StreamRead read = ParseStreamRead(id == CommandId.XReadGroup);
                    if (read.TimeoutMs >= 0 && _server.Scripts.Running is { } running && ReferenceEquals(running.Session, this))
                    {
                        throw Error($"ERR {Printable(Arg(0))} command is not allowed with BLOCK option from scripts");
                    }

                    if (!TryServeStreams(read))
                    {
                        _out.WriteNullArray(); // nothing to serve, and here (MULTI, script, no BLOCK) nothing waits
                    }

                    return RedisError.None;
                }

            default:
                return ExecuteStreamGroup(id);
        }
    }

    private RedisError StreamRange(ReadOnlySpan<byte> key, bool reverse)
    {
        if (!StreamId.TryParseInterval(Arg(reverse ? 3 : 2), 0, out StreamId start, out bool startExclusive))
        {
            return RedisError.StreamInvalidId;
        }

        if (startExclusive && !start.TryIncrement(out start))
        {
            return RedisError.StreamInvalidStart;
        }

        if (!StreamId.TryParseInterval(Arg(reverse ? 2 : 3), ulong.MaxValue, out StreamId end, out bool endExclusive))
        {
            return RedisError.StreamInvalidId;
        }

        if (endExclusive && !end.TryDecrement(out end))
        {
            return RedisError.StreamInvalidEnd;
        }

        long count = -1;
        for (int i = 4; i < _argc; i++)
        {
            if (ArgIs(i, "COUNT"u8) && i + 1 < _argc)
            {
                if (ArgLong(++i, out count) is { } bad)
                {
                    return bad;
                }

                count = Math.Max(count, 0);
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        RedisError error = RedisStreams.Length(_keyspace, key, out _);
        if (error != RedisError.None)
        {
            return error;
        }

        if (count == 0 && _keyspace.Lookup(key, out _) != RedisType.None)
        {
            _out.WriteNullArray();
            return RedisError.None;
        }

        var entries = new List<StreamEntry>();
        error = RedisStreams.Range(_keyspace, key, start, end, Math.Max(count, 0), reverse, entries);
        WriteStreamEntries(entries);
        return error;
    }

    private RedisError StreamSetId(ReadOnlySpan<byte> key)
    {
        if (!StreamId.TryParse(Arg(2), 0, strict: true, out StreamId id))
        {
            return RedisError.StreamInvalidId;
        }

        long entriesAdded = -1;
        StreamId maxDeleted = StreamId.Min;
        for (int i = 3; i < _argc; i++)
        {
            if (ArgIs(i, "ENTRIESADDED"u8) && i + 1 < _argc)
            {
                if (ArgLong(++i, out entriesAdded) is { } bad)
                {
                    return bad;
                }

                if (entriesAdded < 0)
                {
                    return RedisError.StreamEntriesAddedNegative;
                }
            }
            else if (ArgIs(i, "MAXDELETEDID"u8) && i + 1 < _argc)
            {
                if (!StreamId.TryParse(Arg(++i), 0, strict: true, out maxDeleted))
                {
                    return RedisError.StreamInvalidId;
                }

                if (id < maxDeleted)
                {
                    return RedisError.StreamSetIdMaxDeleted;
                }
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        RedisError error = RedisStreams.SetId(_keyspace, key, id, entriesAdded, maxDeleted);
        if (error == RedisError.None)
        {
            _out.WriteOk();
        }

        return error;
    }

    /// <summary>A parsed XREAD/XREADGROUP. <see cref="Ids"/>: null is <c>&gt;</c> (group) or a <c>$</c> not resolved yet.</summary>
    private sealed class StreamRead
    {
        public int StreamsArg;
        public int Streams;
        public long Count;
        public long TimeoutMs = -1;
        public byte[]? Group;
        public byte[]? Consumer;
        public bool NoAck;
        public StreamId?[] Ids = [];
        public bool[] Dollar = [];
        public bool Blocked;
    }

    private StreamRead ParseStreamRead(bool group)
    {
        var read = new StreamRead();
        string name = group ? "XREADGROUP" : "XREAD";
        for (int i = 1; i < _argc; i++)
        {
            int more = _argc - i - 1;
            if (ArgIs(i, "BLOCK"u8) && more > 0)
            {
                read.TimeoutMs = StreamTimeout(++i);
            }
            else if (ArgIs(i, "COUNT"u8) && more > 0)
            {
                read.Count = Math.Max(0, ArgLong(++i));
            }
            else if (ArgIs(i, "STREAMS"u8) && more > 0)
            {
                read.StreamsArg = i + 1;
                if ((_argc - read.StreamsArg) % 2 != 0)
                {
                    throw Error("ERR Unbalanced " + (group ? "XREADGROUP" : "XREAD") + " list of streams: for each stream key an ID or '$' must be specified.");
                }

                read.Streams = (_argc - read.StreamsArg) / 2;
                break;
            }
            else if (ArgIs(i, "GROUP"u8) && more >= 2)
            {
                if (!group)
                {
                    throw Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                }

                read.Group = ArgBytes(i + 1);
                read.Consumer = ArgBytes(i + 2);
                i += 2;
            }
            else if (ArgIs(i, "NOACK"u8))
            {
                if (!group)
                {
                    throw Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                }

                read.NoAck = true;
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        if (read.StreamsArg == 0)
        {
            throw Error(RedisErrors.Syntax);
        }

        if (group && read.Group is null)
        {
            throw Error("ERR Missing GROUP option for " + name);
        }

        read.Ids = new StreamId?[read.Streams];
        read.Dollar = new bool[read.Streams];
        for (int s = 0; s < read.Streams; s++)
        {
            int at = read.StreamsArg + read.Streams + s;
            ReadOnlySpan<byte> key = Arg(read.StreamsArg + s);
            if (read.Group is not null)
            {
                RedisError error = RedisStreams.FindGroup(_keyspace, key, read.Group, out _);
                if (error == RedisError.StreamNoGroup)
                {
                    throw Error($"NOGROUP No such key '{Printable(key)}' or consumer group '{Printable(read.Group)}' in XREADGROUP with GROUP option");
                }

                if (error != RedisError.None)
                {
                    throw Error(RedisErrors.Text(error));
                }
            }
            else if (_keyspace.Find(key, RedisType.Stream, out _) != RedisError.None)
            {
                throw Error(RedisErrors.WrongType);
            }

            if (Arg(at).SequenceEqual("$"u8))
            {
                if (group)
                {
                    throw Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
                }

                read.Dollar[s] = true;
                RedisStreams.GetState(_keyspace, key, out _, out StreamState state, out bool exists);
                read.Ids[s] = exists ? state.LastId : StreamId.Min;
            }
            else if (Arg(at).SequenceEqual(">"u8))
            {
                if (!group)
                {
                    throw Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
                }
            }
            else if (StreamId.TryParse(Arg(at), 0, strict: true, out StreamId parsed))
            {
                read.Ids[s] = parsed;
            }
            else
            {
                throw Error(RedisErrors.Text(RedisError.StreamInvalidId));
            }
        }

        return read;
    }

    /// <summary>BLOCK's milliseconds as Redis's <c>getTimeoutFromObjectOrReply</c> reads them.</summary>
    private long StreamTimeout(int i)
    {
        if (!RedisNumbers.ParseLong(Arg(i), out long ms))
        {
            throw Error("ERR timeout is not an integer or out of range");
        }

        return ms < 0 ? throw Error("ERR timeout is negative") : ms;
    }

    /// <summary>Serves every stream that has something now; writes the reply and returns true when at least one did.</summary>
    private bool TryServeStreams(StreamRead read)
    {
        var served = new List<(int Stream, List<StreamEntry> Entries)>();
        long count = read.Blocked && read.Count == 0 ? 1000 : read.Count;
        for (int s = 0; s < read.Streams; s++)
        {
            ReadOnlySpan<byte> key = Arg(read.StreamsArg + s);
            var entries = new List<StreamEntry>();
            if (read.Group is not null)
            {
                RedisError error = RedisStreams.ReadGroup(_keyspace, key, read.Group, read.Consumer!, read.Ids[s], count, read.NoAck, entries, out bool now);
                if (error == RedisError.StreamNoGroup)
                {
                    throw Error($"NOGROUP No such key '{Printable(key)}' or consumer group '{Printable(read.Group)}' in XREADGROUP with GROUP option");
                }

                if (error != RedisError.None)
                {
                    throw Error(RedisErrors.Text(error));
                }

                if (now)
                {
                    served.Add((s, entries));
                }

                continue;
            }

            if (!read.Ids[s]!.Value.TryIncrement(out StreamId start))
            {
                continue;
            }

            RedisError rangeError = RedisStreams.Range(_keyspace, key, start, StreamId.Max, count, false, entries);
            if (rangeError != RedisError.None)
            {
                throw Error(RedisErrors.Text(rangeError));
            }

            if (entries.Count > 0)
            {
                served.Add((s, entries));
            }
        }

        if (served.Count == 0)
        {
            return false;
        }

        if (_out.Protocol == 2)
        {
            _out.WriteArrayHeader(served.Count);
        }
        else
        {
            _out.WriteMapHeader(served.Count);
        }

        foreach ((int s, List<StreamEntry> entries) in served)
        {
            if (_out.Protocol == 2)
            {
                _out.WriteArrayHeader(2);
            }

            _out.WriteBulk(Arg(read.StreamsArg + s));
            WriteStreamEntries(entries);
        }

        return true;
    }

    /// <summary>XREAD/XREADGROUP with BLOCK outside MULTI and scripts: parse (and resolve <c>$</c>) once, then wait.</summary>
    private async ValueTask BlockingStreamReadAsync(RespCommandInfo command)
    {
        StreamRead? read = null;
        bool? served = await TryServeOnceAsync(command, (RespCommandInfo _, out bool done) =>
        {
            read = ParseStreamRead(command.Id == CommandId.XReadGroup);
            done = TryServeStreams(read);
            return RedisError.None;
        }).ConfigureAwait(false);
        if (served != false || read is null)
        {
            return;
        }

        var waitKeys = new List<string>();
        for (int s = 0; s < read.Streams; s++)
        {
            waitKeys.Add(KeyspaceSignals.WaitKey(_db, Arg(read.StreamsArg + s)));
        }

        read.Blocked = true;
        long deadline = read.TimeoutMs == 0 ? long.MaxValue : Environment.TickCount64 + Math.Min(read.TimeoutMs, long.MaxValue / 2);
        await BlockUntilServedAsync(command, waitKeys, deadline, (RespCommandInfo _, out bool done) =>
        {
            done = TryServeStreams(read);
            return RedisError.None;
        }).ConfigureAwait(false);
    }

    /// <summary>Whether this XREAD/XREADGROUP asks to BLOCK (then the session waits instead of answering nil).</summary>
    private bool IsBlockingStreamRead(RespCommandInfo command)
    {
        if (command.Id is not (CommandId.XRead or CommandId.XReadGroup))
        {
            return false;
        }

        for (int i = 1; i + 1 < _argc && !ArgIs(i, "STREAMS"u8); i++)
        {
            if (ArgIs(i, "BLOCK"u8))
            {
                return true;
            }
        }

        return false;
    }

    private void WriteStreamId(StreamId id)
    {
        Span<byte> text = stackalloc byte[48];
        _out.WriteBulk(text[..id.Format(text)]);
    }

    private void WriteStreamEntries(List<StreamEntry> entries)
    {
        _out.WriteArrayHeader(entries.Count);
        foreach (StreamEntry entry in entries)
        {
            WriteStreamEntry(entry);
        }
    }

    private void WriteStreamEntry(in StreamEntry entry)
    {
        _out.WriteArrayHeader(2);
        WriteStreamId(entry.Id);
        if (entry.Value is null)
        {
            _out.WriteNullArray();
            return;
        }

        List<byte[]> fields = entry.FieldsAndValues();
        _out.WriteArrayHeader(fields.Count);
        foreach (byte[] f in fields)
        {
            _out.WriteBulk(f);
        }
    }
}

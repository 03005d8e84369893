using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS, in Redis 7.0's reply layout.</summary>
internal sealed partial class RespSession
{
    private RedisError StreamInfo()
    {
        (string Name, int Arity)[] subcommands = [("CONSUMERS", 4), ("GROUPS", 3), ("STREAM", -3), ("HELP", 2)];
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
            throw SubcommandError("XINFO", arity == 0 ? [] : [Printable(Arg(1)).ToUpperInvariant()]);
        }

        if (ArgIs(1, "HELP"u8))
        {
            WriteHelp(["CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.", "GROUPS <key>",
                "    Show the stream consumer groups.", "STREAM <key> [FULL [COUNT <count>]", "    Show information about the stream."]);
            return RedisError.None;
        }

        ReadOnlySpan<byte> key = Arg(2);
        RedisError error = RedisStreams.GetState(_keyspace, key, out long length, out StreamState state, out bool exists);
        if (error != RedisError.None)
        {
            return error;
        }

        if (!exists)
        {
            return RedisError.NoSuchKey;
        }

        if (ArgIs(1, "CONSUMERS"u8))
        {
            if (RedisStreams.FindGroup(_keyspace, key, Arg(3), out _) != RedisError.None)
            {
                throw NoGroupForKey(3, 2);
            }

            List<(byte[] Name, long SeenMs, long Pending)> consumers = RedisStreams.Consumers(_keyspace, key, Arg(3));
            _out.WriteArrayHeader(consumers.Count);
            foreach ((byte[] name, long seen, long pending) in consumers)
            {
                _out.WriteMapHeader(3);
                _out.WriteBulk("name"u8);
                _out.WriteBulk(name);
                _out.WriteBulk("pending"u8);
                _out.WriteInteger(pending);
                _out.WriteBulk("idle"u8);
                _out.WriteInteger(Math.Max(0, _keyspace.NowMs - seen));
            }

            return RedisError.None;
        }

        if (ArgIs(1, "GROUPS"u8))
        {
            List<(byte[] Name, StreamGroup Group)> groups = RedisStreams.Groups(_keyspace, key);
            _out.WriteArrayHeader(groups.Count);
            foreach ((byte[] name, StreamGroup g) in groups)
            {
                _out.WriteMapHeader(6);
                _out.WriteBulk("name"u8);
                _out.WriteBulk(name);
                _out.WriteBulk("consumers"u8);
                _out.WriteInteger(g.Consumers);
                _out.WriteBulk("pending"u8);
                _out.WriteInteger(g.Pending);
                _out.WriteBulk("last-delivered-id"u8);
                WriteStreamId(g.LastId);
                WriteGroupCounters(length, state, g);
            }

            return RedisError.None;
        }

        return StreamInfoStream(key, length, state);
    }

    private void WriteGroupCounters(long length, in StreamState state, in StreamGroup g)
    {
        _out.WriteBulk("entries-read"u8);
        if (g.EntriesRead != RedisStreams.InvalidEntriesRead)
        {
            _out.WriteInteger(g.EntriesRead);
        }
        else
        {
            _out.WriteNull();
        }

        _out.WriteBulk("lag"u8);
        if (RedisStreams.Lag(length, state, g) is { } lag)
        {
            _out.WriteInteger(lag);
        }
        else
        {
            _out.WriteNull();
        }
    }

    private RedisError StreamInfoStream(ReadOnlySpan<byte> key, long length, in StreamState state)
    {
        bool full = _argc > 3;
        long count = 10;
        if (full)
        {
            if ((_argc != 4 && _argc != 6) || !ArgIs(3, "FULL"u8) || (_argc == 6 && !ArgIs(4, "COUNT"u8)))
            {
                throw StreamSubcommandSyntax();
            }

            if (_argc == 6)
            {
                count = ArgLong(5);
                count = count < 0 ? 10 : count;
            }
        }

        long nodes = RedisStreams.NodeCount(_keyspace, key);
        _out.WriteMapHeader(full ? 9 : 10);
        _out.WriteBulk("length"u8);
        _out.WriteInteger(length);
        _out.WriteBulk("radix-tree-keys"u8);
        _out.WriteInteger(nodes);
        _out.WriteBulk("radix-tree-nodes"u8);
        _out.WriteInteger(nodes + 1); // a radix tree's inner nodes have no counterpart here
        _out.WriteBulk("last-generated-id"u8);
        WriteStreamId(state.LastId);
        _out.WriteBulk("max-deleted-entry-id"u8);
        WriteStreamId(state.MaxDeletedId);
        _out.WriteBulk("entries-added"u8);
        _out.WriteInteger(state.EntriesAdded);
        _out.WriteBulk("recorded-first-entry-id"u8);
        WriteStreamId(state.FirstId);
        if (!full)
        {
            _out.WriteBulk("groups"u8);
            _out.WriteInteger(state.Groups);
            foreach (bool last in (ReadOnlySpan<bool>)[false, true])
            {
                _out.WriteBulk(last ? "last-entry"u8 : "first-entry"u8);
                var edge = new List<StreamEntry>();
                RedisStreams.Range(_keyspace, key, StreamId.Min, StreamId.Max, 1, last, edge);
                if (edge.Count == 0)
                {
                    _out.WriteNull();
                }
                else
                {
                    WriteStreamEntry(edge[0]);
                }
            }

            return RedisError.None;
        }

        var entries = new List<StreamEntry>();
        RedisError error = RedisStreams.Range(_keyspace, key, StreamId.Min, StreamId.Max, count, false, entries);
        _out.WriteBulk("entries"u8);
        WriteStreamEntries(entries);
        _out.WriteBulk("groups"u8);
        List<(byte[] Name, StreamGroup Group)> groups = RedisStreams.Groups(_keyspace, key);
        _out.WriteArrayHeader(groups.Count);
        foreach ((byte[] name, StreamGroup g) in groups)
        {
            _out.WriteMapHeader(7);
            _out.WriteBulk("name"u8);
            _out.WriteBulk(name);
            _out.WriteBulk("last-delivered-id"u8);
            WriteStreamId(g.LastId);
            WriteGroupCounters(length, state, g);
            _out.WriteBulk("pel-count"u8);
            _out.WriteInteger(g.Pending);
            _out.WriteBulk("pending"u8);
            List<StreamPendingEntry> pel = RedisStreams.PendingEntries(_keyspace, key, name, default, false, count);
            _out.WriteArrayHeader(pel.Count);
            foreach (StreamPendingEntry p in pel)
            {
                _out.WriteArrayHeader(4);
                WriteStreamId(p.Id);
                _out.WriteBulk(p.Consumer);
                _out.WriteInteger(p.DeliveryTimeMs);
                _out.WriteInteger(p.DeliveryCount);
            }

            _out.WriteBulk("consumers"u8);
            List<(byte[] Name, long SeenMs, long Pending)> consumers = RedisStreams.Consumers(_keyspace, key, name);
            _out.WriteArrayHeader(consumers.Count);
            foreach ((byte[] consumer, long seen, long pending) in consumers)
            {
                _out.WriteMapHeader(4);
                _out.WriteBulk("name"u8);
                _out.WriteBulk(consumer);
                _out.WriteBulk("seen-time"u8);
                _out.WriteInteger(seen);
                _out.WriteBulk("pel-count"u8);
                _out.WriteInteger(pending);
                _out.WriteBulk("pending"u8);
                List<StreamPendingEntry> own = RedisStreams.PendingEntries(_keyspace, key, name, consumer, true, count);
                _out.WriteArrayHeader(own.Count);
                foreach (StreamPendingEntry p in own)
                {
                    _out.WriteArrayHeader(3);
                    WriteStreamId(p.Id);
                    _out.WriteInteger(p.DeliveryTimeMs);
                    _out.WriteInteger(p.DeliveryCount);
                }
            }
        }

        return error;
    }
}

using System.Net.Sockets;
using System.Threading.Channels;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>Subscriptions of this connection and the queue that delivers published messages to it.</summary>
internal sealed partial class RespSession
{
    private HashSet<string>? _channels;
    private HashSet<string>? _patterns;
    private Channel<byte[]>? _push;
    private Task? _pushPump;
    private Lock? _pushGate;
    private long _pushBytes;
    private long _pushSoftSinceMs;

    private int SubscriptionCount => (_channels?.Count ?? 0) + (_patterns?.Count ?? 0);

    private void Subscribe(bool pattern)
    {
        EnsurePushPump();
        HashSet<string> set = pattern ? (_patterns ??= new(StringComparer.Ordinal)) : (_channels ??= new(StringComparer.Ordinal));
        for (int i = 1; i < _argc; i++)
        {
            string name = PubSubBroker.Name(Arg(i));
            if (set.Add(name))
            {
                _server.PubSub.Subscribe(name, this, pattern);
            }

            _connection.WaitsOnPurpose = true;
            _out.WritePushHeader(3);
            _out.WriteBulk(pattern ? "psubscribe"u8 : "subscribe"u8);
            _out.WriteBulk(Arg(i));
            _out.WriteInteger(SubscriptionCount);
        }
    }

    private void Unsubscribe(bool pattern)
    {
        try
        {
            UnsubscribeAndReply(pattern);
        }
        finally
        {
            _connection.WaitsOnPurpose = SubscriptionCount > 0;
        }
    }

    private void UnsubscribeAndReply(bool pattern)
    {
        HashSet<string>? set = pattern ? _patterns : _channels;
        ReadOnlySpan<byte> kind = pattern ? "punsubscribe"u8 : "unsubscribe"u8;
        if (_argc == 1)
        {
            if (set is null || set.Count == 0)
            {
                _out.WritePushHeader(3);
                _out.WriteBulk(kind);
                _out.WriteNull();
                _out.WriteInteger(SubscriptionCount);
                return;
            }

            foreach (string name in set.ToArray())
            {
                set.Remove(name);
                _server.PubSub.Unsubscribe(name, this, pattern);
                _out.WritePushHeader(3);
                _out.WriteBulk(kind);
                _out.WriteBulk(PubSubBroker.Bytes(name));
                _out.WriteInteger(SubscriptionCount);
            }

            return;
        }

        for (int i = 1; i < _argc; i++)
        {
            string name = PubSubBroker.Name(Arg(i));
            if (set is not null && set.Remove(name))
            {
                _server.PubSub.Unsubscribe(name, this, pattern);
            }

            _out.WritePushHeader(3);
            _out.WriteBulk(kind);
            _out.WriteBulk(Arg(i));
            _out.WriteInteger(SubscriptionCount);
        }
    }

    private void PubSubCommand()
    {
        if (ArgIs(1, "CHANNELS"u8) && _argc <= 3)
        {
            List<string> channels = _server.PubSub.Channels(_argc == 3 ? Arg(2) : default, _argc == 2);
            _out.WriteArrayHeader(channels.Count);
            foreach (string c in channels)
            {
                _out.WriteBulk(PubSubBroker.Bytes(c));
            }
        }
        else if (ArgIs(1, "NUMSUB"u8))
        {
            _out.WriteMapHeader(_argc - 2);
            for (int i = 2; i < _argc; i++)
            {
                _out.WriteBulk(Arg(i));
                _out.WriteInteger(_server.PubSub.SubscriberCount(PubSubBroker.Name(Arg(i))));
            }
        }
        else if (ArgIs(1, "NUMPAT"u8) && _argc == 2)
        {
            _out.WriteInteger(_server.PubSub.PatternCount());
        }
        else
        {
            throw SubcommandError("PUBSUB", ["CHANNELS", "NUMSUB", "NUMPAT"]);
        }
    }

    private void LeaveAllSubscriptions()
    {
        _connection.WaitsOnPurpose = false;
        if (_channels is not null)
        {
            foreach (string c in _channels)
            {
                _server.PubSub.Unsubscribe(c, this, false);
            }

            _channels.Clear();
        }

        if (_patterns is not null)
        {
            foreach (string p in _patterns)
            {
                _server.PubSub.Unsubscribe(p, this, true);
            }

            _patterns.Clear();
        }
    }

    private void EnsurePushPump()
    {
        if (_push is not null)
        {
            return;
        }

        _push = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(_server.Options.MaxPendingPushMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pushGate = new Lock();
        _pushPump = PumpPushAsync(_push.Reader);
    }

    /// <summary>
    /// Called by PUBLISH on another connection: encodes the message for this connection's protocol and queues it. The
    /// queued bytes not yet sent count against the pubsub class's output limit (Redis: client-output-buffer-limit pubsub).
    /// </summary>
    internal void EnqueueMessage(string? pattern, byte[] channel, byte[] message)
    {
        Channel<byte[]>? push = _push;
        if (push is null || _pushGate is null || _closing || _connection.IsKilled)
        {
            return;
        }

        using var writer = new RespWriter(new byte[channel.Length + message.Length + (pattern?.Length ?? 0) + 96]) { Protocol = _out.Protocol };
        if (pattern is null)
        {
            writer.WritePushHeader(3);
            writer.WriteBulk("message"u8);
        }
        else
        {
            writer.WritePushHeader(4);
            writer.WriteBulk("pmessage"u8);
            writer.WriteBulk(PubSubBroker.Bytes(pattern));
        }

        writer.WriteBulk(channel);
        writer.WriteBulk(message);
        byte[] frame = writer.Written.ToArray();
        OutputLimit limit = _server.Options.OutputLimits.PubSub;
        long pending;
        bool broken;
        lock (_pushGate)
        {
            pending = _pushBytes + frame.Length;
            broken = limit.IsBroken(pending, ref _pushSoftSinceMs, Environment.TickCount64);
            if (!broken)
            {
                _pushBytes = pending;
            }
        }

        if (broken)
        {
            _conn.CloseForOutputLimit($"pubsub: {pending} bytes of messages unsent; {limit.Describe("pubsub")}");
        }
        else if (!push.Writer.TryWrite(frame))
        {
            _conn.CloseForOutputLimit($"pubsub: more than {_server.Options.MaxPendingPushMessages} messages unsent");
        }
    }

    private async Task PumpPushAsync(ChannelReader<byte[]> reader)
    {
        try
        {
            while (await reader.WaitToReadAsync(_connection.Killed).ConfigureAwait(false))
            {
                while (reader.TryRead(out byte[]? frame))
                {
                    // between replies (the transport serialises sends); counted against the pubsub limit until sent
                    await _conn.SendAsync(frame).ConfigureAwait(false);

                    lock (_pushGate!)
                    {
                        _pushBytes -= frame.Length;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            _connection.Kill();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

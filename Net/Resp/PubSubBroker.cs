using System.Text;
using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>Channel and pattern subscriptions of all sessions; PUBLISH fans a message out to their push queues.</summary>
internal sealed class PubSubBroker
{
    private readonly Dictionary<string, HashSet<RespSession>> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<RespSession>> _patterns = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public static string Name(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static byte[] Bytes(string name) => Encoding.Latin1.GetBytes(name);

    public void Subscribe(string channel, RespSession session, bool pattern)
    {
        lock (_gate)
        {
            Dictionary<string, HashSet<RespSession>> map = pattern ? _patterns : _channels;
            if (!map.TryGetValue(channel, out HashSet<RespSession>? set))
            {
                map[channel] = set = [];
            }

            set.Add(session);
        }
    }

    public void Unsubscribe(string channel, RespSession session, bool pattern)
    {
        lock (_gate)
        {
            Dictionary<string, HashSet<RespSession>> map = pattern ? _patterns : _channels;
            if (map.TryGetValue(channel, out HashSet<RespSession>? set) && set.Remove(session) && set.Count == 0)
            {
                map.Remove(channel);
            }
        }
    }

    /// <summary>Delivers to channel subscribers and matching pattern subscribers; returns the number of receivers.</summary>
    public int Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        var targets = new List<(RespSession Session, string? Pattern)>();
        string name = Name(channel);
        lock (_gate)
        {
            if (_channels.TryGetValue(name, out HashSet<RespSession>? set))
            {
                foreach (RespSession s in set)
                {
                    targets.Add((s, null));
                }
            }

            foreach (KeyValuePair<string, HashSet<RespSession>> p in _patterns)
            {
                if (GlobPattern.IsMatch(Bytes(p.Key), channel))
                {
                    foreach (RespSession s in p.Value)
                    {
                        targets.Add((s, p.Key));
                    }
                }
            }
        }

        byte[] channelBytes = channel.ToArray();
        byte[] messageBytes = message.ToArray();
        foreach ((RespSession session, string? pattern) in targets)
        {
            session.EnqueueMessage(pattern, channelBytes, messageBytes);
        }

        return targets.Count;
    }

    public List<string> Channels(ReadOnlySpan<byte> pattern, bool all)
    {
        lock (_gate)
        {
            var list = new List<string>();
            foreach (string c in _channels.Keys)
            {
                if (all || GlobPattern.IsMatch(pattern, Bytes(c)))
                {
                    list.Add(c);
                }
            }

            return list;
        }
    }

    public int SubscriberCount(string channel)
    {
        lock (_gate)
        {
            return _channels.TryGetValue(channel, out HashSet<RespSession>? set) ? set.Count : 0;
        }
    }

    public int PatternCount()
    {
        lock (_gate)
        {
            return _patterns.Count;
        }
    }
}

namespace ThunderDb.Core.Sql.Engine;

/// <summary>Where a session's notifications go: the protocol connection sends them as NotificationResponse.</summary>
public interface INotificationListener
{
    /// <summary>Called from the notifying session's thread right after its commit; must not block.</summary>
    void Deliver(int senderProcessId, string channel, string payload);
}

/// <summary>
/// LISTEN / NOTIFY between the sessions of one server (PostgreSQL's async.c, without its on-disk queue): a channel
/// maps to the listeners registered on it; a committed transaction's notifications go to every listener of their
/// channel, the notifying session included when it listens. Nothing survives a restart, as in PostgreSQL.
/// </summary>
public sealed class NotificationHub
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<INotificationListener>> _channels = new(StringComparer.Ordinal);

    public void Listen(string channel, INotificationListener listener)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channel, out HashSet<INotificationListener>? set))
            {
                _channels[channel] = set = [];
            }

            set.Add(listener);
        }
    }

    public void Unlisten(string channel, INotificationListener listener)
    {
        lock (_gate)
        {
            if (_channels.TryGetValue(channel, out HashSet<INotificationListener>? set) && set.Remove(listener) && set.Count == 0)
            {
                _channels.Remove(channel);
            }
        }
    }

    /// <summary>The number of channels with at least one listener (for tests and metrics).</summary>
    public int ChannelCount
    {
        get
        {
            lock (_gate)
            {
                return _channels.Count;
            }
        }
    }

    /// <summary>Delivers one committed transaction's notifications, in the order they were sent.</summary>
    public void Publish(int senderProcessId, IReadOnlyList<(string Channel, string Payload)> notifications)
    {
        var deliveries = new List<(INotificationListener Listener, string Channel, string Payload)>();
        lock (_gate)
        {
            foreach ((string channel, string payload) in notifications)
            {
                if (_channels.TryGetValue(channel, out HashSet<INotificationListener>? set))
                {
                    foreach (INotificationListener listener in set)
                    {
                        deliveries.Add((listener, channel, payload));
                    }
                }
            }
        }

        // outside the lock: a listener queues and wakes its connection, it never calls back in here
        foreach ((INotificationListener listener, string channel, string payload) in deliveries)
        {
            listener.Deliver(senderProcessId, channel, payload);
        }
    }
}

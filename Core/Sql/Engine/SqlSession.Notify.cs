using System.Text;
using ThunderDb.Core.Sql.Functions;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// LISTEN / UNLISTEN / NOTIFY and pg_notify, as PostgreSQL's async.c: all three take effect when the transaction
/// commits (a rollback, or ROLLBACK TO a savepoint set before them, forgets them); one transaction's identical
/// notifications are sent once; payloads are shorter than 8000 bytes.
/// </summary>
public sealed partial class SqlSession
{
    private const int MaxPayloadBytes = 7999;
    private const int MaxChannelLength = 63;

    private readonly HashSet<string> _listening = new(StringComparer.Ordinal);
    private readonly List<(bool Listen, string? Channel)> _pendingListens = [];
    private readonly List<(string Channel, string Payload)> _pendingNotifies = [];

    /// <summary>Where this session's notifications go (the protocol connection); LISTEN needs one.</summary>
    public INotificationListener? NotificationListener { get; set; }

    /// <summary>The channels this session listens on (committed LISTENs).</summary>
    public IReadOnlyCollection<string> ListeningChannels => _listening;

    private StatementResult ListenCommand(Ast.ListenStatement statement)
    {
        switch (statement.Kind)
        {
            case Ast.ListenKind.Listen:
                if (NotificationListener is null)
                {
                    throw new SqlException(SqlState.FeatureNotSupported, "LISTEN needs a client connection that can receive notifications");
                }

                _pendingListens.Add((true, CheckChannel(statement.Channel)));
                return new StatementResult("LISTEN");
            case Ast.ListenKind.Unlisten:
                _pendingListens.Add((false, statement.Channel is null ? null : CheckChannel(statement.Channel)));
                return new StatementResult("UNLISTEN");
            default:
                QueueNotify(statement.Channel ?? "", statement.Payload ?? "");
                return new StatementResult("NOTIFY");
        }
    }

    private static string CheckChannel(string? channel)
    {
        if (string.IsNullOrEmpty(channel))
        {
            throw new SqlException(SqlState.InvalidParameterValue, "channel name cannot be empty");
        }

        return channel.Length > MaxChannelLength ? throw new SqlException(SqlState.InvalidParameterValue, "channel name too long") : channel;
    }

    private void QueueNotify(string channel, string payload)
    {
        CheckChannel(channel);
        if (Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
        {
            throw new SqlException(SqlState.InvalidParameterValue, "payload string too long");
        }

        if (!_pendingNotifies.Contains((channel, payload)))
        {
            _pendingNotifies.Add((channel, payload));
        }
    }

    void ISessionServices.Notify(string channel, string payload) => QueueNotify(channel, payload);

    /// <summary>After a commit: the transaction's LISTEN / UNLISTEN take effect, then its notifications go out.</summary>
    private void ApplyNotifications()
    {
        if (_pendingListens.Count > 0)
        {
            foreach ((bool listen, string? channel) in _pendingListens)
            {
                if (listen)
                {
                    if (_listening.Add(channel!) && NotificationListener is { } listener)
                    {
                        _engine.Notifications.Listen(channel!, listener);
                    }
                }
                else
                {
                    UnlistenNow(channel);
                }
            }

            _pendingListens.Clear();
        }

        if (_pendingNotifies.Count > 0)
        {
            _engine.Notifications.Publish(BackendPid, [.. _pendingNotifies]);
            _pendingNotifies.Clear();
        }
    }

    /// <summary>Stops listening on <paramref name="channel"/>, or on every channel when null (UNLISTEN *, DISCARD ALL, disconnect).</summary>
    private void UnlistenNow(string? channel)
    {
        if (NotificationListener is not { } listener)
        {
            _listening.Clear();
            return;
        }

        if (channel is null)
        {
            foreach (string c in _listening)
            {
                _engine.Notifications.Unlisten(c, listener);
            }

            _listening.Clear();
        }
        else if (_listening.Remove(channel))
        {
            _engine.Notifications.Unlisten(channel, listener);
        }
    }

    /// <summary>A savepoint's ROLLBACK TO forgets the LISTEN / NOTIFY queued since it was set.</summary>
    private void TruncatePendingNotifications(int listens, int notifies)
    {
        _pendingListens.RemoveRange(listens, _pendingListens.Count - listens);
        _pendingNotifies.RemoveRange(notifies, _pendingNotifies.Count - notifies);
    }
}

using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// NotificationResponse delivery. Another session's commit queues a notification here; a connection blocked on
/// reading its next message (idle) gets it at once, written by the notifier under the send gate, and a busy one
/// gets it when it next goes idle, after its ReadyForQuery (as PostgreSQL sends them between commands). The queue
/// is bounded: past <see cref="MaxQueued"/> undelivered notifications the newest are dropped, with a warning.
/// </summary>
internal sealed partial class PgConnection : INotificationListener
{
    private const int MaxQueued = 10_000;

    private readonly ConcurrentQueue<(int Sender, string Channel, string Payload)> _notifications = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly PgWriter _notifyOut = new(OutputLimit.Unlimited);
    private int _queued;
    private bool _idle;
    private bool _warnedFull;

    void INotificationListener.Deliver(int senderProcessId, string channel, string payload)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueued)
        {
            Interlocked.Decrement(ref _queued);
            if (!_warnedFull)
            {
                _warnedFull = true;
                _server.Logger.LogWarning("pg: connection {Remote} does not read its notifications; dropping new ones", _connection?.Remote ?? "?");
            }

            return;
        }

        _notifications.Enqueue((senderProcessId, channel, payload));
        _ = SendIfIdleAsync();
    }

    /// <summary>Whether this connection may receive notifications (it listens, or some are still queued).</summary>
    private bool MayBeNotified => _session!.ListeningChannels.Count > 0 || !_notifications.IsEmpty;

    private void WriteQueuedNotifications(PgWriter w)
    {
        while (_notifications.TryDequeue(out (int Sender, string Channel, string Payload) n))
        {
            Interlocked.Decrement(ref _queued);
            w.Begin((byte)'A');
            w.Int32(n.Sender);
            w.CString(n.Channel);
            w.CString(n.Payload);
            w.End();
        }

        _warnedFull = false;
    }

    /// <summary>The message loop is about to block on a read: queued notifications go out, and later ones are written by their notifier.</summary>
    private async Task EnterIdleAsync()
    {
        await _sendGate.WaitAsync(Killed).ConfigureAwait(false);
        try
        {
            WriteQueuedNotifications(_out);
            await _out.FlushAsync(_conn).ConfigureAwait(false);
            _idle = true;
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>A message arrived: from now on the loop owns the output again.</summary>
    private async Task LeaveIdleAsync()
    {
        await _sendGate.WaitAsync(Killed).ConfigureAwait(false);
        _idle = false;
        _sendGate.Release();
    }

    private async Task SendIfIdleAsync()
    {
        try
        {
            await _sendGate.WaitAsync(Killed).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (_idle && !_notifications.IsEmpty)
            {
                WriteQueuedNotifications(_notifyOut);
                await _notifyOut.FlushAsync(_conn).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // the connection is closing; its session unlistens as it goes
        }
        finally
        {
            _sendGate.Release();
        }
    }
}

using Microsoft.Extensions.Logging;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Closes RESP connections that hold a slot without using it, as Redis's client cron does: a connection that has
/// not authenticated within <see cref="RespServerOptions.AuthenticationTimeout"/> (when authentication is on;
/// PostgreSQL's authentication_timeout), and, when <see cref="RespServerOptions.IdleTimeout"/> is set (Redis
/// <c>timeout</c>), one that sent nothing for that long. Subscribers and clients inside a command (a blocking pop)
/// are not idle.
/// </summary>
internal static class RespClientTimeouts
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(RespServer server, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Tick, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Sweep(server, Environment.TickCount64);
        }
    }

    private static void Sweep(RespServer server, long nowTicks)
    {
        RespServerOptions options = server.Options;
        long authMs = options.AuthEnabled ? (long)options.AuthenticationTimeout.TotalMilliseconds : 0;
        long idleMs = (long)options.IdleTimeout.TotalMilliseconds;
        if (authMs <= 0 && idleMs <= 0)
        {
            return;
        }

        foreach (ClientConnection c in server.Registry.Snapshot())
        {
            if (c.Protocol != RespServer.ProtocolName || c.IsKilled)
            {
                continue;
            }

            if (authMs > 0 && c.User is null && nowTicks - c.AuthenticationStartedTicks > authMs)
            {
                server.Logger.LogInformation("Client id={Id} addr={Remote} closed: not authenticated within {Seconds} s",
                    c.Id, c.Remote, authMs / 1000.0);
                c.Kill();
            }
            else if (idleMs > 0 && !c.WaitsOnPurpose && c.CommandStartedTicks == 0 && nowTicks - c.LastActivityTicks > idleMs)
            {
                server.Logger.LogDebug("Closing idle client id={Id} addr={Remote}", c.Id, c.Remote);
                c.Kill();
            }
        }
    }
}

using System.Net;
using System.Net.Sockets;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Transport;

/// <summary>Listen sockets: a restart binds over TIME_WAIT connections; a port another server listens on stays taken.</summary>
public class ListenSocketTests
{
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);

    [Test]
    [Timeout(30_000)]
    public async Task A_port_another_listener_holds_is_refused(CancellationToken ct)
    {
        using var first = ListenSocket.Bind(AnyLoopbackPort);
        first.Listen();
        var port = ((IPEndPoint)first.LocalEndPoint!).Port;

        var error = Assert.Throws<SocketException>(() => ListenSocket.Bind(new IPEndPoint(IPAddress.Loopback, port)).Dispose());
        await Assert.That(error.SocketErrorCode).IsEqualTo(SocketError.AddressAlreadyInUse);
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_port_whose_closed_connections_sit_in_time_wait_binds_again(CancellationToken ct)
    {
        // A connection whose local port is P closes first, so P sits in TIME_WAIT: what a client's ephemeral port (or the
        // previous server process's side of its connections) leaves behind.
        int port;
        using (var peer = ListenSocket.Bind(AnyLoopbackPort))
        {
            peer.Listen();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Bind(AnyLoopbackPort);
            port = ((IPEndPoint)client.LocalEndPoint!).Port;
            await client.ConnectAsync(peer.LocalEndPoint!, ct);
            using var served = await peer.AcceptAsync(ct);
            client.Shutdown(SocketShutdown.Both);
            await Assert.That(await served.ReceiveAsync(new byte[1], SocketFlags.None, ct)).IsEqualTo(0);
            served.Shutdown(SocketShutdown.Both);
            await Assert.That(await client.ReceiveAsync(new byte[1], SocketFlags.None, ct)).IsEqualTo(0);
        }

        using var restarted = ListenSocket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        restarted.Listen();
        await Assert.That(((IPEndPoint)restarted.LocalEndPoint!).Port).IsEqualTo(port);
    }
}

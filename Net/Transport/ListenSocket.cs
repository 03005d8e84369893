using System.Net;
using System.Net.Sockets;

namespace ThunderDb.Net.Transport;

/// <summary>The bound, not yet listening, socket of every port the server serves (the protocols and the admin HTTP).</summary>
public static class ListenSocket
{
    // Linux's <sys/socket.h>: SOL_SOCKET, SO_REUSEADDR.
    private const int SolSocket = 1;
    private const int SoReuseAddress = 2;

    /// <summary>
    /// Binds with SO_REUSEADDR alone, set raw: a restart must bind while connections of the previous process (or clients'
    /// ephemeral ports) sit in TIME_WAIT on the port, yet a port another server listens on must still fail with
    /// "address already in use". .NET's <see cref="SocketOptionName.ReuseAddress"/> also sets SO_REUSEPORT on Linux, which
    /// let a second server bind a live port and silently take part of its connections. The IPv6 any-address also takes
    /// IPv4, as Kestrel's own listen socket does.
    /// </summary>
    public static Socket Bind(EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (OperatingSystem.IsLinux())
            {
                Span<byte> on = stackalloc byte[sizeof(int)];
                BitConverter.TryWriteBytes(on, 1);
                socket.SetRawSocketOption(SolSocket, SoReuseAddress, on);
            }

            if (endPoint is IPEndPoint ip && ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

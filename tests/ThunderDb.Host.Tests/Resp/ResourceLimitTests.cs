using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>The resident memory clients can make the real server hold (issue 9, hole 3), measured on the process.</summary>
[NotInParallel("thunderdb-process")]
public class ResourceLimitTests
{
    private const long MiB = 1 << 20;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Clients_that_never_authenticated_cannot_make_the_server_hold_memory(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var hash = BCrypt.Net.BCrypt.HashPassword("pw", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        await using var server = await RunningServer.StartAsync(dir, sections: $"""
            [security]
            authentication_enabled = true
            superuser_password_hash = "{hash}"
            """, ct: ct);
        long before = ResidentBytes(server);

        // Six clients announce a 512 MB bulk and send 16 MB of it, as in the probe that took the server to 3.1 GB.
        string[] replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SendBigBulkAsync(server.RespPort, 16 * MiB, ct)));
        foreach (string reply in replies)
        {
            await Assert.That(reply).IsEqualTo("-ERR Protocol error: unauthenticated bulk length\r\n");
        }

        await Assert.That(ResidentBytes(server) - before).IsLessThan(32 * MiB);
    }

    [Test]
    [Timeout(120_000)]
    public async Task Memory_of_a_large_request_goes_back_once_it_is_done(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        long before = ResidentBytes(server);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => EchoAsync(server.RespPort, 40 * MiB, ct)));

        long after = ResidentBytes(server);
        for (int i = 0; i < 50 && after - before >= 32 * MiB; i++)
        {
            await Task.Delay(100, ct);
            after = ResidentBytes(server);
        }

        await Assert.That(after - before).IsLessThan(32 * MiB);
    }

    private static async Task<string> SendBigBulkAsync(int port, long bytes, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port, ct);
        await socket.SendAsync("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n"u8.ToArray(), SocketFlags.None, ct);
        byte[] chunk = new byte[MiB];
        try
        {
            for (long sent = 0; sent < bytes; sent += chunk.Length)
            {
                await socket.SendAsync(chunk, SocketFlags.None, ct);
            }
        }
        catch (SocketException)
        {
            // the server closed the connection after its error reply
        }

        return await ReadUntilClosedAsync(socket, ct);
    }

    private static async Task EchoAsync(int port, long bytes, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port, ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"*2\r\n$4\r\nECHO\r\n${bytes}\r\n"), SocketFlags.None, ct);
        byte[] chunk = new byte[MiB];
        Array.Fill(chunk, (byte)'x');
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            await socket.SendAsync(chunk, SocketFlags.None, ct);
        }

        await socket.SendAsync("\r\n"u8.ToArray(), SocketFlags.None, ct);
        long expected = bytes + bytes.ToString(CultureInfo.InvariantCulture).Length + 5; // $<n>\r\n<bytes>\r\n
        long received = 0;
        while (received < expected)
        {
            int n = await socket.ReceiveAsync(chunk, SocketFlags.None, ct);
            if (n == 0)
            {
                break;
            }

            received += n;
        }

        await Assert.That(received).IsEqualTo(expected);
    }

    private static async Task<string> ReadUntilClosedAsync(Socket socket, CancellationToken ct)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (SocketException)
        {
            // reset: the server closed with unread bytes
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            text.Append("<still open>");
        }

        return text.ToString();
    }

    private static long ResidentBytes(RunningServer server)
    {
        foreach (string line in File.ReadLines($"/proc/{server.Process.Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS for the server process");
    }
}

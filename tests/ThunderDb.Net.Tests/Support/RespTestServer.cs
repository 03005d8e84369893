using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Support;

/// <summary>A real RESP server on 127.0.0.1 (ephemeral port) over the in-memory database.</summary>
public sealed class RespTestServer : IAsyncDisposable
{
    private RespTestServer(RespServer server, InMemoryKvDatabase database)
    {
        Server = server;
        Database = database;
    }

    public RespServer Server { get; }

    public InMemoryKvDatabase Database { get; }

    public int Port => Server.LocalEndPoint!.Port;

    public string Endpoint => "127.0.0.1:" + Port;

    public static RespTestServer Start(RespServerOptions? options = null, InMemoryKvDatabase? database = null)
    {
        database ??= new InMemoryKvDatabase();
        var server = new RespServer(database, options ?? new RespServerOptions(), NullLogger.Instance, new ConnectionRegistry());
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return new RespTestServer(server, database);
    }

    public async Task<RawClient> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        return new RawClient(socket);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>A byte-level client: sends exactly what the test says and reads exactly one reply frame.</summary>
public sealed class RawClient(Socket socket) : IDisposable
{
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;

    public Socket Socket => socket;

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await socket.SendAsync(bytes, SocketFlags.None);

    public static string Command(params string[] args)
    {
        var sb = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        return sb.ToString();
    }

    /// <summary>Sends a command and returns its whole reply frame as text (CRLFs included).</summary>
    public async Task<string> CallAsync(params string[] args)
    {
        await SendAsync(Command(args));
        return await ReadFrameAsync();
    }

    public async Task<string> ReadFrameAsync(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            int length = FrameLength(_buffer.AsSpan(_start, _end - _start));
            if (length > 0)
            {
                string frame = Encoding.UTF8.GetString(_buffer, _start, length);
                _start += length;
                return frame;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int n = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                return _end > _start ? Encoding.UTF8.GetString(_buffer, _start, _end - _start) + "<closed>" : "<closed>";
            }

            _end += n;
        }
    }

    /// <summary>True when the server closed the connection (reads return 0) within the time.</summary>
    public async Task<bool> IsClosedAsync(int timeoutMs = 3000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    return true;
                }

                _end += n;
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Length of the first complete RESP frame in <paramref name="data"/>, or 0.</summary>
    public static int FrameLength(ReadOnlySpan<byte> data)
    {
        int pos = 0;
        return Skip(data, ref pos) ? pos : 0;
    }

    private static bool Skip(ReadOnlySpan<byte> d, ref int pos)
    {
        if (pos >= d.Length)
        {
            return false;
        }

        byte kind = d[pos];
        int lineEnd = d[pos..].IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return false;
        }

        string header = Encoding.UTF8.GetString(d.Slice(pos + 1, lineEnd - 1));
        pos += lineEnd + 2;
        switch ((char)kind)
        {
            case '$':
            case '=':
            case '!':
                {
                    int len = int.Parse(header, System.Globalization.CultureInfo.InvariantCulture);
                    if (len < 0)
                    {
                        return true;
                    }

                    if (d.Length - pos < len + 2)
                    {
                        return false;
                    }

                    pos += len + 2;
                    return true;
                }

            case '*':
            case '~':
            case '>':
            case '%':
                {
                    int n = int.Parse(header, System.Globalization.CultureInfo.InvariantCulture);
                    if (kind == '%')
                    {
                        n *= 2;
                    }

                    for (int i = 0; i < n; i++)
                    {
                        if (!Skip(d, ref pos))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            default:
                return true;
        }
    }

    public void Dispose() => socket.Dispose();
}

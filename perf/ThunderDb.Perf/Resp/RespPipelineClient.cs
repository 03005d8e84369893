using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Transport;

namespace ThunderDb.Perf.Resp;

/// <summary>
/// A RESP server over the stub store and one loopback client that sends prepared batches of
/// <see cref="Pipeline"/> identical commands and reads back exactly the expected reply bytes: the harness of the
/// socket-loop benchmarks (every row is one round trip of a batch).
/// </summary>
internal sealed class RespPipelineClient : IDisposable
{
    public const int Pipeline = 16;

    private readonly byte[] _receive = new byte[64 * 1024];
    private readonly RespServer _server;
    private readonly Socket _client;

    public RespPipelineClient()
    {
        _server = new RespServer(new SpanKeyedKvDatabase(), new RespServerOptions { ExpirySweepInterval = TimeSpan.Zero }, NullLogger.Instance,
            new ConnectionRegistry());
        _server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000 };
        _client.Connect(IPAddress.Loopback, _server.LocalEndPoint!.Port);
    }

    /// <summary>A batch of <see cref="Pipeline"/> copies of <paramref name="args"/> and the byte length of their replies.</summary>
    public static (byte[] Request, int ReplyLength) Case(string[] args, string reply) =>
        (Batch(Pipeline, args), Encoding.Latin1.GetByteCount(reply) * Pipeline);

    /// <summary>Sends one command and checks its reply (set-up writes).</summary>
    public void Run(string[] args, string reply) => RoundTrip(Batch(1, args), Encoding.Latin1.GetByteCount(reply));

    public void RoundTrip((byte[] Request, int ReplyLength) batch) => RoundTrip(batch.Request, batch.ReplyLength);

    private void RoundTrip(byte[] request, int replyLength)
    {
        _client.Send(request);
        int received = 0;
        while (received < replyLength)
        {
            received += _client.Receive(_receive, received, _receive.Length - received, SocketFlags.None);
        }

        if (received != replyLength)
        {
            throw new InvalidOperationException($"expected {replyLength} reply bytes, got {received}: {Encoding.ASCII.GetString(_receive, 0, Math.Min(received, 200))}");
        }
    }

    private static byte[] Batch(int count, string[] args)
    {
        var one = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
        {
            one.Append('$').Append(Encoding.Latin1.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(string.Concat(Enumerable.Repeat(one.ToString(), count)));
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.StopAsync().GetAwaiter().GetResult();
    }
}

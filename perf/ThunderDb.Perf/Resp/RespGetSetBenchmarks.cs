using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Txn;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Transport;

namespace ThunderDb.Perf.Resp;

/// <summary>
/// GET and SET through the real socket loop (loopback), 16 pipelined per round trip, over an allocation-free stub
/// store: the allocated bytes per operation are the RESP layer's (parser, dispatch, keyspace, reply writer).
/// Budget: 0 B/op. Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*RespGetSet*' --job short
/// </summary>
[MemoryDiagnoser]
public class RespGetSetBenchmarks
{
    private const int Pipeline = 16;
    private RespServer? _server;
    private Socket? _client;
    private byte[] _setBatch = [];
    private byte[] _getBatch = [];
    private int _setReplyLength;
    private int _getReplyLength;
    private readonly byte[] _receive = new byte[64 * 1024];

    /// <summary>The store behind the server; the stub here, the real engine in <see cref="RespEngineGetSetBenchmarks"/>.</summary>
    protected virtual IKvDatabase CreateDatabase() => new SpanKeyedKvDatabase();

    [GlobalSetup]
    public void Setup()
    {
        _server = new RespServer(CreateDatabase(), new RespServerOptions { ExpirySweepInterval = TimeSpan.Zero }, NullLogger.Instance,
            new ConnectionRegistry());
        _server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _client.Connect(IPAddress.Loopback, _server.LocalEndPoint!.Port);
        string value = new('v', 32);
        _setBatch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"*3\r\n$3\r\nSET\r\n$7\r\nkey:001\r\n$32\r\n{value}\r\n", Pipeline)));
        _getBatch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*2\r\n$3\r\nGET\r\n$7\r\nkey:001\r\n", Pipeline)));
        _setReplyLength = "+OK\r\n".Length * Pipeline;
        _getReplyLength = ("$32\r\n" + value + "\r\n").Length * Pipeline;
        RoundTrip(_setBatch, _setReplyLength);
    }

    [GlobalCleanup]
    public virtual void Cleanup()
    {
        _client?.Dispose();
        _server?.StopAsync().GetAwaiter().GetResult();
    }

    private void RoundTrip(byte[] request, int replyLength)
    {
        _client!.Send(request);
        int received = 0;
        while (received < replyLength)
        {
            received += _client.Receive(_receive, received, _receive.Length - received, SocketFlags.None);
        }
    }

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void Set() => RoundTrip(_setBatch, _setReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void Get() => RoundTrip(_getBatch, _getReplyLength);
}

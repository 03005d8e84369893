using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Transport;

namespace ThunderDb.Perf.Resp;

/// <summary>
/// The bitmap and HyperLogLog read paths through the real socket loop, 16 pipelined per round trip over the stub store,
/// next to GET of a value of the same size: GETBIT, BITCOUNT (whole and a BIT range), BITPOS, and PFCOUNT of one key
/// whose cached count is fresh. Budget: 0 B/op for every row, as GET.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*RespBitmapHll*' --job short
/// </summary>
[MemoryDiagnoser]
public class RespBitmapHllBenchmarks
{
    private const int Pipeline = 16;
    private readonly byte[] _receive = new byte[64 * 1024];
    private RespServer? _server;
    private Socket? _client;
    private (byte[] Request, int ReplyLength) _get, _getBit, _bitCount, _bitCountRange, _bitPos, _pfCount;

    [GlobalSetup]
    public void Setup()
    {
        _server = new RespServer(new SpanKeyedKvDatabase(), new RespServerOptions { ExpirySweepInterval = TimeSpan.Zero }, NullLogger.Instance,
            new ConnectionRegistry());
        _server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000 };
        _client.Connect(IPAddress.Loopback, _server.LocalEndPoint!.Port);
        string value = new('\u00aa', 32); // 0b10101010: 128 set bits
        RoundTrip(Batch(1, ["SET", "bit:001", value]), "+OK\r\n".Length);
        RoundTrip(Batch(1, ["PFADD", "hll:001", "a", "b", "c", "d", "e", "f", "g"]), ":1\r\n".Length);
        RoundTrip(Batch(1, ["PFCOUNT", "hll:001"]), ":7\r\n".Length); // stores the count: the rows below read it
        _get = Case(["GET", "bit:001"], "$32\r\n" + value + "\r\n");
        _getBit = Case(["GETBIT", "bit:001", "100"], ":1\r\n");
        _bitCount = Case(["BITCOUNT", "bit:001"], ":128\r\n");
        _bitCountRange = Case(["BITCOUNT", "bit:001", "3", "-5", "BIT"], ":124\r\n");
        _bitPos = Case(["BITPOS", "bit:001", "0", "2"], ":17\r\n");
        _pfCount = Case(["PFCOUNT", "hll:001"], ":7\r\n");
        foreach (var c in new[] { _get, _getBit, _bitCount, _bitCountRange, _bitPos, _pfCount })
        {
            RoundTrip(c.Request, c.ReplyLength); // warm every path once, and fail here if a reply is not the one expected
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        _server?.StopAsync().GetAwaiter().GetResult();
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

    private static (byte[], int) Case(string[] args, string reply) => (Batch(Pipeline, args), Encoding.Latin1.GetByteCount(reply) * Pipeline);

    private void RoundTrip(byte[] request, int replyLength)
    {
        _client!.Send(request);
        int received = 0;
        while (received < replyLength)
        {
            received += _client.Receive(_receive, received, _receive.Length - received, SocketFlags.None);
        }

        if (received != replyLength)
        {
            throw new InvalidOperationException($"expected {replyLength} reply bytes, got {received}: {Encoding.Latin1.GetString(_receive, 0, Math.Min(received, 200))}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pipeline)]
    public void Get() => RoundTrip(_get.Request, _get.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void GetBit() => RoundTrip(_getBit.Request, _getBit.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void BitCount() => RoundTrip(_bitCount.Request, _bitCount.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void BitCountBitRange() => RoundTrip(_bitCountRange.Request, _bitCountRange.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void BitPos() => RoundTrip(_bitPos.Request, _bitPos.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void PfCountCached() => RoundTrip(_pfCount.Request, _pfCount.ReplyLength);
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Transport;

namespace ThunderDb.Perf.Resp;

/// <summary>
/// The common client errors (WRONGTYPE on strings, hashes, sorted sets and lists, not an integer, syntax, arity) through the real socket loop, 16 pipelined per
/// round trip, next to a successful GET of the same size. Errors are values in Core/Redis, not exceptions, so each
/// should cost what the success costs. Budget: 0 B/op for every row.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*RespErrorReply*' --job short
/// </summary>
[MemoryDiagnoser]
public class RespErrorReplyBenchmarks
{
    private const int Pipeline = 16;
    private readonly byte[] _receive = new byte[64 * 1024];
    private RespServer? _server;
    private Socket? _client;
    private (byte[] Request, int ReplyLength) _getHit, _getWrongType, _hgetWrongType, _incrNotInteger, _setSyntax, _getArity, _zaddWrongType, _zscoreWrongType,
        _lposWrongType;

    [GlobalSetup]
    public void Setup()
    {
        _server = new RespServer(new SpanKeyedKvDatabase(), new RespServerOptions { ExpirySweepInterval = TimeSpan.Zero }, NullLogger.Instance,
            new ConnectionRegistry());
        _server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000 };
        _client.Connect(IPAddress.Loopback, _server.LocalEndPoint!.Port);
        string value = new('v', 32);
        RoundTrip(Batch(1, ["SET", "key:001", value]), "+OK\r\n".Length);
        RoundTrip(Batch(1, ["HSET", "hsh:001", "f", "v"]), ":1\r\n".Length);
        _getHit = Case(["GET", "key:001"], $"${value.Length}\r\n{value}\r\n");
        _getWrongType = Case(["GET", "hsh:001"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        _hgetWrongType = Case(["HGET", "key:001", "f"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        _incrNotInteger = Case(["INCR", "key:001"], "-ERR value is not an integer or out of range\r\n");
        _setSyntax = Case(["SET", "key:001", "v", "BOGUS"], "-ERR syntax error\r\n");
        _getArity = Case(["GET"], "-ERR wrong number of arguments for 'get' command\r\n");
        _zaddWrongType = Case(["ZADD", "key:001", "1", "m"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        _zscoreWrongType = Case(["ZSCORE", "key:001", "m"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        _lposWrongType = Case(["LPOS", "key:001", "v"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        foreach (var c in new[] { _getHit, _getWrongType, _hgetWrongType, _incrNotInteger, _setSyntax, _getArity, _zaddWrongType, _zscoreWrongType, _lposWrongType })
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
            one.Append('$').Append(a.Length).Append("\r\n").Append(a).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(one.ToString(), count)));
    }

    private static (byte[], int) Case(string[] args, string reply) => (Batch(Pipeline, args), reply.Length * Pipeline);

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
            throw new InvalidOperationException($"expected {replyLength} reply bytes, got {received}: {Encoding.ASCII.GetString(_receive, 0, Math.Min(received, 200))}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pipeline)]
    public void GetHit() => RoundTrip(_getHit.Request, _getHit.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void GetWrongType() => RoundTrip(_getWrongType.Request, _getWrongType.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void HGetWrongType() => RoundTrip(_hgetWrongType.Request, _hgetWrongType.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void IncrNotInteger() => RoundTrip(_incrNotInteger.Request, _incrNotInteger.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void SetSyntaxError() => RoundTrip(_setSyntax.Request, _setSyntax.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void GetArityError() => RoundTrip(_getArity.Request, _getArity.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void ZAddWrongType() => RoundTrip(_zaddWrongType.Request, _zaddWrongType.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void ZScoreWrongType() => RoundTrip(_zscoreWrongType.Request, _zscoreWrongType.ReplyLength);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void LPosWrongType() => RoundTrip(_lposWrongType.Request, _lposWrongType.ReplyLength);
}

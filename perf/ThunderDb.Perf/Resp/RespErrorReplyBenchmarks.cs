using BenchmarkDotNet.Attributes;

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
    private const int Pipeline = RespPipelineClient.Pipeline;
    private RespPipelineClient? _resp;
    private (byte[] Request, int ReplyLength) _getHit, _getWrongType, _hgetWrongType, _incrNotInteger, _setSyntax, _getArity, _zaddWrongType, _zscoreWrongType,
        _lposWrongType;

    [GlobalSetup]
    public void Setup()
    {
        _resp = new RespPipelineClient();
        string value = new('v', 32);
        _resp.Run(["SET", "key:001", value], "+OK\r\n");
        _resp.Run(["HSET", "hsh:001", "f", "v"], ":1\r\n");
        _getHit = RespPipelineClient.Case(["GET", "key:001"], $"${value.Length}\r\n{value}\r\n");
        _getWrongType = RespPipelineClient.Case(["GET", "hsh:001"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        _hgetWrongType = RespPipelineClient.Case(["HGET", "key:001", "f"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        _incrNotInteger = RespPipelineClient.Case(["INCR", "key:001"], "-ERR value is not an integer or out of range\r\n");
        _setSyntax = RespPipelineClient.Case(["SET", "key:001", "v", "BOGUS"], "-ERR syntax error\r\n");
        _getArity = RespPipelineClient.Case(["GET"], "-ERR wrong number of arguments for 'get' command\r\n");
        _zaddWrongType = RespPipelineClient.Case(["ZADD", "key:001", "1", "m"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        _zscoreWrongType = RespPipelineClient.Case(["ZSCORE", "key:001", "m"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        _lposWrongType = RespPipelineClient.Case(["LPOS", "key:001", "v"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        foreach (var c in new[] { _getHit, _getWrongType, _hgetWrongType, _incrNotInteger, _setSyntax, _getArity, _zaddWrongType, _zscoreWrongType, _lposWrongType })
        {
            _resp.RoundTrip(c); // warm every path once, and fail here if a reply is not the one expected
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _resp?.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Pipeline)]
    public void GetHit() => _resp!.RoundTrip(_getHit);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void GetWrongType() => _resp!.RoundTrip(_getWrongType);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void HGetWrongType() => _resp!.RoundTrip(_hgetWrongType);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void IncrNotInteger() => _resp!.RoundTrip(_incrNotInteger);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void SetSyntaxError() => _resp!.RoundTrip(_setSyntax);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void GetArityError() => _resp!.RoundTrip(_getArity);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void ZAddWrongType() => _resp!.RoundTrip(_zaddWrongType);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void ZScoreWrongType() => _resp!.RoundTrip(_zscoreWrongType);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void LPosWrongType() => _resp!.RoundTrip(_lposWrongType);
}

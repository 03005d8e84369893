using BenchmarkDotNet.Attributes;

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
    private const int Pipeline = RespPipelineClient.Pipeline;
    private RespPipelineClient? _resp;
    private (byte[] Request, int ReplyLength) _get, _getBit, _bitCount, _bitCountRange, _bitPos, _pfCount;

    [GlobalSetup]
    public void Setup()
    {
        _resp = new RespPipelineClient();
        string value = new('\u00aa', 32); // 0b10101010: 128 set bits
        _resp.Run(["SET", "bit:001", value], "+OK\r\n");
        _resp.Run(["PFADD", "hll:001", "a", "b", "c", "d", "e", "f", "g"], ":1\r\n");
        _resp.Run(["PFCOUNT", "hll:001"], ":7\r\n"); // stores the count: the rows below read it
        _get = RespPipelineClient.Case(["GET", "bit:001"], "$32\r\n" + value + "\r\n");
        _getBit = RespPipelineClient.Case(["GETBIT", "bit:001", "100"], ":1\r\n");
        _bitCount = RespPipelineClient.Case(["BITCOUNT", "bit:001"], ":128\r\n");
        _bitCountRange = RespPipelineClient.Case(["BITCOUNT", "bit:001", "3", "-5", "BIT"], ":124\r\n");
        _bitPos = RespPipelineClient.Case(["BITPOS", "bit:001", "0", "2"], ":17\r\n");
        _pfCount = RespPipelineClient.Case(["PFCOUNT", "hll:001"], ":7\r\n");
        foreach (var c in new[] { _get, _getBit, _bitCount, _bitCountRange, _bitPos, _pfCount })
        {
            _resp.RoundTrip(c); // warm every path once, and fail here if a reply is not the one expected
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _resp?.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Pipeline)]
    public void Get() => _resp!.RoundTrip(_get);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void GetBit() => _resp!.RoundTrip(_getBit);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void BitCount() => _resp!.RoundTrip(_bitCount);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void BitCountBitRange() => _resp!.RoundTrip(_bitCountRange);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void BitPos() => _resp!.RoundTrip(_bitPos);

    [Benchmark(OperationsPerInvoke = Pipeline)]
    public void PfCountCached() => _resp!.RoundTrip(_pfCount);
}

using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;

namespace ThunderDb.Perf.Sql;

/// <summary>
/// ANALYZE of a 1,000,000-row table (int primary key, an int of 1000 values, a short text): one scan counting every row,
/// a 30,000-row reservoir sample decoded, per-column statistics (sort, MCVs, histogram, correlation) and the catalog
/// record written and committed. AnalyzeOneColumn names one column (the scan and sample are the same; one column is sorted).
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*AnalyzeBenchmarks*' --inProcess
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class AnalyzeBenchmarks
{
    private const int Rows = 1_000_000;

    private string _dir = "";
    private StorageEngine? _store;
    private SqlSession _session = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "thunderdb-analyze-bench-" + Environment.ProcessId);
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        Directory.CreateDirectory(_dir);
        _store = StorageEngine.Open(new StorageOptions { DataDir = _dir, SyncCommit = false, BufferPoolSize = 512L << 20 }, NullLogger.Instance);
        SqlEngine engine = SqlEngine.OpenAsync(_store).AsTask().GetAwaiter().GetResult();
        _session = engine.OpenSession("bench");
        Run("CREATE TABLE a (id int PRIMARY KEY, k int, s text)");
        for (int from = 1; from <= Rows; from += 100_000)
        {
            Run($"INSERT INTO a SELECT g, g % 1000, 'row ' || g FROM generate_series({from}, {from + 99_999}) g");
        }
    }

    private void Run(string sql)
    {
        BatchResult result = _session.ExecuteAsync(sql).GetAwaiter().GetResult();
        if (result.Error is { } e)
        {
            throw e;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public void AnalyzeTable() => Run("ANALYZE a");

    [Benchmark]
    public void AnalyzeOneColumn() => Run("ANALYZE a (k)");
}

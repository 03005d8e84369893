using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;
using ThunderDb.Perf.Wal;

namespace ThunderDb.Perf.Sql;

/// <summary>
/// The planner's join and access paths through the session API over an in-memory ordered store: a 100k x 100k
/// equi-join (hash join; a nested loop would compare 10^10 pairs), and a lookup by a secondary index column
/// against the same lookup with enable_indexscan off (a full scan of 100k rows). EXISTS / NOT EXISTS / IN / NOT IN over
/// the same tables: hash semi and anti joins (and a hashed NOT IN set) against the per-row subquery they replace, which
/// (enable_hashjoin off) is measured over 100 outer rows only: each of them reads all 100k inner rows.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*SqlPlannerBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcess))]
public class SqlPlannerBenchmarks
{
    /// <summary>Short runs in this process: the 200k-row setup runs once, and no separate benchmark build is needed on a busy machine.</summary>
    private sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3));
    }

    private const int Rows = 100_000;

    private string _dir = "";
    private Database? _db;
    private SqlSession? _indexed;
    private SqlSession? _scanning;
    private SqlSession? _perRow;
    private int _probe;

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchDirectory.Create("sql-planner");
        var store = new BenchStore();
        _db = Database.Open(
            new DatabaseOptions { Storage = new StorageOptions { DataDir = _dir, SyncCommit = false }, BackgroundWorkers = false },
            store, store, default, NullLogger.Instance);
        SqlEngine engine = SqlEngine.OpenAsync(_db).AsTask().GetAwaiter().GetResult();
        _indexed = engine.OpenSession("bench");
        _scanning = engine.OpenSession("bench");
        Run(_scanning, "SET enable_indexscan = off");
        _perRow = engine.OpenSession("bench");
        Run(_perRow, "SET enable_hashjoin = off");
        Run(_indexed, "CREATE TABLE a (id int PRIMARY KEY, k int, v int)");
        Run(_indexed, "CREATE TABLE b (id int PRIMARY KEY, k int, w int)");
        for (int start = 0; start < Rows; start += 1000)
        {
            var a = new StringBuilder("INSERT INTO a VALUES ");
            var b = new StringBuilder("INSERT INTO b VALUES ");
            for (int i = start; i < start + 1000; i++)
            {
                string sep = i == start ? "" : ", ";
                a.Append(System.Globalization.CultureInfo.InvariantCulture, $"{sep}({i}, {(i * 7919L) % Rows}, {i})");
                b.Append(System.Globalization.CultureInfo.InvariantCulture, $"{sep}({i}, {i}, {i % 100})");
            }

            Run(_indexed, a.ToString());
            Run(_indexed, b.ToString());
        }

        Run(_indexed, "CREATE INDEX a_v ON a (v)");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static StatementResult Run(SqlSession session, string sql)
    {
        BatchResult r = session.ExecuteAsync(sql).GetAwaiter().GetResult();
        return r.Error is null ? r.Results[^1] : throw new InvalidOperationException($"{sql}: {r.Error.Message}");
    }

    /// <summary>100k rows joined to 100k rows on a key that matches one to one (100k result rows, counted).</summary>
    [Benchmark]
    public long HashJoin100kX100k() => Run(_indexed!, "SELECT count(*) FROM a JOIN b ON a.k = b.k").Rows![0][0].AsInt64;

    [Benchmark]
    public int SecondaryIndexLookup() => Run(_indexed!, $"SELECT id FROM a WHERE v = {_probe++ % Rows}").Rows!.Count;

    [Benchmark]
    public int FullScanLookup() => Run(_scanning!, $"SELECT id FROM a WHERE v = {_probe++ % Rows}").Rows!.Count;

    /// <summary>EXISTS correlated by equality over 100k x 100k: one Hash Semi Join.</summary>
    [Benchmark]
    public long SemiJoin100kX100k() => Run(_indexed!, "SELECT count(*) FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k)").Rows![0][0].AsInt64;

    [Benchmark]
    public long AntiJoin100kX100k() => Run(_indexed!, "SELECT count(*) FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.w = a.k)").Rows![0][0].AsInt64;

    /// <summary>NOT IN keeps its NULL rules as a hashed subplan: the 100k values are read once into a set.</summary>
    [Benchmark]
    public long NotIn100kX100k() => Run(_indexed!, "SELECT count(*) FROM a WHERE k NOT IN (SELECT w FROM b)").Rows![0][0].AsInt64;

    /// <summary>The per-row EXISTS the semi join replaces, over 100 outer rows (x 100k inner rows each).</summary>
    [Benchmark]
    public long PerRowExists100X100k() => Run(_perRow!, "SELECT count(*) FROM a WHERE a.id < 100 AND EXISTS (SELECT 1 FROM b WHERE b.k = a.k)").Rows![0][0].AsInt64;
}

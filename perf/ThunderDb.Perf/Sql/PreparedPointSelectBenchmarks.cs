using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Syntax;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;

namespace ThunderDb.Perf.Sql;

/// <summary>
/// pgbench's statements through the session API, the way the PostgreSQL extended protocol runs them: parsed and
/// prepared once, executed many times with parameter values. A point SELECT by primary key over 100k rows
/// (pgbench -S) and a single-row UPDATE by primary key (tpcb-like, sync_commit off so the WAL fsync is not
/// measured). The SELECT streams its row to a sink as the PostgreSQL front end does (PgRowSink); PointSelectMaterialised
/// collects it into the result instead. Allocated bytes per execution are the figure to watch (goal: 0 B in steady
/// state for the streamed SELECT).
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*PreparedPointSelect*'
/// (on a loaded machine add --inProcess: BenchmarkDotNet's boilerplate build has a 2-minute timeout)
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class PreparedPointSelectBenchmarks
{
    private const int Rows = 100_000;

    private string _dir = "";
    private StorageEngine? _store;
    private SqlSession _session = null!;
    private PreparedStatement _select = null!;
    private PreparedStatement _update = null!;
    private readonly SqlValue[] _selectArgs = new SqlValue[1];
    private readonly SqlValue[] _updateArgs = new SqlValue[2];
    private readonly CountingSink _sink = new();
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "thunderdb-prepared-bench-" + Environment.ProcessId);
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        Directory.CreateDirectory(_dir);
        _store = StorageEngine.Open(new StorageOptions { DataDir = _dir, SyncCommit = false, BufferPoolSize = 256L << 20 }, NullLogger.Instance);
        SqlEngine engine = SqlEngine.OpenAsync(_store).AsTask().GetAwaiter().GetResult();
        _session = engine.OpenSession("bench");
        Run("CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))");
        Run($"INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, {Rows}) g");
        _select = _session.Prepare(SqlParser.ParseSingle("SELECT abalance FROM pgbench_accounts WHERE aid = $1"), []);
        _update = _session.Prepare(SqlParser.ParseSingle("UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2"), []);
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

    private int NextId() => (_next = (_next * 7919 + 13) % Rows) + 1;

    [Benchmark]
    public int PointSelect()
    {
        _selectArgs[0] = SqlValue.FromInt4(NextId());
        return Drain(_session.ExecutePreparedAsync(_select, _selectArgs, _sink, default));
    }

    [Benchmark]
    public int PointSelectMaterialised()
    {
        _selectArgs[0] = SqlValue.FromInt4(NextId());
        return Drain(_session.ExecutePreparedAsync(_select, _selectArgs, default));
    }

    [Benchmark]
    public int UpdateByKey()
    {
        _updateArgs[0] = SqlValue.FromInt4(7);
        _updateArgs[1] = SqlValue.FromInt4(NextId());
        return Drain(_session.ExecutePreparedAsync(_update, _updateArgs, default));
    }

    private sealed class CountingSink : IRowSink
    {
        public long Values { get; private set; }

        public void Begin(IReadOnlyList<ThunderDb.Core.Sql.Execution.PlanColumn> columns)
        {
        }

        public void Row(ReadOnlySpan<SqlValue> row) => Values += row.Length;
    }

    private static int Drain(ValueTask<StatementResult> pending)
    {
        StatementResult result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result.CommandTag.Length;
    }
}

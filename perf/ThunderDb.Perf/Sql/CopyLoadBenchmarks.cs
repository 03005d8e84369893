using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;

namespace ThunderDb.Perf.Sql;

/// <summary>
/// pgbench -i's COPY step in process: 10,000 pgbench_accounts rows in text format (aid, bid, abalance, 84-space filler)
/// through the session's COPY FROM STDIN path (CopyTextReader, CopyInput's conversions, RowWriter, TableStorage's row
/// encoding, the write set), inside a transaction that is rolled back, so the table never grows and the commit is not
/// measured. Per-row figures: the benchmark counts as 10,000 operations, so "Allocated" is bytes per row.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*CopyLoad*' --inProcess
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class CopyLoadBenchmarks
{
    private const int Rows = 10_000;

    private string _dir = "";
    private StorageEngine? _store;
    private SqlSession _session = null!;
    private byte[][] _chunks = [];

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "thunderdb-copy-bench-" + Environment.ProcessId);
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        Directory.CreateDirectory(_dir);
        _store = StorageEngine.Open(new StorageOptions { DataDir = _dir, SyncCommit = false, BufferPoolSize = 256L << 20 }, NullLogger.Instance);
        SqlEngine engine = SqlEngine.OpenAsync(_store).AsTask().GetAwaiter().GetResult();
        _session = engine.OpenSession("bench");
        Run("CREATE TABLE pgbench_accounts (aid int not null, bid int, abalance int, filler char(84))");
        var text = new StringBuilder();
        for (var i = 1; i <= Rows; i++)
        {
            text.Append(i).Append('\t').Append((i - 1) / 100_000 + 1).Append("\t0\t").Append(' ', 84).Append('\n');
        }

        byte[] all = Encoding.UTF8.GetBytes(text.ToString());
        _chunks = [.. all.Chunk(65536)]; // pgbench's client sends CopyData of about this size
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

    [Benchmark(OperationsPerInvoke = Rows)]
    public void CopyRows()
    {
        Run("BEGIN");
        _session.CopyChannel = new ChunkChannel(_chunks);
        Run("COPY pgbench_accounts FROM STDIN");
        Run("ROLLBACK");
    }

    /// <summary>The client side: the prepared chunks, then the end of the data.</summary>
    private sealed class ChunkChannel(byte[][] chunks) : ICopyChannel
    {
        private int _next;

        public void SendEarlierResults(IReadOnlyList<StatementResult> results)
        {
        }

        public ValueTask BeginCopyInAsync(CopyFormat format, int columns, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(_next < chunks.Length ? (ReadOnlyMemory<byte>)chunks[_next++] : ReadOnlyMemory<byte>.Empty);

        public void AbandonCopyIn()
        {
        }

        public void BeginCopyOut(CopyFormat format, int columns) => throw new NotSupportedException();

        public void Write(ReadOnlySpan<byte> data) => throw new NotSupportedException();

        public void WriteBinaryRow(ReadOnlySpan<SqlValue> row, IReadOnlyList<SqlType> types) => throw new NotSupportedException();

        public ValueTask FlushIfLargeAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void EndCopyOut() => throw new NotSupportedException();

        public SqlValue DecodeBinary(ReadOnlySpan<byte> field, SqlType type) => throw new NotSupportedException();

        public bool HasBinaryFormat(SqlType type) => false;
    }
}

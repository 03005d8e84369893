using BenchmarkDotNet.Attributes;
using ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Perf.Sql;

/// <summary>
/// Lexing and parsing cost of the statements the simple query protocol sends on every execution:
/// pgbench's tpcb-like UPDATE and a sysbench-style range SELECT (prepared statements parse once; simple
/// queries parse every time). Lexing must allocate nothing; parsing allocates the token list and the tree.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*SqlParserBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class SqlParserBenchmarks
{
    private const string PgbenchUpdate = "UPDATE pgbench_accounts SET abalance = abalance + 4242 WHERE aid = 77;";
    private const string RangeSelect = "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 100 AND 199 ORDER BY c";

    [Benchmark]
    public int LexPgbenchUpdate()
    {
        var lexer = new SqlLexer(PgbenchUpdate);
        int n = 0;
        while (lexer.Next().Kind != TokenKind.EndOfInput)
        {
            n++;
        }

        return n;
    }

    [Benchmark]
    public int ParsePgbenchUpdate() => SqlParser.Parse(PgbenchUpdate).Count;

    [Benchmark]
    public int ParseRangeSelect() => SqlParser.Parse(RangeSelect).Count;
}

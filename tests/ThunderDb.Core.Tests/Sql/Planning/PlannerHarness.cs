using System.Globalization;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>A SQL session over a fresh in-memory database, with helpers that run a query with the planner's index use and hash joins on or off.</summary>
internal sealed class PlannerHarness : IDisposable
{
    private readonly TestDatabase _db;

    private PlannerHarness(TestDatabase db, SqlSession session)
    {
        _db = db;
        Session = session;
    }

    public SqlSession Session { get; }

    public static async Task<PlannerHarness> OpenAsync()
    {
        var db = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(db.Db);
        return new PlannerHarness(db, engine.OpenSession("thunder"));
    }

    /// <summary>
    /// Tables l (int keys, 40 rows), r (bigint keys with an index, 30 rows) and s (numeric keys, 10 rows) whose join keys
    /// are 0-7 or NULL (one in five) drawn from <paramref name="seed"/>; <paramref name="lText"/> and <paramref name="rText"/>
    /// give l.v and r.w of row i.
    /// </summary>
    public static async Task<PlannerHarness> JoinTablesAsync(int seed, Func<int, string> lText, Func<int, string> rText)
    {
        PlannerHarness h = await OpenAsync();
        await h.Ok("CREATE TABLE l (id int PRIMARY KEY, k int, v text)");
        await h.Ok("CREATE TABLE r (id int PRIMARY KEY, k bigint, w text)");
        await h.Ok("CREATE INDEX r_k ON r (k)");
        await h.Ok("CREATE TABLE s (id int PRIMARY KEY, k numeric, n int)");
        var random = new Random(seed);
        string Key() => random.Next(5) == 0 ? "NULL" : random.Next(0, 8).ToString(CultureInfo.InvariantCulture);
        await h.Ok("INSERT INTO l VALUES " + string.Join(", ", Enumerable.Range(0, 40).Select(i => $"({i}, {Key()}, '{lText(i)}')")));
        await h.Ok("INSERT INTO r VALUES " + string.Join(", ", Enumerable.Range(0, 30).Select(i => $"({i}, {Key()}, '{rText(i)}')")));
        await h.Ok("INSERT INTO s VALUES " + string.Join(", ", Enumerable.Range(0, 10).Select(i => $"({i}, {Key()}, {i % 3})")));
        return h;
    }

    public async Task<StatementResult> Ok(string sql)
    {
        BatchResult r = await Session.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{sql}: {r.Error.SqlState} {r.Error.Message}");
        }

        return r.Results[^1];
    }

    /// <summary>The rows as text lines, in the order returned.</summary>
    public async Task<List<string>> Rows(string sql)
    {
        StatementResult r = await Ok(sql);
        return [.. r.Rows!.Select(row => string.Join("|", row.Select(v => v.IsNull ? "NULL" : SqlText.Format(v))))];
    }

    /// <summary>The query run with index scans and hash joins on, then both off: (planned, plain).</summary>
    public async Task<(List<string> Planned, List<string> Plain)> Both(string sql)
    {
        await Ok("SET enable_indexscan = on");
        await Ok("SET enable_hashjoin = on");
        List<string> planned = await Rows(sql);
        await Ok("SET enable_indexscan = off");
        await Ok("SET enable_hashjoin = off");
        List<string> plain = await Rows(sql);
        await Ok("SET enable_indexscan = on");
        await Ok("SET enable_hashjoin = on");
        return (planned, plain);
    }

    public async Task<string> Explain(string sql) => string.Join("\n", await Rows("EXPLAIN " + sql));

    public static List<string> Sorted(List<string> rows) => [.. rows.Order(StringComparer.Ordinal)];

    public void Dispose() => _db.Dispose();
}

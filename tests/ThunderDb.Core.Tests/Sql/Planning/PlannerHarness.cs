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

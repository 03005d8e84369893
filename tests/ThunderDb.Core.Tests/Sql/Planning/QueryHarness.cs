using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>
/// A fresh database and session for query tests; results come back as psql -A prints them
/// (columns joined by |, one line per row, NULL as "NULL"), so expected values are pasted from PostgreSQL 15.
/// </summary>
internal sealed class QueryHarness : IDisposable
{
    private readonly TestDatabase _db;

    private QueryHarness(TestDatabase db, SqlSession session)
    {
        _db = db;
        Session = session;
    }

    public SqlSession Session { get; }

    public static async Task<QueryHarness> OpenAsync(params string[] setup)
    {
        var db = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(db.Db);
        var harness = new QueryHarness(db, engine.OpenSession("thunder"));
        foreach (string sql in setup)
        {
            await harness.RowsAsync(sql);
        }

        return harness;
    }

    /// <summary>The last statement's rows in psql's unaligned format; throws with the SQLSTATE on an error.</summary>
    public async Task<string> RowsAsync(string sql)
    {
        BatchResult r = await Session.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{sql}: {r.Error.SqlState} {r.Error.Message}");
        }

        IReadOnlyList<SqlValue[]> rows = r.Results[^1].Rows ?? [];
        return string.Join("\n", rows.Select(row => string.Join("|", row.Select(v => v.IsNull ? "NULL" : SqlText.Format(v)))));
    }

    /// <summary>The SQLSTATE and message of a statement expected to fail.</summary>
    public async Task<string> ErrorAsync(string sql)
    {
        BatchResult r = await Session.ExecuteAsync(sql);
        return r.Error is null ? "no error" : $"{r.Error.SqlState}: {r.Error.Message}";
    }

    public void Dispose() => _db.Dispose();
}

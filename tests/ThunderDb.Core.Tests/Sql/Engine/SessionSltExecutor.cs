using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.SqlLogicTest;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>
/// The sqllogictest runner's executor in process: each record through <see cref="SqlSession.ExecuteAsync"/>, each value as
/// the PostgreSQL front end would send it in text format (<see cref="SqlText.Format"/>).
/// </summary>
internal sealed class SessionSltExecutor(SqlSession session) : ISltExecutor
{
    public async Task<string?> ExecuteStatementAsync(string sql, CancellationToken ct)
    {
        BatchResult r = await session.ExecuteAsync(sql, ct);
        return r.Error is null ? null : $"{r.Error.SqlState} {r.Error.Message}";
    }

    public async Task<SltQueryResult> ExecuteQueryAsync(string sql, CancellationToken ct)
    {
        BatchResult r = await session.ExecuteAsync(sql, ct);
        if (r.Error is not null)
        {
            return SltQueryResult.Failed($"{r.Error.SqlState} {r.Error.Message}");
        }

        if (r.Results is not [.., { Columns: { } columns, Rows: { } rows }])
        {
            return new SltQueryResult(0, []);
        }

        return new SltQueryResult(columns.Count, [.. rows.Select(row => row.Select(v => v.IsNull ? new SltCell(null) : new SltCell(SqlText.Format(v), v.Kind == SqlTypeKind.Bool)).ToArray())]);
    }
}

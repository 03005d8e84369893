using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// What one statement produced: the command tag the protocols report (<c>SELECT 3</c>, <c>INSERT 0 1</c>,
/// <c>CREATE TABLE</c>), the result columns and rows when it returns rows, and notices (e.g. "table does not
/// exist, skipping").
/// </summary>
public sealed record StatementResult(string CommandTag, IReadOnlyList<PlanColumn>? Columns = null, IReadOnlyList<SqlValue[]>? Rows = null,
    IReadOnlyList<string>? Notices = null)
{
    public bool ReturnsRows => Columns is not null;
}

/// <summary>The transaction state every protocol reports after a statement (PostgreSQL's ReadyForQuery: I, T, E).</summary>
public enum SessionTransactionState : byte
{
    Idle = (byte)'I',
    InTransaction = (byte)'T',
    Failed = (byte)'E',
}

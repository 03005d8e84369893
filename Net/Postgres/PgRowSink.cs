using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// Encodes a streamed SELECT's rows as DataRow messages straight into the connection's output buffer while the
/// statement runs (no result rows are kept). One per connection, pointed at the portal being executed.
/// </summary>
internal sealed class PgRowSink(PgConnection connection) : IRowSink
{
    private IReadOnlyList<PlanColumn> _columns = [];
    private short[] _formats = [];

    public void Start(IReadOnlyList<PlanColumn> columns, short[] formats)
    {
        _columns = columns;
        _formats = formats;
    }

    public void Row(ReadOnlySpan<SqlValue> row) => connection.WriteDataRow(row, _columns, _formats);
}

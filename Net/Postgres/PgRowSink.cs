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
    private bool _describePending;

    /// <summary>
    /// Points the sink at a result; with <paramref name="describe"/> the RowDescription goes out before the first row
    /// (or at <see cref="Described"/>), so a statement that fails before producing anything sends only its error.
    /// </summary>
    public void Start(IReadOnlyList<PlanColumn> columns, short[] formats, bool describe = false)
    {
        _columns = columns;
        _formats = formats;
        _describePending = describe;
    }

    public void Row(ReadOnlySpan<SqlValue> row)
    {
        Described();
        connection.WriteStreamedRow(row, _columns, _formats);
    }

    /// <summary>Writes the pending RowDescription, if any (a result without rows still describes its columns).</summary>
    public void Described()
    {
        if (_describePending)
        {
            _describePending = false;
            connection.WriteRowDescription(_columns, _formats);
        }
    }
}

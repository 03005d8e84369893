using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// Encodes a streamed SELECT's rows as DataRow messages straight into the connection's output buffer while the
/// statement runs (no result rows are kept). One per connection, pointed at the portal being executed, or at a simple
/// Query's batch, whose statements describe their own columns and are answered one by one as they end.
/// </summary>
internal sealed class PgRowSink(PgConnection connection) : IStatementStream
{
    private IReadOnlyList<PlanColumn> _columns = [];
    private short[] _formats = [];
    private bool _describePending;
    private bool _batch;
    private bool _streamed;

    /// <summary>
    /// Points the sink at a result; with <paramref name="describe"/> the RowDescription goes out before the first row
    /// (or at <see cref="Described"/>), so a statement that fails before producing anything sends only its error.
    /// </summary>
    public void Start(IReadOnlyList<PlanColumn> columns, short[] formats, bool describe = false)
    {
        _columns = columns;
        _formats = formats;
        _describePending = describe;
        _batch = false;
    }

    /// <summary>Points the sink at a simple Query's statements (text format; each SELECT describes itself in <see cref="Begin"/>).</summary>
    public void StartBatch()
    {
        _formats = [];
        _describePending = false;
        _batch = true;
        _streamed = false;
    }

    public void Begin(IReadOnlyList<PlanColumn> columns)
    {
        if (_batch)
        {
            _columns = columns;
            _describePending = true;
            _streamed = true;
        }
    }

    /// <summary>A batch statement ended: its result (and a streamed SELECT's RowDescription, even without rows) goes out now.</summary>
    public void Completed(StatementResult result)
    {
        if (_streamed)
        {
            Described();
        }

        connection.WriteCompleted(result, streamed: _streamed);
        _streamed = false;
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

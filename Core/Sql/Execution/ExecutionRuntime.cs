using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>What a running statement reads and writes through: its transaction, the catalog it was bound against, table storage and cancellation.</summary>
public sealed class ExecutionRuntime(IKvTransaction transaction, CatalogSnapshot catalog, TableStorage storage, CancellationToken cancellation)
{
    public IKvTransaction Transaction { get; private set; } = transaction;

    public CatalogSnapshot Catalog { get; private set; } = catalog;

    public TableStorage Storage { get; } = storage;

    public CancellationToken Cancellation { get; private set; } = cancellation;

    /// <summary>Results of the statement's uncorrelated subqueries, by expression (see <see cref="SubqueryExpr"/>); emptied per statement.</summary>
    public Dictionary<BoundExpr, object> Subplans { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>The per-node counters of an EXPLAIN ANALYZE; null otherwise (then nothing is counted).</summary>
    public PlanAnalysis? Analysis { get; set; }

    /// <summary>Rows read so far by this statement: checked against cancellation every so often.</summary>
    private long _rows;

    /// <summary>Makes this the runtime of the session's next statement (a session reuses one instead of allocating one per statement).</summary>
    public void Reset(IKvTransaction transaction, CatalogSnapshot catalog, CancellationToken cancellation)
    {
        Transaction = transaction;
        Catalog = catalog;
        Cancellation = cancellation;
        _rows = 0;
        Subplans.Clear();
        Analysis = null;
    }

    public void CountRow()
    {
        if ((++_rows & 1023) == 0)
        {
            Cancellation.ThrowIfCancellationRequested();
        }
    }
}

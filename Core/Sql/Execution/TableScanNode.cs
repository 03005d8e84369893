using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// Rows of a table: every row in primary key order (no <see cref="Access"/>), or the rows in the key ranges of an
/// index (<see cref="AccessPath"/>): the primary key's ranges are rows themselves, a secondary index's entries
/// hold the row key, and the row is read by it. Emits the table's columns. Reads go through the statement's
/// transaction, so they see its own writes; <see cref="ExecuteWithKeys"/> also yields each row's key for UPDATE
/// and DELETE (which lock it and re-check the row, see DmlExecutor).
/// </summary>
public sealed class TableScanNode(TableDef table, IReadOnlyList<PlanColumn> columns, AccessPath? access = null) : PlanNode
{
    private const int BatchSize = 256;

    public TableDef Table { get; } = table;

    public AccessPath? Access { get; } = access;

    /// <summary>
    /// The primary-key values of a point lookup (every key column bound by one equality), else null: the prepared
    /// point-read path (Engine/PointRead) reads that one key directly; the filter above still re-checks the row.
    /// </summary>
    public IReadOnlyList<BoundExpr>? KeyLookup { get; } =
        access is { IsPrimary: true, IsUniquePoint: true } ? [.. access.Bounds.Select(b => b.Equal![0]!)] : null;

    public override IReadOnlyList<PlanColumn> Columns => columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        foreach ((byte[] _, SqlValue[] row) in Keyed(context, null))
        {
            yield return row;
        }
    }

    /// <summary>
    /// The rows with their store keys. The access path's key values are evaluated with <paramref name="keyRow"/> as the
    /// current row (an index nested-loop join passes its outer row) and <paramref name="context"/> as the enclosing one.
    /// </summary>
    public IEnumerable<(byte[] Key, SqlValue[] Row)> ExecuteWithKeys(EvalContext context, SqlValue[]? keyRow = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        // an index nested-loop join and UPDATE / DELETE read here directly (a plain scan is counted by Execute)
        return context.Runtime?.Analysis is { } analysis ? analysis.Measure(this, Keyed(context, keyRow)) : Keyed(context, keyRow);
    }

    private IEnumerable<(byte[] Key, SqlValue[] Row)> Keyed(EvalContext context, SqlValue[]? keyRow)
    {
        ExecutionRuntime runtime = context.Runtime ?? throw new InvalidOperationException("a table scan needs a runtime");
        SqlType[] types = TableStorage.ColumnTypes(Table);
        if (Access is null)
        {
            (byte[] start, byte[] end) = TableStorage.RowRange(Table);
            return ScanRange(runtime, start, end, reverse: false, types, secondary: false);
        }

        EvalContext keys = context.Nested();
        keys.Row = keyRow ?? [];
        List<(byte[] Start, byte[] End)> ranges = Access.Ranges(Table, keys);
        if (Access.IsUniquePoint && Access.IsPrimary && ranges.Count == 1)
        {
            return PointRead(runtime, ranges[0].Start, types);
        }

        return ranges.Count == 1
            ? ScanRange(runtime, ranges[0].Start, ranges[0].End, Access.Reverse, types, !Access.IsPrimary)
            : ranges.SelectMany(r => ScanRange(runtime, r.Start, r.End, Access.Reverse, types, !Access.IsPrimary));
    }

    private static IEnumerable<(byte[], SqlValue[])> PointRead(ExecutionRuntime runtime, byte[] rowKey, SqlType[] types)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        if (runtime.Transaction.TryGet(rowKey, buffer))
        {
            var row = new SqlValue[types.Length];
            RowCodec.Read(buffer.WrittenSpan, row, types);
            yield return (rowKey, row);
        }
    }

    /// <summary>
    /// Keys in [start, end), read in batches so no cursor stays open across the caller's writes (or across the
    /// row reads of a secondary index, which are point reads of the row keys its entries hold).
    /// </summary>
    private IEnumerable<(byte[], SqlValue[])> ScanRange(ExecutionRuntime runtime, byte[] start, byte[] end, bool reverse, SqlType[] types, bool secondary)
    {
        IKvTransaction txn = runtime.Transaction;
        var batch = new List<(byte[] Key, SqlValue[]? Row, byte[]? RowKey)>(BatchSize);
        byte[] rowPrefix = TableStorage.Prefix(Table.Oid, Table.RowKeyspaceOid);
        var buffer = secondary ? new ArrayBufferWriter<byte>(128) : null;
        byte[] from = start, to = end;
        while (true)
        {
            batch.Clear();
            using (IKvCursor cursor = txn.Scan(from, to, reverse))
            {
                while (batch.Count < BatchSize && cursor.MoveNext())
                {
                    if (secondary)
                    {
                        batch.Add((cursor.Key.ToArray(), null, [.. rowPrefix, .. cursor.Value]));
                        continue;
                    }

                    var row = new SqlValue[types.Length];
                    RowCodec.Read(cursor.Value, row, types);
                    batch.Add((cursor.Key.ToArray(), row, null));
                }
            }

            foreach ((byte[] key, SqlValue[]? row, byte[]? rowKey) in batch)
            {
                runtime.CountRow();
                if (rowKey is null)
                {
                    yield return (key, row!);
                    continue;
                }

                buffer!.Clear();
                if (txn.TryGet(rowKey, buffer))
                {
                    var fetched = new SqlValue[types.Length];
                    RowCodec.Read(buffer.WrittenSpan, fetched, types);
                    yield return (rowKey, fetched);
                }
            }

            if (batch.Count < BatchSize)
            {
                yield break;
            }

            byte[] last = batch[^1].Key;
            if (reverse)
            {
                to = last;
            }
            else
            {
                from = [.. last, 0];
            }
        }
    }

    public override string Describe()
    {
        if (Access is null)
        {
            return $"Seq Scan on {Table.Name}";
        }

        return $"Index Scan{(Access.Reverse ? " Backward" : "")} using {Access.Index.Name} on {Table.Name}";
    }
}

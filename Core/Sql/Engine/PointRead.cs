using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// A prepared SELECT that reads one row by primary key (<see cref="PreparedStatement.IsPointRead"/>), run without
/// the iterator tree: the key is encoded into a reused buffer, the stored row decoded into a reused array (only
/// the columns the query names), the filter and the projection evaluated in place and the row handed to the
/// caller's <see cref="IRowSink"/>. Nothing is allocated per execution for fixed-size values. Built from the
/// statement's cached plan, so it lives exactly as long as that plan; one session uses it at a time.
/// </summary>
internal sealed class PointRead
{
    private readonly TableDef _table;
    private readonly IndexDef _primary;
    private readonly IReadOnlyList<BoundExpr> _key;
    private readonly BoundExpr? _filter;
    private readonly IReadOnlyList<BoundExpr> _projection;
    private readonly SqlType[] _types;
    private readonly bool[] _needed;
    private readonly byte[] _prefix;
    private readonly SqlValue[] _keyValues;
    private readonly SqlValue[] _row;
    private readonly SqlValue[] _output;
    private readonly ArrayBufferWriter<byte> _keyBuffer = new(64);
    private readonly ArrayBufferWriter<byte> _value = new(256);

    private PointRead(TableScanNode scan, IndexDef primary, BoundExpr? filter, IReadOnlyList<BoundExpr> projection, bool[] needed)
    {
        _table = scan.Table;
        _primary = primary;
        _key = scan.KeyLookup!;
        _filter = filter;
        _projection = projection;
        _needed = needed;
        _types = TableStorage.ColumnTypes(_table);
        _prefix = TableStorage.Prefix(_table.Oid, _table.RowKeyspaceOid);
        _keyValues = new SqlValue[_table.Columns.Count];
        _row = new SqlValue[_types.Length];
        _output = new SqlValue[projection.Count];
    }

    /// <summary>The point read for a plan of the shape Project(Filter?(primary-key lookup)); null for any other plan.</summary>
    public static PointRead? TryCreate(PlanNode plan, Ast.Query query, CatalogSnapshot catalog)
    {
        if (plan is not ProjectNode project)
        {
            return null;
        }

        PlanNode input = project.Children.Single();
        BoundExpr? filter = null;
        if (input is FilterNode f)
        {
            filter = f.Predicate;
            input = f.Children.Single();
        }

        if (input is not TableScanNode { KeyLookup: not null } scan || catalog.Find(scan.Table.PrimaryIndexOid) is not IndexDef primary
            || primary.Columns.Count != scan.KeyLookup.Count || query.Body is not Ast.SelectQuery body)
        {
            return null;
        }

        return new PointRead(scan, primary, filter, project.Expressions, NeededColumns(scan.Table, body));
    }

    /// <summary>
    /// The table columns the query names (select list and WHERE); every column when it names the whole row or a name
    /// that is not a column (then the plan reads something the syntax does not show by name).
    /// </summary>
    private static bool[] NeededColumns(TableDef table, Ast.SelectQuery body)
    {
        var needed = new bool[table.Columns.Count];
        IEnumerable<Ast.SqlExpr> roots = body.Targets.Select(t => t.Expr);
        if (body.Where is { } where)
        {
            roots = roots.Append(where);
        }

        foreach (Ast.SqlExpr e in roots.SelectMany(ExpressionWalker.Walk))
        {
            if (e is Ast.StarExpr || (e is Ast.ColumnRefExpr c && table.FindColumn(c.Name) is null))
            {
                Array.Fill(needed, true);
                return needed;
            }

            if (e is Ast.ColumnRefExpr column)
            {
                needed[table.FindColumn(column.Name)!.Number - 1] = true;
            }
        }

        return needed;
    }

    /// <summary>Reads the row (if any), sends it to <paramref name="sink"/> and returns the row count (0 or 1).</summary>
    public int Execute(EvalContext eval, IKvTransaction txn, IRowSink sink)
    {
        for (int i = 0; i < _key.Count; i++)
        {
            SqlValue v = _key[i].Evaluate(eval);
            if (v.IsNull)
            {
                return 0; // pk = NULL matches nothing
            }

            int column = _primary.Columns[i].ColumnNumber - 1;
            _keyValues[column] = SqlCast.Coerce(v, _table.Columns[column].Type);
        }

        _keyBuffer.ResetWrittenCount();
        _keyBuffer.Write(_prefix);
        TableStorage.WriteIndexKey(_keyBuffer, _table, _primary, _keyValues);
        _value.ResetWrittenCount();
        if (!txn.TryGet(_keyBuffer.WrittenSpan, _value))
        {
            return 0;
        }

        RowCodec.Read(_value.WrittenSpan, _row, _types, _needed);
        SqlValue[] outerRow = eval.Row;
        eval.Row = _row;
        try
        {
            if (_filter is not null)
            {
                SqlValue keep = _filter.Evaluate(eval);
                if (keep.IsNull || !keep.AsBool)
                {
                    return 0;
                }
            }

            for (int i = 0; i < _output.Length; i++)
            {
                _output[i] = _projection[i].Evaluate(eval);
            }
        }
        finally
        {
            eval.Row = outerRow;
        }

        sink.Row(_output);
        return 1;
    }
}

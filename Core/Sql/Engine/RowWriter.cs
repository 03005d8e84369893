using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// The one path by which INSERT, UPDATE, ON CONFLICT and COPY write rows of one table in a statement: a new row is
/// completed (assignment casts to the column types, column defaults for what was not given, sequences through
/// their <c>nextval</c> defaults), checked (NOT NULL, CHECK), written through <see cref="Rows.TableStorage"/> with its
/// unique keys locked first (<see cref="Rows.TableStorage.InsertLockedAsync"/>) and its secondary index entries,
/// and reported to <see cref="ReferentialIntegrity"/> for the foreign keys. Defaults and CHECK expressions are bound
/// once per statement, not per row.
/// </summary>
internal sealed class RowWriter
{
    private readonly DmlExecutor _dml;
    private readonly ExecutionRuntime _runtime;
    private readonly BoundExpr?[] _defaults;
    private readonly bool[] _defaultBound;
    private readonly bool[] _required;
    private (ConstraintDef Constraint, BoundExpr Condition)[]? _checks;
    private (ColumnDef Column, BoundExpr Expr)[]? _generated;

    public RowWriter(DmlExecutor dml, ExecutionRuntime runtime, TableDef table)
    {
        _dml = dml;
        _runtime = runtime;
        Table = table;
        Indexes = runtime.Catalog.IndexesOf(table.Oid);
        _defaults = new BoundExpr?[table.Columns.Count];
        _defaultBound = new bool[table.Columns.Count];
        _required = [.. table.Columns.Select(c => !c.IsDropped && (c.NotNull || table.PrimaryKey?.Columns.Contains(c.Number) == true))];
        References = ReferentialIntegrity.Concerns(runtime.Catalog, table) ? new ReferentialIntegrity(dml, runtime) : null;
    }

    public TableDef Table { get; }

    public IReadOnlyList<IndexDef> Indexes { get; }

    /// <summary>The statement's foreign-key bookkeeping; null when no foreign key concerns the table.</summary>
    public ReferentialIntegrity? References { get; }

    /// <summary>
    /// A complete new row from <paramref name="produced"/> values for <paramref name="targets"/> (cast to the column
    /// types unless <paramref name="coerced"/> says they already are; <paramref name="defaulted"/> items take the
    /// default) and the defaults of every other column. <paramref name="into"/>: an array of the table's width to fill
    /// instead of a new one, when the caller knows nothing keeps the previous row (COPY without foreign keys).
    /// </summary>
    public SqlValue[] NewRow(ReadOnlySpan<SqlValue> produced, IReadOnlyList<ColumnDef> targets, bool[]? defaulted, bool coerced = false, SqlValue[]? into = null)
    {
        SqlValue[] row;
        if (into is not null && into.Length == Table.Columns.Count)
        {
            row = into;
            Array.Clear(row);
        }
        else
        {
            row = new SqlValue[Table.Columns.Count];
        }

        Span<bool> given = Table.Columns.Count <= 256 ? stackalloc bool[Table.Columns.Count] : new bool[Table.Columns.Count];
        for (int i = 0; i < produced.Length && i < targets.Count; i++)
        {
            if (defaulted?[i] == true)
            {
                continue;
            }

            ColumnDef column = targets[i];
            if (column.IsGenerated)
            {
                throw new SqlException(SqlState.GeneratedAlways, $"cannot insert a non-DEFAULT value into column \"{column.Name}\"",
                    detail: $"Column \"{column.Name}\" is a generated column.");
            }

            row[column.Number - 1] = coerced ? produced[i] : Assign(produced[i], column);
            given[column.Number - 1] = true;
        }

        foreach (ColumnDef column in Table.Columns)
        {
            if (!given[column.Number - 1] && !column.IsDropped)
            {
                row[column.Number - 1] = DefaultOf(column);
            }
        }

        return row;
    }

    /// <summary>The value of <paramref name="column"/>'s default for a new row (NULL without one).</summary>
    public SqlValue DefaultOf(ColumnDef column)
    {
        int i = column.Number - 1;
        if (!_defaultBound[i])
        {
            _defaults[i] = column.DefaultSql is null ? null : _dml.BindStandalone(column.DefaultSql);
            _defaultBound[i] = true;
        }

        return _defaults[i] is { } expr ? Assign(expr.Evaluate(_dml.Eval.Nested()), column) : SqlValue.Null;
    }

    /// <summary>NOT NULL and CHECK constraints on a complete row, once its generated columns are computed from the rest.</summary>
    public void Check(SqlValue[] row)
    {
        Generate(row);
        for (int i = 0; i < _required.Length; i++)
        {
            if (_required[i] && row[i].IsNull)
            {
                throw new SqlException(SqlState.NotNullViolation, $"null value in column \"{Table.Columns[i].Name}\" of relation \"{Table.Name}\" violates not-null constraint",
                    detail: FailingRow(row));
            }
        }

        _checks ??= [.. Table.Constraints.Where(c => c.Kind == ConstraintKind.Check).Select(c => (c, _dml.BindCheck(Table, c.CheckSql!)))];
        if (_checks.Length == 0)
        {
            return;
        }

        EvalContext ctx = _dml.Eval.Nested();
        ctx.Row = row;
        foreach ((ConstraintDef check, BoundExpr condition) in _checks)
        {
            SqlValue ok = condition.Evaluate(ctx);
            if (!ok.IsNull && !ok.AsBool)
            {
                throw new SqlException(SqlState.CheckViolation, $"new row for relation \"{Table.Name}\" violates check constraint \"{check.Name}\"", detail: FailingRow(row));
            }
        }
    }

    /// <summary>Stored generated columns: each expression over the row's other columns (none reads a generated one).</summary>
    private void Generate(SqlValue[] row)
    {
        _generated ??= [.. Table.Columns.Where(c => c.IsGenerated && !c.IsDropped).Select(c => (c, _dml.BindCheck(Table, c.GeneratedSql!)))];
        if (_generated.Length == 0)
        {
            return;
        }

        EvalContext ctx = _dml.Eval.Nested();
        ctx.Row = row;
        foreach ((ColumnDef column, BoundExpr expr) in _generated)
        {
            row[column.Number - 1] = Assign(expr.Evaluate(ctx), column);
        }
    }

    /// <summary>Checks and inserts a complete new row; returns its row key. 23505 when a unique key is taken.</summary>
    public async ValueTask<byte[]> InsertAsync(SqlValue[] row)
    {
        Check(row);
        byte[] key = await _runtime.Storage.InsertLockedAsync(_runtime.Transaction, Table, Indexes, row, _runtime.Cancellation).ConfigureAwait(false);
        References?.RowWritten(Table, row, null);
        return key;
    }

    /// <summary>Checks <paramref name="row"/> and writes it over <paramref name="old"/> (the locked current version at <paramref name="key"/>).</summary>
    public async ValueTask UpdateAsync(byte[] key, SqlValue[] old, SqlValue[] row)
    {
        Check(row);
        await _runtime.Storage.UpdateLockedAsync(_runtime.Transaction, Table, Indexes, key, old, row, _runtime.Cancellation).ConfigureAwait(false);
        if (References is not null)
        {
            References.RowWritten(Table, row, old);
            await References.RowUpdatedAsync(Table, old, row).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the foreign-key checks queued by the rows written (at the end of the statement).</summary>
    public ValueTask FinishAsync() => References?.FinishAsync() ?? ValueTask.CompletedTask;

    public static SqlValue Assign(SqlValue value, ColumnDef column)
    {
        try
        {
            return SqlCast.Coerce(value, column.Type);
        }
        catch (SqlException e) when (e.SqlState == SqlState.CannotCoerce)
        {
            throw new SqlException(SqlState.DatatypeMismatch,
                $"column \"{column.Name}\" is of type {column.Type} but expression is of type {SqlTypeInfo.Of(value.Kind).DisplayName}",
                hint: "You will need to rewrite or cast the expression.");
        }
    }

    private string FailingRow(SqlValue[] row) =>
        $"Failing row contains ({string.Join(", ", Table.VisibleColumns.Select(c => row[c.Number - 1].IsNull ? "null" : SqlText.Format(row[c.Number - 1])))}).";
}

using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>What a prepared statement takes and returns: parameter types (declared or inferred) and result columns (null: no rows).</summary>
public sealed record StatementDescription(IReadOnlyList<SqlType> ParameterTypes, IReadOnlyList<PlanColumn>? Columns);

public sealed partial class SqlSession
{
    /// <summary>
    /// Binds a query without running it (the extended protocol's Describe): parameter types from
    /// <paramref name="declared"/> (Unknown = infer from context) and the result columns. Statements other
    /// than SELECT report their declared parameter types, and columns only for RETURNING.
    /// </summary>
    public StatementDescription Describe(Ast.SqlStatement statement, IReadOnlyList<SqlType> declared)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(declared);
        var catalog = _ddl?.Snapshot ?? _engine.Catalog.Current;
        var binder = new Binder(catalog, Context(catalog), declared);
        if (statement is not Ast.SelectStatement select)
        {
            // INSERT/UPDATE/DELETE ... RETURNING describe their RETURNING columns, so clients get a RowDescription
            return new StatementDescription([.. declared.Select(t => t.Kind == SqlTypeKind.Unknown ? SqlType.Text : t)],
                DmlExecutor.DescribeReturning(binder, statement));
        }

        PlanNode plan = binder.BindSelect(select.Query);
        return new StatementDescription(binder.ParameterTypes, plan.Columns);
    }

    /// <summary>
    /// Runs one statement of the extended protocol: as <see cref="ExecuteAsync(Ast.SqlStatement, SqlValue[], CancellationToken)"/>,
    /// and an error inside an explicit transaction puts the session in the failed state as a simple query's does.
    /// </summary>
    public async Task<StatementResult> ExecutePreparedAsync(Ast.SqlStatement statement, SqlValue[] parameters, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ExecuteAsync(statement, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (SqlException e)
        {
            throw Fail(e);
        }
    }
}

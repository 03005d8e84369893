using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>What a prepared statement takes and returns: parameter types (declared or inferred) and result columns (null: no rows).</summary>
public sealed record StatementDescription(IReadOnlyList<SqlType> ParameterTypes, IReadOnlyList<PlanColumn>? Columns);

public sealed partial class SqlSession
{
    private readonly PlanCache _plans = new();

    /// <summary>
    /// Binds a query without running it (the extended protocol's Describe): parameter types from
    /// <paramref name="declared"/> (Unknown = infer from context) and the result columns. Statements other
    /// than SELECT report their declared parameter types, and columns only for RETURNING.
    /// </summary>
    public StatementDescription Describe(Ast.SqlStatement statement, IReadOnlyList<SqlType> declared) => Describe(statement, declared, out _, out _);

    private StatementDescription Describe(Ast.SqlStatement statement, IReadOnlyList<SqlType> declared, out PlanNode? plan, out CatalogSnapshot catalog)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(declared);
        catalog = _ddl?.Snapshot ?? _engine.Catalog.Current;
        var binder = new Binder(catalog, Context(catalog), declared);
        if (statement is Ast.ShowStatement show)
        {
            // SHOW returns rows: the extended protocol's Describe must announce them (Npgsql reads SHOW this way)
            plan = null;
            return new StatementDescription([], show.Name == "all"
                ? [new PlanColumn("name", SqlType.Text), new PlanColumn("setting", SqlType.Text)]
                : [new PlanColumn(show.Name, SqlType.Text)]);
        }

        if (statement is Ast.ExecuteStatement execute)
        {
            // EXECUTE returns what its prepared statement returns
            plan = null;
            return new StatementDescription([.. declared.Select(t => t.Kind == SqlTypeKind.Unknown ? SqlType.Text : t)],
                _sqlPrepared.TryGetValue(execute.Name, out PreparedStatement? target) ? target.Description.Columns
                    : throw new SqlException("26000", $"prepared statement \"{execute.Name}\" does not exist"));
        }

        if (statement is not Ast.SelectStatement select)
        {
            // INSERT/UPDATE/DELETE ... RETURNING describe their RETURNING columns, so clients get a RowDescription
            plan = null;
            return new StatementDescription([.. declared.Select(t => t.Kind == SqlTypeKind.Unknown ? SqlType.Text : t)],
                DmlExecutor.DescribeReturning(binder, statement));
        }

        plan = binder.BindSelect(select.Query);
        return new StatementDescription(binder.ParameterTypes, plan.Columns);
    }

    /// <summary>
    /// Prepares a parsed statement (the extended protocol's Parse): describes it and, for a SELECT, keeps the
    /// bound plan for <see cref="ExecutePreparedAsync(PreparedStatement, SqlValue[], CancellationToken)"/>.
    /// </summary>
    public PreparedStatement Prepare(Ast.SqlStatement statement, IReadOnlyList<SqlType> declared)
    {
        StatementDescription description = Describe(statement, declared, out PlanNode? plan, out CatalogSnapshot catalog);
        var prepared = new PreparedStatement(statement, [.. declared], description);
        bool briefDml = plan is null && statement is Ast.InsertStatement or Ast.UpdateStatement or Ast.DeleteStatement
            && PlanShape.IsBriefDml(statement, new Binder(catalog, Context(catalog), declared), catalog);
        prepared.Cache(plan, catalog, Settings.Version, briefDml);
        return prepared;
    }

    /// <summary>
    /// Parses and prepares <paramref name="sql"/> (one statement; null for an empty query). The same text with the same
    /// declared types returns the statement prepared before while the catalog and settings are unchanged, so
    /// drivers that send Parse before every execution parse and bind once.
    /// </summary>
    public PreparedStatement? Prepare(string sql, IReadOnlyList<SqlType> declared)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(declared);
        if (_plans.TryGet(sql, declared, out PreparedStatement? cached) && cached!.IsCurrent(_ddl?.Snapshot ?? _engine.Catalog.Current, Settings.Version))
        {
            return cached;
        }

        IReadOnlyList<Ast.SqlStatement> parsed = Ast.SqlParser.Parse(sql);
        if (parsed.Count > 1)
        {
            throw new SqlException(SqlState.SyntaxError, "cannot insert multiple commands into a prepared statement");
        }

        if (parsed.Count == 0)
        {
            return null;
        }

        PreparedStatement prepared = Prepare(parsed[0], declared);
        _plans.Add(sql, prepared);
        return prepared;
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

    /// <summary>
    /// Runs a prepared statement with its parameter values (typed as <see cref="PreparedStatement.ParameterTypes"/>):
    /// a SELECT reuses its plan while the catalog and settings are the ones it was bound against. Errors put an
    /// explicit transaction in the failed state, as for a simple query.
    /// </summary>
    public ValueTask<StatementResult> ExecutePreparedAsync(PreparedStatement prepared, SqlValue[] parameters, CancellationToken cancellationToken = default) =>
        ExecutePreparedAsync(prepared, parameters, null, cancellationToken);

    /// <summary>
    /// As <see cref="ExecutePreparedAsync(PreparedStatement, SqlValue[], CancellationToken)"/>; with a <paramref name="sink"/>,
    /// a SELECT streams its rows there as they are produced and its result carries no rows (only the tag and columns).
    /// </summary>
    public async ValueTask<StatementResult> ExecutePreparedAsync(PreparedStatement prepared, SqlValue[] parameters, IRowSink? sink,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        try
        {
            return await ExecuteStatementAsync(prepared.Statement, prepared, parameters, sink, cancellationToken).ConfigureAwait(false);
        }
        catch (SqlException e)
        {
            throw Fail(e);
        }
    }

    /// <summary>
    /// True when <paramref name="prepared"/>'s plan is current and a primary-key point read (<see cref="PreparedStatement.IsPointRead"/>)
    /// or single-row DML (<see cref="PreparedStatement.IsBriefDml"/>), or it is BEGIN, COMMIT or ROLLBACK:
    /// a protocol may run it inline instead of handing it to another thread.
    /// </summary>
    public bool RunsBriefly(PreparedStatement prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (prepared.Statement is Ast.TransactionStatement { Kind: Ast.TransactionKind.Begin or Ast.TransactionKind.Commit or Ast.TransactionKind.Rollback })
        {
            // BEGIN and ROLLBACK are bookkeeping; COMMIT appends the commit record and awaits the group flush asynchronously
            return true;
        }

        // Locks that a brief INSERT/UPDATE/DELETE waits for are awaited asynchronously (KvTransaction.LockAsync)
        return (prepared.IsPointRead || prepared.IsBriefDml) && prepared.IsCurrent(_ddl?.Snapshot ?? _engine.Catalog.Current, Settings.Version);
    }

    /// <summary>Longest simple-query text <see cref="PrepareBriefQuery"/> parses on the caller's thread.</summary>
    private const int BriefQueryMaxLength = 1024;

    /// <summary>
    /// The statement of a simple query when it is one short primary-key point read (<see cref="RunsBriefly"/>), bound
    /// so that a protocol may run it inline with <see cref="ExecuteBriefQueryAsync"/>; null for anything else, including
    /// text that does not parse or bind (the ordinary path then reports the error as PostgreSQL would).
    /// </summary>
    public PreparedStatement? PrepareBriefQuery(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (sql.Length > BriefQueryMaxLength || _failed)
        {
            return null;
        }

        try
        {
            IReadOnlyList<Ast.SqlStatement> parsed = Ast.SqlParser.Parse(sql);
            if (parsed.Count != 1 || parsed[0] is not Ast.SelectStatement)
            {
                return null;
            }

            PreparedStatement prepared = Prepare(parsed[0], []);
            return prepared.IsPointRead && prepared.ParameterTypes.Count == 0 ? prepared : null;
        }
        catch (SqlException)
        {
            return null;
        }
    }

    /// <summary>
    /// Runs a simple query that <see cref="PrepareBriefQuery"/> prepared, as <see cref="ExecuteAsync(string, CancellationToken)"/>
    /// runs one statement, its row streamed to <paramref name="sink"/>.
    /// </summary>
    public async ValueTask<BatchResult> ExecuteBriefQueryAsync(PreparedStatement prepared, IRowSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(sink);
        try
        {
            StatementResult result = await ExecuteStatementAsync(prepared.Statement, prepared, [], sink, cancellationToken).ConfigureAwait(false);
            return new BatchResult([result], null, State);
        }
        catch (SqlException e)
        {
            return new BatchResult([], Fail(e), State);
        }
    }

    /// <summary>The prepared SELECT's plan for <paramref name="catalog"/>: the cached one, or bound again with the prepared parameter types.</summary>
    private PlanNode PlanOf(PreparedStatement prepared, Ast.SelectStatement select, CatalogSnapshot catalog)
    {
        long settings = Settings.Version;
        if (prepared.CachedPlan(catalog, settings) is { } plan)
        {
            return plan;
        }

        plan = new Binder(catalog, Context(catalog), prepared.ParameterTypes).BindSelect(select.Query);
        prepared.CheckSameResult(plan);
        prepared.Cache(plan, catalog, settings);
        return plan;
    }

    /// <summary>A SELECT's rows sent to <paramref name="sink"/>; a prepared point read runs without the iterator tree (PointRead.cs).</summary>
    private static StatementResult StreamSelect(PreparedStatement? prepared, PlanNode plan, EvalContext eval, Txn.IKvTransaction txn, IRowSink sink,
        long maxRows)
    {
        sink.Begin(plan.Columns);
        if (prepared?.PointRead is { } point)
        {
            return prepared.StreamedResult(point.Execute(eval, txn, sink));
        }

        int count = 0;
        foreach (SqlValue[] row in plan.Execute(eval))
        {
            if (count >= maxRows)
            {
                maxRows = CheckResultLimit(plan, maxRows);
            }

            sink.Row(row);
            count++;
        }

        return prepared?.StreamedResult(count) ?? new StatementResult(CommandTags.Select(count), plan.Columns);
    }

    /// <summary>A SELECT's rows, read to the end, and its command tag.</summary>
    private static StatementResult SelectResult(PlanNode plan, EvalContext eval, long maxRows)
    {
        List<SqlValue[]> rows = [];
        foreach (SqlValue[] row in plan.Execute(eval))
        {
            if (rows.Count >= maxRows)
            {
                maxRows = CheckResultLimit(plan, maxRows);
            }

            rows.Add(row);
        }

        return new StatementResult(CommandTags.Select(rows.Count), plan.Columns, rows);
    }

    /// <summary>
    /// Called when a result reaches max_result_rows: fails it, unless the query reads only the system catalog (what drivers
    /// run at connect, such as Npgsql's load of every pg_type row), whose size the schema bounds, not the data; that query
    /// goes on unlimited. Checked only at the limit, so results below it pay nothing.
    /// </summary>
    private static long CheckResultLimit(PlanNode plan, long maxRows) =>
        ReadsOnlySystemCatalog(plan)
            ? long.MaxValue
            : throw new SqlException(SqlState.ProgramLimitExceeded, $"query result exceeds max_result_rows ({maxRows} rows)",
                hint: "Add a LIMIT or a narrower WHERE clause, or raise max_result_rows in the server configuration.");

    private static bool ReadsOnlySystemCatalog(PlanNode plan)
    {
        bool catalog = false;
        var pending = new Stack<PlanNode>();
        pending.Push(plan);
        while (pending.TryPop(out PlanNode? node))
        {
            switch (node)
            {
                case SystemViews.VirtualTableNode:
                    catalog = true;
                    break;
                case TableScanNode or TableFunctionNode or ProjectSetNode or RecursiveUnionNode:
                    return false;
            }

            foreach (PlanNode child in node.Children)
            {
                pending.Push(child);
            }
        }

        return catalog;
    }
}

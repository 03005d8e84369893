using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// The extended protocol's implicit transaction (PostgreSQL's postgres.c: a transaction started by an Execute outside
/// a block is committed at Sync, not after each statement, so a batch of Executes in one Sync commits together or
/// not at all), DISCARD, CLOSE, and SQL-level PREPARE / EXECUTE / DEALLOCATE.
/// </summary>
public sealed partial class SqlSession
{
    private readonly Dictionary<string, PreparedStatement> _sqlPrepared = new(StringComparer.Ordinal);
    private bool _implicitTxn;

    /// <summary>True while an extended-protocol implicit transaction is open (until <see cref="EndImplicitTransactionAsync"/>).</summary>
    public bool InImplicitTransaction => _implicitTxn;

    /// <summary>
    /// Before an Execute: outside a transaction block, opens the implicit transaction the statements up to Sync
    /// share. A transaction-control statement runs as it is (BEGIN opens a block of its own).
    /// </summary>
    public void BeginImplicitTransaction(PreparedStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (_txn is not null || statement.Statement is Ast.TransactionStatement)
        {
            return;
        }

        _txn = BeginDefaultTransaction(_spareTxn);
        _spareTxn = null;
        _implicitTxn = true;
        _failed = false;
        _statementsInTransaction = 0;
    }

    /// <summary>At Sync: commits the implicit transaction, or rolls it back after an error; the commit's error, if any.</summary>
    public async ValueTask<SqlException?> EndImplicitTransactionAsync(CancellationToken cancellationToken = default)
    {
        if (!_implicitTxn)
        {
            return null;
        }

        IKvTransaction txn = _txn!;
        bool failed = _failed;
        _txn = null;
        _failed = false;
        _implicitTxn = false;
        try
        {
            if (failed)
            {
                txn.Rollback();
                ForgetTransactionState();
                return null;
            }

            await CommitAsync(txn, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is not SqlException && Translate(e) is { } sql)
        {
            return sql;
        }
        finally
        {
            txn.Dispose();
            _spareTxn = txn;
        }
    }

    /// <summary>Drops what belonged to the transaction that just ended without committing.</summary>
    private void ForgetTransactionState()
    {
        _ddl = null;
        _savepoints.Clear();
        Settings.TransactionEnded(committed: false);
        ReleaseTransactionAdvisoryLocks();
        _pendingListens.Clear();
        _pendingNotifies.Clear();
    }

    private StatementResult Discard(Ast.DiscardStatement discard)
    {
        if (discard.What == "all")
        {
            // PreventInTransactionBlock: the first statement of an extended-protocol batch may still run it
            if (_txn is not null && !(_implicitTxn && _statementsInTransaction == 0))
            {
                throw new SqlException(SqlState.ActiveTransaction, "DISCARD ALL cannot run inside a transaction block");
            }

            Settings.Reset(null);
            _sqlPrepared.Clear();
            _plans.Clear();
            _pendingListens.Clear();
            UnlistenNow(null);
            ReleaseAdvisoryLocks(h => !h.Transaction); // DISCARD ALL includes pg_advisory_unlock_all()
        }
        else if (discard.What == "plans")
        {
            _plans.Clear();
        }

        // temporary objects went before (DiscardTemporary); no per-session sequence state (currval) exists for SEQUENCES
        return new StatementResult("DISCARD " + discard.What.ToUpperInvariant());
    }

    /// <summary>CLOSE name | ALL: no SQL cursors exist (DECLARE is not supported), so ALL closes nothing and a name is unknown.</summary>
    private static StatementResult Close(Ast.CloseStatement close) =>
        close.Portal is null ? new StatementResult("CLOSE CURSOR ALL") : throw new SqlException("34000", $"cursor \"{close.Portal}\" does not exist");

    private StatementResult PrepareSql(Ast.PrepareStatement prepare)
    {
        if (prepare.Statement is not (Ast.SelectStatement or Ast.InsertStatement or Ast.UpdateStatement or Ast.DeleteStatement))
        {
            throw new SqlException(SqlState.SyntaxError, "PREPARE supports SELECT, INSERT, UPDATE and DELETE only");
        }

        if (_sqlPrepared.ContainsKey(prepare.Name))
        {
            throw new SqlException("42P05", $"prepared statement \"{prepare.Name}\" already exists");
        }

        Catalog.CatalogSnapshot catalog = _ddl?.Snapshot ?? _engine.Catalog.Current;
        var types = new Binder(catalog, Context(catalog), null);
        SqlType[] declared = [.. prepare.ParameterTypes.Select(t => types.ResolveType(t, 0))];
        _sqlPrepared[prepare.Name] = Prepare(prepare.Statement, declared);
        return new StatementResult("PREPARE");
    }

    private StatementResult Deallocate(Ast.DeallocateStatement deallocate)
    {
        if (deallocate.Name is null)
        {
            _sqlPrepared.Clear();
            return new StatementResult("DEALLOCATE ALL");
        }

        return _sqlPrepared.Remove(deallocate.Name) ? new StatementResult("DEALLOCATE")
            : throw new SqlException("26000", $"prepared statement \"{deallocate.Name}\" does not exist");
    }

    /// <summary>EXECUTE name(args): the arguments are evaluated and cast to the parameter types, then the statement runs with them.</summary>
    private async ValueTask<StatementResult> ExecuteSqlAsync(Ast.ExecuteStatement execute, IKvTransaction txn, SqlValue[] parameters, IRowSink? sink,
        CancellationToken cancellationToken)
    {
        if (!_sqlPrepared.TryGetValue(execute.Name, out PreparedStatement? prepared))
        {
            throw new SqlException("26000", $"prepared statement \"{execute.Name}\" does not exist");
        }

        IReadOnlyList<SqlType> types = prepared.ParameterTypes;
        if (execute.Args.Count != types.Count)
        {
            throw new SqlException(SqlState.SyntaxError, $"wrong number of parameters for prepared statement \"{execute.Name}\"",
                detail: $"Expected {types.Count} parameters but got {execute.Args.Count}.");
        }

        var values = new SqlValue[types.Count];
        if (types.Count > 0)
        {
            // SELECT CAST((arg) AS type), ...: the arguments typed as the parameters, untyped literals included
            string sql = "SELECT " + string.Join(", ", execute.Args.Select((a, i) =>
                $"CAST(({Ast.SqlPrinter.Print(a)}) AS {SqlTypeInfo.Of(types[i].Kind).PgName}{(types[i].IsArray ? "[]" : "")})"));
            var select = (Ast.SelectStatement)Ast.SqlParser.Parse(sql)[0];
            Catalog.CatalogSnapshot catalog = _ddl?.Snapshot ?? _engine.Catalog.Current;
            PlanNode plan = new Binder(catalog, Context(catalog), null).BindSelect(select.Query);
            EvalContext argEval = new(parameters) { Runtime = _runtime, StatementTimestampMicros = SqlDateTime.NowMicros() };
            SqlValue[] row = plan.Execute(argEval).First();
            row.AsSpan(0, values.Length).CopyTo(values);
        }

        return await RunAsync(prepared.Statement, prepared, txn, values, sink, cancellationToken).ConfigureAwait(false);
    }
}

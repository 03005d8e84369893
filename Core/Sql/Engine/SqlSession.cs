using ThunderDb.Core.Catalog;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Session;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;
using TxnIsolation = ThunderDb.Core.Txn.IsolationLevel;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>The outcome of a simple-query batch: the results of the statements that ran, and the error that stopped it, if any.</summary>
public sealed record BatchResult(IReadOnlyList<StatementResult> Results, SqlException? Error, SessionTransactionState State)
{
    /// <summary>How many of <see cref="Results"/> were already handed to the batch's <see cref="IStatementStream"/>.</summary>
    public int Sent { get; init; }
}

/// <summary>
/// One client's SQL session: transaction state (autocommit, explicit BEGIN ... COMMIT, failed), session settings,
/// and statement execution. Not thread-safe: a protocol connection runs one statement at a time.
/// <para>
/// Outside an explicit transaction every statement commits on its own (READ COMMITTED, PostgreSQL's default).
/// Inside one, an error puts the session in the failed state: everything but ROLLBACK (or COMMIT, which then
/// rolls back) answers 25P02 until the transaction ends, as PostgreSQL does.
/// </para>
/// </summary>
public sealed partial class SqlSession
{
    private readonly SqlEngine _engine;
    private IKvTransaction? _txn;
    private IKvTransaction? _spareTxn;
    private ExecutionRuntime? _runtime;
    private EvalContext? _eval;
    private CatalogChanges? _ddl;
    private bool _failed;
    private int _statementsInTransaction;

    internal SqlSession(SqlEngine engine, string user, string database)
    {
        _engine = engine;
        User = user;
        DatabaseName = database;
        Settings = new SessionSettings();
        _loggedInAsRole = engine.Catalog.Current.FindRole(user) is not null;
        Settings.SetByServer("is_superuser", IsSuperuser ? "on" : "off");
        Settings.SetByServer("password_encryption", engine.PasswordEncryption == PasswordEncryption.Md5 ? "md5" : "scram-sha-256");
    }

    public string User { get; }

    public string DatabaseName { get; }

    public SessionSettings Settings { get; }

    /// <summary>Where COPY FROM STDIN / TO STDOUT talk to the client; null (COPY refused) for protocols without COPY.</summary>
    public ICopyChannel? CopyChannel { get; set; }

    public SessionTransactionState State => _txn is null ? SessionTransactionState.Idle : _failed ? SessionTransactionState.Failed : SessionTransactionState.InTransaction;

    /// <summary>Runs every statement of <paramref name="sql"/> in order, stopping at the first error (the simple query protocol).</summary>
    public Task<BatchResult> ExecuteAsync(string sql, CancellationToken cancellationToken = default) => ExecuteAsync(sql, null, cancellationToken);

    /// <summary>
    /// Runs every statement of <paramref name="sql"/> in order, stopping at the first error; with a
    /// <paramref name="stream"/>, SELECTs stream their rows into it and each result is handed over as its statement ends
    /// (as PostgreSQL answers a Query message: a COPY's messages then follow the results before it).
    /// </summary>
    public async Task<BatchResult> ExecuteAsync(string sql, IStatementStream? stream, CancellationToken cancellationToken = default)
    {
        var results = new List<StatementResult>();
        IReadOnlyList<Ast.SqlStatement> statements;
        try
        {
            statements = Ast.SqlParser.Parse(sql);
        }
        catch (SqlException e)
        {
            return new BatchResult(results, Fail(e), State);
        }

        // Several statements outside a transaction block run in one implicit transaction, as PostgreSQL runs a
        // multi-statement Query message: all of them commit together, or an error undoes all of them.
        bool implicitBlock = _txn is null && statements.Count > 1 && !statements.Any(st => st is Ast.TransactionStatement);
        if (implicitBlock)
        {
            _txn = BeginDefaultTransaction();
            _statementsInTransaction = 0;
        }

        int sent = 0;
        foreach (Ast.SqlStatement statement in statements)
        {
            try
            {
                StatementResult result = await ExecuteStatementAsync(statement, null, [], stream, cancellationToken).ConfigureAwait(false);
                results.Add(result);
                if (stream is not null)
                {
                    stream.Completed(result);
                    sent = results.Count;
                }
            }
            catch (SqlException e)
            {
                if (implicitBlock)
                {
                    EndImplicitBlock(commit: false);
                    return new BatchResult(results, e, State) { Sent = sent };
                }

                return new BatchResult(results, Fail(e), State) { Sent = sent };
            }
        }

        if (implicitBlock)
        {
            try
            {
                await CommitAsync(_txn!, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Translate(e) is { } commitError)
            {
                EndImplicitBlock(commit: false);
                return new BatchResult(results, commitError, State) { Sent = sent };
            }

            EndImplicitBlock(commit: true);
        }

        return new BatchResult(results, null, State) { Sent = sent };
    }

    private void EndImplicitBlock(bool commit)
    {
        IKvTransaction txn = _txn!;
        _txn = null;
        _failed = false;
        if (!commit)
        {
            txn.Rollback();
            ForgetTransactionState();
        }

        txn.Dispose();
    }

    /// <summary>Runs one parsed statement with its parameter values.</summary>
    public Task<StatementResult> ExecuteAsync(Ast.SqlStatement statement, SqlValue[] parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return ExecuteStatementAsync(statement, null, parameters, null, cancellationToken).AsTask();
    }

    /// <summary>One statement, inside a trace span when OpenTelemetry export listens (no cost otherwise).</summary>
    private ValueTask<StatementResult> ExecuteStatementAsync(Ast.SqlStatement statement, PreparedStatement? prepared, SqlValue[] parameters,
        IRowSink? sink, CancellationToken cancellationToken) =>
        ThunderTracing.Source.HasListeners()
            ? RunTracedAsync(statement, prepared, parameters, sink, cancellationToken)
            : RunStatementAsync(statement, prepared, parameters, sink, cancellationToken);

    private async ValueTask<StatementResult> RunTracedAsync(Ast.SqlStatement statement, PreparedStatement? prepared, SqlValue[] parameters,
        IRowSink? sink, CancellationToken cancellationToken)
    {
        using var span = ThunderTracing.StartSqlStatement("postgresql", StatementName(statement), StatementText(statement), DatabaseName);
        try
        {
            return await RunStatementAsync(statement, prepared, parameters, sink, cancellationToken).ConfigureAwait(false);
        }
        catch (SqlException e)
        {
            ThunderTracing.Fail(span, e.SqlState, e.Message);
            throw;
        }
    }

    private static string? StatementText(Ast.SqlStatement statement)
    {
        try
        {
            return Ast.SqlPrinter.Print(statement);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null; // a statement the printer does not render still gets its span, without the text
        }
    }

    /// <summary>
    /// One statement; a SELECT of <paramref name="prepared"/> runs its cached plan (PlanCache.cs), and with a
    /// <paramref name="sink"/> a SELECT's rows go there instead of into the result.
    /// </summary>
    private async ValueTask<StatementResult> RunStatementAsync(Ast.SqlStatement statement, PreparedStatement? prepared, SqlValue[] parameters,
        IRowSink? sink, CancellationToken cancellationToken)
    {
        if (statement is Ast.TransactionStatement control)
        {
            return await TransactionControlAsync(control, cancellationToken).ConfigureAwait(false);
        }

        if (_failed)
        {
            throw new SqlException(SqlState.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block");
        }

        switch (statement)
        {
            case Ast.SetStatement or Ast.ResetStatement or Ast.ShowStatement or Ast.SetTransactionStatement:
                return SessionCommand(statement);
            // PreventInTransactionBlock: the first statement of an extended-protocol batch may still run it
            case Ast.VacuumStatement or Ast.CreateDatabaseStatement or Ast.DropStatement { Kind: Ast.ObjectKind.Database }
                when _txn is not null && !(_implicitTxn && _statementsInTransaction == 0):
                throw new SqlException(SqlState.ActiveTransaction,
                    $"{statement switch { Ast.VacuumStatement => "VACUUM", Ast.CreateDatabaseStatement => "CREATE DATABASE", _ => "DROP DATABASE" }} cannot run inside a transaction block");
            case Ast.DiscardStatement discard when !(discard.What is "temp" or "all" && HasTemporarySchema()):
                return Discard(discard);
            case Ast.CloseStatement close:
                return Close(close);
            case Ast.PrepareStatement prepareSql:
                return PrepareSql(prepareSql);
            case Ast.DeallocateStatement deallocate:
                return Deallocate(deallocate);
        }

        bool autocommit = _txn is null;
        _statementsInTransaction++;
        // an autocommit statement recycles the previous one's finished transaction object
        IKvTransaction txn = _txn ?? BeginDefaultTransaction(_spareTxn);
        try
        {
            txn.BeginStatement();
            StatementResult result = await RunAsync(statement, prepared, txn, parameters, sink, cancellationToken).ConfigureAwait(false);
            if (autocommit)
            {
                await CommitAsync(txn, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        catch (Exception e) when (e is not SqlException)
        {
            if (autocommit)
            {
                AbandonDdl();
            }

            // an engine bug fails the statement (XX000, the protocol logs its stack), never the connection
            throw Translate(e) ?? new SqlException(SqlState.InternalError, "internal error: " + e.Message, inner: e);
        }
        catch (SqlException)
        {
            if (autocommit)
            {
                AbandonDdl();
            }

            throw;
        }
        finally
        {
            if (autocommit)
            {
                txn.Dispose();
                _ddl = null;
                _spareTxn = txn;
            }
        }
    }

    /// <summary>A prepared INSERT, UPDATE or DELETE is bound once per catalog and settings version, as a prepared SELECT's plan is.</summary>
    private T KeepBound<T>(PreparedStatement? prepared, T bound, CatalogSnapshot catalog)
        where T : BoundDml
    {
        prepared?.CacheDml(bound, catalog, Settings.Version);
        return bound;
    }

    private async ValueTask<StatementResult> RunAsync(Ast.SqlStatement statement, PreparedStatement? prepared, IKvTransaction txn, SqlValue[] parameters,
        IRowSink? sink, CancellationToken cancellationToken)
    {
        RefuseWriteIfReadOnly(statement);
        CatalogSnapshot catalog = _ddl?.Snapshot ?? _engine.Catalog.Current;
        // one runtime and top-level context serve statement after statement: nothing keeps them past the statement
        ExecutionRuntime runtime = _runtime ??= new ExecutionRuntime(txn, catalog, _engine.Storage, cancellationToken);
        runtime.Reset(txn, catalog, cancellationToken);
        EvalContext eval = _eval ??= new EvalContext(parameters);
        eval.Reset(parameters, runtime, SqlDateTime.NowMicros());
        if (statement is Ast.SelectStatement select)
        {
            PlanNode plan = prepared is null ? new Binder(catalog, Context(catalog), null).BindSelect(select.Query) : PlanOf(prepared, select, catalog);
            long maxRows = _engine.MaxResultRows;
            return sink is null ? SelectResult(plan, eval, maxRows) : StreamSelect(prepared, plan, eval, txn, sink, maxRows);
        }

        var binder = new Binder(catalog, Context(catalog), null);
        switch (statement)
        {
            case Ast.InsertStatement insert:
            {
                var dml = new DmlExecutor(binder, runtime, eval);
                var bound = prepared?.CachedDml(catalog, Settings.Version) as DmlExecutor.BoundInsert ?? KeepBound(prepared, dml.BindInsert(insert), catalog);
                return await dml.InsertAsync(bound).ConfigureAwait(false);
            }

            case Ast.UpdateStatement update:
            {
                var dml = new DmlExecutor(binder, runtime, eval);
                var bound = prepared?.CachedDml(catalog, Settings.Version) as DmlExecutor.BoundUpdate ?? KeepBound(prepared, dml.BindUpdate(update), catalog);
                return await dml.UpdateAsync(bound).ConfigureAwait(false);
            }

            case Ast.DeleteStatement delete:
            {
                var dml = new DmlExecutor(binder, runtime, eval);
                var bound = prepared?.CachedDml(catalog, Settings.Version) as DmlExecutor.BoundDelete ?? KeepBound(prepared, dml.BindDelete(delete), catalog);
                return await dml.DeleteAsync(bound).ConfigureAwait(false);
            }

            case Ast.CopyStatement copy:
                return await new CopyExecutor(new DmlExecutor(binder, runtime, eval), binder, runtime, eval, CopyChannel).ExecuteAsync(copy).ConfigureAwait(false);
            case Ast.VacuumStatement or Ast.AnalyzeStatement or MaintenanceRequest:
                return Maintain(statement, txn, binder, catalog, cancellationToken);
            case Ast.ExplainStatement explain when explain.Statement is Ast.SelectStatement s:
                return ExplainSelect(explain, s, binder, runtime, eval);
            case Ast.ExplainStatement explain when explain.Statement is Ast.InsertStatement or Ast.UpdateStatement or Ast.DeleteStatement:
                return await ExplainDmlAsync(explain, binder, runtime, eval).ConfigureAwait(false);
            case Ast.CreateTableStatement { AsQuery: not null } createAs:
                return await CreateTableAsAsync(createAs, txn, binder, runtime, eval, catalog, cancellationToken).ConfigureAwait(false);
            case Ast.CreateTableStatement or Ast.DropStatement or Ast.CreateIndexStatement or Ast.CreateViewStatement or Ast.TruncateStatement
                or Ast.AlterTableStatement or Ast.CreateSchemaStatement or Ast.CreateSequenceStatement or Ast.CreateDatabaseStatement or Ast.CommentStatement
                or Ast.CreateEnumTypeStatement or Ast.AlterTypeStatement:
            {
                _ddl ??= _engine.Catalog.Change(txn, catalog);
                StatementResult done = new DdlExecutor(binder, _ddl, runtime).Execute(statement);
                if (statement is Ast.CreateTableStatement { OnCommit: not Ast.OnCommitAction.PreserveRows } temporary)
                {
                    NoteOnCommit(temporary);
                }

                return done;
            }
            case Ast.DiscardStatement discard:
                _ddl ??= _engine.Catalog.Change(txn, catalog);
                return DiscardTemporary(discard, new DdlExecutor(binder, _ddl, runtime));
            case Ast.CreateRoleStatement or Ast.AlterRoleStatement or Ast.DropRoleStatement:
                _ddl ??= _engine.Catalog.Change(txn, catalog);
                return new RoleExecutor(this, _ddl, _engine).Execute(statement);
            case Ast.ExecuteStatement execute:
                return await ExecuteSqlAsync(execute, txn, parameters, sink, cancellationToken).ConfigureAwait(false);
            case Ast.ListenStatement listen:
                return ListenCommand(listen);
            case Ast.UnsupportedStatement unsupported:
                throw new SqlException(SqlState.FeatureNotSupported, unsupported.Message);
            default:
                throw new SqlException(SqlState.FeatureNotSupported, $"{StatementName(statement)} is not supported yet");
        }
    }

    private static string StatementName(Ast.SqlStatement s) => s.GetType().Name.Replace("Statement", "", StringComparison.Ordinal).ToUpperInvariant();

    private SessionContext Context(CatalogSnapshot catalog) =>
        new(User, DatabaseName, catalog.FindDatabase(DatabaseName)?.Oid ?? WellKnownOids.PostgresDatabase, Settings.SearchPath, Settings.All, BackendPid)
        {
            Services = this,
            TemporarySchema = TemporarySchema,
            SuperuserName = _engine.SuperuserName ?? User,
            IsSuperuser = IsSuperuserIn(catalog),
        };

    private async ValueTask CommitAsync(IKvTransaction txn, CancellationToken cancellationToken)
    {
        try
        {
            RunOnCommitActions(txn, cancellationToken);
            await txn.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ForgetTransactionState();
            throw;
        }

        if (_ddl is { HasChanges: true })
        {
            _engine.Catalog.Refresh();
        }

        _ddl = null;
        _savepoints.Clear();
        Settings.TransactionEnded(committed: true);
        ReleaseTransactionAdvisoryLocks();
        ApplyNotifications();
    }

    private void AbandonDdl() => ForgetTransactionState();

    /// <summary>Engine failures as the SQL errors clients expect; null for bugs (they propagate).</summary>
    internal static SqlException? Translate(Exception e)
    {
        EngineFailure failure = EngineFailure.Of(e);
        return failure.Kind switch
        {
            EngineFailureKind.Conflict => new SqlException(SqlState.SerializationFailure, "could not serialize access due to concurrent update"),
            EngineFailureKind.ReadOnly => new SqlException(SqlState.ReadOnlyTransaction, $"cannot execute statement: the store is read-only ({failure.Message})"),
            EngineFailureKind.KeyTooLarge or EngineFailureKind.TransactionTooLarge => new SqlException(SqlState.ProgramLimitExceeded, failure.Message),
            EngineFailureKind.Cancelled => new SqlException(SqlState.QueryCanceled, "canceling statement due to user request"),
            EngineFailureKind.DeadlineExceeded => new SqlException(SqlState.QueryCanceled, "canceling statement due to statement timeout"),
            EngineFailureKind.Deadlock => new SqlException(SqlState.DeadlockDetected, failure.Message),
            EngineFailureKind.LockTimeout => new SqlException(SqlState.LockNotAvailable, "canceling statement due to lock timeout", detail: failure.Message),
            EngineFailureKind.LockNotAvailable => new SqlException(SqlState.LockNotAvailable, failure.Message),
            _ => null,
        };
    }

    private SqlException Fail(SqlException e)
    {
        if (_txn is not null)
        {
            _failed = true;
        }

        return e;
    }

    private async ValueTask<StatementResult> TransactionControlAsync(Ast.TransactionStatement control, CancellationToken cancellationToken)
    {
        switch (control.Kind)
        {
            case Ast.TransactionKind.Savepoint or Ast.TransactionKind.Release or Ast.TransactionKind.RollbackToSavepoint:
                return SavepointCommand(control);
            case Ast.TransactionKind.Begin:
                if (_implicitTxn)
                {
                    // BEGIN after other statements of an extended-protocol batch: they become part of the block, as in PostgreSQL
                    _implicitTxn = false;
                    return new StatementResult("BEGIN");
                }

                if (_txn is not null)
                {
                    return new StatementResult("BEGIN", Notices: ["there is already a transaction in progress"]);
                }

                _txn = BeginBlock(control.Modes);
                _failed = false;
                _statementsInTransaction = 0;
                return new StatementResult("BEGIN");
            case Ast.TransactionKind.Commit:
            {
                if (_txn is null)
                {
                    return new StatementResult("COMMIT", Notices: ["there is no transaction in progress"]);
                }

                IKvTransaction txn = _txn;
                bool failed = _failed;
                string[]? notices = _implicitTxn ? ["there is no transaction in progress"] : null;
                _txn = null;
                _failed = false;
                _implicitTxn = false;
                using (txn)
                {
                    if (failed)
                    {
                        txn.Rollback();
                        ForgetTransactionState();
                        return new StatementResult("ROLLBACK");
                    }

                    try
                    {
                        await CommitAsync(txn, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (Translate(e) is { } sql)
                    {
                        _ddl = null;
                        throw sql;
                    }
                }

                return new StatementResult("COMMIT", Notices: notices);
            }

            case Ast.TransactionKind.Rollback:
                if (_txn is null)
                {
                    return new StatementResult("ROLLBACK", Notices: ["there is no transaction in progress"]);
                }

                string[]? rollbackNotices = _implicitTxn ? ["there is no transaction in progress"] : null;
                _txn.Rollback();
                _txn.Dispose();
                _txn = null;
                _failed = false;
                _implicitTxn = false;
                ForgetTransactionState();
                return new StatementResult("ROLLBACK", Notices: rollbackNotices);
            default:
                throw new SqlException(SqlState.FeatureNotSupported, $"{control.Kind} is not supported");
        }
    }
}

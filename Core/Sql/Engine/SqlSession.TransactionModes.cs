using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;
using TxnIsolation = ThunderDb.Core.Txn.IsolationLevel;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// Transaction modes as PostgreSQL has them, from BEGIN, SET TRANSACTION, SET SESSION CHARACTERISTICS and the
/// <c>default_transaction_*</c> settings: the isolation level (READ COMMITTED by default, REPEATABLE READ is snapshot
/// isolation; SERIALIZABLE is refused, never run silently weaker), READ ONLY (writes fail with 25006), and the
/// session's <c>lock_timeout</c> carried into the engine's lock waits.
/// </summary>
public sealed partial class SqlSession
{
    /// <summary>Whether the open transaction (or the autocommit statement) is READ ONLY.</summary>
    private bool _readOnly;

    /// <summary>The options the last transaction began with: kept while isolation and lock_timeout stay the same.</summary>
    private TransactionOptions _transactionOptions = TransactionOptions.ReadCommitted;

    internal static SqlException SerializableRefused() =>
        new(SqlState.FeatureNotSupported, "SERIALIZABLE isolation is not supported",
            hint: "Use REPEATABLE READ (snapshot isolation: a write that conflicts with a concurrent commit fails with 40001).");

    /// <summary>Begins a transaction at <paramref name="isolation"/>, waiting for locks at most the session's lock_timeout.</summary>
    private IKvTransaction BeginTransaction(TxnIsolation isolation, bool readOnly, IKvTransaction? reuse = null)
    {
        TimeSpan lockTimeout = Settings.LockTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : Settings.LockTimeout;
        if (_transactionOptions.Isolation != isolation || _transactionOptions.LockTimeout != lockTimeout)
        {
            _transactionOptions = new TransactionOptions { Isolation = isolation, LockTimeout = lockTimeout };
        }

        _readOnly = readOnly;
        return _engine.Database.Begin(_transactionOptions, reuse);
    }

    /// <summary>After a SET, RESET, set_config or ROLLBACK TO inside the open transaction: a changed lock_timeout applies to its next lock waits.</summary>
    private void ApplyLockTimeoutIfChanged(TimeSpan before)
    {
        if (_txn is not null && Settings.LockTimeout != before)
        {
            _txn.ChangeLockTimeout(Settings.LockTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : Settings.LockTimeout);
        }
    }

    /// <summary>A transaction with the session's default modes (autocommit statements, implicit blocks).</summary>
    private IKvTransaction BeginDefaultTransaction(IKvTransaction? reuse = null) =>
        BeginTransaction(Settings.DefaultIsolation, Settings.DefaultReadOnly, reuse);

    /// <summary>BEGIN [ISOLATION LEVEL ...] [READ ONLY | READ WRITE].</summary>
    private IKvTransaction BeginBlock(Ast.TransactionModes modes)
    {
        TxnIsolation isolation = modes.Isolation is { } level ? IsolationOf(level) : Settings.DefaultIsolation;
        bool readOnly = modes.ReadOnly ?? Settings.DefaultReadOnly;
        IKvTransaction txn = BeginTransaction(isolation, readOnly);
        Settings.ShowTransactionModes(isolation, readOnly);
        return txn;
    }

    private static TxnIsolation IsolationOf(Ast.IsolationLevel level) => level switch
    {
        Ast.IsolationLevel.Serializable => throw SerializableRefused(),
        Ast.IsolationLevel.RepeatableRead => TxnIsolation.RepeatableRead,
        _ => TxnIsolation.ReadCommitted, // READ UNCOMMITTED behaves as READ COMMITTED, as in PostgreSQL
    };

    /// <summary>SET TRANSACTION / SET SESSION CHARACTERISTICS AS TRANSACTION.</summary>
    private StatementResult SetTransactionModes(Ast.TransactionModes modes, bool sessionDefault)
    {
        if (sessionDefault)
        {
            if (modes.Isolation is { } level)
            {
                Settings.Set("default_transaction_isolation", SessionSettings.IsolationText(level), inTransaction: _txn is not null);
            }

            if (modes.ReadOnly is { } ro)
            {
                Settings.Set("default_transaction_read_only", ro ? "on" : "off", inTransaction: _txn is not null);
            }

            return new StatementResult("SET");
        }

        if (_txn is null)
        {
            return new StatementResult("SET", Notices: ["SET TRANSACTION can only be used in transaction blocks"]);
        }

        if (modes.Isolation is { } isolationLevel)
        {
            TxnIsolation isolation = IsolationOf(isolationLevel);
            if (isolation != _transactionOptions.Isolation)
            {
                if (_statementsInTransaction > 0)
                {
                    throw new SqlException(SqlState.ActiveTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query");
                }

                _txn.Dispose(); // nothing ran yet: begin again at the requested level
                _txn = BeginTransaction(isolation, _readOnly);
            }
        }

        if (modes.ReadOnly is { } readOnly && readOnly != _readOnly)
        {
            if (!readOnly && _statementsInTransaction > 0)
            {
                throw new SqlException(SqlState.ActiveTransaction, "transaction read-write mode must be set before any query");
            }

            _readOnly = readOnly;
        }

        Settings.ShowTransactionModes(_transactionOptions.Isolation, _readOnly);
        return new StatementResult("SET");
    }

    /// <summary>25006 for a statement that would write in a READ ONLY transaction, named as PostgreSQL names it.</summary>
    private void RefuseWriteIfReadOnly(Ast.SqlStatement statement)
    {
        if (_readOnly && WriteCommand(statement) is { } command)
        {
            throw new SqlException(SqlState.ReadOnlyTransaction, $"cannot execute {command} in a read-only transaction");
        }
    }

    private static string? WriteCommand(Ast.SqlStatement statement) => statement switch
    {
        Ast.InsertStatement => "INSERT",
        Ast.UpdateStatement => "UPDATE",
        Ast.DeleteStatement => "DELETE",
        Ast.CopyStatement { IsFrom: true } => "COPY FROM",
        Ast.SelectStatement { Query.Locking: [var first, ..] } => first.Strength switch
        {
            Ast.LockStrength.Update => "SELECT FOR UPDATE",
            Ast.LockStrength.NoKeyUpdate => "SELECT FOR NO KEY UPDATE",
            Ast.LockStrength.Share => "SELECT FOR SHARE",
            _ => "SELECT FOR KEY SHARE",
        },
        Ast.ExplainStatement { Analyze: true, Statement: var inner } => WriteCommand(inner),
        Ast.CreateTableStatement { AsQuery: not null } => "CREATE TABLE AS",
        Ast.CreateTableStatement => "CREATE TABLE",
        Ast.CreateIndexStatement => "CREATE INDEX",
        Ast.CreateViewStatement => "CREATE VIEW",
        Ast.CreateSchemaStatement => "CREATE SCHEMA",
        Ast.CreateDatabaseStatement => "CREATE DATABASE",
        Ast.CreateSequenceStatement => "CREATE SEQUENCE",
        Ast.CreateRoleStatement => "CREATE ROLE",
        Ast.AlterTableStatement => "ALTER TABLE",
        Ast.AlterRoleStatement => "ALTER ROLE",
        Ast.DropRoleStatement => "DROP ROLE",
        Ast.DropStatement drop => "DROP " + drop.Kind.ToString().ToUpperInvariant(),
        Ast.TruncateStatement => "TRUNCATE TABLE",
        Ast.CommentStatement => "COMMENT",
        Ast.CreateEnumTypeStatement => "CREATE TYPE",
        Ast.AlterTypeStatement => "ALTER TYPE",
        _ => null,
    };
}

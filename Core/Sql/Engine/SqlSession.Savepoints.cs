using ThunderDb.Core.Catalog;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// SAVEPOINT, ROLLBACK TO [SAVEPOINT] and RELEASE [SAVEPOINT] over the write set's savepoints (IKvTransaction),
/// as PostgreSQL runs them: only inside a transaction block; names may repeat and the newest one of a name is
/// meant; ROLLBACK TO keeps its savepoint and drops the newer ones (and ends the failed state); RELEASE drops it
/// and the newer ones, keeping their writes. The catalog changes and the SETs made since a savepoint roll back with it.
/// </summary>
public sealed partial class SqlSession
{
    private readonly List<SavepointEntry> _savepoints = [];

    private readonly record struct SavepointEntry(string Name, int Mark, CatalogChanges? Ddl, CatalogSnapshot? DdlSnapshot, bool DdlHadChanges, int Listens, int Notifies,
        int Settings);

    private StatementResult SavepointCommand(Ast.TransactionStatement control)
    {
        string name = control.Savepoint!;
        (string tag, string what) = control.Kind switch
        {
            Ast.TransactionKind.Savepoint => ("SAVEPOINT", "SAVEPOINT"),
            Ast.TransactionKind.Release => ("RELEASE", "RELEASE SAVEPOINT"),
            _ => ("ROLLBACK", "ROLLBACK TO SAVEPOINT"),
        };
        if (_txn is null || _implicitTxn)
        {
            throw new SqlException(SqlState.NoActiveTransaction, $"{what} can only be used in transaction blocks");
        }

        if (_failed && control.Kind != Ast.TransactionKind.RollbackToSavepoint)
        {
            throw new SqlException(SqlState.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block");
        }

        if (control.Kind == Ast.TransactionKind.Savepoint)
        {
            int mark = _txn.Savepoint();
            _savepoints.Add(new SavepointEntry(name, mark, _ddl, _ddl?.Snapshot, _ddl?.HasChanges ?? false, _pendingListens.Count, _pendingNotifies.Count,
                Settings.Mark()));
            return new StatementResult(tag);
        }

        int index = _savepoints.FindLastIndex(s => s.Name == name);
        if (index < 0)
        {
            if (control.Kind == Ast.TransactionKind.RollbackToSavepoint)
            {
                // PostgreSQL leaves the transaction failed: the savepoint the client meant is not there
                _failed = true;
            }

            throw Fail(new SqlException("3B001", $"savepoint \"{name}\" does not exist"));
        }

        SavepointEntry entry = _savepoints[index];
        if (control.Kind == Ast.TransactionKind.Release)
        {
            _txn.Release(entry.Mark);
            _savepoints.RemoveRange(index, _savepoints.Count - index);
            return new StatementResult(tag);
        }

        _txn.RollbackTo(entry.Mark);
        _savepoints.RemoveRange(index + 1, _savepoints.Count - index - 1);
        _ddl = entry.Ddl;
        entry.Ddl?.RestoreTo(entry.DdlSnapshot!, entry.DdlHadChanges);
        _failed = false;
        TruncatePendingNotifications(entry.Listens, entry.Notifies);
        TimeSpan lockTimeout = Settings.LockTimeout;
        Settings.RollbackTo(entry.Settings);
        ApplyLockTimeoutIfChanged(lockTimeout);
        return new StatementResult(tag);
    }
}

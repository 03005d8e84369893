using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// The session's temporary objects: they live in its own schema (pg_temp_N), which DISCARD TEMP / ALL and the session's
/// end drop with everything in it, as PostgreSQL does; schemas left by a crash go when the engine opens.
/// </summary>
public sealed partial class SqlSession
{
    private string? _temporarySchema;

    /// <summary>The name of this session's schema for temporary objects (it exists once the first CREATE TEMP has run).</summary>
    public string TemporarySchema => _temporarySchema ??= $"pg_temp_{_engine.NextTemporarySchemaId()}";

    /// <summary>As <see cref="Close"/>, then drops the session's temporary objects (errors are left to the next start's clean-up).</summary>
    public async ValueTask CloseAsync()
    {
        Close();
        if (HasTemporarySchema())
        {
            await ExecuteAsync(DropTemporarySchema(TemporarySchema)).ConfigureAwait(false);
        }
    }

    /// <summary>The session's temporary tables made with ON COMMIT DELETE ROWS or DROP, by OID (session state, as in PostgreSQL).</summary>
    private readonly Dictionary<uint, Ast.OnCommitAction> _onCommit = [];

    private void NoteOnCommit(Ast.CreateTableStatement create)
    {
        if (_ddl?.Snapshot is { } catalog && catalog.FindDatabase(DatabaseName) is { } database && catalog.FindSchema(database.Oid, TemporarySchema) is { } schema
            && catalog.FindRelation(schema.Oid, create.Name.Name) is TableDef table)
        {
            _onCommit[table.Oid] = create.OnCommit;
        }
    }

    /// <summary>
    /// Before a commit: the session's ON COMMIT DROP tables are dropped and its ON COMMIT DELETE ROWS tables emptied, in the
    /// committing transaction (so a failed commit keeps them). A table already gone (dropped, rolled back) is forgotten.
    /// </summary>
    private void RunOnCommitActions(IKvTransaction txn, CancellationToken cancellationToken)
    {
        if (_onCommit.Count == 0)
        {
            return;
        }

        CatalogSnapshot catalog = _ddl?.Snapshot ?? _engine.Catalog.Current;
        foreach ((uint oid, Ast.OnCommitAction action) in _onCommit.ToList())
        {
            if (catalog.Find<TableDef>(oid) is not { } table)
            {
                _onCommit.Remove(oid);
                continue;
            }

            var name = new Ast.ObjectName(["pg_temp", table.Name]);
            Ast.SqlStatement statement = action == Ast.OnCommitAction.Drop
                ? new Ast.DropStatement(Ast.ObjectKind.Table, [name], IfExists: true, Cascade: true)
                : new Ast.TruncateStatement([name], false, false);
            ExecutionRuntime runtime = _runtime ??= new ExecutionRuntime(txn, catalog, _engine.Storage, cancellationToken);
            runtime.Reset(txn, catalog, cancellationToken);
            _ddl ??= _engine.Catalog.Change(txn, catalog);
            new DdlExecutor(new Planning.Binder(catalog, Context(catalog), null), _ddl, runtime).Execute(statement);
            catalog = _ddl.Snapshot;
            if (action == Ast.OnCommitAction.Drop)
            {
                _onCommit.Remove(oid);
            }
        }
    }

    private bool HasTemporarySchema() =>
        _temporarySchema is { } name && _engine.Catalog.Current.FindDatabase(DatabaseName) is { } database
        && _engine.Catalog.Current.FindSchema(database.Oid, name) is not null;

    private static string DropTemporarySchema(string name) => $"DROP SCHEMA IF EXISTS \"{name}\" CASCADE";

    /// <summary>DISCARD TEMP (and the TEMP part of DISCARD ALL): the temporary schema dropped in the statement's transaction.</summary>
    private StatementResult DiscardTemporary(Ast.DiscardStatement discard, DdlExecutor ddl)
    {
        ddl.Execute(new Ast.DropStatement(Ast.ObjectKind.Schema, [new Ast.ObjectName([TemporarySchema])], IfExists: true, Cascade: true));
        return Discard(discard);
    }

    /// <summary>Drops the pg_temp_N schemas of every database: no session survives a restart, so none is in use.</summary>
    internal static async ValueTask DropLeftoverTemporarySchemasAsync(SqlEngine engine, string user)
    {
        CatalogSnapshot catalog = engine.Catalog.Current;
        foreach (IGrouping<uint, SchemaDef> leftovers in catalog.All.OfType<SchemaDef>().Where(s => s.Name.StartsWith("pg_temp_", StringComparison.Ordinal))
                     .GroupBy(s => s.ParentOid))
        {
            if (catalog.Find<DatabaseDef>(leftovers.Key) is not { } database)
            {
                continue;
            }

            SqlSession session = engine.OpenSession(user, database.Name);
            foreach (SchemaDef schema in leftovers)
            {
                BatchResult result = await session.ExecuteAsync(DropTemporarySchema(schema.Name)).ConfigureAwait(false);
                if (result.Error is { } error)
                {
                    throw new InvalidOperationException($"could not drop the leftover temporary schema {schema.Name} of database {database.Name}: {error.Message}");
                }
            }

            session.Close();
        }
    }
}

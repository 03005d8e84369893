using ThunderDb.Core.Catalog;
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

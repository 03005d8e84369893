using ThunderDb.Core.Catalog;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// Temporary tables, views and sequences live in the session's own schema (pg_temp_N, see
/// <see cref="Planning.SessionContext.TemporarySchema"/>), made by its first CREATE TEMP in that DDL's transaction. Unqualified
/// names find them first; other sessions cannot reach them; the session drops the schema when it ends and the engine drops
/// any left by a crash when it opens.
/// </summary>
internal sealed partial class DdlExecutor
{
    /// <summary>The schema a new relation goes to: the temporary one when <paramref name="temporary"/> or named <c>pg_temp</c>.</summary>
    private SchemaDef CreationSchema(Ast.ObjectName name, bool temporary, int position = 0)
    {
        string? own = binder.Session.TemporarySchema;
        if (!temporary && name.Schema != "pg_temp")
        {
            return Bind.CreationSchema(name);
        }

        if (own is null)
        {
            throw SqlException.NotSupported("temporary objects outside a session");
        }

        if (name.Schema is { } schema && schema != "pg_temp" && schema != own)
        {
            throw new SqlException(SqlState.InvalidTableDefinition, "cannot create temporary relation in non-temporary schema", position: position > 0 ? position + 1 : 0);
        }

        if (Catalog.FindSchema(binder.Session.DatabaseOid, own) is { } existing)
        {
            return existing;
        }

        var created = new SchemaDef(changes.AllocateOid(), binder.Session.DatabaseOid, own);
        changes.Create(created);
        return created;
    }
}

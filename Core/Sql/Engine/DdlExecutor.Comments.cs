using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.SystemViews;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// COMMENT ON: one <see cref="CommentDef"/> per described object (and column), replaced by the next COMMENT, removed by
/// IS NULL or IS '' and by dropping the object; read back through pg_description, pg_shdescription, obj_description,
/// col_description and shobj_description (psql's \d+, \dt+, \dn+, \l+).
/// </summary>
internal sealed partial class DdlExecutor
{
    private const uint PgClass = 1259, PgNamespace = 2615, PgDatabase = 1262, PgAuthId = 1260;

    private string Comment(Ast.CommentStatement comment)
    {
        (uint oid, uint classOid, int subId) = Described(comment);
        CommentDef? existing = Catalog.FindComment(oid, classOid, subId);
        if (string.IsNullOrEmpty(comment.Text))
        {
            if (existing is not null)
            {
                changes.Drop(existing.Oid);
            }
        }
        else if (existing is not null)
        {
            changes.Replace(existing with { Text = comment.Text });
        }
        else
        {
            changes.Create(new CommentDef(changes.AllocateOid(), oid, classOid, subId, comment.Text));
        }

        return "COMMENT";
    }

    /// <summary>The described object as (OID, its catalog's OID, column number), with PostgreSQL's errors for a missing or wrong-kind one.</summary>
    private (uint Oid, uint ClassOid, int SubId) Described(Ast.CommentStatement comment)
    {
        string name = comment.Name.Name;
        switch (comment.Kind)
        {
            case "schema":
                return (Catalog.FindSchema(binder.Session.DatabaseOid, name)?.Oid
                    ?? throw new SqlException(SqlState.InvalidSchemaName, $"schema \"{name}\" does not exist"), PgNamespace, 0);
            case "database":
                return (Catalog.FindDatabase(name)?.Oid ?? throw new SqlException(SqlState.InvalidCatalogName, $"database \"{name}\" does not exist"), PgDatabase, 0);
            case "role":
                uint role = name == (binder.Session.SuperuserName ?? binder.Session.User) ? CatalogText.SuperuserOid
                    : Catalog.FindRole(name)?.Oid ?? throw new SqlException(SqlState.UndefinedObject, $"role \"{name}\" does not exist");
                return (role, PgAuthId, 0);
            case "column":
            {
                if (comment.Name.Parts.Count < 2)
                {
                    throw new SqlException(SqlState.SyntaxError, "column name must be qualified");
                }

                var relationName = new Ast.ObjectName([.. comment.Name.Parts.Take(comment.Name.Parts.Count - 1)]);
                CatalogObject relation = Bind.FindRelation(relationName)
                    ?? throw new SqlException(SqlState.UndefinedTable, $"relation \"{string.Join('.', relationName.Parts)}\" does not exist");
                int number = relation switch
                {
                    TableDef table => table.FindColumn(name)?.Number ?? 0,
                    ViewDef view => view.ColumnNames.ToList().IndexOf(name) + 1,
                    _ => throw new SqlException(SqlState.WrongObjectType, $"cannot set comment on relation \"{relation.Name}\""),
                };
                return number > 0 ? (relation.Oid, PgClass, number)
                    : throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" of relation \"{relation.Name}\" does not exist");
            }

            default:
            {
                CatalogObject relation = Bind.FindRelation(comment.Name)
                    ?? throw new SqlException(SqlState.UndefinedTable, $"relation \"{string.Join('.', comment.Name.Parts)}\" does not exist");
                bool matches = comment.Kind switch
                {
                    "table" => relation is TableDef,
                    "view" => relation is ViewDef,
                    "index" => relation is IndexDef,
                    _ => relation is SequenceDef,
                };
                return matches ? (relation.Oid, PgClass, 0)
                    : throw new SqlException(SqlState.WrongObjectType, $"\"{relation.Name}\" is not a{(comment.Kind == "index" ? "n" : "")} {comment.Kind}");
            }
        }
    }
}

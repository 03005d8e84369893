using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>
/// PostgreSQL's system catalogs as read-only virtual tables over the catalog snapshot: the binder asks here
/// when a name is not a stored relation. <c>pg_catalog.x</c> always resolves here, an unqualified <c>pg_x</c>
/// too (PostgreSQL searches pg_catalog first implicitly), and <c>information_schema.x</c> when qualified.
/// </summary>
public static class SystemCatalogViews
{
    public static bool TryGet(string? schema, string name, CatalogSnapshot catalog, SessionContext session, out PlanNode? plan)
    {
        ArgumentNullException.ThrowIfNull(name);
        var src = new ViewSource(catalog, session);
        VirtualTable? table = schema switch
        {
            "information_schema" => InformationSchema.Get(name, src),
            "pg_catalog" => PgCatalog(name, src),
            null when name.StartsWith("pg_", StringComparison.Ordinal) => PgCatalog(name, src),
            _ => null,
        };
        plan = table?.ToPlan();
        return plan is not null;
    }

    private static VirtualTable? PgCatalog(string name, ViewSource src) => name switch
    {
        "pg_namespace" => PgRelations.Namespace(src),
        "pg_class" => PgRelations.Class(src),
        "pg_attribute" => PgRelations.Attribute(src),
        "pg_index" => PgRelations.Index(src),
        "pg_constraint" => PgRelations.Constraint(src),
        "pg_attrdef" => PgRelations.AttrDef(src),
        "pg_sequence" => PgRelations.Sequence(src),
        "pg_type" => PgTypes.Type(src),
        "pg_proc" => PgTypes.Proc(src),
        "pg_database" => PgMisc.Database(src),
        "pg_roles" => PgMisc.Roles(src, name, authid: false),
        "pg_authid" => PgMisc.Roles(src, name, authid: true),
        "pg_user" => PgMisc.User(src),
        "pg_am" => PgMisc.Am(),
        "pg_collation" => PgMisc.Collation(),
        "pg_tablespace" => PgMisc.Tablespace(),
        "pg_settings" => PgMisc.Settings(src),
        "pg_tables" => InformationSchema.PgTables(src),
        "pg_indexes" => InformationSchema.PgIndexes(src),
        "pg_views" => InformationSchema.PgViews(src),
        _ => PgMisc.Empty(name),
    };
}

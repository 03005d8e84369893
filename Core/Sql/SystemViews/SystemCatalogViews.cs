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
    /// <summary>PostgreSQL's fixed OIDs of the catalog relations, so <c>'pg_catalog.pg_class'::regclass</c> (as psql writes in pg_depend lookups) resolves.</summary>
    public static readonly IReadOnlyDictionary<string, uint> RelationOids = new Dictionary<string, uint>(StringComparer.Ordinal)
    {
        ["pg_type"] = 1247, ["pg_attribute"] = 1249, ["pg_proc"] = 1255, ["pg_class"] = 1259, ["pg_authid"] = 1260, ["pg_database"] = 1262,
        ["pg_tablespace"] = 1213, ["pg_sequence"] = 2224, ["pg_am"] = 2601, ["pg_attrdef"] = 2604, ["pg_constraint"] = 2606, ["pg_depend"] = 2608,
        ["pg_description"] = 2609, ["pg_index"] = 2610, ["pg_inherits"] = 2611, ["pg_namespace"] = 2615, ["pg_rewrite"] = 2618, ["pg_trigger"] = 2620,
        ["pg_policy"] = 3256, ["pg_partitioned_table"] = 3350, ["pg_statistic_ext"] = 3381, ["pg_collation"] = 3456, ["pg_enum"] = 3501,
        ["pg_range"] = 3541, ["pg_extension"] = 3079, ["pg_publication"] = 6104, ["pg_language"] = 2612, ["pg_conversion"] = 2607,
        ["pg_foreign_data_wrapper"] = 2328, ["pg_foreign_server"] = 1417, ["pg_foreign_table"] = 3118, ["pg_user_mapping"] = 1418,
        ["pg_db_role_setting"] = 2964, ["pg_ts_config"] = 3602, ["pg_ts_dict"] = 3600, ["pg_ts_parser"] = 3601, ["pg_ts_template"] = 3764,
        ["pg_event_trigger"] = 3466, ["pg_largeobject_metadata"] = 2995, ["pg_largeobject"] = 2613, ["pg_default_acl"] = 826,
        ["pg_seclabel"] = 3596, ["pg_shdescription"] = 2396, ["pg_auth_members"] = 1261,
    };

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
        plan = table is null ? null : new VirtualTableNode(table, schema == "information_schema" ? 0 : RelationOids.GetValueOrDefault(name));
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
        "pg_depend" => PgRelations.Depend(src),
        "pg_type" => PgTypes.Type(src),
        "pg_enum" => PgMisc.Enum(src),
        "pg_proc" => PgTypes.Proc(src),
        "pg_database" => PgMisc.Database(src),
        "pg_roles" => PgRoles.Roles(src),
        "pg_authid" => PgRoles.AuthId(src),
        "pg_user" => PgRoles.Users(src, shadow: false),
        "pg_shadow" => PgRoles.Users(src, shadow: true),
        "pg_am" => PgMisc.Am(),
        "pg_collation" => PgMisc.Collation(),
        "pg_tablespace" => PgMisc.Tablespace(),
        "pg_language" => PgMisc.Language(),
        "pg_settings" => PgMisc.Settings(src),
        "pg_tables" => InformationSchema.PgTables(src),
        "pg_indexes" => InformationSchema.PgIndexes(src),
        "pg_views" => InformationSchema.PgViews(src),
        "pg_stat_user_tables" or "pg_stat_all_tables" => PgStatistics.UserTables(src, name),
        "pg_stats" => PgStatistics.Stats(src),
        "pg_stat_activity" => PgMisc.Activity(src),
        "pg_description" or "pg_shdescription" => PgMisc.Descriptions(src, shared: name == "pg_shdescription"),
        _ => PgMisc.Empty(name),
    };
}

using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using static ThunderDb.Core.Sql.SystemViews.V;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>information_schema.tables / columns / schemata / table_constraints / key_column_usage / referential_constraints, and the pg_tables / pg_indexes / pg_views views.</summary>
internal static class InformationSchema
{
    private static readonly SqlType YesOrNo = SqlType.Varchar(3);

    public static VirtualTable? Get(string name, ViewSource src) => name switch
    {
        "tables" => Tables(src),
        "columns" => Columns(src),
        "schemata" => Schemata(src),
        "table_constraints" => TableConstraints(src),
        "key_column_usage" => KeyColumnUsage(src),
        "referential_constraints" => ReferentialConstraints(src),
        _ => null,
    };

    private static VirtualTable Tables(ViewSource src)
    {
        var t = new VirtualTable("tables",
            ("table_catalog", SqlType.Name), ("table_schema", SqlType.Name), ("table_name", SqlType.Name), ("table_type", SqlType.Text),
            ("self_referencing_column_name", SqlType.Name), ("reference_generation", SqlType.Text), ("user_defined_type_catalog", SqlType.Name),
            ("user_defined_type_schema", SqlType.Name), ("user_defined_type_name", SqlType.Name), ("is_insertable_into", YesOrNo), ("is_typed", YesOrNo),
            ("commit_action", SqlType.Text));
        foreach (CatalogObject r in src.Relations.Where(r => r is TableDef or ViewDef))
        {
            t.Add(Name(src.Session.Database), Name(src.SchemaName(r.ParentOid)), Name(r.Name), Text(r is TableDef ? "BASE TABLE" : "VIEW"),
                Null, Null, Null, Null, Null, Text(r is TableDef ? "YES" : "NO"), Text("NO"), Null);
        }

        return t;
    }

    private static VirtualTable Columns(ViewSource src)
    {
        var t = new VirtualTable("columns",
            ("table_catalog", SqlType.Name), ("table_schema", SqlType.Name), ("table_name", SqlType.Name), ("column_name", SqlType.Name),
            ("ordinal_position", SqlType.Int4), ("column_default", SqlType.Text), ("is_nullable", YesOrNo), ("data_type", SqlType.Text),
            ("character_maximum_length", SqlType.Int4), ("character_octet_length", SqlType.Int4), ("numeric_precision", SqlType.Int4),
            ("numeric_precision_radix", SqlType.Int4), ("numeric_scale", SqlType.Int4), ("datetime_precision", SqlType.Int4),
            ("udt_catalog", SqlType.Name), ("udt_schema", SqlType.Name), ("udt_name", SqlType.Name), ("is_identity", YesOrNo),
            ("identity_generation", SqlType.Text), ("is_generated", SqlType.Text), ("generation_expression", SqlType.Text), ("is_updatable", YesOrNo));
        void Add(CatalogObject rel, int position, string name, SqlType type, bool notNull, string? defaultSql, IdentityKind identity, bool updatable,
            string? generation = null)
        {
            SqlTypeInfo info = SqlTypeInfo.Of(type.Kind);
            (int? precision, int? radix, int? scale) = type.IsArray ? (null, null, null) : type.Kind switch
            {
                SqlTypeKind.Int2 => (16, 2, 0),
                SqlTypeKind.Int4 => (32, 2, 0),
                SqlTypeKind.Int8 => (64, 2, 0),
                SqlTypeKind.Float4 => (24, 2, null),
                SqlTypeKind.Float8 => (53, 2, (int?)null),
                SqlTypeKind.Numeric => (type.NumericPrecision >= 0 ? type.NumericPrecision : null, 10, type.NumericScale >= 0 ? type.NumericScale : null),
                _ => ((int?)null, (int?)null, (int?)null),
            };
            SqlValue Maybe(int? v) => v is int i ? Int4(i) : Null;
            EnumTypeDef? userType = type.Enum is { } e ? src.Catalog.Find<EnumTypeDef>(e.Oid) : null;
            (string udtSchema, string udtName) = userType is null ? ("pg_catalog", info.PgName) : (src.SchemaName(userType.SchemaOid), userType.Name);
            t.Add(Name(src.Session.Database), Name(src.SchemaName(rel.ParentOid)), Name(rel.Name), Name(name),
                Int4(position), Text(defaultSql), Text(notNull ? "NO" : "YES"), Text(type.IsArray ? "ARRAY" : type.Enum is not null ? "USER-DEFINED" : info.DisplayName),
                Maybe(type.Length >= 0 ? type.Length : null), Maybe(type.IsString ? type.Length >= 0 ? type.Length * 4 : 1_073_741_824 : null), Maybe(precision),
                Maybe(radix), Maybe(scale), Maybe(type.IsDateTime || type.Kind == SqlTypeKind.Interval ? (type.Kind == SqlTypeKind.Date ? 0 : 6) : null),
                Name(src.Session.Database), Name(udtSchema), Name(type.IsArray ? "_" + udtName : udtName), Text(identity == IdentityKind.None ? "NO" : "YES"),
                Text(identity switch { IdentityKind.Always => "ALWAYS", IdentityKind.ByDefault => "BY DEFAULT", _ => null }), Text(generation is null ? "NEVER" : "ALWAYS"), Text(generation), Text(updatable ? "YES" : "NO"));
        }

        foreach (CatalogObject r in src.Relations)
        {
            if (r is TableDef table)
            {
                int position = 0;
                foreach (ColumnDef c in table.VisibleColumns)
                {
                    // column_default is pg_get_expr(adbin, adrelid), as PostgreSQL defines the view
                    string? columnDefault = c.DefaultSql is null || c.Identity != IdentityKind.None ? null
                        : ExpressionDeparser.Deparse(src.Catalog, table, c.DefaultSql, pretty: false, Functions.CatalogFunctions.Visibility(src.Catalog, src.Session), c.Type);
                    string? generation = c.GeneratedSql is { } sql
                        ? ExpressionDeparser.Deparse(src.Catalog, table, sql, pretty: false, Functions.CatalogFunctions.Visibility(src.Catalog, src.Session), c.Type)
                        : null;
                    Add(table, ++position, c.Name, c.Type, c.NotNull, columnDefault, c.Identity, true, generation);
                }
            }
            else if (r is ViewDef view)
            {
                IReadOnlyList<(string Name, SqlType Type)> columns = src.ViewColumns(view);
                for (int i = 0; i < columns.Count; i++)
                {
                    Add(view, i + 1, columns[i].Name, columns[i].Type, false, null, IdentityKind.None, false);
                }
            }
        }

        return t;
    }

    private static VirtualTable Schemata(ViewSource src)
    {
        var t = new VirtualTable("schemata",
            ("catalog_name", SqlType.Name), ("schema_name", SqlType.Name), ("schema_owner", SqlType.Name), ("default_character_set_catalog", SqlType.Name),
            ("default_character_set_schema", SqlType.Name), ("default_character_set_name", SqlType.Name), ("sql_path", SqlType.Text));
        foreach (string schema in src.Schemas.Select(s => s.Name).Append("information_schema").Distinct())
        {
            t.Add(Name(src.Session.Database), Name(schema), Name(src.Session.User), Null, Null, Null, Null);
        }

        return t;
    }

    private static VirtualTable TableConstraints(ViewSource src)
    {
        var t = new VirtualTable("table_constraints",
            ("constraint_catalog", SqlType.Name), ("constraint_schema", SqlType.Name), ("constraint_name", SqlType.Name), ("table_catalog", SqlType.Name),
            ("table_schema", SqlType.Name), ("table_name", SqlType.Name), ("constraint_type", SqlType.Text), ("is_deferrable", YesOrNo),
            ("initially_deferred", YesOrNo), ("enforced", YesOrNo), ("nulls_distinct", YesOrNo));
        foreach (TableDef table in src.Tables)
        {
            string schema = src.SchemaName(table.SchemaOid);
            foreach (ConstraintDef c in table.Constraints)
            {
                string type = c.Kind switch
                {
                    ConstraintKind.PrimaryKey => "PRIMARY KEY",
                    ConstraintKind.Unique => "UNIQUE",
                    ConstraintKind.Check => "CHECK",
                    _ => "FOREIGN KEY",
                };
                t.Add(Name(src.Session.Database), Name(schema), Name(c.Name), Name(src.Session.Database),
                    Name(schema), Name(table.Name), Text(type), Text("NO"), Text("NO"), Text("YES"), c.Kind == ConstraintKind.Unique ? Text("YES") : Null);
            }
        }

        return t;
    }

    private static VirtualTable ReferentialConstraints(ViewSource src)
    {
        var t = new VirtualTable("referential_constraints",
            ("constraint_catalog", SqlType.Name), ("constraint_schema", SqlType.Name), ("constraint_name", SqlType.Name),
            ("unique_constraint_catalog", SqlType.Name), ("unique_constraint_schema", SqlType.Name), ("unique_constraint_name", SqlType.Name),
            ("match_option", SqlType.Text), ("update_rule", SqlType.Text), ("delete_rule", SqlType.Text));
        static string Rule(ReferentialAction a) => a switch
        {
            ReferentialAction.Cascade => "CASCADE",
            ReferentialAction.SetNull => "SET NULL",
            ReferentialAction.SetDefault => "SET DEFAULT",
            ReferentialAction.Restrict => "RESTRICT",
            _ => "NO ACTION",
        };
        foreach (TableDef table in src.Tables)
        {
            foreach (ConstraintDef c in table.Constraints.Where(c => c.Kind == ConstraintKind.ForeignKey))
            {
                TableDef? parent = src.Catalog.Find<TableDef>(c.ReferencedTableOid);
                IndexDef? index = parent is null ? null : src.Catalog.UniqueIndexOn(parent.Oid, c.ReferencedColumns ?? []);
                string? unique = parent?.Constraints.FirstOrDefault(k => k.IndexOid != 0 && k.IndexOid == index?.Oid)?.Name ?? index?.Name;
                t.Add(Name(src.Session.Database), Name(src.SchemaName(table.SchemaOid)), Name(c.Name),
                    Name(src.Session.Database), parent is null ? Null : Name(src.SchemaName(parent.SchemaOid)), unique is null ? Null : Name(unique),
                    Text("NONE"), Text(Rule(c.OnUpdate)), Text(Rule(c.OnDelete)));
            }
        }

        return t;
    }

    private static VirtualTable KeyColumnUsage(ViewSource src)
    {
        var t = new VirtualTable("key_column_usage",
            ("constraint_catalog", SqlType.Name), ("constraint_schema", SqlType.Name), ("constraint_name", SqlType.Name), ("table_catalog", SqlType.Name),
            ("table_schema", SqlType.Name), ("table_name", SqlType.Name), ("column_name", SqlType.Name), ("ordinal_position", SqlType.Int4),
            ("position_in_unique_constraint", SqlType.Int4));
        foreach (TableDef table in src.Tables)
        {
            string schema = src.SchemaName(table.SchemaOid);
            foreach (ConstraintDef c in table.Constraints.Where(c => c.Kind != ConstraintKind.Check))
            {
                for (int i = 0; i < c.Columns.Count; i++)
                {
                    t.Add(Name(src.Session.Database), Name(schema), Name(c.Name), Name(src.Session.Database),
                        Name(schema), Name(table.Name), Name(table.Column(c.Columns[i]).Name), Int4(i + 1),
                        c.Kind == ConstraintKind.ForeignKey ? Int4(i + 1) : Null);
                }
            }
        }

        return t;
    }

    public static VirtualTable PgTables(ViewSource src)
    {
        var t = new VirtualTable("pg_tables",
            ("schemaname", SqlType.Name), ("tablename", SqlType.Name), ("tableowner", SqlType.Name), ("tablespace", SqlType.Name),
            ("hasindexes", SqlType.Bool), ("hasrules", SqlType.Bool), ("hastriggers", SqlType.Bool), ("rowsecurity", SqlType.Bool));
        foreach (TableDef table in src.Tables)
        {
            t.Add(Name(src.SchemaName(table.SchemaOid)), Name(table.Name), Name(src.Session.User), Null,
                Bool(src.Catalog.IndexesOf(table.Oid).Count > 0), Bool(false), Bool(false), Bool(false));
        }

        return t;
    }

    public static VirtualTable PgIndexes(ViewSource src)
    {
        var t = new VirtualTable("pg_indexes",
            ("schemaname", SqlType.Name), ("tablename", SqlType.Name), ("indexname", SqlType.Name), ("tablespace", SqlType.Name), ("indexdef", SqlType.Text));
        foreach (IndexDef index in src.Relations.OfType<IndexDef>())
        {
            t.Add(Name(src.SchemaName(index.SchemaOid)), Name(src.Catalog.Find(index.TableOid)?.Name ?? ""), Name(index.Name), Null,
                Text(CatalogText.IndexDefinition(src.Catalog, index.Oid)));
        }

        return t;
    }

    public static VirtualTable PgViews(ViewSource src)
    {
        var t = new VirtualTable("pg_views", ("schemaname", SqlType.Name), ("viewname", SqlType.Name), ("viewowner", SqlType.Name), ("definition", SqlType.Text));
        foreach (ViewDef view in src.Relations.OfType<ViewDef>())
        {
            t.Add(Name(src.SchemaName(view.SchemaOid)), Name(view.Name), Name(src.Session.User), Text(view.QuerySql));
        }

        return t;
    }
}

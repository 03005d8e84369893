using System.Text;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>
/// OIDs for catalog rows the store has no OID for, and the text PostgreSQL's catalog functions print
/// (format_type, pg_get_indexdef, pg_get_constraintdef). Shared by the views and the functions so both agree.
/// </summary>
public static class CatalogText
{
    public const uint SuperuserOid = 10;

    /// <summary>PostgreSQL 15's predefined role that owns the public schema (whoever owns the database, as psql's \dn prints it).</summary>
    public const uint DatabaseOwnerRoleOid = 6171;
    public const uint HeapAm = 2;
    public const uint BtreeAm = 403;
    public const uint DefaultTablespace = 1663;
    public const uint DefaultCollation = 100;
    public const uint InformationSchemaOid = 13000;
    public const uint PgToastSchemaOid = 99;
    public const uint RecordType = 2249;
    public const uint RecordArrayType = 2287;
    public const uint VoidType = 2278;

    private const uint RowTypeTag = 0x8000_0000;
    private const uint ConstraintTag = 0xC000_0000;
    private const uint AttrDefTag = 0x4000_0000;

    /// <summary>A table's or view's row type (pg_class.reltype): the relation's OID with the high bit set, clear of every stored OID.</summary>
    public static uint RowTypeOid(uint relationOid) => RowTypeTag | relationOid;

    /// <summary>The relation a row type OID belongs to, or 0.</summary>
    public static uint RelationOfRowType(uint typeOid) => (typeOid & 0xC000_0000) == RowTypeTag ? typeOid & ~RowTypeTag : 0;

    /// <summary>Constraint <paramref name="index"/> of a table: its OID in pg_constraint (constraints have none in the store).</summary>
    public static uint ConstraintOid(uint tableOid, int index) => ConstraintTag | ((tableOid & 0x3F_FFFF) << 8) | (uint)(index & 0xFF);

    public static (uint TableOid, int Index)? ConstraintOf(uint oid) =>
        (oid & 0xC000_0000) == ConstraintTag ? ((oid & 0x3FFF_FFFF) >> 8, (int)(oid & 0xFF)) : null;

    public static uint AttrDefOid(uint tableOid, int column) => AttrDefTag | ((tableOid & 0x7_FFFF) << 11) | (uint)(column & 0x7FF);

    /// <summary>PostgreSQL's atttypmod of a column type: varchar/char length + 4, numeric's typmod, -1 otherwise.</summary>
    public static int TypeModifier(SqlType type) => type.Length >= 0 ? type.Length + 4 : type.NumericPrecision >= 0 ? type.Modifier : -1;

    /// <summary>A built-in type or an enum type of <paramref name="catalog"/> by OID (an array type gives an array), or null.</summary>
    public static SqlType? TypeOfOid(CatalogSnapshot catalog, uint oid)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (TypeOfOid(oid) is { } builtin)
        {
            return builtin;
        }

        if (catalog.FindEnum(oid) is { } type)
        {
            return SqlType.EnumOf(type);
        }

        return catalog.Types.FirstOrDefault(t => t.ArrayOid == oid) is { } def && catalog.FindEnum(def.Oid) is { } element ? SqlType.EnumOf(element).ArrayOf() : null;
    }

    /// <summary>A built-in type by OID (an array type gives an array), or null.</summary>
    public static SqlType? TypeOfOid(uint oid)
    {
        foreach (SqlTypeInfo info in SqlTypeInfo.All)
        {
            if (info.Oid == oid)
            {
                return new SqlType(info.Kind);
            }

            if (info.ArrayOid == oid && info.ArrayOid != 0)
            {
                return new SqlType(info.Kind, IsArray: true);
            }
        }

        return null;
    }

    /// <summary>format_type(oid, typmod): <c>integer</c>, <c>character varying(20)</c>, <c>numeric(10,2)</c>, a table's name for its row type.</summary>
    public static string? FormatType(CatalogSnapshot catalog, uint oid, int typmod)
    {
        if (TypeOfOid(catalog, oid) is SqlType t)
        {
            if (typmod >= 4 && t.Kind is SqlTypeKind.Varchar or SqlTypeKind.Char)
            {
                t = t with { Modifier = typmod - 4 };
            }
            else if (typmod >= 4 && t.Kind == SqlTypeKind.Numeric)
            {
                t = t with { Modifier = typmod };
            }
            else if (t.Kind == SqlTypeKind.Char && !t.IsArray)
            {
                return "bpchar";
            }

            return t.ToString();
        }

        return oid switch
        {
            RecordType => "record",
            RecordArrayType => "record[]",
            VoidType => "void",
            _ => catalog.Find(RelationOfRowType(oid)) is { } rel ? QuoteIdent(rel.Name) : "???",
        };
    }

    public static string QuoteIdent(string name) => Functions.StringFunctions.QuoteIdent(name);

    public static string QualifiedName(CatalogSnapshot catalog, CatalogObject relation)
    {
        string schema = catalog.Find<SchemaDef>(relation.ParentOid)?.Name ?? "public";
        return QuoteIdent(schema) + "." + QuoteIdent(relation.Name);
    }

    /// <summary>pg_get_indexdef: <c>CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)</c>; column <paramref name="column"/> &gt; 0 prints that key only.</summary>
    public static string? IndexDefinition(CatalogSnapshot catalog, uint indexOid, int column = 0, bool pretty = false)
    {
        if (catalog.Find<IndexDef>(indexOid) is not { } index || catalog.Find<TableDef>(index.TableOid) is not { } table)
        {
            return null;
        }

        if (column > 0)
        {
            return column <= index.Columns.Count ? IndexKey(catalog, table, index.Columns[column - 1], withOrder: false, pretty) : "";
        }

        var sb = new StringBuilder(index.IsUnique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
        sb.Append(QuoteIdent(index.Name)).Append(" ON ").Append(QualifiedName(catalog, table)).Append(" USING btree (");
        sb.AppendJoin(", ", index.Columns.Select(c => IndexKey(catalog, table, c, withOrder: true, pretty)));
        return sb.Append(')').ToString();
    }

    /// <summary>One key of an index as pg_get_indexdef prints it: a column, a function call, or any other expression in parentheses.</summary>
    private static string IndexKey(CatalogSnapshot catalog, TableDef table, IndexColumn c, bool withOrder, bool pretty)
    {
        string key = c.ExpressionSql is { } sql ? ExpressionKey(catalog, table, sql, pretty)
            : c.ColumnNumber >= 1 && c.ColumnNumber <= table.Columns.Count ? QuoteIdent(table.Column(c.ColumnNumber).Name) : "?";
        if (withOrder && c.Descending)
        {
            key += c.NullsFirst == false ? " DESC NULLS LAST" : " DESC";
        }
        else if (withOrder && c.NullsFirst == true)
        {
            key += " NULLS FIRST";
        }

        return key;
    }

    private static string ExpressionKey(CatalogSnapshot catalog, TableDef table, string sql, bool pretty)
    {
        string text = ExpressionDeparser.Deparse(catalog, table, sql, pretty, _ => true);
        return Syntax.SqlParser.ParseExpression(sql) is Syntax.FunctionCallExpr ? text : "(" + text + ")";
    }

    /// <summary>pg_get_constraintdef: <c>PRIMARY KEY (id)</c>, <c>FOREIGN KEY (a) REFERENCES t2(b) ON DELETE CASCADE</c>, <c>CHECK (n &gt; 0)</c>.</summary>
    /// <remarks>The referenced table is schema-qualified when <paramref name="isVisible"/> says the search path does not find it (PostgreSQL's generate_relation_name).</remarks>
    public static string? ConstraintDefinition(CatalogSnapshot catalog, uint constraintOid, Func<uint, bool> isVisible, bool pretty = true)
    {
        if (ConstraintOf(constraintOid) is not (uint tableOid, int i) || catalog.Find<TableDef>(tableOid) is not { } table || i >= table.Constraints.Count)
        {
            return null;
        }

        ConstraintDef c = table.Constraints[i];
        string Columns(TableDef t, IEnumerable<int> numbers) => string.Join(", ", numbers.Select(n => n >= 1 && n <= t.Columns.Count ? QuoteIdent(t.Column(n).Name) : "?"));
        switch (c.Kind)
        {
            case ConstraintKind.PrimaryKey:
                return $"PRIMARY KEY ({Columns(table, c.Columns)})";
            case ConstraintKind.Unique:
                return $"UNIQUE ({Columns(table, c.Columns)})";
            case ConstraintKind.Check:
                return "CHECK (" + ExpressionDeparser.Deparse(catalog, table, c.CheckSql ?? "", pretty, isVisible) + ")";
            default:
            {
                TableDef? target = catalog.Find<TableDef>(c.ReferencedTableOid);
                string targetName = target is null ? "?" : isVisible(target.Oid) ? QuoteIdent(target.Name) : QualifiedName(catalog, target);
                string referenced = target is null ? "?" : $"{targetName}({Columns(target, c.ReferencedColumns ?? [])})";
                var sb = new StringBuilder($"FOREIGN KEY ({Columns(table, c.Columns)}) REFERENCES {referenced}");
                AppendAction(sb, "UPDATE", c.OnUpdate);
                AppendAction(sb, "DELETE", c.OnDelete);
                return sb.ToString();
            }
        }
    }

    private static void AppendAction(StringBuilder sb, string on, ReferentialAction action)
    {
        string? text = action switch
        {
            ReferentialAction.Restrict => "RESTRICT",
            ReferentialAction.Cascade => "CASCADE",
            ReferentialAction.SetNull => "SET NULL",
            ReferentialAction.SetDefault => "SET DEFAULT",
            _ => null,
        };
        if (text is not null)
        {
            sb.Append(" ON ").Append(on).Append(' ').Append(text);
        }
    }
}

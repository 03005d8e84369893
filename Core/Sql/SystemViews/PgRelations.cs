using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using static ThunderDb.Core.Sql.SystemViews.V;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>What every view is computed from: the snapshot and the session's database.</summary>
internal sealed class ViewSource(CatalogSnapshot catalog, SessionContext session)
{
    public CatalogSnapshot Catalog { get; } = catalog;

    public SessionContext Session { get; } = session;

    public IEnumerable<SchemaDef> Schemas => Catalog.SchemasOf(Session.DatabaseOid).OrderBy(s => s.Oid);

    /// <summary>Tables, indexes, views and sequences of the session's database, in OID order.</summary>
    public IEnumerable<CatalogObject> Relations => Schemas.SelectMany(s => Catalog.RelationsOf(s.Oid)).OrderBy(r => r.Oid);

    public IEnumerable<TableDef> Tables => Relations.OfType<TableDef>();

    /// <summary>The enum types of the session's database, in OID order.</summary>
    public IEnumerable<EnumTypeDef> EnumTypes => Schemas.SelectMany(s => Catalog.Types.Where(t => t.SchemaOid == s.Oid)).OrderBy(t => t.Oid);

    public string SchemaName(uint oid) => Catalog.Find<SchemaDef>(oid)?.Name ?? "";

    /// <summary>Set while a view is bound for its column types: a view over pg_attribute would otherwise recurse without end.</summary>
    [ThreadStatic]
    private static bool t_bindingView;

    /// <summary>A view's output columns with their types, by binding its query; text when it no longer binds (or is being bound).</summary>
    public IReadOnlyList<(string Name, SqlType Type)> ViewColumns(ViewDef view)
    {
        if (t_bindingView)
        {
            return [.. view.ColumnNames.Select(n => (n, SqlType.Text))];
        }

        t_bindingView = true;
        try
        {
            var binder = new Binder(Catalog, Session);
            var parsed = Syntax.SqlParser.ParseSingle(view.QuerySql) as Syntax.SelectStatement;
            var plan = parsed is null ? null : binder.BindSelect(parsed.Query);
            if (plan is not null)
            {
                return [.. plan.Columns.Select((c, i) => (i < view.ColumnNames.Count ? view.ColumnNames[i] : c.Name, c.Type))];
            }
        }
        catch (SqlException)
        {
        }
        finally
        {
            t_bindingView = false;
        }

        return [.. view.ColumnNames.Select(n => (n, SqlType.Text))];
    }
}

/// <summary>pg_namespace, pg_class, pg_attribute, pg_index, pg_constraint, pg_attrdef, pg_sequence from the catalog.</summary>
internal static class PgRelations
{
    public static VirtualTable Namespace(ViewSource src)
    {
        var t = new VirtualTable("pg_namespace", ("oid", SqlType.Oid), ("nspname", SqlType.Name), ("nspowner", SqlType.Oid), ("nspacl", TextArray));
        var seen = new HashSet<uint>();
        foreach (SchemaDef s in src.Schemas)
        {
            seen.Add(s.Oid);
            t.Add(Oid(s.Oid), Name(s.Name), Oid(s.Name == "public" ? CatalogText.DatabaseOwnerRoleOid : CatalogText.SuperuserOid), Null);
        }

        if (!seen.Contains(WellKnownOids.PgCatalogSchema))
        {
            t.Add(Oid(WellKnownOids.PgCatalogSchema), Name("pg_catalog"), Oid(CatalogText.SuperuserOid), Null);
        }

        t.Add(Oid(CatalogText.PgToastSchemaOid), Name("pg_toast"), Oid(CatalogText.SuperuserOid), Null);
        t.Add(Oid(CatalogText.InformationSchemaOid), Name("information_schema"), Oid(CatalogText.SuperuserOid), Null);
        return t;
    }

    public static VirtualTable Class(ViewSource src)
    {
        var t = new VirtualTable("pg_class",
            ("oid", SqlType.Oid), ("relname", SqlType.Name), ("relnamespace", SqlType.Oid), ("reltype", SqlType.Oid), ("reloftype", SqlType.Oid),
            ("relowner", SqlType.Oid), ("relam", SqlType.Oid), ("relfilenode", SqlType.Oid), ("reltablespace", SqlType.Oid), ("relpages", SqlType.Int4),
            ("reltuples", SqlType.Float4), ("relallvisible", SqlType.Int4), ("reltoastrelid", SqlType.Oid), ("relhasindex", SqlType.Bool),
            ("relisshared", SqlType.Bool), ("relpersistence", Char1), ("relkind", Char1), ("relnatts", SqlType.Int2), ("relchecks", SqlType.Int2),
            ("relhasrules", SqlType.Bool), ("relhastriggers", SqlType.Bool), ("relhassubclass", SqlType.Bool), ("relrowsecurity", SqlType.Bool),
            ("relforcerowsecurity", SqlType.Bool), ("relispopulated", SqlType.Bool), ("relreplident", Char1), ("relispartition", SqlType.Bool),
            ("relrewrite", SqlType.Oid), ("relfrozenxid", SqlType.Int8), ("relminmxid", SqlType.Int8), ("relacl", TextArray), ("reloptions", TextArray),
            ("relpartbound", SqlType.Text));
        foreach (CatalogObject r in src.Relations)
        {
            (char kind, uint am, uint rowType, int natts, int checks, bool hasIndex, string[]? options) = r switch
            {
                TableDef table => ('r', CatalogText.HeapAm, CatalogText.RowTypeOid(table.Oid), table.Columns.Count,
                    table.Constraints.Count(c => c.Kind == ConstraintKind.Check), src.Catalog.IndexesOf(table.Oid).Count > 0,
                    table.FillFactor != 100 ? [$"fillfactor={table.FillFactor}"] : null),
                IndexDef index => ('i', CatalogText.BtreeAm, 0u, index.Columns.Count, 0, false, null),
                ViewDef view => ('v', 0u, CatalogText.RowTypeOid(view.Oid), view.ColumnNames.Count, 0, false, null),
                _ => ('S', 0u, 0u, 3, 0, false, (string[]?)null),
            };
            t.Add(Oid(r.Oid), Name(r.Name), Oid(r.ParentOid), Oid(rowType), Oid(0u),
                Oid(CatalogText.SuperuserOid), Oid(am), Oid(r.Oid), Oid(0u), Int4(0),
                Float4(r is TableDef { Statistics: { } stats } ? stats.LiveRows : -1), Int4(0), Oid(0u), Bool(hasIndex),
                Bool(false), Char(IsTemporary(src.Catalog, r) ? 't' : 'p'), Char(kind), Int2(natts), Int2(checks),
                Bool(kind == 'v'), Bool(HasTriggers(src.Catalog, r)), Bool(false), Bool(false),
                Bool(false), Bool(true), Char(kind == 'r' ? 'd' : 'n'), Bool(false),
                Oid(0u), Int8(0), Int8(0), Null, options is null ? Null : TextArrayOf(options),
                Null);
        }

        return t;
    }

    public static VirtualTable Attribute(ViewSource src)
    {
        var t = new VirtualTable("pg_attribute",
            ("attrelid", SqlType.Oid), ("attname", SqlType.Name), ("atttypid", SqlType.Oid), ("attstattarget", SqlType.Int4), ("attlen", SqlType.Int2),
            ("attnum", SqlType.Int2), ("attndims", SqlType.Int4), ("attcacheoff", SqlType.Int4), ("atttypmod", SqlType.Int4), ("attbyval", SqlType.Bool),
            ("attalign", Char1), ("attstorage", Char1), ("attcompression", Char1), ("attnotnull", SqlType.Bool), ("atthasdef", SqlType.Bool),
            ("atthasmissing", SqlType.Bool), ("attidentity", Char1), ("attgenerated", Char1), ("attisdropped", SqlType.Bool), ("attislocal", SqlType.Bool),
            ("attinhcount", SqlType.Int4), ("attcollation", SqlType.Oid), ("attacl", TextArray), ("attoptions", TextArray), ("attfdwoptions", TextArray),
            ("attmissingval", SqlType.Text));
        void Add(uint rel, string name, SqlType type, int number, bool notNull, bool hasDefault, IdentityKind identity, bool dropped, bool generated = false)
        {
            SqlTypeInfo info = SqlTypeInfo.Of(type.Kind);
            short len = type.IsArray ? (short)-1 : info.TypLen;
            t.Add(Oid(rel), Name(name), Oid(dropped ? 0 : type.PgOid), Int4(-1), Int2(len),
                Int2(number), Int4(type.IsArray ? 1 : 0), Int4(-1), Int4(CatalogText.TypeModifier(type)), Bool(len is 1 or 2 or 4 or 8),
                Char(len == 8 ? 'd' : len == 2 ? 's' : len == 1 ? 'c' : 'i'), Char(len != -1 ? 'p' : type is { Kind: SqlTypeKind.Numeric, IsArray: false } ? 'm' : 'x'), Char('\0'), Bool(notNull), Bool(hasDefault),
                Bool(false), Char((char)identity), Char(generated ? 's' : '\0'), Bool(dropped), Bool(true),
                Int4(0), Oid(type.IsString && type.Kind != SqlTypeKind.Unknown ? CatalogText.DefaultCollation : 0u), Null, Null, Null,
                Null);
        }

        foreach (CatalogObject r in src.Relations)
        {
            switch (r)
            {
                case TableDef table:
                    foreach (ColumnDef c in table.Columns)
                    {
                        Add(table.Oid, c.IsDropped ? $"........pg.dropped.{c.Number}........" : c.Name, c.Type, c.Number, c.NotNull, c.DefaultSql is not null || c.IsGenerated,
                            c.Identity, c.IsDropped, c.IsGenerated);
                    }

                    break;
                case IndexDef index when src.Catalog.Find<TableDef>(index.TableOid) is { } owner:
                    for (int i = 0; i < index.Columns.Count; i++)
                    {
                        IndexColumn key = index.Columns[i];
                        bool plain = key.ColumnNumber >= 1 && key.ColumnNumber <= owner.Columns.Count;
                        ColumnDef? c = plain ? owner.Column(key.ColumnNumber) : null;
                        Add(index.Oid, c?.Name ?? "expr", c?.Type ?? SqlType.Text, i + 1, false, false, IdentityKind.None, false);
                    }

                    break;
                case ViewDef view:
                    IReadOnlyList<(string Name, SqlType Type)> columns = src.ViewColumns(view);
                    for (int i = 0; i < columns.Count; i++)
                    {
                        Add(view.Oid, columns[i].Name, columns[i].Type, i + 1, false, false, IdentityKind.None, false);
                    }

                    break;
            }
        }

        return t;
    }

    public static VirtualTable Index(ViewSource src)
    {
        var t = new VirtualTable("pg_index",
            ("indexrelid", SqlType.Oid), ("indrelid", SqlType.Oid), ("indnatts", SqlType.Int2), ("indnkeyatts", SqlType.Int2), ("indisunique", SqlType.Bool),
            ("indnullsnotdistinct", SqlType.Bool), ("indisprimary", SqlType.Bool), ("indisexclusion", SqlType.Bool), ("indimmediate", SqlType.Bool),
            ("indisclustered", SqlType.Bool), ("indisvalid", SqlType.Bool), ("indcheckxmin", SqlType.Bool), ("indisready", SqlType.Bool),
            ("indislive", SqlType.Bool), ("indisreplident", SqlType.Bool), ("indkey", Int2Array), ("indcollation", OidArray), ("indclass", OidArray),
            ("indoption", Int2Array), ("indexprs", SqlType.Text), ("indpred", SqlType.Text));
        foreach (IndexDef index in src.Relations.OfType<IndexDef>())
        {
            // indoption bits as PostgreSQL: 1 = DESC, 2 = NULLS FIRST (the default for DESC)
            IEnumerable<int> options = index.Columns.Select(c => (c.Descending ? 1 : 0) | ((c.NullsFirst ?? c.Descending) ? 2 : 0));
            string? expressions = index.Columns.Any(c => c.ExpressionSql is not null)
                ? string.Join(", ", index.Columns.Where(c => c.ExpressionSql is not null).Select(c => c.ExpressionSql))
                : null;
            t.Add(Oid(index.Oid), Oid(index.TableOid), Int2(index.Columns.Count), Int2(index.Columns.Count), Bool(index.IsUnique),
                Bool(false), Bool(index.IsPrimary), Bool(false), Bool(true),
                Bool(false), Bool(true), Bool(false), Bool(true),
                Bool(true), Bool(false), Int2Vector(index.Columns.Select(c => c.ExpressionSql is null ? c.ColumnNumber : 0)),
                OidVector(index.Columns.Select(_ => 0u)), OidVector(index.Columns.Select(_ => 0u)),
                Int2Vector(options), Text(expressions), Null);
        }

        return t;
    }

    /// <summary>A foreign key is a pair of triggers in PostgreSQL, on both tables; psql prints the key footers of \d only when this is set.</summary>
    private static bool HasTriggers(CatalogSnapshot catalog, CatalogObject r) =>
        r is TableDef table && (table.Constraints.Any(c => c.Kind == ConstraintKind.ForeignKey) || catalog.ReferencesTo(table.Oid).Count > 0);

    public static VirtualTable Constraint(ViewSource src)
    {
        var t = new VirtualTable("pg_constraint",
            ("oid", SqlType.Oid), ("conname", SqlType.Name), ("connamespace", SqlType.Oid), ("contype", Char1), ("condeferrable", SqlType.Bool),
            ("condeferred", SqlType.Bool), ("convalidated", SqlType.Bool), ("conrelid", SqlType.Oid), ("contypid", SqlType.Oid), ("conindid", SqlType.Oid),
            ("conparentid", SqlType.Oid), ("confrelid", SqlType.Oid), ("confupdtype", Char1), ("confdeltype", Char1), ("confmatchtype", Char1),
            ("conislocal", SqlType.Bool), ("coninhcount", SqlType.Int4), ("connoinherit", SqlType.Bool), ("conkey", Int2Array), ("confkey", Int2Array),
            ("conpfeqop", OidArray), ("conppeqop", OidArray), ("conffeqop", OidArray), ("confdelsetcols", Int2Array), ("conexclop", OidArray),
            ("conbin", SqlType.Text));
        foreach (TableDef table in src.Tables)
        {
            for (int i = 0; i < table.Constraints.Count; i++)
            {
                ConstraintDef c = table.Constraints[i];
                bool fk = c.Kind == ConstraintKind.ForeignKey;
                uint index = c.IndexOid;
                if (fk && src.Catalog.Find<TableDef>(c.ReferencedTableOid) is { } target)
                {
                    // a foreign key's conindid is the referenced table's unique index on the referenced columns
                    index = src.Catalog.IndexesOf(target.Oid).FirstOrDefault(x => x.IsUnique && x.Columns.Select(k => k.ColumnNumber).SequenceEqual(c.ReferencedColumns ?? []))?.Oid ?? 0;
                }

                t.Add(Oid(CatalogText.ConstraintOid(table.Oid, i)), Name(c.Name), Oid(table.SchemaOid), Char((char)c.Kind), Bool(false),
                    Bool(false), Bool(true), Oid(table.Oid), Oid(0u), Oid(index),
                    Oid(0u), Oid(fk ? c.ReferencedTableOid : 0), Char(fk ? (char)c.OnUpdate : ' '), Char(fk ? (char)c.OnDelete : ' '), Char(fk ? 's' : ' '),
                    Bool(true), Int4(0), Bool(false), c.Columns.Count > 0 ? Int2Vector(c.Columns) : Null, fk ? Int2Vector(c.ReferencedColumns ?? []) : Null,
                    Null, Null, Null, Null, Null,
                    Text(c.CheckSql));
            }
        }

        return t;
    }

    public static VirtualTable AttrDef(ViewSource src)
    {
        var t = new VirtualTable("pg_attrdef", ("oid", SqlType.Oid), ("adrelid", SqlType.Oid), ("adnum", SqlType.Int2), ("adbin", SqlType.Text));
        Func<uint, bool> visible = Functions.CatalogFunctions.Visibility(src.Catalog, src.Session);
        foreach (TableDef table in src.Tables)
        {
            foreach (ColumnDef c in table.Columns.Where(c => (c.DefaultSql is not null || c.IsGenerated) && !c.IsDropped))
            {
                // adbin as PostgreSQL's pg_get_expr prints its node tree unprettily: coerced to the column's type, casts spelled out;
                // a generated column's expression is its "default" there, told apart by attgenerated
                string adbin = ExpressionDeparser.Deparse(src.Catalog, table, c.GeneratedSql ?? c.DefaultSql!, pretty: false, visible, c.Type);
                t.Add(Oid(CatalogText.AttrDefOid(table.Oid, c.Number)), Oid(table.Oid), Int2(c.Number), Text(adbin));
            }
        }

        return t;
    }

    public static VirtualTable Sequence(ViewSource src)
    {
        var t = new VirtualTable("pg_sequence", ("seqrelid", SqlType.Oid), ("seqtypid", SqlType.Oid), ("seqstart", SqlType.Int8), ("seqincrement", SqlType.Int8),
            ("seqmax", SqlType.Int8), ("seqmin", SqlType.Int8), ("seqcache", SqlType.Int8), ("seqcycle", SqlType.Bool));
        foreach (SequenceDef s in src.Relations.OfType<SequenceDef>())
        {
            // a serial's or identity's sequence has its column's type (CREATE SEQUENCE ... AS is not parsed: bigint otherwise)
            SqlType? owner = s.OwnedByColumn > 0 && src.Catalog.Find<TableDef>(s.OwnedByTableOid) is { } table && s.OwnedByColumn <= table.Columns.Count
                ? table.Column(s.OwnedByColumn).Type : null;
            uint type = owner is { IsArray: false, Kind: SqlTypeKind.Int2 or SqlTypeKind.Int4 } ? (uint)owner.Value.PgOid : 20u;
            t.Add(Oid(s.Oid), Oid(type), Int8(s.Start), Int8(s.Increment), Int8(s.Max), Int8(s.Min), Int8(1), Bool(s.Cycle));
        }

        return t;
    }

    /// <summary>Dependencies clients look for: a sequence owned by a column ('a', or 'i' for identity, as psql's <c>\d seq</c> footers read them).</summary>
    public static VirtualTable Depend(ViewSource src)
    {
        const uint PgClass = 1259;
        var t = new VirtualTable("pg_depend", ("classid", SqlType.Oid), ("objid", SqlType.Oid), ("objsubid", SqlType.Int4), ("refclassid", SqlType.Oid),
            ("refobjid", SqlType.Oid), ("refobjsubid", SqlType.Int4), ("deptype", Char1));
        foreach (SequenceDef s in src.Relations.OfType<SequenceDef>().Where(s => s.OwnedByTableOid != 0))
        {
            // an identity column's sequence is an internal dependency ('i': psql's "Sequence for identity column"), a serial's an automatic one
            bool identity = src.Catalog.Find<TableDef>(s.OwnedByTableOid) is { } table && s.OwnedByColumn >= 1 && s.OwnedByColumn <= table.Columns.Count
                && table.Column(s.OwnedByColumn).Identity != IdentityKind.None;
            t.Add(Oid(PgClass), Oid(s.Oid), Int4(0), Oid(PgClass), Oid(s.OwnedByTableOid), Int4(s.OwnedByColumn), Char(identity ? 'i' : 'a'));
        }

        return t;
    }

    /// <summary>Relations of a session's pg_temp_N schema are temporary (relpersistence 't').</summary>
    private static bool IsTemporary(CatalogSnapshot catalog, CatalogObject relation) =>
        catalog.Find<SchemaDef>(relation.ParentOid)?.Name.StartsWith("pg_temp_", StringComparison.Ordinal) == true;
}

using System.Collections.Frozen;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Catalog;

/// <summary>
/// An immutable view of every catalog object with the lookups the binder needs. Tables, indexes, views and
/// sequences share one name space per schema, as they share pg_class in PostgreSQL. Changing the catalog
/// makes a new snapshot (<see cref="With"/>, <see cref="Without"/>); catalogs are small, so a copy per DDL
/// statement is cheap and readers never lock.
/// </summary>
public sealed class CatalogSnapshot
{
    private readonly FrozenDictionary<uint, CatalogObject> _byOid;
    private readonly FrozenDictionary<(uint Parent, char Space, string Name), CatalogObject> _byName;
    private readonly FrozenDictionary<uint, IndexDef[]> _indexesByTable;
    private readonly FrozenDictionary<uint, (TableDef Table, ConstraintDef ForeignKey)[]> _referencesTo;
    private readonly FrozenDictionary<uint, SqlEnumType> _enums;

    public static readonly CatalogSnapshot Empty = new([]);

    public CatalogSnapshot(IEnumerable<CatalogObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var byOid = new Dictionary<uint, CatalogObject>();
        var byName = new Dictionary<(uint, char, string), CatalogObject>();
        var indexes = new Dictionary<uint, List<IndexDef>>();
        var references = new Dictionary<uint, List<(TableDef, ConstraintDef)>>();
        List<CatalogObject> all = [.. objects];
        _enums = EnumTypes(all);
        foreach (CatalogObject listed in all)
        {
            CatalogObject o = listed is TableDef t ? WithEnumTypes(t) : listed;
            if (o is TableDef table)
            {
                foreach (ConstraintDef c in table.Constraints)
                {
                    if (c.Kind == ConstraintKind.ForeignKey)
                    {
                        if (!references.TryGetValue(c.ReferencedTableOid, out List<(TableDef, ConstraintDef)>? refs))
                        {
                            references[c.ReferencedTableOid] = refs = [];
                        }

                        refs.Add((table, c));
                    }
                }
            }

            byOid[o.Oid] = o;
            byName[(o.ParentOid, NameSpaceOf(o.Kind), o.Name)] = o;
            if (o is IndexDef index)
            {
                if (!indexes.TryGetValue(index.TableOid, out List<IndexDef>? list))
                {
                    indexes[index.TableOid] = list = [];
                }

                list.Add(index);
            }

            MaxOid = Math.Max(MaxOid, o.Oid);
        }

        _byOid = byOid.ToFrozenDictionary();
        _byName = byName.ToFrozenDictionary();
        _indexesByTable = indexes.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.OrderBy(i => i.Oid).ToArray());
        _referencesTo = references.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.OrderBy(r => r.Item1.Oid).ToArray()); // stable: a table's keys stay in creation order, as PostgreSQL lists dependents
    }

    public uint MaxOid { get; }

    /// <summary>The enum types' descriptors, named as format_type prints them (qualified outside public).</summary>
    private static FrozenDictionary<uint, SqlEnumType> EnumTypes(List<CatalogObject> all)
    {
        Dictionary<uint, string> schemas = all.OfType<SchemaDef>().ToDictionary(s => s.Oid, s => s.Name);
        return all.OfType<EnumTypeDef>().ToFrozenDictionary(e => e.Oid, e =>
        {
            string name = Sql.Syntax.SqlPrinter.QuoteIdentifier(e.Name);
            string schema = schemas.GetValueOrDefault(e.SchemaOid, "public");
            return new SqlEnumType(e.Oid, e.ArrayOid, schema == "public" ? name : $"{Sql.Syntax.SqlPrinter.QuoteIdentifier(schema)}.{name}", e.Labels);
        });
    }

    /// <summary>
    /// <paramref name="table"/> with its enum columns pointing at this snapshot's descriptors: catalog records hold
    /// only a type's OID, and ALTER TYPE ... ADD VALUE makes a new descriptor every column of the type must see.
    /// </summary>
    private TableDef WithEnumTypes(TableDef table)
    {
        if (!table.Columns.Any(c => c.Type.Kind == SqlTypeKind.Enum))
        {
            return table;
        }

        return table with { Columns = [.. table.Columns.Select(c => c.Type.Enum is { } e ? c with { Type = c.Type with { Descriptor = _enums.GetValueOrDefault(e.Oid, e) } } : c)] };
    }

    /// <summary>The enum type <paramref name="oid"/> (its current labels), or null.</summary>
    public SqlEnumType? FindEnum(uint oid) => _enums.GetValueOrDefault(oid);

    /// <summary>A user-defined type by schema and name.</summary>
    public EnumTypeDef? FindType(uint schemaOid, string name) => _byName.GetValueOrDefault((schemaOid, 'y', name)) as EnumTypeDef;

    public IEnumerable<EnumTypeDef> Types => _byOid.Values.OfType<EnumTypeDef>();

    public IEnumerable<CatalogObject> All => _byOid.Values;

    /// <summary>The name space an object's name must be unique in: 'd' databases, 'n' schemas of a database, 'r' relations of a schema.</summary>
    public static char NameSpaceOf(CatalogKind kind) => kind switch
    {
        CatalogKind.Database => 'd',
        CatalogKind.Schema => 'n',
        CatalogKind.Role => 'a',
        CatalogKind.SuperuserSecret => 'k',
        CatalogKind.Comment => 'c',
        CatalogKind.Type => 'y',
        _ => 'r',
    };

    public CatalogObject? Find(uint oid) => _byOid.GetValueOrDefault(oid);

    public T? Find<T>(uint oid)
        where T : CatalogObject => _byOid.GetValueOrDefault(oid) as T;

    /// <summary>The object holding <paramref name="name"/> in name space <paramref name="space"/> under <paramref name="parent"/> (see <see cref="NameSpaceOf"/>).</summary>
    public CatalogObject? Named(uint parent, char space, string name) => _byName.GetValueOrDefault((parent, space, name));

    public DatabaseDef? FindDatabase(string name) => _byName.GetValueOrDefault((0u, 'd', name)) as DatabaseDef;

    /// <summary>A role made with CREATE ROLE / USER (the configured superuser is not one: it lives in the configuration).</summary>
    public RoleDef? FindRole(string name) => _byName.GetValueOrDefault((0u, 'a', name)) as RoleDef;

    public IEnumerable<RoleDef> Roles => _byOid.Values.OfType<RoleDef>();

    /// <summary>The SCRAM / MD5 secrets derived for the configured superuser, if any were stored.</summary>
    public SuperuserSecretDef? SuperuserSecret => Find<SuperuserSecretDef>(WellKnownOids.BootstrapSuperuser);

    /// <summary>The COMMENT ON text of an object in catalog <paramref name="classOid"/> (a column's with its number as <paramref name="subId"/>).</summary>
    public CommentDef? FindComment(uint objectOid, uint classOid, int subId = 0) => Named(objectOid, 'c', CommentDef.NameFor(classOid, subId)) as CommentDef;

    /// <summary>The comments on an object (itself and its columns).</summary>
    public IEnumerable<CommentDef> CommentsOn(uint objectOid) => _byOid.Values.OfType<CommentDef>().Where(c => c.ObjectOid == objectOid);

    public IEnumerable<CommentDef> Comments => _byOid.Values.OfType<CommentDef>();

    public SchemaDef? FindSchema(uint databaseOid, string name) => _byName.GetValueOrDefault((databaseOid, 'n', name)) as SchemaDef;

    /// <summary>A table, index, view or sequence by schema and name.</summary>
    public CatalogObject? FindRelation(uint schemaOid, string name) => _byName.GetValueOrDefault((schemaOid, 'r', name));

    public IReadOnlyList<IndexDef> IndexesOf(uint tableOid) => _indexesByTable.TryGetValue(tableOid, out IndexDef[]? list) ? list : [];

    /// <summary>The unique index on exactly <paramref name="columns"/> (in any order): what a foreign key referencing them uses.</summary>
    public IndexDef? UniqueIndexOn(uint tableOid, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return IndexesOf(tableOid).FirstOrDefault(i => i.IsUnique && i.Columns.Count == columns.Count
            && i.Columns.All(c => c.ExpressionSql is null && columns.Contains(c.ColumnNumber)));
    }

    /// <summary>The foreign keys that reference <paramref name="tableOid"/>, with the tables that hold them (by table, then creation).</summary>
    public IReadOnlyList<(TableDef Table, ConstraintDef ForeignKey)> ReferencesTo(uint tableOid) =>
        _referencesTo.TryGetValue(tableOid, out (TableDef, ConstraintDef)[]? list) ? list : [];

    public IEnumerable<SchemaDef> SchemasOf(uint databaseOid) => _byOid.Values.OfType<SchemaDef>().Where(s => s.DatabaseOid == databaseOid);

    public IEnumerable<CatalogObject> RelationsOf(uint schemaOid) =>
        _byOid.Values.Where(o => o.ParentOid == schemaOid && NameSpaceOf(o.Kind) == 'r');

    /// <summary>A snapshot with <paramref name="obj"/> added or replaced (same OID).</summary>
    public CatalogSnapshot With(CatalogObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new CatalogSnapshot(_byOid.Values.Where(o => o.Oid != obj.Oid).Append(obj));
    }

    public CatalogSnapshot Without(uint oid) => new(_byOid.Values.Where(o => o.Oid != oid));
}

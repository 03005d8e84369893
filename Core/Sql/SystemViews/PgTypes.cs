using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using static ThunderDb.Core.Sql.SystemViews.V;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>
/// pg_type and the pg_proc rows its I/O functions point at. Npgsql tells arrays from base types by
/// <c>typreceive</c> -&gt; <c>pg_proc.proname = 'array_recv'</c>, so every type's receive function is a real row.
/// </summary>
public static class PgTypes
{
    /// <summary>Synthetic pg_proc OIDs: 4 per type (in, out, recv, send) from here; PostgreSQL's own OIDs for these are not needed by clients.</summary>
    private const uint FirstProcOid = 9000;

    private static readonly (uint Oid, string Name, string Base, char Type, char Category, short Len)[] Extra =
    [
        (CatalogText.RecordType, "record", "record", 'p', 'P', -1),
        (CatalogText.VoidType, "void", "void", 'p', 'P', 4),
    ];

    /// <summary>The I/O function base name of a type: int4 -&gt; int4in/int4out/int4recv/int4send; PostgreSQL spells some with an underscore.</summary>
    private static string IoBase(SqlTypeInfo info) => info.Kind switch
    {
        SqlTypeKind.Numeric or SqlTypeKind.Date or SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Interval
            or SqlTypeKind.Uuid or SqlTypeKind.Json or SqlTypeKind.Jsonb => info.PgName + "_",
        SqlTypeKind.Enum => "enum_",
        _ => info.PgName,
    };

    private static IEnumerable<(string Base, uint FirstOid)> ProcGroups()
    {
        uint oid = FirstProcOid;
        foreach (SqlTypeInfo info in SqlTypeInfo.All)
        {
            yield return (IoBase(info), oid);
            oid += 4;
        }

        foreach (var extra in Extra)
        {
            yield return (extra.Base + "_", oid);
            oid += 4;
        }

        yield return ("array_", oid);
    }

    private static uint ArrayProcs => FirstProcOid + (uint)((SqlTypeInfo.All.Count + Extra.Length) * 4);

    private static uint RecordProcs => FirstProcOid + (uint)(SqlTypeInfo.All.Count * 4);

    internal static VirtualTable Type(ViewSource src)
    {
        var t = new VirtualTable("pg_type",
            ("oid", SqlType.Oid), ("typname", SqlType.Name), ("typnamespace", SqlType.Oid), ("typowner", SqlType.Oid), ("typlen", SqlType.Int2),
            ("typbyval", SqlType.Bool), ("typtype", Char1), ("typcategory", Char1), ("typispreferred", SqlType.Bool), ("typisdefined", SqlType.Bool),
            ("typdelim", Char1), ("typrelid", SqlType.Oid), ("typsubscript", SqlType.Oid), ("typelem", SqlType.Oid), ("typarray", SqlType.Oid),
            ("typinput", SqlType.Oid), ("typoutput", SqlType.Oid), ("typreceive", SqlType.Oid), ("typsend", SqlType.Oid), ("typmodin", SqlType.Oid),
            ("typmodout", SqlType.Oid), ("typanalyze", SqlType.Oid), ("typalign", Char1), ("typstorage", Char1), ("typnotnull", SqlType.Bool),
            ("typbasetype", SqlType.Oid), ("typtypmod", SqlType.Int4), ("typndims", SqlType.Int4), ("typcollation", SqlType.Oid), ("typdefaultbin", SqlType.Text),
            ("typdefault", SqlType.Text), ("typacl", TextArray));
        void Add(uint oid, string name, uint nsp, short len, char type, char category, uint relid, uint elem, uint array, uint procs, uint collation)
        {
            t.Add(Oid(oid), Name(name), Oid(nsp), Oid(CatalogText.SuperuserOid), Int2(len),
                Bool(len is 1 or 2 or 4 or 8), Char(type), Char(category), Bool(name is "bool" or "float8" or "text" or "timestamptz" or "interval" or "oid"), Bool(true),
                Char(','), Oid(relid), Oid(0u), Oid(elem), Oid(array),
                Oid(procs), Oid(procs + 1), Oid(procs + 2), Oid(procs + 3), Oid(0u),
                Oid(0u), Oid(0u), Char(len == 8 ? 'd' : len == 2 ? 's' : len == 1 ? 'c' : 'i'), Char(len == -1 ? 'x' : 'p'), Bool(false),
                Oid(0u), Int4(-1), Int4(0), Oid(collation), Null,
                Null, Null);
        }

        uint procs = FirstProcOid;
        foreach (SqlTypeInfo info in SqlTypeInfo.All)
        {
            if (info.Kind is SqlTypeKind.Void or SqlTypeKind.Record)
            {
                procs += 4;
                continue; // pseudo-types listed with their PostgreSQL I/O names below
            }

            bool text = info.Category == 'S';
            uint collation = text ? (info.Kind == SqlTypeKind.Name ? 950u : CatalogText.DefaultCollation) : 0u;
            Add((uint)info.Oid, info.PgName, WellKnownOids.PgCatalogSchema, info.TypLen, info.Kind == SqlTypeKind.Unknown || info.Category == 'P' ? 'p' : 'b', info.Category,
                0, 0, (uint)info.ArrayOid, procs, collation);
            if (info.ArrayOid != 0)
            {
                Add((uint)info.ArrayOid, "_" + info.PgName, WellKnownOids.PgCatalogSchema, -1, 'b', 'A', 0, (uint)info.Oid, 0, ArrayProcs, collation);
            }

            procs += 4;
        }

        foreach (var extra in Extra)
        {
            uint array = extra.Oid == CatalogText.RecordType ? CatalogText.RecordArrayType : 0;
            Add(extra.Oid, extra.Name, WellKnownOids.PgCatalogSchema, extra.Len, extra.Type, extra.Category, 0, 0, array, procs, 0);
            procs += 4;
        }

        Add(CatalogText.RecordArrayType, "_record", WellKnownOids.PgCatalogSchema, -1, 'p', 'P', 0, CatalogText.RecordType, 0, ArrayProcs, 0);
        uint enumProcs = FirstProcOid + (uint)((int)SqlTypeKind.Enum * 4); // enum_in / enum_out / enum_recv / enum_send
        foreach (EnumTypeDef e in src.EnumTypes)
        {
            Add(e.Oid, e.Name, e.SchemaOid, 4, 'e', 'E', 0, 0, e.ArrayOid, enumProcs, 0);
            Add(e.ArrayOid, "_" + e.Name, e.SchemaOid, -1, 'b', 'A', 0, e.Oid, 0, ArrayProcs, 0);
        }

        foreach (CatalogObject r in src.Relations.Where(r => r is TableDef or ViewDef))
        {
            Add(CatalogText.RowTypeOid(r.Oid), r.Name, r.ParentOid, -1, 'c', 'C', r.Oid, 0, 0, RecordProcs, 0);
        }

        return t;
    }

    /// <summary>The OID of a synthesised I/O function by name (<c>'array_in'::regproc</c>, as pgjdbc compares typinput), or 0.</summary>
    public static uint ProcOid(string name)
    {
        foreach ((string io, uint first) in ProcGroups())
        {
            string[] names = [io + "in", io + "out", io + "recv", io + "send"];
            int k = Array.IndexOf(names, name);
            if (k >= 0)
            {
                return first + (uint)k;
            }
        }

        return 0;
    }

    /// <summary>
    /// The result and argument type of pg_proc's function <paramref name="oid"/> (pg_get_function_result /
    /// _arguments); null for an OID that is no function. Only the types' I/O functions are listed.
    /// </summary>
    internal static (uint Result, uint Argument)? ProcSignature(uint oid) =>
        oid >= FirstProcOid && oid < ArrayProcs + 4 ? IoSignature((int)((oid - FirstProcOid) % 4)) : null;

    /// <summary>in: cstring -> type, out: type -> cstring, recv: internal -> type, send: type -> bytea (the type itself shown as 0).</summary>
    private static (uint Result, uint Argument) IoSignature(int k) => (k == 3 ? 17u : k == 1 ? 2275u : 0u, k == 0 ? 2275u : k == 2 ? 2281u : 0u);

    internal static VirtualTable Proc(ViewSource src)
    {
        _ = src;
        var t = new VirtualTable("pg_proc",
            ("oid", SqlType.Oid), ("proname", SqlType.Name), ("pronamespace", SqlType.Oid), ("proowner", SqlType.Oid), ("prolang", SqlType.Oid),
            ("procost", SqlType.Float4), ("prorows", SqlType.Float4), ("provariadic", SqlType.Oid), ("prokind", Char1), ("prosecdef", SqlType.Bool),
            ("proleakproof", SqlType.Bool), ("proisstrict", SqlType.Bool), ("proretset", SqlType.Bool), ("provolatile", Char1), ("proparallel", Char1),
            ("pronargs", SqlType.Int2), ("pronargdefaults", SqlType.Int2), ("prorettype", SqlType.Oid), ("proargtypes", OidArray), ("proallargtypes", OidArray),
            ("proargmodes", TextArray), ("proargnames", TextArray), ("prosrc", SqlType.Text), ("probin", SqlType.Text), ("proconfig", TextArray), ("proacl", TextArray));
        foreach ((string io, uint first) in ProcGroups())
        {
            string[] names = [io + "in", io + "out", io + "recv", io + "send"];
            for (int k = 0; k < 4; k++)
            {
                string name = names[k];
                (uint result, uint argument) = IoSignature(k);
                t.Add(Oid(first + (uint)k), Name(name), Oid(WellKnownOids.PgCatalogSchema), Oid(CatalogText.SuperuserOid), Oid(12u),
                    Float4(1), Float4(0), Oid(0u), Char('f'), Bool(false),
                    Bool(false), Bool(true), Bool(false), Char('i'), Char('s'),
                    Int2(1), Int2(0), Oid(result), OidVector([argument]), Null,
                    Null, Null, Text(name), Null, Null, Null);
            }
        }

        return t;
    }
}

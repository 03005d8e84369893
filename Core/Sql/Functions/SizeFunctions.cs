using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// The object size functions (pg_relation_size, pg_table_size, pg_indexes_size, pg_total_relation_size,
/// pg_database_size) and pg_size_pretty, as psql's <c>\dt+</c>, <c>\di+</c> and <c>\l+</c> call them. A size is the bytes
/// of the keys and values the relation stores, counted by reading its key range in the statement's snapshot (PostgreSQL
/// reads file sizes; here the work grows with the data). Rows are clustered by their primary key, so that index's size
/// is the bytes of the row keys, and a table's total counts those keys once.
/// </summary>
internal static class SizeFunctions
{
    private static readonly SqlType O = SqlType.Oid, T = SqlType.Text, I8 = SqlType.Int8;

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "pg_relation_size", "pg_table_size", "pg_indexes_size", "pg_total_relation_size", "pg_database_size", "pg_size_pretty",
    };

    public static bool IsSizeFunction(string name) => Names.Contains(name);

    public static ScalarFunction[] Candidates(string name, SessionContext session) => name switch
    {
        "pg_size_pretty" =>
        [
            new(name, [I8], T, (a, _) => SqlValue.FromText(Pretty(a[0].AsInt64))),
            new(name, [SqlType.Numeric], T, (a, _) => SqlValue.FromText(Pretty(a[0].AsDecimal))),
        ],
        "pg_database_size" =>
        [
            new(name, [SqlType.Name], I8, (a, c) => SqlValue.FromInt8(DatabaseSize(c, Catalog(c).FindDatabase(a[0].AsString)
                ?? throw new SqlException(SqlState.InvalidCatalogName, $"database \"{a[0].AsString}\" does not exist"))), IsVolatile: true),
            new(name, [O], I8, (a, c) => Catalog(c).Find<DatabaseDef>((uint)a[0].AsInt64) is { } db ? SqlValue.FromInt8(DatabaseSize(c, db)) : SqlValue.Null,
                IsVolatile: true),
        ],
        _ =>
        [
            new(name, [O], I8, (a, c) => Size(name, c, (uint)a[0].AsInt64), IsVolatile: true),
            new(name, [T], I8, (a, c) => Size(name, c, RelationOid(Catalog(c), session, a[0].AsString)), IsVolatile: true),
        ],
    };

    /// <summary>The size <paramref name="function"/> reports for <paramref name="oid"/>; NULL for an OID naming no relation, as PostgreSQL.</summary>
    private static SqlValue Size(string function, EvalContext c, uint oid)
    {
        CatalogSnapshot catalog = Catalog(c);
        return catalog.Find(oid) switch
        {
            TableDef table => SqlValue.FromInt8(function switch
            {
                "pg_indexes_size" => IndexesSize(c, catalog, table),
                "pg_total_relation_size" => Bytes(c, TableStorage.TableRange(table.Oid), keysOnly: false),
                _ => Bytes(c, TableStorage.RowRange(table), keysOnly: false),
            }),
            IndexDef index => SqlValue.FromInt8(function is "pg_indexes_size" ? 0 : IndexSize(c, catalog, index)),
            null => SqlValue.Null,
            _ => SqlValue.FromInt8(0), // views and sequences store no rows
        };
    }

    private static long IndexSize(EvalContext c, CatalogSnapshot catalog, IndexDef index) =>
        catalog.Find<TableDef>(index.TableOid) is { } table && table.RowKeyspaceOid == index.Oid
            ? Bytes(c, TableStorage.RowRange(table), keysOnly: true) // the primary key is the rows' own keys
            : Bytes(c, TableStorage.IndexRange(index), keysOnly: false);

    private static long IndexesSize(EvalContext c, CatalogSnapshot catalog, TableDef table) =>
        catalog.IndexesOf(table.Oid).Sum(index => IndexSize(c, catalog, index));

    private static long DatabaseSize(EvalContext c, DatabaseDef database)
    {
        CatalogSnapshot catalog = Catalog(c);
        long total = 0;
        foreach (SchemaDef schema in catalog.SchemasOf(database.Oid))
        {
            foreach (TableDef table in catalog.RelationsOf(schema.Oid).OfType<TableDef>())
            {
                total += Bytes(c, TableStorage.TableRange(table.Oid), keysOnly: false);
            }
        }

        return total;
    }

    private static long Bytes(EvalContext c, (byte[] Start, byte[] End) range, bool keysOnly)
    {
        ExecutionRuntime runtime = c.Runtime ?? throw new SqlException(SqlState.FeatureNotSupported, "size functions need a running statement");
        long total = 0;
        using Txn.IKvCursor cursor = runtime.Transaction.Scan(range.Start, range.End);
        while (cursor.MoveNext())
        {
            total += cursor.Key.Length + (keysOnly ? 0 : cursor.Value.Length);
        }

        return total;
    }

    /// <summary>A relation named as regclass input: optionally schema-qualified, quoted parts kept, others lower-cased, on the search path.</summary>
    private static uint RelationOid(CatalogSnapshot catalog, SessionContext session, string text)
    {
        string[] parts = [.. text.Split('.').Select(p => p.StartsWith('"') ? p.Trim('"') : p.ToLowerInvariant())];
        IEnumerable<string> schemas = parts.Length > 1 ? [parts[^2]] : session.SearchPath.Prepend("pg_catalog");
        foreach (string schemaName in schemas)
        {
            if (catalog.FindSchema(session.DatabaseOid, schemaName) is { } schema && catalog.FindRelation(schema.Oid, parts[^1]) is { } relation)
            {
                return relation.Oid;
            }
        }

        throw new SqlException(SqlState.UndefinedTable, $"relation \"{text}\" does not exist");
    }

    /// <summary>pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB, PB, each rounded half away from zero from one more bit.</summary>
    public static string Pretty(decimal size)
    {
        const decimal limit = 10 * 1024, limit2 = limit * 2 - 1;
        if (Math.Abs(size) < limit)
        {
            return $"{size.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes"; // a numeric keeps its fraction, as PostgreSQL prints it
        }

        size = Math.Floor(size / 512); // keep one extra bit for rounding
        foreach (string unit in (ReadOnlySpan<string>)["kB", "MB", "GB", "TB"])
        {
            if (Math.Abs(size) < limit2)
            {
                return $"{HalfRounded(size):0} {unit}";
            }

            size = Math.Floor(size / 1024);
        }

        return $"{HalfRounded(size):0} PB";
    }

    private static decimal HalfRounded(decimal x) => Math.Truncate((x + (x < 0 ? -1 : 1)) / 2);

    private static CatalogSnapshot Catalog(EvalContext c) =>
        c.Runtime?.Catalog ?? throw new SqlException(SqlState.FeatureNotSupported, "size functions need a running statement");
}

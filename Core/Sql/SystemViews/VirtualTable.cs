using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>
/// The rows of one system catalog relation, computed from the catalog snapshot when a statement is bound.
/// Catalogs are small, so computing the rows up front is cheaper than a lazy scan, and the rows stay
/// consistent with the snapshot the rest of the statement was bound against.
/// </summary>
internal sealed class VirtualTable
{
    private readonly List<SqlValue[]> _rows = [];

    public VirtualTable(string name, params (string Name, SqlType Type)[] columns)
    {
        Name = name;
        Columns = [.. columns.Select(c => new PlanColumn(c.Name, c.Type))];
    }

    public string Name { get; }

    public IReadOnlyList<PlanColumn> Columns { get; }

    public IReadOnlyList<SqlValue[]> Rows => _rows;

    /// <summary>Adds a row; a row of the wrong width is a bug in the view's definition, not a client error.</summary>
    public void Add(params SqlValue[] row)
    {
        if (row.Length != Columns.Count)
        {
            throw new InvalidOperationException($"{Name}: a row of {row.Length} values for {Columns.Count} columns");
        }

        _rows.Add(row);
    }

}

/// <summary>
/// A scan of a <see cref="VirtualTable"/>. A catalog table (one with a relation OID, not a view such as pg_roles) ends
/// each row with its system column <c>tableoid</c>, which the binder resolves by name and never expands in <c>*</c>.
/// </summary>
internal sealed class VirtualTableNode(VirtualTable table, uint tableOid = 0) : PlanNode
{
    private readonly IReadOnlyList<PlanColumn> _columns = tableOid == 0 ? table.Columns : [.. table.Columns, new PlanColumn("tableoid", SqlType.Oid)];

    /// <summary>The catalog's relation OID (what <c>tableoid</c> reads), 0 for a view.</summary>
    public uint TableOid => tableOid;

    public override IReadOnlyList<PlanColumn> Columns => _columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        SqlValue oid = SqlValue.FromOid(tableOid);
        foreach (SqlValue[] row in table.Rows)
        {
            context?.Runtime?.CountRow();
            yield return tableOid == 0 ? row : [.. row, oid];
        }
    }

    public override string Describe() => $"Function Scan on {table.Name}";
}

/// <summary>Short constructors for catalog values, so view definitions read like the catalog's rows.</summary>
internal static class V
{
    public static readonly SqlType Char1 = SqlType.Char(1);
    public static readonly SqlType Int2Array = SqlType.Int2.ArrayOf();
    public static readonly SqlType OidArray = SqlType.Oid.ArrayOf();
    public static readonly SqlType TextArray = SqlType.Text.ArrayOf();

    public static SqlValue Null => SqlValue.Null;

    public static SqlValue Oid(uint value) => SqlValue.FromOid(value);

    public static SqlValue Oid(int value) => SqlValue.FromOid((uint)value);

    public static SqlValue Name(string value) => SqlValue.FromString(SqlTypeKind.Name, value);

    public static SqlValue Text(string? value) => value is null ? SqlValue.Null : SqlValue.FromText(value);

    /// <summary>A one-character code (relkind, contype...); '' for "none" as PostgreSQL's attidentity.</summary>
    public static SqlValue Char(char value) => SqlValue.FromString(SqlTypeKind.Char, value == '\0' ? "" : value.ToString());

    public static SqlValue Bool(bool value) => SqlValue.FromBool(value);

    public static SqlValue Int2(int value) => SqlValue.FromInt2((short)value);

    public static SqlValue Int4(int value) => SqlValue.FromInt4(value);

    public static SqlValue Int8(long value) => SqlValue.FromInt8(value);

    public static SqlValue Float4(float value) => SqlValue.FromFloat4(value);

    public static SqlValue Int2Vector(IEnumerable<int> values) =>
        SqlValue.FromArray(new SqlArray(SqlType.Int2, [.. values.Select(v => SqlValue.FromInt2((short)v))]));

    public static SqlValue OidVector(IEnumerable<uint> values) =>
        SqlValue.FromArray(new SqlArray(SqlType.Oid, [.. values.Select(SqlValue.FromOid)]));

    public static SqlValue TextArrayOf(IEnumerable<string> values) =>
        SqlValue.FromArray(new SqlArray(SqlType.Text, [.. values.Select(SqlValue.FromText)]));
}

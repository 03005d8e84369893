using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Catalog;

/// <summary>Object identifiers: PostgreSQL's fixed ones for what every database has, then user objects from 16384.</summary>
public static class WellKnownOids
{
    public const uint PostgresDatabase = 5;
    public const uint PgCatalogSchema = 11;
    public const uint PublicSchema = 2200;

    /// <summary>The configured superuser (security.superuser), PostgreSQL's bootstrap superuser OID.</summary>
    public const uint BootstrapSuperuser = 10;
    public const uint FirstUserOid = 16384;
}

public enum CatalogKind : byte
{
    Database = (byte)'d',
    Schema = (byte)'n',
    Table = (byte)'t',
    Index = (byte)'i',
    View = (byte)'v',
    Sequence = (byte)'s',
    Role = (byte)'a',
    SuperuserSecret = (byte)'k',
    Comment = (byte)'c',
    Type = (byte)'y',
}

/// <summary>Any catalog object: an OID, the namespace that holds it (0 for databases) and a name unique there.</summary>
public abstract record CatalogObject(uint Oid, uint ParentOid, string Name)
{
    public abstract CatalogKind Kind { get; }
}

/// <param name="OwnerOid">The owning role; 0 for the configured superuser.</param>
public sealed record DatabaseDef(uint Oid, string Name, uint OwnerOid = 0) : CatalogObject(Oid, 0, Name)
{
    public override CatalogKind Kind => CatalogKind.Database;
}

public sealed record SchemaDef(uint Oid, uint DatabaseOid, string Name) : CatalogObject(Oid, DatabaseOid, Name)
{
    public override CatalogKind Kind => CatalogKind.Schema;
}

public enum IdentityKind : byte
{
    None = 0,
    Always = (byte)'a',
    ByDefault = (byte)'d',
}

/// <summary>
/// A column. <see cref="Number"/> is PostgreSQL's attnum (1-based, never reused: a dropped column keeps its
/// slot with <see cref="IsDropped"/> so stored rows stay readable). Defaults are kept as SQL text, as
/// pg_attrdef keeps them, and bound again when used.
/// </summary>
public sealed record ColumnDef(
    int Number,
    string Name,
    SqlType Type,
    bool NotNull = false,
    string? DefaultSql = null,
    IdentityKind Identity = IdentityKind.None,
    uint SequenceOid = 0,
    bool IsDropped = false,
    string? GeneratedSql = null)
{
    /// <summary>A stored generated column (GENERATED ALWAYS AS (expr) STORED): its value is <see cref="GeneratedSql"/> over the row.</summary>
    public bool IsGenerated => GeneratedSql is not null;
}

public enum ConstraintKind : byte
{
    PrimaryKey = (byte)'p',
    Unique = (byte)'u',
    Check = (byte)'c',
    ForeignKey = (byte)'f',
}

public enum ReferentialAction : byte
{
    NoAction = (byte)'a',
    Restrict = (byte)'r',
    Cascade = (byte)'c',
    SetNull = (byte)'n',
    SetDefault = (byte)'d',
}

/// <summary>
/// A table constraint. Primary key and unique constraints point at their index; a check holds its
/// expression as SQL text; a foreign key names the referenced table, its columns and the actions.
/// </summary>
public sealed record ConstraintDef(
    string Name,
    ConstraintKind Kind,
    IReadOnlyList<int> Columns,
    uint IndexOid = 0,
    string? CheckSql = null,
    uint ReferencedTableOid = 0,
    IReadOnlyList<int>? ReferencedColumns = null,
    ReferentialAction OnDelete = ReferentialAction.NoAction,
    ReferentialAction OnUpdate = ReferentialAction.NoAction);

/// <summary>
/// A table. Rows live under <c>'T' oid(tableOid) oid(primaryIndex)</c> keyed by the primary key, or by a
/// hidden 8-byte row id when the table has none (<see cref="PrimaryIndexOid"/> = 0).
/// </summary>
public sealed record TableDef(
    uint Oid,
    uint SchemaOid,
    string Name,
    IReadOnlyList<ColumnDef> Columns,
    IReadOnlyList<ConstraintDef> Constraints,
    uint PrimaryIndexOid = 0,
    int FillFactor = 100,
    TableStatistics? Statistics = null) : CatalogObject(Oid, SchemaOid, Name)
{
    public override CatalogKind Kind => CatalogKind.Table;

    /// <summary>The live columns in order (dropped ones left out): what <c>SELECT *</c> returns.</summary>
    public IEnumerable<ColumnDef> VisibleColumns => Columns.Where(c => !c.IsDropped);

    public ColumnDef? FindColumn(string name) => Columns.FirstOrDefault(c => !c.IsDropped && c.Name == name);

    public ColumnDef Column(int number) => Columns[number - 1];

    public ConstraintDef? PrimaryKey => Constraints.FirstOrDefault(c => c.Kind == ConstraintKind.PrimaryKey);

    /// <summary>The storage id of rows: the primary index, or the table itself for hidden row ids.</summary>
    public uint RowKeyspaceOid => PrimaryIndexOid != 0 ? PrimaryIndexOid : Oid;
}

/// <summary>
/// What VACUUM and ANALYZE record about a table (pg_class.reltuples, pg_stat_user_tables): the live rows they
/// counted and when (microseconds since 1970; 0 = never), and how often they ran; and the per-column statistics
/// of the last ANALYZE (pg_stats; null until one ran). They live in the table's record, so they commit or roll
/// back with the ANALYZE, go with DROP TABLE and stay through renames (they are keyed by attnum).
/// </summary>
public sealed record TableStatistics(long LiveRows, long LastVacuumMicros, long LastAnalyzeMicros, long VacuumCount, long AnalyzeCount,
    IReadOnlyList<ColumnStatistics>? Columns = null)
{
    /// <summary>The statistics of column <paramref name="attnum"/>, or null when ANALYZE recorded none for it.</summary>
    public ColumnStatistics? For(int attnum) => Columns?.FirstOrDefault(c => c.Column == attnum);
}

/// <summary>
/// One column's statistics from ANALYZE's sample, as PostgreSQL's pg_statistic holds them: the fraction of NULLs,
/// the average stored width of the non-null values, the distinct count (negative: minus a fraction of the rows,
/// when it grows with the table), the most common values with their frequencies (most common first), histogram
/// bounds over the other values (ascending) and the correlation of value order with storage order (null when fewer
/// than two values). <see cref="Type"/> is the column's type when it was analyzed (the values are of it).
/// </summary>
public sealed record ColumnStatistics(int Column, SqlType Type, double NullFraction, int AverageWidth, double Distinct,
    IReadOnlyList<SqlValue> CommonValues, IReadOnlyList<double> CommonFrequencies, IReadOnlyList<SqlValue> Histogram, double? Correlation);

/// <summary>One key column of an index: a table column (attnum) or an expression (SQL text), with its order.</summary>
public sealed record IndexColumn(int ColumnNumber, string? ExpressionSql = null, bool Descending = false, bool? NullsFirst = null);

public sealed record IndexDef(
    uint Oid,
    uint TableOid,
    uint SchemaOid,
    string Name,
    IReadOnlyList<IndexColumn> Columns,
    bool IsUnique,
    bool IsPrimary) : CatalogObject(Oid, SchemaOid, Name)
{
    public override CatalogKind Kind => CatalogKind.Index;
}

/// <summary>A view: its defining query as SQL text, bound when the view is used, and its output column names.</summary>
public sealed record ViewDef(uint Oid, uint SchemaOid, string Name, string QuerySql, IReadOnlyList<string> ColumnNames) : CatalogObject(Oid, SchemaOid, Name)
{
    public override CatalogKind Kind => CatalogKind.View;
}

/// <summary>A sequence's definition; its current value is not catalog data (it lives under <c>'S'</c>, outside transactions).</summary>
public sealed record SequenceDef(
    uint Oid,
    uint SchemaOid,
    string Name,
    long Start = 1,
    long Increment = 1,
    long Min = 1,
    long Max = long.MaxValue,
    bool Cycle = false,
    uint OwnedByTableOid = 0,
    int OwnedByColumn = 0) : CatalogObject(Oid, SchemaOid, Name)
{
    public override CatalogKind Kind => CatalogKind.Sequence;
}

/// <summary>
/// COMMENT ON: the description of an object (pg_description / pg_shdescription): the object's OID, the OID of the
/// system catalog it lives in (pg_class, pg_namespace, pg_database...) and a column number for a column's comment.
/// Named after its catalog and column under the described object, so an object has one comment of each.
/// </summary>
public sealed record CommentDef(uint Oid, uint ObjectOid, uint ClassOid, int SubId, string Text) : CatalogObject(Oid, ObjectOid, NameFor(ClassOid, SubId))
{
    public override CatalogKind Kind => CatalogKind.Comment;

    public static string NameFor(uint classOid, int subId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{classOid}:{subId}");
}

/// <summary>
/// CREATE TYPE name AS ENUM: the type, its array type's OID (PostgreSQL makes <c>_name</c> with it) and its
/// labels, each with a pg_enum OID and a sort position (ALTER TYPE ... ADD VALUE BEFORE puts a label between two).
/// </summary>
public sealed record EnumTypeDef(uint Oid, uint SchemaOid, string Name, uint ArrayOid, IReadOnlyList<SqlEnumLabel> Labels) : CatalogObject(Oid, SchemaOid, Name)
{
    public override CatalogKind Kind => CatalogKind.Type;
}

namespace ThunderDb.Core.Sql.Types;

/// <summary>The built-in scalar types. <see cref="Unknown"/> is an untyped literal or parameter not yet resolved.</summary>
public enum SqlTypeKind : byte
{
    Unknown = 0,
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Text,
    Varchar,
    Char,
    Name,
    Bytea,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Interval,
    Uuid,
    Json,
    Jsonb,
    Oid,

    /// <summary>The pseudo-type of functions that return nothing (pg_sleep, pg_notify): its one value prints as ''.</summary>
    Void,

    /// <summary>A user's enum type (CREATE TYPE ... AS ENUM): which one is <see cref="SqlType.Enum"/>.</summary>
    Enum,

    /// <summary>A row value: a table's row type (<c>SELECT t FROM t</c>) or an anonymous <c>ROW(...)</c>; its fields are <see cref="SqlType.Record"/>.</summary>
    Record,
}

/// <summary>
/// A column or expression type: a kind, an optional modifier (varchar/char length, numeric precision and
/// scale, as PostgreSQL's typmod) and whether it is an array of that kind; an enum kind also names its enum type.
/// Small and copyable.
/// </summary>
public readonly record struct SqlType(SqlTypeKind Kind, int Modifier = -1, bool IsArray = false, SqlTypeDescriptor? Descriptor = null)
{
    /// <summary>The enum type of an <see cref="SqlTypeKind.Enum"/>.</summary>
    public SqlEnumType? Enum => Descriptor as SqlEnumType;

    /// <summary>The fields of a <see cref="SqlTypeKind.Record"/> (a table's row type or an anonymous ROW(...)).</summary>
    public SqlRecordType? Record => Descriptor as SqlRecordType;

    public static readonly SqlType Unknown = new(SqlTypeKind.Unknown);
    public static readonly SqlType Bool = new(SqlTypeKind.Bool);
    public static readonly SqlType Int2 = new(SqlTypeKind.Int2);
    public static readonly SqlType Int4 = new(SqlTypeKind.Int4);
    public static readonly SqlType Int8 = new(SqlTypeKind.Int8);
    public static readonly SqlType Float4 = new(SqlTypeKind.Float4);
    public static readonly SqlType Float8 = new(SqlTypeKind.Float8);
    public static readonly SqlType Numeric = new(SqlTypeKind.Numeric);
    public static readonly SqlType Text = new(SqlTypeKind.Text);
    public static readonly SqlType Bytea = new(SqlTypeKind.Bytea);
    public static readonly SqlType Date = new(SqlTypeKind.Date);
    public static readonly SqlType Time = new(SqlTypeKind.Time);
    public static readonly SqlType Timestamp = new(SqlTypeKind.Timestamp);
    public static readonly SqlType TimestampTz = new(SqlTypeKind.TimestampTz);
    public static readonly SqlType Interval = new(SqlTypeKind.Interval);
    public static readonly SqlType Uuid = new(SqlTypeKind.Uuid);
    public static readonly SqlType Json = new(SqlTypeKind.Json);
    public static readonly SqlType Jsonb = new(SqlTypeKind.Jsonb);
    public static readonly SqlType Oid = new(SqlTypeKind.Oid);
    public static readonly SqlType Void = new(SqlTypeKind.Void);
    public static readonly SqlType Name = new(SqlTypeKind.Name);

    public static SqlType EnumOf(SqlEnumType type) => new(SqlTypeKind.Enum, -1, false, type);

    public static SqlType RecordOf(SqlRecordType type) => new(SqlTypeKind.Record, -1, false, type);

    public static SqlType Varchar(int length) => new(SqlTypeKind.Varchar, length);

    public static SqlType Char(int length) => new(SqlTypeKind.Char, length);

    /// <summary>numeric(precision, scale), stored as PostgreSQL's typmod ((precision &lt;&lt; 16) | scale) + 4.</summary>
    public static SqlType NumericOf(int precision, int scale) => new(SqlTypeKind.Numeric, ((precision << 16) | scale) + 4);

    public SqlType ArrayOf() => this with { IsArray = true, Modifier = Modifier };

    public SqlType Element => this with { IsArray = false };

    /// <summary>Declared length of varchar(n)/char(n); -1 when unbounded.</summary>
    public int Length => Kind is SqlTypeKind.Varchar or SqlTypeKind.Char ? Modifier : -1;

    public int NumericPrecision => Kind == SqlTypeKind.Numeric && Modifier >= 4 ? (Modifier - 4) >> 16 : -1;

    public int NumericScale => Kind == SqlTypeKind.Numeric && Modifier >= 4 ? (Modifier - 4) & 0xFFFF : -1;

    public bool IsInteger => !IsArray && Kind is SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid;

    public bool IsNumeric => !IsArray && (IsInteger || Kind is SqlTypeKind.Float4 or SqlTypeKind.Float8 or SqlTypeKind.Numeric);

    public bool IsString => !IsArray && Kind is SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Char or SqlTypeKind.Name or SqlTypeKind.Unknown;

    public bool IsDateTime => !IsArray && Kind is SqlTypeKind.Date or SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz;

    /// <summary>PostgreSQL's type OID (of the array type for arrays), as RowDescription and pg_type report it.</summary>
    public int PgOid => Descriptor is { } d ? (int)(IsArray ? d.ArrayOid : d.Oid) : IsArray ? SqlTypeInfo.Of(Kind).ArrayOid : SqlTypeInfo.Of(Kind).Oid;

    /// <summary>The name <c>format_type()</c> prints: <c>character varying(20)</c>, <c>numeric(10,2)</c>, <c>integer[]</c>.</summary>
    public override string ToString()
    {
        string name = Descriptor?.Name ?? SqlTypeInfo.Of(Kind).DisplayName;
        if (Length >= 0)
        {
            name = $"{name}({Length})";
        }
        else if (NumericPrecision >= 0)
        {
            name = $"numeric({NumericPrecision},{NumericScale})";
        }

        return IsArray ? name + "[]" : name;
    }
}

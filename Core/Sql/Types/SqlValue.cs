using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// One SQL value: NULL or a value of a <see cref="SqlTypeKind"/>. A 24-byte struct: fixed-size values live in two
/// 64-bit words (no allocation for numbers, dates, times, intervals, uuids, numerics), variable-size ones hold a
/// reference (string for the character and json types, byte[] for bytea, <see cref="SqlArray"/> for arrays).
/// <list type="bullet">
/// <item>Date: days since 1970-01-01. Time: microseconds since midnight.</item>
/// <item>Timestamp / timestamptz: microseconds since 1970-01-01 00:00 (timestamptz in UTC).</item>
/// <item>Interval: microseconds in <c>_a</c>, months and days in <c>_b</c> (as PostgreSQL keeps the three apart).</item>
/// <item>Numeric: a <see cref="decimal"/> (28 significant digits; beyond that is an overflow error).</item>
/// </list>
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct SqlValue
{
    private readonly object? _ref;
    private readonly long _a;
    private readonly long _b;
    private readonly SqlTypeKind _kind;
    private readonly bool _notNull;

    private SqlValue(SqlTypeKind kind, long a, long b = 0, object? reference = null)
    {
        _kind = kind;
        _a = a;
        _b = b;
        _ref = reference;
        _notNull = true;
    }

    /// <summary>The SQL NULL (of no particular type; a NULL's type is the expression's).</summary>
    public static SqlValue Null => default;

    public bool IsNull => !_notNull;

    /// <summary>The kind of a non-null value; <see cref="SqlTypeKind.Unknown"/> for NULL and for untyped literals.</summary>
    public SqlTypeKind Kind => _kind;

    public bool IsArray => _ref is SqlArray;

    // ---- construction ---------------------------------------------------------------------------

    public static SqlValue FromBool(bool value) => new(SqlTypeKind.Bool, value ? 1 : 0);

    public static SqlValue FromInt2(short value) => new(SqlTypeKind.Int2, value);

    public static SqlValue FromInt4(int value) => new(SqlTypeKind.Int4, value);

    public static SqlValue FromInt8(long value) => new(SqlTypeKind.Int8, value);

    public static SqlValue FromOid(uint value) => new(SqlTypeKind.Oid, value);

    /// <summary>An integer of the given integer kind (range already checked by the caller).</summary>
    public static SqlValue FromInteger(SqlTypeKind kind, long value) => new(kind, value);

    public static SqlValue FromFloat4(float value) => new(SqlTypeKind.Float4, BitConverter.DoubleToInt64Bits(value));

    public static SqlValue FromFloat8(double value) => new(SqlTypeKind.Float8, BitConverter.DoubleToInt64Bits(value));

    public static SqlValue FromNumeric(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        return new(SqlTypeKind.Numeric, (uint)bits[0] | ((long)bits[1] << 32), (uint)bits[2] | ((long)bits[3] << 32));
    }

    public static SqlValue FromText(string value) => FromString(SqlTypeKind.Text, value);

    /// <summary>A value of a character kind (text, varchar, char, name), json/jsonb, or an untyped literal (<see cref="SqlTypeKind.Unknown"/>).</summary>
    public static SqlValue FromString(SqlTypeKind kind, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(kind, 0, 0, value);
    }

    public static SqlValue FromBytea(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(SqlTypeKind.Bytea, 0, 0, value);
    }

    public static SqlValue FromDate(int daysSinceEpoch) => new(SqlTypeKind.Date, daysSinceEpoch);

    public static SqlValue FromTime(long microsSinceMidnight) => new(SqlTypeKind.Time, microsSinceMidnight);

    public static SqlValue FromTimestamp(long microsSinceEpoch) => new(SqlTypeKind.Timestamp, microsSinceEpoch);

    public static SqlValue FromTimestampTz(long utcMicrosSinceEpoch) => new(SqlTypeKind.TimestampTz, utcMicrosSinceEpoch);

    public static SqlValue FromInterval(int months, int days, long micros) =>
        new(SqlTypeKind.Interval, micros, ((long)months << 32) | (uint)days);

    public static SqlValue FromUuid(Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes, bigEndian: true, out _);
        return new(SqlTypeKind.Uuid, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes), System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes[8..]));
    }

    public static SqlValue FromArray(SqlArray value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value.ElementType.Kind, 0, 0, value);
    }

    // ---- access (callers check the kind first; the binder guarantees it) -------------------------

    public bool AsBool => _a != 0;

    /// <summary>Any integer kind as a long.</summary>
    public long AsInt64 => _a;

    public int AsInt32 => (int)_a;

    public double AsDouble => BitConverter.Int64BitsToDouble(_a);

    public decimal AsDecimal
    {
        get
        {
            Span<int> bits = [(int)_a, (int)(_a >> 32), (int)_b, (int)(_b >> 32)];
            return new decimal(bits);
        }
    }

    public string AsString => (string)_ref!;

    public byte[] AsBytes => (byte[])_ref!;

    public SqlArray AsArray => (SqlArray)_ref!;

    public int AsDate => (int)_a;

    /// <summary>Time, timestamp and timestamptz microseconds.</summary>
    public long AsMicros => _a;

    public int IntervalMonths => (int)(_b >> 32);

    public int IntervalDays => (int)_b;

    public long IntervalMicros => _a;

    public Guid AsUuid
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, _a);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes[8..], _b);
            return new Guid(bytes, bigEndian: true);
        }
    }

    /// <summary>The raw words, for codecs that store fixed-size values as they are.</summary>
    internal long WordA => _a;

    internal long WordB => _b;

    internal static SqlValue FromWords(SqlTypeKind kind, long a, long b) => new(kind, a, b);

    /// <summary>Numeric view of any number kind (for mixed-type arithmetic after promotion).</summary>
    public double ToDouble() => _kind switch
    {
        SqlTypeKind.Float4 or SqlTypeKind.Float8 => AsDouble,
        SqlTypeKind.Numeric => (double)AsDecimal,
        _ => _a,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsKind(SqlTypeKind kind) => _notNull && _kind == kind;

    /// <summary>The text PostgreSQL would print (for debugging and messages; the wire format lives in <see cref="SqlText"/>).</summary>
    public override string ToString() => IsNull ? "NULL" : SqlText.Format(this);
}

/// <summary>An array value: its element type and elements (any of which may be NULL). One dimension.</summary>
public sealed class SqlArray(SqlType elementType, SqlValue[] items)
{
    public SqlType ElementType { get; } = elementType.Element;

    public IReadOnlyList<SqlValue> Items { get; } = items;
}

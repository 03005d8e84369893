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

    /// <summary>The value of a void function (pg_sleep): not NULL; its text and binary forms are empty, as PostgreSQL's void_out / void_send.</summary>
    public static SqlValue Void { get; } = FromString(SqlTypeKind.Void, "");

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

    /// <summary>An enum value: its label's text (what it prints as), sort position (what it orders by) and OID (what rows store).</summary>
    public static SqlValue FromEnum(SqlEnumLabel label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return new(SqlTypeKind.Enum, BitConverter.DoubleToInt64Bits(label.SortOrder), label.Oid, label.Label);
    }

    public static SqlValue FromRecord(SqlRecord value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(SqlTypeKind.Record, 0, 0, value);
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

    /// <summary>An enum value's sort position.</summary>
    public double EnumSortOrder => BitConverter.Int64BitsToDouble(_a);

    /// <summary>An enum value's label OID.</summary>
    public uint EnumLabelOid => (uint)_b;

    public byte[] AsBytes => (byte[])_ref!;

    public SqlArray AsArray => (SqlArray)_ref!;

    public SqlRecord AsRecord => (SqlRecord)_ref!;

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

/// <summary>
/// An array value: its element type and elements (any of which may be NULL) in row-major order, and the length
/// of each dimension. Every lower bound is 1. An empty array has no dimensions; a one-dimensional array's only
/// length is its element count.
/// </summary>
public sealed class SqlArray
{
    /// <summary>PostgreSQL's MAXDIM.</summary>
    public const int MaxDimensions = 6;

    private readonly int[]? _lengths;

    public SqlArray(SqlType elementType, SqlValue[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        ElementType = elementType.Element;
        Items = items;
    }

    /// <param name="lengths">One length per dimension, their product the item count; one length or none is one dimension.</param>
    public SqlArray(SqlType elementType, SqlValue[] items, int[] lengths)
        : this(elementType, items)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        long product = 1;
        foreach (int n in lengths)
        {
            product *= n;
        }

        if (lengths.Length > MaxDimensions)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, $"number of array dimensions ({lengths.Length}) exceeds the maximum allowed ({MaxDimensions})");
        }

        if (items.Length == 0)
        {
            return; // no elements: no dimensions, whatever shape it was built with
        }

        if (lengths.Length > 1 && product != items.Length)
        {
            throw new ArgumentException($"dimension lengths multiply to {product}, not the {items.Length} items", nameof(lengths));
        }

        _lengths = lengths.Length > 1 ? lengths : null;
    }

    public SqlType ElementType { get; }

    /// <summary>Every element, the last dimension varying fastest.</summary>
    public IReadOnlyList<SqlValue> Items { get; }

    /// <summary>The number of dimensions: 0 for an empty array.</summary>
    public int Rank => Items.Count == 0 ? 0 : _lengths?.Length ?? 1;

    public bool IsMultidimensional => _lengths is not null;

    /// <summary>The length of dimension <paramref name="dimension"/> (1-based); 0 past the last.</summary>
    public int Length(int dimension) => dimension < 1 || dimension > Rank ? 0 : _lengths?[dimension - 1] ?? Items.Count;

    /// <summary>The lengths of every dimension (empty for an empty array).</summary>
    public int[] Lengths => Rank == 0 ? [] : _lengths is { } l ? [.. l] : [Items.Count];

    /// <summary>The same shape over other items (an element-wise conversion).</summary>
    public SqlArray WithItems(SqlType elementType, SqlValue[] items) => _lengths is { } l ? new SqlArray(elementType, items, l) : new SqlArray(elementType, items);
}

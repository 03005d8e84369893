using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ThunderDb.Core.Keys;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Rows;

/// <summary>How one key column sorts: direction and where NULLs go (PostgreSQL's defaults: ASC NULLS LAST, DESC NULLS FIRST).</summary>
public readonly record struct KeyColumnOrder(bool Descending = false, bool? NullsFirst = null)
{
    public bool NullsSortFirst => NullsFirst ?? Descending;
}

/// <summary>
/// Order-preserving encoding of SQL values for primary keys and index entries: comparing the encoded bytes
/// gives the SQL order of the values column by column (<see cref="SqlCompare"/>), so the store's range scans
/// are index range scans. Each column starts with a marker byte (value or NULL, placed per
/// <see cref="KeyColumnOrder"/>) and is self-delimiting; a descending column has all its bytes inverted.
/// Integers of every width share one 8-byte form, so an int4 column can be probed with an int8 constant.
/// </summary>
public static class IndexKeyEncoder
{
    private const byte NullLow = 0x00;
    private const byte Value = 0x01;
    private const byte NullHigh = 0x02;

    // numeric sign classes
    private const byte Negative = 0x01;
    private const byte Zero = 0x02;
    private const byte Positive = 0x03;

    public static void Write(IBufferWriter<byte> output, SqlValue value, KeyColumnOrder order = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        int mark = 0;
        Span<byte> span = output.GetSpan(MaxFixedLength);
        if (value.IsNull)
        {
            span[0] = order.NullsSortFirst != order.Descending ? NullLow : NullHigh;
            Finish(output, span, 1, order);
            return;
        }

        if (value.IsArray)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "arrays in keys and indexes are not supported");
        }

        span[mark++] = Value;
        switch (value.Kind)
        {
            case SqlTypeKind.Bool:
                span[mark++] = value.AsBool ? (byte)1 : (byte)0;
                break;
            case SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid or SqlTypeKind.Date:
                mark += KeyCodec.WriteInt64(span[mark..], value.Kind == SqlTypeKind.Date ? value.AsDate : value.AsInt64);
                break;
            case SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                mark += KeyCodec.WriteInt64(span[mark..], value.AsMicros);
                break;
            case SqlTypeKind.Float4 or SqlTypeKind.Float8:
                double d = value.AsDouble;
                mark += KeyCodec.WriteDouble(span[mark..], double.IsNaN(d) ? double.NaN : d);
                if (double.IsNaN(d))
                {
                    span.Slice(mark - 8, 8).Fill(0xFF); // NaN above +Infinity, as PostgreSQL orders it
                }

                break;
            case SqlTypeKind.Enum:
                mark += KeyCodec.WriteDouble(span[mark..], value.EnumSortOrder); // label order, not label text
                break;
            case SqlTypeKind.Uuid:
                BinaryPrimitives.WriteInt64BigEndian(span[mark..], value.WordA);
                BinaryPrimitives.WriteInt64BigEndian(span[(mark + 8)..], value.WordB);
                mark += 16;
                break;
            case SqlTypeKind.Numeric:
                WriteDecimal(output, span, mark, value.AsDecimal, order);
                return;
            case SqlTypeKind.Interval:
                WriteDecimal(output, span, mark, SqlInterval.ComparableMicros(value), order);
                return;
            case SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Name or SqlTypeKind.Unknown:
                WriteBytes(output, span, mark, Encoding.UTF8.GetBytes(value.AsString), order);
                return;
            case SqlTypeKind.Char:
                WriteBytes(output, span, mark, Encoding.UTF8.GetBytes(value.AsString.TrimEnd(' ')), order);
                return;
            case SqlTypeKind.Bytea:
                WriteBytes(output, span, mark, value.AsBytes, order);
                return;
            default:
                throw new SqlException(SqlState.UndefinedObject,
                    $"data type {SqlTypeInfo.Of(value.Kind).DisplayName} has no default operator class for access method \"btree\"");
        }

        Finish(output, span, mark, order);
    }

    private const int MaxFixedLength = 1 + 16;

    private static void Finish(IBufferWriter<byte> output, Span<byte> span, int length, KeyColumnOrder order)
    {
        if (order.Descending)
        {
            Invert(span[..length]);
        }

        output.Advance(length);
    }

    private static void WriteBytes(IBufferWriter<byte> output, Span<byte> header, int mark, ReadOnlySpan<byte> bytes, KeyColumnOrder order)
    {
        Finish(output, header, mark, order);
        Span<byte> body = output.GetSpan(KeyCodec.EscapedLength(bytes));
        int n = KeyCodec.WriteString(body, bytes);
        Finish(output, body, n, order);
    }

    /// <summary>
    /// A decimal as sign class, then for non-zero values the decimal exponent (biased byte) and the significant
    /// digits as ASCII ending in 00; negatives invert exponent and digits so larger magnitudes sort first.
    /// </summary>
    private static void WriteDecimal(IBufferWriter<byte> output, Span<byte> header, int mark, decimal value, KeyColumnOrder order)
    {
        if (value == 0)
        {
            header[mark++] = Zero;
            Finish(output, header, mark, order);
            return;
        }

        bool negative = value < 0;
        string text = Math.Abs(value).ToString("0.############################", CultureInfo.InvariantCulture);
        int point = text.IndexOf('.', StringComparison.Ordinal);
        string intPart = point < 0 ? text : text[..point];
        string fraction = point < 0 ? "" : text[(point + 1)..];
        string digits = (intPart + fraction).TrimStart('0');
        int exponent = intPart.TrimStart('0').Length; // value = 0.d1d2... x 10^exponent
        if (intPart.TrimStart('0').Length == 0)
        {
            exponent = -(fraction.Length - fraction.TrimStart('0').Length);
        }

        digits = digits.TrimEnd('0');
        header[mark++] = negative ? Negative : Positive;
        byte biased = (byte)(exponent + 128);
        header[mark++] = negative ? (byte)~biased : biased;
        Finish(output, header, mark, order);
        Span<byte> body = output.GetSpan(digits.Length + 1);
        for (int i = 0; i < digits.Length; i++)
        {
            body[i] = negative ? (byte)~(byte)digits[i] : (byte)digits[i];
        }

        body[digits.Length] = negative ? (byte)0xFF : (byte)0x00;
        Finish(output, body, digits.Length + 1, order);
    }

    private static void Invert(Span<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)~bytes[i];
        }
    }
}

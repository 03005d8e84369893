using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Rows;

/// <summary>
/// The stored form of a table row (the value under its primary key): the column count, a NULL bitmap, then
/// each non-null column in column order: integers and dates as zig-zag varints, floats, times and
/// timestamps fixed-width little-endian, numerics, intervals and uuids as 16 bytes, strings and bytea as a
/// varint length and the bytes, arrays as a count and their elements. The column types come from the
/// catalog, not from the row. A row written before columns were added decodes with the missing columns
/// NULL (the caller substitutes their defaults).
/// </summary>
public static class RowCodec
{
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<SqlValue> row, ReadOnlySpan<SqlType> types)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (row.Length != types.Length)
        {
            throw new ArgumentException($"row has {row.Length} values for {types.Length} columns", nameof(row));
        }

        WriteVarint(output, (ulong)row.Length);
        int bitmapBytes = (row.Length + 7) / 8;
        Span<byte> bitmap = output.GetSpan(bitmapBytes)[..bitmapBytes];
        bitmap.Clear();
        for (int i = 0; i < row.Length; i++)
        {
            if (row[i].IsNull)
            {
                bitmap[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        output.Advance(bitmapBytes);
        for (int i = 0; i < row.Length; i++)
        {
            if (!row[i].IsNull)
            {
                WriteValue(output, row[i], types[i]);
            }
        }
    }

    /// <summary>How many columns the stored row <paramref name="source"/> has.</summary>
    public static int ColumnCount(ReadOnlySpan<byte> source)
    {
        int at = 0;
        return (int)ReadVarint(source, ref at);
    }

    /// <summary>Decodes into <paramref name="row"/> (one slot per catalog column); returns how many columns the stored row had.</summary>
    public static int Read(ReadOnlySpan<byte> source, Span<SqlValue> row, ReadOnlySpan<SqlType> types)
    {
        int at = 0;
        int stored = (int)ReadVarint(source, ref at);
        int bitmapBytes = (stored + 7) / 8;
        ReadOnlySpan<byte> bitmap = source.Slice(at, bitmapBytes);
        at += bitmapBytes;
        int columns = Math.Min(stored, row.Length);
        for (int i = 0; i < columns; i++)
        {
            row[i] = (bitmap[i >> 3] & (1 << (i & 7))) != 0 ? SqlValue.Null : ReadValue(source, ref at, types[i]);
        }

        for (int i = columns; i < row.Length; i++)
        {
            row[i] = SqlValue.Null;
        }

        return stored;
    }

    /// <summary>
    /// As <see cref="Read(ReadOnlySpan{byte}, Span{SqlValue}, ReadOnlySpan{SqlType})"/>, decoding only the columns
    /// <paramref name="needed"/> marks (the others are skipped over and read as NULL): a query that reads one
    /// integer of a row does not build the strings of its other columns.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> source, Span<SqlValue> row, ReadOnlySpan<SqlType> types, ReadOnlySpan<bool> needed)
    {
        int at = 0;
        int stored = (int)ReadVarint(source, ref at);
        int bitmapBytes = (stored + 7) / 8;
        ReadOnlySpan<byte> bitmap = source.Slice(at, bitmapBytes);
        at += bitmapBytes;
        int columns = Math.Min(stored, row.Length);
        int last = needed.LastIndexOf(true);
        for (int i = 0; i < columns; i++)
        {
            if ((bitmap[i >> 3] & (1 << (i & 7))) != 0)
            {
                row[i] = SqlValue.Null;
            }
            else if (needed[i])
            {
                row[i] = ReadValue(source, ref at, types[i]);
            }
            else
            {
                row[i] = SqlValue.Null;
                if (i < last)
                {
                    SkipValue(source, ref at, types[i]);
                }
            }
        }

        for (int i = columns; i < row.Length; i++)
        {
            row[i] = SqlValue.Null;
        }

        return stored;
    }

    private static void SkipValue(ReadOnlySpan<byte> source, ref int at, SqlType type)
    {
        if (type.IsArray)
        {
            int count = (int)ReadVarint(source, ref at);
            _ = ReadArrayShape(source, ref at, count);
            for (int i = 0; i < count; i++)
            {
                if (source[at++] != 0)
                {
                    SkipValue(source, ref at, type.Element);
                }
            }

            return;
        }

        switch (type.Kind)
        {
            case SqlTypeKind.Bool:
                at++;
                break;
            case SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid or SqlTypeKind.Date or SqlTypeKind.Enum:
                ReadVarint(source, ref at);
                break;
            case SqlTypeKind.Float4:
                at += 4;
                break;
            case SqlTypeKind.Float8 or SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                at += 8;
                break;
            case SqlTypeKind.Numeric or SqlTypeKind.Interval or SqlTypeKind.Uuid:
                at += 16;
                break;
            default:
                // bytea and the string kinds: a varint length, then the bytes
                int length = (int)ReadVarint(source, ref at);
                at += length;
                break;
        }
    }

    /// <summary>Where a stored array's first element flag would be: byte 2 starts its dimension lengths (multidimensional arrays only).</summary>
    private const byte ShapeMarker = 2;

    private static int[]? ReadArrayShape(ReadOnlySpan<byte> source, ref int at, int count)
    {
        if (count == 0 || source[at] != ShapeMarker)
        {
            return null;
        }

        at++;
        var lengths = new int[(int)ReadVarint(source, ref at)];
        for (int d = 0; d < lengths.Length; d++)
        {
            lengths[d] = (int)ReadVarint(source, ref at);
        }

        return lengths;
    }

    private static void WriteValue(IBufferWriter<byte> output, SqlValue v, SqlType type)
    {
        if (type.IsArray)
        {
            SqlArray array = v.AsArray;
            WriteVarint(output, (ulong)array.Items.Count);
            if (array.IsMultidimensional)
            {
                // a shape marker where a one-dimensional array's first element flag (0 or 1) would be: rows
                // written before arrays had dimensions read the same
                output.GetSpan(1)[0] = ShapeMarker;
                output.Advance(1);
                WriteVarint(output, (ulong)array.Rank);
                for (int d = 1; d <= array.Rank; d++)
                {
                    WriteVarint(output, (ulong)array.Length(d));
                }
            }

            foreach (SqlValue item in array.Items)
            {
                output.GetSpan(1)[0] = item.IsNull ? (byte)0 : (byte)1;
                output.Advance(1);
                if (!item.IsNull)
                {
                    WriteValue(output, item, type.Element);
                }
            }

            return;
        }

        Span<byte> span;
        switch (type.Kind)
        {
            case SqlTypeKind.Bool:
                output.GetSpan(1)[0] = v.AsBool ? (byte)1 : (byte)0;
                output.Advance(1);
                break;
            case SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid:
                WriteVarint(output, ZigZag(v.AsInt64));
                break;
            case SqlTypeKind.Date:
                WriteVarint(output, ZigZag(v.AsDate));
                break;
            case SqlTypeKind.Enum:
                WriteVarint(output, v.EnumLabelOid); // the label's OID: renaming a label rewrites no row
                break;
            case SqlTypeKind.Float4:
                span = output.GetSpan(4);
                BinaryPrimitives.WriteSingleLittleEndian(span, (float)v.AsDouble);
                output.Advance(4);
                break;
            case SqlTypeKind.Float8 or SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                span = output.GetSpan(8);
                BinaryPrimitives.WriteInt64LittleEndian(span, v.WordA);
                output.Advance(8);
                break;
            case SqlTypeKind.Numeric or SqlTypeKind.Interval or SqlTypeKind.Uuid:
                span = output.GetSpan(16);
                BinaryPrimitives.WriteInt64LittleEndian(span, v.WordA);
                BinaryPrimitives.WriteInt64LittleEndian(span[8..], v.WordB);
                output.Advance(16);
                break;
            case SqlTypeKind.Bytea:
                WriteBytes(output, v.AsBytes);
                break;
            default:
                string s = v.AsString;
                int byteCount = Encoding.UTF8.GetByteCount(s);
                WriteVarint(output, (ulong)byteCount);
                span = output.GetSpan(byteCount);
                Encoding.UTF8.GetBytes(s, span);
                output.Advance(byteCount);
                break;
        }
    }

    private static SqlValue ReadValue(ReadOnlySpan<byte> source, ref int at, SqlType type)
    {
        if (type.IsArray)
        {
            int count = (int)ReadVarint(source, ref at);
            int[]? lengths = ReadArrayShape(source, ref at, count);
            var items = new SqlValue[count];
            for (int i = 0; i < count; i++)
            {
                items[i] = source[at++] == 0 ? SqlValue.Null : ReadValue(source, ref at, type.Element);
            }

            return SqlValue.FromArray(lengths is null ? new SqlArray(type.Element, items) : new SqlArray(type.Element, items, lengths));
        }

        switch (type.Kind)
        {
            case SqlTypeKind.Bool:
                return SqlValue.FromBool(source[at++] != 0);
            case SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid:
                return SqlValue.FromInteger(type.Kind, UnZigZag(ReadVarint(source, ref at)));
            case SqlTypeKind.Date:
                return SqlValue.FromDate((int)UnZigZag(ReadVarint(source, ref at)));
            case SqlTypeKind.Enum:
                return (type.Enum ?? throw new InvalidOperationException("an enum column without its type")).FromStored((uint)ReadVarint(source, ref at));
            case SqlTypeKind.Float4:
                float f = BinaryPrimitives.ReadSingleLittleEndian(source[at..]);
                at += 4;
                return SqlValue.FromFloat4(f);
            case SqlTypeKind.Float8 or SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                long word = BinaryPrimitives.ReadInt64LittleEndian(source[at..]);
                at += 8;
                return SqlValue.FromWords(type.Kind, word, 0);
            case SqlTypeKind.Numeric or SqlTypeKind.Interval or SqlTypeKind.Uuid:
                long a = BinaryPrimitives.ReadInt64LittleEndian(source[at..]);
                long b = BinaryPrimitives.ReadInt64LittleEndian(source[(at + 8)..]);
                at += 16;
                return SqlValue.FromWords(type.Kind, a, b);
            case SqlTypeKind.Bytea:
                int n = (int)ReadVarint(source, ref at);
                byte[] bytes = source.Slice(at, n).ToArray();
                at += n;
                return SqlValue.FromBytea(bytes);
            default:
                int length = (int)ReadVarint(source, ref at);
                string s = Encoding.UTF8.GetString(source.Slice(at, length));
                at += length;
                return SqlValue.FromString(type.Kind == SqlTypeKind.Unknown ? SqlTypeKind.Text : type.Kind, s);
        }
    }

    private static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(output, (ulong)bytes.Length);
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    private static long UnZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private static void WriteVarint(IBufferWriter<byte> output, ulong v)
    {
        Span<byte> span = output.GetSpan(10);
        int n = 0;
        while (v >= 0x80)
        {
            span[n++] = (byte)(v | 0x80);
            v >>= 7;
        }

        span[n++] = (byte)v;
        output.Advance(n);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> source, ref int at)
    {
        ulong v = 0;
        int shift = 0;
        while (true)
        {
            byte b = source[at++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return v;
            }

            shift += 7;
            if (shift > 63)
            {
                throw new InvalidDataException("row varint too long");
            }
        }
    }
}

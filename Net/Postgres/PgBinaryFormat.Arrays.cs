using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Net.Postgres;

/// <summary>array_send / array_recv (up to six dimensions, lower bounds 1) and numeric_recv: the binary layouts Npgsql uses for arrays and numeric parameters.</summary>
internal static partial class PgBinaryFormat
{
    /// <summary>
    /// array_send: the number of dimensions (0 for an empty array), a has-NULLs flag, the element type OID, then
    /// per dimension its length and lower bound (1), then each element with its length (-1 for NULL).
    /// </summary>
    private static void WriteArray(PgWriter w, SqlArray array, SqlType elementType)
    {
        int at = w.ReserveLength();
        IReadOnlyList<SqlValue> items = array.Items;
        bool hasNull = false;
        foreach (SqlValue item in items)
        {
            hasNull |= item.IsNull;
        }

        w.Int32(array.Rank);
        w.Int32(hasNull ? 1 : 0);
        w.Int32(elementType.PgOid);
        for (int d = 1; d <= array.Rank; d++)
        {
            w.Int32(array.Length(d));
            w.Int32(1);
        }

        foreach (SqlValue item in items)
        {
            if (item.IsNull)
            {
                w.Int32(-1);
            }
            else
            {
                Write(w, item, elementType);
            }
        }

        w.PatchLength(at);
    }

    /// <summary>The element type of the array type with <paramref name="oid"/>, or null when it is not an array type ThunderDB has.</summary>
    private static SqlType? ArrayElementOf(int oid)
    {
        foreach (SqlTypeInfo info in SqlTypeInfo.All)
        {
            if (info.ArrayOid == oid && oid != 0)
            {
                return new SqlType(info.Kind);
            }
        }

        return null;
    }

    private static SqlValue ReadArray(ReadOnlySpan<byte> b, SqlType element, int parameterNumber)
    {
        if (b.Length < 12)
        {
            throw BadFormat(parameterNumber);
        }

        int dimensions = BinaryPrimitives.ReadInt32BigEndian(b);
        int flags = BinaryPrimitives.ReadInt32BigEndian(b[4..]);
        int elementOid = BinaryPrimitives.ReadInt32BigEndian(b[8..]);
        if (flags is not (0 or 1) || dimensions < 0)
        {
            throw new SqlException("22P03", $"invalid array flags or dimensions in bind parameter {parameterNumber}");
        }

        if (dimensions > SqlArray.MaxDimensions)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, $"number of array dimensions ({dimensions}) exceeds the maximum allowed ({SqlArray.MaxDimensions})");
        }

        int elementTypeOid = SqlTypeInfo.Of(element.Kind).Oid;
        if (elementOid != elementTypeOid)
        {
            throw new SqlException(SqlState.DatatypeMismatch, $"binary data has array element type {elementOid} instead of expected {elementTypeOid}");
        }

        if (dimensions == 0)
        {
            return SqlValue.FromArray(new SqlArray(element.ArrayOf(), []));
        }

        if (b.Length < 12 + (8 * dimensions))
        {
            throw BadFormat(parameterNumber);
        }

        var lengths = new int[dimensions];
        long count = 1;
        for (int d = 0; d < dimensions; d++)
        {
            lengths[d] = BinaryPrimitives.ReadInt32BigEndian(b[(12 + (8 * d))..]);
            int lowerBound = BinaryPrimitives.ReadInt32BigEndian(b[(16 + (8 * d))..]);
            if (lengths[d] < 0)
            {
                throw BadFormat(parameterNumber);
            }

            if (lowerBound != 1)
            {
                throw new SqlException(SqlState.FeatureNotSupported, $"array lower bounds other than 1 are not supported (bind parameter {parameterNumber})");
            }

            count = Math.Min(count * lengths[d], int.MaxValue + 1L); // kept below 2^31 so six lengths cannot overflow it
        }

        // every element takes at least its 4-byte length: a count beyond that is a lie, not an allocation to make
        int offset = 12 + (8 * dimensions);
        if (count > (b.Length - offset) / 4)
        {
            throw BadFormat(parameterNumber);
        }

        var items = new SqlValue[count];
        for (int i = 0; i < count; i++)
        {
            if (b.Length - offset < 4)
            {
                throw BadFormat(parameterNumber);
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(b[offset..]);
            offset += 4;
            if (length == -1)
            {
                items[i] = SqlValue.Null;
                continue;
            }

            if (length < 0 || length > b.Length - offset)
            {
                throw BadFormat(parameterNumber);
            }

            items[i] = Read(b.Slice(offset, length), elementOid, parameterNumber);
            offset += length;
        }

        if (offset != b.Length)
        {
            throw BadFormat(parameterNumber);
        }

        return SqlValue.FromArray(count == 0 ? new SqlArray(element.ArrayOf(), []) : new SqlArray(element.ArrayOf(), items, lengths));
    }

    /// <summary>numeric_recv: base-10000 digits, weight of the first digit, sign, display scale; to the value's text, then parsed.</summary>
    private static SqlValue ReadNumeric(ReadOnlySpan<byte> b, int parameterNumber)
    {
        if (b.Length < 8)
        {
            throw BadFormat(parameterNumber);
        }

        int digits = BinaryPrimitives.ReadInt16BigEndian(b);
        int weight = BinaryPrimitives.ReadInt16BigEndian(b[2..]);
        ushort sign = BinaryPrimitives.ReadUInt16BigEndian(b[4..]);
        int scale = BinaryPrimitives.ReadInt16BigEndian(b[6..]);
        if (sign is 0xC000 or 0xD000 or 0xF000)
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"numeric {(sign == 0xC000 ? "NaN" : "infinity")} is not supported (bind parameter {parameterNumber})");
        }

        if (digits < 0 || scale < 0 || sign is not (0 or 0x4000) || b.Length != 8 + (2 * digits))
        {
            throw BadFormat(parameterNumber);
        }

        var groups = new short[digits];
        for (int i = 0; i < digits; i++)
        {
            groups[i] = BinaryPrimitives.ReadInt16BigEndian(b[(8 + (2 * i))..]);
            if (groups[i] is < 0 or >= 10000)
            {
                throw BadFormat(parameterNumber);
            }
        }

        short Digit(int i) => i < 0 || i >= groups.Length ? (short)0 : groups[i];

        var text = new StringBuilder();
        if (sign == 0x4000)
        {
            text.Append('-');
        }

        if (weight < 0)
        {
            text.Append('0');
        }
        else
        {
            text.Append(Digit(0).ToString(CultureInfo.InvariantCulture));
            for (int i = 1; i <= weight; i++)
            {
                text.Append(Digit(i).ToString("D4", CultureInfo.InvariantCulture));
            }
        }

        if (scale > 0)
        {
            var fraction = new StringBuilder();
            for (int i = weight + 1; fraction.Length < scale; i++)
            {
                fraction.Append(Digit(i).ToString("D4", CultureInfo.InvariantCulture));
            }

            text.Append('.').Append(fraction.ToString(0, scale));
        }

        return SqlText.Parse(text.ToString(), SqlType.Numeric);
    }
}

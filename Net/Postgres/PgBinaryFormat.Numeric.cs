using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Net.Postgres;

internal static partial class PgBinaryFormat
{
    /// <summary>numeric_recv: base-10000 digits with weight, sign and display scale (the inverse of <see cref="WriteNumeric"/>).</summary>
    internal static SqlValue ReadNumeric(ReadOnlySpan<byte> b, int parameterNumber)
    {
        if (b.Length < 8)
        {
            throw BadFormat(parameterNumber);
        }

        int count = BinaryPrimitives.ReadInt16BigEndian(b);
        int weight = BinaryPrimitives.ReadInt16BigEndian(b[2..]);
        ushort sign = BinaryPrimitives.ReadUInt16BigEndian(b[4..]);
        int dscale = BinaryPrimitives.ReadInt16BigEndian(b[6..]);
        if (count < 0 || b.Length != 8 + (2 * count) || dscale < 0 || sign is not (0 or 0x4000))
        {
            throw sign is 0xC000 or 0xD000 or 0xF000 ? SqlException.NotSupported("numeric NaN and Infinity") : BadFormat(parameterNumber);
        }

        // digit group i stands for 10000^(weight - i): write the integer part, then dscale fraction digits
        var text = new StringBuilder(count * 4 + dscale + 2);
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
            for (int i = 0; i <= weight; i++)
            {
                int g = Group(b, count, i);
                if (g is < 0 or > 9999)
                {
                    throw BadFormat(parameterNumber);
                }

                text.Append(i == 0 ? g.ToString(CultureInfo.InvariantCulture) : g.ToString("D4", CultureInfo.InvariantCulture));
            }
        }

        if (dscale > 0)
        {
            text.Append('.');
            var fraction = new StringBuilder();
            for (int i = weight + 1; fraction.Length < dscale; i++)
            {
                fraction.Append(Group(b, count, i).ToString("D4", CultureInfo.InvariantCulture));
            }

            text.Append(fraction.ToString(0, dscale));
        }

        return SqlValue.FromNumeric(SqlText.ParseNumeric(text.ToString()));
    }

    private static int Group(ReadOnlySpan<byte> b, int count, int i) => i >= 0 && i < count ? BinaryPrimitives.ReadInt16BigEndian(b[(8 + (2 * i))..]) : 0;
}

using System.Buffers.Binary;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// PostgreSQL's binary wire formats (the typsend / typreceive functions) for the scalar types ThunderDB has.
/// Dates and timestamps count from 2000-01-01 on the wire; ThunderDB counts from 1970-01-01.
/// </summary>
internal static partial class PgBinaryFormat
{
    private const int PgEpochDays = 10_957;
    private const long PgEpochMicros = 946_684_800_000_000;

    /// <summary>Whether values of <paramref name="type"/> can be sent in binary.</summary>
    public static bool CanSend(SqlType type) => type.Record is { } record ? record.Fields.All(f => CanSend(f.Type)) : type.Kind is SqlTypeKind.Bool or SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8
        or SqlTypeKind.Float4 or SqlTypeKind.Float8 or SqlTypeKind.Numeric or SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Char
        or SqlTypeKind.Name or SqlTypeKind.Bytea or SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz
        or SqlTypeKind.Time or SqlTypeKind.Uuid or SqlTypeKind.Oid or SqlTypeKind.Json or SqlTypeKind.Jsonb or SqlTypeKind.Interval
        or SqlTypeKind.Unknown or SqlTypeKind.Void or SqlTypeKind.Enum;

    /// <summary>Writes one non-null value as its type's send function does (length prefix included).</summary>
    public static void Write(PgWriter w, SqlValue v, SqlType type)
    {
        if (type.IsArray || v.IsArray)
        {
            WriteArray(w, v.AsArray, type.Element);
            return;
        }

        switch (type.Kind)
        {
            case SqlTypeKind.Record:
            {
                // record_send: the field count, then each field's type OID and value (length -1 for NULL)
                SqlRecord record = v.AsRecord;
                int at = w.ReserveLength();
                w.Int32(record.Values.Count);
                for (int i = 0; i < record.Values.Count; i++)
                {
                    SqlType fieldType = record.Type.Fields[i].Type;
                    w.Int32(fieldType.PgOid);
                    if (record.Values[i].IsNull)
                    {
                        w.Int32(-1);
                    }
                    else
                    {
                        Write(w, record.Values[i], fieldType);
                    }
                }

                w.PatchLength(at);
                break;
            }

            case SqlTypeKind.Bool:
                w.Int32(1);
                w.Byte(v.AsBool ? (byte)1 : (byte)0);
                break;
            case SqlTypeKind.Int2:
                w.Int32(2);
                w.Int16((short)v.AsInt64);
                break;
            case SqlTypeKind.Int4:
            case SqlTypeKind.Oid:
                w.Int32(4);
                w.Int32((int)v.AsInt64);
                break;
            case SqlTypeKind.Int8:
                w.Int32(8);
                w.Int64(v.AsInt64);
                break;
            case SqlTypeKind.Float4:
                w.Int32(4);
                w.Int32(BitConverter.SingleToInt32Bits((float)v.AsDouble));
                break;
            case SqlTypeKind.Float8:
                w.Int32(8);
                w.Int64(BitConverter.DoubleToInt64Bits(v.AsDouble));
                break;
            case SqlTypeKind.Date:
                w.Int32(4);
                w.Int32(v.AsDate - PgEpochDays);
                break;
            case SqlTypeKind.Timestamp:
            case SqlTypeKind.TimestampTz:
                w.Int32(8);
                w.Int64(v.AsMicros - PgEpochMicros);
                break;
            case SqlTypeKind.Time:
                w.Int32(8);
                w.Int64(v.AsMicros);
                break;
            case SqlTypeKind.Bytea:
                w.Int32(v.AsBytes.Length);
                w.Bytes(v.AsBytes);
                break;
            case SqlTypeKind.Uuid:
            {
                Span<byte> b = stackalloc byte[16];
                v.AsUuid.TryWriteBytes(b, bigEndian: true, out _);
                w.Int32(16);
                w.Bytes(b);
                break;
            }

            case SqlTypeKind.Numeric:
                WriteNumeric(w, SqlText.Format(v));
                break;
            case SqlTypeKind.Interval:
                w.Int32(16);
                w.Int64(v.IntervalMicros);
                w.Int32(v.IntervalDays);
                w.Int32(v.IntervalMonths);
                break;
            case SqlTypeKind.Jsonb:
            {
                // jsonb_send: a version byte (1), then the text
                int at = w.ReserveLength();
                w.Byte(1);
                w.Bytes(System.Text.Encoding.UTF8.GetBytes(SqlText.Format(v)));
                w.PatchLength(at);
                break;
            }

            default:
                // text, varchar, bpchar, name, json, unknown: the text itself
                w.LengthPrefixedText(SqlText.Format(v));
                break;
        }
    }

    /// <summary>numeric_send: base-10000 digits with weight, sign and display scale, from the value's text.</summary>
    internal static void WriteNumeric(PgWriter w, string text)
    {
        bool negative = text.StartsWith('-');
        string digits = negative ? text[1..] : text;
        int dot = digits.IndexOf('.', StringComparison.Ordinal);
        string whole = dot < 0 ? digits : digits[..dot];
        string fraction = dot < 0 ? "" : digits[(dot + 1)..];
        short dscale = (short)fraction.Length;
        whole = whole.TrimStart('0');
        int wholeGroups = (whole.Length + 3) / 4;
        whole = whole.PadLeft(wholeGroups * 4, '0');
        fraction = fraction.PadRight((fraction.Length + 3) / 4 * 4, '0');
        string all = whole + fraction;
        var groups = new List<short>(all.Length / 4);
        for (int i = 0; i < all.Length; i += 4)
        {
            groups.Add(short.Parse(all.AsSpan(i, 4), System.Globalization.CultureInfo.InvariantCulture));
        }

        int weight = wholeGroups - 1;
        int first = 0;
        while (first < groups.Count && groups[first] == 0)
        {
            first++;
            weight--;
        }

        int last = groups.Count;
        while (last > first && groups[last - 1] == 0)
        {
            last--;
        }

        int n = last - first;
        if (n == 0)
        {
            weight = 0;
            negative = false;
        }

        w.Int32(8 + (2 * n));
        w.Int16((short)n);
        w.Int16((short)weight);
        w.Int16(negative ? (short)0x4000 : (short)0);
        w.Int16(dscale);
        for (int i = first; i < last; i++)
        {
            w.Int16(groups[i]);
        }
    }

    /// <summary>Decodes one binary value of <paramref name="type"/>: an enum's is its label's text (enum_recv).</summary>
    public static SqlValue Read(ReadOnlySpan<byte> b, SqlType type, int parameterNumber) =>
        type is { Enum: { } e, IsArray: false } ? e.Parse(DecodeText(b, parameterNumber)) : Read(b, type.PgOid, parameterNumber);

    /// <summary>Decodes one binary parameter of the type with <paramref name="oid"/>; 0A000 for types not read in binary.</summary>
    public static SqlValue Read(ReadOnlySpan<byte> b, int oid, int parameterNumber)
    {
        switch (oid)
        {
            case 1700:
                return ReadNumeric(b, parameterNumber);
            case 1186:
                return b.Length == 16
                    ? SqlValue.FromInterval(BinaryPrimitives.ReadInt32BigEndian(b[12..]), BinaryPrimitives.ReadInt32BigEndian(b[8..]), BinaryPrimitives.ReadInt64BigEndian(b))
                    : throw BadFormat(parameterNumber);
            case 3802:
                if (b.Length == 0 || b[0] != 1)
                {
                    throw new SqlException("22P03", $"unsupported jsonb version number {(b.Length == 0 ? 0 : b[0])} in bind parameter {parameterNumber}");
                }

                return SqlText.Parse(DecodeText(b[1..], parameterNumber), new SqlType(SqlTypeKind.Jsonb));
            case var _ when ArrayElementOf(oid) is { } element:
                return ReadArray(b, element, parameterNumber);
            case 16:
                return b.Length == 1 ? SqlValue.FromBool(b[0] != 0) : throw BadFormat(parameterNumber);
            case 21:
                return b.Length == 2 ? SqlValue.FromInt2(BinaryPrimitives.ReadInt16BigEndian(b)) : throw BadFormat(parameterNumber);
            case 23:
                return b.Length == 4 ? SqlValue.FromInt4(BinaryPrimitives.ReadInt32BigEndian(b)) : throw BadFormat(parameterNumber);
            case 26:
                return b.Length == 4 ? SqlValue.FromOid(BinaryPrimitives.ReadUInt32BigEndian(b)) : throw BadFormat(parameterNumber);
            case 20:
                return b.Length == 8 ? SqlValue.FromInt8(BinaryPrimitives.ReadInt64BigEndian(b)) : throw BadFormat(parameterNumber);
            case 700:
                return b.Length == 4 ? SqlValue.FromFloat4(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32BigEndian(b))) : throw BadFormat(parameterNumber);
            case 701:
                return b.Length == 8 ? SqlValue.FromFloat8(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(b))) : throw BadFormat(parameterNumber);
            case 1082:
                return b.Length == 4 ? SqlValue.FromDate((int)InRange((long)BinaryPrimitives.ReadInt32BigEndian(b) + PgEpochDays, MinDays, MaxDays, "date")) : throw BadFormat(parameterNumber);
            case 1114:
                return b.Length == 8 ? SqlValue.FromTimestamp(ReadTimestamp(b)) : throw BadFormat(parameterNumber);
            case 1184:
                return b.Length == 8 ? SqlValue.FromTimestampTz(ReadTimestamp(b)) : throw BadFormat(parameterNumber);
            case 1083:
                return b.Length == 8 ? SqlValue.FromTime(InRange(BinaryPrimitives.ReadInt64BigEndian(b), 0, SqlDateTime.MicrosPerDay, "time")) : throw BadFormat(parameterNumber);
            case 17:
                return SqlValue.FromBytea(b.ToArray());
            case 2950:
                return b.Length == 16 ? SqlValue.FromUuid(new Guid(b, bigEndian: true)) : throw BadFormat(parameterNumber);
            case 25 or 1043 or 1042 or 19 or 114 or 0 or 705:
                return SqlValue.FromString(oid switch { 1043 => SqlTypeKind.Varchar, 1042 => SqlTypeKind.Char, 19 => SqlTypeKind.Name, 114 => SqlTypeKind.Json, _ => SqlTypeKind.Text },
                    DecodeText(b, parameterNumber));
            default:
                throw new SqlException(SqlState.FeatureNotSupported, $"binary format for parameter {parameterNumber} of type oid {oid} is not supported; send it in text format");
        }
    }

    /// <summary>
    /// An integer parameter in text format parsed straight from its bytes (plain digits with an optional sign, in
    /// range); false for anything else, which then takes the general text path and its error messages.
    /// </summary>
    public static bool TryParseTextInteger(ReadOnlySpan<byte> text, SqlType type, out SqlValue value)
    {
        value = default;
        if (type.IsArray || type.Kind is not (SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8)
            || !long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long n))
        {
            return false;
        }

        (long min, long max) = type.Kind switch
        {
            SqlTypeKind.Int2 => (short.MinValue, short.MaxValue),
            SqlTypeKind.Int4 => (int.MinValue, int.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (n < min || n > max)
        {
            return false;
        }

        value = SqlValue.FromInteger(type.Kind, n);
        return true;
    }

    public static string DecodeText(ReadOnlySpan<byte> b, int parameterNumber)
    {
        try
        {
            return PgText.Strict.GetString(b);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new SqlException("22021", $"invalid byte sequence for encoding \"UTF8\" in parameter {parameterNumber}");
        }
    }

    // the dates and times ThunderDB holds: years 1 to 9999 (PostgreSQL's reach 4713 BC to 294276 AD), refused beyond as out of range
    private static readonly long MinDays = SqlDateTime.DaysFromDateOnly(DateOnly.MinValue);
    private static readonly long MaxDays = SqlDateTime.DaysFromDateOnly(DateOnly.MaxValue);

    private static long ReadTimestamp(ReadOnlySpan<byte> b)
    {
        long pg = BinaryPrimitives.ReadInt64BigEndian(b);
        long max = ((MaxDays + 1) * SqlDateTime.MicrosPerDay) - 1;
        return pg > max - PgEpochMicros ? throw OutOfRange("timestamp") : InRange(pg + PgEpochMicros, MinDays * SqlDateTime.MicrosPerDay, max, "timestamp");
    }

    private static long InRange(long value, long min, long max, string what) => value < min || value > max ? throw OutOfRange(what) : value;

    private static SqlException OutOfRange(string what) => new(SqlState.DatetimeFieldOverflow, $"{what} out of range");

    private static SqlException BadFormat(int parameterNumber) => new("22P03", $"incorrect binary data format in bind parameter {parameterNumber}");
}

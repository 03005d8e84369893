namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// Ordering and equality of non-null values as PostgreSQL defines them: numbers compare by value across
/// integer, numeric and float kinds (NaN above everything), strings byte-wise by code point (the "C"
/// collation; character(n) ignores trailing spaces), dates and timestamps on one time line, intervals with
/// a month of 30 days. NULL handling is the caller's (three-valued logic, NULLS FIRST/LAST).
/// </summary>
public static class SqlCompare
{
    public static int Compare(SqlValue a, SqlValue b)
    {
        if (a.IsArray || b.IsArray)
        {
            return CompareArrays(a, b);
        }

        SqlTypeKind ka = a.Kind, kb = b.Kind;
        if (IsNumber(ka) && IsNumber(kb))
        {
            return CompareNumbers(a, b);
        }

        if (IsString(ka) && IsString(kb))
        {
            return ka == SqlTypeKind.Char || kb == SqlTypeKind.Char
                ? CompareCodePoints(a.AsString.AsSpan().TrimEnd(' '), b.AsString.AsSpan().TrimEnd(' '))
                : CompareCodePoints(a.AsString, b.AsString);
        }

        if (IsTimeLine(ka) && IsTimeLine(kb))
        {
            return TimeLineMicros(a).CompareTo(TimeLineMicros(b));
        }

        if (ka != kb)
        {
            throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: {SqlTypeInfo.Of(ka).DisplayName} = {SqlTypeInfo.Of(kb).DisplayName}",
                hint: "No operator matches the given name and argument types. You might need to add explicit type casts.");
        }

        return ka switch
        {
            SqlTypeKind.Bool => a.AsBool.CompareTo(b.AsBool),
            SqlTypeKind.Time => a.AsMicros.CompareTo(b.AsMicros),
            SqlTypeKind.Interval => SqlInterval.ComparableMicros(a).CompareTo(SqlInterval.ComparableMicros(b)),
            SqlTypeKind.Bytea => a.AsBytes.AsSpan().SequenceCompareTo(b.AsBytes),
            SqlTypeKind.Uuid => CompareUuid(a, b),
            SqlTypeKind.Json or SqlTypeKind.Jsonb => string.CompareOrdinal(a.AsString, b.AsString),
            SqlTypeKind.Enum => a.EnumSortOrder.CompareTo(b.EnumSortOrder),
            SqlTypeKind.Record => CompareRecords(a.AsRecord, b.AsRecord),
            _ => throw new SqlException(SqlState.UndefinedFunction, $"could not identify an ordering operator for type {SqlTypeInfo.Of(ka).DisplayName}"),
        };
    }

    public static bool AreEqual(SqlValue a, SqlValue b) => Compare(a, b) == 0;

    /// <summary>Rows field by field (btree's record ordering: a NULL field sorts after any value and equal to another NULL).</summary>
    private static int CompareRecords(SqlRecord a, SqlRecord b)
    {
        for (int i = 0; i < Math.Min(a.Values.Count, b.Values.Count); i++)
        {
            SqlValue x = a.Values[i], y = b.Values[i];
            int c = x.IsNull ? (y.IsNull ? 0 : 1) : y.IsNull ? -1 : Compare(x, y);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Values.Count.CompareTo(b.Values.Count);
    }

    /// <summary>
    /// Strings in code point order, which is UTF-8 byte order (the "C" collation, and the order of index keys):
    /// UTF-16 code unit order differs only where a surrogate pair meets a unit from U+E000 up.
    /// </summary>
    public static int CompareCodePoints(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int common = a.CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length.CompareTo(b.Length);
        }

        char x = a[common], y = b[common];
        if (x >= 0xD800 && y >= 0xD800)
        {
            // lift surrogates above U+E000..U+FFFF, as their code points are
            x = (char)(x >= 0xE000 ? x - 0x800 : x + 0x2000);
            y = (char)(y >= 0xE000 ? y - 0x800 : y + 0x2000);
        }

        return x.CompareTo(y);
    }

    /// <summary>A hash consistent with <see cref="AreEqual"/> for values of one kind family (GROUP BY, DISTINCT, hash joins).</summary>
    public static int Hash(SqlValue v)
    {
        if (v.IsNull)
        {
            return 0;
        }

        if (v.IsArray)
        {
            var h = new HashCode();
            foreach (SqlValue item in v.AsArray.Items)
            {
                h.Add(Hash(item));
            }

            return h.ToHashCode();
        }

        switch (v.Kind)
        {
            case SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid or SqlTypeKind.Bool:
                return v.AsInt64.GetHashCode();
            case SqlTypeKind.Float4 or SqlTypeKind.Float8:
                double d = v.AsDouble;
                return d == Math.Floor(d) && Math.Abs(d) < 9e18 ? ((long)d).GetHashCode() : (d == 0 ? 0 : d).GetHashCode();
            case SqlTypeKind.Numeric:
                decimal m = v.AsDecimal;
                return m == decimal.Truncate(m) && Math.Abs(m) < 9e18m ? ((long)m).GetHashCode() : ((double)m).GetHashCode();
            case SqlTypeKind.Char:
                return string.GetHashCode(v.AsString.AsSpan().TrimEnd(' '), StringComparison.Ordinal);
            case SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Name or SqlTypeKind.Unknown or SqlTypeKind.Json or SqlTypeKind.Jsonb:
                return string.GetHashCode(v.AsString, StringComparison.Ordinal);
            case SqlTypeKind.Bytea:
                var bytes = new HashCode();
                bytes.AddBytes(v.AsBytes);
                return bytes.ToHashCode();
            case SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                return TimeLineMicros(v).GetHashCode();
            case SqlTypeKind.Interval:
                return SqlInterval.ComparableMicros(v).GetHashCode();
            case SqlTypeKind.Record:
                var fields = new HashCode();
                foreach (SqlValue field in v.AsRecord.Values)
                {
                    fields.Add(Hash(field));
                }

                return fields.ToHashCode();
            default:
                return HashCode.Combine(v.WordA, v.WordB);
        }
    }

    public static bool IsNumber(SqlTypeKind k) =>
        k is SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid or SqlTypeKind.Float4 or SqlTypeKind.Float8 or SqlTypeKind.Numeric;

    public static bool IsInteger(SqlTypeKind k) => k is SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid;

    public static bool IsString(SqlTypeKind k) =>
        k is SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Char or SqlTypeKind.Name or SqlTypeKind.Unknown;

    private static bool IsTimeLine(SqlTypeKind k) => k is SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz;

    private static long TimeLineMicros(SqlValue v) => v.Kind == SqlTypeKind.Date ? v.AsDate * SqlDateTime.MicrosPerDay : v.AsMicros;

    private static int CompareNumbers(SqlValue a, SqlValue b)
    {
        SqlTypeKind ka = a.Kind, kb = b.Kind;
        if (IsInteger(ka) && IsInteger(kb))
        {
            return a.AsInt64.CompareTo(b.AsInt64);
        }

        if (ka is SqlTypeKind.Float4 or SqlTypeKind.Float8 || kb is SqlTypeKind.Float4 or SqlTypeKind.Float8)
        {
            double x = a.ToDouble(), y = b.ToDouble();
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                return double.IsNaN(x) ? (double.IsNaN(y) ? 0 : 1) : -1; // NaN sorts above every number and equals itself
            }

            return x.CompareTo(y);
        }

        decimal p = ka == SqlTypeKind.Numeric ? a.AsDecimal : a.AsInt64;
        decimal q = kb == SqlTypeKind.Numeric ? b.AsDecimal : b.AsInt64;
        return p.CompareTo(q);
    }

    private static int CompareUuid(SqlValue a, SqlValue b)
    {
        int c = ((ulong)a.WordA).CompareTo((ulong)b.WordA);
        return c != 0 ? c : ((ulong)a.WordB).CompareTo((ulong)b.WordB);
    }

    private static int CompareArrays(SqlValue a, SqlValue b)
    {
        if (!a.IsArray || !b.IsArray)
        {
            throw new SqlException(SqlState.UndefinedFunction, "operator does not exist: cannot compare an array with a non-array value");
        }

        IReadOnlyList<SqlValue> x = a.AsArray.Items, y = b.AsArray.Items;
        for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            // PostgreSQL orders NULL elements after non-null ones
            int c = x[i].IsNull ? (y[i].IsNull ? 0 : 1) : y[i].IsNull ? -1 : Compare(x[i], y[i]);
            if (c != 0)
            {
                return c;
            }
        }

        if (x.Count != y.Count)
        {
            return x.Count.CompareTo(y.Count);
        }

        // the same elements in a different shape are still different arrays (array_cmp: rank, then each length)
        SqlArray p = a.AsArray, q = b.AsArray;
        if (p.Rank != q.Rank)
        {
            return p.Rank.CompareTo(q.Rank);
        }

        for (int d = 1; d <= p.Rank; d++)
        {
            if (p.Length(d) != q.Length(d))
            {
                return p.Length(d).CompareTo(q.Length(d));
            }
        }

        return 0;
    }
}

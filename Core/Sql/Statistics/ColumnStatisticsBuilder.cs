using System.Text;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Statistics;

/// <summary>
/// One column's statistics from a sample, computed as PostgreSQL's analyze.c compute_scalar_stats does, so the
/// figures (and, where the sample is the whole table, the exact values) match pg_stats: the non-null values are
/// sorted, runs of equal values counted, n_distinct is the Haas-Stokes estimate (stored as minus a fraction of the
/// rows when above a tenth of them), the most common values are those significantly more frequent than the rest
/// (analyze_mcv_list), the histogram takes equally spaced bounds over the values left, and the correlation compares
/// value order with sample (storage) order. Values wider than 1024 bytes count for width and nulls only. Types
/// without an ordering (json) get the trivial statistics: null fraction and width.
/// </summary>
internal static class ColumnStatisticsBuilder
{
    /// <summary>PostgreSQL's WIDTH_THRESHOLD: wider values are left out of the value statistics.</summary>
    private const int WidthThreshold = 1024;

    public static ColumnStatistics Build(ColumnDef column, IReadOnlyList<SqlValue[]> sample, long totalRows, int target)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(sample);
        int ordinal = column.Number - 1;
        SqlType type = column.Type;
        bool variableWidth = FixedWidth(type) is null;
        int sampleRows = sample.Count;
        int nullCount = 0, nonNullCount = 0, tooWide = 0;
        double totalWidth = 0;
        var values = new List<SqlValue>(sampleRows);
        foreach (SqlValue[] row in sample)
        {
            SqlValue v = row[ordinal];
            if (v.IsNull)
            {
                nullCount++;
                continue;
            }

            nonNullCount++;
            int width = Width(v, type);
            totalWidth += width;
            if (variableWidth && width > WidthThreshold)
            {
                tooWide++;
                continue;
            }

            values.Add(v);
        }

        int fixedWidth = FixedWidth(type) ?? 0;
        if (nonNullCount == 0)
        {
            return Trivial(column, sampleRows == 0 ? 0 : 1.0, variableWidth ? 0 : fixedWidth, 0);
        }

        double nullFraction = (float)((double)nullCount / sampleRows); // pg_statistic's stanullfrac is a float4, and later steps read it back
        int averageWidth = variableWidth ? (int)(totalWidth / nonNullCount) : fixedWidth;
        if (!Orderable(type))
        {
            return Trivial(column, nullFraction, averageWidth, 0);
        }

        if (values.Count == 0)
        {
            return Trivial(column, nullFraction, averageWidth, variableWidth ? -1.0 * (1.0 - nullFraction) : 0);
        }

        // sort by value, ties in sample order (the tuple numbers are the positions in values)
        int[] order = [.. Enumerable.Range(0, values.Count)];
        Array.Sort(order, (a, b) => SqlCompare.Compare(values[a], values[b]) is var c && c != 0 ? c : a.CompareTo(b));

        double xySum = 0;
        int distinct = 0, multiple = 0, run = 0;
        var track = new List<(int Count, int First)>(); // most frequent runs first; equal counts in value order
        for (int i = 0; i < order.Length; i++)
        {
            xySum += (double)i * order[i];
            run++;
            if (i + 1 < order.Length && SqlCompare.Compare(values[order[i]], values[order[i + 1]]) == 0)
            {
                continue;
            }

            distinct++;
            if (run > 1)
            {
                multiple++;
                if (track.Count < target || run > track[^1].Count)
                {
                    int at = track.Count;
                    while (at > 0 && run > track[at - 1].Count)
                    {
                        at--;
                    }

                    track.Insert(at, (run, i + 1 - run));
                    if (track.Count > target)
                    {
                        track.RemoveAt(track.Count - 1);
                    }
                }
            }

            run = 0;
        }

        double nDistinct;
        if (multiple == 0)
        {
            nDistinct = -1.0 * (1.0 - nullFraction); // every sampled value unique: assume the column is unique
        }
        else if (tooWide == 0 && multiple == distinct)
        {
            nDistinct = distinct; // every value seen more than once: assume these are all there are
        }
        else
        {
            // Haas and Stokes (1998), Duj1: n*d / (n - f1 + f1*n/N)
            int f1 = distinct - multiple + tooWide;
            int d = f1 + multiple;
            double n = sampleRows - nullCount;
            double bigN = totalRows * (1.0 - nullFraction);
            double estimate = bigN > 0 ? n * d / (n - f1 + (f1 * n / bigN)) : 0;
            estimate = Math.Min(Math.Max(estimate, d), bigN);
            nDistinct = Math.Floor(estimate + 0.5);
        }

        if (nDistinct > 0.1 * totalRows)
        {
            nDistinct = -(nDistinct / totalRows); // scales with the table
        }

        int commonCount;
        if (track.Count == distinct && tooWide == 0 && nDistinct > 0 && track.Count <= target)
        {
            commonCount = track.Count; // the list holds every value seen
        }
        else
        {
            commonCount = Math.Min(target, track.Count);
            if (commonCount > 0)
            {
                commonCount = KeptCommonValues([.. track.Take(commonCount).Select(t => t.Count)], nDistinct, nullFraction, sampleRows, totalRows);
            }
        }

        var common = new SqlValue[commonCount];
        var frequencies = new double[commonCount];
        var inCommon = new bool[order.Length];
        for (int i = 0; i < commonCount; i++)
        {
            common[i] = values[order[track[i].First]];
            frequencies[i] = (double)track[i].Count / sampleRows;
            for (int j = track[i].First; j < track[i].First + track[i].Count; j++)
            {
                inCommon[j] = true;
            }
        }

        var histogram = new List<SqlValue>();
        int bounds = Math.Min(distinct - commonCount, target + 1);
        if (bounds >= 2)
        {
            var rest = new List<SqlValue>(order.Length);
            for (int i = 0; i < order.Length; i++)
            {
                if (!inCommon[i])
                {
                    rest.Add(values[order[i]]);
                }
            }

            // equally spaced positions over the rest, in integer steps as PostgreSQL takes them
            int delta = (rest.Count - 1) / (bounds - 1), deltaFraction = (rest.Count - 1) % (bounds - 1);
            int position = 0, fraction = 0;
            for (int i = 0; i < bounds; i++)
            {
                histogram.Add(rest[position]);
                position += delta;
                fraction += deltaFraction;
                if (fraction >= bounds - 1)
                {
                    position++;
                    fraction -= bounds - 1;
                }
            }
        }

        double? correlation = null;
        if (values.Count > 1)
        {
            double count = values.Count;
            double xSum = (count - 1) * count / 2.0;
            double x2Sum = (count - 1) * count * ((2 * count) - 1) / 6.0;
            correlation = (float)(((count * xySum) - (xSum * xSum)) / ((count * x2Sum) - (xSum * xSum)));
        }

        return new ColumnStatistics(column.Number, type, (float)nullFraction, averageWidth, (float)nDistinct, common,
            [.. frequencies.Select(f => (double)(float)f)], histogram, correlation);
    }

    private static ColumnStatistics Trivial(ColumnDef column, double nullFraction, int width, double distinct) =>
        new(column.Number, column.Type, (float)nullFraction, width, (float)distinct, [], [], [], null);

    /// <summary>
    /// How many of the most frequent sampled values to keep (analyze_mcv_list): drop the least common while its
    /// count is within two standard deviations (hypergeometric) of what it would have as one of the other values.
    /// </summary>
    private static int KeptCommonValues(int[] counts, double nDistinct, double nullFraction, int sampleRows, double totalRows)
    {
        int kept = counts.Length;
        if (sampleRows == totalRows || totalRows <= 1.0)
        {
            return kept; // the whole table was sampled
        }

        double tableDistinct = nDistinct < 0 ? -nDistinct * totalRows : nDistinct;
        double sum = 0;
        for (int i = 0; i < kept - 1; i++)
        {
            sum += counts[i];
        }

        while (kept > 0)
        {
            double selectivity = Math.Clamp(1.0 - (sum / sampleRows) - nullFraction, 0.0, 1.0);
            double otherDistinct = tableDistinct - (kept - 1);
            if (otherDistinct > 1)
            {
                selectivity /= otherDistinct;
            }

            double bigN = totalRows, n = sampleRows;
            double k = bigN * counts[kept - 1] / n;
            double variance = n * k * (bigN - k) * (bigN - n) / (bigN * bigN * (bigN - 1));
            if (counts[kept - 1] > (selectivity * sampleRows) + (2 * Math.Sqrt(variance)) + 0.5)
            {
                break;
            }

            kept--;
            if (kept == 0)
            {
                break;
            }

            sum -= counts[kept - 1];
        }

        return kept;
    }

    /// <summary>
    /// Types whose values the statistics keep: json has no btree ordering (and no equality); an enum's values are
    /// labels of a type the catalog record is read before, so its statistics keep counts, not values.
    /// </summary>
    private static bool Orderable(SqlType type) => type.IsArray ? type.Kind != SqlTypeKind.Enum : type.Kind is not (SqlTypeKind.Json or SqlTypeKind.Unknown or SqlTypeKind.Void or SqlTypeKind.Enum);

    /// <summary>PostgreSQL's typlen for fixed-width types; null for variable-width (varlena) ones.</summary>
    internal static int? FixedWidth(SqlType type) => type.IsArray ? null : type.Kind switch
    {
        SqlTypeKind.Bool => 1,
        SqlTypeKind.Int2 => 2,
        SqlTypeKind.Int4 or SqlTypeKind.Float4 or SqlTypeKind.Date or SqlTypeKind.Oid or SqlTypeKind.Enum => 4,
        SqlTypeKind.Int8 or SqlTypeKind.Float8 or SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz => 8,
        SqlTypeKind.Interval or SqlTypeKind.Uuid => 16,
        SqlTypeKind.Name => 64,
        _ => null,
    };

    /// <summary>
    /// The value's size as PostgreSQL stores it in a row: typlen for fixed-width types; for variable-width ones the data
    /// plus a 1-byte header when short (up to 126 bytes of data), else 4 (the uncompressed size: no TOAST here).
    /// </summary>
    private static int Width(SqlValue v, SqlType type)
    {
        if (FixedWidth(type) is int w)
        {
            return w;
        }

        int data = type.IsArray
            ? 20 + v.AsArray.Items.Sum(e => e.IsNull ? 0 : Width(e, type with { IsArray = false }))
            : type.Kind switch
            {
                SqlTypeKind.Numeric => NumericBytes(v.AsDecimal),
                SqlTypeKind.Bytea => v.AsBytes.Length,
                _ => Encoding.UTF8.GetByteCount(SqlText.Format(v)),
            };
        return data + (data <= 126 ? 1 : 4);
    }

    /// <summary>numeric's short form: a 2-byte header and 2 bytes per base-10000 digit (leading and trailing zero groups dropped).</summary>
    private static int NumericBytes(decimal value)
    {
        string digits = decimal.Abs(value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        int point = digits.IndexOf('.', StringComparison.Ordinal);
        string whole = point < 0 ? digits : digits[..point], fraction = point < 0 ? "" : digits[(point + 1)..];
        whole = whole.TrimStart('0');
        fraction = fraction.TrimEnd('0');
        int wholeGroups = (whole.Length + 3) / 4, fractionGroups = (fraction.Length + 3) / 4;
        for (int end = whole.Length; fractionGroups == 0 && end >= 4 && whole[(end - 4)..end] == "0000"; end -= 4)
        {
            wholeGroups--; // trailing zero groups of an integer are dropped as well
        }

        if (wholeGroups == 0)
        {
            // leading zero groups of the fraction are dropped too (the weight says where the digits start)
            int zeros = fraction.Length - fraction.TrimStart('0').Length;
            fractionGroups -= zeros / 4;
        }

        return 2 + (2 * (wholeGroups + fractionGroups));
    }
}

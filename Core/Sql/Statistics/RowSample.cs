using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Sql.Statistics;

/// <summary>
/// ANALYZE's bounded sample of a table: every visible row is counted, and a uniform reservoir (Vitter's Algorithm R,
/// one random draw per row past the first <c>target</c>) keeps at most <c>target</c> of them, decoding only the rows it
/// keeps. PostgreSQL samples blocks first and then rows; here there are no blocks to pick, the scan is of keys and
/// values in primary key order. The kept rows are returned in that order, which the correlation statistic needs.
/// </summary>
internal sealed class RowSample
{
    private RowSample(List<SqlValue[]> rows, long totalRows)
    {
        Rows = rows;
        TotalRows = totalRows;
    }

    /// <summary>The sampled rows in storage (primary key) order, each with every column of the table decoded.</summary>
    public IReadOnlyList<SqlValue[]> Rows { get; }

    /// <summary>The table's live rows (all of them were seen: the count is exact, not extrapolated).</summary>
    public long TotalRows { get; }

    /// <summary>PostgreSQL's rows per unit of statistics target (std_typanalyze: 300 x default_statistics_target).</summary>
    public const int RowsPerTarget = 300;

    public static RowSample Take(IKvTransaction txn, TableDef table, int target, Random random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(random);
        SqlType[] types = TableStorage.ColumnTypes(table);
        var kept = new List<(long Position, SqlValue[] Row)>(Math.Min(target, 4096));
        long seen = 0;
        using (IKvCursor cursor = TableStorage.ScanRows(txn, table))
        {
            while (cursor.MoveNext())
            {
                if ((seen & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                int slot;
                if (kept.Count < target)
                {
                    slot = -1;
                }
                else
                {
                    long pick = random.NextInt64(seen + 1);
                    if (pick >= target)
                    {
                        seen++;
                        continue;
                    }

                    slot = (int)pick;
                }

                var row = new SqlValue[types.Length];
                RowCodec.Read(cursor.Value, row, types);
                if (slot < 0)
                {
                    kept.Add((seen, row));
                }
                else
                {
                    kept[slot] = (seen, row);
                }

                seen++;
            }
        }

        kept.Sort((a, b) => a.Position.CompareTo(b.Position));
        return new RowSample([.. kept.Select(k => k.Row)], seen);
    }
}

using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using static ThunderDb.Core.Sql.SystemViews.V;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>
/// pg_stat_user_tables / pg_stat_all_tables from what VACUUM and ANALYZE recorded in the catalog
/// (<see cref="TableStatistics"/>): n_live_tup, last_vacuum, last_analyze and the run counts. The access and
/// modification counters PostgreSQL's statistics collector keeps are not tracked: they are NULL, not a made-up 0.
/// </summary>
internal static class PgStatistics
{
    private static readonly SqlType Float4Array = SqlType.Float4.ArrayOf();

    public static VirtualTable UserTables(ViewSource src, string name)
    {
        var t = new VirtualTable(name,
            ("relid", SqlType.Oid), ("schemaname", SqlType.Name), ("relname", SqlType.Name), ("seq_scan", SqlType.Int8), ("seq_tup_read", SqlType.Int8),
            ("idx_scan", SqlType.Int8), ("idx_tup_fetch", SqlType.Int8), ("n_tup_ins", SqlType.Int8), ("n_tup_upd", SqlType.Int8), ("n_tup_del", SqlType.Int8),
            ("n_tup_hot_upd", SqlType.Int8), ("n_live_tup", SqlType.Int8), ("n_dead_tup", SqlType.Int8), ("n_mod_since_analyze", SqlType.Int8),
            ("n_ins_since_vacuum", SqlType.Int8), ("last_vacuum", SqlType.TimestampTz), ("last_autovacuum", SqlType.TimestampTz),
            ("last_analyze", SqlType.TimestampTz), ("last_autoanalyze", SqlType.TimestampTz), ("vacuum_count", SqlType.Int8),
            ("autovacuum_count", SqlType.Int8), ("analyze_count", SqlType.Int8), ("autoanalyze_count", SqlType.Int8));
        foreach (TableDef table in src.Tables)
        {
            TableStatistics? s = table.Statistics;
            t.Add(Oid(table.Oid), Name(src.SchemaName(table.SchemaOid)), Name(table.Name), Null, Null,
                Null, Null, Null, Null, Null,
                Null, Int8(s?.LiveRows ?? 0), Null, Null,
                Null, Time(s?.LastVacuumMicros), Null,
                Time(s?.LastAnalyzeMicros), Null, Int8(s?.VacuumCount ?? 0),
                Int8(0), Int8(s?.AnalyzeCount ?? 0), Int8(0));
        }

        return t;
    }

    /// <summary>
    /// pg_stats: one row per analyzed column of the database's tables, from the statistics the last ANALYZE stored
    /// (<see cref="ColumnStatistics"/>). most_common_vals and histogram_bounds are anyarray in PostgreSQL; here they are
    /// text holding the array as PostgreSQL prints it (<c>{a,b}</c>, elements quoted by array_out's rules). The
    /// per-element statistics of array columns (most_common_elems...) are not collected: NULL.
    /// </summary>
    public static VirtualTable Stats(ViewSource src)
    {
        var t = new VirtualTable("pg_stats",
            ("schemaname", SqlType.Name), ("tablename", SqlType.Name), ("attname", SqlType.Name), ("inherited", SqlType.Bool),
            ("null_frac", SqlType.Float4), ("avg_width", SqlType.Int4), ("n_distinct", SqlType.Float4), ("most_common_vals", SqlType.Text),
            ("most_common_freqs", Float4Array), ("histogram_bounds", SqlType.Text), ("correlation", SqlType.Float4),
            ("most_common_elems", SqlType.Text), ("most_common_elem_freqs", Float4Array), ("elem_count_histogram", Float4Array));
        foreach (TableDef table in src.Tables)
        {
            foreach (ColumnStatistics c in table.Statistics?.Columns ?? [])
            {
                if (c.Column > table.Columns.Count || table.Column(c.Column) is not { IsDropped: false } column)
                {
                    continue;
                }

                t.Add(Name(src.SchemaName(table.SchemaOid)), Name(table.Name), Name(column.Name), Bool(false),
                    Float4((float)c.NullFraction), Int4(c.AverageWidth), Float4((float)c.Distinct), ValueList(c.CommonValues),
                    c.CommonFrequencies.Count == 0 ? Null : SqlValue.FromArray(new SqlArray(SqlType.Float4, [.. c.CommonFrequencies.Select(f => SqlValue.FromFloat4((float)f))])),
                    ValueList(c.Histogram), c.Correlation is double r ? Float4((float)r) : Null,
                    Null, Null, Null);
            }
        }

        return t;
    }

    /// <summary>An anyarray as text: the values' output forms as array elements, which array_out quotes alike whatever their type.</summary>
    private static SqlValue ValueList(IReadOnlyList<SqlValue> values) =>
        values.Count == 0 ? Null : Text(SqlText.FormatArray(new SqlArray(SqlType.Text, [.. values.Select(v => SqlValue.FromText(SqlText.Format(v)))])));

    private static SqlValue Time(long? micros) => micros is > 0 ? SqlValue.FromTimestampTz(micros.Value) : Null;
}

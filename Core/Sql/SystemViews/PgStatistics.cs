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

    private static SqlValue Time(long? micros) => micros is > 0 ? SqlValue.FromTimestampTz(micros.Value) : Null;
}

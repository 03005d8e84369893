using System.Diagnostics;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Statistics;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>What VACUUM or ANALYZE did to one table; <see cref="StatisticsRecorded"/> is false when the store is read-only (disk full: the vacuum still runs).</summary>
public sealed record MaintenanceOutcome(string Schema, string Table, bool Vacuumed, bool Analyzed, long VersionsRemoved, long LiveRows, double Milliseconds,
    bool StatisticsRecorded);

/// <summary>
/// VACUUM and ANALYZE. VACUUM runs the store's MVCC vacuum (<see cref="IKvDatabase.Vacuum"/>) over the table's key
/// range (its rows and every index entry), removing the versions no snapshot can see; FULL and FREEZE do the same
/// (versions are not frozen or rewritten in place here: there is no transaction-id wraparound to prevent). Both
/// count the live rows and record them, with the time and a run count, in the table's catalog statistics
/// (pg_class.reltuples, pg_stat_user_tables). VACUUM refuses to run inside a transaction block, as PostgreSQL does.
/// </summary>
public sealed partial class SqlSession
{
    /// <summary>
    /// Vacuums (and with <paramref name="analyze"/> also analyzes) <paramref name="tables"/>, or every table of the
    /// database when none are named: the statement's work, also called by the admin endpoint.
    /// </summary>
    public async Task<IReadOnlyList<MaintenanceOutcome>> VacuumAsync(IReadOnlyList<Ast.ObjectName> tables, bool analyze, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (_txn is not null)
        {
            throw new SqlException(SqlState.ActiveTransaction, "VACUUM cannot run inside a transaction block");
        }

        var outcomes = new List<MaintenanceOutcome>();
        await ExecuteStatementAsync(new MaintenanceRequest(tables, Vacuum: true, analyze, outcomes), null, [], null, cancellationToken).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>The engine's own statement for VACUUM / ANALYZE, carrying where to put the outcomes.</summary>
    private sealed record MaintenanceRequest(IReadOnlyList<Ast.ObjectName> Tables, bool Vacuum, bool Analyze, List<MaintenanceOutcome> Outcomes) : Ast.SqlStatement;

    private StatementResult Maintain(Ast.SqlStatement statement, IKvTransaction txn, Binder binder, CatalogSnapshot catalog, CancellationToken cancellationToken)
    {
        (MaintenanceRequest request, bool verbose, string tag, IReadOnlyList<IReadOnlyList<string>>? columnLists) = statement switch
        {
            Ast.VacuumStatement v => (new MaintenanceRequest(v.Tables, true, v.Options.Any(o => o.Name == "analyze" && IsOn(o)), []),
                v.Options.Any(o => o.Name == "verbose" && IsOn(o)), "VACUUM", v.Columns),
            Ast.AnalyzeStatement a => (new MaintenanceRequest(a.Tables, false, true, []), a.Verbose, "ANALYZE", a.Columns),
            MaintenanceRequest r => (r, false, "VACUUM", null),
            _ => throw new InvalidOperationException(statement.GetType().Name),
        };
        if (statement is Ast.VacuumStatement vacuum)
        {
            foreach (Ast.GenericOption o in vacuum.Options)
            {
                if (o.Name is not ("full" or "freeze" or "verbose" or "analyze" or "skip_locked" or "index_cleanup" or "truncate" or "parallel"
                    or "process_toast" or "disable_page_skipping"))
                {
                    throw new SqlException(SqlState.SyntaxError, $"unrecognized VACUUM option \"{o.Name}\"");
                }
            }

            if (!request.Analyze && columnLists is not null && columnLists.Any(c => c.Count > 0))
            {
                throw new SqlException(SqlState.FeatureNotSupported, "ANALYZE option must be specified when a column list is provided");
            }
        }

        List<(TableDef Table, IReadOnlyList<string> Columns)> targets = request.Tables.Count == 0
            ? [.. catalog.SchemasOf(catalog.FindDatabase(DatabaseName)?.Oid ?? WellKnownOids.PostgresDatabase).SelectMany(s => catalog.RelationsOf(s.Oid)).OfType<TableDef>()
                .OrderBy(t => t.Oid).Select(t => (t, (IReadOnlyList<string>)[]))]
            : [.. request.Tables.Select((name, i) => (binder.RequireTable(name), columnLists is not null && i < columnLists.Count ? columnLists[i] : [])).DistinctBy(t => t.Item1.Oid)];
        int target = StatisticsTarget();
        var notices = new List<string>();
        foreach ((TableDef table, IReadOnlyList<string> columnNames) in targets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long started = Stopwatch.GetTimestamp();
            (byte[] start, byte[] end) = TableStorage.TableRange(table.Oid);
            long removed = 0;
            if (request.Vacuum)
            {
                try
                {
                    removed = _engine.Database.Vacuum(start, end);
                }
                catch (NotSupportedException e)
                {
                    throw new SqlException(SqlState.FeatureNotSupported, e.Message);
                }
            }

            TableStatistics old = table.Statistics ?? new TableStatistics(0, 0, 0, 0, 0);
            long live;
            IReadOnlyList<ColumnStatistics>? columnStats = old.Columns;
            if (request.Analyze)
            {
                List<ColumnDef> analyzed = AnalyzedColumns(table, columnNames);
                var sample = RowSample.Take(txn, table, RowSample.RowsPerTarget * target, new Random(unchecked((int)table.Oid + (int)old.AnalyzeCount)), cancellationToken);
                live = sample.TotalRows;
                var fresh = analyzed.Select(c => ColumnStatisticsBuilder.Build(c, sample.Rows, live, target)).ToList();
                // columns not named keep what the last ANALYZE found; dropped or retyped columns lose theirs
                columnStats = [.. (old.Columns ?? []).Where(o => !fresh.Any(f => f.Column == o.Column) && IsCurrent(table, o)).Concat(fresh).OrderBy(c => c.Column)];
            }
            else
            {
                live = CountRows(txn, table);
            }

            long now = SqlDateTime.NowMicros();
            var stats = new TableStatistics(live,
                request.Vacuum ? now : old.LastVacuumMicros, request.Analyze ? now : old.LastAnalyzeMicros,
                old.VacuumCount + (request.Vacuum ? 1 : 0), old.AnalyzeCount + (request.Analyze ? 1 : 0), columnStats);
            // a read-only store (the runbook's disk-full case) still gets its space back; only the statistics wait
            bool record = !_engine.Database.IsReadOnly;
            if (record)
            {
                _ddl ??= _engine.Catalog.Change(txn, catalog);
                TableDef current = _ddl.Snapshot.Find<TableDef>(table.Oid) ?? table;
                _ddl.Replace(current with { Statistics = stats });
            }

            string schema = catalog.Find<SchemaDef>(table.SchemaOid)?.Name ?? "";
            var outcome = new MaintenanceOutcome(schema, table.Name, request.Vacuum, request.Analyze, removed, live, Stopwatch.GetElapsedTime(started).TotalMilliseconds, record);
            request.Outcomes.Add(outcome);
            if (verbose)
            {
                notices.Add(request.Vacuum
                    ? $"vacuuming \"{schema}.{table.Name}\": removed {removed} dead row versions, {live} live rows remain"
                    : $"analyzing \"{schema}.{table.Name}\": {live} live rows");
            }
        }

        return new StatementResult(tag, Notices: notices.Count == 0 ? null : notices);
    }

    /// <summary>default_statistics_target (PostgreSQL's range 1..10000): MCV entries and histogram buckets per column, and the sample size over 300.</summary>
    private int StatisticsTarget() =>
        int.TryParse(Settings.Get("default_statistics_target"), System.Globalization.CultureInfo.InvariantCulture, out int t) ? Math.Clamp(t, 1, 10000) : 100;

    /// <summary>The columns ANALYZE t (a, b) names, or every live column; an unknown or repeated name is PostgreSQL's error.</summary>
    private static List<ColumnDef> AnalyzedColumns(TableDef table, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            return [.. table.VisibleColumns];
        }

        var columns = new List<ColumnDef>();
        foreach (string name in names)
        {
            ColumnDef column = table.FindColumn(name)
                ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" of relation \"{table.Name}\" does not exist");
            if (columns.Contains(column))
            {
                throw new SqlException(SqlState.DuplicateColumn, $"column \"{name}\" of relation \"{table.Name}\" appears more than once");
            }

            columns.Add(column);
        }

        return columns;
    }

    /// <summary>Whether old statistics still describe a column: it exists and has the type it was analyzed with.</summary>
    private static bool IsCurrent(TableDef table, ColumnStatistics stats) =>
        stats.Column >= 1 && stats.Column <= table.Columns.Count && table.Column(stats.Column) is { IsDropped: false } c && c.Type == stats.Type;

    /// <summary>The rows of <paramref name="table"/> visible to the statement (keys only: no row is decoded).</summary>
    private static long CountRows(IKvTransaction txn, TableDef table)
    {
        (byte[] start, byte[] end) = TableStorage.RowRange(table);
        long n = 0;
        using IKvCursor cursor = txn.Scan(start, end);
        while (cursor.MoveNext())
        {
            n++;
        }

        return n;
    }

    private static bool IsOn(Ast.GenericOption o) => o.Value?.ToLowerInvariant() is null or "true" or "on" or "1" or "yes";
}

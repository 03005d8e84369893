using System.Diagnostics;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Rows;
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
        (MaintenanceRequest request, bool verbose, string tag) = statement switch
        {
            Ast.VacuumStatement v => (new MaintenanceRequest(v.Tables, true, v.Options.Any(o => o.Name == "analyze" && IsOn(o)), []),
                v.Options.Any(o => o.Name == "verbose" && IsOn(o)), "VACUUM"),
            Ast.AnalyzeStatement a => (new MaintenanceRequest(a.Tables, false, true, []), a.Verbose, "ANALYZE"),
            MaintenanceRequest r => (r, false, "VACUUM"),
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
        }

        List<TableDef> targets = request.Tables.Count == 0
            ? [.. catalog.SchemasOf(catalog.FindDatabase(DatabaseName)?.Oid ?? WellKnownOids.PostgresDatabase).SelectMany(s => catalog.RelationsOf(s.Oid)).OfType<TableDef>().OrderBy(t => t.Oid)]
            : [.. request.Tables.Select(binder.RequireTable).DistinctBy(t => t.Oid)];
        var notices = new List<string>();
        foreach (TableDef table in targets)
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

            long live = CountRows(txn, table);
            long now = SqlDateTime.NowMicros();
            TableStatistics old = table.Statistics ?? new TableStatistics(0, 0, 0, 0, 0);
            var stats = new TableStatistics(live,
                request.Vacuum ? now : old.LastVacuumMicros, request.Analyze ? now : old.LastAnalyzeMicros,
                old.VacuumCount + (request.Vacuum ? 1 : 0), old.AnalyzeCount + (request.Analyze ? 1 : 0));
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

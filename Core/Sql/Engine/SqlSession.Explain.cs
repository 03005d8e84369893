using System.Diagnostics;
using System.Globalization;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// EXPLAIN [ANALYZE] [VERBOSE] and EXPLAIN (option [value], ...) of a SELECT, INSERT, UPDATE or DELETE. ANALYZE runs the query in the statement's
/// transaction with <see cref="ExecutionRuntime.Analysis"/> set (per-node rows, loops and, with TIMING, times), its rows
/// discarded, then prints PostgreSQL's Planning Time / Execution Time lines (SUMMARY, on by default with ANALYZE).
/// COSTS is accepted (no costs are estimated, so none print either way); BUFFERS is accepted and prints no Buffers lines
/// (the store keeps no shared-buffer hit counts); FORMAT other than TEXT is 0A000.
/// </summary>
public sealed partial class SqlSession
{
    private sealed record ExplainOptions(bool Analyze, bool Timing, bool Summary);

    private static ExplainOptions ExplainOptionsOf(Ast.ExplainStatement explain)
    {
        bool analyze = explain.Analyze;
        bool? timing = null, summary = null;
        foreach (Ast.GenericOption o in explain.Options)
        {
            bool Flag() => o.Value?.ToLowerInvariant() switch
            {
                null or "true" or "on" or "1" or "yes" => true,
                "false" or "off" or "0" or "no" => false,
                _ => throw new SqlException(SqlState.SyntaxError, $"{o.Name} requires a Boolean value"),
            };
            switch (o.Name)
            {
                case "analyze" or "analyse":
                    analyze = Flag();
                    break;
                case "timing":
                    timing = Flag();
                    break;
                case "summary":
                    summary = Flag();
                    break;
                case "buffers":
                    // no per-node buffer-pool counts are kept: refusing is better than printing no Buffers lines
                    if (Flag())
                    {
                        throw SqlException.NotSupported("EXPLAIN option BUFFERS");
                    }

                    break;
                case "verbose" or "costs" or "settings" or "wal":
                    Flag();
                    break;
                case "format":
                    string format = o.Value?.ToLowerInvariant() ?? "";
                    if (format is "json" or "xml" or "yaml")
                    {
                        throw SqlException.NotSupported($"EXPLAIN (FORMAT {format.ToUpperInvariant()})");
                    }

                    if (format != "text")
                    {
                        throw new SqlException(SqlState.InvalidParameterValue, $"unrecognized value for EXPLAIN option \"format\": \"{o.Value}\"");
                    }

                    break;
                default:
                    throw new SqlException(SqlState.SyntaxError, $"unrecognized EXPLAIN option \"{o.Name}\"");
            }
        }

        if (timing == true && !analyze)
        {
            throw new SqlException(SqlState.InvalidParameterValue, "EXPLAIN option TIMING requires ANALYZE");
        }

        return new ExplainOptions(analyze, timing ?? analyze, summary ?? analyze);
    }

    private static StatementResult ExplainSelect(Ast.ExplainStatement explain, Ast.SelectStatement select, Binder binder, ExecutionRuntime runtime, EvalContext eval)
    {
        ExplainOptions options = ExplainOptionsOf(explain);
        long planning = Stopwatch.GetTimestamp();
        PlanNode plan = binder.BindSelect(select.Query);
        TimeSpan planned = Stopwatch.GetElapsedTime(planning);
        PlanAnalysis? analysis = null;
        TimeSpan executed = TimeSpan.Zero;
        if (options.Analyze)
        {
            analysis = new PlanAnalysis(options.Timing);
            runtime.Analysis = analysis;
            long started = Stopwatch.GetTimestamp();
            try
            {
                foreach (SqlValue[] _ in plan.Execute(eval))
                {
                    // the rows are counted, not returned
                }
            }
            finally
            {
                runtime.Analysis = null;
            }

            executed = Stopwatch.GetElapsedTime(started);
        }

        return ExplainResult(PlanExplainer.Explain(plan, analysis), options, planned, executed);
    }

    /// <summary>
    /// EXPLAIN [ANALYZE] of INSERT, UPDATE or DELETE: PostgreSQL's <c>Insert on t</c> / <c>Update on t</c> / <c>Delete on t</c>
    /// over the scan (or VALUES, or query) that feeds it. ANALYZE really runs the statement in its transaction (a rolled-back
    /// block undoes it, as in PostgreSQL); the modify line's rows are the RETURNING rows.
    /// </summary>
    private static async ValueTask<StatementResult> ExplainDmlAsync(Ast.ExplainStatement explain, Binder binder, ExecutionRuntime runtime, EvalContext eval)
    {
        ExplainOptions options = ExplainOptionsOf(explain);
        var dml = new DmlExecutor(binder, runtime, eval);
        long planning = Stopwatch.GetTimestamp();
        PlanNode input;
        string verb;
        TableDef table;
        PlanNode? filter = null;
        long valuesRows = 0;
        Func<Task<StatementResult>> run;
        switch (explain.Statement)
        {
            case Ast.InsertStatement i:
            {
                DmlExecutor.BoundInsert bound = dml.BindInsert(i);
                (verb, table, run) = ("Insert", bound.Table, () => dml.InsertAsync(bound));
                valuesRows = bound.Values?.Rows.Count ?? 1;
                input = bound.Query ?? new ModifyTableNode(valuesRows > 1 ? "Values Scan on \"*VALUES*\"" : "Result", null);
                break;
            }

            case Ast.UpdateStatement u:
            {
                DmlExecutor.BoundUpdate bound = dml.BindUpdate(u);
                (verb, table, run) = ("Update", bound.Table, () => dml.UpdateAsync(bound));
                filter = bound.Condition is null ? null : new FilterNode(bound.Source, bound.Condition);
                input = filter ?? bound.Source;
                break;
            }

            default:
            {
                DmlExecutor.BoundDelete bound = dml.BindDelete((Ast.DeleteStatement)explain.Statement);
                (verb, table, run) = ("Delete", bound.Table, () => dml.DeleteAsync(bound));
                filter = bound.Condition is null ? null : new FilterNode(bound.Source, bound.Condition);
                input = filter ?? bound.Source;
                break;
            }
        }

        var plan = new ModifyTableNode($"{verb} on {table.Name}", input);
        TimeSpan planned = Stopwatch.GetElapsedTime(planning);
        PlanAnalysis? analysis = null;
        TimeSpan executed = TimeSpan.Zero;
        if (options.Analyze)
        {
            analysis = new PlanAnalysis(options.Timing);
            runtime.Analysis = analysis;
            long started = Stopwatch.GetTimestamp();
            StatementResult result;
            try
            {
                result = await run().ConfigureAwait(false);
            }
            finally
            {
                runtime.Analysis = null;
            }

            executed = Stopwatch.GetElapsedTime(started);
            analysis.Record(plan, 1, result.Rows?.Count ?? 0);
            if (filter is not null)
            {
                // the rows the WHERE kept are the rows the statement changed (its command tag's count)
                analysis.Record(filter, 1, CommandTags.RowCount(result.CommandTag));
            }
            else if (input is ModifyTableNode values)
            {
                analysis.Record(values, 1, valuesRows);
            }
        }

        return ExplainResult(PlanExplainer.Explain(plan, analysis), options, planned, executed);
    }

    private static StatementResult ExplainResult(List<string> lines, ExplainOptions options, TimeSpan planned, TimeSpan executed)
    {
        if (options.Summary)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Planning Time: {planned.TotalMilliseconds:F3} ms"));
            if (options.Analyze)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"Execution Time: {executed.TotalMilliseconds:F3} ms"));
            }
        }

        return new StatementResult("EXPLAIN", [new PlanColumn("QUERY PLAN", SqlType.Text)], [.. lines.Select(line => new[] { SqlValue.FromText(line) })]);
    }
}

using System.Diagnostics;
using System.Globalization;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// EXPLAIN [ANALYZE] [VERBOSE] and EXPLAIN (option [value], ...) of a SELECT. ANALYZE runs the query in the statement's
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
                case "verbose" or "costs" or "settings" or "buffers" or "wal":
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

        List<string> lines = PlanExplainer.Explain(plan, analysis);
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

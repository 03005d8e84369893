using System.Globalization;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// EXPLAIN's text, in the layout of PostgreSQL's <c>EXPLAIN (COSTS OFF)</c> (ThunderDB estimates no costs, so it prints
/// none): one line per node, children under <c>->  </c>, and the detail lines PostgreSQL prints (<c>Index Cond:</c>,
/// <c>Filter:</c>, <c>Hash Cond:</c>, <c>Join Filter:</c>, <c>Sort Key:</c>, <c>Group Key:</c>, <c>SubPlan n</c>). Nodes
/// that only move columns (projection, placement) and filters (shown on the node they filter) have no line of their own.
/// Expressions print as PostgreSQL deparses them: parenthesised operators, <c>'abc'::text</c>, columns qualified by their
/// FROM alias above a join and bare in a scan.
/// </summary>
public sealed class PlanExplainer
{
    private readonly List<string> _lines = [];
    private readonly PlanAnalysis? _analysis;
    private int _subplans;

    private PlanExplainer(PlanAnalysis? analysis) => _analysis = analysis;

    /// <summary>The plan's lines; with <paramref name="analysis"/> (EXPLAIN ANALYZE) each node shows its actual rows and loops too.</summary>
    public static List<string> Explain(PlanNode plan, PlanAnalysis? analysis = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var explainer = new PlanExplainer(analysis);
        explainer.Walk(plan, 0, arrow: false, [], top: plan);
        return explainer._lines;
    }

    /// <summary>
    /// PostgreSQL's <c> (actual time=a..b rows=n loops=l)</c>, per-loop averages; <paramref name="top"/> is the node whose
    /// rows are this line's (the filter or projection above it, which PostgreSQL evaluates inside the node).
    /// </summary>
    private string Actual(PlanNode top)
    {
        if (_analysis is null)
        {
            return "";
        }

        if (top is HashNode hash)
        {
            top = hash.Children.First(); // a display node over the build input: its rows are the input's
        }

        if (_analysis.Of(top) is not { Loops: > 0 } c)
        {
            return " (never executed)";
        }

        string rows = PerLoop(c.Rows, c.Loops);
        if (!_analysis.Timing)
        {
            return $" (actual rows={rows} loops={c.Loops})";
        }

        double Ms(long ticks) => ticks * 1000.0 / System.Diagnostics.Stopwatch.Frequency / c.Loops;
        return string.Create(CultureInfo.InvariantCulture, $" (actual time={Ms(c.StartupTicks):F3}..{Ms(c.TotalTicks):F3} rows={rows} loops={c.Loops})");
    }

    private static string PerLoop(long count, long loops) =>
        Math.Round((double)count / loops, MidpointRounding.ToEven).ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>PostgreSQL's <c>Rows Removed by Filter</c>: the rows the node produced that its filters dropped, per loop.</summary>
    private string? Removed(PlanNode node, PlanNode top) =>
        _analysis?.Of(node) is { Loops: > 0 } inner && _analysis.Of(top) is { } outer && !ReferenceEquals(node, top)
            ? PerLoop(inner.Rows - outer.Rows, inner.Loops)
            : _analysis?.Of(node) is { Loops: > 0 } ? "0" : null;

    private sealed record PendingFilter(BoundExpr Predicate, IReadOnlyList<PlanColumn> Columns);

    private void Walk(PlanNode node, int indent, bool arrow, List<PendingFilter> filters, IReadOnlyList<PlanColumn>? keyColumns = null, PlanNode? top = null)
    {
        top ??= node;
        if (node is FilterNode { Predicate: ConstantExpr { Value: var never } } && (never.IsNull || !never.AsBool))
        {
            _lines.Add(new string(' ', indent) + (arrow ? "->  " : "") + "Result" + Actual(top));
            _lines.Add(new string(' ', indent + (arrow ? 6 : 2)) + "One-Time Filter: false");
            return;
        }

        if (node is FilterNode f)
        {
            Walk(f.Input, indent, arrow, [.. filters, new PendingFilter(f.Predicate, f.Columns)], keyColumns, top);
            return;
        }

        if (node.HiddenInExplain)
        {
            bool single = node.Children.Count() == 1;
            foreach (PlanNode child in node.Children)
            {
                Walk(child, indent, arrow, filters, keyColumns, single ? top : null);
                filters = [];
            }

            return;
        }

        _lines.Add(new string(' ', indent) + (arrow ? "->  " : "") + node.Describe() + Actual(top));
        int detail = indent + (arrow ? 4 : 0) + 2;
        var subplans = new List<SubqueryExpr>();
        void Line(string label, string text) => _lines.Add($"{new string(' ', detail)}{label}: {text}");
        string Expr(BoundExpr e, IReadOnlyList<PlanColumn> columns, bool qualify, IReadOnlyList<PlanColumn>? outer = null) =>
            new Deparser(columns, qualify, outer, Register).Print(e);
        int Register(SubqueryExpr sub)
        {
            if (!_numbers.TryGetValue(sub, out int n))
            {
                _numbers[sub] = n = ++_subplans;
                subplans.Add(sub);
            }

            return n;
        }

        bool qualifyUpper = Relations(node.Columns) > 1;
        List<string> indexConds = [];
        switch (node)
        {
            case TableScanNode { Access: { } access } scan:
                indexConds = IndexConditions(scan, access, keyColumns ?? scan.Columns, Expr);
                if (indexConds.Count > 0)
                {
                    Line("Index Cond", indexConds.Count == 1 ? indexConds[0] : $"({string.Join(" AND ", indexConds)})");
                }

                break;
            case HashJoinNode h:
                Line("Hash Cond", Conjunction([.. h.HashCond.Select(k => $"({Expr(k.Outer, h.Columns, true)} = {Expr(k.Inner, h.Columns, true)})")]));
                if (h.Residual is { } residual)
                {
                    Line("Join Filter", Expr(residual, h.Columns, true));
                }

                break;
            case HashSemiJoinNode s:
                Line("Hash Cond", Conjunction([.. s.OuterKeys.Select((k, i) =>
                    $"({(s.OuterKeyNested[i] ? Expr(k, s.Inner.Columns, true, s.Outer.Columns) : Expr(k, s.Outer.Columns, true))} = {Expr(s.InnerKeys[i], s.Inner.Columns, true, s.Outer.Columns)})")]));
                if (s.Residual is { } semiResidual)
                {
                    Line("Join Filter", Expr(semiResidual, s.Inner.Columns, true, s.Outer.Columns));
                }

                break;
            case LoopJoinNode { Condition: { } loop } l:
                Line("Join Filter", Expr(loop, l.Columns, true));
                break;
            case SortNode sort:
                Line("Sort Key", string.Join(", ", sort.Keys.Select(k => SortKeyText(sort.Input, k, Expr))));
                break;
            case AggregateNode { GroupBy.Count: > 0 } agg:
                Line("Group Key", string.Join(", ", agg.GroupBy.Select(g => Expr(g, agg.Input.Columns, Relations(agg.Input.Columns) > 1))));
                break;
        }

        if (filters.Count > 0)
        {
            bool qualify = node is not TableScanNode && qualifyUpper;
            List<string> parts = [.. filters.SelectMany(pf => Conjuncts(pf.Predicate).Select(c => Expr(c, pf.Columns, qualify))).Where(t => !indexConds.Contains(t))];
            if (parts.Count > 0)
            {
                string label = node is IndexNestedLoopJoinNode ? "Join Filter" : "Filter";
                Line(label, Conjunction(parts));
                if (Removed(node, top) is { } removed)
                {
                    Line($"Rows Removed by {label}", removed);
                }
            }
        }

        foreach (SubqueryExpr sub in subplans)
        {
            _lines.Add($"{new string(' ', detail)}SubPlan {Number(sub)}");
            Walk(sub.Plan, detail + 2, arrow: true, []);
        }

        foreach (PlanNode child in node.Children)
        {
            Walk(child, detail, arrow: true, [], node is IndexNestedLoopJoinNode j && child is TableScanNode ? j.Columns : null);
        }
    }

    private readonly Dictionary<SubqueryExpr, int> _numbers = new(ReferenceEqualityComparer.Instance);

    private int Number(SubqueryExpr sub) => _numbers[sub];

    private static List<BoundExpr> Conjuncts(BoundExpr e) => e is AndExpr a ? [.. a.Operands.SelectMany(Conjuncts)] : [e];

    private static string Conjunction(List<string> parts) => parts.Count == 1 ? parts[0] : $"({string.Join(" AND ", parts)})";

    private static int Relations(IReadOnlyList<PlanColumn> columns) => columns.Select(c => c.Relation).Where(r => r is not null).Distinct().Count();

    private static string SortKeyText(PlanNode input, SortKey key, Func<BoundExpr, IReadOnlyList<PlanColumn>, bool, IReadOnlyList<PlanColumn>?, string> expr)
    {
        string text = input switch
        {
            ProjectNode p => expr(p.Expressions[key.Column], p.Input.Columns, Relations(p.Input.Columns) > 1, null),
            DistinctNode { Children: var c } when c.First() is ProjectNode p => expr(p.Expressions[key.Column], p.Input.Columns, Relations(p.Input.Columns) > 1, null),
            _ => input.Columns[key.Column].Name,
        };
        if (key.Descending)
        {
            text += " DESC";
        }

        if (key.NullsFirst != key.Descending)
        {
            text += key.NullsFirst ? " NULLS FIRST" : " NULLS LAST";
        }

        return text;
    }

    private static List<string> IndexConditions(TableScanNode scan, AccessPath access, IReadOnlyList<PlanColumn> keyColumns,
        Func<BoundExpr, IReadOnlyList<PlanColumn>, bool, IReadOnlyList<PlanColumn>?, string> expr)
    {
        var conds = new List<string>();
        bool qualify = Relations(keyColumns) > 1;
        for (int i = 0; i < access.Bounds.Count && i < access.Index.Columns.Count; i++)
        {
            KeyColumnBound b = access.Bounds[i];
            IndexColumn ic = access.Index.Columns[i];
            string column = ic.ExpressionSql ?? scan.Table.Columns.FirstOrDefault(c => c.Number == ic.ColumnNumber)?.Name ?? "?";
            if (b.Equal is { Count: 1 } one)
            {
                conds.Add(one[0] is null ? $"({column} IS NULL)" : $"({column} = {expr(one[0]!, keyColumns, qualify, null)})");
            }
            else if (b.Equal is { Count: > 1 } many)
            {
                conds.Add($"({column} = ANY (ARRAY[{string.Join(", ", many.Select(v => v is null ? "NULL" : expr(v, keyColumns, qualify, null)))}]))");
            }

            if (b.Lower is { } lower)
            {
                conds.Add($"({column} {(b.LowerInclusive ? ">=" : ">")} {expr(lower, keyColumns, qualify, null)})");
            }

            if (b.Upper is { } upper)
            {
                conds.Add($"({column} {(b.UpperInclusive ? "<=" : "<")} {expr(upper, keyColumns, qualify, null)})");
            }
        }

        return conds;
    }

    /// <summary>One expression as PostgreSQL's ruleutils prints it (the common shapes; anything else by its operands).</summary>
    private sealed class Deparser(IReadOnlyList<PlanColumn> columns, bool qualify, IReadOnlyList<PlanColumn>? outer, Func<SubqueryExpr, int> register)
    {
        public string Print(BoundExpr e) => e switch
        {
            ColumnExpr { Depth: 0 } c => Column(columns, c.Ordinal),
            ColumnExpr { Depth: 1 } c when outer is not null => Column(outer, c.Ordinal),
            ColumnExpr c => $"$outer{c.Depth}.{c.Ordinal + 1}",
            ConstantExpr k => Constant(k),
            ParameterExpr p => $"${p.Index + 1}",
            ComparisonExpr c => $"({Print(c.Left)} {Symbol(c.Operator)} {Print(c.Right)})",
            ArithmeticExpr a => $"({Print(a.Operands![0])} {a.Operator.Symbol()} {Print(a.Operands![1])})",
            NegateExpr n => $"(- {Print(n.Operands![0])})",
            ConcatExpr c => $"({Print(c.Operands![0])} || {Print(c.Operands![1])})",
            AndExpr a => $"({string.Join(" AND ", a.Operands.Select(Print))})",
            OrExpr o => $"({string.Join(" OR ", o.Operands.Select(Print))})",
            NotExpr n => $"(NOT {Print(n.Operand)})",
            IsExpr i => $"({Print(i.Operand)} IS {(i.Negated ? "NOT " : "")}{(i.Truth is bool t ? (t ? "TRUE" : "FALSE") : "NULL")})",
            IsDistinctExpr d => $"({Print(d.Operands![0])} IS {(d.Negated ? "NOT " : "")}DISTINCT FROM {Print(d.Operands![1])})",
            LikeExpr l => $"({Print(l.Subject)} {l.OperatorName} {Print(l.Pattern)})",
            InListExpr i => $"({Print(i.Operand)} {(i.Negated ? "<> ALL" : "= ANY")} (ARRAY[{string.Join(", ", i.Items.Select(Print))}]))",
            CastExpr c => $"({Print(c.Operand)})::{c.Type}",
            CoalesceExpr c => $"COALESCE({string.Join(", ", c.Operands.Select(Print))})",
            CaseExpr => "CASE ... END",
            FunctionExpr f => $"{f.Name}({string.Join(", ", f.Operands.Select(Print))})",
            QuantifiedSubqueryExpr q when q.Hashed && q.All => $"(NOT (hashed SubPlan {Sub(q)}))",
            QuantifiedSubqueryExpr q when q.Hashed => $"(hashed SubPlan {Sub(q)})",
            QuantifiedSubqueryExpr q => $"({Print(q.Left)} {Symbol(q.Operator)} {(q.All ? "ALL" : "ANY")} (SubPlan {Sub(q)}))",
            ExistsExpr x => x.Negated ? $"(NOT (SubPlan {Sub(x)}))" : $"(SubPlan {Sub(x)})",
            SubqueryExpr s => $"(SubPlan {Sub(s)})",
            _ => e.GetType().Name.Replace("Expr", "", StringComparison.Ordinal).ToLowerInvariant() + "(...)",
        };

        private int Sub(SubqueryExpr s) => register(s);

        private string Column(IReadOnlyList<PlanColumn> from, int ordinal)
        {
            if (ordinal >= from.Count)
            {
                return $"${ordinal + 1}";
            }

            PlanColumn c = from[ordinal];
            return qualify && c.Relation is not null ? $"{c.Relation}.{c.Name}" : c.Name;
        }

        private static string Constant(ConstantExpr k)
        {
            SqlValue v = k.Value;
            string type = k.Type.ToString();
            if (v.IsNull)
            {
                return $"NULL::{type}";
            }

            string text = SqlText.Format(v);
            return k.Type.Kind switch
            {
                SqlTypeKind.Int4 when !text.StartsWith('-') => text,
                SqlTypeKind.Numeric when !text.StartsWith('-') && text.Contains('.', StringComparison.Ordinal) => text,
                SqlTypeKind.Bool => v.AsBool ? "true" : "false",
                _ => $"'{text.Replace("'", "''", StringComparison.Ordinal)}'::{type}",
            };
        }

        private static string Symbol(ComparisonOperator op) => op switch
        {
            ComparisonOperator.Equal => "=",
            ComparisonOperator.NotEqual => "<>",
            ComparisonOperator.Less => "<",
            ComparisonOperator.LessOrEqual => "<=",
            ComparisonOperator.Greater => ">",
            _ => ">=",
        };
    }
}

using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>One aggregate call of a query: the function, its argument expressions over the input rows, DISTINCT, FILTER, and ORDER BY / WITHIN GROUP.</summary>
public sealed record AggregateCall(AggregateFunction Function, IReadOnlyList<BoundExpr> Args, bool Distinct, BoundExpr? Filter, IReadOnlyList<OrderExpr>? OrderBy = null);

/// <summary>
/// Hash aggregation: rows are grouped by the values of the group expressions (NULLs form one group) and every
/// aggregate steps through its group's rows. Output: the group values, then each aggregate's result. Without
/// GROUP BY there is exactly one output row, even for empty input (count = 0, sum = NULL), as SQL requires.
/// </summary>
public sealed class AggregateNode(PlanNode input, IReadOnlyList<BoundExpr> groupBy, IReadOnlyList<AggregateCall> aggregates, IReadOnlyList<PlanColumn> columns)
    : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => columns;

    public PlanNode Input => input;

    public IReadOnlyList<BoundExpr> GroupBy => groupBy;

    private sealed class Group(SqlValue[] key, IAggregateState[] states, HashSet<SqlValue[]>?[] distinct)
    {
        public SqlValue[] Key { get; } = key;

        public IAggregateState[] States { get; } = states;

        public HashSet<SqlValue[]>?[] Distinct { get; } = distinct;
    }

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        var groups = new Dictionary<SqlValue[], Group>(RowComparer.Instance);
        var order = new List<Group>();
        EvalContext ctx = context.Nested();
        foreach (SqlValue[] row in input.Execute(context))
        {
            ctx.Row = row;
            var key = new SqlValue[groupBy.Count];
            for (int i = 0; i < key.Length; i++)
            {
                key[i] = groupBy[i].Evaluate(ctx);
            }

            if (!groups.TryGetValue(key, out Group? group))
            {
                group = NewGroup(key);
                groups[key] = group;
                order.Add(group);
            }

            Step(group, ctx);
        }

        if (order.Count == 0 && groupBy.Count == 0)
        {
            order.Add(NewGroup([]));
        }

        foreach (Group g in order)
        {
            var output = new SqlValue[g.Key.Length + aggregates.Count];
            g.Key.CopyTo(output, 0);
            for (int i = 0; i < aggregates.Count; i++)
            {
                output[g.Key.Length + i] = g.States[i].Result();
            }

            yield return output;
        }
    }

    private Group NewGroup(SqlValue[] key)
    {
        var states = new IAggregateState[aggregates.Count];
        var distinct = new HashSet<SqlValue[]>?[aggregates.Count];
        for (int i = 0; i < states.Length; i++)
        {
            states[i] = aggregates[i].OrderBy is { } order
                ? new OrderedAggregates.SortedState(aggregates[i].Function.CreateState, aggregates[i].Args.Count, order)
                : aggregates[i].Function.CreateState();
            distinct[i] = aggregates[i].Distinct ? new HashSet<SqlValue[]>(RowComparer.Instance) : null;
        }

        return new Group(key, states, distinct);
    }

    private void Step(Group group, EvalContext ctx)
    {
        for (int i = 0; i < aggregates.Count; i++)
        {
            AggregateCall call = aggregates[i];
            if (call.Filter is not null)
            {
                SqlValue pass = call.Filter.Evaluate(ctx);
                if (pass.IsNull || !pass.AsBool)
                {
                    continue;
                }
            }

            var args = new SqlValue[call.Args.Count];
            bool anyNull = false;
            for (int a = 0; a < args.Length; a++)
            {
                args[a] = call.Args[a].Evaluate(ctx);
                anyNull |= args[a].IsNull;
            }

            if (anyNull && call.Function.IgnoresNulls)
            {
                continue;
            }

            if (group.Distinct[i] is { } seen && !seen.Add(args))
            {
                continue;
            }

            if (call.OrderBy is { } order)
            {
                // the sort keys travel after the arguments, for the sorted state to order by
                var keyed = new SqlValue[args.Length + order.Count];
                args.CopyTo(keyed, 0);
                for (int k = 0; k < order.Count; k++)
                {
                    keyed[args.Length + k] = order[k].Expr.Evaluate(ctx);
                }

                args = keyed;
            }

            group.States[i].Step(args);
        }
    }

    public override string Describe() => groupBy.Count == 0 ? "Aggregate" : "HashAggregate";

    public override IEnumerable<PlanNode> Children => [input];
}

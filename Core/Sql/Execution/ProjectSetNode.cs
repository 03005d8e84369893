using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>One set-returning call of a select list: the function and its arguments over the input row.</summary>
public sealed record SetReturningCall(TableFunction Function, IReadOnlyList<BoundExpr> Args);

/// <summary>
/// PostgreSQL's ProjectSet: a select list with set-returning functions (<c>SELECT generate_series(1, 3), x FROM t</c>).
/// For each input row every call starts over; the calls advance in lock-step (PostgreSQL 10+), one output row per step
/// while any call still has a value, the finished ones reading NULL. The select list sees the input row extended by
/// the calls' current values (the binder refers to call k as column input width + k). A NULL argument is no rows.
/// </summary>
public sealed class ProjectSetNode(PlanNode input, IReadOnlyList<SetReturningCall> calls, IReadOnlyList<BoundExpr> expressions, IReadOnlyList<PlanColumn> columns)
    : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => columns;

    public PlanNode Input => input;

    public IReadOnlyList<BoundExpr> Expressions => expressions;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        EvalContext ctx = context.Nested();
        int width = input.Columns.Count;
        var running = new IEnumerator<SqlValue[]>?[calls.Count];
        foreach (SqlValue[] row in input.Execute(context))
        {
            ctx.Row = row;
            for (int k = 0; k < calls.Count; k++)
            {
                running[k] = Start(calls[k], ctx);
            }

            while (true)
            {
                var extended = new SqlValue[width + calls.Count];
                Array.Copy(row, extended, Math.Min(row.Length, width));
                bool any = false;
                for (int k = 0; k < calls.Count; k++)
                {
                    if (running[k] is { } e && e.MoveNext())
                    {
                        extended[width + k] = e.Current[0];
                        any = true;
                    }
                    else
                    {
                        running[k]?.Dispose();
                        running[k] = null;
                    }
                }

                if (!any)
                {
                    break;
                }

                ctx.Row = extended;
                var output = new SqlValue[expressions.Count];
                for (int i = 0; i < output.Length; i++)
                {
                    output[i] = expressions[i].Evaluate(ctx);
                }

                yield return output;
            }
        }
    }

    private static IEnumerator<SqlValue[]>? Start(SetReturningCall call, EvalContext ctx)
    {
        var values = new SqlValue[call.Args.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = call.Args[i].Evaluate(ctx);
            if (values[i].IsNull)
            {
                return null;
            }
        }

        return call.Function.Body(values, ctx).GetEnumerator();
    }

    public override string Describe() => "ProjectSet";

    public override IEnumerable<PlanNode> Children => [input];
}

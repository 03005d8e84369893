using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// The working table of a recursive CTE: the rows the previous iteration produced, which the recursive term
/// reads where it names the CTE. <see cref="RecursiveUnionNode"/> sets them before each iteration.
/// </summary>
public sealed class WorkTableNode(string name, IReadOnlyList<PlanColumn> columns) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => columns;

    internal List<SqlValue[]>? Current { get; set; }

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        List<SqlValue[]> rows = Current ?? throw new SqlException(SqlState.InternalError, $"working table of \"{name}\" read outside its recursion");
        foreach (SqlValue[] row in rows)
        {
            yield return row;
        }
    }

    public override string Describe() => $"WorkTable Scan on {name}";
}

/// <summary>
/// WITH RECURSIVE: the non-recursive term's rows, then the recursive term run again and again over the rows of the
/// iteration before (the working table) until an iteration adds none. UNION discards rows seen before (which ends
/// cycles); UNION ALL keeps them. Rows stream out an iteration at a time, so a LIMIT above stops the recursion.
/// A recursion that never ends fails with 54000 after <see cref="MaxRows"/> rows instead of exhausting memory.
/// </summary>
public sealed class RecursiveUnionNode(string name, PlanNode initial, PlanNode recursive, WorkTableNode workTable, bool all) : PlanNode
{
    /// <summary>The most rows one recursion may produce (the runbook's max_result_rows default, times ten).</summary>
    public const long MaxRows = 10_000_000;

    public override IReadOnlyList<PlanColumn> Columns => initial.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HashSet<SqlValue[]>? seen = all ? null : new HashSet<SqlValue[]>(RowComparer.Instance);
        var working = new List<SqlValue[]>();
        long produced = 0;
        foreach (SqlValue[] row in initial.Execute(context))
        {
            if (seen is null || seen.Add(row))
            {
                Count(context, ref produced);
                working.Add(row);
                yield return row;
            }
        }

        while (working.Count > 0)
        {
            // the whole iteration runs before its rows leave, so nothing else touches the working table meanwhile
            var next = new List<SqlValue[]>();
            workTable.Current = working;
            try
            {
                foreach (SqlValue[] row in recursive.Execute(context))
                {
                    if (seen is null || seen.Add(row))
                    {
                        Count(context, ref produced);
                        next.Add(row);
                    }
                }
            }
            finally
            {
                workTable.Current = null;
            }

            foreach (SqlValue[] row in next)
            {
                yield return row;
            }

            working = next;
        }
    }

    private void Count(EvalContext context, ref long produced)
    {
        context.Runtime?.CountRow();
        if (++produced > MaxRows)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, $"recursive query \"{name}\" produced more than {MaxRows} rows",
                hint: "Check the recursive term's stop condition; UNION instead of UNION ALL discards repeated rows and so ends cycles.");
        }
    }

    public override string Describe() => all ? "Recursive Union All" : "Recursive Union";

    public override IEnumerable<PlanNode> Children => [initial, recursive];
}

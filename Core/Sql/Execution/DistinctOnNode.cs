using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>DISTINCT ON over rows sorted with its key columns leading: the first row of each run of equal keys (NULLs equal).</summary>
public sealed class DistinctOnNode(PlanNode input, IReadOnlyList<int> keyColumns) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => input.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        SqlValue[]? previous = null;
        foreach (SqlValue[] row in input.Execute(context))
        {
            if (previous is null || !SameKey(previous, row))
            {
                yield return row;
            }

            previous = row;
        }
    }

    private bool SameKey(SqlValue[] a, SqlValue[] b)
    {
        foreach (int c in keyColumns)
        {
            if (a[c].IsNull != b[c].IsNull || (!a[c].IsNull && SqlCompare.Compare(a[c], b[c]) != 0))
            {
                return false;
            }
        }

        return true;
    }

    public override string Describe() => "Unique";

    public override IEnumerable<PlanNode> Children => [input];
}

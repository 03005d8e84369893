using ThunderDb.Core.Sql.Execution;

namespace ThunderDb.Core.Sql.Planning;

internal sealed partial class Binder
{
    /// <summary>
    /// SELECT DISTINCT ON (d...): sorted by ORDER BY, whose leading items must be the DISTINCT ON expressions
    /// (the ones ORDER BY leaves out sort after it, ascending), then the first row of each run of equal keys.
    /// </summary>
    private static PlanNode DistinctOn(PlanNode projected, List<int> distinctOn, List<SortKey> orderBy)
    {
        var sort = new List<SortKey>();
        bool skipped = false;
        foreach (SortKey key in orderBy)
        {
            if (distinctOn.Contains(key.Column))
            {
                if (skipped)
                {
                    throw new SqlException(SqlState.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
                }

                sort.Add(key);
            }
            else
            {
                skipped = true;
            }
        }

        foreach (int column in distinctOn)
        {
            if (sort.Any(k => k.Column == column))
            {
                continue;
            }

            if (skipped)
            {
                throw new SqlException(SqlState.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
            }

            sort.Add(new SortKey(column, false, false));
        }

        // the DISTINCT ON keys lead; the rest of ORDER BY picks which row of each group comes first
        sort.AddRange(orderBy.Where(k => !distinctOn.Contains(k.Column)));
        return new DistinctOnNode(new SortNode(projected, sort), [.. distinctOn.Distinct()]);
    }
}

using ThunderDb.Core.Sql.Execution;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// Which subqueries are correlated: every subquery being bound has a frame holding the scope it was bound in; a
/// column reference that resolves in that scope or any scope enclosing it makes the frame (and every frame nested in
/// it) correlated. An uncorrelated subquery runs once per statement (<see cref="SubqueryExpr"/>). A CTE read inside a
/// subquery counts as that CTE's own references: a recursive CTE's work table changes from step to step, and a CTE
/// that reads an enclosing query's columns changes with that row, so both correlate the frames opened after them.
/// </summary>
internal sealed partial class Binder
{
    private sealed class SubqueryFrame(Scope outer)
    {
        public Scope Outer { get; } = outer;

        public bool Correlated { get; set; }
    }

    private readonly List<SubqueryFrame> _subqueryFrames = [];

    /// <summary>For each CTE plan: how many subquery frames were open when it was bound, and whether it varies (see above).</summary>
    private readonly Dictionary<PlanNode, (int Frames, bool Varies)> _cteOrigins = new(ReferenceEqualityComparer.Instance);

    /// <summary>A reference from <paramref name="scope"/> to a column <paramref name="depth"/> scopes out.</summary>
    private void NoteOuterReference(Scope scope, int depth)
    {
        Scope target = scope;
        for (int i = 0; i < depth && target.Outer is not null; i++)
        {
            target = target.Outer;
        }

        foreach (SubqueryFrame frame in _subqueryFrames)
        {
            for (Scope? s = frame.Outer; s is not null; s = s.Outer)
            {
                if (ReferenceEquals(s, target))
                {
                    frame.Correlated = true;
                    break;
                }
            }
        }
    }

    /// <summary>Binds a CTE's plan, recording whether it reads the enclosing queries' rows.</summary>
    private PlanNode BindCte(Func<PlanNode> bind, Scope? outer, bool workTable = false)
    {
        int open = _subqueryFrames.Count;
        SubqueryFrame? probe = outer is null ? null : new SubqueryFrame(outer);
        if (probe is not null)
        {
            _subqueryFrames.Add(probe);
        }

        try
        {
            PlanNode plan = bind();
            _cteOrigins[plan] = (open, workTable || (probe?.Correlated ?? false));
            return plan;
        }
        finally
        {
            if (probe is not null)
            {
                _subqueryFrames.Remove(probe);
            }
        }
    }

    /// <summary>A CTE (or work table) read here: the subqueries opened since it was defined vary when it does.</summary>
    private void NoteCteReference(PlanNode plan)
    {
        if (_cteOrigins.TryGetValue(plan, out var origin) && origin.Varies)
        {
            for (int i = origin.Frames; i < _subqueryFrames.Count; i++)
            {
                _subqueryFrames[i].Correlated = true;
            }
        }
    }

    private void RegisterWorkTable(PlanNode workTable) => _cteOrigins[workTable] = (_subqueryFrames.Count, true);
}

using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// <c>WHERE [NOT] EXISTS (SELECT ... WHERE inner = outer ...)</c> and <c>WHERE x IN (SELECT y ...)</c> as one join:
/// the subquery's rows (its FROM with the conjuncts that read only it) are hashed once by their key, and every outer
/// row looks its key up, instead of running the subquery per outer row. A semi join passes an outer row that has a
/// match, an anti join one that has none; a NULL key matches nothing (SQL's <c>=</c>), so NOT EXISTS keeps such rows.
/// <para>
/// The subquery's expressions were bound as a nested query (its own columns at depth 0, the outer row's at depth 1),
/// so they run in a two-level context: <c>probe</c> holds the outer row, and below it the inner row. Outer keys that
/// came from the IN operand were bound in the outer query itself and run in <c>probe</c>.
/// <paramref name="residual"/> is the rest of the subquery's condition (it may read both rows); a key match counts
/// only when it holds.
/// </para>
/// </summary>
public sealed class HashSemiJoinNode(PlanNode outer, PlanNode inner, IReadOnlyList<BoundExpr> outerKeys, IReadOnlyList<bool> outerKeyNested,
    IReadOnlyList<BoundExpr> innerKeys, BoundExpr? residual, bool anti) : PlanNode
{
    public PlanNode Outer => outer;

    public PlanNode Inner => inner;

    public IReadOnlyList<BoundExpr> OuterKeys => outerKeys;

    /// <summary>Per outer key: true when it was bound inside the subquery (the outer row at depth 1), false for the IN operand.</summary>
    public IReadOnlyList<bool> OuterKeyNested => outerKeyNested;

    public IReadOnlyList<BoundExpr> InnerKeys => innerKeys;

    public BoundExpr? Residual => residual;

    public bool Anti => anti;

    public override IReadOnlyList<PlanColumn> Columns => outer.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        EvalContext probe = context.Nested();
        EvalContext nested = probe.Nested();
        Dictionary<SqlValue[], List<SqlValue[]>>? table = null;
        foreach (SqlValue[] row in outer.Execute(context))
        {
            table ??= Build(probe, nested);
            probe.Row = row;
            nested.Row = [];
            bool matched = false;
            if (OuterKey(probe, nested) is { } key && table.TryGetValue(key, out List<SqlValue[]>? hits))
            {
                if (residual is null)
                {
                    matched = true;
                }
                else
                {
                    foreach (SqlValue[] candidate in hits)
                    {
                        nested.Row = candidate;
                        SqlValue ok = residual.Evaluate(nested);
                        if (!ok.IsNull && ok.AsBool)
                        {
                            matched = true;
                            break;
                        }
                    }
                }
            }

            if (matched != anti)
            {
                yield return row;
            }
        }
    }

    private Dictionary<SqlValue[], List<SqlValue[]>> Build(EvalContext probe, EvalContext nested)
    {
        var table = new Dictionary<SqlValue[], List<SqlValue[]>>(RowComparer.Instance);
        probe.Row = [];
        foreach (SqlValue[] r in inner.Execute(probe))
        {
            nested.Row = r;
            var key = new SqlValue[innerKeys.Count];
            bool hasNull = false;
            for (int i = 0; i < key.Length && !hasNull; i++)
            {
                key[i] = innerKeys[i].Evaluate(nested);
                hasNull = key[i].IsNull;
            }

            if (hasNull)
            {
                continue;
            }

            if (!table.TryGetValue(key, out List<SqlValue[]>? rows))
            {
                table[key] = rows = new List<SqlValue[]>(1);
            }
            else if (residual is null)
            {
                continue; // without a residual condition one row per key says all there is to say
            }

            rows.Add(r);
        }

        return table;
    }

    private SqlValue[]? OuterKey(EvalContext probe, EvalContext nested)
    {
        var key = new SqlValue[outerKeys.Count];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = outerKeys[i].Evaluate(outerKeyNested[i] ? nested : probe);
            if (key[i].IsNull)
            {
                return null;
            }
        }

        return key;
    }

    public override string Describe() => anti ? "Hash Anti Join" : "Hash Semi Join";

    public override IEnumerable<PlanNode> Children => [outer, new HashNode(inner)];
}

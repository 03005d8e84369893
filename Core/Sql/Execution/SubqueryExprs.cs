using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// A subquery inside an expression. A correlated one (it reads a column of an enclosing query) runs again for every
/// row it is evaluated on; an uncorrelated one runs once per statement and its result is kept in the runtime
/// (PostgreSQL's InitPlan, or its "hashed SubPlan" for IN), so <c>x IN (SELECT ...)</c> over n outer rows reads
/// the subquery once, not n times.
/// </summary>
public abstract class SubqueryExpr(PlanNode plan, bool correlated, SqlType type) : BoundExpr(type)
{
    public PlanNode Plan { get; } = plan;

    /// <summary>Whether the subquery reads the enclosing queries' rows (the binder tracks every outer reference).</summary>
    public bool Correlated { get; } = correlated;

    /// <summary>The statement-wide result of an uncorrelated subquery, computed on first use; null when it must run per row.</summary>
    protected T? Once<T>(EvalContext context, Func<EvalContext, T> compute) where T : class
    {
        if (Correlated || context.Runtime is not { } runtime)
        {
            return null;
        }

        if (runtime.Subplans.TryGetValue(this, out object? kept))
        {
            return (T)kept;
        }

        T result = compute(context);
        runtime.Subplans[this] = result;
        return result;
    }
}

/// <summary>A subquery used as a value: the first column of its only row, NULL for no row, an error for more than one.</summary>
public sealed class ScalarSubqueryExpr(PlanNode plan, SqlType type, bool correlated = true) : SubqueryExpr(plan, correlated, type)
{
    private sealed record Kept(SqlValue Value);

    public override SqlValue Evaluate(EvalContext context) => Once(context, c => new Kept(Run(c)))?.Value ?? Run(context);

    private SqlValue Run(EvalContext context)
    {
        SqlValue result = SqlValue.Null;
        bool seen = false;
        foreach (SqlValue[] row in Plan.Execute(context))
        {
            if (seen)
            {
                throw new SqlException(SqlState.CardinalityViolation, "more than one row returned by a subquery used as an expression");
            }

            seen = true;
            result = row[0];
        }

        return result;
    }
}

public sealed class ExistsExpr(PlanNode plan, bool negated, bool correlated = true) : SubqueryExpr(plan, correlated, SqlType.Bool)
{
    private static readonly object Yes = new(), No = new();

    public bool Negated => negated;

    public override SqlValue Evaluate(EvalContext context)
    {
        object? kept = Once(context, c => Plan.Execute(c).Any() ? Yes : No);
        bool any = kept is null ? Plan.Execute(context).Any() : ReferenceEquals(kept, Yes);
        return SqlValue.FromBool(any != negated);
    }
}

/// <summary>
/// <c>x op ANY/ALL (subquery)</c> and <c>x [NOT] IN (subquery)</c> (IN is = ANY, NOT IN is &lt;&gt; ALL) with SQL's NULL rules:
/// ANY is true on any true comparison, else NULL if any was NULL, else false; ALL the reverse. Uncorrelated, the
/// subquery's values are read once; with <paramref name="hashable"/> (x and the column hash alike) IN and NOT IN look
/// x up in a hash set of them.
/// </summary>
public sealed class QuantifiedSubqueryExpr(BoundExpr left, ComparisonOperator op, bool all, PlanNode plan, bool correlated = true, bool hashable = false)
    : SubqueryExpr(plan, correlated, SqlType.Bool)
{
    public BoundExpr Left => left;

    public ComparisonOperator Operator => op;

    public bool All => all;

    /// <summary>IN or NOT IN looked up by hash (PostgreSQL's "hashed SubPlan").</summary>
    public bool Hashed => hashable && !Correlated && ((op == ComparisonOperator.Equal && !all) || (op == ComparisonOperator.NotEqual && all));

    private sealed class Values
    {
        public List<SqlValue> Items { get; } = [];

        public HashSet<SqlValue>? Set { get; set; }

        public bool HasNull { get; set; }
    }

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue x = left.Evaluate(context);
        Values? kept = Once(context, Read);
        if (kept is null)
        {
            return Compare(x, Plan.Execute(context).Select(r => r[0]));
        }

        if (kept.Set is not { } set)
        {
            return Compare(x, kept.Items);
        }

        if (kept.Items.Count == 0)
        {
            return SqlValue.FromBool(all); // no rows: ANY is false, ALL is true, whatever x is
        }

        if (x.IsNull)
        {
            return SqlValue.Null;
        }

        if (set.Contains(x))
        {
            return SqlValue.FromBool(!all); // IN found it; NOT IN (<> ALL) failed on it
        }

        return kept.HasNull ? SqlValue.Null : SqlValue.FromBool(all);
    }

    private Values Read(EvalContext context)
    {
        var values = new Values();
        foreach (SqlValue[] row in Plan.Execute(context))
        {
            values.Items.Add(row[0]);
            values.HasNull |= row[0].IsNull;
        }

        if (Hashed)
        {
            values.Set = new HashSet<SqlValue>(values.Items.Where(v => !v.IsNull), SqlValueEquality.Instance);
        }

        return values;
    }

    private SqlValue Compare(SqlValue x, IEnumerable<SqlValue> values)
    {
        bool sawNull = false;
        foreach (SqlValue v in values)
        {
            if (x.IsNull || v.IsNull)
            {
                sawNull = true;
                continue;
            }

            bool hit = ComparisonExpr.Test(op, SqlCompare.Compare(x, v));
            if (hit != all)
            {
                return SqlValue.FromBool(!all); // ANY: found a true; ALL: found a false
            }
        }

        return sawNull ? SqlValue.Null : SqlValue.FromBool(all);
    }
}

/// <summary>SQL equality of non-NULL values for hash sets (<see cref="SqlCompare.Hash"/> agrees with it within a hashable type pair).</summary>
public sealed class SqlValueEquality : IEqualityComparer<SqlValue>
{
    public static readonly SqlValueEquality Instance = new();

    public bool Equals(SqlValue x, SqlValue y) => x.IsNull == y.IsNull && (x.IsNull || SqlCompare.Compare(x, y) == 0);

    public int GetHashCode(SqlValue obj) => SqlCompare.Hash(obj);
}

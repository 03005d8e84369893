using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>What an expression reads while it is evaluated: the current row, the statement's parameters, and the rows of enclosing queries.</summary>
public sealed class EvalContext
{
    public EvalContext(SqlValue[] parameters, EvalContext? outer = null)
    {
        Parameters = parameters;
        Outer = outer;
    }

    /// <summary>The row being evaluated (for a join, the left row's columns then the right's).</summary>
    public SqlValue[] Row { get; set; } = [];

    public SqlValue[] Parameters { get; private set; }

    /// <summary>The enclosing query's context, for correlated subqueries.</summary>
    public EvalContext? Outer { get; }

    /// <summary>The statement's timestamp: now(), CURRENT_TIMESTAMP and friends are stable within a transaction, as in PostgreSQL.</summary>
    public long StatementTimestampMicros { get; set; }

    /// <summary>What subqueries need to run (transaction, catalog, storage); null when evaluating outside a statement.</summary>
    public ExecutionRuntime? Runtime { get; set; }

    /// <summary>Makes this top-level context the next statement's (a session reuses one instead of allocating one per statement).</summary>
    public void Reset(SqlValue[] parameters, ExecutionRuntime runtime, long statementTimestampMicros)
    {
        Parameters = parameters;
        Runtime = runtime;
        StatementTimestampMicros = statementTimestampMicros;
        Row = [];
    }

    /// <summary>A context for a nested query whose rows are evaluated below this one (correlated references reach up through <see cref="Outer"/>).</summary>
    public EvalContext Nested() => new(Parameters, this) { StatementTimestampMicros = StatementTimestampMicros, Runtime = Runtime };
}

/// <summary>
/// A typed, resolved expression ready to evaluate. The binder builds these from the syntax tree (names
/// resolved to column ordinals, operators and functions chosen, implicit casts inserted), so evaluation
/// does no lookups.
/// </summary>
public abstract class BoundExpr(SqlType type)
{
    public SqlType Type { get; } = type;

    public abstract SqlValue Evaluate(EvalContext context);

    /// <summary>True when the value does not depend on the row (constant folding, index key bounds).</summary>
    public virtual bool IsConstant => false;

    /// <summary>
    /// The sub-expressions, for the planner's analysis (which columns an expression reads); null for an expression
    /// the planner must treat as opaque (a subquery: its plan may read the row through correlated references).
    /// </summary>
    public virtual IReadOnlyList<BoundExpr>? Operands => null;
}

public sealed class ConstantExpr(SqlValue value, SqlType type) : BoundExpr(type)
{
    public SqlValue Value { get; } = value;

    public override SqlValue Evaluate(EvalContext context) => Value;

    public override bool IsConstant => true;

    public override IReadOnlyList<BoundExpr> Operands => [];
}

/// <summary>A column of the current row (<see cref="Depth"/> 0) or of an enclosing query's row (correlated reference).</summary>
public sealed class ColumnExpr(int ordinal, SqlType type, int depth = 0) : BoundExpr(type)
{
    public int Ordinal { get; } = ordinal;

    public int Depth { get; } = depth;

    public override SqlValue Evaluate(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        EvalContext at = context;
        for (int i = 0; i < Depth; i++)
        {
            at = at.Outer!;
        }

        return at.Row[Ordinal];
    }

    public override IReadOnlyList<BoundExpr> Operands => [];
}

/// <summary><c>$n</c>: the bound value, already converted to <see cref="BoundExpr.Type"/> when the statement was bound.</summary>
public sealed class ParameterExpr(int index, SqlType type) : BoundExpr(type)
{
    public int Index { get; } = index;

    public override SqlValue Evaluate(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Index >= context.Parameters.Length)
        {
            throw new SqlException("08P01", $"there is no parameter ${Index + 1}");
        }

        SqlValue v = context.Parameters[Index];
        return v.IsNull || v.Kind == Type.Kind || Type.Kind == SqlTypeKind.Unknown ? v : SqlCast.Coerce(v, Type);
    }

    public override IReadOnlyList<BoundExpr> Operands => [];
}

public sealed class CastExpr(BoundExpr operand, SqlType type, bool isExplicit) : BoundExpr(type)
{
    public BoundExpr Operand { get; } = operand;

    public override SqlValue Evaluate(EvalContext context) => SqlCast.Coerce(Operand.Evaluate(context), Type, isExplicit);

    public override bool IsConstant => Operand.IsConstant;

    public override IReadOnlyList<BoundExpr> Operands => [Operand];
}

public sealed class NegateExpr(BoundExpr operand) : BoundExpr(operand.Type)
{
    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue v = operand.Evaluate(context);
        return v.IsNull ? v : SqlArithmetic.Negate(v);
    }

    public override bool IsConstant => operand.IsConstant;

    public override IReadOnlyList<BoundExpr> Operands => [operand];
}

public sealed class ArithmeticExpr(ArithmeticOperator op, BoundExpr left, BoundExpr right, SqlType type) : BoundExpr(type)
{
    public ArithmeticOperator Operator => op;

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue l = left.Evaluate(context);
        if (l.IsNull)
        {
            return l;
        }

        SqlValue r = right.Evaluate(context);
        return r.IsNull ? r : SqlArithmetic.Apply(op, l, r, Type);
    }

    public override bool IsConstant => left.IsConstant && right.IsConstant;

    public override IReadOnlyList<BoundExpr> Operands => [left, right];
}

/// <summary><c>a || b</c>: text concatenation (NULL if either side is NULL).</summary>
public sealed class ConcatExpr(BoundExpr left, BoundExpr right) : BoundExpr(SqlType.Text)
{
    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue l = left.Evaluate(context);
        SqlValue r = right.Evaluate(context);
        if (l.IsNull || r.IsNull)
        {
            return SqlValue.Null;
        }

        return SqlValue.FromText(AsText(l) + AsText(r));
    }

    private static string AsText(SqlValue v) => SqlCompare.IsString(v.Kind) && !v.IsArray
        ? v.Kind == SqlTypeKind.Char ? v.AsString.TrimEnd(' ') : v.AsString
        : SqlCast.Coerce(v, SqlType.Text).AsString;

    public override bool IsConstant => left.IsConstant && right.IsConstant;

    public override IReadOnlyList<BoundExpr> Operands => [left, right];
}

public enum ComparisonOperator : byte
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>A comparison: NULL when either side is NULL, otherwise true or false.</summary>
public sealed class ComparisonExpr(ComparisonOperator op, BoundExpr left, BoundExpr right) : BoundExpr(SqlType.Bool)
{
    public ComparisonOperator Operator { get; } = op;

    public BoundExpr Left { get; } = left;

    public BoundExpr Right { get; } = right;

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue l = Left.Evaluate(context);
        if (l.IsNull)
        {
            return SqlValue.Null;
        }

        SqlValue r = Right.Evaluate(context);
        return r.IsNull ? SqlValue.Null : SqlValue.FromBool(Test(Operator, SqlCompare.Compare(l, r)));
    }

    public static bool Test(ComparisonOperator op, int c) => op switch
    {
        ComparisonOperator.Equal => c == 0,
        ComparisonOperator.NotEqual => c != 0,
        ComparisonOperator.Less => c < 0,
        ComparisonOperator.LessOrEqual => c <= 0,
        ComparisonOperator.Greater => c > 0,
        _ => c >= 0,
    };

    public override bool IsConstant => Left.IsConstant && Right.IsConstant;

    public override IReadOnlyList<BoundExpr> Operands => [Left, Right];
}

/// <summary>AND over any number of operands with three-valued logic: false wins, then NULL, then true.</summary>
public sealed class AndExpr(IReadOnlyList<BoundExpr> operands) : BoundExpr(SqlType.Bool)
{
    public override IReadOnlyList<BoundExpr> Operands { get; } = operands;

    public override SqlValue Evaluate(EvalContext context)
    {
        bool sawNull = false;
        foreach (BoundExpr e in Operands)
        {
            SqlValue v = e.Evaluate(context);
            if (v.IsNull)
            {
                sawNull = true;
            }
            else if (!v.AsBool)
            {
                return SqlValue.FromBool(false);
            }
        }

        return sawNull ? SqlValue.Null : SqlValue.FromBool(true);
    }
}

/// <summary>OR with three-valued logic: true wins, then NULL, then false.</summary>
public sealed class OrExpr(IReadOnlyList<BoundExpr> operands) : BoundExpr(SqlType.Bool)
{
    public override SqlValue Evaluate(EvalContext context)
    {
        bool sawNull = false;
        foreach (BoundExpr e in operands)
        {
            SqlValue v = e.Evaluate(context);
            if (v.IsNull)
            {
                sawNull = true;
            }
            else if (v.AsBool)
            {
                return SqlValue.FromBool(true);
            }
        }

        return sawNull ? SqlValue.Null : SqlValue.FromBool(false);
    }

    public override IReadOnlyList<BoundExpr> Operands => operands;
}

public sealed class NotExpr(BoundExpr operand) : BoundExpr(SqlType.Bool)
{
    public BoundExpr Operand => operand;

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue v = operand.Evaluate(context);
        return v.IsNull ? v : SqlValue.FromBool(!v.AsBool);
    }

    public override IReadOnlyList<BoundExpr> Operands => [operand];
}

/// <summary><c>IS [NOT] NULL</c>, <c>IS [NOT] TRUE/FALSE/UNKNOWN</c>: never NULL.</summary>
public sealed class IsExpr(BoundExpr operand, bool? truth, bool negated) : BoundExpr(SqlType.Bool)
{
    public bool? Truth => truth;

    public BoundExpr Operand => operand;

    /// <summary>True for <c>IS [NOT] NULL</c> (not a truth test).</summary>
    public bool IsNullTest => truth is null;

    public bool Negated => negated;

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue v = operand.Evaluate(context);
        bool result = truth is bool t ? !v.IsNull && v.AsBool == t : v.IsNull;
        return SqlValue.FromBool(result != negated);
    }

    public override IReadOnlyList<BoundExpr> Operands => [operand];
}

/// <summary><c>a IS [NOT] DISTINCT FROM b</c>: equality where NULL equals NULL; never NULL.</summary>
public sealed class IsDistinctExpr(BoundExpr left, BoundExpr right, bool negated) : BoundExpr(SqlType.Bool)
{
    public bool Negated => negated;

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue l = left.Evaluate(context), r = right.Evaluate(context);
        bool distinct = l.IsNull || r.IsNull ? l.IsNull != r.IsNull : SqlCompare.Compare(l, r) != 0;
        return SqlValue.FromBool(distinct != negated);
    }

    public override IReadOnlyList<BoundExpr> Operands => [left, right];
}

/// <summary><c>x [NOT] IN (a, b, ...)</c>: true on a match; otherwise NULL if x or any item is NULL, else false.</summary>
public sealed class InListExpr(BoundExpr operand, IReadOnlyList<BoundExpr> items, bool negated) : BoundExpr(SqlType.Bool)
{
    public BoundExpr Operand => operand;

    public IReadOnlyList<BoundExpr> Items => items;

    public bool Negated => negated;

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue x = operand.Evaluate(context);
        if (x.IsNull)
        {
            return SqlValue.Null;
        }

        bool sawNull = false;
        foreach (BoundExpr item in items)
        {
            SqlValue v = item.Evaluate(context);
            if (v.IsNull)
            {
                sawNull = true;
            }
            else if (SqlCompare.Compare(x, v) == 0)
            {
                return SqlValue.FromBool(!negated);
            }
        }

        return sawNull ? SqlValue.Null : SqlValue.FromBool(negated);
    }

    public override IReadOnlyList<BoundExpr> Operands => [operand, .. items];
}

public sealed class LikeExpr(BoundExpr operand, BoundExpr pattern, BoundExpr? escape, bool ignoreCase, bool negated) : BoundExpr(SqlType.Bool)
{
    /// <summary>PostgreSQL's operator name for EXPLAIN: ~~, !~~, ~~*, !~~*.</summary>
    public string OperatorName => (negated ? "!" : "") + (ignoreCase ? "~~*" : "~~");

    public BoundExpr Subject => operand;

    public BoundExpr Pattern => pattern;

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue s = operand.Evaluate(context), p = pattern.Evaluate(context);
        if (s.IsNull || p.IsNull)
        {
            return SqlValue.Null;
        }

        char? esc = '\\';
        if (escape is not null)
        {
            SqlValue e = escape.Evaluate(context);
            if (e.IsNull)
            {
                return SqlValue.Null;
            }

            esc = e.AsString.Length switch
            {
                0 => null,
                1 => e.AsString[0],
                _ => throw new SqlException("22019", "invalid escape string", hint: "Escape string must be empty or one character."),
            };
        }

        return SqlValue.FromBool(LikePattern.Matches(s.AsString, p.AsString, ignoreCase, esc) != negated);
    }

    public override IReadOnlyList<BoundExpr> Operands => escape is null ? [operand, pattern] : [operand, pattern, escape];
}

/// <summary>CASE: the first WHEN that is true (searched) or equal to the operand (simple) gives the result; else ELSE or NULL.</summary>
public sealed class CaseExpr(BoundExpr? operand, IReadOnlyList<(BoundExpr When, BoundExpr Then)> whens, BoundExpr? otherwise, SqlType type) : BoundExpr(type)
{
    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue subject = operand?.Evaluate(context) ?? default;
        foreach ((BoundExpr when, BoundExpr then) in whens)
        {
            SqlValue w = when.Evaluate(context);
            bool hit = operand is null
                ? !w.IsNull && w.AsBool
                : !subject.IsNull && !w.IsNull && SqlCompare.Compare(subject, w) == 0;
            if (hit)
            {
                return then.Evaluate(context);
            }
        }

        return otherwise?.Evaluate(context) ?? SqlValue.Null;
    }

    public override IReadOnlyList<BoundExpr> Operands => [.. (operand is null ? [] : new[] { operand }), .. whens.SelectMany(w => new[] { w.When, w.Then }), .. (otherwise is null ? [] : new[] { otherwise })];
}

/// <summary>COALESCE: the first non-NULL argument, evaluating no further.</summary>
public sealed class CoalesceExpr(IReadOnlyList<BoundExpr> args, SqlType type) : BoundExpr(type)
{
    public override SqlValue Evaluate(EvalContext context)
    {
        foreach (BoundExpr a in args)
        {
            SqlValue v = a.Evaluate(context);
            if (!v.IsNull)
            {
                return v;
            }
        }

        return SqlValue.Null;
    }

    public override IReadOnlyList<BoundExpr> Operands => args;
}

/// <summary>A built-in scalar function. Strict functions return NULL for any NULL argument without being called, as PostgreSQL's STRICT does.</summary>
public sealed class FunctionExpr(string name, Func<SqlValue[], EvalContext, SqlValue> body, IReadOnlyList<BoundExpr> args, SqlType type, bool strict, bool volatileResult = false)
    : BoundExpr(type)
{
    public string Name { get; } = name;

    /// <summary>A function whose result may change between calls (random(), nextval()).</summary>
    public bool IsVolatile => volatileResult;

    public override SqlValue Evaluate(EvalContext context)
    {
        var values = new SqlValue[args.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = args[i].Evaluate(context);
            if (strict && values[i].IsNull)
            {
                return SqlValue.Null;
            }
        }

        return body(values, context);
    }

    public override bool IsConstant => !volatileResult && args.All(a => a.IsConstant);

    public override IReadOnlyList<BoundExpr> Operands => args;
}

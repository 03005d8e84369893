using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>PostgreSQL's implicit typing rules the binder applies: common types, operator result types, implicit casts.</summary>
internal static class TypeRules
{
    private static int NumericRank(SqlTypeKind k) => k switch
    {
        SqlTypeKind.Int2 => 1,
        SqlTypeKind.Int4 => 2,
        SqlTypeKind.Int8 => 3,
        SqlTypeKind.Oid => 3,
        SqlTypeKind.Numeric => 4,
        SqlTypeKind.Float4 => 5,
        SqlTypeKind.Float8 => 6,
        _ => 0,
    };

    /// <summary>The type several expressions unify to (CASE, COALESCE, UNION, VALUES columns); unknown literals become text.</summary>
    public static SqlType Common(IEnumerable<SqlType> types, string context, int position = 0)
    {
        SqlType? result = null;
        foreach (SqlType t in types)
        {
            if (t.Kind == SqlTypeKind.Unknown && !t.IsArray)
            {
                continue;
            }

            if (result is not SqlType r)
            {
                result = t;
                continue;
            }

            if (r.Kind == t.Kind && r.IsArray == t.IsArray && Equals(r.Enum, t.Enum))
            {
                if (r.Modifier != t.Modifier)
                {
                    result = r with { Modifier = -1 };
                }

                continue;
            }

            if (r.IsNumeric && t.IsNumeric)
            {
                result = NumericRank(t.Kind) > NumericRank(r.Kind) ? t with { Modifier = -1 } : r with { Modifier = -1 };
            }
            else if (r.IsString && t.IsString)
            {
                result = SqlType.Text;
            }
            else if (IsTimeLine(r.Kind) && IsTimeLine(t.Kind))
            {
                result = r.Kind == SqlTypeKind.TimestampTz || t.Kind == SqlTypeKind.TimestampTz ? SqlType.TimestampTz : SqlType.Timestamp;
            }
            else
            {
                throw new SqlException(SqlState.DatatypeMismatch, $"{context} types {r} and {t} cannot be matched", position: position);
            }
        }

        return result ?? SqlType.Text;
    }

    private static bool IsTimeLine(SqlTypeKind k) => k is SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz;

    /// <summary>Converts <paramref name="e"/> to <paramref name="target"/> implicitly: constants are folded now (errors point at them), others get a cast.</summary>
    public static BoundExpr Coerce(BoundExpr e, SqlType target, int position = 0)
    {
        if (target.Kind == SqlTypeKind.Unknown && !target.IsArray)
        {
            return e;
        }

        if (e.Type == target || (e.Type.Kind == target.Kind && e.Type.IsArray == target.IsArray && target.Modifier < 0))
        {
            return e;
        }

        if (e is ConstantExpr c)
        {
            try
            {
                return new ConstantExpr(SqlCast.Coerce(c.Value, target), target);
            }
            catch (SqlException x) when (x.Position == 0 && position > 0)
            {
                throw x.AtPosition(position);
            }
        }

        if (e is Execution.ParameterExpr p && p.Type.Kind == SqlTypeKind.Unknown)
        {
            return new Execution.ParameterExpr(p.Index, target);
        }

        return new CastExpr(e, target, isExplicit: false);
    }

    /// <summary>The result type of an arithmetic operator on two types, or null when PostgreSQL has no such operator.</summary>
    public static SqlType? Arithmetic(ArithmeticOperator op, SqlType l, SqlType r)
    {
        if (l.IsArray || r.IsArray)
        {
            return null;
        }

        if (l.IsNumeric && r.IsNumeric)
        {
            if (op == ArithmeticOperator.Power)
            {
                return l.Kind == SqlTypeKind.Numeric || r.Kind == SqlTypeKind.Numeric ? SqlType.Numeric : SqlType.Float8;
            }

            if (l.IsInteger && r.IsInteger)
            {
                return NumericRank(l.Kind) >= NumericRank(r.Kind) ? (l.Kind == SqlTypeKind.Oid ? SqlType.Int8 : l with { Modifier = -1 }) : r with { Modifier = -1 };
            }

            if (l.Kind is SqlTypeKind.Float4 or SqlTypeKind.Float8 || r.Kind is SqlTypeKind.Float4 or SqlTypeKind.Float8)
            {
                return l.Kind == SqlTypeKind.Float4 && r.Kind == SqlTypeKind.Float4 ? SqlType.Float4 : SqlType.Float8;
            }

            return SqlType.Numeric;
        }

        return (l.Kind, r.Kind, op) switch
        {
            (SqlTypeKind.Date, SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8, ArithmeticOperator.Add or ArithmeticOperator.Subtract) => SqlType.Date,
            (SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8, SqlTypeKind.Date, ArithmeticOperator.Add) => SqlType.Date,
            (SqlTypeKind.Date, SqlTypeKind.Date, ArithmeticOperator.Subtract) => SqlType.Int4,
            (SqlTypeKind.Date, SqlTypeKind.Interval, ArithmeticOperator.Add or ArithmeticOperator.Subtract) => SqlType.Timestamp,
            (SqlTypeKind.Interval, SqlTypeKind.Date, ArithmeticOperator.Add) => SqlType.Timestamp,
            (SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz, SqlTypeKind.Interval, ArithmeticOperator.Add or ArithmeticOperator.Subtract) => l,
            (SqlTypeKind.Interval, SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz, ArithmeticOperator.Add) => r,
            (SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Date, SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Date, ArithmeticOperator.Subtract) => SqlType.Interval,
            (SqlTypeKind.Time, SqlTypeKind.Interval, ArithmeticOperator.Add or ArithmeticOperator.Subtract) => SqlType.Time,
            (SqlTypeKind.Interval, SqlTypeKind.Interval, ArithmeticOperator.Add or ArithmeticOperator.Subtract) => SqlType.Interval,
            (SqlTypeKind.Interval, _, ArithmeticOperator.Multiply or ArithmeticOperator.Divide) when r.IsNumeric => SqlType.Interval,
            (_, SqlTypeKind.Interval, ArithmeticOperator.Multiply) when l.IsNumeric => SqlType.Interval,
            _ => null,
        };
    }

    /// <summary>The type an untyped literal takes opposite a typed operand of an arithmetic operator (PostgreSQL: the other side's type).</summary>
    public static SqlType ForUnknownOperand(SqlType other, ArithmeticOperator op) =>
        other.Kind switch
        {
            SqlTypeKind.Date when op == ArithmeticOperator.Subtract => SqlType.Date,
            SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Time when op is ArithmeticOperator.Add or ArithmeticOperator.Subtract => SqlType.Interval,
            _ => other.Kind is SqlTypeKind.Char or SqlTypeKind.Varchar ? SqlType.Text : other with { Modifier = -1 },
        };
}

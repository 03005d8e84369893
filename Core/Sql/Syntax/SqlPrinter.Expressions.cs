namespace ThunderDb.Core.Sql.Syntax;

public sealed partial class SqlPrinter
{
    private void Predicate(SqlExpr e)
    {
        switch (e)
        {
            case IsExpr i:
                Text("(");
                Expr(i.Operand);
                Text(i.Negated ? " IS NOT " : " IS ").Text(i.Test switch
                {
                    IsTest.Null => "NULL",
                    IsTest.True => "TRUE",
                    IsTest.False => "FALSE",
                    _ => "UNKNOWN",
                });
                Text(")");
                break;
            case IsDistinctFromExpr d:
                Text("(");
                Expr(d.Left);
                Text(d.Negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
                Expr(d.Right);
                Text(")");
                break;
            case BetweenExpr b:
                Text("(");
                Expr(b.Operand);
                Text(b.Negated ? " NOT BETWEEN " : " BETWEEN ");
                if (b.Symmetric)
                {
                    Text("SYMMETRIC ");
                }

                Expr(b.Low);
                Text(" AND ");
                Expr(b.High);
                Text(")");
                break;
            case InListExpr il:
                Text("(");
                Expr(il.Operand);
                Text(il.Negated ? " NOT IN (" : " IN (");
                ExprList(il.List);
                Text("))");
                break;
            case InSubqueryExpr isq:
                Text("(");
                Expr(isq.Operand);
                Text(isq.Negated ? " NOT IN (" : " IN (");
                Query(isq.Subquery);
                Text("))");
                break;
            case LikeExpr l:
                Text("(");
                Expr(l.Operand);
                Text(l.Negated ? " NOT" : "").Text(l.Kind switch
                {
                    LikeKind.Like => " LIKE ",
                    LikeKind.ILike => " ILIKE ",
                    _ => " SIMILAR TO ",
                });
                Expr(l.Pattern);
                if (l.Escape is not null)
                {
                    Text(" ESCAPE ");
                    Expr(l.Escape);
                }

                Text(")");
                break;
            case CastExpr c:
                Text("CAST(");
                Expr(c.Operand);
                Text(" AS ");
                Type(c.Type);
                Text(")");
                break;
            case CaseExpr c:
                Text("CASE");
                if (c.Operand is not null)
                {
                    Text(" ");
                    Expr(c.Operand);
                }

                foreach (CaseWhen w in c.Whens)
                {
                    Text(" WHEN ");
                    Expr(w.When);
                    Text(" THEN ");
                    Expr(w.Then);
                }

                if (c.Else is not null)
                {
                    Text(" ELSE ");
                    Expr(c.Else);
                }

                Text(" END");
                break;
            case FunctionCallExpr f:
                FunctionCall(f);
                break;
            case ExtractExpr x:
                Text("EXTRACT(").Text(QuoteIdentifier(x.Field)).Text(" FROM ");
                Expr(x.Source);
                Text(")");
                break;
            case ExistsExpr x:
                Text("EXISTS (");
                Query(x.Subquery);
                Text(")");
                break;
            case SubqueryExpr s:
                Text("(");
                Query(s.Subquery);
                Text(")");
                break;
            case QuantifiedExpr q:
                Text("(");
                Expr(q.Left);
                Text(" ").Text(q.Operator).Text(q.Quantifier == Quantifier.All ? " ALL (" : " ANY (");
                if (q.Subquery is not null)
                {
                    Query(q.Subquery);
                }
                else
                {
                    Expr(q.Array!);
                }

                Text("))");
                break;
            case ArrayExpr a:
                Text("ARRAY[");
                ExprList(a.Elements);
                Text("]");
                break;
            case ArraySubqueryExpr a:
                Text("ARRAY(");
                Query(a.Subquery);
                Text(")");
                break;
            case SubscriptExpr s:
                Text("(");
                Expr(s.Operand);
                Text(")[");
                if (s.Lower is not null)
                {
                    Expr(s.Lower);
                }

                if (s.IsSlice)
                {
                    Text(":");
                    if (s.Upper is not null)
                    {
                        Expr(s.Upper);
                    }
                }

                Text("]");
                break;
            case RowExpr r:
                Text(r.ExplicitRow ? "ROW(" : "(");
                ExprList(r.Fields);
                Text(")");
                break;
            case FieldSelectExpr f:
                Text("(");
                Expr(f.Operand);
                Text(").");
                Name(f.Field);
                break;
            case SqlValueFunctionExpr v:
                Text(v.Function switch
                {
                    SqlValueFunction.CurrentDate => "CURRENT_DATE",
                    SqlValueFunction.CurrentTime => "CURRENT_TIME",
                    SqlValueFunction.CurrentTimestamp => "CURRENT_TIMESTAMP",
                    SqlValueFunction.LocalTime => "LOCALTIME",
                    SqlValueFunction.LocalTimestamp => "LOCALTIMESTAMP",
                    SqlValueFunction.CurrentUser => "CURRENT_USER",
                    SqlValueFunction.CurrentRole => "CURRENT_ROLE",
                    SqlValueFunction.SessionUser => "SESSION_USER",
                    SqlValueFunction.User => "USER",
                    SqlValueFunction.CurrentCatalog => "CURRENT_CATALOG",
                    _ => "CURRENT_SCHEMA",
                });
                if (v.Precision is { } p)
                {
                    Text("(").Text(p.ToString(System.Globalization.CultureInfo.InvariantCulture)).Text(")");
                }

                break;
            case DefaultExpr:
                Text("DEFAULT");
                break;
            case CollateExpr c:
                Text("(");
                Expr(c.Operand);
                Text(" COLLATE ");
                Names(c.Collation);
                Text(")");
                break;
            case AtTimeZoneExpr a:
                Text("(");
                Expr(a.Operand);
                Text(" AT TIME ZONE ");
                Expr(a.Zone);
                Text(")");
                break;
            case VariableExpr v:
                Text(v.System ? "@@" : "@");
                if (v.System && v.Scope != SetScope.Session)
                {
                    Text(v.Scope == SetScope.Global ? "global." : "local.");
                }

                Text(v.Name);
                break;
            default:
                throw new NotSupportedException("cannot print " + e.GetType().Name);
        }
    }

    private void FunctionCall(FunctionCallExpr f)
    {
        if (f.Name is ["position"] && f.Args.Count == 2 && !f.Distinct && f.Over is null && f.Filter is null)
        {
            Text("POSITION(");
            Expr(f.Args[1]);
            Text(" IN ");
            Expr(f.Args[0]);
            Text(")");
            return;
        }

        for (int i = 0; i < f.Name.Count; i++)
        {
            if (i > 0)
            {
                Text(".");
            }

            string part = f.Name[i];
            bool bareKeyword = f.Name.Count == 1 && part is "coalesce" or "nullif" or "greatest" or "least" or "substring" or "left" or "right";
            Text(bareKeyword ? part : QuoteIdentifier(part));
        }

        Text("(");
        if (f.Star)
        {
            Text("*");
        }
        else
        {
            if (f.Distinct)
            {
                Text("DISTINCT ");
            }

            for (int i = 0; i < f.Args.Count; i++)
            {
                Text(i == 0 ? "" : ", ").Text(f.VariadicLast && i == f.Args.Count - 1 ? "VARIADIC " : "");
                Expr(f.Args[i]);
            }

            if (f.OrderBy is { Count: > 0 })
            {
                Text(" ORDER BY ");
                OrderList(f.OrderBy);
            }
        }

        Text(")");
        if (f.WithinGroup is not null)
        {
            Text(" WITHIN GROUP (ORDER BY ");
            OrderList(f.WithinGroup);
            Text(")");
        }

        if (f.Filter is not null)
        {
            Text(" FILTER (WHERE ");
            Expr(f.Filter);
            Text(")");
        }

        if (f.Over is not null)
        {
            Text(" OVER ");
            if (f.Over.BaseName is not null && f.Over.PartitionBy.Count == 0 && f.Over.OrderBy.Count == 0 && f.Over.Frame is null)
            {
                Name(f.Over.BaseName);
            }
            else
            {
                Window(f.Over);
            }
        }
    }

    private void Window(WindowSpec w)
    {
        Text("(");
        bool space = false;
        if (w.BaseName is not null)
        {
            Name(w.BaseName);
            space = true;
        }

        if (w.PartitionBy.Count > 0)
        {
            Text(space ? " PARTITION BY " : "PARTITION BY ");
            ExprList(w.PartitionBy);
            space = true;
        }

        if (w.OrderBy.Count > 0)
        {
            Text(space ? " ORDER BY " : "ORDER BY ");
            OrderList(w.OrderBy);
            space = true;
        }

        if (w.Frame is { } f)
        {
            Text(space ? " " : "").Text(f.Unit switch { FrameUnit.Rows => "ROWS", FrameUnit.Range => "RANGE", _ => "GROUPS" });
            if (f.End is not null)
            {
                Text(" BETWEEN ");
                Bound(f.Start);
                Text(" AND ");
                Bound(f.End);
            }
            else
            {
                Text(" ");
                Bound(f.Start);
            }

            if (f.Exclude is not null)
            {
                Text(" EXCLUDE ").Text(f.Exclude.ToUpperInvariant());
            }
        }

        Text(")");
    }

    private void Bound(FrameBound b)
    {
        switch (b.Kind)
        {
            case FrameBoundKind.UnboundedPreceding: Text("UNBOUNDED PRECEDING"); break;
            case FrameBoundKind.UnboundedFollowing: Text("UNBOUNDED FOLLOWING"); break;
            case FrameBoundKind.CurrentRow: Text("CURRENT ROW"); break;
            default:
                Expr(b.Offset!);
                Text(b.Kind == FrameBoundKind.Preceding ? " PRECEDING" : " FOLLOWING");
                break;
        }
    }

    private void OrderList(IReadOnlyList<OrderItem> items) => List(items, o =>
    {
        Expr(o.Expr);
        if (o.UsingOperator is not null)
        {
            Text(" USING ").Text(o.UsingOperator);
        }
        else if (o.Descending)
        {
            Text(" DESC");
        }

        if (o.NullsFirst is { } first)
        {
            Text(first ? " NULLS FIRST" : " NULLS LAST");
        }
    });
}

namespace ThunderDb.Core.Sql.Syntax;

public sealed partial class SqlPrinter
{
    private void Query(Query q)
    {
        if (q.With is not null)
        {
            With(q.With);
        }

        QueryBody(q.Body);
        if (q.OrderBy.Count > 0)
        {
            Text(" ORDER BY ");
            OrderList(q.OrderBy);
        }

        if (q.Limit is not null)
        {
            if (q.WithTies)
            {
                Text(" FETCH FIRST ");
                Expr(q.Limit);
                Text(" ROWS WITH TIES");
            }
            else
            {
                Text(" LIMIT ");
                Expr(q.Limit);
            }
        }

        if (q.Offset is not null)
        {
            Text(" OFFSET ");
            Expr(q.Offset);
        }

        foreach (LockingClause l in q.Locking)
        {
            Text(l.Strength switch
            {
                LockStrength.Update => " FOR UPDATE",
                LockStrength.NoKeyUpdate => " FOR NO KEY UPDATE",
                LockStrength.Share => " FOR SHARE",
                _ => " FOR KEY SHARE",
            });
            if (l.Of.Count > 0)
            {
                Text(" OF ");
                List(l.Of, n => Names(n.Parts));
            }

            Text(l.Wait switch { LockWait.NoWait => " NOWAIT", LockWait.SkipLocked => " SKIP LOCKED", _ => "" });
        }
    }

    private void With(WithClause w)
    {
        Text(w.Recursive ? "WITH RECURSIVE " : "WITH ");
        List(w.Ctes, c =>
        {
            Name(c.Name);
            if (c.Columns is not null)
            {
                Text(" ");
                NameList(c.Columns);
            }

            Text(c.Materialized switch { true => " AS MATERIALIZED (", false => " AS NOT MATERIALIZED (", _ => " AS (" });
            Query(c.Query);
            Text(")");
        });
        Text(" ");
    }

    private void QueryBody(QueryExpr body)
    {
        switch (body)
        {
            case Query nested:
                Text("(");
                Query(nested);
                Text(")");
                break;
            case SetOperationQuery s:
                QueryBody(s.Left);
                Text(s.Operator switch { SetOperator.Union => " UNION ", SetOperator.Intersect => " INTERSECT ", _ => " EXCEPT " });
                if (s.All)
                {
                    Text("ALL ");
                }

                QueryBody(s.Right);
                break;
            case ValuesQuery v:
                Text("VALUES ");
                List(v.Rows, row =>
                {
                    Text("(");
                    ExprList(row);
                    Text(")");
                });
                break;
            case SelectQuery s:
                Select(s);
                break;
        }
    }

    private void Select(SelectQuery s)
    {
        Text("SELECT");
        if (s.Distinct == DistinctKind.Distinct)
        {
            Text(" DISTINCT");
        }
        else if (s.Distinct == DistinctKind.DistinctOn)
        {
            Text(" DISTINCT ON (");
            ExprList(s.DistinctOn);
            Text(")");
        }

        if (s.Targets.Count > 0)
        {
            Text(" ");
            SelectItems(s.Targets);
        }

        if (s.From.Count > 0)
        {
            Text(" FROM ");
            List(s.From, Table);
        }

        if (s.Where is not null)
        {
            Text(" WHERE ");
            Expr(s.Where);
        }

        if (s.GroupBy.Count > 0)
        {
            Text(" GROUP BY ");
            ExprList(s.GroupBy);
        }

        if (s.Having is not null)
        {
            Text(" HAVING ");
            Expr(s.Having);
        }

        if (s.Windows.Count > 0)
        {
            Text(" WINDOW ");
            List(s.Windows, w =>
            {
                Name(w.Name);
                Text(" AS ");
                Window(w.Spec);
            });
        }
    }

    private void SelectItems(IReadOnlyList<SelectItem> items) => List(items, item =>
    {
        Expr(item.Expr);
        if (item.Alias is not null)
        {
            Text(" AS ");
            Name(item.Alias);
        }
    });

    private void Alias(TableAlias? alias)
    {
        if (alias is null)
        {
            return;
        }

        Text(" AS ");
        Name(alias.Name);
        if (alias.Columns is not null)
        {
            NameList(alias.Columns);
        }
    }

    private void Table(TableRef t)
    {
        switch (t)
        {
            case NamedTableRef n:
                if (n.Only)
                {
                    Text("ONLY ");
                }

                Names(n.Name.Parts);
                Alias(n.Alias);
                break;
            case SubqueryTableRef s:
                Text(s.Lateral ? "LATERAL (" : "(");
                Query(s.Query);
                Text(")");
                Alias(s.Alias);
                break;
            case FunctionTableRef f:
                if (f.Lateral)
                {
                    Text("LATERAL ");
                }

                FunctionCall(f.Function);
                if (f.WithOrdinality)
                {
                    Text(" WITH ORDINALITY");
                }

                Alias(f.Alias);
                break;
            case JoinTableRef j:
                if (j.Alias is not null)
                {
                    Text("(");
                }

                Table(j.Left);
                if (j.Natural)
                {
                    Text(" NATURAL");
                }

                Text(j.Kind switch
                {
                    JoinKind.Inner => " JOIN ",
                    JoinKind.Left => " LEFT JOIN ",
                    JoinKind.Right => " RIGHT JOIN ",
                    JoinKind.Full => " FULL JOIN ",
                    _ => " CROSS JOIN ",
                });
                if (j.Right is JoinTableRef { Alias: null })
                {
                    Text("(");
                    Table(j.Right);
                    Text(")");
                }
                else
                {
                    Table(j.Right);
                }

                if (j.On is not null)
                {
                    Text(" ON ");
                    Expr(j.On);
                }
                else if (j.Using is not null)
                {
                    Text(" USING ");
                    NameList(j.Using);
                }

                if (j.Alias is not null)
                {
                    Text(")");
                    Alias(j.Alias);
                }

                break;
        }
    }
}

namespace ThunderDb.Core.Sql.Syntax;

public sealed partial class SqlPrinter
{
    private void Statement(SqlStatement s)
    {
        switch (s)
        {
            case SelectStatement sel:
                Query(sel.Query);
                break;
            case InsertStatement i:
                Insert(i);
                break;
            case UpdateStatement u:
                if (u.With is not null)
                {
                    With(u.With);
                }

                Text(u.Only ? "UPDATE ONLY " : "UPDATE ");
                Names(u.Table.Parts);
                Alias(u.Alias);
                Text(" SET ");
                Assignments(u.Set);
                if (u.From.Count > 0)
                {
                    Text(" FROM ");
                    List(u.From, Table);
                }

                Where(u.Where);
                Returning(u.Returning);
                break;
            case DeleteStatement d:
                if (d.With is not null)
                {
                    With(d.With);
                }

                Text(d.Only ? "DELETE FROM ONLY " : "DELETE FROM ");
                Names(d.Table.Parts);
                Alias(d.Alias);
                if (d.Using.Count > 0)
                {
                    Text(" USING ");
                    List(d.Using, Table);
                }

                Where(d.Where);
                Returning(d.Returning);
                break;
            case TransactionStatement t:
                Transaction(t);
                break;
            case SetTransactionStatement st:
                Text(st.SessionDefault ? "SET SESSION CHARACTERISTICS AS TRANSACTION" : "SET TRANSACTION");
                Modes(st.Modes);
                break;
            case SetStatement set:
                Text(set.Scope == SetScope.Local ? "SET LOCAL " : "SET ");
                Name(set.Name);
                Text(" = ");
                if (set.ToDefault)
                {
                    Text("DEFAULT");
                }
                else
                {
                    ExprList(set.Values);
                }

                break;
            case ResetStatement r:
                Text("RESET ");
                if (r.Name is null)
                {
                    Text("ALL");
                }
                else
                {
                    Name(r.Name);
                }

                break;
            case ShowStatement sh:
                Text("SHOW ");
                if (sh.Name == "all")
                {
                    Text("ALL");
                }
                else
                {
                    Name(sh.Name);
                }

                break;
            case ExplainStatement e:
                Text("EXPLAIN ");
                if (e.Options.Count > 0)
                {
                    Options(e.Options);
                    Text(" ");
                }
                else
                {
                    Text(e.Analyze ? "ANALYZE " : "").Text(e.Verbose ? "VERBOSE " : "");
                }

                Statement(e.Statement);
                break;
            case PrepareStatement p:
                Text("PREPARE ");
                Name(p.Name);
                if (p.ParameterTypes.Count > 0)
                {
                    Text(" (");
                    List(p.ParameterTypes, Type);
                    Text(")");
                }

                Text(" AS ");
                Statement(p.Statement);
                break;
            case ExecuteStatement x:
                Text("EXECUTE ");
                Name(x.Name);
                if (x.Args.Count > 0)
                {
                    Text(" (");
                    ExprList(x.Args);
                    Text(")");
                }

                break;
            case DeallocateStatement da:
                Text("DEALLOCATE ");
                if (da.Name is null)
                {
                    Text("ALL");
                }
                else
                {
                    Name(da.Name);
                }

                break;
            case CopyStatement c:
                Copy(c);
                break;
            case VacuumStatement v:
                Text("VACUUM");
                if (v.Options.Count > 0)
                {
                    Text(" ");
                    Options(v.Options);
                }

                MaintenanceTargets(v.Tables, v.Columns);

                break;
            case AnalyzeStatement a:
                Text(a.Verbose ? "ANALYZE VERBOSE" : "ANALYZE");
                MaintenanceTargets(a.Tables, a.Columns);

                break;
            case CloseStatement cl:
                Text("CLOSE ");
                if (cl.Portal is null)
                {
                    Text("ALL");
                }
                else
                {
                    Name(cl.Portal);
                }

                break;
            case ListenStatement ls:
                Text(ls.Kind switch { ListenKind.Listen => "LISTEN ", ListenKind.Unlisten => "UNLISTEN ", _ => "NOTIFY " });
                if (ls.Channel is null)
                {
                    Text("*");
                }
                else
                {
                    Name(ls.Channel);
                }

                if (ls.Payload is not null)
                {
                    Text(", ").Text(QuoteString(ls.Payload));
                }

                break;
            case MySqlShowStatement ms:
                Text("SHOW ").Text(ms.Full ? "FULL " : "").Text(ms.What.ToUpperInvariant());
                if (ms.Target is not null)
                {
                    Text(ms.What.StartsWith("create", StringComparison.Ordinal) ? " " : " FROM ");
                    Names(ms.Target.Parts);
                }

                if (ms.Database is not null)
                {
                    Text(" FROM ");
                    Name(ms.Database);
                }

                if (ms.Like is not null)
                {
                    Text(" LIKE ");
                    Expr(ms.Like);
                }

                Where(ms.Where);
                break;
            case UseStatement use:
                Text("USE ");
                Name(use.Database);
                break;
            case SetVariablesStatement sv:
                Text("SET ");
                List(sv.Assignments, a =>
                {
                    Text(a.Scope switch { SetScope.User => "@", SetScope.Global => "@@global.", _ => "" });
                    Name(a.Name);
                    Text(" = ");
                    if (a.ToDefault)
                    {
                        Text("DEFAULT");
                    }
                    else
                    {
                        ExprList(a.Values);
                    }
                });
                break;
            case DiscardStatement di:
                Text("DISCARD ").Text(di.What.ToUpperInvariant());
                break;
            default:
                Ddl(s);
                break;
        }
    }

    private void Where(SqlExpr? where)
    {
        if (where is not null)
        {
            Text(" WHERE ");
            Expr(where);
        }
    }

    private void Returning(IReadOnlyList<SelectItem>? returning)
    {
        if (returning is not null)
        {
            Text(" RETURNING ");
            SelectItems(returning);
        }
    }

    private void Assignments(IReadOnlyList<Assignment> set) => List(set, a =>
    {
        if (a.MultiColumn)
        {
            NameList(a.Columns);
        }
        else
        {
            Name(a.Columns[0]);
        }

        Text(" = ");
        Expr(a.Value);
    });

    private void Insert(InsertStatement i)
    {
        if (i.With is not null)
        {
            With(i.With);
        }

        Text("INSERT INTO ");
        Names(i.Table.Parts);
        if (i.Alias is not null)
        {
            Text(" AS ");
            Name(i.Alias);
        }

        if (i.Columns is not null)
        {
            Text(" ");
            NameList(i.Columns);
        }

        if (i.DefaultValues)
        {
            Text(" DEFAULT VALUES");
        }
        else
        {
            Text(" ");
            Query(i.Source!);
        }

        if (i.OnConflict is { } oc)
        {
            Text(" ON CONFLICT");
            if (oc.Target is not null)
            {
                Text(" (");
                ExprList(oc.Target);
                Text(")");
                Where(oc.TargetWhere);
            }
            else if (oc.Constraint is not null)
            {
                Text(" ON CONSTRAINT ");
                Name(oc.Constraint);
            }

            if (oc.Action == ConflictAction.DoNothing)
            {
                Text(" DO NOTHING");
            }
            else
            {
                Text(" DO UPDATE SET ");
                Assignments(oc.Set);
                Where(oc.Where);
            }
        }

        Returning(i.Returning);
    }

    private void Transaction(TransactionStatement t)
    {
        switch (t.Kind)
        {
            case TransactionKind.Begin:
                Text("BEGIN");
                Modes(t.Modes);
                break;
            case TransactionKind.Commit:
                Text(t.Chain ? "COMMIT AND CHAIN" : "COMMIT");
                break;
            case TransactionKind.Rollback:
                Text(t.Chain ? "ROLLBACK AND CHAIN" : "ROLLBACK");
                break;
            case TransactionKind.Savepoint:
                Text("SAVEPOINT ");
                Name(t.Savepoint!);
                break;
            case TransactionKind.Release:
                Text("RELEASE SAVEPOINT ");
                Name(t.Savepoint!);
                break;
            case TransactionKind.RollbackToSavepoint:
                Text("ROLLBACK TO SAVEPOINT ");
                Name(t.Savepoint!);
                break;
        }
    }

    private void Modes(TransactionModes m)
    {
        if (m.Isolation is { } level)
        {
            Text(" ISOLATION LEVEL ").Text(level switch
            {
                IsolationLevel.ReadUncommitted => "READ UNCOMMITTED",
                IsolationLevel.ReadCommitted => "READ COMMITTED",
                IsolationLevel.RepeatableRead => "REPEATABLE READ",
                _ => "SERIALIZABLE",
            });
        }

        if (m.ReadOnly is { } ro)
        {
            Text(ro ? " READ ONLY" : " READ WRITE");
        }

        if (m.Deferrable is { } d)
        {
            Text(d ? " DEFERRABLE" : " NOT DEFERRABLE");
        }
    }

    private void MaintenanceTargets(IReadOnlyList<ObjectName> tables, IReadOnlyList<IReadOnlyList<string>>? columns)
    {
        for (int i = 0; i < tables.Count; i++)
        {
            Text(i == 0 ? " " : ", ");
            Names(tables[i].Parts);
            if (columns is not null && i < columns.Count && columns[i].Count > 0)
            {
                Text(" ");
                NameList(columns[i]);
            }
        }
    }

    private void Options(IReadOnlyList<GenericOption> options)
    {
        Text("(");
        List(options, o =>
        {
            Name(o.Name);
            if (o.Names is not null)
            {
                Text(" ");
                NameList(o.Names);
            }
            else if (o.Value is "*")
            {
                Text(" *");
            }
            else if (o.Value is not null)
            {
                Text(" ").Text(QuoteString(o.Value));
            }
        });
        Text(")");
    }

    private void Copy(CopyStatement c)
    {
        Text("COPY ");
        if (c.Query is not null)
        {
            Text("(");
            Query(c.Query);
            Text(")");
        }
        else
        {
            Names(c.Table!.Parts);
            if (c.Columns is not null)
            {
                Text(" ");
                NameList(c.Columns);
            }
        }

        Text(c.IsFrom ? " FROM " : " TO ");
        Text(c.File is not null ? QuoteString(c.File) : c.IsFrom ? "STDIN" : "STDOUT");
        if (c.Options.Count > 0)
        {
            Text(" WITH ");
            Options(c.Options);
        }
    }
}

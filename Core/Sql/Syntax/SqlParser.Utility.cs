namespace ThunderDb.Core.Sql.Syntax;

// Statement dispatch, transactions, SET / SHOW / RESET, EXPLAIN, PREPARE / EXECUTE / DEALLOCATE.
public sealed partial class SqlParser
{
    private SqlStatement ParseStatement()
    {
        Enter();
        SqlStatement statement = ParseStatementBody();
        Exit();
        if (_selectInto is { At: int into })
        {
            // an INTO in a SELECT that is not a statement of its own (CREATE VIEW v AS SELECT ... INTO t)
            throw SqlSyntaxException.At(_sql, into, "SELECT ... INTO is not allowed here");
        }

        return statement;
    }

    private SqlStatement ParseStatementBody()
    {
        SqlToken t = Current;
        if (t.Kind == TokenKind.LeftParen)
        {
            return SelectOrInto(ParseQuery());
        }

        if (t.Kind != TokenKind.Word)
        {
            throw Error();
        }

        if (TryParseRoleStatement(out SqlStatement? role))
        {
            return role!;
        }

        switch (t.Keyword)
        {
            case Keyword.Select or Keyword.Values or Keyword.Table:
                return SelectOrInto(ParseQuery());
            case Keyword.With:
                return ParseWithStatement();
            case Keyword.Insert:
                return ParseInsert(null);
            case Keyword.Replace when MySql:
                return ParseInsert(null);
            case Keyword.Update:
                return ParseUpdate(null);
            case Keyword.Delete:
                return ParseDelete(null);
            case Keyword.Create:
                return ParseCreate();
            case Keyword.Drop:
                return ParseDrop();
            case Keyword.Alter when !MySql && IsKeywordAt(1, Keyword.Type):
                return ParseAlterType();
            case Keyword.Alter:
                return ParseAlterTable();
            case Keyword.Truncate:
                return ParseTruncate();
            case Keyword.Begin or Keyword.Start or Keyword.Commit or Keyword.End or Keyword.Rollback or Keyword.Abort or Keyword.Savepoint or Keyword.Release:
                return ParseTransaction();
            case Keyword.Set:
                return ParseSet();
            case Keyword.Reset:
            {
                Advance();
                string? name = AcceptKeyword(Keyword.All) ? null : ParseSettingName();
                return new ResetStatement(name);
            }

            case Keyword.Show:
                return ParseShow();
            case Keyword.Use when MySql:
                Advance();
                return new UseStatement(ParseColId());
            case Keyword.Explain or Keyword.Desc when MySql && PeekToken().Kind is TokenKind.Word or TokenKind.QuotedIdentifier && !IsQueryKeyword(PeekToken()):
            case Keyword.None when MySql && TextOf(t).Equals("describe", StringComparison.OrdinalIgnoreCase):
                // MySQL DESCRIBE t is SHOW COLUMNS FROM t.
                Advance();
                return new MySqlShowStatement("columns", false, null, ParseObjectName(), null, null, null);
            case Keyword.Explain:
                return ParseExplain();
            case Keyword.Prepare:
                return ParsePrepare();
            case Keyword.Execute:
            {
                Advance();
                string name = ParseColId();
                List<SqlExpr> args = [];
                if (Accept(TokenKind.LeftParen))
                {
                    args = ParseExprList();
                    Expect(TokenKind.RightParen);
                }

                return new ExecuteStatement(name, args);
            }

            case Keyword.Deallocate:
                Advance();
                AcceptKeyword(Keyword.Prepare);
                return new DeallocateStatement(AcceptKeyword(Keyword.All) ? null : ParseColId());
            case Keyword.Copy:
                return ParseCopy();
            case Keyword.Vacuum:
                return ParseVacuum();
            case Keyword.Analyze or Keyword.Analyse:
            {
                Advance();
                bool verbose = AcceptKeyword(Keyword.Verbose);
                (List<ObjectName> tables, List<IReadOnlyList<string>> columns) = ParseMaintenanceTargets();
                return new AnalyzeStatement(tables, verbose, columns);
            }

            case Keyword.Discard:
            {
                Advance();
                SqlToken what = Advance();
                return what.Keyword switch
                {
                    Keyword.All => new DiscardStatement("all"),
                    Keyword.Plans => new DiscardStatement("plans"),
                    Keyword.Sequences => new DiscardStatement("sequences"),
                    Keyword.Temp or Keyword.Temporary => new DiscardStatement("temp"),
                    _ => throw ErrorAt(what),
                };
            }

            case Keyword.None when TextOf(t).Equals("close", StringComparison.OrdinalIgnoreCase):
                Advance();
                return new CloseStatement(AcceptKeyword(Keyword.All) ? null : ParseColId());
            case Keyword.None when TextOf(t).Equals("listen", StringComparison.OrdinalIgnoreCase):
                Advance();
                return new ListenStatement(ListenKind.Listen, ParseColId());
            case Keyword.None when TextOf(t).Equals("unlisten", StringComparison.OrdinalIgnoreCase):
                Advance();
                return new ListenStatement(ListenKind.Unlisten, AcceptOperator("*") ? null : ParseColId());
            case Keyword.None when TextOf(t).Equals("notify", StringComparison.OrdinalIgnoreCase):
            {
                Advance();
                string channel = ParseColId();
                return new ListenStatement(ListenKind.Notify, channel, Accept(TokenKind.Comma) ? ParseStringLiteral() : null);
            }

            default:
                throw Error();
        }
    }

    private static bool IsQueryKeyword(SqlToken t) =>
        t.Keyword is Keyword.Select or Keyword.Insert or Keyword.Update or Keyword.Delete or Keyword.Replace or Keyword.With
            or Keyword.Analyze or Keyword.Format or Keyword.Values or Keyword.Table;

    private TransactionStatement ParseTransaction()
    {
        SqlToken t = Advance();
        switch (t.Keyword)
        {
            case Keyword.Begin:
            case Keyword.Start:
                if (t.Keyword == Keyword.Start)
                {
                    ExpectKeyword(Keyword.Transaction);
                }
                else if (!AcceptKeyword(Keyword.Work))
                {
                    AcceptKeyword(Keyword.Transaction);
                }

                if (MySql && AcceptKeyword(Keyword.With))
                {
                    // WITH CONSISTENT SNAPSHOT: every ThunderDB transaction reads one snapshot.
                    if (!(Current.Kind == TokenKind.Word && TextOf(Current).Equals("consistent", StringComparison.OrdinalIgnoreCase)))
                    {
                        throw Error();
                    }

                    Advance();
                    ParseColLabel();
                }

                return new TransactionStatement(TransactionKind.Begin, ParseTransactionModes());
            case Keyword.Commit:
            case Keyword.End:
                AcceptWorkOrTransaction();
                return new TransactionStatement(TransactionKind.Commit, TransactionModes.Default, null, ParseChain());
            case Keyword.Rollback:
            case Keyword.Abort:
                AcceptWorkOrTransaction();
                if (t.Keyword == Keyword.Rollback && AcceptKeyword(Keyword.To))
                {
                    AcceptKeyword(Keyword.Savepoint);
                    return new TransactionStatement(TransactionKind.RollbackToSavepoint, TransactionModes.Default, ParseColId());
                }

                return new TransactionStatement(TransactionKind.Rollback, TransactionModes.Default, null, ParseChain());
            case Keyword.Savepoint:
                return new TransactionStatement(TransactionKind.Savepoint, TransactionModes.Default, ParseColId());
            default:
                AcceptKeyword(Keyword.Savepoint);
                return new TransactionStatement(TransactionKind.Release, TransactionModes.Default, ParseColId());
        }
    }

    private void AcceptWorkOrTransaction()
    {
        if (!AcceptKeyword(Keyword.Work))
        {
            AcceptKeyword(Keyword.Transaction);
        }
    }

    private bool ParseChain()
    {
        if (!AcceptKeyword(Keyword.And))
        {
            return false;
        }

        bool no = AcceptKeyword(Keyword.No);
        ExpectKeyword(Keyword.Chain);
        return !no;
    }

    private TransactionModes ParseTransactionModes()
    {
        IsolationLevel? isolation = null;
        bool? readOnly = null, deferrable = null;
        while (true)
        {
            if (AcceptKeywords(Keyword.Isolation, Keyword.Level))
            {
                if (AcceptKeyword(Keyword.Serializable))
                {
                    isolation = IsolationLevel.Serializable;
                }
                else if (AcceptKeyword(Keyword.Repeatable))
                {
                    ExpectKeyword(Keyword.Read);
                    isolation = IsolationLevel.RepeatableRead;
                }
                else
                {
                    ExpectKeyword(Keyword.Read);
                    isolation = AcceptKeyword(Keyword.Committed) ? IsolationLevel.ReadCommitted
                        : AcceptKeyword(Keyword.Uncommitted) ? IsolationLevel.ReadUncommitted
                        : throw Error();
                }
            }
            else if (AcceptKeywords(Keyword.Read, Keyword.Only))
            {
                readOnly = true;
            }
            else if (AcceptKeywords(Keyword.Read, Keyword.Write))
            {
                readOnly = false;
            }
            else if (AcceptKeyword(Keyword.Deferrable))
            {
                deferrable = true;
            }
            else if (AcceptKeywords(Keyword.Not, Keyword.Deferrable))
            {
                deferrable = false;
            }
            else
            {
                return new TransactionModes(isolation, readOnly, deferrable);
            }

            Accept(TokenKind.Comma);
        }
    }

    private SqlStatement ParseExplain()
    {
        ExpectKeyword(Keyword.Explain);
        bool analyze = false, verbose = false;
        List<GenericOption> options = [];
        if (Is(TokenKind.LeftParen))
        {
            options = ParseParenthesizedOptions();
            foreach (GenericOption o in options)
            {
                bool on = o.Value is null || o.Value is "true" or "on" or "1";
                if (o.Name is "analyze" or "analyse")
                {
                    analyze = on;
                }
                else if (o.Name == "verbose")
                {
                    verbose = on;
                }
            }
        }
        else
        {
            analyze = AcceptKeyword(Keyword.Analyze) || AcceptKeyword(Keyword.Analyse);
            verbose = AcceptKeyword(Keyword.Verbose);
        }

        return new ExplainStatement(ParseStatement(), analyze, verbose, options);
    }

    private PrepareStatement ParsePrepare()
    {
        ExpectKeyword(Keyword.Prepare);
        string name = ParseColId();
        var types = new List<TypeName>();
        if (Accept(TokenKind.LeftParen))
        {
            do
            {
                types.Add(ParseTypeName());
            }
            while (Accept(TokenKind.Comma));

            Expect(TokenKind.RightParen);
        }

        ExpectKeyword(Keyword.As);
        return new PrepareStatement(name, types, ParseStatement());
    }
}

namespace ThunderDb.Core.Sql.Syntax;

// Queries: WITH, set operations, SELECT blocks, VALUES, ORDER BY / LIMIT / OFFSET / FETCH / FOR UPDATE.
public sealed partial class SqlParser
{
    private Query ParseQuery()
    {
        Enter();
        WithClause? with = IsKeyword(Keyword.With) ? ParseWith() : null;
        QueryExpr body = ParseSetOperations(0);
        List<OrderItem> orderBy = AcceptKeywords(Keyword.Order, Keyword.By) ? ParseOrderByList() : [];
        SqlExpr? limit = null, offset = null;
        bool withTies = false;
        for (int clause = 0; clause < 2; clause++)
        {
            if (limit is null && AcceptKeyword(Keyword.Limit))
            {
                if (AcceptKeyword(Keyword.All))
                {
                    limit = new LiteralExpr(LiteralKind.Null, "");
                }
                else
                {
                    limit = ParseExpr();
                    if (MySql && Accept(TokenKind.Comma))
                    {
                        // MySQL LIMIT offset, count.
                        offset = limit;
                        limit = ParseExpr();
                    }
                }
            }
            else if (offset is null && AcceptKeyword(Keyword.Offset))
            {
                offset = ParseExpr();
                if (!AcceptKeyword(Keyword.Rows))
                {
                    AcceptKeyword(Keyword.Row);
                }
            }
            else if (limit is null && AcceptKeyword(Keyword.Fetch))
            {
                if (!AcceptKeyword(Keyword.First))
                {
                    ExpectKeyword(Keyword.Next);
                }

                limit = IsKeyword(Keyword.Row) || IsKeyword(Keyword.Rows) ? IntLiteral(1) : ParseExpr(PrecAdd - 1);
                if (!AcceptKeyword(Keyword.Rows))
                {
                    ExpectKeyword(Keyword.Row);
                }

                if (AcceptKeywords(Keyword.With, Keyword.Ties))
                {
                    withTies = true;
                }
                else
                {
                    ExpectKeyword(Keyword.Only);
                }
            }
        }

        List<LockingClause> locking = [];
        while (IsKeyword(Keyword.For) || (MySql && IsKeyword(Keyword.Lock)))
        {
            locking.Add(ParseLockingClause());
        }

        Exit();
        if (with is null && orderBy.Count == 0 && limit is null && offset is null && locking.Count == 0 && body is Query q)
        {
            return q;
        }

        return new Query(with, body, orderBy, limit, offset, locking, withTies);
    }

    private WithClause ParseWith()
    {
        ExpectKeyword(Keyword.With);
        bool recursive = AcceptKeyword(Keyword.Recursive);
        var ctes = new List<CommonTableExpr>();
        do
        {
            string name = ParseColId();
            List<string>? columns = Is(TokenKind.LeftParen) ? ParseParenthesizedNames() : null;
            ExpectKeyword(Keyword.As);
            bool? materialized = null;
            if (AcceptKeyword(Keyword.Materialized))
            {
                materialized = true;
            }
            else if (IsKeyword(Keyword.Not) && IsKeywordAt(1, Keyword.Materialized))
            {
                _pos += 2;
                materialized = false;
            }

            Expect(TokenKind.LeftParen);
            Query query = ParseQuery();
            Expect(TokenKind.RightParen);
            ctes.Add(new CommonTableExpr(name, columns, query, materialized));
        }
        while (Accept(TokenKind.Comma));

        return new WithClause(recursive, ctes);
    }

    /// <summary>UNION and EXCEPT bind looser than INTERSECT; all are left-associative.</summary>
    private QueryExpr ParseSetOperations(int minPrecedence)
    {
        QueryExpr left = ParseQueryPrimary();
        while (true)
        {
            SetOperator op;
            int precedence;
            if (IsKeyword(Keyword.Union))
            {
                (op, precedence) = (SetOperator.Union, 1);
            }
            else if (IsKeyword(Keyword.Except) || (MySql && Current.Kind == TokenKind.Word && TextOf(Current).Equals("minus", StringComparison.OrdinalIgnoreCase)))
            {
                (op, precedence) = (SetOperator.Except, 1);
            }
            else if (IsKeyword(Keyword.Intersect))
            {
                (op, precedence) = (SetOperator.Intersect, 2);
            }
            else
            {
                return left;
            }

            if (precedence <= minPrecedence)
            {
                return left;
            }

            Advance();
            bool all = AcceptKeyword(Keyword.All);
            if (!all)
            {
                AcceptKeyword(Keyword.Distinct);
            }

            QueryExpr right = ParseSetOperations(precedence);
            left = new SetOperationQuery(op, all, left, right);
        }
    }

    private QueryExpr ParseQueryPrimary()
    {
        if (Is(TokenKind.LeftParen))
        {
            Advance();
            Query inner = ParseQuery();
            Expect(TokenKind.RightParen);
            return inner;
        }

        if (IsKeyword(Keyword.Values) || (MySql && IsKeyword(Keyword.Value)))
        {
            return ParseValues();
        }

        if (IsKeyword(Keyword.Table))
        {
            // TABLE t is SELECT * FROM t.
            Advance();
            var table = new NamedTableRef(ParseObjectName(), null);
            return new SelectQuery(DistinctKind.None, [], [new SelectItem(new StarExpr([]), null)], [table], null, [], null, []);
        }

        ExpectKeyword(Keyword.Select);
        return ParseSelectBody();
    }

    private ValuesQuery ParseValues()
    {
        Advance();
        var rows = new List<IReadOnlyList<SqlExpr>>();
        do
        {
            if (MySql)
            {
                AcceptKeyword(Keyword.Row);
            }

            Expect(TokenKind.LeftParen);
            List<SqlExpr> row = MySql && Is(TokenKind.RightParen) ? [] : ParseExprList();
            Expect(TokenKind.RightParen);
            rows.Add(row);
        }
        while (Accept(TokenKind.Comma));

        return new ValuesQuery(rows);
    }

    private SelectQuery ParseSelectBody()
    {
        DistinctKind distinct = DistinctKind.None;
        List<SqlExpr> distinctOn = [];
        if (AcceptKeyword(Keyword.Distinct))
        {
            distinct = DistinctKind.Distinct;
            if (AcceptKeyword(Keyword.On))
            {
                distinct = DistinctKind.DistinctOn;
                Expect(TokenKind.LeftParen);
                distinctOn = ParseExprList();
                Expect(TokenKind.RightParen);
            }
        }
        else
        {
            AcceptKeyword(Keyword.All);
        }

        List<SelectItem> targets = IsEndOfTargetList() ? [] : ParseSelectList();
        if (!MySql && IsKeyword(Keyword.Into))
        {
            ParseSelectInto();
        }

        List<TableRef> from = AcceptKeyword(Keyword.From) ? ParseFromList() : [];
        if (MySql && from is [NamedTableRef { Name.Parts.Count: 1, Alias: null } dual] && dual.Name.Name.Equals("dual", StringComparison.OrdinalIgnoreCase))
        {
            // MySQL's FROM DUAL means no table.
            from = [];
        }

        SqlExpr? where = AcceptKeyword(Keyword.Where) ? ParseExpr() : null;
        List<SqlExpr> groupBy = [];
        if (AcceptKeywords(Keyword.Group, Keyword.By))
        {
            if (!AcceptKeyword(Keyword.All))
            {
                AcceptKeyword(Keyword.Distinct);
            }

            groupBy = ParseExprList();
        }

        SqlExpr? having = AcceptKeyword(Keyword.Having) ? ParseExpr() : null;
        List<NamedWindow> windows = [];
        if (AcceptKeyword(Keyword.Window))
        {
            do
            {
                string name = ParseColId();
                ExpectKeyword(Keyword.As);
                windows.Add(new NamedWindow(name, ParseWindowSpec()));
            }
            while (Accept(TokenKind.Comma));
        }

        return new SelectQuery(distinct, distinctOn, targets, from, where, groupBy, having, windows);
    }

    /// <summary>PostgreSQL allows an empty select list (<c>SELECT FROM t</c>, <c>SELECT;</c>).</summary>
    private bool IsEndOfTargetList() => Current.Kind is TokenKind.EndOfInput or TokenKind.Semicolon or TokenKind.RightParen
        || (Current.Kind == TokenKind.Word && Current.Keyword is Keyword.From or Keyword.Where or Keyword.Union or Keyword.Intersect or Keyword.Except or Keyword.Group or Keyword.Order or Keyword.Limit);

    /// <summary>The table of <c>SELECT ... INTO [TEMP] [TABLE] name</c>, which makes the statement a CREATE TABLE AS.</summary>
    private (ObjectName Name, bool Temporary, int At)? _selectInto;

    /// <summary>SELECT's INTO clause: only in the statement's own (outermost) SELECT, as PostgreSQL allows it.</summary>
    private void ParseSelectInto()
    {
        Advance();
        bool temporary = AcceptKeyword(Keyword.Temporary) || AcceptKeyword(Keyword.Temp);
        AcceptKeyword(Keyword.Unlogged);
        AcceptKeyword(Keyword.Table);
        int at = Current.Start;
        ObjectName name = ParseObjectName();
        if (_depth != 2 || _selectInto is not null)
        {
            throw SqlSyntaxException.At(_sql, at, "SELECT ... INTO is not allowed here"); // PostgreSQL points at the table's name
        }

        _selectInto = (name, temporary, at);
    }

    /// <summary>A SELECT statement, or the CREATE TABLE AS that its INTO clause asked for.</summary>
    private SqlStatement SelectOrInto(Query query)
    {
        if (_selectInto is not { } into)
        {
            return new SelectStatement(query);
        }

        _selectInto = null;
        return new CreateTableStatement(into.Name, IfNotExists: false, [], [], [], into.Temporary, query);
    }

    private List<SelectItem> ParseSelectList()
    {
        var items = new List<SelectItem>();
        do
        {
            items.Add(ParseSelectItem());
        }
        while (Accept(TokenKind.Comma));

        return items;
    }

    private SelectItem ParseSelectItem()
    {
        if (IsOperator("*"))
        {
            int at = Advance().Start;
            return new SelectItem(At(new StarExpr([]), at), null);
        }

        SqlExpr e = ParseExpr();
        return new SelectItem(e, ParseColumnAlias());
    }

    /// <summary><c>AS label</c>, or a bare name that is not a keyword with a meaning here.</summary>
    private string? ParseColumnAlias()
    {
        if (AcceptKeyword(Keyword.As))
        {
            return Is(TokenKind.String) && MySql ? ParseStringLiteral() : ParseColLabel();
        }

        if (Current.Kind == TokenKind.QuotedIdentifier || (Current.Kind == TokenKind.Word && CategoryOf(Current) <= KeywordCategory.ColumnName && !IsBareAliasStop()))
        {
            return NameOf(Advance());
        }

        return MySql && Is(TokenKind.String) ? ParseStringLiteral() : null;
    }

    /// <summary>Unreserved words that end a select item or a table reference rather than name it.</summary>
    private bool IsBareAliasStop() => Current.Keyword is Keyword.Set or Keyword.Values
        || (MySql && Current.Keyword is Keyword.Lock or Keyword.Use or Keyword.Ignore or Keyword.Div or Keyword.Mod or Keyword.Xor or Keyword.Regexp or Keyword.Rlike or Keyword.On)
        || (MySql && Current.Kind == TokenKind.Word && (TextOf(Current).Equals("force", StringComparison.OrdinalIgnoreCase) || TextOf(Current).Equals("straight_join", StringComparison.OrdinalIgnoreCase)));

    private List<OrderItem> ParseOrderByList()
    {
        var items = new List<OrderItem>();
        do
        {
            SqlExpr e = ParseExpr();
            bool descending = false;
            string? usingOp = null;
            if (AcceptKeyword(Keyword.Desc))
            {
                descending = true;
            }
            else if (AcceptKeyword(Keyword.Using))
            {
                usingOp = ParseOperatorName();
                descending = usingOp == ">";
            }
            else
            {
                AcceptKeyword(Keyword.Asc);
            }

            bool? nullsFirst = null;
            if (AcceptKeyword(Keyword.Nulls))
            {
                if (AcceptKeyword(Keyword.First))
                {
                    nullsFirst = true;
                }
                else
                {
                    ExpectKeyword(Keyword.Last);
                    nullsFirst = false;
                }
            }

            items.Add(new OrderItem(e, descending, nullsFirst, usingOp is "<" or ">" ? null : usingOp));
        }
        while (Accept(TokenKind.Comma));

        return items;
    }

    private LockingClause ParseLockingClause()
    {
        if (AcceptKeyword(Keyword.Lock))
        {
            // MySQL LOCK IN SHARE MODE.
            ExpectKeyword(Keyword.In);
            ExpectKeyword(Keyword.Share);
            ExpectKeyword(Keyword.Mode);
            return new LockingClause(LockStrength.Share, [], LockWait.Wait);
        }

        ExpectKeyword(Keyword.For);
        LockStrength strength;
        if (AcceptKeyword(Keyword.Update))
        {
            strength = LockStrength.Update;
        }
        else if (AcceptKeyword(Keyword.Share))
        {
            strength = LockStrength.Share;
        }
        else if (AcceptKeyword(Keyword.No))
        {
            ExpectKeyword(Keyword.Key);
            ExpectKeyword(Keyword.Update);
            strength = LockStrength.NoKeyUpdate;
        }
        else
        {
            ExpectKeyword(Keyword.Key);
            ExpectKeyword(Keyword.Share);
            strength = LockStrength.KeyShare;
        }

        List<ObjectName> of = AcceptKeyword(Keyword.Of) ? ParseObjectNameList() : [];
        LockWait wait = LockWait.Wait;
        if (AcceptKeyword(Keyword.Nowait))
        {
            wait = LockWait.NoWait;
        }
        else if (AcceptKeyword(Keyword.Skip))
        {
            ExpectKeyword(Keyword.Locked);
            wait = LockWait.SkipLocked;
        }

        return new LockingClause(strength, of, wait);
    }

    private WindowSpec ParseWindowSpec()
    {
        Expect(TokenKind.LeftParen);
        string? baseName = null;
        if (IsColId(Current) && !IsKeyword(Keyword.Partition) && !IsKeyword(Keyword.Range) && !IsKeyword(Keyword.Rows) && !IsKeyword(Keyword.Groups))
        {
            baseName = ParseColId();
        }

        List<SqlExpr> partition = AcceptKeywords(Keyword.Partition, Keyword.By) ? ParseExprList() : [];
        List<OrderItem> order = AcceptKeywords(Keyword.Order, Keyword.By) ? ParseOrderByList() : [];
        WindowFrame? frame = null;
        if (IsKeyword(Keyword.Rows) || IsKeyword(Keyword.Range) || IsKeyword(Keyword.Groups))
        {
            FrameUnit unit = Advance().Keyword switch { Keyword.Rows => FrameUnit.Rows, Keyword.Range => FrameUnit.Range, _ => FrameUnit.Groups };
            FrameBound start;
            FrameBound? end = null;
            if (AcceptKeyword(Keyword.Between))
            {
                start = ParseFrameBound();
                ExpectKeyword(Keyword.And);
                end = ParseFrameBound();
            }
            else
            {
                start = ParseFrameBound();
            }

            string? exclude = null;
            if (AcceptKeyword(Keyword.Exclude))
            {
                exclude = AcceptKeyword(Keyword.Current) ? (ExpectRow() ? "current row" : null)
                    : AcceptKeyword(Keyword.Group) ? "group"
                    : AcceptKeyword(Keyword.Ties) ? "ties"
                    : AcceptKeywords(Keyword.No, Keyword.Others) ? "no others"
                    : throw Error();
            }

            frame = new WindowFrame(unit, start, end, exclude);
        }

        Expect(TokenKind.RightParen);
        return new WindowSpec(baseName, partition, order, frame);
    }

    private bool ExpectRow()
    {
        ExpectKeyword(Keyword.Row);
        return true;
    }

    private FrameBound ParseFrameBound()
    {
        if (AcceptKeyword(Keyword.Unbounded))
        {
            if (AcceptKeyword(Keyword.Preceding))
            {
                return new FrameBound(FrameBoundKind.UnboundedPreceding);
            }

            ExpectKeyword(Keyword.Following);
            return new FrameBound(FrameBoundKind.UnboundedFollowing);
        }

        if (AcceptKeyword(Keyword.Current))
        {
            ExpectKeyword(Keyword.Row);
            return new FrameBound(FrameBoundKind.CurrentRow);
        }

        SqlExpr offset = ParseExpr(PrecAdd - 1);
        if (AcceptKeyword(Keyword.Preceding))
        {
            return new FrameBound(FrameBoundKind.Preceding, offset);
        }

        ExpectKeyword(Keyword.Following);
        return new FrameBound(FrameBoundKind.Following, offset);
    }
}

namespace ThunderDb.Core.Sql.Syntax;

// FROM lists: tables, derived tables, table functions, LATERAL, and joins (left-associative).
public sealed partial class SqlParser
{
    private List<TableRef> ParseFromList()
    {
        var items = new List<TableRef> { ParseJoinedTable() };
        while (Accept(TokenKind.Comma))
        {
            items.Add(ParseJoinedTable());
        }

        return items;
    }

    private TableRef ParseJoinedTable()
    {
        TableRef left = ParseTablePrimary();
        while (true)
        {
            bool natural = false;
            JoinKind kind;
            int save = _pos;
            if (AcceptKeyword(Keyword.Cross))
            {
                ExpectKeyword(Keyword.Join);
                left = new JoinTableRef(JoinKind.Cross, left, ParseTablePrimary(), null, null, false);
                continue;
            }

            if (AcceptKeyword(Keyword.Natural))
            {
                natural = true;
            }

            if (AcceptKeyword(Keyword.Join) || (AcceptKeyword(Keyword.Inner) && Expected(Keyword.Join)))
            {
                kind = JoinKind.Inner;
            }
            else if (IsKeyword(Keyword.Left) || IsKeyword(Keyword.Right) || IsKeyword(Keyword.Full))
            {
                kind = Advance().Keyword switch { Keyword.Left => JoinKind.Left, Keyword.Right => JoinKind.Right, _ => JoinKind.Full };
                AcceptKeyword(Keyword.Outer);
                ExpectKeyword(Keyword.Join);
            }
            else if (MySql && Current.Kind == TokenKind.Word && TextOf(Current).Equals("straight_join", StringComparison.OrdinalIgnoreCase))
            {
                Advance();
                kind = JoinKind.Inner;
            }
            else
            {
                if (natural)
                {
                    _pos = save;
                    throw Error();
                }

                return left;
            }

            TableRef right = ParseTablePrimary();
            if (natural)
            {
                left = new JoinTableRef(kind, left, right, null, null, true);
            }
            else if (AcceptKeyword(Keyword.On))
            {
                left = new JoinTableRef(kind, left, right, ParseExpr(), null, false);
            }
            else if (AcceptKeyword(Keyword.Using))
            {
                left = new JoinTableRef(kind, left, right, null, ParseParenthesizedNames(), false);
            }
            else if (MySql && kind == JoinKind.Inner)
            {
                // MySQL allows JOIN without a condition (a cross join).
                left = new JoinTableRef(JoinKind.Cross, left, right, null, null, false);
            }
            else
            {
                throw Error();
            }
        }
    }

    private bool Expected(Keyword k)
    {
        ExpectKeyword(k);
        return true;
    }

    private TableRef ParseTablePrimary()
    {
        Enter();
        bool lateral = AcceptKeyword(Keyword.Lateral);
        TableRef result;
        if (Is(TokenKind.LeftParen))
        {
            result = ParseParenthesizedTable(lateral);
        }
        else if (AcceptKeyword(Keyword.Only))
        {
            bool parens = Accept(TokenKind.LeftParen);
            int at = Current.Start;
            ObjectName name = ParseObjectName();
            if (parens)
            {
                Expect(TokenKind.RightParen);
            }

            result = new NamedTableRef(name, ParseTableAlias(), true) { Position = at };
        }
        else
        {
            int at = Current.Start;
            ObjectName name = ParseObjectName();
            if (Is(TokenKind.LeftParen))
            {
                FunctionCallExpr call = ParseFunctionCall(name.Parts);
                bool ordinality = AcceptKeywords(Keyword.With, Keyword.Ordinality);
                result = new FunctionTableRef(call, ParseTableAlias(), lateral, ordinality);
            }
            else
            {
                AcceptOperator("*");
                result = new NamedTableRef(name, ParseTableAlias()) { Position = at };
                if (MySql)
                {
                    SkipMySqlIndexHints();
                }
            }
        }

        Exit();
        return result;
    }

    private TableRef ParseParenthesizedTable(bool lateral)
    {
        int save = _pos;
        Advance();
        if (IsQueryStart() || Is(TokenKind.LeftParen))
        {
            try
            {
                Query query = ParseQuery();
                Expect(TokenKind.RightParen);
                return new SubqueryTableRef(query, ParseTableAlias(), lateral);
            }
            catch (SqlSyntaxException) when (!IsQueryStart(save + 1))
            {
                // "((a JOIN b ON ...))": a parenthesized join, not a query.
                _pos = save + 1;
            }
        }

        TableRef inner = ParseJoinedTable();
        Expect(TokenKind.RightParen);
        TableAlias? alias = ParseTableAlias();
        if (alias is null)
        {
            return inner;
        }

        return inner is JoinTableRef join ? join with { Alias = alias } : throw Error();
    }

    private bool IsQueryStart(int tokenIndex)
    {
        SqlToken t = _tokens[tokenIndex];
        return t.Kind == TokenKind.Word && t.Keyword is Keyword.Select or Keyword.With or Keyword.Values;
    }

    /// <summary>[AS] alias [(col, ...)].</summary>
    private TableAlias? ParseTableAlias()
    {
        string name;
        if (AcceptKeyword(Keyword.As))
        {
            name = ParseColId();
        }
        else if (IsColId(Current) && !IsBareAliasStop())
        {
            name = ParseColId();
        }
        else
        {
            return null;
        }

        List<string>? columns = Is(TokenKind.LeftParen) ? ParseParenthesizedNames() : null;
        return new TableAlias(name, columns);
    }

    /// <summary>MySQL USE/FORCE/IGNORE INDEX (...) hints: accepted and ignored (the planner picks indexes).</summary>
    private void SkipMySqlIndexHints()
    {
        while (IsKeyword(Keyword.Use) || IsKeyword(Keyword.Ignore) || (Current.Kind == TokenKind.Word && TextOf(Current).Equals("force", StringComparison.OrdinalIgnoreCase)))
        {
            Advance();
            if (!AcceptKeyword(Keyword.Index))
            {
                ExpectKeyword(Keyword.Key);
            }

            if (AcceptKeyword(Keyword.For))
            {
                if (AcceptKeyword(Keyword.Join))
                {
                }
                else if (AcceptKeywords(Keyword.Order, Keyword.By) || AcceptKeywords(Keyword.Group, Keyword.By))
                {
                }
                else
                {
                    throw Error();
                }
            }

            Expect(TokenKind.LeftParen);
            while (!Is(TokenKind.RightParen))
            {
                ParseColLabel();
                Accept(TokenKind.Comma);
            }

            Advance();
        }
    }
}

namespace ThunderDb.Core.Sql.Syntax;

// INSERT (with ON CONFLICT and MySQL ON DUPLICATE KEY UPDATE / REPLACE), UPDATE, DELETE.
public sealed partial class SqlParser
{
    /// <summary>A statement that starts with WITH: the CTEs belong to the query or DML statement that follows.</summary>
    private SqlStatement ParseWithStatement()
    {
        int save = _pos;
        WithClause with = ParseWith();
        if (IsKeyword(Keyword.Insert))
        {
            return ParseInsert(with);
        }

        if (IsKeyword(Keyword.Update))
        {
            return ParseUpdate(with);
        }

        if (IsKeyword(Keyword.Delete))
        {
            return ParseDelete(with);
        }

        _pos = save;
        return SelectOrInto(ParseQuery());
    }

    private InsertStatement ParseInsert(WithClause? with)
    {
        bool replace = Advance().Keyword == Keyword.Replace;
        bool ignore = MySql && AcceptKeyword(Keyword.Ignore);
        if (MySql)
        {
            AcceptKeyword(Keyword.Into);
        }
        else
        {
            ExpectKeyword(Keyword.Into);
        }

        ObjectName table = ParseObjectName();
        string? alias = AcceptKeyword(Keyword.As) ? ParseColId() : null;
        List<string>? columns = null;
        if (Is(TokenKind.LeftParen) && !IsQueryStart(_pos + 1) && _tokens[_pos + 1].Kind != TokenKind.LeftParen)
        {
            columns = MySql && PeekToken().Kind == TokenKind.RightParen ? SkipEmptyParens() : ParseParenthesizedNames();
        }

        Query? source = null;
        bool defaultValues = false;
        if (AcceptKeywords(Keyword.Default, Keyword.Values))
        {
            defaultValues = true;
        }
        else if (MySql && AcceptKeyword(Keyword.Set))
        {
            // MySQL INSERT ... SET a = 1, b = 2 is one row.
            List<Assignment> sets = ParseAssignments();
            columns = sets.Select(a => a.Columns[0]).ToList();
            source = Query.Of(new ValuesQuery([sets.Select(a => a.Value).ToList()]));
        }
        else
        {
            source = ParseQuery();
        }

        OnConflictClause? onConflict = null;
        List<Assignment>? onDuplicate = null;
        if (IsKeyword(Keyword.On) && IsKeywordAt(1, Keyword.Conflict))
        {
            _pos += 2;
            onConflict = ParseOnConflict();
        }
        else if (MySql && IsKeyword(Keyword.On) && IsKeywordAt(1, Keyword.Duplicate))
        {
            _pos += 2;
            ExpectKeyword(Keyword.Key);
            ExpectKeyword(Keyword.Update);
            onDuplicate = ParseAssignments();
        }

        List<SelectItem>? returning = ParseReturning();
        return new InsertStatement(with, table, alias, columns, source, defaultValues, onConflict, returning, replace, ignore, onDuplicate);
    }

    private List<string> SkipEmptyParens()
    {
        _pos += 2;
        return [];
    }

    private OnConflictClause ParseOnConflict()
    {
        List<SqlExpr>? target = null;
        SqlExpr? targetWhere = null;
        string? constraint = null;
        if (Accept(TokenKind.LeftParen))
        {
            target = ParseExprList();
            Expect(TokenKind.RightParen);
            targetWhere = AcceptKeyword(Keyword.Where) ? ParseExpr() : null;
        }
        else if (AcceptKeywords(Keyword.On, Keyword.Constraint))
        {
            constraint = ParseColId();
        }

        ExpectKeyword(Keyword.Do);
        if (AcceptKeyword(Keyword.Nothing))
        {
            return new OnConflictClause(target, targetWhere, constraint, ConflictAction.DoNothing, [], null);
        }

        ExpectKeyword(Keyword.Update);
        ExpectKeyword(Keyword.Set);
        List<Assignment> sets = ParseAssignments();
        SqlExpr? where = AcceptKeyword(Keyword.Where) ? ParseExpr() : null;
        return new OnConflictClause(target, targetWhere, constraint, ConflictAction.DoUpdate, sets, where);
    }

    private List<Assignment> ParseAssignments()
    {
        var list = new List<Assignment>();
        do
        {
            if (Is(TokenKind.LeftParen))
            {
                List<string> columns = ParseParenthesizedNames();
                ExpectOperator("=");
                SqlExpr value = ParseExpr();
                list.Add(new Assignment(columns, value, true));
            }
            else
            {
                string column = ParseColId();
                if (Is(TokenKind.Dot))
                {
                    // MySQL (and PostgreSQL's ON DUPLICATE-less dialects) allow t.col = ...: keep the column.
                    Advance();
                    column = ParseColLabel();
                }

                ExpectOperator("=");
                list.Add(new Assignment([column], ParseExpr()));
            }
        }
        while (Accept(TokenKind.Comma));

        return list;
    }

    private List<SelectItem>? ParseReturning() => AcceptKeyword(Keyword.Returning) ? ParseSelectList() : null;

    private UpdateStatement ParseUpdate(WithClause? with)
    {
        ExpectKeyword(Keyword.Update);
        bool only = AcceptKeyword(Keyword.Only);
        ObjectName table = ParseObjectName();
        TableAlias? alias = ParseTableAlias();
        ExpectKeyword(Keyword.Set);
        List<Assignment> sets = ParseAssignments();
        List<TableRef> from = AcceptKeyword(Keyword.From) ? ParseFromList() : [];
        SqlExpr? where = AcceptKeyword(Keyword.Where) ? ParseExpr() : null;
        return new UpdateStatement(with, table, alias, sets, from, where, ParseReturning(), only);
    }

    private DeleteStatement ParseDelete(WithClause? with)
    {
        ExpectKeyword(Keyword.Delete);
        ExpectKeyword(Keyword.From);
        bool only = AcceptKeyword(Keyword.Only);
        ObjectName table = ParseObjectName();
        TableAlias? alias = ParseTableAlias();
        List<TableRef> usingList = AcceptKeyword(Keyword.Using) ? ParseFromList() : [];
        SqlExpr? where = AcceptKeyword(Keyword.Where) ? ParseExpr() : null;
        return new DeleteStatement(with, table, alias, usingList, where, ParseReturning(), only);
    }
}

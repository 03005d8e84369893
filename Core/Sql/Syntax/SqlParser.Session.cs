namespace ThunderDb.Core.Sql.Syntax;

// SET / SHOW (both dialects), COPY, VACUUM.
public sealed partial class SqlParser
{
    private SqlStatement ParseSet()
    {
        ExpectKeyword(Keyword.Set);
        if (MySql)
        {
            return ParseMySqlSet();
        }

        SetScope scope = SetScope.Session;
        if (AcceptKeyword(Keyword.Local))
        {
            scope = SetScope.Local;
        }
        else if (AcceptKeyword(Keyword.Session))
        {
            if (AcceptKeyword(Keyword.Characteristics))
            {
                ExpectKeyword(Keyword.As);
                ExpectKeyword(Keyword.Transaction);
                return new SetTransactionStatement(ParseTransactionModes(), true);
            }
        }

        if (AcceptKeyword(Keyword.Transaction))
        {
            return new SetTransactionStatement(ParseTransactionModes(), false);
        }

        if (AcceptKeywords(Keyword.Time, Keyword.Zone))
        {
            if (AcceptKeyword(Keyword.Local) || AcceptKeyword(Keyword.Default))
            {
                return new SetStatement(scope, "timezone", [], true);
            }

            SqlExpr zone = IsKeyword(Keyword.Interval) ? ParseIntervalLiteral() : ParseSetValue();
            return new SetStatement(scope, "timezone", [zone], false);
        }

        if (AcceptKeyword(Keyword.Names))
        {
            return IsEndOfStatement() || AcceptKeyword(Keyword.Default)
                ? new SetStatement(scope, "client_encoding", [], true)
                : new SetStatement(scope, "client_encoding", [ParseSetValue()], false);
        }

        if (AcceptKeyword(Keyword.Schema))
        {
            return new SetStatement(scope, "search_path", [ParseSetValue()], false);
        }

        if (AcceptKeyword(Keyword.Authorization))
        {
            return AcceptKeyword(Keyword.Default)
                ? new SetStatement(scope, "session_authorization", [], true)
                : new SetStatement(scope, "session_authorization", [ParseSetValue()], false);
        }

        string name = ParseSettingName();
        if (!AcceptKeyword(Keyword.To))
        {
            ExpectOperator("=");
        }

        if (AcceptKeyword(Keyword.Default))
        {
            return new SetStatement(scope, name, [], true);
        }

        var values = new List<SqlExpr> { ParseSetValue() };
        while (Accept(TokenKind.Comma))
        {
            values.Add(ParseSetValue());
        }

        return new SetStatement(scope, name, values, false);
    }

    private bool IsEndOfStatement() => Current.Kind is TokenKind.EndOfInput or TokenKind.Semicolon;

    /// <summary>A setting name, lower-cased, possibly dotted (<c>myapp.user_id</c>).</summary>
    private string ParseSettingName()
    {
        string name = FoldedName(ExpectWordOrIdentifier());
        while (Accept(TokenKind.Dot))
        {
            name += "." + FoldedName(ExpectWordOrIdentifier());
        }

        return name;
    }

    /// <summary>A SET value: a string, a (signed) number, or a bare word taken as a string (<c>on</c>, <c>public</c>).</summary>
    private SqlExpr ParseSetValue()
    {
        SqlToken t = Current;
        switch (t.Kind)
        {
            case TokenKind.String:
            case TokenKind.Integer:
            case TokenKind.Numeric:
                return ParsePrimary();
            case TokenKind.Operator when TextOf(t) is "-" or "+":
                return ParsePrefix();
            case TokenKind.Word:
            case TokenKind.QuotedIdentifier:
                Advance();
                return At(new LiteralExpr(LiteralKind.String, t.Kind == TokenKind.Word ? SqlLiterals.FoldAscii(TextOf(t)) : NameOf(t)), t.Start);
            default:
                throw Error();
        }
    }

    private SqlStatement ParseMySqlSet()
    {
        if (AcceptKeyword(Keyword.Names))
        {
            SqlExpr charset = ParseSetValue();
            if (AcceptKeyword(Keyword.Collate))
            {
                ParseSetValue();
            }

            return new SetStatement(SetScope.Session, "names", [charset], false);
        }

        if (AcceptKeywords(Keyword.Character, Keyword.Set) || AcceptKeyword(Keyword.Charset))
        {
            return new SetStatement(SetScope.Session, "character_set_client", [ParseSetValue()], false);
        }

        if ((IsKeyword(Keyword.Global) || IsKeyword(Keyword.Session) || IsKeyword(Keyword.Local)) && IsKeywordAt(1, Keyword.Transaction))
        {
            bool global = Advance().Keyword == Keyword.Global;
            Advance();
            return new SetTransactionStatement(ParseTransactionModes(), !global);
        }

        if (AcceptKeyword(Keyword.Transaction))
        {
            return new SetTransactionStatement(ParseTransactionModes(), false);
        }

        var assignments = new List<SetStatement>();
        do
        {
            SetScope scope = SetScope.Session;
            string name;
            if (Is(TokenKind.Variable))
            {
                VariableExpr v = ParseVariable(Advance());
                (scope, name) = (v.Scope, v.Name);
            }
            else
            {
                if (AcceptKeyword(Keyword.Global))
                {
                    scope = SetScope.Global;
                }
                else if (!AcceptKeyword(Keyword.Session))
                {
                    if (AcceptKeyword(Keyword.Local))
                    {
                        scope = SetScope.Local;
                    }
                }

                name = ParseSettingName();
            }

            if (!AcceptOperator(":="))
            {
                ExpectOperator("=");
            }

            if (AcceptKeyword(Keyword.Default))
            {
                assignments.Add(new SetStatement(scope, name, [], true));
            }
            else if (Current.Kind == TokenKind.Word && Current.Keyword is Keyword.On or Keyword.All or Keyword.Binary)
            {
                assignments.Add(new SetStatement(scope, name, [ParseSetValue()], false));
            }
            else
            {
                assignments.Add(new SetStatement(scope, name, [ParseExpr()], false));
            }
        }
        while (Accept(TokenKind.Comma));

        return assignments.Count == 1 ? assignments[0] : new SetVariablesStatement(assignments);
    }

    private SqlStatement ParseShow()
    {
        ExpectKeyword(Keyword.Show);
        if (MySql)
        {
            return ParseMySqlShow();
        }

        if (AcceptKeywords(Keyword.Time, Keyword.Zone))
        {
            return new ShowStatement("timezone");
        }

        if (AcceptKeywords(Keyword.Transaction, Keyword.Isolation))
        {
            ExpectKeyword(Keyword.Level);
            return new ShowStatement("transaction_isolation");
        }

        if (AcceptKeywords(Keyword.Session, Keyword.Authorization))
        {
            return new ShowStatement("session_authorization");
        }

        return new ShowStatement(AcceptKeyword(Keyword.All) ? "all" : ParseSettingName());
    }

    private MySqlShowStatement ParseMySqlShow()
    {
        bool full = AcceptKeyword(Keyword.Full);
        SetScope? scope = AcceptKeyword(Keyword.Global) ? SetScope.Global : AcceptKeyword(Keyword.Session) ? SetScope.Session : null;
        var what = new System.Text.StringBuilder();
        ObjectName? target = null;
        while (Current.Kind == TokenKind.Word && Current.Keyword is not (Keyword.From or Keyword.In or Keyword.Like or Keyword.Where))
        {
            if (what.Length > 0)
            {
                what.Append(' ');
            }

            what.Append(SqlLiterals.FoldAscii(TextOf(Advance())));
            if (what.ToString() is "create table" or "create view" or "create database" or "create schema")
            {
                target = ParseObjectName();
                break;
            }
        }

        if (what.Length == 0)
        {
            throw Error();
        }

        string? database = null;
        if (AcceptKeyword(Keyword.From) || AcceptKeyword(Keyword.In))
        {
            ObjectName from = ParseObjectName();
            if (what.ToString() is "tables" or "table status" or "triggers" or "events")
            {
                database = from.Name;
            }
            else
            {
                target = from;
            }

            if (AcceptKeyword(Keyword.From) || AcceptKeyword(Keyword.In))
            {
                database = ParseColId();
            }
        }

        SqlExpr? like = AcceptKeyword(Keyword.Like) ? ParsePrimary() : null;
        SqlExpr? where = like is null && AcceptKeyword(Keyword.Where) ? ParseExpr() : null;
        return new MySqlShowStatement(what.ToString(), full, scope, target, database, like, where);
    }

    private CopyStatement ParseCopy()
    {
        ExpectKeyword(Keyword.Copy);
        var options = new List<GenericOption>();
        if (AcceptKeyword(Keyword.Binary))
        {
            options.Add(new GenericOption("format", "binary"));
        }

        ObjectName? table = null;
        List<string>? columns = null;
        Query? query = null;
        if (Accept(TokenKind.LeftParen))
        {
            query = ParseQuery();
            Expect(TokenKind.RightParen);
        }
        else
        {
            table = ParseObjectName();
            columns = Is(TokenKind.LeftParen) ? ParseParenthesizedNames() : null;
        }

        bool isFrom = AcceptKeyword(Keyword.From);
        if (!isFrom || query is not null)
        {
            if (isFrom)
            {
                throw Error();
            }

            ExpectKeyword(Keyword.To);
        }

        string? file = null;
        if (!(isFrom ? AcceptKeyword(Keyword.Stdin) : AcceptKeyword(Keyword.Stdout)))
        {
            if (Current.Kind == TokenKind.Word && SqlLiterals.FoldAscii(TextOf(Current)) == "program")
            {
                Advance();
                options.Add(new GenericOption("program", null)); // refused by the executor, as a server file is
            }

            file = ParseStringLiteral();
        }

        AcceptKeyword(Keyword.With);
        if (Is(TokenKind.LeftParen))
        {
            options.AddRange(ParseCopyOptionList());
        }
        else
        {
            ParseLegacyCopyOptions(options);
        }

        return new CopyStatement(table, columns, query, isFrom, file, options);
    }

    /// <summary>
    /// COPY's option list: <c>(FORMAT csv, HEADER match, FORCE_QUOTE (a, b), FORCE_NOT_NULL *, FREEZE on)</c>; a value
    /// is a word, a string, a number, <c>*</c> or a parenthesized list of column names.
    /// </summary>
    private List<GenericOption> ParseCopyOptionList()
    {
        Expect(TokenKind.LeftParen);
        var options = new List<GenericOption>();
        do
        {
            string name = FoldedName(ExpectWordOrIdentifier());
            if (Is(TokenKind.Comma) || Is(TokenKind.RightParen))
            {
                options.Add(new GenericOption(name, null));
            }
            else if (AcceptOperator("*"))
            {
                options.Add(new GenericOption(name, "*"));
            }
            else if (Is(TokenKind.LeftParen))
            {
                options.Add(new GenericOption(name, null, ParseParenthesizedNames()));
            }
            else
            {
                options.Add(new GenericOption(name, ParseOptionValue()));
            }
        }
        while (Accept(TokenKind.Comma));

        Expect(TokenKind.RightParen);
        return options;
    }

    /// <summary>COPY's pre-9.0 option syntax: <c>CSV HEADER DELIMITER ',' NULL '' FREEZE</c>.</summary>
    private void ParseLegacyCopyOptions(List<GenericOption> options)
    {
        while (Current.Kind == TokenKind.Word)
        {
            string word = SqlLiterals.FoldAscii(TextOf(Current));
            switch (word)
            {
                case "binary" or "csv":
                    Advance();
                    options.Add(new GenericOption("format", word));
                    break;
                case "header" or "freeze" or "oids":
                    Advance();
                    options.Add(new GenericOption(word, null));
                    break;
                case "delimiter" or "null" or "quote" or "escape" or "encoding":
                    Advance();
                    AcceptKeyword(Keyword.As);
                    options.Add(new GenericOption(word, ParseStringLiteral()));
                    break;
                case "force":
                    Advance();
                    options.Add(ParseLegacyForce());
                    break;
                default:
                    throw Error();
            }
        }
    }

    /// <summary>Legacy <c>FORCE QUOTE a, b | *</c>, <c>FORCE NOT NULL a, b</c>, <c>FORCE NULL a, b</c> (after FORCE).</summary>
    private GenericOption ParseLegacyForce()
    {
        string name;
        if (AcceptKeyword(Keyword.Not))
        {
            ExpectKeyword(Keyword.Null);
            name = "force_not_null";
        }
        else if (AcceptKeyword(Keyword.Null))
        {
            name = "force_null";
        }
        else if (Current.Kind == TokenKind.Word && SqlLiterals.FoldAscii(TextOf(Current)) == "quote")
        {
            Advance();
            name = "force_quote";
            if (AcceptOperator("*"))
            {
                return new GenericOption(name, "*");
            }
        }
        else
        {
            throw Error();
        }

        var names = new List<string> { ParseColId() };
        while (Accept(TokenKind.Comma))
        {
            names.Add(ParseColId());
        }

        return new GenericOption(name, null, names);
    }

    private VacuumStatement ParseVacuum()
    {
        ExpectKeyword(Keyword.Vacuum);
        var options = new List<GenericOption>();
        if (Is(TokenKind.LeftParen))
        {
            options.AddRange(ParseParenthesizedOptions());
        }
        else
        {
            while (Current.Kind == TokenKind.Word && Current.Keyword is Keyword.Full or Keyword.Freeze or Keyword.Verbose or Keyword.Analyze or Keyword.Analyse)
            {
                Keyword k = Advance().Keyword;
                options.Add(new GenericOption(k == Keyword.Analyse ? "analyze" : Keywords.Spelling(k), null));
            }
        }

        (List<ObjectName> tables, List<IReadOnlyList<string>> columns) = ParseMaintenanceTargets();
        return new VacuumStatement(tables, options, columns);
    }

    /// <summary>VACUUM's and ANALYZE's <c>table [(column, ...)] [, ...]</c>, or nothing.</summary>
    private (List<ObjectName> Tables, List<IReadOnlyList<string>> Columns) ParseMaintenanceTargets()
    {
        List<ObjectName> tables = [];
        List<IReadOnlyList<string>> columns = [];
        if (Current.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier))
        {
            return (tables, columns);
        }

        do
        {
            tables.Add(ParseObjectName());
            columns.Add(Is(TokenKind.LeftParen) ? ParseParenthesizedNames() : []);
        }
        while (Accept(TokenKind.Comma));
        return (tables, columns);
    }
}

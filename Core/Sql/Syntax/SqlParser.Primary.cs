namespace ThunderDb.Core.Sql.Syntax;

// Primary expressions: constants, parameters, names and function calls, parentheses and row
// constructors, subqueries, CASE, CAST, ARRAY, typed literals and PostgreSQL's special function forms.
public sealed partial class SqlParser
{
    private SqlExpr ParsePrimary()
    {
        SqlToken t = Current;
        int at = t.Start;
        switch (t.Kind)
        {
            case TokenKind.Integer:
                Advance();
                return new LiteralExpr(LiteralKind.Integer, TextOf(t).ToString()) { Position = at };
            case TokenKind.Numeric:
                Advance();
                return new LiteralExpr(LiteralKind.Numeric, TextOf(t).ToString()) { Position = at };
            case TokenKind.String:
                Advance();
                return new LiteralExpr(LiteralKind.String, SqlLiterals.String(_sql, t)) { Position = at };
            case TokenKind.BitString:
                Advance();
                return new LiteralExpr(LiteralKind.BitString, SqlLiterals.BitOrHexDigits(_sql, t)) { Position = at };
            case TokenKind.HexString:
                Advance();
                return new LiteralExpr(LiteralKind.HexString, SqlLiterals.BitOrHexDigits(_sql, t)) { Position = at };
            case TokenKind.Parameter:
                Advance();
                return new ParameterExpr(TextOf(t)[0] == '?' ? ++_parameterMarkers : SqlLiterals.ParameterNumber(_sql, t)) { Position = at };
            case TokenKind.Variable:
                Advance();
                return At(ParseVariable(t), at);
            case TokenKind.LeftParen:
                return ParseParenthesized();
            case TokenKind.QuotedIdentifier:
                return ParseNameOrCall();
            case TokenKind.Word:
                return At(ParseWordPrimary(t), at);
            default:
                throw Error();
        }
    }

    private VariableExpr ParseVariable(SqlToken t)
    {
        ReadOnlySpan<char> text = TextOf(t);
        if ((t.Flags & TokenFlags.Prefixed) != 0)
        {
            // @'quoted name'
            string quoted = text[2..^1].ToString();
            return new VariableExpr(quoted, false, SetScope.User);
        }

        if (!text.StartsWith("@@"))
        {
            return new VariableExpr(text[1..].ToString(), false, SetScope.User);
        }

        ReadOnlySpan<char> name = text[2..];
        SetScope scope = SetScope.Session;
        int dot = name.IndexOf('.');
        if (dot > 0)
        {
            ReadOnlySpan<char> prefix = name[..dot];
            scope = prefix.Equals("global", StringComparison.OrdinalIgnoreCase) ? SetScope.Global
                : prefix.Equals("local", StringComparison.OrdinalIgnoreCase) ? SetScope.Local : SetScope.Session;
            name = name[(dot + 1)..];
        }

        return new VariableExpr(SqlLiterals.FoldAscii(name), true, scope);
    }

    private SqlExpr ParseWordPrimary(SqlToken t)
    {
        bool call = PeekToken().Kind == TokenKind.LeftParen;
        switch (t.Keyword)
        {
            case Keyword.True:
                Advance();
                return new LiteralExpr(LiteralKind.Boolean, "true");
            case Keyword.False:
                Advance();
                return new LiteralExpr(LiteralKind.Boolean, "false");
            case Keyword.Null:
                Advance();
                return new LiteralExpr(LiteralKind.Null, "");
            case Keyword.Default:
                Advance();
                return new DefaultExpr();
            case Keyword.Case:
                return ParseCase();
            case Keyword.Cast when call:
            {
                _pos += 2;
                SqlExpr operand = ParseExpr();
                ExpectKeyword(Keyword.As);
                TypeName type = ParseTypeName();
                Expect(TokenKind.RightParen);
                return new CastExpr(operand, type);
            }

            case Keyword.Exists when call:
            {
                _pos += 2;
                Query sub = ParseQuery();
                Expect(TokenKind.RightParen);
                return new ExistsExpr(sub);
            }

            case Keyword.Array:
                return ParseArray();
            case Keyword.Row when call:
            {
                _pos += 2;
                List<SqlExpr> fields = Is(TokenKind.RightParen) ? [] : ParseExprList();
                Expect(TokenKind.RightParen);
                return new RowExpr(fields, true);
            }

            case Keyword.CurrentDate: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.CurrentDate);
            case Keyword.CurrentTime: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.CurrentTime, ParseOptionalPrecision());
            case Keyword.CurrentTimestamp: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.CurrentTimestamp, ParseOptionalPrecision());
            case Keyword.Localtime: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.LocalTime, ParseOptionalPrecision());
            case Keyword.Localtimestamp: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.LocalTimestamp, ParseOptionalPrecision());
            case Keyword.CurrentUser: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.CurrentUser);
            case Keyword.CurrentRole: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.CurrentRole);
            case Keyword.SessionUser: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.SessionUser);
            case Keyword.User when !(MySql && call): Advance(); return new SqlValueFunctionExpr(SqlValueFunction.User);
            case Keyword.CurrentCatalog: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.CurrentCatalog);
            case Keyword.CurrentSchema when !call: Advance(); return new SqlValueFunctionExpr(SqlValueFunction.CurrentSchema);
            case Keyword.Extract when call:
                return ParseExtract();
            case Keyword.Position when call:
                return ParsePosition();
            case Keyword.Substring when call:
                return ParseSubstring();
            case Keyword.Trim when call:
                return ParseTrim();
            case Keyword.Coalesce or Keyword.Nullif or Keyword.Greatest or Keyword.Least when call:
            case Keyword.Values or Keyword.Char or Keyword.Left or Keyword.Right or Keyword.User when call && MySql:
            {
                Advance();
                return ParseFunctionCall([Keywords.Spelling(t.Keyword)]);
            }

            case Keyword.Interval:
                return ParseIntervalLiteral();
        }

        if (IsTypeKeyword(t.Keyword) && MayStartTypedLiteral() && TryParseTypedLiteral() is { } typed)
        {
            return typed;
        }

        return ParseNameOrCall();
    }

    private static bool IsTypeKeyword(Keyword k) => k is Keyword.Bigint or Keyword.Bit or Keyword.Boolean or Keyword.Char
        or Keyword.Character or Keyword.Dec or Keyword.Decimal or Keyword.Double or Keyword.Float or Keyword.Int
        or Keyword.Integer or Keyword.National or Keyword.Nchar or Keyword.Numeric or Keyword.Real or Keyword.Smallint
        or Keyword.Time or Keyword.Timestamp or Keyword.Varchar;

    /// <summary>Cheap look-ahead so a type keyword used as a column name (<c>SELECT time FROM t</c>) is not tried as a type.</summary>
    private bool MayStartTypedLiteral()
    {
        SqlToken next = PeekToken();
        return next.Kind is TokenKind.String or TokenKind.LeftParen
            || (next.Kind == TokenKind.Word && next.Keyword is Keyword.Precision or Keyword.Varying or Keyword.With or Keyword.Without or Keyword.Char or Keyword.Character);
    }

    /// <summary><c>DATE '...'</c>-style literals whose type is a keyword (<c>TIMESTAMP WITH TIME ZONE '...'</c>); null if not one.</summary>
    private TypedLiteralExpr? TryParseTypedLiteral()
    {
        int save = _pos;
        try
        {
            TypeName type = ParseTypeName();
            if (Is(TokenKind.String))
            {
                return new TypedLiteralExpr(type, ParseStringLiteral());
            }
        }
        catch (SqlSyntaxException)
        {
            // Not a typed literal: the keyword is a column name (PostgreSQL allows "time" as one).
        }

        _pos = save;
        return null;
    }

    private SqlExpr ParseIntervalLiteral()
    {
        Advance();
        var modifiers = new List<SqlExpr>();
        if (Accept(TokenKind.LeftParen))
        {
            modifiers.Add(new LiteralExpr(LiteralKind.Integer, ParseIntegerLiteral().ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Expect(TokenKind.RightParen);
        }

        if (!Is(TokenKind.String))
        {
            throw Error();
        }

        string value = ParseStringLiteral();
        string? fields = ParseIntervalFields();
        return new TypedLiteralExpr(new TypeName(["interval"], modifiers), value, fields);
    }

    /// <summary>YEAR | MONTH | DAY | HOUR | MINUTE | SECOND [TO ...] after an interval, lower-cased ("day to second").</summary>
    private string? ParseIntervalFields()
    {
        static bool IsField(Keyword k) => k is Keyword.Year or Keyword.Month or Keyword.Day or Keyword.Hour or Keyword.Minute or Keyword.Second;
        if (Current.Kind != TokenKind.Word || !IsField(Current.Keyword))
        {
            return null;
        }

        string first = Keywords.Spelling(Advance().Keyword);
        if (IsKeyword(Keyword.To) && IsField(PeekToken().Keyword))
        {
            Advance();
            return first + " to " + Keywords.Spelling(Advance().Keyword);
        }

        return first;
    }

    private int? ParseOptionalPrecision()
    {
        if (!Is(TokenKind.LeftParen))
        {
            return null;
        }

        Advance();
        int p = ParseIntegerLiteral();
        Expect(TokenKind.RightParen);
        return p;
    }

    /// <summary>A column reference, <c>t.*</c>, a function call or a <c>name 'string'</c> typed literal.</summary>
    private SqlExpr ParseNameOrCall()
    {
        SqlToken first = Current;
        bool call = PeekToken().Kind == TokenKind.LeftParen;
        if (call ? !IsFunctionName(first) : !IsColId(first))
        {
            throw Error();
        }

        var names = new List<string> { NameOf(Advance()) };
        while (Is(TokenKind.Dot))
        {
            Advance();
            if (IsOperator("*"))
            {
                Advance();
                return new StarExpr(names) { Position = first.Start };
            }

            names.Add(ParseColLabel());
        }

        if (Is(TokenKind.LeftParen))
        {
            return At(ParseFunctionCall(names), first.Start);
        }

        if (Is(TokenKind.String))
        {
            return new TypedLiteralExpr(new TypeName(names, []), ParseStringLiteral()) { Position = first.Start };
        }

        return new ColumnRefExpr(names) { Position = first.Start };
    }

    /// <summary>The argument list and trailing clauses of a call whose name was just read.</summary>
    private FunctionCallExpr ParseFunctionCall(IReadOnlyList<string> name)
    {
        Expect(TokenKind.LeftParen);
        bool distinct = false, star = false, variadic = false;
        List<SqlExpr> args = [];
        List<OrderItem>? orderBy = null;
        if (IsOperator("*") && PeekToken().Kind == TokenKind.RightParen)
        {
            Advance();
            star = true;
        }
        else if (!Is(TokenKind.RightParen))
        {
            distinct = AcceptKeyword(Keyword.Distinct);
            if (!distinct)
            {
                AcceptKeyword(Keyword.All);
            }

            // [VARIADIC] a: only the last argument may be VARIADIC (an array spread into the variadic parameter)
            do
            {
                if (AcceptKeyword(Keyword.Variadic))
                {
                    variadic = true;
                    args.Add(ParseExpr());
                    break;
                }

                args.Add(ParseExpr());
            }
            while (Accept(TokenKind.Comma));

            if (AcceptKeywords(Keyword.Order, Keyword.By))
            {
                orderBy = ParseOrderByList();
            }

            if (MySql && Current.Kind == TokenKind.Word && TextOf(Current).Equals("separator", StringComparison.OrdinalIgnoreCase))
            {
                // MySQL GROUP_CONCAT(x SEPARATOR ','): the separator becomes the last argument.
                Advance();
                args.Add(ParsePrimary());
            }
        }

        Expect(TokenKind.RightParen);
        List<OrderItem>? withinGroup = null;
        if (AcceptKeywords(Keyword.Within, Keyword.Group))
        {
            Expect(TokenKind.LeftParen);
            ExpectKeyword(Keyword.Order);
            ExpectKeyword(Keyword.By);
            withinGroup = ParseOrderByList();
            Expect(TokenKind.RightParen);
        }

        SqlExpr? filter = null;
        if (IsKeyword(Keyword.Filter) && PeekToken().Kind == TokenKind.LeftParen)
        {
            _pos += 2;
            ExpectKeyword(Keyword.Where);
            filter = ParseExpr();
            Expect(TokenKind.RightParen);
        }

        WindowSpec? over = null;
        if (AcceptKeyword(Keyword.Over))
        {
            over = Is(TokenKind.LeftParen) ? ParseWindowSpec() : new WindowSpec(ParseColId(), [], [], null);
        }

        return new FunctionCallExpr(name, args, distinct, star, orderBy, withinGroup, filter, over) { VariadicLast = variadic };
    }

    private SqlExpr ParseParenthesized()
    {
        int at = Current.Start;
        Advance();
        SqlExpr e;
        if (IsQueryStart())
        {
            Query sub = ParseQuery();
            Expect(TokenKind.RightParen);
            e = new SubqueryExpr(sub) { Position = at };
        }
        else
        {
            SqlExpr first = ParseExpr();
            if (Is(TokenKind.Comma))
            {
                var fields = new List<SqlExpr> { first };
                while (Accept(TokenKind.Comma))
                {
                    fields.Add(ParseExpr());
                }

                e = new RowExpr(fields, false) { Position = at };
            }
            else
            {
                e = first;
            }

            Expect(TokenKind.RightParen);
        }

        while (Is(TokenKind.Dot) && PeekToken().Kind is TokenKind.Word or TokenKind.QuotedIdentifier)
        {
            Advance();
            e = new FieldSelectExpr(e, ParseColLabel()) { Position = at };
        }

        return e;
    }

    private CaseExpr ParseCase()
    {
        Advance();
        SqlExpr? operand = IsKeyword(Keyword.When) ? null : ParseExpr();
        var whens = new List<CaseWhen>();
        while (AcceptKeyword(Keyword.When))
        {
            SqlExpr when = ParseExpr();
            ExpectKeyword(Keyword.Then);
            whens.Add(new CaseWhen(when, ParseExpr()));
        }

        if (whens.Count == 0)
        {
            throw Error();
        }

        SqlExpr? otherwise = AcceptKeyword(Keyword.Else) ? ParseExpr() : null;
        ExpectKeyword(Keyword.End);
        return new CaseExpr(operand, whens, otherwise);
    }

    private SqlExpr ParseArray()
    {
        Advance();
        if (Is(TokenKind.LeftParen))
        {
            Advance();
            Query sub = ParseQuery();
            Expect(TokenKind.RightParen);
            return new ArraySubqueryExpr(sub);
        }

        return ParseArrayBrackets();
    }

    private ArrayExpr ParseArrayBrackets()
    {
        Enter();
        Expect(TokenKind.LeftBracket);
        var elements = new List<SqlExpr>();
        if (!Is(TokenKind.RightBracket))
        {
            do
            {
                elements.Add(Is(TokenKind.LeftBracket) ? ParseArrayBrackets() : ParseExpr());
            }
            while (Accept(TokenKind.Comma));
        }

        Expect(TokenKind.RightBracket);
        Exit();
        return new ArrayExpr(elements);
    }

    private ExtractExpr ParseExtract()
    {
        _pos += 2;
        string field = Is(TokenKind.String) ? ParseStringLiteral().ToLowerInvariant() : NameOf(ExpectWordOrIdentifier());
        ExpectKeyword(Keyword.From);
        SqlExpr source = ParseExpr();
        Expect(TokenKind.RightParen);
        return new ExtractExpr(field, source);
    }

    /// <summary>A word lower-cased in either dialect (settings, options), or a quoted name as written.</summary>
    private string FoldedName(SqlToken t) => t.Kind == TokenKind.QuotedIdentifier ? NameOf(t) : SqlLiterals.FoldAscii(TextOf(t));

    private SqlToken ExpectWordOrIdentifier() =>
        Current.Kind is TokenKind.Word or TokenKind.QuotedIdentifier ? Advance() : throw Error();

    /// <summary>POSITION(sub IN s) is PostgreSQL's position(s, sub).</summary>
    private FunctionCallExpr ParsePosition()
    {
        _pos += 2;
        SqlExpr sub = ParseExpr(PrecLike);
        ExpectKeyword(Keyword.In);
        SqlExpr s = ParseExpr(PrecLike);
        Expect(TokenKind.RightParen);
        return new FunctionCallExpr(["position"], [s, sub]);
    }

    /// <summary>SUBSTRING(s FROM a [FOR b]), SUBSTRING(s FOR b [FROM a]) or SUBSTRING(s, a[, b]).</summary>
    private FunctionCallExpr ParseSubstring()
    {
        _pos += 2;
        SqlExpr s = ParseExpr();
        SqlExpr? from = null, count = null;
        if (Accept(TokenKind.Comma))
        {
            from = ParseExpr();
            if (Accept(TokenKind.Comma))
            {
                count = ParseExpr();
            }
        }
        else
        {
            for (int i = 0; i < 2; i++)
            {
                if (from is null && AcceptKeyword(Keyword.From))
                {
                    from = ParseExpr();
                }
                else if (count is null && AcceptKeyword(Keyword.For))
                {
                    count = ParseExpr();
                }
            }
        }

        Expect(TokenKind.RightParen);
        List<SqlExpr> args = [s];
        if (from is not null || count is not null)
        {
            args.Add(from ?? new LiteralExpr(LiteralKind.Integer, "1"));
        }

        if (count is not null)
        {
            args.Add(count);
        }

        return new FunctionCallExpr(["substring"], args);
    }

    /// <summary>TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) becomes btrim/ltrim/rtrim(s[, chars]).</summary>
    private FunctionCallExpr ParseTrim()
    {
        _pos += 2;
        string function = "btrim";
        if (AcceptKeyword(Keyword.Leading))
        {
            function = "ltrim";
        }
        else if (AcceptKeyword(Keyword.Trailing))
        {
            function = "rtrim";
        }
        else
        {
            AcceptKeyword(Keyword.Both);
        }

        List<SqlExpr> args;
        if (AcceptKeyword(Keyword.From))
        {
            args = ParseExprList();
        }
        else
        {
            SqlExpr first = ParseExpr();
            if (AcceptKeyword(Keyword.From))
            {
                args = ParseExprList();
                args.Add(first);
            }
            else
            {
                args = [first];
                while (Accept(TokenKind.Comma))
                {
                    args.Add(ParseExpr());
                }
            }
        }

        Expect(TokenKind.RightParen);
        return new FunctionCallExpr([function], args);
    }
}

namespace ThunderDb.Core.Sql.Syntax;

// Expressions by precedence climbing. Levels follow PostgreSQL's gram.y, lowest first:
// OR, AND, NOT, IS / ISNULL / NOTNULL, comparison, BETWEEN IN LIKE ILIKE SIMILAR, other operators
// (||, ~, ->, @> ...), + -, * / %, ^, AT TIME ZONE / COLLATE, unary minus, then [] subscripts and :: casts.
public sealed partial class SqlParser
{
    private const int PrecOr = 1;
    private const int PrecAnd = 2;
    private const int PrecNot = 3;
    private const int PrecIs = 4;
    private const int PrecCompare = 5;
    private const int PrecLike = 6;
    private const int PrecOther = 8;
    private const int PrecAdd = 9;
    private const int PrecMultiply = 10;
    private const int PrecPower = 11;
    private const int PrecAt = 12;
    private const int PrecUnary = 13;

    /// <summary>Parses an expression whose operators all bind tighter than <paramref name="minPrecedence"/>.</summary>
    private SqlExpr ParseExpr(int minPrecedence = 0)
    {
        Enter();
        SqlExpr left = ParsePrefix();
        int chain = 0;
        while (true)
        {
            int precedence = InfixPrecedence();
            if (precedence <= minPrecedence)
            {
                break;
            }

            // A left-deep chain (1 + 1 + ...) nests the tree without recursing here; count it as depth so
            // the tree stays shallow enough for whatever walks it recursively (printer, binder).
            if (precedence > PrecAnd)
            {
                chain++;
                Enter();
            }

            left = ParseInfix(left, precedence);
        }

        _depth -= chain;
        Exit();
        return left;
    }

    /// <summary>PostgreSQL's b_expr (a DEFAULT value, a BETWEEN bound): no AND / OR / NOT / IS.</summary>
    private SqlExpr ParseRestrictedExpr() => ParseExpr(PrecIs);

    private int InfixPrecedence()
    {
        SqlToken t = Current;
        if (t.Kind == TokenKind.Operator)
        {
            ReadOnlySpan<char> op = TextOf(t);
            return op switch
            {
                "=" or "<" or ">" or "<=" or ">=" or "<>" or "!=" => PrecCompare,
                "<=>" when MySql => PrecCompare,
                "+" or "-" => PrecAdd,
                "*" or "/" or "%" => PrecMultiply,
                "^" => PrecPower,
                "||" when MySql => PrecOr,
                "&&" when MySql => PrecAnd,
                ":=" => 0,
                _ => PrecOther,
            };
        }

        if (t.Kind != TokenKind.Word)
        {
            return 0;
        }

        switch (t.Keyword)
        {
            case Keyword.Or:
            case Keyword.Xor when MySql:
                return PrecOr;
            case Keyword.And:
                return PrecAnd;
            case Keyword.Is:
            case Keyword.Isnull:
            case Keyword.Notnull:
                return PrecIs;
            case Keyword.Not:
                SqlToken next = PeekToken();
                return next.Kind == TokenKind.Word && next.Keyword is Keyword.Between or Keyword.In or Keyword.Like or Keyword.Ilike or Keyword.Similar
                    || (MySql && next.Keyword is Keyword.Regexp or Keyword.Rlike)
                    ? PrecLike
                    : 0;
            case Keyword.Between:
            case Keyword.In:
            case Keyword.Like:
            case Keyword.Ilike:
            case Keyword.Similar:
            case Keyword.Regexp or Keyword.Rlike when MySql:
                return PrecLike;
            case Keyword.Div or Keyword.Mod when MySql:
                return PrecMultiply;
            case Keyword.At:
                return IsKeywordAt(1, Keyword.Time) ? PrecAt : 0;
            case Keyword.Collate:
                return PrecAt;
            case Keyword.None when IsOperatorKeyword(t):
                return PrecOther;
            default:
                return 0;
        }
    }

    /// <summary><c>OPERATOR(schema.op)</c>, as psql writes it.</summary>
    private bool IsOperatorKeyword(SqlToken t) =>
        t.Kind == TokenKind.Word && TextOf(t).Equals("operator", StringComparison.OrdinalIgnoreCase) && PeekToken().Kind == TokenKind.LeftParen;

    private SqlExpr ParseInfix(SqlExpr left, int precedence)
    {
        SqlToken t = Current;
        int position = left.Position;
        if (t.Kind == TokenKind.Operator || IsOperatorKeyword(t))
        {
            return At(ParseOperator(left, precedence), position);
        }

        switch (t.Keyword)
        {
            case Keyword.Or:
            case Keyword.And:
            {
                Advance();
                BoolOperator op = t.Keyword == Keyword.Or ? BoolOperator.Or : BoolOperator.And;
                return MakeBool(op, left, ParseExpr(precedence));
            }

            case Keyword.Xor:
                Advance();
                return new BinaryExpr("xor", left, ParseExpr(precedence)) { Position = position };
            case Keyword.Is:
                return At(ParseIs(left), position);
            case Keyword.Isnull:
                Advance();
                return new IsExpr(left, IsTest.Null, false) { Position = position };
            case Keyword.Notnull:
                Advance();
                return new IsExpr(left, IsTest.Null, true) { Position = position };
            case Keyword.Div:
                Advance();
                return new BinaryExpr("div", left, ParseExpr(precedence)) { Position = position };
            case Keyword.Mod:
                Advance();
                return new BinaryExpr("%", left, ParseExpr(precedence)) { Position = position };
            case Keyword.At:
                _pos += 2;
                ExpectKeyword(Keyword.Zone);
                return new AtTimeZoneExpr(left, ParseExpr(PrecAt)) { Position = position };
            case Keyword.Collate:
                Advance();
                return new CollateExpr(left, ParseObjectName().Parts) { Position = position };
            default:
                bool negated = AcceptKeyword(Keyword.Not);
                return At(ParsePredicate(left, negated), position);
        }
    }

    private static T At<T>(T e, int position)
        where T : SqlExpr
    {
        e.Position = position;
        return e;
    }

    private static BoolExpr MakeBool(BoolOperator op, SqlExpr left, SqlExpr right)
    {
        var args = new List<SqlExpr>();
        Flatten(op, left, args);
        Flatten(op, right, args);
        return new BoolExpr(op, args) { Position = left.Position };

        static void Flatten(BoolOperator op, SqlExpr e, List<SqlExpr> into)
        {
            if (e is BoolExpr b && b.Operator == op)
            {
                into.AddRange(b.Args);
            }
            else
            {
                into.Add(e);
            }
        }
    }

    private SqlExpr ParseOperator(SqlExpr left, int precedence)
    {
        int at = Current.Start;
        string op = ParseOperatorName();
        if (MySql)
        {
            switch (op)
            {
                case "||":
                    return MakeBool(BoolOperator.Or, left, ParseExpr(precedence));
                case "&&":
                    return MakeBool(BoolOperator.And, left, ParseExpr(precedence));
                case "<=>":
                    return new IsDistinctFromExpr(left, ParseExpr(precedence), true);
            }
        }

        if ((IsKeyword(Keyword.Any) || IsKeyword(Keyword.Some) || IsKeyword(Keyword.All)) && PeekToken().Kind == TokenKind.LeftParen)
        {
            return ParseQuantified(op, left);
        }

        return new BinaryExpr(op, left, ParseExpr(precedence)) { OperatorPosition = at };
    }

    /// <summary><c>ANY|SOME|ALL (subquery | array)</c> after an operator.</summary>
    private QuantifiedExpr ParseQuantified(string op, SqlExpr left)
    {
        Quantifier q = IsKeyword(Keyword.All) ? Quantifier.All : Quantifier.Any;
        Advance();
        Advance();
        if (IsQueryStart())
        {
            Query sub = ParseQuery();
            Expect(TokenKind.RightParen);
            return new QuantifiedExpr(op, left, q, sub, null);
        }

        SqlExpr array = ParseExpr();
        Expect(TokenKind.RightParen);
        return new QuantifiedExpr(op, left, q, null, array);
    }

    /// <summary>An operator token, or <c>OPERATOR(schema.op)</c> (the schema is dropped: built-in operators only).</summary>
    private string ParseOperatorName()
    {
        if (Current.Kind == TokenKind.Operator)
        {
            string text = TextOf(Advance()).ToString();
            return text == "!=" ? "<>" : text;
        }

        Advance();
        Expect(TokenKind.LeftParen);
        while (Current.Kind is TokenKind.Word or TokenKind.QuotedIdentifier && PeekToken().Kind == TokenKind.Dot)
        {
            _pos += 2;
        }

        string op = TextOf(Expect(TokenKind.Operator)).ToString();
        Expect(TokenKind.RightParen);
        return op == "!=" ? "<>" : op;
    }

    private SqlExpr ParseIs(SqlExpr left)
    {
        Advance();
        bool negated = AcceptKeyword(Keyword.Not);
        if (AcceptKeyword(Keyword.Null))
        {
            return new IsExpr(left, IsTest.Null, negated);
        }

        if (AcceptKeyword(Keyword.True))
        {
            return new IsExpr(left, IsTest.True, negated);
        }

        if (AcceptKeyword(Keyword.False))
        {
            return new IsExpr(left, IsTest.False, negated);
        }

        if (Current.Kind == TokenKind.Word && TextOf(Current).Equals("unknown", StringComparison.OrdinalIgnoreCase))
        {
            Advance();
            return new IsExpr(left, IsTest.Unknown, negated);
        }

        if (AcceptKeyword(Keyword.Distinct))
        {
            ExpectKeyword(Keyword.From);
            return new IsDistinctFromExpr(left, ParseExpr(PrecIs), negated);
        }

        throw Error();
    }

    /// <summary>BETWEEN, IN, LIKE, ILIKE, SIMILAR TO (after an optional NOT).</summary>
    private SqlExpr ParsePredicate(SqlExpr left, bool negated)
    {
        SqlToken t = Advance();
        switch (t.Keyword)
        {
            case Keyword.Between:
            {
                bool symmetric = AcceptKeyword(Keyword.Symmetric);
                if (!symmetric)
                {
                    AcceptKeyword(Keyword.Asymmetric);
                }

                SqlExpr low = ParseExpr(PrecLike);
                ExpectKeyword(Keyword.And);
                SqlExpr high = ParseExpr(PrecLike);
                return new BetweenExpr(left, low, high, negated, symmetric);
            }

            case Keyword.In:
            {
                Expect(TokenKind.LeftParen);
                if (IsQueryStart())
                {
                    Query sub = ParseQuery();
                    Expect(TokenKind.RightParen);
                    return new InSubqueryExpr(left, sub, negated);
                }

                List<SqlExpr> list = ParseExprList();
                Expect(TokenKind.RightParen);
                return new InListExpr(left, list, negated);
            }

            case Keyword.Like:
            case Keyword.Ilike:
            case Keyword.Similar:
            {
                LikeKind kind = t.Keyword switch
                {
                    Keyword.Like => LikeKind.Like,
                    Keyword.Ilike => LikeKind.ILike,
                    _ => LikeKind.SimilarTo,
                };
                if (kind == LikeKind.SimilarTo)
                {
                    ExpectKeyword(Keyword.To);
                }
                else if ((IsKeyword(Keyword.Any) || IsKeyword(Keyword.Some) || IsKeyword(Keyword.All)) && PeekToken().Kind == TokenKind.LeftParen)
                {
                    // x LIKE ANY (array): PostgreSQL's ~~ / ~~* operators applied with ANY / ALL.
                    string op = (negated ? "!" : "") + (kind == LikeKind.Like ? "~~" : "~~*");
                    return ParseQuantified(op, left);
                }

                SqlExpr pattern = ParseExpr(PrecLike);
                SqlExpr? escape = AcceptKeyword(Keyword.Escape) ? ParseExpr(PrecLike) : null;
                return new LikeExpr(kind, left, pattern, escape, negated);
            }

            case Keyword.Regexp:
            case Keyword.Rlike:
                return new BinaryExpr(negated ? "!~*" : "~*", left, ParseExpr(PrecLike));
            default:
                throw ErrorAt(t);
        }
    }

    private List<SqlExpr> ParseExprList()
    {
        var list = new List<SqlExpr> { ParseExpr() };
        while (Accept(TokenKind.Comma))
        {
            list.Add(ParseExpr());
        }

        return list;
    }

    private SqlExpr ParsePrefix()
    {
        SqlToken t = Current;
        if (t.Kind == TokenKind.Word && t.Keyword == Keyword.Not)
        {
            Advance();
            return new NotExpr(ParseExpr(PrecNot)) { Position = t.Start };
        }

        if (t.Kind == TokenKind.Operator)
        {
            string op = TextOf(Advance()).ToString();
            if (op is "-" or "+")
            {
                SqlExpr operand = ParseExpr(PrecUnary);
                // Fold "-5" into a negative constant, as PostgreSQL does, so -2147483648 is an int4.
                if (op == "-" && operand is LiteralExpr { Kind: LiteralKind.Integer or LiteralKind.Numeric } lit && lit.Value[0] != '-')
                {
                    return new LiteralExpr(lit.Kind, "-" + lit.Value) { Position = t.Start };
                }

                return new UnaryExpr(op, operand) { Position = t.Start };
            }

            if (op is "!" && MySql)
            {
                return new NotExpr(ParseExpr(PrecUnary)) { Position = t.Start };
            }

            return new UnaryExpr(op, ParseExpr(PrecOther)) { Position = t.Start };
        }

        return ParsePostfix(ParsePrimary());
    }

    /// <summary><c>::type</c> casts, <c>[i]</c> / <c>[lo:hi]</c> subscripts.</summary>
    private SqlExpr ParsePostfix(SqlExpr e)
    {
        while (true)
        {
            if (Is(TokenKind.DoubleColon))
            {
                int at = Advance().Start;
                e = new CastExpr(e, ParseTypeName()) { Position = e.Position, OperatorPosition = at };
            }
            else if (Is(TokenKind.LeftBracket))
            {
                Advance();
                SqlExpr? lower = Is(TokenKind.Colon) ? null : ParseExpr();
                if (Accept(TokenKind.Colon))
                {
                    SqlExpr? upper = Is(TokenKind.RightBracket) ? null : ParseExpr();
                    Expect(TokenKind.RightBracket);
                    e = new SubscriptExpr(e, lower, upper, true) { Position = e.Position };
                }
                else
                {
                    Expect(TokenKind.RightBracket);
                    e = new SubscriptExpr(e, lower, null, false) { Position = e.Position };
                }
            }
            else
            {
                return e;
            }
        }
    }

    /// <summary>A query starts at the current token (SELECT, WITH or VALUES): the body of <c>IN (...)</c>, <c>(...)</c>, <c>ANY (...)</c>.</summary>
    private bool IsQueryStart() => Current.Kind == TokenKind.Word && Current.Keyword is Keyword.Select or Keyword.With or Keyword.Values;
}

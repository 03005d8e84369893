using System.Globalization;

namespace ThunderDb.Core.Sql.Syntax;

// Type names, normalised as PostgreSQL's grammar does (SimpleTypename / ConstTypename in gram.y).
public sealed partial class SqlParser
{
    private TypeName ParseTypeName()
    {
        TypeName type = ParseBaseTypeName();
        int dimensions = 0;
        while (true)
        {
            if (Is(TokenKind.LeftBracket))
            {
                Advance();
                Accept(TokenKind.Integer);
                Expect(TokenKind.RightBracket);
                dimensions++;
            }
            else if (IsKeyword(Keyword.Array))
            {
                Advance();
                if (Accept(TokenKind.LeftBracket))
                {
                    Accept(TokenKind.Integer);
                    Expect(TokenKind.RightBracket);
                }

                dimensions++;
            }
            else
            {
                break;
            }
        }

        bool unsigned = false;
        if (MySql)
        {
            while (IsKeyword(Keyword.Unsigned) || IsKeyword(Keyword.Signed) || IsKeyword(Keyword.Zerofill))
            {
                unsigned |= Advance().Keyword == Keyword.Unsigned;
            }
        }

        return dimensions == 0 && !unsigned ? type : type with { ArrayDimensions = dimensions, Unsigned = unsigned };
    }

    private TypeName ParseBaseTypeName()
    {
        SqlToken t = Current;
        if (t.Kind == TokenKind.Word)
        {
            switch (t.Keyword)
            {
                case Keyword.Int or Keyword.Integer when !MySql || PeekToken().Kind != TokenKind.LeftParen:
                    Advance();
                    return TypeName.Simple("int4");
                case Keyword.Smallint when !MySql || PeekToken().Kind != TokenKind.LeftParen:
                    Advance();
                    return TypeName.Simple("int2");
                case Keyword.Bigint when !MySql || PeekToken().Kind != TokenKind.LeftParen:
                    Advance();
                    return TypeName.Simple("int8");
                case Keyword.Int or Keyword.Integer or Keyword.Smallint or Keyword.Bigint:
                {
                    // MySQL INT(11): the display width means nothing for storage; it is kept as written.
                    Advance();
                    string name = t.Keyword switch { Keyword.Smallint => "int2", Keyword.Bigint => "int8", _ => "int4" };
                    return new TypeName([name], ParseTypeModifiers());
                }

                case Keyword.Real:
                    Advance();
                    return TypeName.Simple("float4");
                case Keyword.Float when MySql && PeekToken().Kind == TokenKind.LeftParen:
                    // MySQL FLOAT(M, D): M digits in total; stored as a double like PostgreSQL's float8.
                    Advance();
                    ParseTypeModifiers();
                    return TypeName.Simple("float8");
                case Keyword.Float:
                {
                    Advance();
                    int? p = ParseOptionalPrecision();
                    if (p is < 1 or > 53)
                    {
                        throw SqlSyntaxException.At(_sql, t.Start, p < 1 ? "precision for type float must be at least 1 bit" : "precision for type float must be less than 54 bits");
                    }

                    return TypeName.Simple(p is <= 24 ? "float4" : "float8");
                }

                case Keyword.Double:
                    Advance();
                    if (!MySql || IsKeyword(Keyword.Precision))
                    {
                        ExpectKeyword(Keyword.Precision);
                    }

                    return TypeName.Simple("float8");
                case Keyword.Decimal or Keyword.Dec or Keyword.Numeric:
                    Advance();
                    return new TypeName(["numeric"], ParseTypeModifiers());
                case Keyword.Boolean:
                    Advance();
                    return TypeName.Simple("bool");
                case Keyword.Char or Keyword.Character or Keyword.Nchar or Keyword.National:
                    return ParseCharacterType();
                case Keyword.Varchar:
                    Advance();
                    return new TypeName(["varchar"], ParseTypeModifiers());
                case Keyword.Bit:
                {
                    Advance();
                    bool varying = AcceptKeyword(Keyword.Varying);
                    List<SqlExpr> mods = ParseTypeModifiers();
                    if (!varying && mods.Count == 0)
                    {
                        mods.Add(IntLiteral(1));
                    }

                    return new TypeName([varying ? "varbit" : "bit"], mods);
                }

                case Keyword.Time or Keyword.Timestamp:
                {
                    Advance();
                    List<SqlExpr> mods = ParseTypeModifiers();
                    bool withZone = false;
                    if (AcceptKeyword(Keyword.With))
                    {
                        ExpectKeyword(Keyword.Time);
                        ExpectKeyword(Keyword.Zone);
                        withZone = true;
                    }
                    else if (AcceptKeyword(Keyword.Without))
                    {
                        ExpectKeyword(Keyword.Time);
                        ExpectKeyword(Keyword.Zone);
                    }

                    string name = t.Keyword == Keyword.Time ? (withZone ? "timetz" : "time") : (withZone ? "timestamptz" : "timestamp");
                    return new TypeName([name], mods);
                }

                case Keyword.Interval:
                {
                    Advance();
                    ParseIntervalFields();
                    return new TypeName(["interval"], ParseTypeModifiers());
                }
            }
        }

        if (!IsFunctionName(t) && !(t.Kind == TokenKind.Word && CategoryOf(t) == KeywordCategory.ColumnName))
        {
            throw Error();
        }

        var names = new List<string> { NameOf(Advance()) };
        while (Is(TokenKind.Dot))
        {
            Advance();
            names.Add(ParseColLabel());
        }

        return new TypeName(names, ParseTypeModifiers());
    }

    /// <summary>CHAR(n), CHARACTER VARYING(n), NATIONAL CHARACTER (n)...: bpchar or varchar. CHAR alone is bpchar(1).</summary>
    private TypeName ParseCharacterType()
    {
        if (AcceptKeyword(Keyword.National))
        {
            if (!AcceptKeyword(Keyword.Character))
            {
                ExpectKeyword(Keyword.Char);
            }
        }
        else
        {
            Advance();
        }

        bool varying = AcceptKeyword(Keyword.Varying);
        List<SqlExpr> mods = ParseTypeModifiers();
        if (!varying && mods.Count == 0)
        {
            mods.Add(IntLiteral(1));
        }

        return new TypeName([varying ? "varchar" : "bpchar"], mods);
    }

    private List<SqlExpr> ParseTypeModifiers()
    {
        if (!Is(TokenKind.LeftParen))
        {
            return [];
        }

        Advance();
        List<SqlExpr> mods = ParseExprList();
        Expect(TokenKind.RightParen);
        return mods;
    }

    private static LiteralExpr IntLiteral(int value) => new(LiteralKind.Integer, value.ToString(CultureInfo.InvariantCulture));
}

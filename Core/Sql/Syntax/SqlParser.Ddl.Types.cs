namespace ThunderDb.Core.Sql.Syntax;

// CREATE TYPE ... AS ENUM and ALTER TYPE: the enum types (composite, range and base types are not built).
public sealed partial class SqlParser
{
    private SqlStatement ParseCreateType()
    {
        ObjectName name = ParseObjectName();
        if (!AcceptKeyword(Keyword.As))
        {
            throw new SqlSyntaxException(SqlSyntaxException.FeatureNotSupported, "CREATE TYPE is supported only as ENUM", SqlSyntaxException.PositionOf(_sql, Current.Start));
        }

        if (!AcceptWord("enum"))
        {
            throw new SqlSyntaxException(SqlSyntaxException.FeatureNotSupported,
                IsKeyword(Keyword.Range) ? "range types are not supported" : "composite types are not supported", Current.Start + 1);
        }

        Expect(TokenKind.LeftParen);
        var labels = new List<string>();
        if (!Is(TokenKind.RightParen))
        {
            do
            {
                labels.Add(ParseStringLiteral());
            }
            while (Accept(TokenKind.Comma));
        }

        Expect(TokenKind.RightParen);
        return new CreateEnumTypeStatement(name, labels);
    }

    private AlterTypeStatement ParseAlterType()
    {
        ExpectKeyword(Keyword.Alter);
        ExpectKeyword(Keyword.Type);
        ObjectName name = ParseObjectName();
        if (AcceptKeyword(Keyword.Add))
        {
            ExpectKeyword(Keyword.Value);
            bool ifNotExists = ParseIfNotExists();
            string label = ParseStringLiteral();
            bool before = AcceptWord("before");
            string? neighbor = before || AcceptWord("after") ? ParseStringLiteral() : null;
            return new AlterTypeStatement(name, new AddEnumValueAction(label, ifNotExists, neighbor, before));
        }

        if (AcceptKeyword(Keyword.Rename))
        {
            if (AcceptKeyword(Keyword.Value))
            {
                string label = ParseStringLiteral();
                ExpectKeyword(Keyword.To);
                return new AlterTypeStatement(name, new RenameEnumValueAction(label, ParseStringLiteral()));
            }

            ExpectKeyword(Keyword.To);
            return new AlterTypeStatement(name, new RenameTypeAction(ParseColId()));
        }

        throw new SqlSyntaxException(SqlSyntaxException.FeatureNotSupported, "ALTER TYPE supports ADD VALUE, RENAME VALUE and RENAME TO", SqlSyntaxException.PositionOf(_sql, Current.Start));
    }
}

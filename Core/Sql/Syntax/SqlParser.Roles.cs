namespace ThunderDb.Core.Sql.Syntax;

/// <summary>CREATE / ALTER / DROP ROLE (USER, GROUP), and GRANT / REVOKE (and COMMENT ON) recognised so they can be refused clearly.</summary>
public sealed partial class SqlParser
{
    /// <summary>True when the statement at the cursor is a role statement or GRANT / REVOKE, parsed into <paramref name="statement"/>.</summary>
    private bool TryParseRoleStatement(out SqlStatement? statement)
    {
        statement = null;
        SqlToken t = Current;
        if (t.Keyword is Keyword.Grant || (t.Keyword == Keyword.None && IsWordText(t, "revoke")))
        {
            string what = t.Keyword is Keyword.Grant ? "GRANT" : "REVOKE";
            SkipToStatementEnd();
            statement = new UnsupportedStatement(
                $"{what} is not supported: ThunderDB has no object privileges (every role that can log in may use every table; only role management needs a superuser)");
            return true;
        }

        if (!MySql && IsWordText(t, "comment") && PeekToken().Keyword == Keyword.On)
        {
            statement = ParseComment();
            return true;
        }

        if (t.Keyword is not (Keyword.Create or Keyword.Alter or Keyword.Drop) || !IsRoleNoun(PeekToken()))
        {
            return false;
        }

        Advance();
        bool isUser = Current.Keyword == Keyword.User;
        Advance();
        statement = t.Keyword switch
        {
            Keyword.Create => new CreateRoleStatement(ParseRoleName(), isUser, ParseRoleOptions(isUser ? "CREATE USER" : "CREATE ROLE")),
            Keyword.Alter => ParseAlterRole(),
            _ => ParseDropRole(),
        };
        return true;
    }

    private bool IsRoleNoun(SqlToken t) =>
        t.Kind == TokenKind.Word && (t.Keyword is Keyword.User or Keyword.Group || (t.Keyword == Keyword.None && IsWordText(t, "role")));

    private bool IsWordText(SqlToken t, string word) => t.Kind == TokenKind.Word && TextOf(t).Equals(word, StringComparison.OrdinalIgnoreCase);

    private bool AcceptWord(string word)
    {
        if (!IsWordText(Current, word))
        {
            return false;
        }

        Advance();
        return true;
    }

    /// <summary>A role name: an identifier (quoted or not), as PostgreSQL's RoleId.</summary>
    private string ParseRoleName()
    {
        if (Current.Kind == TokenKind.QuotedIdentifier || (Current.Kind == TokenKind.Word && CategoryOf(Current) != KeywordCategory.Reserved))
        {
            return NameOf(Advance());
        }

        throw Error();
    }

    private AlterRoleStatement ParseAlterRole()
    {
        RoleSpec role = Current.Keyword switch
        {
            Keyword.CurrentUser or Keyword.CurrentRole => Consume(new RoleSpec(null, SqlValueFunction.CurrentUser)),
            Keyword.SessionUser => Consume(new RoleSpec(null, SqlValueFunction.SessionUser)),
            _ => new RoleSpec(ParseRoleName()),
        };
        if (AcceptKeyword(Keyword.Rename))
        {
            ExpectKeyword(Keyword.To);
            return new AlterRoleStatement(role, new RoleOptions(), ParseRoleName());
        }

        if (IsKeyword(Keyword.Set) || IsKeyword(Keyword.Reset) || IsKeyword(Keyword.In))
        {
            SkipToStatementEnd();
            return new AlterRoleStatement(role, new RoleOptions { Unsupported = "per-role settings (ALTER ROLE ... SET / RESET)" });
        }

        return new AlterRoleStatement(role, ParseRoleOptions("ALTER ROLE"));
    }

    private T Consume<T>(T value)
    {
        Advance();
        return value;
    }

    private DropRoleStatement ParseDropRole()
    {
        bool ifExists = ParseIfExists();
        var names = new List<string> { ParseRoleName() };
        while (Accept(TokenKind.Comma))
        {
            names.Add(ParseRoleName());
        }

        return new DropRoleStatement(names, ifExists);
    }

    /// <summary>[WITH] option [...], PostgreSQL's CreateOptRoleElem / AlterOptRoleElem; a repeated option is an error, as there.</summary>
    private RoleOptions ParseRoleOptions(string statement)
    {
        AcceptKeyword(Keyword.With);
        var o = new RoleOptions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Current.Kind == TokenKind.Word)
        {
            SqlToken start = Current;
            string word = TextOf(start).ToString().ToLowerInvariant();
            string option = word.StartsWith("no", StringComparison.Ordinal) && word is not "none" ? word[2..] : word;
            bool on = option == word;
            switch (option)
            {
                case "superuser": Advance(); o = o with { Superuser = on }; break;
                case "login": Advance(); o = o with { CanLogin = on }; break;
                case "createdb": Advance(); o = o with { CreateDb = on }; break;
                case "createrole": Advance(); o = o with { CreateRole = on }; break;
                case "inherit": Advance(); o = o with { Inherit = on }; break;
                case "replication": Advance(); o = o with { Replication = on }; break;
                case "bypassrls": Advance(); o = o with { BypassRls = on }; break;
                case "encrypted" or "unencrypted" or "password" when on:
                    if (option is "unencrypted")
                    {
                        throw new SqlSyntaxException(SqlSyntaxException.FeatureNotSupported, "UNENCRYPTED PASSWORD is no longer supported", SqlSyntaxException.PositionOf(_sql, start.Start));
                    }

                    option = "password";
                    AcceptWord("encrypted");
                    if (!AcceptWord("password"))
                    {
                        throw Error();
                    }

                    o = o with { PasswordGiven = true, Password = AcceptKeyword(Keyword.Null) ? null : ParseStringLiteral() };
                    break;
                case "connection" when on:
                    Advance();
                    ExpectKeyword(Keyword.Limit);
                    bool negative = AcceptOperator("-");
                    int limit = ParseIntegerLiteral();
                    if (!(negative && limit == 1))
                    {
                        o = o with { Unsupported = o.Unsupported ?? "CONNECTION LIMIT (only -1, no limit, is supported)" };
                    }

                    break;
                case "valid" when on:
                    Advance();
                    if (!AcceptWord("until"))
                    {
                        throw Error();
                    }

                    if (!ParseStringLiteral().Equals("infinity", StringComparison.OrdinalIgnoreCase))
                    {
                        // 'infinity' is what every role has here: no expiry
                        o = o with { Unsupported = o.Unsupported ?? "VALID UNTIL (other than 'infinity')" };
                    }

                    break;
                case "sysid" when on:
                    Advance();
                    ParseIntegerLiteral();
                    break;
                case "in" or "role" or "admin" or "user" when on && statement.StartsWith("CREATE", StringComparison.Ordinal):
                    Advance();
                    if (option == "in" && !AcceptWord("role") && !AcceptKeyword(Keyword.Group))
                    {
                        throw Error();
                    }

                    do
                    {
                        ParseRoleName();
                    }
                    while (Accept(TokenKind.Comma));

                    o = o with { Unsupported = o.Unsupported ?? "role membership (IN ROLE, ROLE, ADMIN, USER)" };
                    break;
                default:
                    throw ErrorAt(start);
            }

            if (!seen.Add(option))
            {
                throw new SqlSyntaxException(SqlSyntaxException.SyntaxError, "conflicting or redundant options", SqlSyntaxException.PositionOf(_sql, start.Start));
            }
        }

        if (!Is(TokenKind.Semicolon) && !Is(TokenKind.EndOfInput))
        {
            throw Error();
        }

        return o;
    }

    /// <summary>Skips to the ';' or the end that closes the statement (parentheses and strings are tokens, so a ';' inside them is not seen).</summary>
    private void SkipToStatementEnd()
    {
        int depth = 0;
        while (!Is(TokenKind.EndOfInput) && !(depth == 0 && Is(TokenKind.Semicolon)))
        {
            depth += Is(TokenKind.LeftParen) ? 1 : Is(TokenKind.RightParen) ? -1 : 0;
            Advance();
        }
    }
}

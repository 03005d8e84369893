namespace ThunderDb.Core.Sql.Syntax;

// DROP, ALTER TABLE, TRUNCATE, CREATE INDEX and the generic option lists DDL carries.
public sealed partial class SqlParser
{
    private DropStatement ParseDrop()
    {
        ExpectKeyword(Keyword.Drop);
        ObjectKind kind = Advance().Keyword switch
        {
            Keyword.Table => ObjectKind.Table,
            Keyword.Index => ObjectKind.Index,
            Keyword.View => ObjectKind.View,
            Keyword.Schema => MySql ? ObjectKind.Database : ObjectKind.Schema,
            Keyword.Database => ObjectKind.Database,
            Keyword.Sequence => ObjectKind.Sequence,
            Keyword.Type when !MySql => ObjectKind.Type,
            _ => throw ErrorAt(_tokens[_pos - 1]),
        };
        if (kind == ObjectKind.Index)
        {
            AcceptKeyword(Keyword.Concurrently);
        }

        bool ifExists = ParseIfExists();
        List<ObjectName> names = kind is ObjectKind.Schema or ObjectKind.Database && !MySql
            ? [new ObjectName([ParseColId()])]
            : ParseObjectNameList();
        if (kind == ObjectKind.Schema)
        {
            while (Accept(TokenKind.Comma))
            {
                names.Add(new ObjectName([ParseColId()]));
            }
        }

        ObjectName? onTable = null;
        if (MySql && kind == ObjectKind.Index && AcceptKeyword(Keyword.On))
        {
            onTable = ParseObjectName();
        }

        if (kind == ObjectKind.Database && !MySql)
        {
            // DROP DATABASE name [ [WITH] ( FORCE [, ...] ) ]
            bool force = false;
            if (AcceptKeyword(Keyword.With) || Current.Kind == TokenKind.LeftParen)
            {
                Expect(TokenKind.LeftParen);
                do
                {
                    SqlToken token = Current;
                    string option = FoldedName(ExpectWordOrIdentifier());
                    force = option == "force" ? true : throw ErrorAt(token); // gram.y knows FORCE only
                }
                while (Accept(TokenKind.Comma));

                Expect(TokenKind.RightParen);
            }

            return new DropStatement(kind, names, ifExists, Cascade: false, Force: force);
        }

        bool cascade = ParseDropBehavior();
        return new DropStatement(kind, names, ifExists, cascade, onTable);
    }

    private TruncateStatement ParseTruncate()
    {
        ExpectKeyword(Keyword.Truncate);
        AcceptKeyword(Keyword.Table);
        AcceptKeyword(Keyword.Only);
        List<ObjectName> tables = ParseObjectNameList();
        bool restart = false;
        if (AcceptKeywords(Keyword.Restart, Keyword.Identity))
        {
            restart = true;
        }
        else if (AcceptKeywords(Keyword.Continue, Keyword.Identity))
        {
            restart = false;
        }

        return new TruncateStatement(tables, restart, ParseDropBehavior());
    }

    private CreateIndexStatement ParseCreateIndex()
    {
        bool unique = AcceptKeyword(Keyword.Unique);
        ExpectKeyword(Keyword.Index);
        bool concurrently = AcceptKeyword(Keyword.Concurrently);
        bool ifNotExists = ParseIfNotExists();
        string? name = IsKeyword(Keyword.On) ? null : ParseColId();
        ExpectKeyword(Keyword.On);
        AcceptKeyword(Keyword.Only);
        ObjectName table = ParseObjectName();
        string? method = AcceptKeyword(Keyword.Using) ? ParseColLabel() : null;
        Expect(TokenKind.LeftParen);
        var elements = new List<IndexElement>();
        do
        {
            // A bare column, or an expression in parentheses; function calls are allowed bare too.
            SqlExpr e = ParseExpr(PrecAt);
            if (MySql && e is FunctionCallExpr { Args.Count: 1 } prefix && prefix.Args[0] is LiteralExpr { Kind: LiteralKind.Integer })
            {
                // MySQL prefix index c(10): the whole column is indexed.
                e = new ColumnRefExpr(prefix.Name);
            }

            if (AcceptKeyword(Keyword.Collate))
            {
                e = new CollateExpr(e, ParseObjectName().Parts);
            }

            string? opclass = IsColId(Current) && !IsKeyword(Keyword.Nulls) ? ParseObjectName().Name : null;
            bool descending = AcceptKeyword(Keyword.Desc);
            if (!descending)
            {
                AcceptKeyword(Keyword.Asc);
            }

            bool? nullsFirst = null;
            if (AcceptKeyword(Keyword.Nulls))
            {
                nullsFirst = AcceptKeyword(Keyword.First) ? true : AcceptKeyword(Keyword.Last) ? false : throw Error();
            }

            elements.Add(new IndexElement(e, descending, nullsFirst, opclass));
        }
        while (Accept(TokenKind.Comma));

        Expect(TokenKind.RightParen);
        List<string> include = [];
        if (Current.Kind == TokenKind.Word && TextOf(Current).Equals("include", StringComparison.OrdinalIgnoreCase) && PeekToken().Kind == TokenKind.LeftParen)
        {
            Advance();
            include = ParseParenthesizedNames();
        }

        if (AcceptKeyword(Keyword.With))
        {
            ParseParenthesizedOptions();
        }

        SqlExpr? where = AcceptKeyword(Keyword.Where) ? ParseExpr() : null;
        if (MySql && AcceptKeyword(Keyword.Using))
        {
            method = ParseColLabel();
        }

        return new CreateIndexStatement(name, table, unique, ifNotExists, method, elements, include, where, concurrently);
    }

    private AlterTableStatement ParseAlterTable()
    {
        ExpectKeyword(Keyword.Alter);
        ExpectKeyword(Keyword.Table);
        bool ifExists = ParseIfExists();
        AcceptKeyword(Keyword.Only);
        ObjectName table = ParseObjectName();
        var actions = new List<AlterTableAction>();
        do
        {
            actions.Add(ParseAlterTableAction());
        }
        while (Accept(TokenKind.Comma));

        return new AlterTableStatement(table, ifExists, actions);
    }

    private AlterTableAction ParseAlterTableAction()
    {
        if (AcceptKeyword(Keyword.Add))
        {
            if (IsTableConstraintStart())
            {
                return new AddConstraintAction(ParseTableConstraint());
            }

            AcceptKeyword(Keyword.Column);
            bool ifNotExists = ParseIfNotExists();
            return new AddColumnAction(ParseColumnDef(), ifNotExists);
        }

        if (AcceptKeyword(Keyword.Drop))
        {
            if (AcceptKeyword(Keyword.Constraint))
            {
                bool ifExistsC = ParseIfExists();
                string constraint = ParseColId();
                return new DropConstraintAction(constraint, ifExistsC, ParseDropBehavior());
            }

            if (MySql && AcceptKeywords(Keyword.Primary, Keyword.Key))
            {
                return new DropConstraintAction("PRIMARY", false, false);
            }

            AcceptKeyword(Keyword.Column);
            bool ifExists = ParseIfExists();
            string column = ParseColId();
            return new DropColumnAction(column, ifExists, ParseDropBehavior());
        }

        if (AcceptKeyword(Keyword.Rename))
        {
            if (AcceptKeyword(Keyword.To) || (MySql && AcceptKeyword(Keyword.As)))
            {
                return new RenameTableAction(ParseColId());
            }

            if (AcceptKeyword(Keyword.Constraint))
            {
                string constraint = ParseColId();
                ExpectKeyword(Keyword.To);
                return new RenameConstraintAction(constraint, ParseColId());
            }

            AcceptKeyword(Keyword.Column);
            string column = ParseColId();
            ExpectKeyword(Keyword.To);
            return new RenameColumnAction(column, ParseColId());
        }

        if (AcceptKeyword(Keyword.Alter))
        {
            AcceptKeyword(Keyword.Column);
            string column = ParseColId();
            if (AcceptKeyword(Keyword.Type) || (AcceptKeywords(Keyword.Set, Keyword.Data) && Expected(Keyword.Type)))
            {
                TypeName type = ParseTypeName();
                if (AcceptKeyword(Keyword.Collate))
                {
                    ParseObjectName();
                }

                SqlExpr? usingExpr = AcceptKeyword(Keyword.Using) ? ParseExpr() : null;
                return new AlterColumnTypeAction(column, type, usingExpr);
            }

            if (AcceptKeyword(Keyword.Set))
            {
                if (AcceptKeyword(Keyword.Default))
                {
                    return new AlterColumnDefaultAction(column, ParseRestrictedExpr());
                }

                ExpectKeyword(Keyword.Not);
                ExpectKeyword(Keyword.Null);
                return new AlterColumnNotNullAction(column, true);
            }

            ExpectKeyword(Keyword.Drop);
            if (AcceptKeyword(Keyword.Default))
            {
                return new AlterColumnDefaultAction(column, null);
            }

            ExpectKeyword(Keyword.Not);
            ExpectKeyword(Keyword.Null);
            return new AlterColumnNotNullAction(column, false);
        }

        throw Error();
    }

    /// <summary><c>(name [= value], ...)</c> as in <c>WITH (fillfactor=100)</c> or COPY's option list.</summary>
    private List<GenericOption> ParseParenthesizedOptions()
    {
        Expect(TokenKind.LeftParen);
        var options = new List<GenericOption>();
        do
        {
            string name = FoldedName(ExpectWordOrIdentifier());
            AcceptOperator("=");
            string? value = Is(TokenKind.Comma) || Is(TokenKind.RightParen) ? null : ParseOptionValue();
            options.Add(new GenericOption(name, value));
        }
        while (Accept(TokenKind.Comma));

        Expect(TokenKind.RightParen);
        return options;
    }

    /// <summary>An option value: a word, a string, a number (possibly signed).</summary>
    private string ParseOptionValue()
    {
        SqlToken t = Current;
        switch (t.Kind)
        {
            case TokenKind.String:
                return ParseStringLiteral();
            case TokenKind.Integer or TokenKind.Numeric:
                Advance();
                return TextOf(t).ToString();
            case TokenKind.Operator when TextOf(t) is "-" or "+" && PeekToken().Kind is TokenKind.Integer or TokenKind.Numeric:
                Advance();
                return (TextOf(t)[0] == '-' ? "-" : "") + TextOf(Advance()).ToString();
            case TokenKind.Word or TokenKind.QuotedIdentifier:
                Advance();
                return NameOf(t);
            default:
                throw Error();
        }
    }

    /// <summary>
    /// Trailing options until the statement ends: MySQL's <c>ENGINE = InnoDB DEFAULT CHARSET = utf8mb4</c>,
    /// PostgreSQL's CREATE DATABASE <c>OWNER = u ENCODING 'UTF8'</c>. Names are lower-cased; CHARACTER SET is "charset".
    /// </summary>
    private List<GenericOption> ParseOptionsUntilEnd(IReadOnlySet<string>? known = null)
    {
        var options = new List<GenericOption>();
        while (Current.Kind is TokenKind.Word or TokenKind.QuotedIdentifier)
        {
            AcceptKeyword(Keyword.Default);
            SqlToken at = Current;
            string name = FoldedName(ExpectWordOrIdentifier());
            if (name == "character" && AcceptKeyword(Keyword.Set))
            {
                name = "charset";
            }
            else if (name == "connection" && AcceptKeyword(Keyword.Limit))
            {
                name = "connection_limit"; // CREATE DATABASE ... CONNECTION LIMIT n
            }

            if (known is not null && !known.Contains(name))
            {
                throw SqlSyntaxException.At(_sql, at.Start, $"option \"{name}\" not recognized");
            }

            AcceptOperator("=");
            options.Add(new GenericOption(name, ParseOptionValue()));
            Accept(TokenKind.Comma);
        }

        return options;
    }

    /// <summary>What PostgreSQL's CREATE DATABASE takes (createdb's option list).</summary>
    private static readonly HashSet<string> CreateDatabaseOptions = new(StringComparer.Ordinal)
    {
        "owner", "template", "encoding", "strategy", "locale", "lc_collate", "lc_ctype", "icu_locale", "locale_provider", "collation_version",
        "tablespace", "allow_connections", "connection_limit", "is_template", "oid",
    };
}

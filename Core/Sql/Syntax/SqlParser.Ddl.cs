namespace ThunderDb.Core.Sql.Syntax;

// CREATE / DROP / ALTER / TRUNCATE of tables, indexes, views, schemas, databases and sequences.
public sealed partial class SqlParser
{
    private SqlStatement ParseCreate()
    {
        ExpectKeyword(Keyword.Create);
        bool orReplace = AcceptKeywords(Keyword.Or, Keyword.Replace);
        bool temporary = AcceptKeyword(Keyword.Temp) || AcceptKeyword(Keyword.Temporary);
        if (!temporary)
        {
            AcceptKeyword(Keyword.Unlogged);
        }

        if (IsKeyword(Keyword.Table) && !orReplace)
        {
            Advance();
            return ParseCreateTable(temporary);
        }

        if (IsKeyword(Keyword.View))
        {
            Advance();
            ObjectName name = ParseObjectName();
            List<string>? columns = Is(TokenKind.LeftParen) ? ParseParenthesizedNames() : null;
            ExpectKeyword(Keyword.As);
            Query query = ParseQuery();
            if (_selectInto is not null)
            {
                throw new SqlSyntaxException(SqlSyntaxException.FeatureNotSupported, "views must not contain SELECT INTO", 0);
            }

            return new CreateViewStatement(name, columns, query, orReplace, temporary);
        }

        if (orReplace || temporary)
        {
            if (temporary && AcceptKeyword(Keyword.Sequence))
            {
                return ParseCreateSequence(true);
            }

            throw Error();
        }

        if (IsKeyword(Keyword.Unique) || IsKeyword(Keyword.Index))
        {
            return ParseCreateIndex();
        }

        if (AcceptKeyword(Keyword.Schema) || (MySql && AcceptKeyword(Keyword.Database)))
        {
            bool ifNotExists = ParseIfNotExists();
            if (!MySql && IsKeyword(Keyword.Authorization))
            {
                Advance();
                string owner = ParseColId();
                return new CreateSchemaStatement(owner, ifNotExists, owner);
            }

            string name = ParseColId();
            string? authorization = AcceptKeyword(Keyword.Authorization) ? ParseColId() : null;
            if (MySql)
            {
                return new CreateDatabaseStatement(name, ifNotExists, ParseOptionsUntilEnd());
            }

            return new CreateSchemaStatement(name, ifNotExists, authorization);
        }

        if (AcceptKeyword(Keyword.Database))
        {
            bool ifNotExists = ParseIfNotExists();
            string name = ParseColId();
            AcceptKeyword(Keyword.With);
            return new CreateDatabaseStatement(name, ifNotExists, ParseOptionsUntilEnd(CreateDatabaseOptions));
        }

        if (AcceptKeyword(Keyword.Sequence))
        {
            return ParseCreateSequence(false);
        }

        if (!MySql && AcceptKeyword(Keyword.Type))
        {
            return ParseCreateType();
        }

        throw Error();
    }

    /// <summary>At <c>(a, b) AS</c>: CREATE TABLE AS's column names, not a column definition list.</summary>
    private bool IsColumnNameListThenAs()
    {
        if (!Is(TokenKind.LeftParen))
        {
            return false;
        }

        int i = _pos + 1;
        while (_tokens[i].Kind is TokenKind.Word or TokenKind.QuotedIdentifier && _tokens[i + 1].Kind is TokenKind.Comma)
        {
            i += 2;
        }

        return _tokens[i].Kind is TokenKind.Word or TokenKind.QuotedIdentifier && _tokens[i + 1].Kind == TokenKind.RightParen
            && _tokens[i + 2].Keyword == Keyword.As;
    }

    private CreateTableStatement ParseCreateTable(bool temporary)
    {
        bool ifNotExists = ParseIfNotExists();
        int at = Current.Start;
        ObjectName name = ParseObjectName();
        List<string>? asColumns = IsColumnNameListThenAs() ? ParseParenthesizedNames() : null;
        if (AcceptKeyword(Keyword.As) || (Is(TokenKind.LeftParen) && IsQueryStart(_pos + 1)))
        {
            Query query = ParseQuery();
            bool noData = false;
            if (AcceptKeyword(Keyword.With))
            {
                noData = AcceptKeyword(Keyword.No);
                ExpectKeyword(Keyword.Data);
            }

            return new CreateTableStatement(name, ifNotExists, [], [], [], temporary, query, asColumns, noData) { NamePosition = at };
        }

        Expect(TokenKind.LeftParen);
        var columns = new List<ColumnDef>();
        var constraints = new List<TableConstraint>();
        List<TableLike>? likes = null;
        if (!Is(TokenKind.RightParen))
        {
            do
            {
                if (!MySql && AcceptKeyword(Keyword.Like))
                {
                    int likeAt = Current.Start;
                    (likes ??= []).Add(new TableLike(ParseObjectName(), ParseLikeOptions(), columns.Count) { Position = likeAt });
                }
                else if (IsTableConstraintStart())
                {
                    constraints.Add(ParseTableConstraint());
                }
                else
                {
                    columns.Add(ParseColumnDef());
                }
            }
            while (Accept(TokenKind.Comma));
        }

        Expect(TokenKind.RightParen);
        var options = new List<GenericOption>();
        if (AcceptKeyword(Keyword.With))
        {
            options.AddRange(ParseParenthesizedOptions());
        }
        else if (Current.Kind == TokenKind.Word && TextOf(Current).Equals("without", StringComparison.OrdinalIgnoreCase)
                 && PeekToken().Kind == TokenKind.Word && TextOf(PeekToken()).Equals("oids", StringComparison.OrdinalIgnoreCase))
        {
            _pos += 2;
        }

        OnCommitAction onCommit = OnCommitAction.PreserveRows;
        if (!MySql && IsKeyword(Keyword.On) && IsKeywordAt(1, Keyword.Commit))
        {
            onCommit = ParseOnCommit(temporary);
        }

        if (MySql)
        {
            options.AddRange(ParseOptionsUntilEnd());
        }

        return new CreateTableStatement(name, ifNotExists, columns, constraints, options, temporary, Likes: likes) { NamePosition = at, OnCommit = onCommit };
    }

    /// <summary>ON COMMIT PRESERVE ROWS | DELETE ROWS | DROP, of a temporary table only.</summary>
    private OnCommitAction ParseOnCommit(bool temporary)
    {
        Advance();
        Advance();
        if (!temporary)
        {
            throw new SqlSyntaxException(SqlSyntaxException.InvalidTableDefinition, "ON COMMIT can only be used on temporary tables", 0);
        }

        if (AcceptWord("preserve"))
        {
            ExpectKeyword(Keyword.Rows);
            return OnCommitAction.PreserveRows;
        }

        if (AcceptKeyword(Keyword.Delete))
        {
            ExpectKeyword(Keyword.Rows);
            return OnCommitAction.DeleteRows;
        }

        ExpectKeyword(Keyword.Drop);
        return OnCommitAction.Drop;
    }

    /// <summary>COMMENT ON {TABLE | VIEW | INDEX | SEQUENCE | SCHEMA | DATABASE | ROLE | COLUMN} name IS 'text' | NULL.</summary>
    private CommentStatement ParseComment()
    {
        Advance(); // COMMENT
        ExpectKeyword(Keyword.On);
        SqlToken kindToken = Advance();
        string kind = TextOf(kindToken).ToString().ToLowerInvariant();
        if (kind == "materialized")
        {
            throw new SqlSyntaxException(SqlSyntaxException.FeatureNotSupported, "materialized views are not supported", kindToken.Start);
        }

        if (kind is not ("table" or "view" or "index" or "sequence" or "schema" or "database" or "role" or "column"))
        {
            throw new SqlSyntaxException(SqlSyntaxException.FeatureNotSupported, $"COMMENT ON {kind.ToUpperInvariant()} is not supported", kindToken.Start);
        }

        ObjectName name = kind is "schema" or "database" or "role" ? new ObjectName([ParseColId()]) : ParseObjectName();
        ExpectKeyword(Keyword.Is);
        string? text = AcceptKeyword(Keyword.Null) ? null : ParseStringLiteral();
        return new CommentStatement(kind, name, text);
    }

    /// <summary>{INCLUDING | EXCLUDING} {DEFAULTS | CONSTRAINTS | INDEXES | IDENTITY | GENERATED | ... | ALL}, applied in order.</summary>
    private LikeOptions ParseLikeOptions()
    {
        LikeOptions options = LikeOptions.None;
        while (Current.Kind == TokenKind.Word && TextOf(Current).ToString().ToLowerInvariant() is "including" or "excluding")
        {
            bool including = TextOf(Advance()).Equals("including", StringComparison.OrdinalIgnoreCase);
            SqlToken what = Advance();
            LikeOptions option = TextOf(what).ToString().ToLowerInvariant() switch
            {
                "defaults" => LikeOptions.Defaults,
                "constraints" => LikeOptions.Constraints,
                "indexes" => LikeOptions.Indexes,
                "identity" => LikeOptions.Identity,
                "generated" => LikeOptions.Generated,
                "comments" or "statistics" or "storage" or "compression" => LikeOptions.Other,
                "all" => LikeOptions.All,
                _ => throw ErrorAt(what),
            };
            options = including ? options | option : options & ~option;
        }

        return options;
    }

    private bool IsTableConstraintStart()
    {
        if (Current.Kind != TokenKind.Word)
        {
            return false;
        }

        return Current.Keyword switch
        {
            Keyword.Constraint or Keyword.Check or Keyword.Unique or Keyword.Foreign => true,
            Keyword.Primary => IsKeywordAt(1, Keyword.Key),
            Keyword.Key or Keyword.Index => MySql,
            _ => false,
        };
    }

    private TableConstraint ParseTableConstraint()
    {
        string? name = AcceptKeyword(Keyword.Constraint) ? ParseColId() : null;
        SqlToken t = Advance();
        switch (t.Keyword)
        {
            case Keyword.Check:
            {
                Expect(TokenKind.LeftParen);
                SqlExpr check = ParseExpr();
                Expect(TokenKind.RightParen);
                SkipConstraintAttributes();
                return new TableConstraint(name, TableConstraintKind.Check, [], check);
            }

            case Keyword.Unique:
            {
                if (MySql && !AcceptKeyword(Keyword.Key))
                {
                    AcceptKeyword(Keyword.Index);
                }

                if (MySql && IsColId(Current))
                {
                    name ??= ParseColId();
                }

                List<string> columns = ParseIndexColumns();
                SkipConstraintAttributes();
                return new TableConstraint(name, TableConstraintKind.Unique, columns);
            }

            case Keyword.Primary:
            {
                ExpectKeyword(Keyword.Key);
                List<string> columns = ParseIndexColumns();
                SkipConstraintAttributes();
                return new TableConstraint(name, TableConstraintKind.PrimaryKey, columns);
            }

            case Keyword.Foreign:
            {
                ExpectKeyword(Keyword.Key);
                if (MySql && IsColId(Current))
                {
                    name ??= ParseColId();
                }

                List<string> columns = ParseParenthesizedNames();
                ExpectKeyword(Keyword.References);
                ForeignKeyTarget target = ParseReferences();
                return new TableConstraint(name, TableConstraintKind.ForeignKey, columns, null, target);
            }

            case Keyword.Key or Keyword.Index when MySql:
            {
                string? indexName = IsColId(Current) ? ParseColId() : null;
                return new TableConstraint(indexName, TableConstraintKind.Index, ParseIndexColumns());
            }

            default:
                throw ErrorAt(t);
        }
    }

    /// <summary>(a, b) of a key; MySQL prefix lengths (<c>c(10)</c>) and ASC/DESC are accepted and dropped.</summary>
    private List<string> ParseIndexColumns()
    {
        Expect(TokenKind.LeftParen);
        var names = new List<string>();
        do
        {
            names.Add(ParseColId());
            if (MySql && Accept(TokenKind.LeftParen))
            {
                ParseIntegerLiteral();
                Expect(TokenKind.RightParen);
            }

            if (MySql && !AcceptKeyword(Keyword.Asc))
            {
                AcceptKeyword(Keyword.Desc);
            }
        }
        while (Accept(TokenKind.Comma));

        Expect(TokenKind.RightParen);
        if (MySql && AcceptKeyword(Keyword.Using))
        {
            ParseColLabel();
        }

        return names;
    }

    /// <summary>DEFERRABLE / NOT DEFERRABLE / INITIALLY DEFERRED|IMMEDIATE: accepted (constraints are checked immediately).</summary>
    private void SkipConstraintAttributes()
    {
        while (true)
        {
            if (AcceptKeyword(Keyword.Deferrable) || AcceptKeywords(Keyword.Not, Keyword.Deferrable))
            {
                continue;
            }

            if (AcceptKeyword(Keyword.Initially))
            {
                if (!AcceptKeyword(Keyword.Deferred))
                {
                    ExpectKeyword(Keyword.Immediate);
                }

                continue;
            }

            return;
        }
    }

    private ForeignKeyTarget ParseReferences()
    {
        ObjectName table = ParseObjectName();
        List<string>? columns = Is(TokenKind.LeftParen) ? ParseParenthesizedNames() : null;
        string? match = null;
        ReferentialAction onDelete = ReferentialAction.NoAction, onUpdate = ReferentialAction.NoAction;
        while (true)
        {
            if (AcceptKeyword(Keyword.Match))
            {
                match = AcceptKeyword(Keyword.Full) ? "full" : AcceptKeyword(Keyword.Partial) ? "partial" : AcceptKeyword(Keyword.Simple) ? "simple" : throw Error();
            }
            else if (IsKeyword(Keyword.On) && IsKeywordAt(1, Keyword.Delete))
            {
                _pos += 2;
                onDelete = ParseReferentialAction();
            }
            else if (IsKeyword(Keyword.On) && IsKeywordAt(1, Keyword.Update))
            {
                _pos += 2;
                onUpdate = ParseReferentialAction();
            }
            else
            {
                break;
            }
        }

        SkipConstraintAttributes();
        return new ForeignKeyTarget(table, columns, onDelete, onUpdate, match);
    }

    private ReferentialAction ParseReferentialAction()
    {
        if (AcceptKeyword(Keyword.Cascade))
        {
            return ReferentialAction.Cascade;
        }

        if (AcceptKeyword(Keyword.Restrict))
        {
            return ReferentialAction.Restrict;
        }

        if (AcceptKeywords(Keyword.No, Keyword.Action))
        {
            return ReferentialAction.NoAction;
        }

        ExpectKeyword(Keyword.Set);
        if (AcceptKeyword(Keyword.Null))
        {
            return ReferentialAction.SetNull;
        }

        ExpectKeyword(Keyword.Default);
        return ReferentialAction.SetDefault;
    }

    private ColumnDef ParseColumnDef()
    {
        string name = ParseColId();
        TypeName type = ParseTypeName();
        var constraints = new List<ColumnConstraint>();
        while (true)
        {
            string? constraintName = AcceptKeyword(Keyword.Constraint) ? ParseColId() : null;
            ColumnConstraint? c = ParseColumnConstraint(constraintName);
            if (c is null)
            {
                if (constraintName is not null)
                {
                    throw Error();
                }

                break;
            }

            constraints.Add(c);
        }

        return new ColumnDef(name, type, constraints);
    }

    private ColumnConstraint? ParseColumnConstraint(string? name)
    {
        SqlToken t = Current;
        if (t.Kind != TokenKind.Word)
        {
            return null;
        }

        switch (t.Keyword)
        {
            case Keyword.Not:
                Advance();
                ExpectKeyword(Keyword.Null);
                return new ColumnConstraint(name, ColumnConstraintKind.NotNull);
            case Keyword.Null:
                Advance();
                return new ColumnConstraint(name, ColumnConstraintKind.Null);
            case Keyword.Default:
                Advance();
                return new ColumnConstraint(name, ColumnConstraintKind.Default, ParseRestrictedExpr());
            case Keyword.Primary:
                Advance();
                ExpectKeyword(Keyword.Key);
                SkipConstraintAttributes();
                return new ColumnConstraint(name, ColumnConstraintKind.PrimaryKey);
            case Keyword.Unique:
                Advance();
                if (MySql)
                {
                    AcceptKeyword(Keyword.Key);
                }

                SkipConstraintAttributes();
                return new ColumnConstraint(name, ColumnConstraintKind.Unique);
            case Keyword.Key when MySql:
                Advance();
                return new ColumnConstraint(name, ColumnConstraintKind.PrimaryKey);
            case Keyword.Check:
            {
                Advance();
                Expect(TokenKind.LeftParen);
                SqlExpr check = ParseExpr();
                Expect(TokenKind.RightParen);
                return new ColumnConstraint(name, ColumnConstraintKind.Check, check);
            }

            case Keyword.References:
                Advance();
                return new ColumnConstraint(name, ColumnConstraintKind.References, References: ParseReferences());
            case Keyword.Generated:
                return ParseGenerated(name);
            case Keyword.AutoIncrement when MySql:
                Advance();
                return new ColumnConstraint(name, ColumnConstraintKind.AutoIncrement);
            case Keyword.Collate:
                Advance();
                return new ColumnConstraint(name, ColumnConstraintKind.Collate, Collation: string.Join('.', ParseObjectName().Parts));
            case Keyword.Comment when MySql:
                Advance();
                ParseStringLiteral();
                return ParseColumnConstraint(name);
            case Keyword.Character or Keyword.Charset when MySql:
                Advance();
                if (t.Keyword == Keyword.Character)
                {
                    ExpectKeyword(Keyword.Set);
                }

                ParseColLabel();
                return ParseColumnConstraint(name);
            case Keyword.On when MySql && IsKeywordAt(1, Keyword.Update):
                // MySQL ON UPDATE CURRENT_TIMESTAMP: not supported as behaviour; refused rather than ignored.
                throw new SqlSyntaxException(SqlSyntaxException.FeatureNotSupported, "ON UPDATE column attributes are not supported", SqlSyntaxException.PositionOf(_sql, Current.Start));
            default:
                return null;
        }
    }

    private ColumnConstraint ParseGenerated(string? name)
    {
        Advance();
        bool always;
        if (AcceptKeyword(Keyword.Always))
        {
            always = true;
        }
        else
        {
            ExpectKeyword(Keyword.By);
            ExpectKeyword(Keyword.Default);
            always = false;
        }

        ExpectKeyword(Keyword.As);
        if (AcceptKeyword(Keyword.Identity))
        {
            SequenceOptions? options = null;
            if (Accept(TokenKind.LeftParen))
            {
                options = ParseSequenceOptions();
                Expect(TokenKind.RightParen);
            }

            return new ColumnConstraint(name, ColumnConstraintKind.Identity, IdentityAlways: always, IdentityOptions: options);
        }

        if (!always)
        {
            throw Error();
        }

        Expect(TokenKind.LeftParen);
        SqlExpr e = ParseExpr();
        Expect(TokenKind.RightParen);
        ExpectKeyword(Keyword.Stored);
        return new ColumnConstraint(name, ColumnConstraintKind.Generated, e, IdentityAlways: true);
    }

    private CreateSequenceStatement ParseCreateSequence(bool temporary)
    {
        bool ifNotExists = ParseIfNotExists();
        ObjectName name = ParseObjectName();
        return new CreateSequenceStatement(name, ifNotExists, ParseSequenceOptions(), temporary);
    }

    private SequenceOptions ParseSequenceOptions()
    {
        var o = new SequenceOptions();
        while (true)
        {
            if (AcceptKeyword(Keyword.As))
            {
                o = o with { As = ParseTypeName() };
            }
            else if (AcceptKeyword(Keyword.Increment))
            {
                AcceptKeyword(Keyword.By);
                o = o with { Increment = ParseSignedNumber() };
            }
            else if (AcceptKeyword(Keyword.Minvalue))
            {
                o = o with { MinValue = ParseSignedNumber() };
            }
            else if (AcceptKeyword(Keyword.Maxvalue))
            {
                o = o with { MaxValue = ParseSignedNumber() };
            }
            else if (AcceptKeywords(Keyword.No, Keyword.Minvalue))
            {
                o = o with { NoMinValue = true };
            }
            else if (AcceptKeywords(Keyword.No, Keyword.Maxvalue))
            {
                o = o with { NoMaxValue = true };
            }
            else if (AcceptKeywords(Keyword.No, Keyword.Cycle))
            {
                o = o with { Cycle = false };
            }
            else if (AcceptKeyword(Keyword.Cycle))
            {
                o = o with { Cycle = true };
            }
            else if (AcceptKeyword(Keyword.Start))
            {
                AcceptKeyword(Keyword.With);
                o = o with { Start = ParseSignedNumber() };
            }
            else if (AcceptKeyword(Keyword.Cache))
            {
                o = o with { Cache = ParseSignedNumber() };
            }
            else if (AcceptKeywords(Keyword.Owned, Keyword.By))
            {
                o = o with { OwnedBy = ParseObjectName() };
            }
            else
            {
                return o;
            }
        }
    }

    private SqlExpr ParseSignedNumber()
    {
        SqlExpr e = ParsePrefix();
        return e is LiteralExpr { Kind: LiteralKind.Integer or LiteralKind.Numeric } ? e : throw SqlSyntaxException.At(_sql, e.Position, "syntax error at or near \"" + _sql[e.Position] + "\"");
    }
}

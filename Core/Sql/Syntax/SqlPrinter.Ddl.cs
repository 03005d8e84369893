namespace ThunderDb.Core.Sql.Syntax;

public sealed partial class SqlPrinter
{
    private void Ddl(SqlStatement s)
    {
        switch (s)
        {
            case CreateTableStatement c:
                CreateTable(c);
                break;
            case DropStatement d:
                Text("DROP ").Text(d.Kind.ToString().ToUpperInvariant()).Text(d.IfExists ? " IF EXISTS " : " ");
                List(d.Names, n => Names(n.Parts));
                if (d.Cascade)
                {
                    Text(" CASCADE");
                }

                break;
            case CreateIndexStatement ci:
                Text(ci.Unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
                if (ci.Concurrently)
                {
                    Text("CONCURRENTLY ");
                }

                if (ci.IfNotExists)
                {
                    Text("IF NOT EXISTS ");
                }

                if (ci.Name is not null)
                {
                    Name(ci.Name);
                    Text(" ");
                }

                Text("ON ");
                Names(ci.Table.Parts);
                if (ci.Method is not null)
                {
                    Text(" USING ");
                    Name(ci.Method);
                }

                Text(" (");
                List(ci.Elements, e =>
                {
                    Text("(");
                    Expr(e.Expr);
                    Text(")");
                    if (e.OperatorClass is not null)
                    {
                        Text(" ");
                        Name(e.OperatorClass);
                    }

                    Text(e.Descending ? " DESC" : "");
                    if (e.NullsFirst is { } first)
                    {
                        Text(first ? " NULLS FIRST" : " NULLS LAST");
                    }
                });
                Text(")");
                if (ci.Include.Count > 0)
                {
                    Text(" INCLUDE ");
                    NameList(ci.Include);
                }

                Where(ci.Where);
                break;
            case AlterTableStatement a:
                Text(a.IfExists ? "ALTER TABLE IF EXISTS " : "ALTER TABLE ");
                Names(a.Table.Parts);
                Text(" ");
                List(a.Actions, AlterAction);
                break;
            case TruncateStatement t:
                Text("TRUNCATE TABLE ");
                List(t.Tables, n => Names(n.Parts));
                Text(t.RestartIdentity ? " RESTART IDENTITY" : "").Text(t.Cascade ? " CASCADE" : "");
                break;
            case CreateViewStatement v:
                Text(v.OrReplace ? "CREATE OR REPLACE " : "CREATE ").Text(v.Temporary ? "TEMPORARY VIEW " : "VIEW ");
                Names(v.Name.Parts);
                if (v.Columns is not null)
                {
                    Text(" ");
                    NameList(v.Columns);
                }

                Text(" AS ");
                Query(v.Query);
                break;
            case CreateSchemaStatement cs:
                Text(cs.IfNotExists ? "CREATE SCHEMA IF NOT EXISTS " : "CREATE SCHEMA ");
                Name(cs.Name);
                if (cs.Authorization is not null)
                {
                    Text(" AUTHORIZATION ");
                    Name(cs.Authorization);
                }

                break;
            case CreateDatabaseStatement cd:
                Text("CREATE DATABASE ");
                Name(cd.Name);
                foreach (GenericOption o in cd.Options)
                {
                    Text(" ");
                    Name(o.Name);
                    Text(" = ").Text(QuoteString(o.Value ?? ""));
                }

                break;
            case CreateSequenceStatement sq:
                Text(sq.Temporary ? "CREATE TEMPORARY SEQUENCE " : "CREATE SEQUENCE ").Text(sq.IfNotExists ? "IF NOT EXISTS " : "");
                Names(sq.Name.Parts);
                SequenceOptions(sq.Options);
                break;
            case CreateEnumTypeStatement ct:
                Text("CREATE TYPE ");
                Names(ct.Name.Parts);
                Text(" AS ENUM (");
                List(ct.Labels, l => Text(QuoteString(l)));
                Text(")");
                break;
            case AlterTypeStatement at:
                Text("ALTER TYPE ");
                Names(at.Name.Parts);
                Text(at.Action switch
                {
                    AddEnumValueAction add => $" ADD VALUE {(add.IfNotExists ? "IF NOT EXISTS " : "")}{QuoteString(add.Label)}"
                        + (add.Neighbor is { } n ? $" {(add.Before ? "BEFORE" : "AFTER")} {QuoteString(n)}" : ""),
                    RenameEnumValueAction rv => $" RENAME VALUE {QuoteString(rv.Label)} TO {QuoteString(rv.NewLabel)}",
                    RenameTypeAction rt => " RENAME TO " + QuoteIdentifier(rt.NewName),
                    _ => throw new NotSupportedException("cannot print " + at.Action.GetType().Name),
                });
                break;
            default:
                throw new NotSupportedException("cannot print " + s.GetType().Name);
        }
    }

    private void CreateTable(CreateTableStatement c)
    {
        Text(c.Temporary ? "CREATE TEMPORARY TABLE " : "CREATE TABLE ").Text(c.IfNotExists ? "IF NOT EXISTS " : "");
        Names(c.Name.Parts);
        if (c.AsQuery is not null)
        {
            if (c.AsColumns is not null)
            {
                Text(" ");
                NameList(c.AsColumns);
            }

            Text(" AS ");
            Query(c.AsQuery);
            Text(c.WithNoData ? " WITH NO DATA" : "");
            return;
        }

        Text(" (");
        string separator = "";
        for (int i = 0; i <= c.Columns.Count; i++)
        {
            foreach (TableLike like in c.Likes?.Where(l => l.ColumnsBefore == i) ?? [])
            {
                Text(separator).Text("LIKE ");
                Names(like.Source.Parts);
                foreach ((LikeOptions flag, string word) in (ReadOnlySpan<(LikeOptions, string)>)[(LikeOptions.Defaults, "DEFAULTS"), (LikeOptions.Constraints, "CONSTRAINTS"),
                             (LikeOptions.Indexes, "INDEXES"), (LikeOptions.Identity, "IDENTITY"), (LikeOptions.Generated, "GENERATED"), (LikeOptions.Other, "COMMENTS")])
                {
                    Text((like.Options & flag) != 0 ? " INCLUDING " + word : "");
                }

                separator = ", ";
            }

            if (i < c.Columns.Count)
            {
                Text(separator);
                ColumnDef(c.Columns[i]);
                separator = ", ";
            }
        }

        if (c.Constraints.Count > 0)
        {
            Text(separator);
        }

        List(c.Constraints, TableConstraint);
        Text(")");
        if (c.Options.Count > 0)
        {
            Text(" WITH ");
            Options(c.Options);
        }

        Text(c.OnCommit switch { OnCommitAction.DeleteRows => " ON COMMIT DELETE ROWS", OnCommitAction.Drop => " ON COMMIT DROP", _ => "" });
    }

    private void ColumnDef(ColumnDef col)
    {
        Name(col.Name);
        Text(" ");
        Type(col.Type);
        foreach (ColumnConstraint k in col.Constraints)
        {
            if (k.Name is not null)
            {
                Text(" CONSTRAINT ");
                Name(k.Name);
            }

            switch (k.Kind)
            {
                case ColumnConstraintKind.NotNull: Text(" NOT NULL"); break;
                case ColumnConstraintKind.Null: Text(" NULL"); break;
                case ColumnConstraintKind.Default:
                    Text(" DEFAULT ");
                    Expr(k.Expr!);
                    break;
                case ColumnConstraintKind.PrimaryKey: Text(" PRIMARY KEY"); break;
                case ColumnConstraintKind.Unique: Text(" UNIQUE"); break;
                case ColumnConstraintKind.Check:
                    Text(" CHECK (");
                    Expr(k.Expr!);
                    Text(")");
                    break;
                case ColumnConstraintKind.References:
                    Text(" REFERENCES ");
                    References(k.References!);
                    break;
                case ColumnConstraintKind.Identity:
                    Text(k.IdentityAlways ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY");
                    if (k.IdentityOptions is not null)
                    {
                        Text(" (");
                        SequenceOptions(k.IdentityOptions);
                        Text(" )");
                    }

                    break;
                case ColumnConstraintKind.Generated:
                    Text(" GENERATED ALWAYS AS (");
                    Expr(k.Expr!);
                    Text(") STORED");
                    break;
                case ColumnConstraintKind.AutoIncrement: Text(" AUTO_INCREMENT"); break;
                case ColumnConstraintKind.Collate:
                    Text(" COLLATE ");
                    Names(k.Collation!.Split('.'));
                    break;
            }
        }
    }

    private void TableConstraint(TableConstraint t)
    {
        if (t.Name is not null)
        {
            Text("CONSTRAINT ");
            Name(t.Name);
            Text(" ");
        }

        switch (t.Kind)
        {
            case TableConstraintKind.PrimaryKey:
                Text("PRIMARY KEY ");
                NameList(t.Columns);
                break;
            case TableConstraintKind.Unique:
                Text("UNIQUE ");
                NameList(t.Columns);
                break;
            case TableConstraintKind.Check:
                Text("CHECK (");
                Expr(t.Check!);
                Text(")");
                break;
            case TableConstraintKind.ForeignKey:
                Text("FOREIGN KEY ");
                NameList(t.Columns);
                Text(" REFERENCES ");
                References(t.References!);
                break;
            case TableConstraintKind.Index:
                Text("KEY ");
                NameList(t.Columns);
                break;
        }
    }

    private void References(ForeignKeyTarget r)
    {
        Names(r.Table.Parts);
        if (r.Columns is not null)
        {
            Text(" ");
            NameList(r.Columns);
        }

        if (r.Match is not null)
        {
            Text(" MATCH ").Text(r.Match.ToUpperInvariant());
        }

        if (r.OnDelete != ReferentialAction.NoAction)
        {
            Text(" ON DELETE ").Text(Action(r.OnDelete));
        }

        if (r.OnUpdate != ReferentialAction.NoAction)
        {
            Text(" ON UPDATE ").Text(Action(r.OnUpdate));
        }

        static string Action(ReferentialAction a) => a switch
        {
            ReferentialAction.Restrict => "RESTRICT",
            ReferentialAction.Cascade => "CASCADE",
            ReferentialAction.SetNull => "SET NULL",
            ReferentialAction.SetDefault => "SET DEFAULT",
            _ => "NO ACTION",
        };
    }

    private void SequenceOptions(SequenceOptions o)
    {
        if (o.As is not null)
        {
            Text(" AS ");
            Type(o.As);
        }

        Option(" INCREMENT BY ", o.Increment);
        Option(" MINVALUE ", o.MinValue);
        Option(" MAXVALUE ", o.MaxValue);
        Text(o.NoMinValue ? " NO MINVALUE" : "").Text(o.NoMaxValue ? " NO MAXVALUE" : "");
        Option(" START WITH ", o.Start);
        Option(" CACHE ", o.Cache);
        if (o.Cycle is { } cycle)
        {
            Text(cycle ? " CYCLE" : " NO CYCLE");
        }

        if (o.OwnedBy is not null)
        {
            Text(" OWNED BY ");
            Names(o.OwnedBy.Parts);
        }

        void Option(string keyword, SqlExpr? value)
        {
            if (value is not null)
            {
                Text(keyword);
                Expr(value);
            }
        }
    }

    private void AlterAction(AlterTableAction a)
    {
        switch (a)
        {
            case AddColumnAction add:
                Text(add.IfNotExists ? "ADD COLUMN IF NOT EXISTS " : "ADD COLUMN ");
                ColumnDef(add.Column);
                break;
            case DropColumnAction drop:
                Text(drop.IfExists ? "DROP COLUMN IF EXISTS " : "DROP COLUMN ");
                Name(drop.Column);
                Text(drop.Cascade ? " CASCADE" : "");
                break;
            case RenameColumnAction rc:
                Text("RENAME COLUMN ");
                Name(rc.Column);
                Text(" TO ");
                Name(rc.NewName);
                break;
            case RenameTableAction rt:
                Text("RENAME TO ");
                Name(rt.NewName);
                break;
            case RenameConstraintAction rk:
                Text("RENAME CONSTRAINT ");
                Name(rk.Constraint);
                Text(" TO ");
                Name(rk.NewName);
                break;
            case AddConstraintAction ac:
                Text("ADD ");
                TableConstraint(ac.Constraint);
                break;
            case DropConstraintAction dc:
                Text(dc.IfExists ? "DROP CONSTRAINT IF EXISTS " : "DROP CONSTRAINT ");
                Name(dc.Constraint);
                Text(dc.Cascade ? " CASCADE" : "");
                break;
            case AlterColumnTypeAction at:
                Text("ALTER COLUMN ");
                Name(at.Column);
                Text(" TYPE ");
                Type(at.Type);
                if (at.Using is not null)
                {
                    Text(" USING ");
                    Expr(at.Using);
                }

                break;
            case AlterColumnDefaultAction ad:
                Text("ALTER COLUMN ");
                Name(ad.Column);
                if (ad.Default is null)
                {
                    Text(" DROP DEFAULT");
                }
                else
                {
                    Text(" SET DEFAULT ");
                    Expr(ad.Default);
                }

                break;
            case AlterColumnNotNullAction nn:
                Text("ALTER COLUMN ");
                Name(nn.Column);
                Text(nn.NotNull ? " SET NOT NULL" : " DROP NOT NULL");
                break;
        }
    }
}

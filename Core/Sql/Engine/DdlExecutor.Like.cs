using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// CREATE TABLE (LIKE source [INCLUDING ...]): the source's columns written out in place (names, types, NOT NULL),
/// with what the options name: DEFAULTS (a serial's nextval default still names the source's sequence, as in
/// PostgreSQL), IDENTITY (a new sequence), CONSTRAINTS (CHECKs, with their names) and INDEXES (the primary key and
/// unique constraints, named for the new table). The result is an ordinary CREATE TABLE.
/// </summary>
internal sealed partial class DdlExecutor
{
    private Ast.CreateTableStatement ExpandLikes(Ast.CreateTableStatement create)
    {
        var columns = new List<Ast.ColumnDef>();
        var constraints = new List<Ast.TableConstraint>();
        for (int i = 0; i <= create.Columns.Count; i++)
        {
            foreach (Ast.TableLike like in create.Likes!.Where(l => l.ColumnsBefore == i))
            {
                TableDef source;
                try
                {
                    source = binder.RequireTable(like.Source);
                }
                catch (SqlException e) when (e.Position == 0)
                {
                    throw e.AtPosition(like.Position + 1);
                }

                columns.AddRange(source.Columns.Where(c => !c.IsDropped).Select(c => LikeColumn(c, like.Options)));
                constraints.AddRange(LikeConstraints(source, like.Options));
            }

            if (i < create.Columns.Count)
            {
                columns.Add(create.Columns[i]);
            }
        }

        return create with { Columns = columns, Constraints = [.. constraints, .. create.Constraints], Likes = null };
    }

    private static Ast.ColumnDef LikeColumn(ColumnDef column, Ast.LikeOptions options)
    {
        var constraints = new List<Ast.ColumnConstraint>();
        if (column.NotNull)
        {
            constraints.Add(new Ast.ColumnConstraint(null, Ast.ColumnConstraintKind.NotNull));
        }

        if (column.Identity != IdentityKind.None)
        {
            if ((options & Ast.LikeOptions.Identity) != 0)
            {
                constraints.Add(new Ast.ColumnConstraint(null, Ast.ColumnConstraintKind.Identity, IdentityAlways: column.Identity == IdentityKind.Always));
            }
        }
        else if ((options & Ast.LikeOptions.Defaults) != 0 && column.DefaultSql is { } defaultSql)
        {
            constraints.Add(new Ast.ColumnConstraint(null, Ast.ColumnConstraintKind.Default, Ast.SqlParser.ParseExpression(defaultSql)));
        }

        return new Ast.ColumnDef(column.Name, Ast.SqlParser.ParseType(column.Type.ToString()), constraints);
    }

    private IEnumerable<Ast.TableConstraint> LikeConstraints(TableDef source, Ast.LikeOptions options)
    {
        string NameOf(int number) => source.Columns.First(c => c.Number == number).Name;
        foreach (ConstraintDef c in source.Constraints)
        {
            switch (c.Kind)
            {
                case ConstraintKind.Check when (options & Ast.LikeOptions.Constraints) != 0:
                    yield return new Ast.TableConstraint(c.Name, Ast.TableConstraintKind.Check, [], Ast.SqlParser.ParseExpression(c.CheckSql!));
                    break;
                case ConstraintKind.PrimaryKey or ConstraintKind.Unique when (options & Ast.LikeOptions.Indexes) != 0:
                    yield return new Ast.TableConstraint(null, c.Kind == ConstraintKind.PrimaryKey ? Ast.TableConstraintKind.PrimaryKey : Ast.TableConstraintKind.Unique,
                        [.. c.Columns.Select(NameOf)]);
                    break;
            }
        }
    }
}

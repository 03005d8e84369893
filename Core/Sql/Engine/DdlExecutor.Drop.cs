using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

internal sealed partial class DdlExecutor
{
    private string Drop(Ast.DropStatement drop)
    {
        string what = drop.Kind.ToString().ToUpperInvariant();
        var dropping = drop.Kind == Ast.ObjectKind.Table ? drop.Names.Select(Bind.FindRelation).OfType<TableDef>().Select(t => t.Oid).ToHashSet() : [];
        foreach (Ast.ObjectName name in drop.Names)
        {
            if (drop.Kind == Ast.ObjectKind.Schema)
            {
                DropSchema(name.Name, drop);
                continue;
            }

            if (drop.Kind == Ast.ObjectKind.Database)
            {
                DropDatabase(name.Name, drop);
                continue;
            }

            if (drop.Kind == Ast.ObjectKind.Type)
            {
                DropType(name, drop);
                continue;
            }

            CatalogObject? found = Bind.FindRelation(name);
            CatalogKind expected = drop.Kind switch
            {
                Ast.ObjectKind.Table => CatalogKind.Table,
                Ast.ObjectKind.Index => CatalogKind.Index,
                Ast.ObjectKind.View => CatalogKind.View,
                _ => CatalogKind.Sequence,
            };
            string noun = drop.Kind.ToString().ToLowerInvariant();
            if (found is null)
            {
                if (drop.IfExists)
                {
                    _notices.Add($"{noun} \"{name.Name}\" does not exist, skipping");
                    continue;
                }

                throw new SqlException(drop.Kind == Ast.ObjectKind.Index || drop.Kind == Ast.ObjectKind.Sequence ? SqlState.UndefinedObject : SqlState.UndefinedTable,
                    $"{noun} \"{name.Name}\" does not exist");
            }

            if (found.Kind != expected)
            {
                throw new SqlException(SqlState.WrongObjectType, $"\"{name.Name}\" is not a {noun}", hint: $"Use DROP {found.Kind.ToString().ToUpperInvariant()} to remove a {found.Kind.ToString().ToLowerInvariant()}.");
            }

            if (found is TableDef or ViewDef)
            {
                DropDependentViews(found, drop.Cascade, NamedIn(drop));
            }

            switch (found)
            {
                case TableDef table:
                    DropTable(table, drop.Cascade, dropping);
                    break;
                case IndexDef index:
                    DropIndex(index);
                    break;
                default:
                    DropObject(found);
                    break;
            }
        }

        return $"DROP {what}";
    }

    /// <summary>The relations a DROP names (a view dropped in the same statement does not hold the others back).</summary>
    private HashSet<uint> NamedIn(Ast.DropStatement drop) => [.. drop.Names.Select(n => Bind.FindRelation(n)?.Oid ?? 0)];

    private void DropTable(TableDef table, bool cascade, IReadOnlySet<uint> dropping)
    {
        DropReferencingKeys(table, cascade, dropping);
        foreach (IndexDef index in Catalog.IndexesOf(table.Oid))
        {
            changes.Drop(index.Oid);
        }

        foreach (SequenceDef seq in Catalog.All.OfType<SequenceDef>().Where(s => s.OwnedByTableOid == table.Oid).ToList())
        {
            changes.Drop(seq.Oid);
            Txn.Delete(SequenceStore.Key(seq.Oid));
        }

        changes.Drop(table.Oid);
        DeleteRange(TableStorage.TableRange(table.Oid));
        runtime.Storage.Forget(table.Oid);
    }

    private void DropIndex(IndexDef index)
    {
        if (Catalog.Find<TableDef>(index.TableOid) is { } table && table.Constraints.FirstOrDefault(c => c.IndexOid == index.Oid) is { } constraint)
        {
            throw new SqlException(SqlState.DependentObjectsStillExist,
                $"cannot drop index {index.Name} because constraint {constraint.Name} on table {table.Name} requires it",
                hint: $"You can drop constraint {constraint.Name} on table {table.Name} instead.");
        }

        changes.Drop(index.Oid);
        DeleteRange(TableStorage.IndexRange(index));
    }

    private void DropSchema(string name, Ast.DropStatement drop)
    {
        SchemaDef? schema = Catalog.FindSchema(binder.Session.DatabaseOid, name);
        if (schema is null)
        {
            if (drop.IfExists)
            {
                _notices.Add($"schema \"{name}\" does not exist, skipping");
                return;
            }

            throw new SqlException(SqlState.InvalidSchemaName, $"schema \"{name}\" does not exist");
        }

        List<CatalogObject> contents = [.. Catalog.RelationsOf(schema.Oid), .. Catalog.Types.Where(t => t.SchemaOid == schema.Oid)];
        if (contents.Count > 0 && !drop.Cascade)
        {
            throw new SqlException(SqlState.DependentObjectsStillExist, $"cannot drop schema {name} because other objects depend on it",
                hint: "Use DROP ... CASCADE to drop the dependent objects too.");
        }

        // what the schema holds, as PostgreSQL names it (indexes and owned sequences go with their tables unnamed)
        CascadeNotice([.. contents.Where(o => o is not IndexDef && o is not SequenceDef { OwnedByTableOid: > 0 }).OrderBy(o => o.Oid)
            .Select(o => $"{Noun(o)} {Ast.SqlPrinter.QuoteIdentifier(name)}.{Ast.SqlPrinter.QuoteIdentifier(o.Name)}")]);
        DropSchemaContents(schema, contents.OfType<TableDef>().Select(t => t.Oid).ToHashSet());
    }

    /// <summary>Drops a schema with everything in it; <paramref name="tables"/> are all the tables going with it (foreign keys among them need no CASCADE).</summary>
    private void DropSchemaContents(SchemaDef schema, IReadOnlySet<uint> tables)
    {
        foreach (TableDef table in Catalog.RelationsOf(schema.Oid).OfType<TableDef>().ToList())
        {
            DropTable(table, cascade: true, tables);
        }

        foreach (CatalogObject other in Catalog.RelationsOf(schema.Oid).ToList())
        {
            DropObject(other);
        }

        foreach (EnumTypeDef type in Catalog.Types.Where(t => t.SchemaOid == schema.Oid).ToList())
        {
            DropType(type, cascade: true);
        }

        changes.Drop(schema.Oid);
    }

    /// <summary>Drops a view or a sequence (with its value, so a later object given the same OID starts fresh).</summary>
    private void DropObject(CatalogObject obj)
    {
        changes.Drop(obj.Oid);
        if (obj is SequenceDef)
        {
            Txn.Delete(SequenceStore.Key(obj.Oid));
        }
    }

    private string Alter(Ast.AlterTableStatement alter)
    {
        if (Bind.FindRelation(alter.Table) is not TableDef)
        {
            if (alter.IfExists)
            {
                _notices.Add($"relation \"{alter.Table.Name}\" does not exist, skipping");
                return "ALTER TABLE";
            }
        }

        foreach (Ast.AlterTableAction action in alter.Actions)
        {
            TableDef table = Bind.RequireTable(alter.Table with { Parts = [.. alter.Table.Parts.SkipLast(1), CurrentName(alter.Table)] });
            AlterOne(table, action);
        }

        return "ALTER TABLE";
    }

    /// <summary>
    /// DROP COLUMN takes the indexes and the constraints over the column with it, as PostgreSQL does (a foreign key
    /// elsewhere referencing one of its unique keys needs CASCADE); a primary key column is not dropped (rows are keyed by it).
    /// </summary>
    private TableDef DropIndexesAndConstraintsOf(TableDef table, Catalog.ColumnDef column, bool cascade)
    {
        if (table.PrimaryKey is { } pk && pk.Columns.Contains(column.Number))
        {
            throw SqlException.NotSupported("dropping a primary key column");
        }

        bool Reads(ConstraintDef c) => c.Columns.Contains(column.Number) || (c.CheckSql is { } check && ReadsColumn(check, column.Name));
        foreach (ConstraintDef constraint in table.Constraints.Where(Reads).ToList())
        {
            DropConstraint(Catalog.Find<TableDef>(table.Oid)!, new Ast.DropConstraintAction(constraint.Name, IfExists: false, cascade));
        }

        bool Indexes(IndexColumn c) => c.ColumnNumber == column.Number || (c.ExpressionSql is { } e && ReadsColumn(e, column.Name));
        foreach (IndexDef index in Catalog.IndexesOf(table.Oid).Where(i => i.Columns.Any(Indexes)).ToList())
        {
            changes.Drop(index.Oid);
            DeleteRange(TableStorage.IndexRange(index));
        }

        return Catalog.Find<TableDef>(table.Oid)!;
    }

    private string _renamedTo = "";

    private string CurrentName(Ast.ObjectName name) => _renamedTo.Length > 0 ? _renamedTo : name.Name;

    private void AlterOne(TableDef table, Ast.AlterTableAction action)
    {
        switch (action)
        {
            case Ast.AddColumnAction add:
            {
                if (table.FindColumn(add.Column.Name) is not null)
                {
                    if (add.IfNotExists)
                    {
                        _notices.Add($"column \"{add.Column.Name}\" of relation \"{table.Name}\" already exists, skipping");
                        return;
                    }

                    throw new SqlException(SqlState.DuplicateColumn, $"column \"{add.Column.Name}\" of relation \"{table.Name}\" already exists");
                }

                SqlType type = Bind.ResolveType(add.Column.Type, 0);
                var column = new Catalog.ColumnDef(table.Columns.Count + 1, add.Column.Name, type);
                var references = new List<(string?, IReadOnlyList<string>, Ast.ForeignKeyTarget)>();
                foreach (Ast.ColumnConstraint c in add.Column.Constraints)
                {
                    if (c.Kind == Ast.ColumnConstraintKind.References)
                    {
                        references.Add((c.Name, [add.Column.Name], c.References!));
                        continue;
                    }

                    column = c.Kind switch
                    {
                        Ast.ColumnConstraintKind.NotNull => column with { NotNull = true },
                        Ast.ColumnConstraintKind.Null => column,
                        Ast.ColumnConstraintKind.Default => column with { DefaultSql = Ast.SqlPrinter.Print(c.Expr!) },
                        Ast.ColumnConstraintKind.Generated => column with { GeneratedSql = Ast.SqlPrinter.Print(c.Expr!) },
                        _ => throw SqlException.NotSupported($"{c.Kind} in ALTER TABLE ADD COLUMN"),
                    };
                }

                column = GeneratedColumn(column, table.Name);
                TableDef widened = table with { Columns = [.. table.Columns, column] };
                if (add.Column.Constraints.FirstOrDefault(c => c.Kind == Ast.ColumnConstraintKind.Generated) is { } generatedBy)
                {
                    CheckGenerationExpressions(widened, new() { [column.Number] = generatedBy.Expr! });
                }

                changes.Replace(widened);
                FillNewColumn(widened, column);
                AddForeignKeys(widened, references, validate: true);
                return;
            }

            case Ast.DropColumnAction drop:
            {
                Catalog.ColumnDef? column = table.FindColumn(drop.Column);
                if (column is null)
                {
                    if (drop.IfExists)
                    {
                        _notices.Add($"column \"{drop.Column}\" of relation \"{table.Name}\" does not exist, skipping");
                        return;
                    }

                    throw new SqlException(SqlState.UndefinedColumn, $"column \"{drop.Column}\" of relation \"{table.Name}\" does not exist");
                }

                table = DropIndexesAndConstraintsOf(table, column, drop.Cascade);
                HashSet<int> dropped = [column.Number, .. GeneratedDependents(table, column, drop.Cascade).Select(c => c.Number)];
                List<(ViewDef View, CatalogObject On)> views = DependentViews(table, new HashSet<uint>());
                changes.Replace(table with
                {
                    Columns = [.. table.Columns.Select(c => dropped.Contains(c.Number) ? c with { IsDropped = true, GeneratedSql = null } : c)],
                    Statistics = table.Statistics is { } stats ? stats with { Columns = stats.Columns?.Where(s => !dropped.Contains(s.Column)).ToList() } : null,
                });
                DropViewsOfColumn(table, column.Name, drop.Cascade, views);
                return;
            }

            case Ast.RenameColumnAction rename:
            {
                Catalog.ColumnDef column = table.FindColumn(rename.Column) ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{rename.Column}\" does not exist");
                if (table.FindColumn(rename.NewName) is not null)
                {
                    throw new SqlException(SqlState.DuplicateColumn, $"column \"{rename.NewName}\" of relation \"{table.Name}\" already exists");
                }

                // the expressions kept as text name the column: respelt, as PostgreSQL's node trees follow a rename by themselves
                string Respell(string sql) => Ast.ColumnRename.Apply(sql, table.Name, column.Name, rename.NewName);
                List<(ViewDef View, CatalogObject On)> views = DependentViews(table, new HashSet<uint>());
                changes.Replace(table with
                {
                    Columns = [.. table.Columns.Select(c => (c.Number == column.Number ? c with { Name = rename.NewName } : c) with
                    {
                        DefaultSql = c.DefaultSql is { } d ? Respell(d) : null,
                        GeneratedSql = c.GeneratedSql is { } g ? Respell(g) : null,
                    })],
                    Constraints = [.. table.Constraints.Select(c => c.CheckSql is { } check ? c with { CheckSql = Respell(check) } : c)],
                });
                foreach (IndexDef index in Catalog.IndexesOf(table.Oid).Where(i => i.Columns.Any(c => c.ExpressionSql is not null)))
                {
                    changes.Replace(index with { Columns = [.. index.Columns.Select(c => c.ExpressionSql is { } e ? c with { ExpressionSql = Respell(e) } : c)] });
                }

                FollowRename(views, table.Oid, Respell, $"column {column.Name}");
                return;
            }

            case Ast.RenameTableAction rename:
            {
                List<(ViewDef View, CatalogObject On)> views = DependentViews(table, new HashSet<uint>());
                changes.Replace(table with { Name = rename.NewName });
                _renamedTo = rename.NewName;
                FollowRename(views, table.Oid, sql => Ast.ColumnRename.Relation(sql, table.Name, rename.NewName), $"table {table.Name}");
                return;
            }

            case Ast.AlterColumnDefaultAction def:
            {
                Catalog.ColumnDef column = table.FindColumn(def.Column) ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{def.Column}\" does not exist");
                string? sql = def.Default is null ? null : Ast.SqlPrinter.Print(def.Default);
                changes.Replace(table with { Columns = [.. table.Columns.Select(c => c.Number == column.Number ? c with { DefaultSql = sql } : c)] });
                return;
            }

            case Ast.AlterColumnNotNullAction nn:
            {
                Catalog.ColumnDef column = table.FindColumn(nn.Column) ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{nn.Column}\" does not exist");
                if (nn.NotNull)
                {
                    RequireNoNulls(table, [column.Number]);
                }

                changes.Replace(table with { Columns = [.. table.Columns.Select(c => c.Number == column.Number ? c with { NotNull = nn.NotNull } : c)] });
                return;
            }

            case Ast.AddConstraintAction { Constraint.Kind: Ast.TableConstraintKind.PrimaryKey or Ast.TableConstraintKind.Unique } add:
                AddKey(table, add.Constraint);
                return;
            case Ast.AddConstraintAction { Constraint.Kind: Ast.TableConstraintKind.ForeignKey } fk:
                AddForeignKeys(table, [(fk.Constraint.Name, fk.Constraint.Columns, fk.Constraint.References!)], validate: true);
                return;
            case Ast.DropConstraintAction dropConstraint:
                DropConstraint(table, dropConstraint);
                return;
            case Ast.AddConstraintAction { Constraint.Kind: Ast.TableConstraintKind.Check } check:
                changes.Replace(table with { Constraints = [.. table.Constraints, new ConstraintDef(check.Constraint.Name ?? $"{table.Name}_check", ConstraintKind.Check, [], CheckSql: Ast.SqlPrinter.Print(check.Constraint.Check!))] });
                return;
            default:
                throw SqlException.NotSupported($"ALTER TABLE {action.GetType().Name.Replace("Action", "", StringComparison.Ordinal)}");
        }
    }
}

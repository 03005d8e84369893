using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

// FOREIGN KEY constraints: resolving REFERENCES, validating existing rows, and what DROP / TRUNCATE do about them.
internal sealed partial class DdlExecutor
{
    /// <summary>
    /// Adds foreign keys to <paramref name="table"/> (already in the catalog, so a table may reference itself),
    /// checking its existing rows when <paramref name="validate"/> (ALTER TABLE ... ADD CONSTRAINT).
    /// </summary>
    private void AddForeignKeys(TableDef table, IReadOnlyList<(string? Name, IReadOnlyList<string> Columns, Ast.ForeignKeyTarget Target)> keys, bool validate)
    {
        foreach ((string? name, IReadOnlyList<string> columns, Ast.ForeignKeyTarget target) in keys)
        {
            table = Catalog.Find<TableDef>(table.Oid) ?? table;
            ConstraintDef fk = ResolveForeignKey(table, name, columns, target);
            TableDef withKey = table with { Constraints = [.. table.Constraints, fk] };
            changes.Replace(withKey);
            if (validate)
            {
                ValidateForeignKey(withKey, fk);
            }
        }
    }

    private ConstraintDef ResolveForeignKey(TableDef table, string? name, IReadOnlyList<string> columnNames, Ast.ForeignKeyTarget target)
    {
        if (target.Match is "full" or "partial")
        {
            throw SqlException.NotSupported($"MATCH {target.Match.ToUpperInvariant()}");
        }

        TableDef parent = Bind.RequireTable(target.Table);
        int[] columns = [.. columnNames.Select(n => table.FindColumn(n)?.Number
            ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{n}\" referenced in foreign key constraint does not exist"))];
        int[] referenced;
        if (target.Columns is null)
        {
            referenced = parent.PrimaryKey is { } pk
                ? [.. pk.Columns]
                : throw new SqlException("42830", $"there is no primary key for referenced table \"{parent.Name}\"");
        }
        else
        {
            referenced = [.. target.Columns.Select(n => parent.FindColumn(n)?.Number
                ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{n}\" referenced in foreign key constraint does not exist"))];
        }

        if (columns.Length != referenced.Length)
        {
            throw new SqlException("42830", "number of referencing and referenced columns for foreign key disagree");
        }

        if (target.Columns is not null && Catalog.UniqueIndexOn(parent.Oid, referenced) is null)
        {
            throw new SqlException("42830", $"there is no unique constraint matching given keys for referenced table \"{parent.Name}\"");
        }

        string constraintName = name ?? FreeConstraintName(table, $"{table.Name}_{string.Join('_', columns.Select(n => table.Column(n).Name))}", "fkey");
        if (name is not null && table.Constraints.Any(c => c.Name == name))
        {
            throw new SqlException(SqlState.DuplicateObject, $"constraint \"{name}\" for relation \"{table.Name}\" already exists");
        }

        for (int i = 0; i < columns.Length; i++)
        {
            SqlType from = table.Column(columns[i]).Type, to = parent.Column(referenced[i]).Type;
            if (!Comparable(from, to))
            {
                throw new SqlException(SqlState.DatatypeMismatch, $"foreign key constraint \"{constraintName}\" cannot be implemented",
                    detail: $"Key columns \"{table.Column(columns[i]).Name}\" and \"{parent.Column(referenced[i]).Name}\" are of incompatible types: {from} and {to}.");
            }
        }

        return new ConstraintDef(constraintName, ConstraintKind.ForeignKey, columns, ReferencedTableOid: parent.Oid, ReferencedColumns: referenced,
            OnDelete: Action(target.OnDelete), OnUpdate: Action(target.OnUpdate));
    }

    private static bool Comparable(SqlType a, SqlType b) =>
        a.IsArray == b.IsArray && (a.Kind == b.Kind || (SqlCompare.IsNumber(a.Kind) && SqlCompare.IsNumber(b.Kind)) || (SqlCompare.IsString(a.Kind) && SqlCompare.IsString(b.Kind)));

    private static ReferentialAction Action(Ast.ReferentialAction action) => action switch
    {
        Ast.ReferentialAction.Restrict => ReferentialAction.Restrict,
        Ast.ReferentialAction.Cascade => ReferentialAction.Cascade,
        Ast.ReferentialAction.SetNull => ReferentialAction.SetNull,
        Ast.ReferentialAction.SetDefault => ReferentialAction.SetDefault,
        _ => ReferentialAction.NoAction,
    };

    /// <summary>PostgreSQL's ChooseConstraintName: <c>base_label</c>, else <c>base_label1</c>, <c>base_label2</c>... free among the schema's constraints.</summary>
    private string FreeConstraintName(TableDef table, string stem, string label)
    {
        var taken = Catalog.RelationsOf(table.SchemaOid).OfType<TableDef>().SelectMany(t => (Catalog.Find<TableDef>(t.Oid) ?? t).Constraints).Select(c => c.Name).ToHashSet();
        string name = $"{stem}_{label}";
        for (int n = 1; taken.Contains(name); n++)
        {
            name = $"{stem}_{label}{n}";
        }

        return name;
    }

    /// <summary>ALTER TABLE ... ADD FOREIGN KEY: every existing row with a complete key must find its parent (23503 as an INSERT would).</summary>
    private void ValidateForeignKey(TableDef table, ConstraintDef fk)
    {
        TableDef parent = Catalog.Find<TableDef>(fk.ReferencedTableOid)!;
        foreach ((_, SqlValue[] row) in AllRows(table))
        {
            var key = new SqlValue[fk.Columns.Count];
            bool complete = true;
            for (int i = 0; i < key.Length; i++)
            {
                key[i] = row[fk.Columns[i] - 1];
                complete &= !key[i].IsNull;
            }

            if (complete && !ReferentialIntegrity.ParentPresent(Txn, Catalog, parent, fk, key))
            {
                throw ReferentialIntegrity.ChildViolation(table, fk, parent, key);
            }
        }
    }

    /// <summary>
    /// DROP TABLE of a table other tables reference: 2BP01 unless CASCADE, which drops those foreign keys (not the
    /// tables). References from tables dropped by the same statement, or from the table itself, do not count.
    /// </summary>
    private void DropReferencingKeys(TableDef table, bool cascade, IReadOnlySet<uint> dropping)
    {
        List<(TableDef Table, ConstraintDef ForeignKey)> dependents = [.. Catalog.ReferencesTo(table.Oid).Where(r => r.Table.Oid != table.Oid && !dropping.Contains(r.Table.Oid))];
        if (dependents.Count == 0)
        {
            return;
        }

        string[] lines = [.. dependents.Select(d => $"constraint {d.ForeignKey.Name} on table {d.Table.Name} depends on table {table.Name}")];
        if (!cascade)
        {
            throw new SqlException(SqlState.DependentObjectsStillExist, $"cannot drop table {table.Name} because other objects depend on it",
                detail: string.Join('\n', lines), hint: "Use DROP ... CASCADE to drop the dependent objects too.");
        }

        CascadeNotice([.. dependents.Select(d => $"constraint {d.ForeignKey.Name} on table {d.Table.Name}")]);
        foreach ((TableDef child, ConstraintDef fk) in dependents)
        {
            TableDef current = Catalog.Find<TableDef>(child.Oid)!;
            changes.Replace(current with { Constraints = [.. current.Constraints.Where(c => c.Name != fk.Name)] });
        }
    }

    /// <summary>
    /// The tables a TRUNCATE empties: those named, plus (with CASCADE) every table referencing one of them; without
    /// CASCADE a reference from a table not being truncated is PostgreSQL's 0A000.
    /// </summary>
    private List<TableDef> TruncateSet(IReadOnlyList<TableDef> named, bool cascade)
    {
        var set = new List<TableDef>(named);
        for (int i = 0; i < set.Count; i++)
        {
            foreach ((TableDef child, _) in Catalog.ReferencesTo(set[i].Oid))
            {
                if (set.Any(t => t.Oid == child.Oid))
                {
                    continue;
                }

                if (!cascade)
                {
                    throw new SqlException(SqlState.FeatureNotSupported, "cannot truncate a table referenced in a foreign key constraint",
                        detail: $"Table \"{child.Name}\" references \"{set[i].Name}\".", hint: $"Truncate table \"{child.Name}\" at the same time, or use TRUNCATE ... CASCADE.");
                }

                _notices.Add($"truncate cascades to table \"{child.Name}\"");
                set.Add(child);
            }
        }

        return set;
    }

    /// <summary>ALTER TABLE ... DROP CONSTRAINT of a foreign key, check or unique constraint (a unique constraint takes its index along).</summary>
    private void DropConstraint(TableDef table, Ast.DropConstraintAction drop)
    {
        ConstraintDef? constraint = table.Constraints.FirstOrDefault(c => c.Name == drop.Constraint);
        if (constraint is null)
        {
            if (drop.IfExists)
            {
                _notices.Add($"constraint \"{drop.Constraint}\" of relation \"{table.Name}\" does not exist, skipping");
                return;
            }

            throw new SqlException(SqlState.UndefinedObject, $"constraint \"{drop.Constraint}\" of relation \"{table.Name}\" does not exist");
        }

        if (constraint.Kind == ConstraintKind.PrimaryKey)
        {
            throw SqlException.NotSupported("dropping a primary key");
        }

        if (constraint.Kind == ConstraintKind.Unique)
        {
            var dependents = Catalog.ReferencesTo(table.Oid)
                .Where(r => Catalog.UniqueIndexOn(table.Oid, r.ForeignKey.ReferencedColumns ?? [])?.Oid == constraint.IndexOid).ToList();
            if (dependents.Count > 0 && !drop.Cascade)
            {
                throw new SqlException(SqlState.DependentObjectsStillExist, $"cannot drop constraint {constraint.Name} on table {table.Name} because other objects depend on it",
                    detail: string.Join('\n', dependents.Select(d => $"constraint {d.ForeignKey.Name} on table {d.Table.Name} depends on index {constraint.Name}")),
                    hint: "Use DROP ... CASCADE to drop the dependent objects too.");
            }

            foreach ((TableDef child, ConstraintDef fk) in dependents)
            {
                TableDef current = Catalog.Find<TableDef>(child.Oid)!;
                changes.Replace(current with { Constraints = [.. current.Constraints.Where(c => c.Name != fk.Name)] });
                _notices.Add($"drop cascades to constraint {fk.Name} on table {child.Name}");
            }

            table = Catalog.Find<TableDef>(table.Oid)!;
            if (Catalog.Find<IndexDef>(constraint.IndexOid) is { } index)
            {
                changes.Drop(index.Oid);
                DeleteRange(TableStorage.IndexRange(index));
            }
        }

        changes.Replace(table with { Constraints = [.. table.Constraints.Where(c => c.Name != constraint.Name)] });
    }
}

using System.Globalization;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// Data definition in the statement's transaction: catalog records through <see cref="CatalogChanges"/> and
/// the table data they imply (index backfill, TRUNCATE and DROP deleting a table's keys). A rolled-back DDL
/// leaves neither catalog records nor data behind.
/// </summary>
internal sealed partial class DdlExecutor(Binder binder, CatalogChanges changes, ExecutionRuntime runtime)
{
    private readonly List<string> _notices = [];

    private IKvTransaction Txn => runtime.Transaction;

    private CatalogSnapshot Catalog => changes.Snapshot;

    public StatementResult Execute(Ast.SqlStatement statement)
    {
        string tag = statement switch
        {
            Ast.CreateTableStatement create => CreateTable(create),
            Ast.DropStatement drop => Drop(drop),
            Ast.CreateIndexStatement index => CreateIndex(index),
            Ast.CreateViewStatement view => CreateView(view),
            Ast.TruncateStatement truncate => Truncate(truncate),
            Ast.AlterTableStatement alter => Alter(alter),
            Ast.CreateSchemaStatement schema => CreateSchema(schema),
            Ast.CreateSequenceStatement sequence => CreateSequence(sequence),
            Ast.CreateDatabaseStatement database => CreateDatabase(database),
            Ast.CommentStatement comment => Comment(comment),
            Ast.CreateEnumTypeStatement type => CreateType(type),
            Ast.AlterTypeStatement alter => AlterType(alter),
            _ => throw SqlException.NotSupported(statement.GetType().Name),
        };
        return new StatementResult(tag, Notices: _notices.Count > 0 ? _notices : null);
    }

    private Binder Bind => new(Catalog, binder.Session);

    /// <summary>What DROP ... CASCADE also dropped, as PostgreSQL reports it: one object by name, more as a count with the list as DETAIL.</summary>
    private void CascadeNotice(IReadOnlyList<string> objects)
    {
        if (objects.Count > 0)
        {
            _notices.Add(objects.Count == 1 ? $"drop cascades to {objects[0]}"
                : $"drop cascades to {objects.Count} other objects\n" + string.Join('\n', objects.Select(o => "drop cascades to " + o)));
        }
    }

    private string CreateTable(Ast.CreateTableStatement create)
    {
        if (create.AsQuery is not null)
        {
            throw SqlException.NotSupported("CREATE TABLE AS");
        }

        if (create.Likes is { Count: > 0 })
        {
            create = ExpandLikes(create);
        }

        SchemaDef schema = CreationSchema(create.Name, create.Temporary, create.NamePosition);
        if (Catalog.FindRelation(schema.Oid, create.Name.Name) is not null)
        {
            if (create.IfNotExists)
            {
                _notices.Add($"relation \"{create.Name.Name}\" already exists, skipping");
                return "CREATE TABLE";
            }

            throw new SqlException(SqlState.DuplicateTable, $"relation \"{create.Name.Name}\" already exists");
        }

        CheckRowTypeNameFree(schema.Oid, create.Name.Name);
        string tableName = create.Name.Name;
        uint tableOid = changes.AllocateOid();
        var columns = new List<Catalog.ColumnDef>();
        var constraints = new List<ConstraintDef>();
        var uniqueSets = new List<(string? Name, IReadOnlyList<int> Columns, bool Primary)>();
        var sequences = new List<SequenceDef>();
        var foreignKeys = new List<(string?, IReadOnlyList<string>, Ast.ForeignKeyTarget)>();
        var generation = new Dictionary<int, Ast.SqlExpr>();
        foreach (Ast.ColumnDef column in create.Columns)
        {
            if (columns.Any(c => c.Name == column.Name))
            {
                throw new SqlException(SqlState.DuplicateColumn, $"column \"{column.Name}\" specified more than once");
            }

            int number = columns.Count + 1;
            (SqlType type, bool serial) = ColumnType(column.Type);
            var def = new Catalog.ColumnDef(number, column.Name, type);
            if (serial)
            {
                SequenceDef seq = NewSequence(schema.Oid, $"{tableName}_{column.Name}_seq", tableOid, number, type);
                sequences.Add(seq);
                def = def with { NotNull = true, DefaultSql = $"nextval('{seq.Name}')", SequenceOid = seq.Oid };
            }

            foreach (Ast.ColumnConstraint c in column.Constraints)
            {
                switch (c.Kind)
                {
                    case Ast.ColumnConstraintKind.NotNull:
                        def = def with { NotNull = true };
                        break;
                    case Ast.ColumnConstraintKind.Null:
                        break;
                    case Ast.ColumnConstraintKind.Default:
                        CheckDefault(c.Expr!, type);
                        def = def with { DefaultSql = Ast.SqlPrinter.Print(c.Expr!) };
                        break;
                    case Ast.ColumnConstraintKind.PrimaryKey:
                        uniqueSets.Add((c.Name, [number], true));
                        def = def with { NotNull = true };
                        break;
                    case Ast.ColumnConstraintKind.Unique:
                        uniqueSets.Add((c.Name, [number], false));
                        break;
                    case Ast.ColumnConstraintKind.Check:
                        constraints.Add(new ConstraintDef(c.Name ?? $"{tableName}_{column.Name}_check", ConstraintKind.Check, [number], CheckSql: Ast.SqlPrinter.Print(c.Expr!)));
                        break;
                    case Ast.ColumnConstraintKind.Identity or Ast.ColumnConstraintKind.AutoIncrement:
                    {
                        SequenceDef seq = NewSequence(schema.Oid, $"{tableName}_{column.Name}_seq", tableOid, number, type);
                        sequences.Add(seq);
                        def = def with
                        {
                            NotNull = true,
                            DefaultSql = $"nextval('{seq.Name}')",
                            SequenceOid = seq.Oid,
                            Identity = c.Kind == Ast.ColumnConstraintKind.Identity ? (c.IdentityAlways ? IdentityKind.Always : IdentityKind.ByDefault) : IdentityKind.None,
                        };
                        break;
                    }

                    case Ast.ColumnConstraintKind.Generated:
                        def = def with { GeneratedSql = Ast.SqlPrinter.Print(c.Expr!) };
                        generation[number] = c.Expr!;
                        break;
                    case Ast.ColumnConstraintKind.Collate when c.Collation is "C" or "POSIX" or "default" or "pg_catalog.default":
                        break;
                    case Ast.ColumnConstraintKind.References:
                        foreignKeys.Add((c.Name, [column.Name], c.References!));
                        break;
                    default:
                        throw SqlException.NotSupported($"column constraint {c.Kind}");
                }
            }

            columns.Add(GeneratedColumn(def, tableName));
        }

        foreach (Ast.TableConstraint c in create.Constraints)
        {
            if (c.Kind == Ast.TableConstraintKind.ForeignKey)
            {
                foreignKeys.Add((c.Name, c.Columns, c.References!));
                continue;
            }

            int[] numbers = [.. c.Columns.Select(name => columns.FirstOrDefault(x => x.Name == name)?.Number
                ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" named in key does not exist"))];
            switch (c.Kind)
            {
                case Ast.TableConstraintKind.PrimaryKey:
                    uniqueSets.Add((c.Name, numbers, true));
                    foreach (int n in numbers)
                    {
                        columns[n - 1] = columns[n - 1] with { NotNull = true };
                    }

                    break;
                case Ast.TableConstraintKind.Unique:
                    uniqueSets.Add((c.Name, numbers, false));
                    break;
                case Ast.TableConstraintKind.Check:
                    constraints.Add(new ConstraintDef(c.Name ?? $"{tableName}_check", ConstraintKind.Check, [], CheckSql: Ast.SqlPrinter.Print(c.Check!)));
                    break;
                case Ast.TableConstraintKind.Index:
                    uniqueSets.Add((c.Name ?? $"{tableName}_{string.Join('_', c.Columns)}_idx", numbers, false));
                    break;
                default:
                    throw SqlException.NotSupported($"table constraint {c.Kind}");
            }
        }

        if (uniqueSets.Count(u => u.Primary) > 1)
        {
            throw new SqlException("42P16", $"multiple primary keys for table \"{tableName}\" are not allowed");
        }

        int fill = StorageOptions(create.Options);
        var indexes = new List<IndexDef>();
        uint primaryOid = 0;
        foreach ((string? name, IReadOnlyList<int> cols, bool primary) in uniqueSets)
        {
            uint oid = changes.AllocateOid();
            string indexName = name ?? (primary ? $"{tableName}_pkey" : $"{tableName}_{string.Join('_', cols.Select(n => columns[n - 1].Name))}_key");
            bool unique = primary || create.Constraints.All(tc => tc.Kind != Ast.TableConstraintKind.Index || tc.Name != name);
            indexes.Add(new IndexDef(oid, tableOid, schema.Oid, indexName, [.. cols.Select(n => new IndexColumn(n))], unique, primary));
            if (unique)
            {
                constraints.Add(new ConstraintDef(indexName, primary ? ConstraintKind.PrimaryKey : ConstraintKind.Unique, cols, IndexOid: oid));
            }

            if (primary)
            {
                primaryOid = oid;
            }
        }

        var table = new TableDef(tableOid, schema.Oid, tableName, columns, constraints, primaryOid, fill);
        CheckGenerationExpressions(table, generation);
        changes.Create(table);
        foreach (IndexDef index in indexes)
        {
            changes.Create(index);
        }

        AddForeignKeys(table, foreignKeys, validate: false);

        foreach (SequenceDef seq in sequences)
        {
            changes.Create(seq);
        }

        return "CREATE TABLE";
    }

    private static int StorageOptions(IReadOnlyList<Ast.GenericOption> options)
    {
        int fill = 100;
        foreach (Ast.GenericOption o in options)
        {
            switch (o.Name)
            {
                case "fillfactor" when int.TryParse(o.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int f) && f is >= 10 and <= 100:
                    fill = f;
                    break;
                case "fillfactor":
                    throw new SqlException(SqlState.InvalidParameterValue, $"value {o.Value} out of bounds for option \"fillfactor\"", detail: "Valid values are between \"10\" and \"100\".");
                case "engine" or "charset" or "default charset" or "collate" or "auto_increment" or "comment" or "row_format":
                    break; // MySQL table options with no meaning here
                default:
                    throw new SqlException(SqlState.InvalidParameterValue, $"unrecognized parameter \"{o.Name}\"");
            }
        }

        return fill;
    }

    private (SqlType Type, bool Serial) ColumnType(Ast.TypeName type) => type.Name switch
    {
        "serial" or "serial4" => (SqlType.Int4, true),
        "bigserial" or "serial8" => (SqlType.Int8, true),
        "smallserial" or "serial2" => (SqlType.Int2, true),
        _ => (Bind.ResolveType(type, 0), false),
    };

    private void CheckDefault(Ast.SqlExpr expr, SqlType type)
    {
        Binder b = Bind;
        BoundExpr bound = b.BindStandalone(expr);
        if (bound.IsConstant)
        {
            SqlCast.Coerce(bound.Evaluate(new EvalContext([])), type);
        }
    }

    private SequenceDef NewSequence(uint schemaOid, string name, uint tableOid, int column, SqlType type) =>
        new(changes.AllocateOid(), schemaOid, name, Max: type.Kind switch
        {
            SqlTypeKind.Int2 => short.MaxValue,
            SqlTypeKind.Int4 => int.MaxValue,
            _ => long.MaxValue,
        }, OwnedByTableOid: tableOid, OwnedByColumn: column);

    private string CreateIndex(Ast.CreateIndexStatement create)
    {
        TableDef table = Bind.RequireTable(create.Table);
        if (create.Where is not null || create.Include.Count > 0)
        {
            throw SqlException.NotSupported(create.Where is not null ? "partial indexes" : "INCLUDE columns");
        }

        if (create.Method is not null and not "btree")
        {
            throw new SqlException(SqlState.UndefinedObject, $"access method \"{create.Method}\" does not exist");
        }

        var columns = new List<IndexColumn>();
        var nameParts = new List<string>();
        foreach (Ast.IndexElement e in create.Elements)
        {
            if (e.Expr is Ast.ColumnRefExpr { Names.Count: 1 } c)
            {
                Catalog.ColumnDef column = table.FindColumn(c.Name) ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{c.Name}\" does not exist");
                columns.Add(new IndexColumn(column.Number, null, e.Descending, e.NullsFirst));
                nameParts.Add(column.Name);
                continue;
            }

            // an expression: immutable, over this table's row, of a type with a btree ordering
            string sql = Ast.SqlPrinter.Print(e.Expr);
            SqlType type = Rows.IndexExpressions.Bind(table, sql).Type;
            if (type.IsArray || type.Kind is SqlTypeKind.Json or SqlTypeKind.Unknown or SqlTypeKind.Void)
            {
                throw new SqlException(SqlState.UndefinedObject, $"data type {(type.Kind == SqlTypeKind.Unknown ? "unknown" : type)} has no default operator class for access method \"btree\"",
                    hint: "You must specify an operator class for the index or define a default operator class for the data type.");
            }

            columns.Add(new IndexColumn(0, sql, e.Descending, e.NullsFirst));
            nameParts.Add(e.Expr is Ast.FunctionCallExpr f ? f.FunctionName : "expr");
        }

        string name = create.Name ?? FreeRelationName(table.SchemaOid, $"{table.Name}_{string.Join('_', nameParts)}_idx");
        if (Catalog.FindRelation(table.SchemaOid, name) is not null)
        {
            if (create.IfNotExists)
            {
                _notices.Add($"relation \"{name}\" already exists, skipping");
                return "CREATE INDEX";
            }

            throw new SqlException(SqlState.DuplicateTable, $"relation \"{name}\" already exists");
        }

        var index = new IndexDef(changes.AllocateOid(), table.Oid, table.SchemaOid, name, columns, create.Unique, IsPrimary: false);
        changes.Create(index);
        Backfill(table, index);
        return "CREATE INDEX";
    }

    /// <summary>A name for an unnamed index: <paramref name="name"/>, or with 1, 2... after it while taken, as PostgreSQL's ChooseRelationName.</summary>
    private string FreeRelationName(uint schemaOid, string name)
    {
        string candidate = name;
        for (int n = 1; Catalog.FindRelation(schemaOid, candidate) is not null || Catalog.FindType(schemaOid, candidate) is not null; n++)
        {
            candidate = name + n.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private void Backfill(TableDef table, IndexDef index)
    {
        try
        {
            TableStorage.Backfill(Txn, table, index);
        }
        catch (SqlException e) when (e.SqlState == SqlState.UniqueViolation)
        {
            throw new SqlException(SqlState.UniqueViolation, $"could not create unique index \"{index.Name}\"", detail: e.Detail?.Replace("already exists", "is duplicated", StringComparison.Ordinal));
        }
    }

    private string CreateView(Ast.CreateViewStatement create)
    {
        SchemaDef schema = CreationSchema(create.Name, create.Temporary);
        PlanNode plan = Bind.BindSelect(create.Query);
        IReadOnlyList<string> names = create.Columns is { Count: > 0 } cols ? cols : [.. plan.Columns.Select(c => c.Name)];
        var view = new ViewDef(changes.AllocateOid(), schema.Oid, create.Name.Name, Ast.SqlPrinter.Print(new Ast.SelectStatement(create.Query)), names);
        if (Catalog.FindRelation(schema.Oid, create.Name.Name) is { } existing)
        {
            if (!create.OrReplace || existing is not ViewDef)
            {
                throw new SqlException(SqlState.DuplicateTable, $"relation \"{create.Name.Name}\" already exists");
            }

            changes.Replace(view with { Oid = existing.Oid });
        }
        else
        {
            CheckRowTypeNameFree(schema.Oid, create.Name.Name);
            changes.Create(view);
        }

        return "CREATE VIEW";
    }

    private string CreateSchema(Ast.CreateSchemaStatement create)
    {
        if (Catalog.FindSchema(binder.Session.DatabaseOid, create.Name) is not null)
        {
            if (create.IfNotExists)
            {
                _notices.Add($"schema \"{create.Name}\" already exists, skipping");
                return "CREATE SCHEMA";
            }

            throw new SqlException(SqlState.DuplicateSchema, $"schema \"{create.Name}\" already exists");
        }

        changes.Create(new SchemaDef(changes.AllocateOid(), binder.Session.DatabaseOid, create.Name));
        return "CREATE SCHEMA";
    }

    private string CreateSequence(Ast.CreateSequenceStatement create)
    {
        SchemaDef schema = CreationSchema(create.Name, create.Temporary);
        if (Catalog.FindRelation(schema.Oid, create.Name.Name) is not null)
        {
            if (create.IfNotExists)
            {
                _notices.Add($"relation \"{create.Name.Name}\" already exists, skipping");
                return "CREATE SEQUENCE";
            }

            throw new SqlException(SqlState.DuplicateTable, $"relation \"{create.Name.Name}\" already exists");
        }

        long Option(Ast.SqlExpr? e, long absent) => e is null ? absent : SqlCast.Coerce(Bind.BindStandalone(e).Evaluate(new EvalContext([])), SqlType.Int8).AsInt64;
        long increment = Option(create.Options.Increment, 1);
        long min = Option(create.Options.MinValue, increment > 0 ? 1 : long.MinValue);
        long max = Option(create.Options.MaxValue, increment > 0 ? long.MaxValue : -1);
        long start = Option(create.Options.Start, increment > 0 ? min : max);
        changes.Create(new SequenceDef(changes.AllocateOid(), schema.Oid, create.Name.Name, start, increment, min, max, create.Options.Cycle ?? false));
        return "CREATE SEQUENCE";
    }

    private string Truncate(Ast.TruncateStatement truncate)
    {
        foreach (TableDef table in TruncateSet([.. truncate.Tables.Select(Bind.RequireTable)], truncate.Cascade))
        {
            DeleteRange(TableStorage.TableRange(table.Oid));
            runtime.Storage.Forget(table.Oid);
        }

        return "TRUNCATE TABLE";
    }

    private void DeleteRange((byte[] Start, byte[] End) range) => Txn.DeleteRange(range.Start, range.End);
}

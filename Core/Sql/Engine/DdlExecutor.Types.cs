using System.Text;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// Enum types: CREATE TYPE ... AS ENUM, ALTER TYPE (ADD VALUE, RENAME VALUE, RENAME TO) and DROP TYPE, which takes the
/// columns of the type with it under CASCADE. A type shares its name space with the row types of its schema's tables
/// and views, as in PostgreSQL's pg_type.
/// </summary>
internal sealed partial class DdlExecutor
{
    /// <summary>NAMEDATALEN - 1: the longest label, in bytes.</summary>
    private const int MaxLabelBytes = 63;

    private string CreateType(Ast.CreateEnumTypeStatement create)
    {
        SchemaDef schema = CreationSchema(create.Name, temporary: false);
        CheckTypeNameFree(schema.Oid, create.Name.Name);
        var labels = new List<SqlEnumLabel>();
        uint typeOid = changes.AllocateOid(), arrayOid = changes.AllocateOid();
        foreach (string label in create.Labels)
        {
            CheckLabel(label);
            if (labels.Any(l => l.Label == label))
            {
                throw new SqlException(SqlState.DuplicateObject, $"enum label \"{label}\" used more than once");
            }

            labels.Add(new SqlEnumLabel(changes.AllocateOid(), labels.Count + 1, label));
        }

        changes.Create(new EnumTypeDef(typeOid, schema.Oid, create.Name.Name, arrayOid, labels));
        return "CREATE TYPE";
    }

    /// <summary>42710 when <paramref name="name"/> is a type of <paramref name="schemaOid"/> already: an enum, or a table's or view's row type.</summary>
    private void CheckTypeNameFree(uint schemaOid, string name)
    {
        if (Catalog.FindType(schemaOid, name) is not null || Catalog.FindRelation(schemaOid, name) is TableDef or ViewDef)
        {
            throw new SqlException(SqlState.DuplicateObject, $"type \"{name}\" already exists");
        }
    }

    /// <summary>CREATE TABLE / VIEW: a relation's row type takes its name, so an enum of that name is in the way.</summary>
    private void CheckRowTypeNameFree(uint schemaOid, string name)
    {
        if (Catalog.FindType(schemaOid, name) is not null)
        {
            throw new SqlException(SqlState.DuplicateObject, $"type \"{name}\" already exists",
                hint: "A relation has an associated type of the same name, so you must use a name that doesn't conflict with any existing type.");
        }
    }

    private static void CheckLabel(string label)
    {
        if (Encoding.UTF8.GetByteCount(label) > MaxLabelBytes)
        {
            throw new SqlException(SqlState.InvalidName, $"invalid enum label \"{label}\"", detail: $"Labels must be {MaxLabelBytes} bytes or less.");
        }
    }

    private EnumTypeDef RequireType(Ast.ObjectName name) =>
        Bind.FindTypeDef(new Ast.TypeName(name.Parts, [])) ?? throw new SqlException(SqlState.UndefinedObject, $"type \"{string.Join('.', name.Parts)}\" does not exist");

    private string AlterType(Ast.AlterTypeStatement alter)
    {
        EnumTypeDef type = RequireType(alter.Name);
        switch (alter.Action)
        {
            case Ast.AddEnumValueAction add:
                AddLabel(type, add);
                break;
            case Ast.RenameEnumValueAction rename:
            {
                SqlEnumLabel label = type.Labels.FirstOrDefault(l => l.Label == rename.Label)
                    ?? throw new SqlException(SqlState.InvalidParameterValue, $"\"{rename.Label}\" is not an existing enum label");
                if (type.Labels.Any(l => l.Label == rename.NewLabel))
                {
                    throw new SqlException(SqlState.DuplicateObject, $"enum label \"{rename.NewLabel}\" already exists");
                }

                CheckLabel(rename.NewLabel);
                changes.Replace(type with { Labels = [.. type.Labels.Select(l => l.Oid == label.Oid ? l with { Label = rename.NewLabel } : l)] });
                break;
            }

            case Ast.RenameTypeAction rename:
                CheckTypeNameFree(type.SchemaOid, rename.NewName);
                changes.Replace(type with { Name = rename.NewName });
                break;
        }

        return "ALTER TYPE";
    }

    /// <summary>
    /// ADD VALUE: at the end, or between a label and its neighbour (half-way between their sort positions, as PostgreSQL
    /// places it). Sort positions are index keys, so they are never renumbered: when two have no float between them, 54000.
    /// </summary>
    private void AddLabel(EnumTypeDef type, Ast.AddEnumValueAction add)
    {
        CheckLabel(add.Label);
        if (type.Labels.Any(l => l.Label == add.Label))
        {
            if (add.IfNotExists)
            {
                _notices.Add($"enum label \"{add.Label}\" already exists, skipping");
                return;
            }

            throw new SqlException(SqlState.DuplicateObject, $"enum label \"{add.Label}\" already exists");
        }

        List<SqlEnumLabel> ordered = [.. type.Labels.OrderBy(l => l.SortOrder)];
        float order;
        if (add.Neighbor is null)
        {
            order = ordered.Count == 0 ? 1 : ordered[^1].SortOrder + 1;
        }
        else
        {
            int at = ordered.FindIndex(l => l.Label == add.Neighbor);
            if (at < 0)
            {
                throw new SqlException(SqlState.InvalidParameterValue, $"\"{add.Neighbor}\" is not an existing enum label");
            }

            (float low, float high) = add.Before
                ? (at > 0 ? ordered[at - 1].SortOrder : ordered[at].SortOrder - 2, ordered[at].SortOrder)
                : (ordered[at].SortOrder, at + 1 < ordered.Count ? ordered[at + 1].SortOrder : ordered[at].SortOrder + 2);
            order = (low + high) / 2;
            if (order <= low || order >= high)
            {
                throw new SqlException(SqlState.ProgramLimitExceeded, $"no room for another enum label between \"{ordered[at].Label}\" and its neighbour");
            }
        }

        changes.Replace(type with { Labels = [.. type.Labels, new SqlEnumLabel(changes.AllocateOid(), order, add.Label)] });
    }

    /// <summary>DROP TYPE: the columns of the type (or of arrays of it) block it, or go with CASCADE.</summary>
    private void DropType(Ast.ObjectName name, Ast.DropStatement drop)
    {
        EnumTypeDef? type = Bind.FindTypeDef(new Ast.TypeName(name.Parts, []));
        if (type is null)
        {
            if (drop.IfExists)
            {
                _notices.Add($"type \"{string.Join('.', name.Parts)}\" does not exist, skipping");
                return;
            }

            throw new SqlException(SqlState.UndefinedObject, $"type \"{string.Join('.', name.Parts)}\" does not exist");
        }

        DropType(type, drop.Cascade);
    }

    private void DropType(EnumTypeDef type, bool cascade)
    {
        // the columns of the array type first: PostgreSQL reaches them through the array type, which depends on the type
        List<(TableDef Table, Catalog.ColumnDef Column)> columns = [.. Catalog.All.OfType<TableDef>().OrderBy(t => t.Oid)
            .SelectMany(t => t.VisibleColumns.Where(c => c.Type.Enum?.Oid == type.Oid).Select(c => (t, c)))
            .OrderBy(d => !d.c.Type.IsArray)];
        string typeName = Catalog.FindEnum(type.Oid)?.Name ?? type.Name;
        if (columns.Count > 0)
        {
            IEnumerable<string> dependents = columns.Select(d => $"column {d.Column.Name} of table {d.Table.Name}");
            if (!cascade)
            {
                throw new SqlException(SqlState.DependentObjectsStillExist, $"cannot drop type {typeName} because other objects depend on it",
                    detail: string.Join('\n', columns.Select(d => $"column {d.Column.Name} of table {d.Table.Name} depends on type {d.Column.Type}")),
                    hint: "Use DROP ... CASCADE to drop the dependent objects too.");
            }

            CascadeNotice([.. dependents]);
            foreach ((TableDef table, Catalog.ColumnDef column) in columns)
            {
                AlterOne(Catalog.Find<TableDef>(table.Oid)!, new Ast.DropColumnAction(column.Name, IfExists: false, Cascade: true));
            }
        }

        changes.Drop(type.Oid);
    }
}

using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// A column visible to expressions: the range variable (table alias) it belongs to, its name and type. A system column
/// (<see cref="IsSystem"/>: a catalog's <c>tableoid</c>) is found by name but never expanded by <c>*</c> or joined by
/// NATURAL / USING.
/// </summary>
internal sealed record ScopeColumn(string? Table, string Name, SqlType Type, uint TableOid = 0, int ColumnNumber = 0, bool HiddenFromUnqualified = false,
    bool IsSystem = false);

/// <summary>
/// The columns a query block's expressions can name, in the order of the rows they evaluate against, with the
/// enclosing block's scope as <see cref="Outer"/> (correlated references resolve there, one level per step).
/// </summary>
internal sealed class Scope(IReadOnlyList<ScopeColumn> columns, Scope? outer)
{
    public IReadOnlyList<ScopeColumn> Columns { get; } = columns;

    public Scope? Outer { get; } = outer;

    public static Scope Empty(Scope? outer) => new([], outer);

    /// <summary>The columns of one table's stored row, in attnum order (dropped ones kept in place, unreachable by name).</summary>
    public static Scope OfTable(Catalog.TableDef table, string? alias, Scope? outer = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new([.. table.Columns.Select(c => new ScopeColumn(alias ?? table.Name, c.IsDropped ? $"........pg.dropped.{c.Number}........" : c.Name, c.Type, table.Oid, c.Number, c.IsDropped))], outer);
    }

    /// <summary>Resolves <c>c</c>, <c>t.c</c> or <c>s.t.c</c>: the ordinal in its scope's row and how many scopes up it is.</summary>
    public (int Ordinal, int Depth, ScopeColumn Column) Resolve(IReadOnlyList<string> names, int position)
    {
        string name = names[^1];
        string? table = names.Count >= 2 ? names[^2] : null;
        int depth = 0;
        for (Scope? s = this; s is not null; s = s.Outer, depth++)
        {
            int found = -1;
            for (int i = 0; i < s.Columns.Count; i++)
            {
                ScopeColumn c = s.Columns[i];
                if (c.Name != name || (table is not null ? c.Table != table : c.HiddenFromUnqualified))
                {
                    continue;
                }

                if (found >= 0)
                {
                    throw new SqlException(SqlState.AmbiguousColumn, $"column reference \"{name}\" is ambiguous", position: position);
                }

                found = i;
            }

            if (found >= 0)
            {
                return (found, depth, s.Columns[found]);
            }
        }

        if (table is not null && !HasTable(table))
        {
            throw new SqlException(SqlState.UndefinedTable, $"missing FROM-clause entry for table \"{table}\"", position: position);
        }

        string shown = table is null ? name : $"{table}.{name}";
        throw new SqlException(SqlState.UndefinedColumn, $"column {Quote(shown)} does not exist", position: position);
    }

    private static string Quote(string shown) => shown.Contains('.', StringComparison.Ordinal) ? shown : $"\"{shown}\"";

    public bool HasTable(string table)
    {
        for (Scope? s = this; s is not null; s = s.Outer)
        {
            if (s.Columns.Any(c => c.Table == table))
            {
                return true;
            }
        }

        return false;
    }
}
